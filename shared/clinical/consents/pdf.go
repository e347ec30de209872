package consents

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// localLayout is how a signing time is kept in the clinic's zone.
const localLayout = "2006-01-02 15:04:05 MST"

// render is the signed consent rec as a PDF, made from the record alone:
// the core fonts (no font is read or downloaded), Latin-1 text. compress
// is off only in tests that search the page's text.
func render(rec consentRecord, compress bool) ([]byte, error) {
	s := rec.Signature
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(compress)
	pdf.SetCatalogSort(true) // fonts in a fixed order, not a map's
	// The document's dates are the signature's, so one record always
	// renders the same bytes.
	pdf.SetCreationDate(s.SignedAt)
	pdf.SetModificationDate(s.SignedAt)
	tr := latin1(pdf.UnicodeTranslatorFromDescriptor(""))
	pdf.SetTitle(tr(rec.Title), false)
	pdf.SetSubject(tr("Signed consent "+rec.ID), false)
	pdf.SetCreator("TopSmile", false)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("%s - consent %s - page %d of {nb}", rec.Title, rec.ID, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr(rec.Title), "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	pdf.SetTextColor(70, 70, 70)
	pdf.MultiCell(0, 5, tr(fmt.Sprintf("Template version %d - sent %s", rec.TemplateVersion, rec.SentAt.UTC().Format(time.DateOnly))), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(4)

	pdf.SetFont("Times", "", 11)
	pdf.MultiCell(0, 5.5, tr(rec.Body), "", "L", false)
	pdf.Ln(6)

	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 7, "Signature record", "B", 1, "L", false, 0, "")
	pdf.Ln(2)
	signedBy := s.Name
	if s.OnBehalfOf != nil {
		signedBy += " (parent or guardian), on behalf of " + rec.PatientName
	}
	rows := [][2]string{
		{"Patient", rec.PatientName},
		{"Date of birth", rec.PatientDOB},
		{"Signed by", signedBy},
		{"Signed at", s.Local + " (" + s.Zone + ")"},
		{"Signed at (UTC)", s.SignedAt.UTC().Format(time.RFC3339)},
		{"IP address", s.IP},
		{"User agent", s.UserAgent},
		{"Text hash", rec.BodyHash},
		{"Consent", rec.ID},
		{"Template", fmt.Sprintf("%s, version %d", rec.TemplateID, rec.TemplateVersion)},
	}
	for _, row := range rows {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(34, 5, row[0], "", 0, "L", false, 0, "")
		if row[0] == "Text hash" {
			pdf.SetFont("Courier", "", 8)
		} else {
			pdf.SetFont("Helvetica", "", 9)
		}
		pdf.MultiCell(0, 5, tr(row[1]), "", "L", false)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "I", 8)
	pdf.SetTextColor(70, 70, 70)
	pdf.MultiCell(0, 4, "The text hash is the SHA-256 of the consent text above as it was signed; the practice's record "+
		"holds the same text and hash. The signature was typed by the signer in the patient portal.", "", "L", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("consents: render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// lookalikes are letters with no accent to drop that cp1252 lacks.
var lookalikes = map[rune]string{'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d", 'Ħ': "H", 'ħ': "h", 'ı': "i",
	'\u2212': "-", '\u2010': "-", '\u2011': "-", '\u00a0': " ", '\u2009': " ", '\u202f': " "}

// latin1 wraps tr, the core fonts' cp1252 translator, so that a character
// it cannot encode (which it would print as ".") becomes its unaccented
// letter when there is one, else "?"; tabs become spaces and other control
// characters are dropped.
func latin1(tr func(string) string) func(string) string {
	encodable := func(r rune) bool { return r < 0x80 || tr(string(r)) != "." }
	return func(s string) string {
		var b strings.Builder
		for _, r := range s {
			switch {
			case r == '\n':
				b.WriteRune(r)
			case r == '\t':
				b.WriteString("    ")
			case unicode.IsControl(r):
			case encodable(r):
				b.WriteRune(r)
			case lookalikes[r] != "":
				b.WriteString(lookalikes[r])
			default:
				b.WriteString(base(r, encodable))
			}
		}
		return tr(b.String())
	}
}

// base is r without its accents when what is left can be encoded, else "?".
func base(r rune, encodable func(rune) bool) string {
	var out []rune
	for _, c := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, c) {
			continue
		}
		if !encodable(c) {
			return "?"
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// fileName is the download's name: consent-<title>-<signing date>.pdf,
// the title reduced to lower-case ASCII words joined by dashes.
func fileName(rec consentRecord) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(rec.Title)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case unicode.Is(unicode.Mn, r):
		default:
			dash = true
		}
	}
	slug := b.String()
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	if slug == "" {
		slug = "form"
	}
	date := rec.Signature.SignedAt.UTC().Format(time.DateOnly)
	if len(rec.Signature.Local) >= 10 {
		date = rec.Signature.Local[:10]
	}
	return "consent-" + slug + "-" + date + ".pdf"
}
