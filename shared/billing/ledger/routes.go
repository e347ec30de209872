package ledger

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Routes registers the ledger's routes on b.
func Routes(r *authz.Router, d core.Deps, b *Book) {
	h := &handlers{Deps: d, b: b}
	r.HandleFunc("GET /api/patients/{id}/ledger", h.ledger)
	r.HandleFunc("GET /api/patients/{id}/statement", h.statement)
	r.HandleFunc("POST /api/patients/{id}/charges", h.charge)
	r.HandleFunc("POST /api/patients/{id}/adjustments", h.adjustment)
	r.HandleFunc("POST /api/patients/{id}/payments", h.payment)
	r.HandleFunc("GET /api/invoices", h.listInvoices)
	r.HandleFunc("POST /api/invoices", h.createInvoice)
	r.HandleFunc("GET /api/invoices/{id}", h.getInvoice)
	r.HandleFunc("GET /api/invoices/{id}/pdf", h.invoicePDF)
	r.HandleFunc("POST /api/invoices/{id}/void", h.voidInvoice)
	r.HandleFunc("POST /api/payments/{id}/refund", h.refund)
}

type handlers struct {
	core.Deps
	b *Book
}

// Limits of the free text an entry keeps.
const (
	maxText      = 200
	maxReason    = 500
	maxReference = 100
	maxLines     = 200
)

// subject is the path's patient as caller p may see them: staff any of
// their clinic's, a patient themselves and, as guarantor, their family;
// anyone else is 404.
func (h *handlers) subject(r *http.Request, p authz.Principal) (core.PatientFacts, error) {
	id := r.PathValue("id")
	if !ids.Valid(id) {
		return core.PatientFacts{}, errPatientNotFound
	}
	pt, err := h.Patients(r.Context(), p.ClinicID, id)
	if errs.Is(err, errs.NotFound) || err == nil && !core.Owns(p, pt.ID, pt.GuarantorID) {
		return core.PatientFacts{}, errPatientNotFound
	}
	return pt, err
}

// postable is the path's patient for a poster; an archived record takes no
// new entries.
func (h *handlers) postable(r *http.Request, p authz.Principal) (core.PatientFacts, error) {
	pt, err := h.subject(r, p)
	if err == nil && pt.Archived {
		err = errs.E(errs.Unprocessable, "the patient's record is archived")
	}
	return pt, err
}

// Ledger is the answer of GET patients/{id}/ledger.
type Ledger struct {
	PatientID    string  `json:"patientId"`
	Currency     string  `json:"currency"`
	BalanceCents int64   `json:"balanceCents"`
	CreditCents  int64   `json:"creditCents"`
	Aging        Aging   `json:"aging"`
	Items        []Entry `json:"items"`
}

// account is the path's patient (as subject answers them) and their
// account as of now, in the clinic's zone and currency.
func (h *handlers) account(r *http.Request, p authz.Principal) (core.PatientFacts, account, core.ClinicFacts, error) {
	pt, err := h.subject(r, p)
	if err != nil {
		return pt, account{}, core.ClinicFacts{}, err
	}
	es, err := h.b.read(r.Context(), p.ClinicID, pt.ID)
	if err != nil {
		return pt, account{}, core.ClinicFacts{}, err
	}
	f, err := h.b.settings(r.Context(), p.ClinicID)
	if err != nil {
		return pt, account{}, core.ClinicFacts{}, err
	}
	return pt, summarize(es, f.TimeZone, h.Now()), f, nil
}

func (h *handlers) ledger(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, a, f, err := h.account(r, p)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("entries: %d; balance: %d", len(a.Items), a.Balance)
	if err := h.Read(r, p, core.Entry(actionLedgerRead, "patients/"+pt.ID+"/ledger", pt.ID, detail)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, Ledger{PatientID: pt.ID, Currency: f.Currency, BalanceCents: a.Balance,
		CreditCents: a.Credit, Aging: a.Aging, Items: a.Items})
	return nil
}

// ChargeInput is the body of POST patients/{id}/charges.
type ChargeInput struct {
	Code        string `json:"code"`
	Tooth       string `json:"tooth"`
	AmountCents *int64 `json:"amountCents"`
	Description string `json:"description"`
}

func (h *handlers) charge(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.postable(r, p)
	if err != nil {
		return err
	}
	var in ChargeInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	in.Code, in.Description, in.Tooth = strings.TrimSpace(in.Code), strings.TrimSpace(in.Description), strings.TrimSpace(in.Tooth)
	var v errs.Validator
	v.Check(in.Code != "", "code", "is required")
	v.Check(utf8.RuneCountInString(in.Tooth) <= 3, "tooth", "must be a tooth number")
	v.Check(utf8.RuneCountInString(in.Description) <= maxText, "description", fmt.Sprintf("must be at most %d characters", maxText))
	v.Check(in.AmountCents == nil || *in.AmountCents > 0, "amountCents", "must be a positive number of cents")
	if err := v.Err(); err != nil {
		return err
	}
	code, err := h.Codes(r.Context(), p.ClinicID, in.Code)
	if errs.Is(err, errs.NotFound) {
		return errs.InvalidFields(errs.FieldError{Field: "code", Message: "is not in the clinic's fee schedule"})
	}
	if err != nil {
		return err
	}
	e := entry{ID: ids.New(), ClinicID: p.ClinicID, PatientID: pt.ID, Kind: core.KindCharge, AmountCents: code.FeeCents,
		At: h.Now(), Description: code.Description, Code: code.Code, Category: code.Category, Tooth: in.Tooth, PostedBy: p.UserID}
	if in.AmountCents != nil {
		e.AmountCents = *in.AmountCents
	}
	if in.Description != "" {
		e.Description = in.Description
	}
	if e.AmountCents <= 0 {
		return errs.InvalidFields(errs.FieldError{Field: "amountCents", Message: "the code has no fee; give the amount"})
	}
	e.EffectCents = e.AmountCents
	return h.postEntry(w, r, p, actionChargePost, e)
}

// postEntry records action and posts e, answering it with the balance
// after it.
func (h *handlers) postEntry(w http.ResponseWriter, r *http.Request, p authz.Principal, action string, e entry) error {
	detail := fmt.Sprintf("%s %s: %d cents", e.Kind, e.ID, e.AmountCents)
	err := h.Write(r, p, core.Entry(action, "patients/"+e.PatientID+"/ledger", e.PatientID, detail), func() (err error) {
		e, err = h.b.post(r.Context(), e)
		return err
	})
	if err != nil {
		return err
	}
	view, _, err := h.posted(r, e)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, view)
	return nil
}

// posted is e as the ledger now shows it, with its running balance, and
// the entries more as well (one read).
func (h *handlers) posted(r *http.Request, e entry, more ...string) (Entry, map[string]Entry, error) {
	es, err := h.b.read(r.Context(), e.ClinicID, e.PatientID)
	if err != nil {
		return Entry{}, nil, err
	}
	a := summarize(es, time.UTC, h.Now())
	others := map[string]Entry{}
	out := e.view(e.EffectCents, 0)
	for _, v := range a.Items {
		if v.ID == e.ID {
			out = v
		}
		if slices.Contains(more, v.ID) {
			others[v.ID] = v
		}
	}
	return out, others, nil
}

// AdjustmentInput is the body of POST patients/{id}/adjustments.
type AdjustmentInput struct {
	AmountCents    int64  `json:"amountCents"`
	AdjustmentType string `json:"adjustmentType"`
	Reason         string `json:"reason"`
}

func (h *handlers) adjustment(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.postable(r, p)
	if err != nil {
		return err
	}
	var in AdjustmentInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v errs.Validator
	v.Check(in.AmountCents > 0, "amountCents", "must be a positive number of cents")
	v.Check(slices.Contains(AdjustmentTypes, in.AdjustmentType), "adjustmentType", "must be one of "+strings.Join(AdjustmentTypes, ", "))
	v.Check(in.Reason != "", "reason", "is required: say why the account is adjusted")
	v.Check(utf8.RuneCountInString(in.Reason) <= maxReason, "reason", fmt.Sprintf("must be at most %d characters", maxReason))
	if err := v.Err(); err != nil {
		return err
	}
	effect := -in.AmountCents
	if in.AdjustmentType == AdjCorrectionDebit {
		effect = in.AmountCents
	}
	e := entry{ID: ids.New(), ClinicID: p.ClinicID, PatientID: pt.ID, Kind: core.KindAdjustment, AmountCents: in.AmountCents,
		EffectCents: effect, At: h.Now(), Description: "Adjustment: " + strings.ReplaceAll(in.AdjustmentType, "_", " "),
		Reason: in.Reason, AdjustmentType: in.AdjustmentType, PostedBy: p.UserID}
	return h.postEntry(w, r, p, actionAdjustment, e)
}

// PaymentInput is the body of POST patients/{id}/payments.
type PaymentInput struct {
	AmountCents int64  `json:"amountCents"`
	Method      string `json:"method"`
	Reference   string `json:"reference"`
	InvoiceID   string `json:"invoiceId"`
	CoverageID  string `json:"coverageId"`
	Lines       []struct {
		EntryID         string `json:"entryId"`
		PaidCents       int64  `json:"paidCents"`
		DeductibleCents int64  `json:"deductibleCents"`
	} `json:"lines"`
}

// deskMethods are the methods the desk posts (card payments come from the
// processor).
var deskMethods = []string{MethodCash, MethodCheque, MethodCardTerminal, MethodInsurance}

// PaymentAnswer is the answer of POST patients/{id}/payments: what went to
// the invoice and what of the payment it did not need (a credit on the
// account; 0 for a payment on no invoice).
type PaymentAnswer struct {
	Payment      Entry    `json:"payment"`
	AppliedCents int64    `json:"appliedCents"`
	CreditCents  int64    `json:"creditCents"`
	Invoice      *Invoice `json:"invoice"`
}

func (in PaymentInput) check() error {
	var v errs.Validator
	v.Check(in.AmountCents > 0, "amountCents", "must be a positive number of cents")
	v.Check(slices.Contains(deskMethods, in.Method), "method", "must be one of "+strings.Join(deskMethods, ", "))
	v.Check(utf8.RuneCountInString(in.Reference) <= maxReference, "reference", fmt.Sprintf("must be at most %d characters", maxReference))
	v.Check(in.InvoiceID == "" || ids.Valid(in.InvoiceID), "invoiceId", "must be an invoice id")
	insurance := in.Method == MethodInsurance
	v.Check(!insurance || ids.Valid(in.CoverageID), "coverageId", "is required for an insurance payment")
	v.Check(insurance || in.CoverageID == "", "coverageId", "is only for insurance payments")
	v.Check(insurance || len(in.Lines) == 0, "lines", "are only for insurance payments")
	v.Check(len(in.Lines) <= maxLines, "lines", fmt.Sprintf("must be at most %d", maxLines))
	var paid int64
	for i, l := range in.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		v.Check(ids.Valid(l.EntryID), f+"entryId", "must be a charge's id")
		v.Check(l.PaidCents >= 0, f+"paidCents", "must not be negative")
		v.Check(l.DeductibleCents >= 0, f+"deductibleCents", "must not be negative")
		paid += l.PaidCents
	}
	v.Check(paid <= in.AmountCents, "lines", "pay more than the payment's amount")
	return v.Err()
}

func (h *handlers) payment(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.subject(r, p)
	if err != nil {
		return err
	}
	var in PaymentInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	in.Reference = strings.TrimSpace(in.Reference)
	if err := in.check(); err != nil {
		return err
	}
	id, keyed, err := paymentID(r, p.ClinicID, pt.ID)
	if err != nil {
		return err
	}
	e := entry{ID: id, ClinicID: p.ClinicID, PatientID: pt.ID, Kind: core.KindPatientPayment, AmountCents: in.AmountCents,
		EffectCents: -in.AmountCents, At: h.Now(), Description: "Payment (" + strings.ReplaceAll(in.Method, "_", " ") + ")",
		Method: in.Method, Reference: in.Reference, InvoiceID: in.InvoiceID, PostedBy: p.UserID}
	if in.Method == MethodInsurance {
		e.Kind, e.CoverageID, e.Description = core.KindInsurancePayment, in.CoverageID, "Insurance payment"
		if e.Lines, err = h.eobLines(r, p.ClinicID, pt.ID, in); err != nil {
			return err
		}
	}
	if in.InvoiceID != "" {
		inv, err := h.b.invoice(r.Context(), p.ClinicID, in.InvoiceID)
		if errs.Is(err, errs.NotFound) || err == nil && inv.PatientID != pt.ID {
			return errs.InvalidFields(errs.FieldError{Field: "invoiceId", Message: "is not an invoice of this patient"})
		}
		if err != nil {
			return err
		}
		if inv.Status == core.InvoiceVoid {
			return errs.E(errs.Conflict, "the invoice is void")
		}
	}
	if keyed {
		prior, err := h.b.entry(r.Context(), p.ClinicID, e.ID, errs.E(errs.NotFound, "no payment of this key"))
		if err == nil {
			// The same Idempotency-Key again: the payment it posted, once.
			return h.repeatedPayment(w, r, p, prior, e)
		}
		if !errs.Is(err, errs.NotFound) {
			return err
		}
	}
	var out PaymentAnswer
	detail := fmt.Sprintf("%s %s: %d cents; method %s", e.Kind, e.ID, e.AmountCents, e.Method)
	if e.InvoiceID != "" {
		detail += "; invoice " + e.InvoiceID
	}
	fresh := false
	err = h.Write(r, p, core.Entry(actionPaymentPost, paymentResource(e.ID), pt.ID, detail), func() (err error) {
		if _, fresh, err = h.b.postOnce(r.Context(), e); err != nil {
			return err
		}
		if e.InvoiceID == "" {
			return nil
		}
		applied, inv, err := h.b.apply(r.Context(), p.ClinicID, e.InvoiceID, e, 0)
		if err != nil {
			return err
		}
		view := inv.view()
		out.AppliedCents, out.CreditCents, out.Invoice = applied, e.AmountCents-applied, &view
		return nil
	})
	if err != nil {
		return err
	}
	if fresh {
		h.b.paid(r.Context(), e)
	}
	if out.Payment, _, err = h.posted(r, e); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// HeaderIdempotencyKey names a desk payment: the same key posts one
// payment however often the request is sent (a double click, a retry after
// a timeout).
const HeaderIdempotencyKey = "Idempotency-Key"

const maxIdempotencyKey = 100

// paymentID is the id of the payment the request posts: derived from its
// Idempotency-Key (and the clinic and patient, so two patients' keys never
// meet), or new without one.
func paymentID(r *http.Request, clinicID, patientID string) (id string, keyed bool, err error) {
	key := r.Header.Get(HeaderIdempotencyKey)
	if key == "" {
		return ids.New(), false, nil
	}
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return "", false, errs.E(errs.Invalid, "%s must be 1 to %d visible ASCII characters", HeaderIdempotencyKey, maxIdempotencyKey)
	}
	return derivedID(clinicID, "desk-payment:"+patientID+":"+key), true, nil
}

// repeatedPayment answers a payment whose Idempotency-Key already posted
// prior: the same answer when the request is the same, 409 when the key was
// used for a different payment (nothing is posted either way). Its
// application to the invoice is looked up again (apply is idempotent per
// payment), so a retry after a cut-off first attempt finishes it.
func (h *handlers) repeatedPayment(w http.ResponseWriter, r *http.Request, p authz.Principal, prior, e entry) error {
	if prior.PatientID != e.PatientID || prior.Kind != e.Kind || prior.AmountCents != e.AmountCents || prior.Method != e.Method ||
		prior.InvoiceID != e.InvoiceID || prior.CoverageID != e.CoverageID {
		return errs.E(errs.Conflict, "this %s was used for a different payment", HeaderIdempotencyKey)
	}
	var out PaymentAnswer
	if prior.InvoiceID != "" {
		applied, inv, err := h.b.apply(r.Context(), p.ClinicID, prior.InvoiceID, prior, 0)
		if err != nil {
			return err
		}
		view := inv.view()
		out.AppliedCents, out.CreditCents, out.Invoice = applied, prior.AmountCents-applied, &view
	}
	var err error
	if out.Payment, _, err = h.posted(r, prior); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// eobLines are in's lines, each naming a charge of patientID (one find).
func (h *handlers) eobLines(r *http.Request, clinicID, patientID string, in PaymentInput) ([]eobLine, error) {
	if len(in.Lines) == 0 {
		return nil, nil
	}
	want := make(bson.A, 0, len(in.Lines))
	for _, l := range in.Lines {
		want = append(want, l.EntryID)
	}
	var found []entry
	f := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: want}}}, {Key: "patientId", Value: patientID}, {Key: "kind", Value: core.KindCharge}}
	if err := h.b.entries.Find(r.Context(), clinicID, f, &found); err != nil {
		return nil, err
	}
	out := make([]eobLine, 0, len(in.Lines))
	var v errs.Validator
	for i, l := range in.Lines {
		ok := slices.ContainsFunc(found, func(e entry) bool { return e.ID == l.EntryID })
		v.Check(ok, fmt.Sprintf("lines[%d].entryId", i), "is not a charge of this patient")
		out = append(out, eobLine{EntryID: l.EntryID, PaidCents: l.PaidCents, DeductibleCents: l.DeductibleCents})
	}
	return out, v.Err()
}

// --- invoices ---

func invoiceResource(id string) string { return "invoices/" + id }

// loadInvoice is the path's invoice as p may see it (reconciled): a
// patient only their own and their family's (as guarantor); anything else
// is 404.
func (h *handlers) loadInvoice(r *http.Request, p authz.Principal) (invoiceRec, error) {
	rec, err := h.b.invoice(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return invoiceRec{}, err
	}
	if !core.Owns(p, rec.PatientID, rec.GuarantorID) {
		return invoiceRec{}, errInvoiceNotFound
	}
	return h.b.reconcile(r.Context(), rec)
}

var invoiceStatuses = []string{core.InvoiceOpen, core.InvoicePaid, core.InvoiceVoid}

func (h *handlers) listInvoices(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	patientID, status := q.Get("patientId"), q.Get("status")
	var v errs.Validator
	v.Check(patientID == "" || ids.Valid(patientID), "patientId", "must be a patient id")
	v.Check(status == "" || slices.Contains(invoiceStatuses, status), "status", "must be one of "+strings.Join(invoiceStatuses, ", "))
	if err := v.Err(); err != nil {
		return err
	}
	var f bson.D
	switch {
	case p.IsPatient() && (patientID == "" || patientID == p.PatientID):
		f = familyFilter(p.PatientID)
	case p.IsPatient():
		// A family member's invoices, of which the caller is guarantor.
		f = bson.D{{Key: "patientId", Value: patientID}, {Key: "guarantorId", Value: p.PatientID}}
	case patientID != "":
		f = familyFilter(patientID)
	}
	if status != "" {
		f = append(f, bson.E{Key: "status", Value: status})
	}
	recs, err := h.b.listInvoices(r.Context(), p.ClinicID, f)
	if err != nil {
		return err
	}
	out := make([]Invoice, 0, len(recs))
	var listed []string
	for _, rec := range recs {
		out = append(out, rec.view())
		if !slices.Contains(listed, rec.PatientID) {
			listed = append(listed, rec.PatientID)
		}
	}
	e := core.Entry(actionInvoiceRead, "invoices", patientID, fmt.Sprintf("invoices: %d", len(out)))
	e.PatientIDs = listed
	if err := h.Read(r, p, e); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}

// InvoiceInput is the body of POST invoices.
type InvoiceInput struct {
	PatientID string `json:"patientId"`
}

func (h *handlers) createInvoice(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	var in InvoiceInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if !ids.Valid(in.PatientID) {
		return errs.InvalidFields(errs.FieldError{Field: "patientId", Message: "must be a patient id"})
	}
	pt, err := h.Patients(r.Context(), p.ClinicID, in.PatientID)
	if errs.Is(err, errs.NotFound) {
		return errs.InvalidFields(errs.FieldError{Field: "patientId", Message: "is not a patient of this clinic"})
	}
	if err != nil {
		return err
	}
	var rec invoiceRec
	err = h.Write(r, p, core.Entry(actionInvoiceCreate, "invoices", pt.ID, "patient "+pt.ID), func() (err error) {
		rec, err = h.b.createInvoice(r.Context(), p.ClinicID, pt, p.UserID)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, rec.view())
	return nil
}

func (h *handlers) getInvoice(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.loadInvoice(r, p)
	if err != nil {
		return err
	}
	if err := h.Read(r, p, core.Entry(actionInvoiceRead, invoiceResource(rec.ID), rec.PatientID, "status: "+rec.Status)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, rec.view())
	return nil
}

func (h *handlers) voidInvoice(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.loadInvoice(r, p)
	if err != nil {
		return err
	}
	if err := decodeOptional(w, r); err != nil {
		return err
	}
	var out invoiceRec
	err = h.Write(r, p, core.Entry(actionInvoiceVoid, invoiceResource(rec.ID), rec.PatientID, fmt.Sprintf("amount: %d", rec.AmountCents)), func() (err error) {
		out, err = h.b.void(r.Context(), p.ClinicID, rec.ID)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out.view())
	return nil
}

// decodeOptional accepts an empty body or an empty JSON object.
func decodeOptional(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	return httpapi.Decode(w, r, &struct{}{})
}

// --- refunds ---

func (h *handlers) refund(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	id := r.PathValue("id")
	if !ids.Valid(id) {
		return errPaymentNotFound
	}
	pay, err := h.b.entry(r.Context(), p.ClinicID, id, errPaymentNotFound)
	if err != nil {
		return err
	}
	if !pay.isPayment() {
		return errPaymentNotFound
	}
	var in RefundInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v errs.Validator
	v.Check(in.AmountCents == nil || *in.AmountCents > 0, "amountCents", "must be a positive number of cents")
	v.Check(in.Reason != "", "reason", "is required")
	v.Check(utf8.RuneCountInString(in.Reason) <= maxReason, "reason", fmt.Sprintf("must be at most %d characters", maxReason))
	if err := v.Err(); err != nil {
		return err
	}
	var amount int64
	if in.AmountCents != nil {
		amount = *in.AmountCents
	}
	if pay.Method == MethodCard && h.Cards == nil {
		return core.ErrCardsNotConfigured
	}
	var posted entry
	detail := fmt.Sprintf("refund of %s %s: %d cents (0: the rest)", pay.Kind, pay.ID, amount)
	err = h.Write(r, p, core.Entry(actionRefundPost, paymentResource(pay.ID), pay.PatientID, detail), func() (err error) {
		_, posted, err = h.b.refund(r.Context(), pay, amount, in.Reason, p.UserID)
		return err
	})
	if err != nil {
		return err
	}
	refundView, others, err := h.posted(r, posted, pay.ID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]Entry{"refund": refundView, "payment": others[pay.ID]})
	return nil
}
