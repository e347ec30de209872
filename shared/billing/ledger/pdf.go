package ledger

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
)

// document is what an invoice or a statement prints: money, dates, codes
// and descriptions of the fee schedule, never a clinical note.
type document struct {
	Title    string
	Clinic   string
	Currency string
	Patient  string
	// BillTo is the guarantor a family member's paper goes to ("" for a
	// patient who is their own).
	BillTo string
	Facts  [][2]string
	Rows   [][3]string // date, description, amount
	Aging  *Aging
	Totals [][2]string
	At     time.Time
}

// money is cents as "USD 1,234.56".
func money(currency string, cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s %s%s.%02d", currency, sign, whole, cents%100)
}

// render is d as a PDF in the core fonts (nothing is read or downloaded);
// text the fonts' code page cannot hold prints as "?".
func render(d document) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(d.At)
	pdf.SetModificationDate(d.At)
	cp := pdf.UnicodeTranslatorFromDescriptor("")
	tr := func(s string) string {
		return cp(strings.Map(func(r rune) rune {
			if r >= 0x80 && cp(string(r)) == "." || unicode.IsControl(r) {
				return '?'
			}
			return r
		}, s))
	}
	pdf.SetTitle(tr(d.Title), false)
	pdf.SetCreator("TopSmile", false)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("%s - %s - page %d of {nb}", d.Clinic, d.Title, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr(d.Clinic), "", "L", false)
	pdf.SetFont("Helvetica", "B", 13)
	pdf.MultiCell(0, 7, tr(d.Title), "", "L", false)
	pdf.Ln(2)

	pair := func(k, v string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(40, 6, tr(k), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(v), "", "L", false)
	}
	pair("Patient", d.Patient)
	if d.BillTo != "" {
		pair("Bill to", d.BillTo+" (guarantor)")
	}
	for _, f := range d.Facts {
		pair(f[0], f[1])
	}
	pdf.Ln(4)

	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(30, 7, "Date", "B", 0, "L", false, 0, "")
	pdf.CellFormat(100, 7, "Description", "B", 0, "L", false, 0, "")
	pdf.CellFormat(0, 7, "Amount", "B", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	for _, row := range d.Rows {
		pdf.CellFormat(30, 6, tr(row[0]), "", 0, "L", false, 0, "")
		pdf.CellFormat(100, 6, tr(row[1]), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 6, tr(row[2]), "", 1, "R", false, 0, "")
	}
	pdf.Ln(4)

	if d.Aging != nil {
		pdf.SetFont("Helvetica", "B", 10)
		labels := []string{"0-30 days", "31-60 days", "61-90 days", "Over 90 days"}
		for _, l := range labels {
			pdf.CellFormat(42, 7, l, "B", 0, "R", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 10)
		for _, c := range []int64{d.Aging.Current, d.Aging.Days31, d.Aging.Days61, d.Aging.Days90} {
			pdf.CellFormat(42, 7, tr(money(d.Currency, c)), "", 0, "R", false, 0, "")
		}
		pdf.Ln(10)
	}
	for _, t := range d.Totals {
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(130, 7, tr(t[0]), "", 0, "R", false, 0, "")
		pdf.CellFormat(0, 7, tr(t[1]), "", 1, "R", false, 0, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("ledger: render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// writePDF answers a rendered document for download.
func writePDF(w http.ResponseWriter, name string, body []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// billTo is the name of pt's guarantor, "" for a patient who is their own
// (or whose guarantor is no longer on file).
func (h *handlers) billTo(r *http.Request, clinicID string, pt core.PatientFacts) (string, error) {
	if pt.GuarantorID == "" {
		return "", nil
	}
	g, err := h.Patients(r.Context(), clinicID, pt.GuarantorID)
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	return g.Name(), err
}

// describe is a charge or an entry's line as printed.
func describe(code, tooth, description string) string {
	s := description
	if code != "" {
		s = code + " " + s
	}
	if tooth != "" {
		s += " (tooth " + tooth + ")"
	}
	return s
}

func (h *handlers) invoicePDF(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.loadInvoice(r, p)
	if err != nil {
		return err
	}
	pt, err := h.Patients(r.Context(), p.ClinicID, rec.PatientID)
	if err != nil {
		return err
	}
	f, err := h.b.settings(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	bill, err := h.billTo(r, p.ClinicID, pt)
	if err != nil {
		return err
	}
	number := invoiceNumber(rec.Seq)
	d := document{Title: "Invoice " + number, Clinic: f.Name, Currency: f.Currency, Patient: pt.Name(), BillTo: bill, At: rec.CreatedAt,
		Facts: [][2]string{{"Invoice", number}, {"Issued", localDate(rec.CreatedAt, f.TimeZone)}, {"Due", rec.DueDate}, {"Status", rec.Status}}}
	for _, l := range rec.Lines {
		d.Rows = append(d.Rows, [3]string{localDate(l.At, f.TimeZone), describe(l.Code, l.Tooth, l.Description), money(f.Currency, l.AmountCents)})
	}
	d.Totals = [][2]string{{"Total", money(f.Currency, rec.AmountCents)}, {"Paid", money(f.Currency, rec.PaidCents)},
		{"Balance due", money(f.Currency, rec.balance())}}
	body, err := render(d)
	if err != nil {
		return err
	}
	if err := h.Read(r, p, core.Entry(actionInvoiceRead, invoiceResource(rec.ID)+"/pdf", rec.PatientID, "pdf; status: "+rec.Status)); err != nil {
		return err
	}
	writePDF(w, strings.ToLower(number)+".pdf", body)
	return nil
}

func (h *handlers) statement(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, a, f, err := h.account(r, p)
	if err != nil {
		return err
	}
	bill, err := h.billTo(r, p.ClinicID, pt)
	if err != nil {
		return err
	}
	now := h.Now()
	d := document{Title: "Statement of account", Clinic: f.Name, Currency: f.Currency, Patient: pt.Name(), BillTo: bill, At: now,
		Facts: [][2]string{{"Statement date", localDate(now, f.TimeZone)}}, Aging: &a.Aging}
	for _, e := range a.Items {
		desc := describe(e.Code, e.Tooth, e.Description)
		if e.Reference != "" {
			desc += " - ref " + e.Reference
		}
		d.Rows = append(d.Rows, [3]string{localDate(e.At, f.TimeZone), desc, money(f.Currency, e.EffectCents)})
	}
	due := max(a.Balance, 0)
	d.Totals = [][2]string{{"Balance due", money(f.Currency, due)}}
	if a.Credit > 0 {
		d.Totals = append(d.Totals, [2]string{"Credit on account", money(f.Currency, a.Credit)})
	}
	body, err := render(d)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("entries: %d; balance: %d", len(a.Items), a.Balance)
	if err := h.Read(r, p, core.Entry(actionStatementRead, "patients/"+pt.ID+"/statement", pt.ID, detail)); err != nil {
		return err
	}
	writePDF(w, "statement-"+localDate(now, f.TimeZone)+".pdf", body)
	return nil
}
