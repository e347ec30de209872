package identity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

func TestSlugify(t *testing.T) {
	for name, want := range map[string]string{
		"Riverside Family Dental":          "riverside-family-dental",
		"  Clínica São João — Odontologia": "clinica-sao-joao-odontologia",
		"Dr. O'Brien & Partners":           "dr-o-brien-partners",
		"AB":                               "ab-dental",
		"!!!":                              "practice",
		strings.Repeat("Smile ", 20):       "smile-smile-smile-smile-smile-smile-smile-smile-smile-smile",
	} {
		got := identity.Slugify(name)
		if got != want || !identity.ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q (valid %v), want %q", name, got, identity.ValidSlug(got), want)
		}
	}
	for _, bad := range []string{"", "ab", "Riverside", "river--side", "-river", "river-", "river side", "rivér", strings.Repeat("a", 61)} {
		if identity.ValidSlug(bad) {
			t.Errorf("ValidSlug(%q) = true", bad)
		}
	}
}

// A clinic gets its slug from its name on creation, -2 when another
// clinic has it; GET clinic and auth/me answer it.
func TestClinicSlugOnCreationIsUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if e.clinic.Slug != "clinic-a" || e.other.Slug != "clinic-b" {
		t.Fatalf("slugs %q, %q", e.clinic.Slug, e.other.Slug)
	}
	ctx := context.Background()
	again, err := e.users.CreateClinic(ctx, "Clinic A")
	if err != nil || again.Slug != "clinic-a-2" {
		t.Fatalf("second Clinic A: %q, %v", again.Slug, err)
	}
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"slug": "clinic-a"}}.Send(t, admin)
	apitest.Case{Method: "GET", Path: "/api/auth/me", Status: 200, Want: map[string]any{"clinic": map[string]any{"slug": "clinic-a"}}}.Send(t, admin)

	// Clinics racing for one name each end with their own slug.
	var wg sync.WaitGroup
	slugs := make([]string, 6)
	for i := range slugs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.users.CreateClinic(ctx, "Harbour Dental")
			if err != nil {
				t.Error(err)
			}
			slugs[i] = c.Slug
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, s := range slugs {
		if s == "" || seen[s] || !strings.HasPrefix(s, "harbour-dental") {
			t.Fatalf("racing slugs %v", slugs)
		}
		seen[s] = true
	}
}

// A clinic stored before slugs existed gets one the first time it is read.
func TestClinicWithoutSlugGetsOneLazily(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	db, err := e.fe.Mongo(t).Database()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.Collection("clinics").UpdateOne(ctx, bson.D{{Key: "_id", Value: e.clinic.ID}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "slug", Value: ""}, {Key: "nameKeys", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("clinic_slugs").DeleteOne(ctx, bson.D{{Key: "_id", Value: "clinic-a"}}); err != nil {
		t.Fatal(err)
	}
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"slug": "clinic-a"}}.Send(t, admin)
	if c, err := e.users.ClinicBySlug(ctx, "clinic-a"); err != nil || c.ID != e.clinic.ID {
		t.Fatalf("ClinicBySlug: %+v, %v", c, err)
	}
}

// The admin edits the slug: malformed is 400, another clinic's is 409
// (and changes nothing), the freed old slug can be taken by another.
func TestAdminChangesTheSlug(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	for _, bad := range []string{"ab", "Has Spaces", "under_score", "-lead", "trail-", "double--hyphen", strings.Repeat("x", 61)} {
		t.Run("malformed "+bad, func(t *testing.T) {
			apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": bad}, Status: 400, Want: apitest.Error("invalid", "slug")}.Send(t, admin)
		})
	}
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": "clinic-b", "cancelNoticeHours": 12}, Status: 409,
		Want: map[string]any{"error": map[string]any{"code": "conflict", "fields": []any{map[string]any{"field": "slug"}}}}}.Send(t, admin)
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"slug": "clinic-a", "settings": map[string]any{"cancelNoticeHours": 24}}}.Send(t, admin)

	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": " Riverside-Smiles "}, Status: 200, Want: map[string]any{"slug": "riverside-smiles"}}.Send(t, admin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": "riverside-smiles"}, Status: 200, Want: map[string]any{"slug": "riverside-smiles"}}.Send(t, admin)
	other, _ := e.signedIn(t, e.other.ID, identity.RoleAdmin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": "riverside-smiles"}, Status: 409}.Send(t, other)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": "clinic-a"}, Status: 200, Want: map[string]any{"slug": "clinic-a"}}.Send(t, other)
	// Only an admin changes it.
	dentist, _ := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slug": "mine-now"}, Status: 403}.Send(t, dentist)
}

// The clinic's country is a setting from a list; it decides how sign-up
// reads a national number.
func TestClinicCountry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"settings": map[string]any{"country": "US"}}}.Send(t, admin)
	for _, bad := range []string{"", "ZZ", "USA", "JP"} {
		apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"country": bad}, Status: 400, Want: apitest.Error("invalid", "country")}.Send(t, admin)
	}
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"country": "gb"}, Status: 200, Want: map[string]any{"settings": map[string]any{"country": "GB"}}}.Send(t, admin)

	body := registration("")
	delete(body, "clinicId")
	body["clinicSlug"], body["phone"] = "clinic-a", "020 7946 0958"
	e.Do(t, register(body))
	if p := e.portalPatient(t, e.clinic.ID, body["email"].(string)); p.Phone != "+442079460958" {
		t.Fatalf("phone stored %q", p.Phone)
	}
	// The same text is no number of the other (US) clinic.
	body = registration("")
	delete(body, "clinicId")
	body["clinicSlug"], body["phone"] = "clinic-b", "020 7946 0958"
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/register", Body: body, Status: 400, Want: apitest.Error("invalid", "phone")})
}

// portalPatient is the patient record sign-up made for email.
func (e *env) portalPatient(t *testing.T, clinicID, email string) patients.Patient {
	t.Helper()
	db, err := e.fe.Mongo(t).Database()
	if err != nil {
		t.Fatal(err)
	}
	var p patients.Patient
	if err := db.Collection("patients").FindOne(context.Background(), bson.D{{Key: "clinicId", Value: clinicID}, {Key: "email", Value: email}}).Decode(&p); err != nil {
		t.Fatalf("patient for %s in %s: %v", email, clinicID, err)
	}
	return p
}

// Sign-up names the practice by its slug in place of its id; an unknown or
// malformed slug, or none, says to choose the practice from the list.
func TestRegisterBySlug(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := registration("")
	delete(body, "clinicId")
	body["clinicSlug"] = "Clinic-B"
	e.Do(t, register(body))
	p := e.portalPatient(t, e.other.ID, body["email"].(string))
	if p.Phone != "+12125550100" || p.Source != "portal" {
		t.Fatalf("patient %+v", p)
	}
	e.Do(t, verify(e.verifyToken(t, body["email"].(string)), 200, map[string]any{"user": map[string]any{"clinicId": e.other.ID, "role": "patient"}}))

	for name, slug := range map[string]any{"unknown": "no-such-practice", "malformed": "Not a slug!", "none": ""} {
		t.Run(name, func(t *testing.T) {
			b := registration("")
			delete(b, "clinicId")
			b["clinicSlug"] = slug
			r := e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/register", Body: b, Status: 400, Want: apitest.Error("invalid", "clinicSlug")})
			if !strings.Contains(string(r.Body), "choose your practice from the list") {
				t.Fatalf("message: %s", r.Body)
			}
		})
	}
	both := registration(e.clinic.ID)
	both["clinicSlug"] = "clinic-a"
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/register", Body: both, Status: 400, Want: apitest.Error("invalid", "clinicSlug")})
}

// The public practice search answers names and slugs only, at most ten,
// by a prefix of each word of the name.
func TestClinicSearchIsPublicAndNarrow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for i := range 12 {
		if _, err := e.users.CreateClinic(ctx, fmt.Sprintf("Lakeside Dental %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.users.CreateClinic(ctx, "Clínica Sorriso"); err != nil {
		t.Fatal(err)
	}
	search := func(q string) []map[string]any {
		t.Helper()
		r := e.Client().MustDo(t, "GET", "/api/clinics?q="+q, nil, 200)
		var out struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			if len(it) != 2 || it["slug"] == nil || it["name"] == nil {
				t.Fatalf("an item tells more than name and slug: %v", it)
			}
		}
		return out.Items
	}
	if got := search("lake"); len(got) != 10 || got[0]["name"] != "Lakeside Dental 00" {
		t.Fatalf("lake: %v", got)
	}
	if got := search("dental+lakesi"); len(got) != 10 {
		t.Fatalf("two words: %v", got)
	}
	if got := search("sorr"); len(got) != 1 || got[0]["slug"] != "clinica-sorriso" {
		t.Fatalf("sorr: %v", got)
	}
	if got := search("cl%C3%ADnica"); len(got) != 1 {
		t.Fatalf("accented: %v", got)
	}
	for _, q := range []string{"", "ental", "zzz", ".*", "%5E"} {
		if got := search(q); len(got) != 0 {
			t.Fatalf("%q: %v", q, got)
		}
	}
	e.Client().MustDo(t, "GET", "/api/clinics?q="+strings.Repeat("a", 101), nil, 400)
	// A sign-up link's slug names its one practice.
	for slug, want := range map[string][]any{"clinica-sorriso": {map[string]any{"slug": "clinica-sorriso", "name": "Clínica Sorriso"}},
		"Clinica-Sorriso": {map[string]any{"slug": "clinica-sorriso", "name": "Clínica Sorriso"}}, "no-such": {}, "bad slug!": {}} {
		apitest.Case{Method: "GET", Path: "/api/clinics?slug=" + url.QueryEscape(slug), Status: 200, Want: map[string]any{"items": want}}.Send(t, e.Client())
	}
}
