package scheduling

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
)

// Per-patient limits. Sign-up is public, so a patient's own bookings and
// waitlist entries are bounded by the clinic's settings (staff may book
// past them: the front desk decides for the patient in front of it).
//
// A count before the insert cannot hold a limit under concurrency (two
// requests both count one and both insert), so each patient-made
// appointment or entry also takes one of the patient's numbered places,
// "a:<patient>:1".."a:<patient>:N", by an insert into a unique index (see
// the package comment): at most N inserts can succeed. Like slot claims,
// places are a cache of the truth: one whose owner no longer counts
// (cancelled, past, lapsed, booked, removed, or never written after a
// lease) is stale and is cleared by the next patient that needs it. A
// waitlist request also takes its fingerprint, so one request cannot be
// entered twice.
//
// What this holds, and what it does not:
//   - a patient's own future bookings and open entries never exceed the
//     limit, whatever they race (the places);
//   - what the desk books or adds for them takes no place but is counted
//     before a patient's own request, so a patient's request racing a desk
//     booking for them can end one over (the desk chose to go past it);
//   - a waitlist offer is the practice's hold, not the patient's booking:
//     it takes no place, and the entries limit bounds how many a patient
//     can be offered;
//   - an entry edited by the desk into a copy of another is not refused
//     (fingerprints are taken on creation only).

// Defaults for settings a clinic has not set (settings come from another
// group: never trust them to be in bounds).
const (
	defaultMaxFutureAppointments = 2
	defaultMaxWaitlistEntries    = 2
	maxPatientLimit              = 20
)

func limitOr(n, def int) int {
	if n < 1 || n > maxPatientLimit {
		return def
	}
	return n
}

// maxFutureAppointments is how many future appointments a patient may have
// booked themself.
func (st Settings) maxFutureAppointments() int {
	return limitOr(st.MaxFutureAppointmentsPerPatient, defaultMaxFutureAppointments)
}

// maxWaitlistEntries is how many open waitlist entries a patient may have.
func (st Settings) maxWaitlistEntries() int {
	return limitOr(st.MaxWaitlistEntriesPerPatient, defaultMaxWaitlistEntries)
}

// placeDoc is one taken place of a per-patient limit (or a waitlist
// request's fingerprint), owned by an appointment or a waitlist entry.
type placeDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

// counts reports whether the owner of a place still counts against the
// limit; found is false when there is no such owner (yet).
type counts func(ctx context.Context, owner string) (found, live bool, err error)

// takePlace takes the first free place of keys for owner and reports
// whether there was one. A place held by an owner that no longer counts is
// cleared and taken; one whose owner is not written yet counts for a lease
// (its request is between taking the place and writing the owner).
func (s *Store) takePlace(ctx context.Context, clinicID, owner string, keys []string, live counts) (bool, error) {
	for _, key := range keys {
		for attempt := 0; attempt < 3; attempt++ {
			err := s.places.InsertOne(ctx, clinicID, placeDoc{ID: key, Owner: owner, At: s.clock.Now()})
			if err == nil {
				return true, nil
			}
			if !errs.Is(err, errs.Conflict) {
				return false, err
			}
			var held placeDoc
			switch err := s.places.Get(ctx, clinicID, key, &held); {
			case errs.Is(err, errs.NotFound):
				continue // released meanwhile: try again
			case err != nil:
				return false, err
			}
			if held.Owner == owner {
				return true, nil
			}
			found, ok, err := live(ctx, held.Owner)
			if err != nil {
				return false, err
			}
			if ok || !found && s.clock.Now().Sub(held.At) < lease {
				break // taken: the next place
			}
			// Only that owner's place: a fresh one by someone else stays.
			if _, err := s.places.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: key}, {Key: "owner", Value: held.Owner}}); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// releasePlaces drops owner's places (best effort: a place left behind is
// stale once its owner stops counting).
func (s *Store) releasePlaces(ctx context.Context, clinicID, owner string) {
	_, _ = s.places.DeleteMany(context.WithoutCancel(ctx), clinicID, bson.D{{Key: "owner", Value: owner}})
}

func numbered(prefix, patientID string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s:%s:%d", prefix, patientID, i+1)
	}
	return keys
}

// errTooManyAppointments answers a patient at their limit of future visits.
func errTooManyAppointments(n int) error {
	return errs.E(errs.Unprocessable, "you already have %d upcoming visits booked; please call the practice to book more", n)
}

// errTooManyEntries answers a patient at their limit of waitlist entries.
func errTooManyEntries(n int) error {
	return errs.E(errs.Unprocessable, "you are on the waitlist %d times already; please call the practice to change your requests", n)
}

// futureAppointments counts a patient's appointments that hold a future
// time, whoever booked them.
func (s *Store) futureAppointments(ctx context.Context, clinicID, patientID string) (int, error) {
	var list []Appointment
	err := s.appts.Find(ctx, clinicID, bson.D{
		{Key: "patientId", Value: patientID},
		{Key: "start", Value: bson.D{{Key: "$gt", Value: s.clock.Now()}}},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{Pending, Held, Scheduled, Confirmed}}}},
	}, &list, options.Find().SetLimit(maxPatientLimit+1))
	n := 0
	for _, a := range list {
		if s.holdsTime(a, s.clock.Now()) {
			n++
		}
	}
	return n, err
}

// takeAppointmentPlace takes one of the patient's places for a, a booking
// they make themself (pending, so its place counts while it is written).
func (s *Store) takeAppointmentPlace(ctx context.Context, clinicID string, a Appointment, limit int) error {
	ok, err := s.takePlace(ctx, clinicID, a.ID, numbered("a", a.PatientID, limit), func(ctx context.Context, owner string) (bool, bool, error) {
		var o Appointment
		err := s.appts.Get(ctx, clinicID, owner, &o)
		if errs.Is(err, errs.NotFound) {
			return false, false, nil
		}
		return true, err == nil && s.holdsTime(o, s.clock.Now()) && o.Start.After(s.clock.Now()), err
	})
	if err == nil && !ok {
		return errTooManyAppointments(limit)
	}
	return err
}

// waitlistFingerprint names what an entry asks for, so that one request
// is entered once: patient, type, providers, days and window.
func waitlistFingerprint(e WaitlistEntry) string {
	providers, days := slices.Clone(e.ProviderIDs), slices.Clone(e.Days)
	slices.Sort(providers)
	slices.Sort(days)
	sum := sha256.Sum256([]byte(strings.Join([]string{e.PatientID, e.TypeID, strings.Join(providers, ","), strings.Join(days, ","), e.From, e.To}, "|")))
	return "wd:" + hex.EncodeToString(sum[:16])
}

// entryCounts reports whether an entry is still open: waiting or offered,
// and not past its date (today is the clinic's local date).
func (s *Store) entryCounts(clinicID, today string) counts {
	return func(ctx context.Context, owner string) (bool, bool, error) {
		o, err := s.WaitlistEntryByID(ctx, clinicID, owner)
		if errs.Is(err, errs.NotFound) {
			return false, false, nil
		}
		return true, err == nil && (o.Status == Waiting || o.Status == Offered) && o.ExpiresOn >= today, err
	}
}

// takeEntryPlaces takes e's fingerprint (a duplicate of an open entry is
// Conflict) and, for a patient's own entry (limit > 0), one of their
// places (none left is Unprocessable).
func (s *Store) takeEntryPlaces(ctx context.Context, clinicID string, e WaitlistEntry, limit int, today string) error {
	live := s.entryCounts(clinicID, today)
	ok, err := s.takePlace(ctx, clinicID, e.ID, []string{waitlistFingerprint(e)}, live)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Conflict, "this patient is already on the waitlist for that visit, time and provider")
	}
	if limit <= 0 {
		return nil
	}
	if ok, err = s.takePlace(ctx, clinicID, e.ID, numbered("w", e.PatientID, limit), live); err == nil && !ok {
		err = errTooManyEntries(limit)
	}
	if err != nil {
		s.releasePlaces(ctx, clinicID, e.ID)
	}
	return err
}
