// Package consents is the clinic's consent forms: templates written by the
// clinic's admins, versioned (an edit is a new version; a consent keeps
// the exact text it was sent with), sent by staff to a patient, and signed
// once in the portal by the patient, or by their guardian while they are a
// minor, with a typed full name. A signed consent is immutable and
// downloads as a PDF made from the stored record.
package consents

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
)

// Audited actions.
const (
	actionTemplateWrite = "consent_template.write"
	actionSend          = "consent.send"
	actionRead          = "consent.read"
	actionList          = "consent.list"
	actionSign          = "consent.sign"
	actionPDF           = "consent.pdf"
)

// Routes registers the consent routes.
func Routes(r *authz.Router, d core.Deps) {
	h := &handlers{Deps: d, templates: newTemplateStore(d.Mongo), consents: newConsentStore(d.Mongo, d.Clock)}
	r.HandleFunc("GET /api/consent-templates", h.listTemplates)
	r.HandleFunc("POST /api/consent-templates", h.createTemplate)
	r.HandleFunc("PATCH /api/consent-templates/{id}", h.reviseTemplate)
	r.HandleFunc("GET /api/patients/{id}/consents", h.listPatient)
	r.HandleFunc("POST /api/patients/{id}/consents", h.send)
	r.HandleFunc("GET /api/consents", h.listMine)
	r.HandleFunc("GET /api/consents/{id}", h.get)
	r.HandleFunc("GET /api/consents/{id}/pdf", h.pdf)
	r.HandleFunc("POST /api/consents/{id}/sign", h.sign)
}

type handlers struct {
	core.Deps
	templates *templateStore
	consents  *consentStore
}

func templateResource(id string) string { return "consent-templates/" + id }
func consentResource(id string) string  { return "consents/" + id }

func (h *handlers) listTemplates(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	all := false
	switch v := r.URL.Query().Get("all"); v {
	case "", "false":
	case "true":
		all = true
	default:
		return errs.InvalidFields(errs.FieldError{Field: "all", Message: "must be true or false"})
	}
	list, err := h.templates.List(r.Context(), p.ClinicID, all)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// normalize keeps a template's text as typed but for its line endings: a
// form pasted from Windows hashes as the same text as one typed here.
func normalize(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func (h *handlers) createTemplate(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	var in templateInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	var v errs.Validator
	v.Check(in.Title != nil, "title", "is required")
	v.Check(in.Body != nil, "body", "is required")
	v.Check(in.Kind != nil && slices.Contains(Kinds, *in.Kind), "kind", "must be one of "+strings.Join(Kinds, ", "))
	v.Check(in.Active == nil, "active", "a new template is active; deactivate it with PATCH")
	v.Check(in.Version == nil, "version", "a new template starts at version 1")
	checkText(&v, in.Title, in.Body)
	if err := v.Err(); err != nil {
		return err
	}
	body := normalize(*in.Body)
	tv := templateVersion{TemplateID: ids.New(), Version: 1, Title: strings.TrimSpace(*in.Title), Kind: *in.Kind,
		Body: body, Hash: Hash(body), CreatedAt: h.Now(), CreatedBy: p.UserID}
	tv.ID = versionID(tv.TemplateID, 1)
	var out Template
	e := core.Entry(actionTemplateWrite, templateResource(tv.TemplateID), "", "created; kind: "+tv.Kind+"; version: 1")
	err := h.Write(r, p, e, func() (err error) {
		out, err = h.templates.Create(r.Context(), p.ClinicID, tv)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handlers) reviseTemplate(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	cur, err := h.templates.Latest(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in templateInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	var v errs.Validator
	v.Check(in.Version != nil, "version", "is required: the version being edited")
	v.Check(in.Kind == nil, "kind", "a template's kind is fixed; create a new template for another kind")
	checkText(&v, in.Title, in.Body)
	if in.Title == nil && in.Body == nil && in.Active == nil {
		v.Check(false, "title", "name a field to change: title, body or active")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if *in.Version != cur.Version {
		return errTemplateStale
	}
	next := templateVersion{TemplateID: cur.ID, Version: cur.Version + 1, Title: cur.Title, Kind: cur.Kind, Body: cur.Body,
		CreatedAt: h.Now(), CreatedBy: p.UserID}
	var fields []string
	if in.Title != nil && strings.TrimSpace(*in.Title) != cur.Title {
		next.Title, fields = strings.TrimSpace(*in.Title), append(fields, "title")
	}
	if in.Body != nil && normalize(*in.Body) != cur.Body {
		next.Body, fields = normalize(*in.Body), append(fields, "body")
	}
	reworded := len(fields) > 0
	if in.Active != nil && *in.Active != cur.Active {
		fields = append(fields, "active")
	}
	if len(fields) == 0 {
		// Nothing differs: the edit is already the template.
		httpapi.WriteJSON(w, http.StatusOK, cur)
		return nil
	}
	out := cur
	detail := fmt.Sprintf("version: %d; fields: %s", cur.Version, strings.Join(fields, ","))
	err = h.Write(r, p, core.Entry(actionTemplateWrite, templateResource(cur.ID), "", detail), func() error {
		if reworded {
			next.ID, next.Hash = versionID(next.TemplateID, next.Version), Hash(next.Body)
			if err := h.templates.Revise(r.Context(), p.ClinicID, next); err != nil {
				return err
			}
			out = view(templateHead{ID: cur.ID, Kind: cur.Kind, Active: cur.Active}, next)
		}
		if in.Active != nil && *in.Active != cur.Active {
			if err := h.templates.SetActive(r.Context(), p.ClinicID, cur.ID, *in.Active, h.Now()); err != nil {
				return err
			}
			out.Active = *in.Active
		}
		return nil
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// sendInput is the body of a send.
type sendInput struct {
	TemplateID    string  `json:"templateId"`
	PlanID        *string `json:"planId"`
	AppointmentID *string `json:"appointmentId"`
}

func (h *handlers) send(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	// Another clinic's (or a missing) patient is 404 before the body is
	// judged.
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	var in sendInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	var v errs.Validator
	optionalID(&v, in.PlanID, "planId", "must be a treatment plan id")
	optionalID(&v, in.AppointmentID, "appointmentId", "must be an appointment id")
	var t Template
	if !ids.Valid(in.TemplateID) {
		v.Check(false, "templateId", "must be a consent template of this practice")
	} else if t, err = h.templates.Latest(r.Context(), p.ClinicID, in.TemplateID); errs.Is(err, errs.NotFound) {
		v.Check(false, "templateId", "must be a consent template of this practice")
	} else if err != nil {
		return err
	} else {
		v.Check(t.Active, "templateId", "the template is inactive; activate it to send it")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if pt.Archived {
		return errs.E(errs.Conflict, "the patient is archived: restore them before sending a form")
	}
	rec := consentRecord{ID: ids.New(), PatientID: pt.ID, PatientName: strings.TrimSpace(pt.FirstName + " " + pt.LastName),
		PatientDOB: pt.DateOfBirth, GuarantorID: pt.GuarantorID, TemplateID: t.ID, TemplateVersion: t.Version,
		Title: t.Title, Kind: t.Kind, Body: t.Body, BodyHash: t.Hash, Status: StatusPending, SentAt: h.Now(), SentBy: p.UserID,
		Version: 1}
	detail := fmt.Sprintf("template: %s; version: %d", t.ID, t.Version)
	if in.PlanID != nil {
		rec.PlanID = *in.PlanID
		detail += "; plan: " + rec.PlanID
	}
	if in.AppointmentID != nil {
		rec.AppointmentID = *in.AppointmentID
		detail += "; appointment: " + rec.AppointmentID
	}
	err = h.Write(r, p, core.Entry(actionSend, consentResource(rec.ID), pt.ID, detail), func() error {
		return h.consents.Insert(r.Context(), p.ClinicID, rec)
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, viewOf(rec))
	return nil
}

func optionalID(v *errs.Validator, id *string, field, message string) {
	if id != nil {
		v.Check(ids.Valid(*id), field, message)
	}
}

func (h *handlers) listPatient(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	page, err := store.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	res, err := h.consents.List(r.Context(), p.ClinicID, pt.ID, page)
	if err != nil {
		return err
	}
	out := store.Page[Consent]{Items: make([]Consent, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, rec := range res.Items {
		out.Items = append(out.Items, viewOf(rec))
	}
	if err := h.Read(r, p, core.Entry(actionList, "patients/"+pt.ID+"/consents", pt.ID, countDetail(res.Items))); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// countDetail is a list's audit detail: how many, and how many pending.
func countDetail(list []consentRecord) string {
	pending := 0
	for _, c := range list {
		if c.Status == StatusPending {
			pending++
		}
	}
	return fmt.Sprintf("consents: %d; pending: %d", len(list), pending)
}

// listMine is a portal caller's consents: their own, and those of the
// minors they are guarantor of, pending first.
func (h *handlers) listMine(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if !p.IsPatient() {
		return errs.E(errs.Forbidden, "the portal's list of forms is for patients")
	}
	recs, err := h.consents.Family(r.Context(), p.ClinicID, p.PatientID)
	if err != nil {
		return err
	}
	byPatient := map[string][]consentRecord{}
	var today time.Time
	minors := map[string]bool{}
	for _, rec := range recs {
		if rec.PatientID != p.PatientID {
			if _, seen := minors[rec.PatientID]; !seen {
				if today.IsZero() {
					if today, err = h.today(r, p.ClinicID); err != nil {
						return err
					}
				}
				ok, err := h.guardianOf(r, p, rec.PatientID, today)
				if err != nil {
					return err
				}
				minors[rec.PatientID] = ok
			}
			if !minors[rec.PatientID] {
				continue // no longer their minor: the family or the age moved on
			}
		}
		byPatient[rec.PatientID] = append(byPatient[rec.PatientID], rec)
	}
	out := []Consent{}
	// The trail says, per patient, whose consents were read and by whom.
	for _, pid := range slices.Sorted(maps.Keys(byPatient)) {
		list := byPatient[pid]
		detail := countDetail(list)
		if pid != p.PatientID {
			detail += "; read by guardian " + p.PatientID
		}
		if err := h.Read(r, p, core.Entry(actionList, "patients/"+pid+"/consents", pid, detail)); err != nil {
			return err
		}
		for _, rec := range list {
			c := viewOf(rec)
			c.PatientName = rec.PatientName
			out = append(out, c)
		}
	}
	if len(byPatient) == 0 {
		if err := h.Read(r, p, core.Entry(actionList, "patients/"+p.PatientID+"/consents", p.PatientID, "consents: 0; pending: 0")); err != nil {
			return err
		}
	}
	slices.SortStableFunc(out, func(a, b Consent) int {
		pa, pb := a.Status == StatusPending, b.Status == StatusPending
		if pa != pb {
			if pa {
				return -1
			}
			return 1
		}
		return cmp.Or(b.SentAt.Compare(a.SentAt), cmp.Compare(b.ID, a.ID))
	})
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// today is the date in clinicID's time zone.
func (h *handlers) today(r *http.Request, clinicID string) (time.Time, error) {
	c, err := h.Settings(r.Context(), clinicID)
	if err != nil {
		return time.Time{}, err
	}
	return h.Clock.Now().In(zone(c)), nil
}

func zone(c core.ClinicFacts) *time.Location {
	if c.TimeZone == nil {
		return time.UTC
	}
	return c.TimeZone
}

// minorOn reports whether someone born on dob (YYYY-MM-DD) is under 18 on
// day's date. One born on 29 February comes of age on 1 March in a year
// without one. An unreadable date of birth is no minor: no guardian signs
// on a guess.
func minorOn(dob string, day time.Time) bool {
	b, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return false
	}
	y, m, d := day.Date()
	adult := time.Date(b.Year()+18, b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Before(adult)
}

// guardianOf reports whether portal caller p is the guarantor of patient
// minorID, a minor on today.
func (h *handlers) guardianOf(r *http.Request, p authz.Principal, minorID string, today time.Time) (bool, error) {
	m, err := h.Patients(r.Context(), p.ClinicID, minorID)
	switch {
	case errs.Is(err, errs.NotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return m.GuarantorID != "" && m.GuarantorID == p.PatientID && !m.Archived && minorOn(m.DateOfBirth, today), nil
}

// consent is the path's consent, 404 unless caller p may see it: staff of
// its clinic (the store scoped it), its patient, or their guardian while
// the patient is a minor. guardian says the last.
func (h *handlers) consent(r *http.Request, p authz.Principal) (rec consentRecord, guardian bool, err error) {
	rec, err = h.consents.Get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil || core.Owns(p, rec.PatientID) {
		return rec, false, err
	}
	today, err := h.today(r, p.ClinicID)
	if err != nil {
		return rec, false, err
	}
	ok, err := h.guardianOf(r, p, rec.PatientID, today)
	if err != nil {
		return rec, false, err
	}
	if !ok {
		return consentRecord{}, false, errConsentNotFound
	}
	return rec, true, nil
}

// byWhom is an audit detail's note of a guardian reading or signing.
func byWhom(p authz.Principal, guardian bool, verb string) string {
	if guardian {
		return "; " + verb + " by guardian " + p.PatientID
	}
	return ""
}

func (h *handlers) get(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, guardian, err := h.consent(r, p)
	if err != nil {
		return err
	}
	detail := "status: " + rec.Status + byWhom(p, guardian, "read")
	if err := h.Read(r, p, core.Entry(actionRead, consentResource(rec.ID), rec.PatientID, detail)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, viewOf(rec))
	return nil
}

// signInput is the body of a signature.
type signInput struct {
	// Signature is the signer's full name, typed by the signer.
	Signature string `json:"signature"`
}

// maxUserAgent bounds the user agent kept with a signature.
const maxUserAgent = 512

func (h *handlers) sign(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if !p.IsPatient() {
		return errs.E(errs.Forbidden, "a consent is signed by the patient or their guardian in the portal")
	}
	rec, guardian, err := h.consent(r, p)
	if err != nil {
		return err
	}
	var in signInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	typed := strings.TrimSpace(in.Signature)
	if typed == "" || !utf8.ValidString(typed) || utf8.RuneCountInString(typed) > maxTitle {
		return errs.InvalidFields(errs.FieldError{Field: "signature", Message: "type your full name to sign"})
	}
	if rec.Status != StatusPending {
		return errAlreadySigned
	}
	signer, err := h.Patients(r.Context(), p.ClinicID, p.PatientID)
	if err != nil {
		return err
	}
	if !sameName(typed, signer.FirstName+" "+signer.LastName) {
		msg := "must be your full name as the practice has it"
		if guardian {
			msg = "must be your own full name as the practice has it: you sign as the patient's guardian"
		}
		return errs.InvalidFields(errs.FieldError{Field: "signature", Message: msg})
	}
	c, err := h.Settings(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = strings.ToValidUTF8(ua[:maxUserAgent], "")
	}
	now := h.Now()
	sig := Signature{Name: typed, SignedAt: now, IP: httpapi.ClientIP(r), UserAgent: ua,
		SignerPatientID: p.PatientID, SignerUserID: p.UserID, Zone: zone(c).String(),
		Local: now.In(zone(c)).Format(localLayout)}
	if guardian {
		sig.OnBehalfOf = &rec.PatientID
	}
	detail := fmt.Sprintf("template: %s; version: %d", rec.TemplateID, rec.TemplateVersion) + byWhom(p, guardian, "signed")
	var out consentRecord
	err = h.Write(r, p, core.Entry(actionSign, consentResource(rec.ID), rec.PatientID, detail), func() error {
		signed, won, err := h.consents.Sign(r.Context(), p.ClinicID, rec.ID, rec.Version, sig)
		if err != nil || won {
			out = signed
			return err
		}
		// Another signature came first (or is landing now): say which.
		cur, err := h.consents.Get(r.Context(), p.ClinicID, rec.ID)
		switch {
		case err != nil:
			return err
		case cur.Status == StatusSigned:
			return errAlreadySigned
		}
		return errConsentBusy
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, viewOf(out))
	return nil
}

// sameName reports whether a typed signature is the name on file, told
// apart by neither letter case, accents nor spacing.
func sameName(typed, name string) bool {
	fold := func(s string) string { return strings.Join(strings.Fields(patients.Fold(s)), " ") }
	return fold(typed) != "" && fold(typed) == fold(name)
}

func (h *handlers) pdf(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, guardian, err := h.consent(r, p)
	if err != nil {
		return err
	}
	if rec.Status != StatusSigned || rec.Signature == nil {
		return errs.E(errs.Conflict, "the consent is not signed yet: only a signed consent has a PDF")
	}
	doc, err := render(rec, true)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("bytes: %d", len(doc)) + byWhom(p, guardian, "downloaded")
	if err := h.Read(r, p, core.Entry(actionPDF, consentResource(rec.ID), rec.PatientID, detail)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fileName(rec)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(doc)
	return err
}
