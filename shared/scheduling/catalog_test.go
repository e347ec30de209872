package scheduling_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// otherClinic is a second practice with a chair and a type of its own.
func (e *env) otherClinic(t *testing.T) (scheduling.Operatory, scheduling.AppointmentType) {
	t.Helper()
	ctx := context.Background()
	c, err := e.users.CreateClinic(ctx, "Hillside")
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.st.CreateOperatory(ctx, c.ID, "Their chair")
	if err != nil {
		t.Fatal(err)
	}
	ty, err := e.st.CreateType(ctx, c.ID, scheduling.AppointmentType{Name: "Their exam", Category: "exam", DurationMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	return o, ty
}

func patch(name, as, path string, body any, status int, want any) apitest.Case {
	if want == nil {
		want = failure(status)
	}
	return apitest.Case{Name: name, As: as, Method: "PATCH", Path: path, Body: body, Status: status, Want: want}
}

func TestPatchingAChair(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	theirs, _ := e.otherClinic(t)
	path := "/api/operatories/" + e.chair2.ID
	e.Run(t, []apitest.Case{
		patch("rename", admin, path, map[string]any{"name": "  Surgery 2 "}, 200, map[string]any{"id": e.chair2.ID, "name": "Surgery 2", "active": true}),
		patch("blank name", admin, path, map[string]any{"name": " "}, 400, apitest.Error("invalid", "name")),
		patch("unknown field", admin, path, map[string]any{"colour": "#ffffff"}, 400, nil),
		patch("not an admin", desk, path, map[string]any{"active": false}, 403, nil),
		patch("another clinic's chair", admin, "/api/operatories/"+theirs.ID, map[string]any{"name": "Mine now"}, 404, nil),
		patch("no such chair", admin, "/api/operatories/"+ids.New(), map[string]any{"name": "x"}, 404, nil),
		patch("deactivate", admin, path, map[string]any{"active": false}, 200, map[string]any{"name": "Surgery 2", "active": false}),
		// The schedule still lists it, to draw what is booked in it.
		{Name: "listed", As: desk, Method: "GET", Path: "/api/operatories", Status: 200, Want: map[string]any{"items": []any{
			map[string]any{"id": e.chair1.ID, "active": true}, map[string]any{"id": e.chair2.ID, "name": "Surgery 2", "active": false}}}},
	})
	// Each change is on the trail before it is made (the rename, the blank
	// name, the deactivation), the refused one followed by its failure;
	// the unknown field and the 403 never reached the write.
	var outcomes []audit.Outcome
	for _, r := range e.records(t, audit.Filter{Action: "operatory.update"}) {
		if r.Resource == "operatories/"+e.chair2.ID {
			outcomes = append(outcomes, r.Outcome)
		}
	}
	if want := []audit.Outcome{audit.Success, audit.Success, audit.Failure, audit.Success}; !slices.Equal(outcomes, want) {
		t.Errorf("operatory.update outcomes on the trail %v, want %v", outcomes, want)
	}
}

func TestPatchingAType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	theirChair, theirType := e.otherClinic(t)
	path := "/api/appointment-types/" + e.cleaning.ID
	e.Run(t, []apitest.Case{
		patch("every field", admin, path, map[string]any{
			"name": " Scale & polish ", "category": "hygiene", "durationMinutes": 45, "colour": "#1f6feb", "bufferBeforeMinutes": 5, "bufferAfterMinutes": 0,
			"bookableOnline": false, "defaultOperatoryId": e.chair1.ID, "recallMonths": 4, "providerKinds": []string{"hygienist", "hygienist"}, "active": true,
		}, 200, map[string]any{"id": e.cleaning.ID, "name": "Scale & polish", "category": "hygiene", "durationMinutes": 45, "colour": "#1f6feb",
			"bufferBeforeMinutes": 5, "bufferAfterMinutes": 0, "bookableOnline": false, "defaultOperatoryId": e.chair1.ID, "recallMonths": 4,
			"providerKinds": []any{"hygienist"}, "active": true}),
		// The fields not given are kept.
		patch("one field", admin, path, map[string]any{"durationMinutes": 30}, 200, map[string]any{"name": "Scale & polish", "durationMinutes": 30, "bufferBeforeMinutes": 5, "recallMonths": 4}),
		patch("bad values", admin, path, map[string]any{"name": "", "durationMinutes": 7, "bufferAfterMinutes": 90, "colour": "red", "category": "spa", "recallMonths": -1},
			400, apitest.Error("invalid", "name", "durationMinutes", "bufferAfterMinutes", "colour", "recallMonths", "category")),
		patch("another clinic's chair as default", admin, path, map[string]any{"defaultOperatoryId": theirChair.ID}, 400, apitest.Error("invalid", "defaultOperatoryId")),
		patch("unknown provider kind", admin, path, map[string]any{"providerKinds": []string{"surgeon"}}, 400, apitest.Error("invalid", "providerKinds")),
		patch("unknown field", admin, path, map[string]any{"price": 10}, 400, nil),
		patch("the id", admin, path, map[string]any{"id": ids.New()}, 400, nil),
		patch("not an admin", desk, path, map[string]any{"active": false}, 403, nil),
		patch("another clinic's type", admin, "/api/appointment-types/"+theirType.ID, map[string]any{"name": "Mine now"}, 404, nil),
		// A refused change changed nothing.
		{Name: "unchanged by refusals", As: desk, Method: "GET", Path: "/api/appointment-types", Status: 200, Want: map[string]any{"items": []any{
			map[string]any{"id": e.cleaning.ID, "name": "Scale & polish", "durationMinutes": 30, "defaultOperatoryId": e.chair1.ID, "active": true}}}},
	})
}

func TestInactiveTypesAndChairsTakeNoNewBookings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.patient(t, "ana")
	booked := e.mustBook(t, map[string]any{"patientId": ana.id, "providerId": e.hygienist.ID, "operatoryId": e.chair2.ID, "typeId": e.cleaning.ID, "start": at("09:00")})
	withType := func(start time.Time, chair scheduling.Operatory) map[string]any {
		return map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": chair.ID, "typeId": e.cleaning.ID, "start": start}
	}
	slots := "/api/availability?from=" + url.QueryEscape(at("13:00").Format(time.RFC3339)) + "&to=" + url.QueryEscape(at("17:00").Format(time.RFC3339))
	hold := apitest.Case{Name: "patient hold", As: "ana", Method: "POST", Path: "/api/appointments", Status: 400, Want: apitest.Error("invalid", "typeId"),
		Body: map[string]any{"providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("14:00"), "hold": true}}
	e.Run(t, []apitest.Case{
		patch("deactivate the type", admin, "/api/appointment-types/"+e.cleaning.ID, map[string]any{"active": false}, 200, map[string]any{"active": false}),
		{Name: "desk booking", As: desk, Method: "POST", Path: "/api/appointments", Body: withType(at("13:00"), e.chair1), Status: 400, Want: apitest.Error("invalid", "typeId")},
		hold,
		{Name: "availability", As: desk, Method: "GET", Path: slots + "&typeId=" + e.cleaning.ID, Status: 400, Want: apitest.Error("invalid", "typeId")},
		{Name: "not offered online", As: "ana", Method: "GET", Path: "/api/appointment-types", Status: 200, Want: map[string]any{"items": []any{}}},
		{Name: "still listed for the schedule", As: desk, Method: "GET", Path: "/api/appointment-types", Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"id": e.cleaning.ID, "active": false}}}},
		// What was booked keeps its type, and can still move.
		{Name: "booked one shows", As: desk, Method: "GET", Path: "/api/appointments/" + booked.ID, Status: 200, Want: map[string]any{"typeId": e.cleaning.ID, "status": "scheduled"}},
		patch("booked one moves", desk, "/api/appointments/"+booked.ID, map[string]any{"start": at("10:00")}, 200, map[string]any{"typeId": e.cleaning.ID}),
		{Name: "waitlisting for it", As: desk, Method: "POST", Path: "/api/waitlist", Status: 400, Want: apitest.Error("invalid", "typeId"),
			Body: map[string]any{"patientId": ana.id, "typeId": e.cleaning.ID, "from": "08:00", "to": "17:00", "expiresOn": "2026-12-31"}},
		patch("reactivate the type", admin, "/api/appointment-types/"+e.cleaning.ID, map[string]any{"active": true}, 200, map[string]any{"active": true}),
		book("bookable again", withType(at("13:00"), e.chair1), 201),
		patch("deactivate a chair", admin, "/api/operatories/"+e.chair2.ID, map[string]any{"active": false}, 200, map[string]any{"active": false}),
		{Name: "booking the inactive chair", As: desk, Method: "POST", Path: "/api/appointments", Body: withType(at("15:00"), e.chair2), Status: 400, Want: apitest.Error("invalid", "operatoryId")},
	})
	// Availability offers only the active chair, even where the type names
	// the inactive one as its default.
	e.Do(t, patch("default chair", admin, "/api/appointment-types/"+e.cleaning.ID, map[string]any{"defaultOperatoryId": e.chair2.ID}, 200, map[string]any{"defaultOperatoryId": e.chair2.ID}))
	var got struct {
		Items []struct{ OperatoryID string }
	}
	e.Caller(t, desk).MustJSON(t, "GET", slots+"&typeId="+e.cleaning.ID, nil, 200, &got)
	if len(got.Items) == 0 {
		t.Fatal("no slot offered: the active chair is free")
	}
	for _, s := range got.Items {
		if s.OperatoryID != e.chair1.ID {
			t.Fatalf("slot in chair %s, want only the active %s", s.OperatoryID, e.chair1.ID)
		}
	}
}
