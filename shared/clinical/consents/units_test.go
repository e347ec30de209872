package consents

import (
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

func TestMinorOn(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name, dob, on string
		minor         bool
	}{
		{"the day before the 18th birthday", "2008-06-10", "2026-06-09", true},
		{"the 18th birthday", "2008-06-10", "2026-06-10", false},
		{"a child", "2019-01-01", "2026-06-10", true},
		{"an adult", "1980-02-02", "2026-06-10", false},
		{"born on 29 February: still 17 on 28 February", "2008-02-29", "2026-02-28", true},
		{"born on 29 February: 18 on 1 March", "2008-02-29", "2026-03-01", false},
		{"no date of birth is no minor", "", "2026-06-10", false},
		{"a garbled date of birth is no minor", "10/06/2015", "2026-06-10", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := minorOn(c.dob, day(c.on)); got != c.minor {
				t.Fatalf("minorOn(%s, %s) = %v", c.dob, c.on, got)
			}
		})
	}
}

func TestSameName(t *testing.T) {
	cases := []struct {
		typed, name string
		same        bool
	}{
		{"Zoë O'Neill", "Zoë O'Neill", true},
		{"  zoe   o'neill ", "Zoë O'Neill", true},
		{"ZOË O'NEILL", "Zoe O'Neill", true},
		{"Zoë", "Zoë O'Neill", false},
		{"Zoë O Neill", "Zoë O'Neill", false},
		{"", " ", false},
	}
	for _, c := range cases {
		if got := sameName(c.typed, c.name); got != c.same {
			t.Errorf("sameName(%q, %q) = %v", c.typed, c.name, got)
		}
	}
}

func TestLatin1(t *testing.T) {
	tr := latin1(fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor(""))
	cases := []struct{ in, want string }{
		{"plain text.", "plain text."},
		{"Zoë Ståhl", "Zo\xeb St\xe5hl"},
		{"“quoted” – €5", "\x93quoted\x94 \x96 \x805"},
		{"Łukasz Dvořák", "Lukasz Dvor\xe1k"},
		{"tooth 😀 emoji", "tooth ? emoji"},
		{"tab\there\x07", "tab    here"},
		{"line one\nline two", "line one\nline two"},
	}
	for _, c := range cases {
		if got := tr(c.in); got != c.want {
			t.Errorf("latin1(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func signedRecord() consentRecord {
	minorID := "65f0c0ffee0000000000aa02"
	at := time.Date(2026, 3, 14, 2, 30, 0, 0, time.UTC)
	return consentRecord{ID: "65f0c0ffee0000000000aa01", PatientID: "65f0c0ffee0000000000aa02", PatientName: "Sam Avery",
		PatientDOB: "2015-03-04", TemplateID: "65f0c0ffee0000000000aa03", TemplateVersion: 3, Title: "Consent: Local Anaesthésia!",
		Kind: KindAnaesthesia, Body: "First paragraph.\n\nSecond (and last) paragraph.", BodyHash: Hash("First paragraph.\n\nSecond (and last) paragraph."),
		Status: StatusSigned, SentAt: at.Add(-time.Hour),
		Signature: &Signature{Name: "Gale Avery", SignedAt: at, IP: "203.0.113.9", UserAgent: "Firefox/130",
			SignerPatientID: "65f0c0ffee0000000000aa04", OnBehalfOf: &minorID, Zone: "America/New_York",
			Local: at.In(time.FixedZone("EST", -5*3600)).Format(localLayout)}}
}

// The PDF carries the exact text, its hash and the whole signature; the
// same record renders the same bytes.
func TestRender(t *testing.T) {
	rec := signedRecord()
	doc, err := render(rec, false)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, want := range []string{"%PDF-", "First paragraph.", `Second \(and last\) paragraph.`, rec.BodyHash, "Template version 3",
		"Gale Avery \\(parent or guardian\\), on behalf of Sam Avery", "2015-03-04", "2026-03-13 21:30:00 EST \\(America/New_York\\)",
		"2026-03-14T02:30:00Z", "203.0.113.9", "Firefox/130", "Consent: Local Anaesth\xe9sia!"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	again, err := render(rec, false)
	if err != nil || string(again) != text {
		t.Error("one record rendered two different PDFs")
	}
	small, err := render(rec, true)
	if err != nil || len(small) >= len(doc) || strings.Contains(string(small), "First paragraph.") {
		t.Errorf("the compressed PDF (%d bytes, uncompressed %d) is not compressed", len(small), len(doc))
	}
}

func TestFileName(t *testing.T) {
	rec := signedRecord()
	if got, want := fileName(rec), "consent-consent-local-anaesthesia-2026-03-13.pdf"; got != want {
		t.Fatalf("fileName = %q, want %q", got, want)
	}
	rec.Title = "«»"
	if got := fileName(rec); got != "consent-form-2026-03-13.pdf" {
		t.Fatalf("fileName of a title without letters = %q", got)
	}
}

func TestHash(t *testing.T) {
	// echo -n "abc" | sha256sum
	if got := Hash("abc"); got != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal(got)
	}
}
