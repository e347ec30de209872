package audit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// newTestRequest is a request as the middleware hands it on: with a request
// id in its context and the caller's address in RemoteAddr.
func newTestRequest(tb testing.TB, requestID string) *http.Request {
	tb.Helper()
	r := httptest.NewRequest(http.MethodPatch, "/api/patients/p1", nil)
	r.RemoteAddr = "198.51.100.23:50211"
	return r.WithContext(httpapi.WithRequestID(r.Context(), requestID))
}

func TestRequestNamesActorAndRequest(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	a := audit.Actor{ClinicID: clinic, UserID: "u7", Role: "hygienist"}
	// What the entry says of clinic, actor, request and address is not
	// what is stored: the actor and the request are.
	err := e.log.Request(newTestRequest(t, "req-42"), a, audit.Entry{ClinicID: ids.New(), ActorID: "forged", ActorRole: "admin",
		RequestID: "forged", IP: "10.0.0.1", Action: "patient.read", Resource: "patients/p1", PatientID: "p1", Outcome: audit.Success, Detail: "d"})
	if err != nil {
		t.Fatal(err)
	}
	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	if len(all) != 1 {
		t.Fatalf("%d records", len(all))
	}
	r := all[0]
	if r.ClinicID != clinic || r.ActorID != "u7" || r.ActorRole != "hygienist" || r.RequestID != "req-42" || r.IP != "198.51.100.23" ||
		r.Action != "patient.read" || r.Resource != "patients/p1" || r.PatientID != "p1" || r.Outcome != audit.Success || r.Detail != "d" {
		t.Fatalf("stored %+v", r)
	}
}

func TestRequestFailuresAreUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  func(t *testing.T) *audit.Log
		e    audit.Entry
	}{
		{"audit store down", func(t *testing.T) *audit.Log { return audit.New(storetest.DeadMongo(t), newTestEnv(t).clock, testKeys) },
			audit.Entry{Action: "patient.read", Outcome: audit.Success}},
		{"entry refused", func(t *testing.T) *audit.Log { return newTestEnv(t).log },
			audit.Entry{Action: " ", Outcome: audit.Success}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.log(t).Request(newTestRequest(t, "req-1"), audit.Actor{ClinicID: ids.New(), UserID: "u1", Role: "dentist"}, tc.e)
			if !errs.Is(err, errs.Unavailable) {
				t.Fatalf("err %v, want unavailable", err)
			}
		})
	}
}

func TestGuardedAuditsBeforeTheChange(t *testing.T) {
	entry := audit.Entry{Action: "patient.update", Resource: "patients/p1", PatientID: "p1", Outcome: audit.Denied, Detail: "name"}
	a := func(clinic string) audit.Actor { return audit.Actor{ClinicID: clinic, UserID: "u1", Role: "dentist"} }

	t.Run("audit store down: the change is not made", func(t *testing.T) {
		l := audit.New(storetest.DeadMongo(t), newTestEnv(t).clock, testKeys)
		ran := false
		err := l.Guarded(newTestRequest(t, "req-1"), a(ids.New()), entry, func() error { ran = true; return nil })
		if !errs.Is(err, errs.Unavailable) {
			t.Fatalf("err %v, want unavailable", err)
		}
		if ran {
			t.Fatal("the change ran although its audit record was not written")
		}
	})

	t.Run("the change succeeds: one success record, written before it", func(t *testing.T) {
		e := newTestEnv(t)
		clinic := ids.New()
		var before int
		err := e.log.Guarded(newTestRequest(t, "req-2"), a(clinic), entry, func() error {
			before = len(listAll(t, e.log, clinic, audit.Filter{}, 10))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all := listAll(t, e.log, clinic, audit.Filter{}, 10)
		if before != 1 || len(all) != 1 || all[0].Outcome != audit.Success || all[0].Detail != "name" || all[0].RequestID != "req-2" || all[0].ActorID != "u1" {
			t.Fatalf("%d records while changing, then %+v", before, all)
		}
	})

	t.Run("the change fails: its error, and a failure record after the success", func(t *testing.T) {
		e := newTestEnv(t)
		clinic := ids.New()
		cause := errs.E(errs.Conflict, "patient was changed meanwhile")
		err := e.log.Guarded(newTestRequest(t, "req-3"), a(clinic), entry, func() error { return cause })
		if !errors.Is(err, cause) {
			t.Fatalf("err %v, want the change's", err)
		}
		all := listAll(t, e.log, clinic, audit.Filter{}, 10)
		if len(all) != 2 || all[1].Outcome != audit.Success || all[0].Outcome != audit.Failure ||
			all[0].Detail != "name; not applied: conflict" || all[0].Action != "patient.update" || all[0].PatientID != "p1" || all[0].RequestID != "req-3" {
			t.Fatalf("records %+v", all)
		}
	})

	t.Run("the change fails and so does its failure record: the change's error", func(t *testing.T) {
		e := newTestEnv(t)
		clinic := ids.New()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := newTestRequest(t, "req-4")
		r = r.WithContext(httpapi.WithRequestID(ctx, "req-4"))
		cause := errs.E(errs.Unprocessable, "no")
		err := e.log.Guarded(r, a(clinic), entry, func() error { cancel(); return cause })
		if !errors.Is(err, cause) {
			t.Fatalf("err %v, want the change's", err)
		}
		if all := listAll(t, e.log, clinic, audit.Filter{}, 10); len(all) != 1 || all[0].Outcome != audit.Success {
			t.Fatalf("records %+v", all)
		}
	})
}

func TestSystemGuardedNamesTheSystem(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	// The sweep runs inside a patient's request: the request id ties the
	// records to it, the actor is the system, and no client address.
	ctx := httpapi.WithRequestID(context.Background(), "req-sweep")
	en := audit.Entry{ClinicID: ids.New(), ActorID: "patient-1", ActorRole: "patient", IP: "10.0.0.1",
		Action: "waitlist.offer-lapse", Resource: "waitlist/w1", PatientID: "p1", Outcome: audit.Denied}
	ran := false
	if err := e.log.SystemGuarded(ctx, clinic, en, func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("err %v, ran %v", err, ran)
	}
	cause := errs.E(errs.Conflict, "changed meanwhile")
	if err := e.log.SystemGuarded(context.Background(), clinic, en, func() error { return cause }); !errors.Is(err, cause) {
		t.Fatalf("err %v, want the change's", err)
	}
	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	if len(all) != 3 {
		t.Fatalf("%d records", len(all))
	}
	for i, want := range []struct {
		outcome   audit.Outcome
		requestID string
	}{{audit.Failure, ""}, {audit.Success, ""}, {audit.Success, "req-sweep"}} {
		r := all[i]
		if r.ActorID != "system" || r.ActorRole != "system" || r.IP != "" || r.ClinicID != clinic || r.Outcome != want.outcome ||
			r.RequestID != want.requestID || r.Action != "waitlist.offer-lapse" || r.PatientID != "p1" {
			t.Errorf("record %d: %+v", r.Seq, r)
		}
	}

	dead := audit.New(storetest.DeadMongo(t), e.clock, testKeys)
	ran = false
	if err := dead.SystemGuarded(ctx, clinic, en, func() error { ran = true; return nil }); !errs.Is(err, errs.Unavailable) || ran {
		t.Fatalf("trail down: err %v, ran %v", err, ran)
	}
}
