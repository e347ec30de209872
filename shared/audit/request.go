package audit

import (
	"context"
	"net/http"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// Actor is whom a request acts as, in the trail's terms: the signed-in
// principal's clinic, user id and role. Package audit sits below authz and
// takes no Principal, so a handler converts at the call:
//
//	audit.Actor{ClinicID: p.ClinicID, UserID: p.UserID, Role: p.Role}
//
// A caller nobody is signed in as (a login for an email no account has) is
// Actor{ClinicID: audit.SystemClinic}, or the clinic the request names.
type Actor struct {
	ClinicID string
	UserID   string
	Role     string
}

// SystemActor is the user id and role the trail gives the system itself.
const SystemActor = "system"

// System is whom the trail names for what the system does of its own
// accord in clinicID, such as a sweep passing lapsed waitlist offers on:
// not whoever's request happened to set it off.
func System(clinicID string) Actor {
	return Actor{ClinicID: clinicID, UserID: SystemActor, Role: SystemActor}
}

// Request records e as done by a in request r. The clinic, actor and role
// come from a, the request id and client address from r, whatever e says of
// them, so that every group names them the same way; the rest (action,
// resource, patient, outcome, detail) is the caller's.
//
// Every failure is Unavailable (503), its cause kept for the log: a request
// whose record cannot be written must stop there, so that nothing is read or
// changed that the trail does not show. That includes an entry the trail
// refuses (no action, an unknown outcome), a programming error that is then
// safer refused than let through.
func (l *Log) Request(r *http.Request, a Actor, e Entry) error {
	return l.as(r.Context(), a, httpapi.ClientIP(r), e)
}

// as records e as done by a from address ip, with ctx's request id.
func (l *Log) as(ctx context.Context, a Actor, ip string, e Entry) error {
	e.ClinicID, e.ActorID, e.ActorRole = a.ClinicID, a.UserID, a.Role
	e.RequestID, e.IP = httpapi.RequestID(ctx), ip
	err := l.Record(ctx, e)
	if err != nil && !errs.Is(err, errs.Unavailable) {
		return errs.Wrap(errs.Unavailable, err, "audit trail unavailable; try again")
	}
	return err
}

// Guarded makes a change under the rule "audit first, then change". It
// records e (as Request does, with outcome Success whatever e says) and only
// then runs change:
//
//   - the record cannot be written: Guarded returns that Unavailable error
//     and change never runs, so no change escapes the trail;
//   - change fails: Guarded records e again with outcome Failure and a
//     detail naming the error's kind (never its text, which may carry
//     internals), and returns change's error as it is. That second record is
//     best effort: the first already names the attempt, so when it cannot be
//     written the caller still gets change's error rather than the trail's;
//   - change succeeds: Guarded returns nil.
//
// A handler reads:
//
//	err := h.Audit.Guarded(r, actor, audit.Entry{Action: "patient.update",
//		Resource: "patients/" + id, PatientID: id}, func() error {
//		var err error
//		updated, err = h.Store.Update(r.Context(), p.ClinicID, id, patch)
//		return err
//	})
//
// Reads are audited with Request before the answer is written; Guarded is
// for writes, whose failures the trail should show too.
func (l *Log) Guarded(r *http.Request, a Actor, e Entry, change func() error) error {
	return guarded(func(e Entry) error { return l.Request(r, a, e) }, e, change)
}

// SystemGuarded is Guarded for a change the system makes of its own accord
// in clinicID (see System): recorded as System(clinicID), with no client
// address, and with ctx's request id when a request set it off, so the
// trail shows which one.
func (l *Log) SystemGuarded(ctx context.Context, clinicID string, e Entry, change func() error) error {
	return guarded(func(e Entry) error { return l.as(ctx, System(clinicID), "", e) }, e, change)
}

// guarded records e with record, makes change, and records its failure.
func guarded(record func(Entry) error, e Entry, change func() error) error {
	e.Outcome = Success
	if err := record(e); err != nil {
		return err
	}
	err := change()
	if err == nil {
		return nil
	}
	failed := e
	failed.Outcome = Failure
	failed.Detail = "not applied: " + string(errs.KindOf(err))
	if e.Detail != "" {
		failed.Detail = e.Detail + "; " + failed.Detail
	}
	_ = record(failed)
	return err
}
