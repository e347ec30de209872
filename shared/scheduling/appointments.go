package scheduling

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// Actor is who makes a change (for history).
type Actor struct {
	UserID string
	Role   string
}

// Booking is what a new appointment takes.
type Booking struct {
	// ID, when set, is the new appointment's id: a caller that records the
	// booking before making it names it first. Empty: a new id.
	ID          string
	PatientID   string
	ProviderID  string
	OperatoryID string
	TypeID      string
	Start       time.Time
	End         time.Time // zero: Start + the type's duration
	Notes       string
	Source      string        // staff | portal | waitlist
	Hold        time.Duration // > 0: a hold that expires after this long
	OnlineOnly  bool          // a patient booking: only types bookable online, within the patient's limit
	// WaitlistEntryID names the entry a hold is offered to (Source
	// waitlist), so that confirming or cancelling the hold settles the offer.
	WaitlistEntryID string
}

// resolve validates a booking against the catalog and returns the
// appointment it would create (without id or status).
func (c Catalog) resolve(b Booking, now time.Time) (Appointment, error) {
	var v errs.Validator
	p, okP := c.provider(b.ProviderID)
	v.Check(okP && p.Active, "providerId", "is not an active provider of this practice")
	o, okO := c.operatory(b.OperatoryID)
	v.Check(okO && o.Active, "operatoryId", "is not an active chair of this practice")
	var t AppointmentType
	if b.OnlineOnly {
		t, ok := c.apptType(b.TypeID)
		if !ok || !t.BookableOnline || !t.Active {
			return Appointment{}, errs.InvalidFields(errs.FieldError{Field: "typeId", Message: "choose an appointment type you can book online"})
		}
	}
	if b.TypeID != "" {
		var ok bool
		t, ok = c.apptType(b.TypeID)
		v.Check(ok && t.Active, "typeId", "is not an active appointment type of this practice")
	}
	end := b.End
	if end.IsZero() && t.DurationMinutes > 0 {
		end = b.Start.Add(time.Duration(t.DurationMinutes) * time.Minute)
	}
	v.Check(!b.Start.IsZero(), "start", "is required")
	v.Check(!end.IsZero(), "end", "is required (or give typeId)")
	v.Check(onGrid(b.Start), "start", "must be on a 5-minute mark")
	v.Check(end.IsZero() || onGrid(end), "end", "must be on a 5-minute mark")
	v.Check(end.IsZero() || end.After(b.Start), "end", "must be after start")
	v.Check(end.Sub(b.Start) <= 8*time.Hour, "end", "an appointment lasts at most 8 hours")
	v.Check(b.PatientID != "", "patientId", "is required")
	v.Check(utf8.RuneCountInString(b.Notes) <= maxNotes, "notes", fmt.Sprintf("must be at most %d characters", maxNotes))
	if err := v.Err(); err != nil {
		return Appointment{}, err
	}
	if okP && !slices.Contains(p.Operatories, o.ID) {
		return Appointment{}, errs.E(errs.Unprocessable, "%s does not work in %s", p.Name, o.Name)
	}
	if err := kindAllowed(t, p); b.TypeID != "" && err != nil {
		return Appointment{}, err
	}
	if !b.Start.After(now) {
		return Appointment{}, errs.E(errs.Unprocessable, "the appointment must start in the future")
	}
	if notice := c.Settings.minBookingNotice(); b.OnlineOnly && b.Start.Before(now.Add(notice)) {
		return Appointment{}, errs.E(errs.Unprocessable, "online bookings start at least %s from now; please call the practice for a sooner visit", noticeText(notice))
	}
	iv := avail.Interval{Start: b.Start.UTC(), End: end.UTC()}
	if !avail.WithinHours(p.availProvider(), iv, c.location()) {
		return Appointment{}, errs.E(errs.Unprocessable, "outside %s's working hours or during time off", p.Name)
	}
	return Appointment{PatientID: b.PatientID, ProviderID: p.ID, OperatoryID: o.ID, TypeID: b.TypeID, Start: iv.Start, End: iv.End,
		BufferBefore: t.BufferBefore, BufferAfter: t.BufferAfter, Notes: b.Notes, Source: b.Source}, nil
}

// kindAllowed is nil when p may take a visit of type t (the type names
// the provider kinds that may), else the rule as an Unprocessable error.
func kindAllowed(t AppointmentType, p Provider) error {
	if t.takes(p.Kind) {
		return nil
	}
	return errs.E(errs.Unprocessable, "%s is for a %s; %s is a %s", visitName(t.Name), strings.Join(t.ProviderKinds, " or "), p.Name, p.Kind)
}

// visitName is how a message names a visit of type name: "a Hygiene
// visit", "a Crown prep visit", never "a Hygiene visit visit".
func visitName(name string) string {
	n := strings.TrimSpace(name)
	if !strings.HasSuffix(strings.ToLower(n), "visit") {
		n += " visit"
	}
	article := "a"
	if n != "" && strings.ContainsRune("AEIOUaeiou", rune(n[0])) {
		article = "an"
	}
	return article + " " + n
}

// noticeText says a notice like "2 hours" or "90 minutes".
func noticeText(d time.Duration) string {
	switch m := int(d / time.Minute); {
	case m%60 == 0 && m == 60:
		return "1 hour"
	case m%60 == 0:
		return fmt.Sprintf("%d hours", m/60)
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}

func onGrid(t time.Time) bool { return !t.IsZero() && t.Equal(t.Truncate(cell)) }

// Book creates an appointment. The slot is taken by claims (see the package
// comment): concurrent bookings of overlapping times for the same provider
// or chair have exactly one winner; the others get Conflict.
func (s *Store) Book(ctx context.Context, clinicID string, b Booking, by Actor) (Appointment, error) {
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return Appointment{}, err
	}
	now := s.clock.Now()
	a, err := cat.resolve(b, now)
	if err != nil {
		return Appointment{}, err
	}
	limit := cat.Settings.maxFutureAppointments()
	if b.OnlineOnly {
		// Staff bookings count too; the places below hold the limit
		// against the patient's own concurrent requests.
		n, err := s.futureAppointments(ctx, clinicID, b.PatientID)
		if err != nil {
			return Appointment{}, err
		}
		if n >= limit {
			return Appointment{}, errTooManyAppointments(limit)
		}
	}
	a.ID, a.Status, a.CreatedAt, a.UpdatedAt, a.WaitlistEntryID = b.ID, Pending, now, now, b.WaitlistEntryID
	if a.ID == "" {
		a.ID = ids.New()
	}
	final := Scheduled
	if b.Hold > 0 {
		final = Held
		exp := now.Add(b.Hold)
		a.HoldExpiresAt = &exp
	}
	a.History = []Change{{At: now, By: by.UserID, ByRole: by.Role, Action: "book", To: string(final)}}
	// 1. The appointment exists (pending) before any claim names it, so a
	// claim's owner can always be checked.
	booked, err := s.appts.Insert(ctx, clinicID, a)
	if err != nil {
		return Appointment{}, err
	}
	// Nothing but this request writes a pending booking (Get hides it), so
	// its own two writes below go by _id alone.
	setStatus := func(ctx context.Context, st Status) error {
		_, err := booked.Update(ctx, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: st}}}})
		return err
	}
	// 2. Claim every cell for provider and chair, and for a patient's own
	// booking one of their places.
	if err := s.claim(ctx, clinicID, a.ID, keysOf(a)); err != nil {
		_ = setStatus(context.WithoutCancel(ctx), Failed)
		return Appointment{}, err
	}
	if b.OnlineOnly {
		if err := s.takeAppointmentPlace(ctx, clinicID, a, limit); err != nil {
			_ = setStatus(context.WithoutCancel(ctx), Failed)
			s.releaseAll(ctx, clinicID, a.ID)
			return Appointment{}, err
		}
	}
	// 3. Make it real. Dying before this leaves a pending booking whose
	// claims go stale after the lease: the slot frees itself.
	if err := setStatus(ctx, final); err != nil {
		s.releaseAll(ctx, clinicID, a.ID)
		s.releasePlaces(ctx, clinicID, a.ID)
		return Appointment{}, err
	}
	a.Status = final
	if final == Scheduled {
		s.notice(ctx, clinicID, NoticeBooked, a, time.Time{})
	}
	s.appointmentEvent(ctx, clinicID, LiveAppointmentCreated, a, nil)
	return a, nil
}

var errChanged = errs.E(errs.Conflict, "the appointment was changed by someone else; reload it")

// mutate applies set (and change, to the history) to a, once: the change
// moves a from its version (store.Versions), so of two concurrent changes
// of one appointment exactly one applies and the other is told to reload.
func (s *Store) mutate(ctx context.Context, clinicID string, a Appointment, set bson.D, change Change) (Appointment, error) {
	set = append(set, bson.E{Key: "updatedAt", Value: change.At})
	var out Appointment
	won, err := s.versions.Update(ctx, s.appts, clinicID, a.ID, a.Version,
		bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "history", Value: change}}}}, &out)
	switch {
	case errs.Is(err, errs.NotFound) || err == nil && !won:
		return Appointment{}, errChanged
	case err != nil:
		return Appointment{}, err
	}
	s.appointmentChanged(ctx, clinicID, out, set)
	return out, nil
}

// Transition runs a status action (confirm, check-in, complete, no-show,
// cancel); an illegal move is Conflict.
func (s *Store) Transition(ctx context.Context, clinicID, id, action string, by Actor, reason CancelReason, lateCancel bool) (Appointment, error) {
	if _, ok := transitions[action]; !ok && action != "undo" {
		return Appointment{}, errs.E(errs.NotFound, "no such action")
	}
	a, err := s.Get(ctx, clinicID, id)
	if err != nil {
		return Appointment{}, err
	}
	out, err := s.transition(ctx, clinicID, a, action, by, reason, lateCancel)
	if err == nil {
		switch {
		case action == "confirm" && a.Status == Held && out.Status == Scheduled:
			s.notice(ctx, clinicID, NoticeBooked, out, time.Time{})
		case action == "cancel" && a.Status != Held && out.Status == Cancelled:
			s.notice(ctx, clinicID, NoticeCancelled, out, time.Time{})
		}
	}
	return out, err
}

// transition runs action on a as the caller read it. It moves a from that
// version (mutate), so the status it was checked in is the status it
// leaves: a caller that saw a hold still held releases a hold, never the
// visit a racing confirm has just made of it (errChanged instead).
//
// A lapsed hold can only be cancelled (released). A confirm that read it
// live writes within the request's life, well inside the lease for which
// a lapsed hold still blocks its time (holdsTime): no booking can take the
// time before the confirm has landed or lost.
func (s *Store) transition(ctx context.Context, clinicID string, a Appointment, action string, by Actor, reason CancelReason, lateCancel bool) (Appointment, error) {
	if action == "undo" {
		return s.undo(ctx, clinicID, a, by)
	}
	tr, ok := transitions[action]
	if !ok {
		return Appointment{}, errs.E(errs.NotFound, "no such action")
	}
	now := s.clock.Now()
	if action == "check-in" && slices.Contains(tr.from, a.Status) {
		if err := s.onTheDay(ctx, clinicID, a, "checked in"); err != nil {
			return Appointment{}, err
		}
	}
	if a.Status == Held && action != "cancel" && a.lapsed(now) {
		return Appointment{}, errs.E(errs.Conflict, "the hold has expired")
	}
	if !slices.Contains(tr.from, a.Status) {
		return Appointment{}, errs.E(errs.Conflict, "cannot %s an appointment that is %s", action, a.Status)
	}
	to := tr.to
	if action == "confirm" && a.Status == Held {
		to = Scheduled // a patient confirming their hold books it
	}
	set := bson.D{{Key: "status", Value: to}}
	if a.Status == Held {
		set = append(set, bson.E{Key: "holdExpiresAt", Value: nil})
	}
	change := Change{At: now, By: by.UserID, ByRole: by.Role, Action: action, From: string(a.Status), To: string(to)}
	if action == "cancel" {
		set = append(set, bson.E{Key: "cancelReason", Value: reason.Code}, bson.E{Key: "cancelReasonText", Value: reason.Text},
			bson.E{Key: "lateCancel", Value: lateCancel})
		change.Reason, change.ReasonText = reason.Code, reason.Text
	}
	out, err := s.mutate(ctx, clinicID, a, set, change)
	if err != nil {
		return Appointment{}, err
	}
	if to == Cancelled {
		s.releaseAll(ctx, clinicID, a.ID) // left-overs are stale anyway
	}
	return out, nil
}

// onTheDay is nil when now is on a's day in the clinic's time zone, else
// Unprocessable saying a can only be what on that day.
func (s *Store) onTheDay(ctx context.Context, clinicID string, a Appointment, what string) error {
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return err
	}
	loc := cat.location()
	day, today := a.Start.In(loc).Format(time.DateOnly), s.clock.Now().In(loc).Format(time.DateOnly)
	if day == today {
		return nil
	}
	return errs.E(errs.Unprocessable, "this appointment can only be %s on its day, %s (today is %s in the practice's time zone)",
		what, a.Start.In(loc).Format("Monday 2 January 2006"), s.clock.Now().In(loc).Format("Monday 2 January"))
}

// undo reverts a check-in or a no-show of a, on the appointment's day, to
// the status it was in before. Like every transition it moves a from the
// version the caller read (mutate), so of two racing undos, or an undo
// racing a complete, exactly one applies.
func (s *Store) undo(ctx context.Context, clinicID string, a Appointment, by Actor) (Appointment, error) {
	if !slices.Contains(undoable, a.Status) {
		return Appointment{}, errs.E(errs.Conflict, "only a check-in or a no-show can be undone; this appointment is %s", a.Status)
	}
	if err := s.onTheDay(ctx, clinicID, a, "undone"); err != nil {
		return Appointment{}, err
	}
	to := a.undoTo()
	now := s.clock.Now()
	return s.mutate(ctx, clinicID, a, bson.D{{Key: "status", Value: to}},
		Change{At: now, By: by.UserID, ByRole: by.Role, Action: "undo", From: string(a.Status), To: string(to)})
}

// Move is a change of time, provider or chair.
type Move struct {
	ProviderID  *string
	OperatoryID *string
	Start       *time.Time
	End         *time.Time
	Notes       *string
}

// Reschedule moves an appointment: it claims the new cells first (the old
// ones stay held meanwhile, so a failed move loses nothing), then records
// the change, then releases the cells it no longer needs.
func (s *Store) Reschedule(ctx context.Context, clinicID, id string, m Move, by Actor) (Appointment, error) {
	a, err := s.Get(ctx, clinicID, id)
	if err != nil {
		return Appointment{}, err
	}
	out, err := s.reschedule(ctx, clinicID, a, m, by)
	if err == nil && a.Status != Held && !out.Start.Equal(a.Start) {
		s.notice(ctx, clinicID, NoticeMoved, out, a.Start)
	}
	return out, err
}

func (s *Store) reschedule(ctx context.Context, clinicID string, a Appointment, m Move, by Actor) (Appointment, error) {
	if !a.Status.movable() {
		return Appointment{}, errs.E(errs.Conflict, "an appointment that is %s cannot be moved", a.Status)
	}
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return Appointment{}, err
	}
	b := Booking{PatientID: a.PatientID, ProviderID: a.ProviderID, OperatoryID: a.OperatoryID, Start: a.Start, End: a.End, Notes: a.Notes}
	if m.ProviderID != nil {
		b.ProviderID = *m.ProviderID
	}
	if m.OperatoryID != nil {
		b.OperatoryID = *m.OperatoryID
	}
	if m.Start != nil {
		// Moving the start keeps the length unless End is given too.
		b.End = m.Start.Add(a.End.Sub(a.Start))
		b.Start = *m.Start
	}
	if m.End != nil {
		b.End = *m.End
	}
	if m.Notes != nil {
		b.Notes = *m.Notes
	}
	next, err := cat.resolve(b, s.clock.Now())
	if err != nil {
		return Appointment{}, err
	}
	if t, ok := cat.apptType(a.TypeID); ok && next.ProviderID != a.ProviderID {
		// A move to another provider keeps to the type's provider kinds (a
		// visit booked before the rule may still move in time).
		p, _ := cat.provider(next.ProviderID)
		if err := kindAllowed(t, p); err != nil {
			return Appointment{}, err
		}
	}
	next.ID, next.BufferBefore, next.BufferAfter, next.TypeID = a.ID, a.BufferBefore, a.BufferAfter, a.TypeID
	oldKeys, newKeys := keysOf(a), keysOf(next)
	var add []string
	for _, k := range newKeys {
		if !slices.Contains(oldKeys, k) {
			add = append(add, k)
		}
	}
	if len(add) > 0 {
		if err := s.claim(ctx, clinicID, a.ID, add); err != nil {
			return Appointment{}, err
		}
	}
	now := s.clock.Now()
	loc := cat.location()
	out, err := s.mutate(ctx, clinicID, a, bson.D{
		{Key: "providerId", Value: next.ProviderID}, {Key: "operatoryId", Value: next.OperatoryID},
		{Key: "start", Value: next.Start}, {Key: "end", Value: next.End}, {Key: "notes", Value: next.Notes},
	}, Change{At: now, By: by.UserID, ByRole: by.Role, Action: "move",
		From: describe(a, loc), To: describe(next, loc)})
	if err != nil {
		s.releaseKeys(ctx, clinicID, a.ID, add)
		return Appointment{}, err
	}
	var drop []string
	for _, k := range oldKeys {
		if !slices.Contains(newKeys, k) {
			drop = append(drop, k)
		}
	}
	if len(drop) > 0 {
		s.releaseKeys(ctx, clinicID, a.ID, drop)
	}
	return out, nil
}

func describe(a Appointment, loc *time.Location) string {
	return a.Start.In(loc).Format("2006-01-02 15:04") + "–" + a.End.In(loc).Format("15:04") + " provider " + a.ProviderID + " chair " + a.OperatoryID
}

// ListFilter narrows an appointment list.
type ListFilter struct {
	From, To    time.Time
	ProviderID  string
	OperatoryID string
	PatientID   string
	Status      Status
}

// List returns appointments starting in [From, To) in start order.
func (s *Store) List(ctx context.Context, clinicID string, f ListFilter, page store.PageRequest) (store.Page[Appointment], error) {
	filter := bson.D{}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "start", Value: at})
	}
	if f.ProviderID != "" {
		filter = append(filter, bson.E{Key: "providerId", Value: f.ProviderID})
	}
	if f.OperatoryID != "" {
		filter = append(filter, bson.E{Key: "operatoryId", Value: f.OperatoryID})
	}
	if f.PatientID != "" {
		filter = append(filter, bson.E{Key: "patientId", Value: f.PatientID})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	} else {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{Pending, Failed}}}})
	}
	return store.FindPage[Appointment](ctx, s.appts, clinicID, filter, store.Sort{Field: "start", Type: bson.TypeDateTime}, page)
}

// maxLength bounds how far back an appointment overlapping a range can start.
const maxLength = 9 * time.Hour

// busyFields are what a search needs of each appointment in its range:
// when, whose and which chair, its buffers, and whether it still holds
// its time (not its history, notes or patient).
var busyFields = func() bson.D {
	d := bson.D{}
	for _, f := range []string{"providerId", "operatoryId", "start", "end", "bufferBeforeMinutes", "bufferAfterMinutes", "status", "holdExpiresAt", "createdAt"} {
		d = append(d, bson.E{Key: f, Value: 1})
	}
	return d
}()

// busyBatch is how many appointments a search reads per round trip: a
// month of a large practice's (10 providers, 28 a day) comes in one.
const busyBatch = 10_000

// busy loads every appointment that blocks time in [from, to) in one query
// (its fields only, in one batch) and returns the padded intervals per
// provider and chair.
func (s *Store) busy(ctx context.Context, clinicID string, from, to time.Time) (avail.Busy, error) {
	var list []Appointment
	err := s.appts.Find(ctx, clinicID, bson.D{
		{Key: "start", Value: bson.D{{Key: "$gte", Value: from.Add(-maxLength)}, {Key: "$lt", Value: to.Add(2 * time.Hour)}}},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{Pending, Held, Scheduled, Confirmed, CheckedIn, Completed, NoShow}}}},
	}, &list, options.Find().SetProjection(busyFields).SetBatchSize(busyBatch))
	if err != nil {
		return avail.Busy{}, err
	}
	now := s.clock.Now()
	b := avail.Busy{Provider: map[string][]avail.Interval{}, Operatory: map[string][]avail.Interval{}}
	for _, a := range list {
		if !s.holdsTime(a, now) {
			continue
		}
		iv := a.padded()
		b.Provider[a.ProviderID] = append(b.Provider[a.ProviderID], iv)
		b.Operatory[a.OperatoryID] = append(b.Operatory[a.OperatoryID], iv)
	}
	return b, nil
}

// PatientAppointments returns a patient's appointments, newest first (for
// the patient timeline), at most limit.
func (s *Store) PatientAppointments(ctx context.Context, clinicID, patientID string, limit int) ([]Appointment, error) {
	var out []Appointment
	err := s.appts.Find(ctx, clinicID, bson.D{
		{Key: "patientId", Value: patientID},
		{Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{Pending, Failed}}}},
	}, &out, options.Find().SetSort(bson.D{{Key: "start", Value: -1}}).SetLimit(int64(limit)))
	return out, err
}

// TypeName names an appointment type (for timelines and reminders).
func (s *Store) TypeName(ctx context.Context, clinicID, typeID string) string {
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return ""
	}
	t, _ := cat.apptType(typeID)
	return t.Name
}
