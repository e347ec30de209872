package consents_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/clinical/consents"
)

// Seed gives a clinic its four starting forms, once, and leaves an edited
// form as the clinic made it.
func TestSeed(t *testing.T) {
	e := clinicaltest.New(t)
	admin := e.User(t, "admin")
	ctx := context.Background()
	if err := consents.Seed(ctx, e.Mongo, e.Clock, e.Clinic.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	list := func() []template {
		var got struct{ Items []template }
		e.Staff(t, "receptionist").MustJSON(t, "GET", "/api/consent-templates", nil, 200, &got)
		return got.Items
	}
	first := list()
	var kinds []string
	for _, tm := range first {
		kinds = append(kinds, tm.Kind)
		if tm.Version != 1 || tm.Hash != sha(tm.Body) || len(strings.Split(tm.Body, "\n\n")) < 3 {
			t.Errorf("seeded %s: version %d, %d paragraphs", tm.Title, tm.Version, len(strings.Split(tm.Body, "\n\n")))
		}
	}
	slices.Sort(kinds)
	if want := []string{"anaesthesia", "financial", "privacy", "treatment"}; !slices.Equal(kinds, want) {
		t.Fatalf("seeded kinds %v, want %v", kinds, want)
	}
	edited := first[0]
	e.Staff(t, "admin").MustJSON(t, "PATCH", "/api/consent-templates/"+edited.ID, map[string]any{"body": "Our own words.", "version": 1}, 200, &edited)
	if err := consents.Seed(ctx, e.Mongo, e.Clock, e.Clinic.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	again := list()
	if len(again) != 4 {
		t.Fatalf("seeding twice lists %d forms", len(again))
	}
	for _, tm := range again {
		if tm.ID == edited.ID && (tm.Version != 2 || tm.Body != "Our own words.") {
			t.Fatalf("the second seed undid the clinic's edit: %+v", tm)
		}
	}
	var other struct{ Items []template }
	e.SignIn(t, e.Other.ID, "admin", "").MustJSON(t, "GET", "/api/consent-templates", nil, 200, &other)
	if len(other.Items) != 0 {
		t.Fatalf("another clinic got %d seeded forms", len(other.Items))
	}
}
