package consents_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/clinical/consents"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Templates are written by admins, read by staff, and versioned: an edit
// of the text is a new version, a stale edit is refused, and a consent
// sent before the edit keeps the text (and hash) it was sent with.
func TestTemplateVersions(t *testing.T) {
	e := clinicaltest.New(t)
	admin := e.Staff(t, "admin")
	v1 := mustTemplate(t, e, "Whitening consent", "treatment", "Bleaching can make teeth sensitive for a few days.")
	if v1.Version != 1 || !v1.Active || v1.Hash != sha(v1.Body) {
		t.Fatalf("new template: %+v", v1)
	}
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Jordan", LastName: "Avery"})
	before := mustSend(t, e, "receptionist", p, v1.ID)

	const v2Body = "Bleaching can make teeth sensitive for up to two weeks."
	apitest.Case{Method: "PATCH", Path: "/api/consent-templates/" + v1.ID, Body: map[string]any{"body": v2Body, "version": 1}, Status: 200,
		Want: map[string]any{"id": v1.ID, "version": 2, "title": "Whitening consent", "body": v2Body, "hash": sha(v2Body), "active": true}}.Send(t, admin)
	after := mustSend(t, e, "dentist", p, v1.ID)

	t.Run("the consent sent before keeps the old text and hash", func(t *testing.T) {
		var got consents.Consent
		e.Staff(t, "dentist").MustJSON(t, "GET", "/api/consents/"+before.ID, nil, 200, &got)
		if got.TemplateVersion != 1 || got.Body != v1.Body || got.BodyHash != sha(v1.Body) {
			t.Fatalf("old consent: version %d, body %q, hash %s", got.TemplateVersion, got.Body, got.BodyHash)
		}
		if after.TemplateVersion != 2 || after.Body != v2Body || after.BodyHash != sha(v2Body) {
			t.Fatalf("new consent: %+v", after)
		}
	})

	apitest.Case{Method: "PATCH", Path: "/api/consent-templates/" + v1.ID, Body: map[string]any{"title": "Old edit", "version": 1}, Status: 409}.Send(t, admin)
	apitest.Case{Method: "PATCH", Path: "/api/consent-templates/" + v1.ID, Body: map[string]any{"active": false, "version": 2}, Status: 200,
		Want: map[string]any{"version": 2, "active": false, "body": v2Body}}.Send(t, admin)

	t.Run("lists: active by default, all with all=true", func(t *testing.T) {
		other := mustTemplate(t, e, "Another form", "other", "Text.")
		ids := func(path string) []string {
			var got struct{ Items []template }
			e.Staff(t, "assistant").MustJSON(t, "GET", path, nil, 200, &got)
			var out []string
			for _, it := range got.Items {
				out = append(out, fmt.Sprintf("%s@%d", it.ID, it.Version))
			}
			return out
		}
		if got := ids("/api/consent-templates"); !slices.Equal(got, []string{other.ID + "@1"}) {
			t.Fatalf("active list: %v", got)
		}
		if got := ids("/api/consent-templates?all=true"); !slices.Equal(got, []string{other.ID + "@1", v1.ID + "@2"}) {
			t.Fatalf("all: %v", got)
		}
	})

	apitest.Case{Method: "POST", Path: "/api/patients/" + p.ID + "/consents", Body: map[string]any{"templateId": v1.ID}, Status: 400,
		Want: apitest.Error("invalid", "templateId")}.Send(t, e.Staff(t, "receptionist"))

	long := strings.Repeat("a", 20001)
	e.Run(t, []apitest.Case{
		{Name: "a dentist may not write templates", As: "dentist", Method: "POST", Path: "/api/consent-templates",
			Body: map[string]any{"title": "T", "kind": "other", "body": "B"}, Status: 403},
		{Name: "a receptionist may not edit one", As: "receptionist", Method: "PATCH", Path: "/api/consent-templates/" + v1.ID,
			Body: map[string]any{"title": "T", "version": 2}, Status: 403},
		{Name: "bad fields are named", As: "admin", Method: "POST", Path: "/api/consent-templates",
			Body: map[string]any{"title": " ", "kind": "surgery", "body": long}, Status: 400, Want: apitest.Error("invalid", "kind", "title", "body")},
		{Name: "unknown fields are refused", As: "admin", Method: "POST", Path: "/api/consent-templates",
			Body: map[string]any{"title": "T", "kind": "other", "body": "B", "extra": 1}, Status: 400},
		{Name: "an edit names its version", As: "admin", Method: "PATCH", Path: "/api/consent-templates/" + v1.ID,
			Body: map[string]any{"title": "T"}, Status: 400, Want: apitest.Error("invalid", "version")},
		{Name: "signed out", Method: "GET", Path: "/api/consent-templates", Status: 401},
	})
	apitest.Case{Method: "GET", Path: "/api/consent-templates", Status: 403}.Send(t, e.PortalOf(t, p))
	t.Run("another clinic's admin cannot see or edit it", func(t *testing.T) {
		otherAdmin := e.SignIn(t, e.Other.ID, identity.RoleAdmin, "")
		apitest.Case{Method: "PATCH", Path: "/api/consent-templates/" + v1.ID, Body: map[string]any{"title": "Mine", "version": 2}, Status: 404}.Send(t, otherAdmin)
		var got struct{ Items []template }
		otherAdmin.MustJSON(t, "GET", "/api/consent-templates?all=true", nil, 200, &got)
		if len(got.Items) != 0 {
			t.Fatalf("other clinic lists %d templates", len(got.Items))
		}
	})
	t.Run("racing edits of one version: one new version", func(t *testing.T) {
		cur := mustTemplate(t, e, "Race form", "other", "v1")
		const n = 6
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				codes[i] = admin.Do(t, "PATCH", "/api/consent-templates/"+cur.ID, map[string]any{"body": fmt.Sprintf("edit %d", i), "version": 1}).Status
			})
		}
		wg.Wait()
		if slices.Sort(codes); codes[0] != 200 || codes[1] != 409 || codes[n-1] != 409 {
			t.Fatalf("codes %v, want one 200 and the rest 409", codes)
		}
	})
	if recs := e.AuditRecords(t, e.Clinic.ID, audit.Filter{Action: "consent_template.write"}); len(recs) < 3 {
		t.Fatalf("template writes audited: %d", len(recs))
	}
}

// Staff send, the patient signs once with their own name, and the signed
// consent is immutable; every step is audited.
func TestSendAndSign(t *testing.T) {
	e := clinicaltest.New(t)
	tmpl := mustTemplate(t, e, "Consent to extraction", "treatment", "Removing tooth 32 may leave the area sore for a few days.")
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Zoë", LastName: "O'Neill"})
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Pat", LastName: "Other"})
	portal, stranger := e.PortalOf(t, p), e.PortalOf(t, other)
	planID, apptID := "65f0c0ffee0000000000aa01", "65f0c0ffee0000000000bb02"

	var c consents.Consent
	e.Staff(t, "receptionist").MustJSON(t, "POST", "/api/patients/"+p.ID+"/consents",
		map[string]any{"templateId": tmpl.ID, "planId": planID, "appointmentId": apptID}, 201, &c)
	if c.Status != "pending" || c.Signature != nil || c.PatientID != p.ID || *c.PlanID != planID || *c.AppointmentID != apptID ||
		c.BodyHash != sha(c.Body) || c.Title != tmpl.Title || c.Kind != "treatment" {
		t.Fatalf("sent: %+v", c)
	}

	e.Run(t, []apitest.Case{
		{Name: "an unknown template", As: "assistant", Method: "POST", Path: "/api/patients/" + p.ID + "/consents",
			Body: map[string]any{"templateId": "65f0c0ffee0000000000cc03"}, Status: 400, Want: apitest.Error("invalid", "templateId")},
		{Name: "bad ids are named", As: "assistant", Method: "POST", Path: "/api/patients/" + p.ID + "/consents",
			Body: map[string]any{"templateId": "x", "planId": "y", "appointmentId": "z"}, Status: 400, Want: apitest.Error("invalid", "planId", "appointmentId", "templateId")},
		{Name: "the assistant reads it", As: "assistant", Method: "GET", Path: "/api/consents/" + c.ID, Status: 200, Want: map[string]any{"id": c.ID, "status": "pending"}},
		{Name: "the assistant lists them", As: "assistant", Method: "GET", Path: "/api/patients/" + p.ID + "/consents", Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"id": c.ID, "status": "pending"}}}},
		{Name: "staff do not sign", As: "dentist", Method: "POST", Path: "/api/consents/" + c.ID + "/sign", Body: map[string]any{"signature": "Zoë O'Neill"}, Status: 403},
		{Name: "the portal list is for patients", As: "dentist", Method: "GET", Path: "/api/consents", Status: 403},
		{Name: "a garbage id", As: "dentist", Method: "GET", Path: "/api/consents/nope", Status: 404},
	})
	// A patient cannot send, not even to themself.
	apitest.Case{Method: "POST", Path: "/api/patients/" + p.ID + "/consents", Body: map[string]any{"templateId": tmpl.ID}, Status: 403}.Send(t, portal)

	t.Run("another patient and another clinic see nothing", func(t *testing.T) {
		for _, path := range []string{"/api/consents/" + c.ID, "/api/consents/" + c.ID + "/pdf", "/api/patients/" + p.ID + "/consents"} {
			apitest.Case{Method: "GET", Path: path, Status: 404}.Send(t, stranger)
		}
		apitest.Case{Method: "POST", Path: "/api/consents/" + c.ID + "/sign", Body: map[string]any{"signature": "Pat Other"}, Status: 404}.Send(t, stranger)
		otherStaff := e.SignIn(t, e.Other.ID, identity.RoleDentist, "")
		apitest.Case{Method: "GET", Path: "/api/consents/" + c.ID, Status: 404}.Send(t, otherStaff)
		apitest.Case{Method: "GET", Path: "/api/patients/" + p.ID + "/consents", Status: 404}.Send(t, otherStaff)
		apitest.Case{Method: "POST", Path: "/api/patients/" + p.ID + "/consents", Body: map[string]any{"templateId": tmpl.ID}, Status: 404}.Send(t, otherStaff)
		var mine struct{ Items []consents.Consent }
		stranger.MustJSON(t, "GET", "/api/consents", nil, 200, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("a stranger's list has %d consents", len(mine.Items))
		}
	})

	apitest.Case{Method: "GET", Path: "/api/consents/" + c.ID + "/pdf", Status: 409}.Send(t, portal)
	for _, bad := range []string{"", "   ", "Zoe Neill", "Pat Other"} {
		apitest.Case{Method: "POST", Path: "/api/consents/" + c.ID + "/sign", Body: map[string]any{"signature": bad}, Status: 400,
			Want: apitest.Error("invalid", "signature")}.Send(t, portal)
	}

	e.Clock.Advance(time.Minute)
	res := portal.Do(t, "POST", "/api/consents/"+c.ID+"/sign", map[string]any{"signature": "  zoe   o'NEILL "}, "User-Agent", "Firefox/130 (test)")
	if res.Status != 200 {
		t.Fatalf("sign: %d %s", res.Status, res.Body)
	}
	var signed consents.Consent
	res.Decode(t, &signed)
	s := signed.Signature
	if signed.Status != "signed" || s == nil || s.Name != "zoe   o'NEILL" || s.IP != portal.IP || s.UserAgent != "Firefox/130 (test)" ||
		s.SignerPatientID != p.ID || s.OnBehalfOf != nil || !s.SignedAt.Equal(e.Clock.Now().UTC().Truncate(time.Millisecond)) {
		t.Fatalf("signed: %+v %+v", signed, s)
	}
	if signed.BodyHash != sha(signed.Body) || signed.Body != tmpl.Body {
		t.Fatalf("hash %s of %q", signed.BodyHash, signed.Body)
	}

	t.Run("signed is final", func(t *testing.T) {
		apitest.Case{Method: "POST", Path: "/api/consents/" + c.ID + "/sign", Body: map[string]any{"signature": "Zoë O'Neill"}, Status: 409}.Send(t, portal)
		var got consents.Consent
		e.Staff(t, "dentist").MustJSON(t, "GET", "/api/consents/"+c.ID, nil, 200, &got)
		if got.Signature == nil || got.Signature.Name != s.Name || !got.Signature.SignedAt.Equal(s.SignedAt) {
			t.Fatalf("after a second signing: %+v", got.Signature)
		}
	})

	t.Run("lists: staff see it signed, the portal pending first", func(t *testing.T) {
		pending := mustSend(t, e, "hygienist", p, tmpl.ID)
		var staffList struct{ Items []consents.Consent }
		e.Staff(t, "receptionist").MustJSON(t, "GET", "/api/patients/"+p.ID+"/consents", nil, 200, &staffList)
		if len(staffList.Items) != 2 || staffList.Items[0].ID != pending.ID || staffList.Items[1].Status != "signed" {
			t.Fatalf("staff list (newest first): %+v", staffList.Items)
		}
		e.Clock.Advance(time.Minute)
		newer := mustSend(t, e, "hygienist", p, tmpl.ID)
		if sign(t, portal, newer.ID, "Zoë O'Neill").Status != 200 {
			t.Fatal("sign the newer one")
		}
		var mine struct{ Items []consents.Consent }
		portal.MustJSON(t, "GET", "/api/consents", nil, 200, &mine)
		got := []string{}
		for _, it := range mine.Items {
			got = append(got, it.ID+":"+it.Status+":"+it.PatientName)
		}
		want := []string{pending.ID + ":pending:Zoë O'Neill", newer.ID + ":signed:Zoë O'Neill", c.ID + ":signed:Zoë O'Neill"}
		if !slices.Equal(got, want) {
			t.Fatalf("portal list:\n got %v\nwant %v", got, want)
		}
	})

	actions := e.Actions(t, e.Clinic.ID, p.ID)
	for _, a := range []string{"consent.send", "consent.read", "consent.list", "consent.sign"} {
		if !slices.Contains(actions, a) {
			t.Errorf("no %s in the trail: %v", a, actions)
		}
	}
	for _, r := range e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: p.ID}) {
		if strings.Contains(r.Detail, "sore") || strings.Contains(r.Detail, "Zo") {
			t.Errorf("audit detail carries text: %q", r.Detail)
		}
	}
}

// Of racing signatures of one consent exactly one is answered 200, round
// after round.
func TestRacingSignatures(t *testing.T) {
	e := clinicaltest.New(t)
	tmpl := mustTemplate(t, e, "Race", "other", "Sign me once.")
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Rae", LastName: "Cing"})
	portal := e.PortalOf(t, p)
	for round := range 4 {
		c := mustSend(t, e, "dentist", p, tmpl.ID)
		const n = 8
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { codes[i] = sign(t, portal, c.ID, "Rae Cing").Status })
		}
		wg.Wait()
		slices.Sort(codes)
		if codes[0] != 200 || codes[1] != 409 || codes[n-1] != 409 {
			t.Fatalf("round %d: codes %v, want one 200 and the rest 409", round, codes)
		}
		var got consents.Consent
		portal.MustJSON(t, "GET", "/api/consents/"+c.ID, nil, 200, &got)
		if got.Status != "signed" {
			t.Fatalf("round %d: %s", round, got.Status)
		}
	}
}

// A guardian signs for a minor of whom they are guarantor, with their own
// name; not for an adult in the family, and nobody else may.
func TestGuardian(t *testing.T) {
	e := clinicaltest.New(t)
	// 02:00 UTC on 10 June is still 9 June in New York (the clinic's zone).
	e.Clock.Set(time.Date(2026, 6, 10, 2, 0, 0, 0, time.UTC))
	tmpl := mustTemplate(t, e, "Consent for a minor", "minor_guardian", "I am the parent or guardian of the patient named below.")
	g := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Gale", LastName: "Avery", DateOfBirth: "1980-02-02"})
	minor := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Sam", LastName: "Avery", DateOfBirth: "2015-03-04", GuarantorID: g.ID})
	// Turns 18 on 10 June 2026: a minor until the clinic's midnight.
	turning := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Tess", LastName: "Avery", DateOfBirth: "2008-06-10", GuarantorID: g.ID})
	adult := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Alex", LastName: "Avery", DateOfBirth: "2000-01-01", GuarantorID: g.ID})
	strangerP := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Stan", LastName: "Ger"})
	guardian, stranger := e.PortalOf(t, g), e.PortalOf(t, strangerP)

	forMinor := mustSend(t, e, "receptionist", minor, tmpl.ID)
	forAdult := mustSend(t, e, "receptionist", adult, tmpl.ID)
	forTurning := mustSend(t, e, "receptionist", turning, tmpl.ID)
	forTurning2 := mustSend(t, e, "receptionist", turning, tmpl.ID)
	own := mustSend(t, e, "receptionist", g, tmpl.ID)

	t.Run("the guardian's list: theirs and their minors', named", func(t *testing.T) {
		var mine struct{ Items []consents.Consent }
		guardian.MustJSON(t, "GET", "/api/consents", nil, 200, &mine)
		got := map[string]string{}
		for _, c := range mine.Items {
			got[c.ID] = c.PatientName
		}
		want := map[string]string{forMinor.ID: "Sam Avery", forTurning.ID: "Tess Avery", forTurning2.ID: "Tess Avery", own.ID: "Gale Avery"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("list %v, want %v", got, want)
		}
	})

	t.Run("an adult family member's consent is not the guarantor's", func(t *testing.T) {
		apitest.Case{Method: "GET", Path: "/api/consents/" + forAdult.ID, Status: 404}.Send(t, guardian)
		apitest.Case{Method: "POST", Path: "/api/consents/" + forAdult.ID + "/sign", Body: map[string]any{"signature": "Gale Avery"}, Status: 404}.Send(t, guardian)
		apitest.Case{Method: "GET", Path: "/api/patients/" + minor.ID + "/consents", Status: 404}.Send(t, guardian)
	})
	t.Run("a stranger and another clinic's patient are 404", func(t *testing.T) {
		apitest.Case{Method: "GET", Path: "/api/consents/" + forMinor.ID, Status: 404}.Send(t, stranger)
		apitest.Case{Method: "POST", Path: "/api/consents/" + forMinor.ID + "/sign", Body: map[string]any{"signature": "Stan Ger"}, Status: 404}.Send(t, stranger)
		elsewhere := e.MustPatient(t, e.Other.ID, patients.Patient{FirstName: "Gale", LastName: "Avery"})
		cl := e.SignIn(t, e.Other.ID, identity.RolePatient, elsewhere.ID)
		apitest.Case{Method: "GET", Path: "/api/consents/" + forMinor.ID, Status: 404}.Send(t, cl)
		apitest.Case{Method: "POST", Path: "/api/consents/" + forMinor.ID + "/sign", Body: map[string]any{"signature": "Gale Avery"}, Status: 404}.Send(t, cl)
	})

	t.Run("the guardian signs with their own name", func(t *testing.T) {
		apitest.Case{Method: "GET", Path: "/api/consents/" + forMinor.ID, Status: 200}.Send(t, guardian)
		apitest.Case{Method: "POST", Path: "/api/consents/" + forMinor.ID + "/sign", Body: map[string]any{"signature": "Sam Avery"}, Status: 400,
			Want: apitest.Error("invalid", "signature")}.Send(t, guardian)
		apitest.Case{Method: "POST", Path: "/api/consents/" + forMinor.ID + "/sign", Body: map[string]any{"signature": "Gale Avery"}, Status: 200,
			Want: map[string]any{"status": "signed", "patientId": minor.ID,
				"signature": map[string]any{"name": "Gale Avery", "signerPatientId": g.ID, "onBehalfOf": minor.ID}}}.Send(t, guardian)
		var found bool
		for _, r := range e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: minor.ID, Action: "consent.sign"}) {
			found = found || strings.Contains(r.Detail, "signed by guardian "+g.ID)
		}
		if !found {
			t.Fatal("the trail does not say the guardian signed")
		}
		apitest.Case{Method: "GET", Path: "/api/consents/" + forMinor.ID + "/pdf", Status: 200}.Send(t, guardian)
	})

	t.Run("under 18 is judged on the clinic's date", func(t *testing.T) {
		// Still 9 June in New York: Tess is 17.
		apitest.Case{Method: "POST", Path: "/api/consents/" + forTurning.ID + "/sign", Body: map[string]any{"signature": "Gale Avery"}, Status: 200}.Send(t, guardian)
		e.Clock.Set(time.Date(2026, 6, 10, 4, 30, 0, 0, time.UTC)) // 00:30 on 10 June there: 18
		guardian.Relogin(t)                                        // the session did not last the hours skipped
		apitest.Case{Method: "POST", Path: "/api/consents/" + forTurning2.ID + "/sign", Body: map[string]any{"signature": "Gale Avery"}, Status: 404}.Send(t, guardian)
		apitest.Case{Method: "GET", Path: "/api/consents/" + forTurning.ID, Status: 404}.Send(t, guardian)
	})
}

// A signed consent downloads as a PDF of its exact text, hash and
// signature; a pending one has none.
func TestPDF(t *testing.T) {
	e := clinicaltest.New(t)
	tmpl := mustTemplate(t, e, "Privacy notice", "privacy", "Version one wording.")
	apitest.Case{Method: "PATCH", Path: "/api/consent-templates/" + tmpl.ID, Body: map[string]any{"body": "Version two wording (Ståhl).", "version": 1}, Status: 200}.Send(t, e.Staff(t, "admin"))
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Jordan", LastName: "Avery", DateOfBirth: "1990-07-08"})
	portal := e.PortalOf(t, p)
	c := mustSend(t, e, "receptionist", p, tmpl.ID)
	apitest.Case{Method: "GET", Path: "/api/consents/" + c.ID + "/pdf", Status: 409}.Send(t, e.Staff(t, "dentist"))
	if r := portal.Do(t, "POST", "/api/consents/"+c.ID+"/sign", map[string]any{"signature": "Jordan Avery"}, "User-Agent", "Safari/17"); r.Status != 200 {
		t.Fatalf("sign: %d %s", r.Status, r.Body)
	}
	for _, cl := range []*apitest.Client{portal, e.Staff(t, "assistant")} {
		r := cl.Do(t, "GET", "/api/consents/"+c.ID+"/pdf", nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
			t.Fatalf("pdf: %d %s %.20q", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		date := e.Clock.Now().In(mustZone(t, "America/New_York")).Format(time.DateOnly)
		if got, want := r.Header.Get("Content-Disposition"), `attachment; filename="consent-privacy-notice-`+date+`.pdf"`; got != want {
			t.Fatalf("disposition %q, want %q", got, want)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Fatalf("cache-control %q", cc)
		}
		text := pdfText(t, r.Body)
		for _, want := range []string{"Version two wording (Ståhl)", "Template version 2", sha("Version two wording (Ståhl)."), "Jordan Avery",
			"1990-07-08", "Safari/17", portal.IP, "America/New_York"} {
			if !strings.Contains(text, pdfString(want)) {
				t.Errorf("the pdf does not show %q", want)
			}
		}
		if strings.Contains(text, "Version one wording") {
			t.Error("the pdf shows the old version")
		}
	}
	if actions := e.Actions(t, e.Clinic.ID, p.ID); !slices.Contains(actions, "consent.pdf") {
		t.Fatalf("no consent.pdf in %v", actions)
	}
	other := e.PortalOf(t, e.MustPatient(t, e.Clinic.ID, patients.Patient{}))
	apitest.Case{Method: "GET", Path: "/api/consents/" + c.ID + "/pdf", Status: 404}.Send(t, other)
}

// pdfString is s as a PDF text string of the core fonts shows it: Latin-1,
// parentheses and backslashes escaped.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x100:
			b.WriteByte(byte(r))
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
