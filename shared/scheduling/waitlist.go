package scheduling

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// Waitlist statuses.
const (
	Waiting = "waiting"
	Offered = "offered"
	Booked  = "booked"
	Removed = "removed"
	Expired = "expired"
)

// WaitlistEntry is a patient waiting for an earlier or a freed slot.
type WaitlistEntry struct {
	ID          string    `bson:"_id" json:"id"`
	ClinicID    string    `bson:"clinicId" json:"-"`
	PatientID   string    `bson:"patientId" json:"patientId"`
	TypeID      string    `bson:"typeId" json:"typeId"`
	ProviderIDs []string  `bson:"providerIds" json:"providerIds"` // empty: any provider
	Days        []string  `bson:"days" json:"days"`               // weekday names; empty: any day
	From        string    `bson:"from" json:"from"`               // local HH:MM the patient can come from
	To          string    `bson:"to" json:"to"`                   // ... until
	Urgency     int       `bson:"urgency" json:"urgency"`         // 1 (low) … 5 (urgent)
	ExpiresOn   string    `bson:"expiresOn" json:"expiresOn"`     // YYYY-MM-DD: stop offering after this date
	Note        string    `bson:"note,omitempty" json:"note,omitempty"`
	Status      string    `bson:"status" json:"status"`
	Offer       *Offer    `bson:"offer,omitempty" json:"offer,omitempty"`
	Declined    []string  `bson:"declined" json:"-"` // slot keys offered and declined or lapsed
	Version     int       `bson:"version" json:"version"`
	CreatedAt   time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt   time.Time `bson:"updatedAt" json:"updatedAt"`
}

// Offer is a freed slot held for a waitlisted patient.
type Offer struct {
	AppointmentID string    `bson:"appointmentId" json:"appointmentId"`
	Start         time.Time `bson:"start" json:"start"`
	End           time.Time `bson:"end" json:"end"`
	ProviderID    string    `bson:"providerId" json:"providerId"`
	ExpiresAt     time.Time `bson:"expiresAt" json:"expiresAt"`
}

// Notifier tells a patient about an offer; wired to the patients group (for
// contact details) and the notifications queue.
type Notifier interface {
	OfferSlot(ctx context.Context, clinicID string, e WaitlistEntry, o Offer) error
}

// OfferNotifier publishes offers to the notifications queue.
type OfferNotifier struct {
	Publisher notify.Publisher
	// Contact returns how to reach a patient (channel and address).
	Contact func(ctx context.Context, clinicID, patientID string) (notify.Channel, string, error)
	AppURL  string
	Clock   func() time.Time
}

// OfferSlot enqueues an SMS or e-mail with accept and decline links.
func (n *OfferNotifier) OfferSlot(ctx context.Context, clinicID string, e WaitlistEntry, o Offer) error {
	channel, to, err := n.Contact(ctx, clinicID, e.PatientID)
	if err != nil {
		return err
	}
	link := strings.TrimRight(n.AppURL, "/") + "/portal/offers/" + e.ID
	return n.Publisher.Publish(ctx, notify.Message{ID: ids.New(), ClinicID: clinicID, Channel: channel, To: to, Template: "waitlist-offer",
		Data: map[string]string{"start": o.Start.Format(time.RFC3339), "expiresAt": o.ExpiresAt.Format(time.RFC3339), "acceptUrl": link + "?answer=accept", "declineUrl": link + "?answer=decline",
			"patientId": e.PatientID},
		CreatedAt: n.Clock()})
}

// WaitlistInput creates or edits an entry.
type WaitlistInput struct {
	PatientID   *string   `json:"patientId"`
	TypeID      *string   `json:"typeId"`
	ProviderIDs *[]string `json:"providerIds"`
	Days        *[]string `json:"days"`
	From        *string   `json:"from"`
	To          *string   `json:"to"`
	Urgency     *int      `json:"urgency"`
	ExpiresOn   *string   `json:"expiresOn"`
	Note        *string   `json:"note"`
}

func (s *Store) applyWaitlist(ctx context.Context, clinicID string, e *WaitlistEntry, in WaitlistInput) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&e.PatientID, in.PatientID)
	set(&e.TypeID, in.TypeID)
	set(&e.From, in.From)
	set(&e.To, in.To)
	set(&e.ExpiresOn, in.ExpiresOn)
	set(&e.Note, in.Note)
	if in.ProviderIDs != nil && *in.ProviderIDs != nil {
		e.ProviderIDs = *in.ProviderIDs
	}
	if in.Days != nil && *in.Days != nil {
		e.Days = *in.Days
	}
	if in.Urgency != nil {
		e.Urgency = *in.Urgency
	}
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return err
	}
	var v errs.Validator
	v.Check(ids.Valid(e.PatientID), "patientId", "is required")
	t, okType := cat.apptType(e.TypeID)
	v.Check(okType, "typeId", "is not an appointment type of this practice")
	// An entry kept while its type was deactivated may still change; a
	// new wish for it may not.
	v.Check(!okType || in.TypeID == nil || t.Active, "typeId", "is no longer offered for new bookings")
	for _, p := range e.ProviderIDs {
		_, ok := cat.provider(p)
		v.Check(ok, "providerIds", "names a provider that is not in this practice")
	}
	for _, d := range e.Days {
		ok := false
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			ok = ok || d == avail.Day(wd)
		}
		v.Check(ok, "days", "must be weekday names like monday")
	}
	v.Check(e.Urgency >= 1 && e.Urgency <= 5, "urgency", "must be 1 to 5")
	fromOK, toOK := validHM(e.From), validHM(e.To)
	v.Check(fromOK, "from", "must be HH:MM")
	v.Check(toOK, "to", "must be HH:MM")
	v.Check(!fromOK || !toOK || e.To > e.From, "to", "must be after from")
	_, dateErr := time.Parse(time.DateOnly, e.ExpiresOn)
	v.Check(dateErr == nil, "expiresOn", "must be a date YYYY-MM-DD")
	return v.Err()
}

func validHM(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// AddToWaitlist creates an entry as the practice's own tools do (seed
// data, imports): without the checks of the API (addToWaitlist).
func (s *Store) AddToWaitlist(ctx context.Context, clinicID string, in WaitlistInput) (WaitlistEntry, error) {
	e, err := s.newEntry(ctx, clinicID, ids.New(), in)
	if err != nil {
		return WaitlistEntry{}, err
	}
	return e, s.waitlist.InsertOne(ctx, clinicID, e)
}

func (s *Store) newEntry(ctx context.Context, clinicID, id string, in WaitlistInput) (WaitlistEntry, error) {
	e := WaitlistEntry{ID: id, Status: Waiting, ProviderIDs: []string{}, Days: []string{}, Declined: []string{}, From: "08:00", To: "18:00", Urgency: 3}
	if err := s.applyWaitlist(ctx, clinicID, &e, in); err != nil {
		return WaitlistEntry{}, err
	}
	e.CreatedAt, e.UpdatedAt = s.clock.Now(), s.clock.Now()
	return e, nil
}

// addToWaitlist creates an entry asked for through the API, with the id a
// handler chose (to record the change before making it): a request is
// entered once (a duplicate of an open entry is Conflict), and a patient's
// own entries (byPatient) stay within the clinic's limit, counting the
// ones the practice added for them.
func (s *Store) addToWaitlist(ctx context.Context, clinicID, id string, in WaitlistInput, byPatient bool) (WaitlistEntry, error) {
	e, err := s.newEntry(ctx, clinicID, id, in)
	if err != nil {
		return WaitlistEntry{}, err
	}
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return WaitlistEntry{}, err
	}
	today := s.clock.Now().In(cat.location()).Format(time.DateOnly)
	limit := 0
	if byPatient {
		limit = cat.Settings.maxWaitlistEntries()
		open, err := s.ListWaitlist(ctx, clinicID, e.PatientID)
		if err != nil {
			return WaitlistEntry{}, err
		}
		n := 0
		for _, o := range open {
			if o.ExpiresOn >= today {
				n++
			}
		}
		if n >= limit {
			return WaitlistEntry{}, errTooManyEntries(limit)
		}
	}
	if err := s.takeEntryPlaces(ctx, clinicID, e, limit, today); err != nil {
		return WaitlistEntry{}, err
	}
	if err := s.waitlist.InsertOne(ctx, clinicID, e); err != nil {
		s.releasePlaces(ctx, clinicID, e.ID)
		return WaitlistEntry{}, err
	}
	s.changed(ctx, clinicID, LiveWaitlistUpdated, e.ID, e.Version)
	return e, nil
}

// WaitlistEntryByID returns an entry.
func (s *Store) WaitlistEntryByID(ctx context.Context, clinicID, id string) (WaitlistEntry, error) {
	return store.One[WaitlistEntry](ctx, s.waitlist, clinicID, id, errEntryNotFound)
}

var (
	errEntryNotFound = errs.E(errs.NotFound, "waitlist entry not found")
	errEntryChanged  = errs.E(errs.Conflict, "the waitlist entry changed meanwhile; reload it")
)

// changeEntry applies update to e, once: it moves e from the version it
// was read at (store.Versions), so of two concurrent changes (two answers
// to one offer) exactly one applies and the other is told to reload.
func (s *Store) changeEntry(ctx context.Context, clinicID string, e WaitlistEntry, update bson.D) error {
	won, err := s.versions.Update(ctx, s.waitlist, clinicID, e.ID, e.Version, update, nil)
	switch {
	case errs.Is(err, errs.NotFound) || err == nil && !won:
		return errEntryChanged
	case err == nil:
		s.changed(ctx, clinicID, LiveWaitlistUpdated, e.ID, e.Version+1)
	}
	return err
}

// UpdateWaitlist edits a waiting entry's preferences.
func (s *Store) UpdateWaitlist(ctx context.Context, clinicID, id string, in WaitlistInput) (WaitlistEntry, error) {
	e, err := s.WaitlistEntryByID(ctx, clinicID, id)
	if err != nil {
		return e, err
	}
	if err := s.applyWaitlist(ctx, clinicID, &e, in); err != nil {
		return e, err
	}
	e.UpdatedAt = s.clock.Now()
	err = s.changeEntry(ctx, clinicID, e, bson.D{{Key: "$set", Value: bson.D{
		{Key: "patientId", Value: e.PatientID}, {Key: "typeId", Value: e.TypeID}, {Key: "providerIds", Value: e.ProviderIDs}, {Key: "days", Value: e.Days},
		{Key: "from", Value: e.From}, {Key: "to", Value: e.To}, {Key: "urgency", Value: e.Urgency}, {Key: "expiresOn", Value: e.ExpiresOn},
		{Key: "note", Value: e.Note}, {Key: "updatedAt", Value: e.UpdatedAt}}}})
	e.Version++
	return e, err
}

// ListWaitlist returns live entries, most urgent and oldest first.
func (s *Store) ListWaitlist(ctx context.Context, clinicID, patientID string) ([]WaitlistEntry, error) {
	filter := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{Waiting, Offered}}}}}
	if patientID != "" {
		filter = append(filter, bson.E{Key: "patientId", Value: patientID})
	}
	var out []WaitlistEntry
	err := s.waitlist.Find(ctx, clinicID, filter, &out, options.Find().SetSort(bson.D{{Key: "urgency", Value: -1}, {Key: "createdAt", Value: 1}}).SetLimit(500))
	if out == nil {
		out = []WaitlistEntry{}
	}
	return out, err
}

// setEntry changes an entry's status (and offer) from the version e was
// read at, so concurrent answers to one offer resolve to one outcome.
func (s *Store) setEntry(ctx context.Context, clinicID string, e WaitlistEntry, status string, offer *Offer, declined string) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "offer", Value: offer}, {Key: "updatedAt", Value: s.clock.Now()}}}}
	if declined != "" {
		update = append(update, bson.E{Key: "$addToSet", Value: bson.D{{Key: "declined", Value: declined}}})
	}
	return s.changeEntry(ctx, clinicID, e, update)
}

// RemoveFromWaitlist takes an entry off the list. An open offer's hold, if
// still held, is released and its time offered to the next in line; a
// visit the offer already became (its hold confirmed) is left alone.
func (s *Store) RemoveFromWaitlist(ctx context.Context, clinicID, id string, by Actor) error {
	e, err := s.WaitlistEntryByID(ctx, clinicID, id)
	if err != nil {
		return err
	}
	var freed *Appointment
	if e.Offer != nil && e.Status == Offered {
		held, err := s.offeredHold(ctx, clinicID, e)
		if err != nil {
			return err
		}
		if held.Status == Held {
			if held, err = s.transition(ctx, clinicID, held, "cancel", by, CancelReason{Code: "other", Text: "waitlist entry removed"}, false); err != nil {
				return err
			}
			freed = &held
		}
	}
	if err := s.setEntry(ctx, clinicID, e, Removed, nil, ""); err != nil {
		return err
	}
	if freed != nil {
		_, err = s.OfferFreedSlot(ctx, clinicID, *freed, by)
	}
	return err
}

func slotKey(o Offer) string { return o.ProviderID + "@" + o.Start.UTC().Format(time.RFC3339) }

// matches reports whether a freed slot suits an entry.
func (e WaitlistEntry) matches(a Appointment, t AppointmentType, loc *time.Location, today string) bool {
	if e.Status != Waiting || e.ExpiresOn < today {
		return false
	}
	if len(e.ProviderIDs) > 0 && !slices.Contains(e.ProviderIDs, a.ProviderID) {
		return false
	}
	if a.End.Sub(a.Start) < time.Duration(t.DurationMinutes)*time.Minute {
		return false
	}
	local := a.Start.In(loc)
	if len(e.Days) > 0 && !slices.Contains(e.Days, avail.Day(local.Weekday())) {
		return false
	}
	end := a.Start.Add(time.Duration(t.DurationMinutes) * time.Minute).In(loc)
	return local.Format("15:04") >= e.From && end.Format("15:04") <= e.To &&
		!slices.Contains(e.Declined, slotKey(Offer{ProviderID: a.ProviderID, Start: a.Start}))
}

// OfferFreedSlot offers the time of a cancelled appointment to the best
// matching waitlist entry (most urgent, then oldest): the slot is held for
// that patient (a hold blocks everyone else, so a slot is never given twice)
// and they are told through the notifications queue.
func (s *Store) OfferFreedSlot(ctx context.Context, clinicID string, freed Appointment, by Actor) (*WaitlistEntry, error) {
	if s.notifier == nil || !freed.Start.After(s.clock.Now()) {
		return nil, nil
	}
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return nil, err
	}
	entries, err := s.ListWaitlist(ctx, clinicID, "")
	if err != nil {
		return nil, err
	}
	loc := cat.location()
	today := s.clock.Now().In(loc).Format(time.DateOnly)
	for _, e := range entries {
		t, ok := cat.apptType(e.TypeID)
		if !ok || !t.Active || !e.matches(freed, t, loc, today) {
			continue
		}
		if p, _ := cat.provider(freed.ProviderID); !t.takes(p.Kind) {
			continue // the freed provider may not take this visit
		}
		out, err := s.holdFor(ctx, clinicID, e, Booking{ProviderID: freed.ProviderID, OperatoryID: freed.OperatoryID, Start: freed.Start}, by)
		switch {
		case errors.Is(err, errEntryChanged):
			continue // the entry changed meanwhile (removed, or offered another time)
		case errs.Is(err, errs.Conflict):
			return nil, nil // someone booked the time first
		case err != nil:
			return nil, err
		}
		return &out, nil
	}
	return nil, nil
}

// holdFor holds the time of b (provider, chair, start) for e's patient and
// visit and offers it to them: the hold first (a hold blocks everyone
// else, so a slot is never given twice), then the entry moves to Offered
// from the version read, then the patient is told. An entry that changed
// meanwhile gets no offer (errEntryChanged) and the hold is released.
func (s *Store) holdFor(ctx context.Context, clinicID string, e WaitlistEntry, b Booking, by Actor) (WaitlistEntry, error) {
	b.PatientID, b.TypeID, b.Source, b.Hold, b.WaitlistEntryID = e.PatientID, e.TypeID, "waitlist", s.offerTTL, e.ID
	hold, err := s.Book(ctx, clinicID, b, by)
	if err != nil {
		return e, err
	}
	offer := &Offer{AppointmentID: hold.ID, Start: hold.Start, End: hold.End, ProviderID: hold.ProviderID, ExpiresAt: *hold.HoldExpiresAt}
	if err := s.setEntry(ctx, clinicID, e, Offered, offer, ""); err != nil {
		// Nobody was offered the hold: release it as any hold is
		// released (a hold without its claims could still be confirmed).
		if _, cerr := s.transition(context.WithoutCancel(ctx), clinicID, hold, "cancel", by, CancelReason{Code: "other", Text: "waitlist offer not made"}, false); cerr != nil {
			return e, cerr
		}
		return e, err
	}
	if err := s.notifier.OfferSlot(ctx, clinicID, e, *offer); err != nil {
		return e, err
	}
	e.Status, e.Offer = Offered, offer
	e.Version++
	return e, nil
}

var errNotWaiting = errs.E(errs.Conflict, "this patient is no longer waiting (an offer is out, or they were booked or removed); reload the waitlist")

// OfferTime offers the patient of waiting entry id the time staff chose
// (b's provider, chair and start, for the entry's visit), now: held for
// them and told exactly as a freed slot's offer is (holdFor). A time
// taken meanwhile, or an entry not waiting, is Conflict.
func (s *Store) OfferTime(ctx context.Context, clinicID, id string, b Booking, by Actor) (WaitlistEntry, error) {
	if s.notifier == nil {
		return WaitlistEntry{}, errs.E(errs.Unavailable, "offers cannot be sent: notifications are not configured")
	}
	e, err := s.WaitlistEntryByID(ctx, clinicID, id)
	if err != nil {
		return e, err
	}
	if e.Status != Waiting {
		return e, errNotWaiting
	}
	out, err := s.holdFor(ctx, clinicID, e, b, by)
	if errors.Is(err, errEntryChanged) {
		return out, errNotWaiting
	}
	return out, err
}

// BookFromWaitlist books b for waiting entry id (its patient, its visit)
// and takes the entry off the list as booked: the visit is made first, so
// a booking that fails leaves the patient waiting. An entry not waiting is
// Conflict; one whose patient or visit is not b's is Invalid.
func (s *Store) BookFromWaitlist(ctx context.Context, clinicID, id string, b Booking, by Actor) (Appointment, error) {
	e, err := s.WaitlistEntryByID(ctx, clinicID, id)
	if err != nil {
		return Appointment{}, err
	}
	if e.Status != Waiting {
		return Appointment{}, errNotWaiting
	}
	var v errs.Validator
	v.Check(e.PatientID == b.PatientID, "waitlistEntryId", "is another patient's waitlist entry")
	v.Check(e.TypeID == b.TypeID, "waitlistEntryId", "waits for another type of visit")
	if err := v.Err(); err != nil {
		return Appointment{}, err
	}
	a, err := s.Book(ctx, clinicID, b, by)
	if err != nil {
		return a, err
	}
	// The visit stands even if the entry changed meanwhile (an offer made
	// or the entry removed): the patient was booked as asked.
	if err := s.setEntry(ctx, clinicID, e, Booked, nil, ""); err != nil && !errors.Is(err, errEntryChanged) {
		return a, err
	}
	return a, nil
}

var errNoOffer = errs.E(errs.Conflict, "there is no open offer on this entry")

// offeredHold is the appointment e's open offer holds; one that is gone
// reads as a failed booking (it holds nothing).
func (s *Store) offeredHold(ctx context.Context, clinicID string, e WaitlistEntry) (Appointment, error) {
	a, err := s.Get(ctx, clinicID, e.Offer.AppointmentID)
	if errs.Is(err, errs.NotFound) {
		return Appointment{ID: e.Offer.AppointmentID, Status: Failed}, nil
	}
	return a, err
}

// AnswerOffer accepts (books the held slot) or declines (releases it and
// offers it to the next entry). An offer and its hold are one state
// machine, moved by the hold's versioned transitions: accepting confirms
// the hold, declining cancels it, and each applies only to a hold still
// held, so of a confirm and a decline racing one wins and the other is
// Conflict. An offer whose hold has moved on already (confirmed through
// the appointment, or cancelled) is settled to match it instead.
func (s *Store) AnswerOffer(ctx context.Context, clinicID, id string, accept bool, by Actor) (WaitlistEntry, error) {
	e, err := s.WaitlistEntryByID(ctx, clinicID, id)
	if err != nil {
		return e, err
	}
	if e.Status != Offered || e.Offer == nil {
		return e, errNoOffer
	}
	held, err := s.offeredHold(ctx, clinicID, e)
	if err != nil {
		return e, err
	}
	if held.Status != Held {
		out, err := s.settleOffer(ctx, clinicID, e, held, by)
		switch {
		case err != nil:
			return out, err
		case out.Status == Booked && accept:
			return out, nil // accepted already, through the appointment
		case out.Status == Booked:
			return out, errs.E(errs.Conflict, "this offer was accepted: cancel the appointment instead")
		default:
			return out, errNoOffer
		}
	}
	if !accept {
		return s.passOn(ctx, clinicID, e, held, "waitlist offer declined", by)
	}
	if held.lapsed(s.clock.Now()) {
		return e, errs.E(errs.Conflict, "the offer has expired")
	}
	booked, err := s.transition(ctx, clinicID, held, "confirm", by, CancelReason{}, false)
	if err != nil {
		return e, err
	}
	return s.settleOffer(ctx, clinicID, e, booked, by)
}

// passOn releases the hold of e's declined or lapsed offer, if it is still
// held, and settles the offer to match (see settleOffer).
func (s *Store) passOn(ctx context.Context, clinicID string, e WaitlistEntry, held Appointment, reason string, by Actor) (WaitlistEntry, error) {
	if held.Status == Held {
		var err error
		if held, err = s.transition(ctx, clinicID, held, "cancel", by, CancelReason{Code: "other", Text: reason}, false); err != nil {
			return e, err
		}
	}
	return s.settleOffer(ctx, clinicID, e, held, by)
}

// settleOffer brings e's open offer in line with its hold as it now is:
// a hold still held leaves it open; one confirmed books the entry; one
// released (cancelled, or never made) puts the entry back to waiting with
// that time declined and offers the time to the next in line. The entry
// moves from the version read (changeEntry): a settler that loses re-reads
// it, and finds it settled by the other, so only one offers the time on.
func (s *Store) settleOffer(ctx context.Context, clinicID string, e WaitlistEntry, held Appointment, by Actor) (WaitlistEntry, error) {
	if held.Status == Held {
		return e, nil
	}
	to, offer, declined := Waiting, (*Offer)(nil), ""
	if held.Status.occupies() {
		to = Booked
	}
	moved := false
	err := store.Retry(ctx, errEntryChanged, func() (bool, error) {
		if e.Status != Offered || e.Offer == nil || e.Offer.AppointmentID != held.ID {
			return true, nil // settled already, or no longer this hold's
		}
		if to == Booked {
			offer = e.Offer
		} else {
			declined = slotKey(*e.Offer)
		}
		err := s.setEntry(ctx, clinicID, e, to, offer, declined)
		if errs.Is(err, errs.Conflict) {
			e, err = s.WaitlistEntryByID(ctx, clinicID, e.ID)
			return false, err
		}
		if err == nil {
			moved = true
			e.Status, e.Offer = to, offer
			e.Version++
		}
		return err == nil, err
	})
	if err != nil || !moved || to != Waiting || held.Status != Cancelled {
		return e, err
	}
	_, err = s.OfferFreedSlot(ctx, clinicID, held, by)
	return e, err
}

// SettleHold settles the waitlist offer a hold was made for after the hold
// was confirmed or cancelled through the appointment: confirming an
// offered hold is accepting the offer, cancelling it is declining it.
func (s *Store) SettleHold(ctx context.Context, clinicID string, a Appointment, by Actor) error {
	if a.WaitlistEntryID == "" {
		return nil
	}
	e, err := s.WaitlistEntryByID(ctx, clinicID, a.WaitlistEntryID)
	if err != nil {
		return err
	}
	_, err = s.settleOffer(ctx, clinicID, e, a, by)
	return err
}

// System is the actor of what the waitlist does of its own accord.
var System = Actor{UserID: audit.SystemActor, Role: audit.SystemActor}

// ExpireOffers passes on every offer whose time ran out and drops entries
// past their date. Run on each waitlist read and by the reminders schedule,
// it acts as System, not as whoever's read set it off: each lapse is
// recorded in trail before it is made (audit.Log.SystemGuarded, with the
// id of the request that set it off, if one did), and the held
// appointment's history names the system.
func (s *Store) ExpireOffers(ctx context.Context, clinicID string, trail *audit.Log) error {
	entries, err := s.ListWaitlist(ctx, clinicID, "")
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, e := range entries {
		if e.Status == Offered && e.Offer != nil && !now.Before(e.Offer.ExpiresAt) {
			lapse := entryEntry("offer-lapse", e.ID, e.PatientID)
			lapse.Detail = "hold appointments/" + e.Offer.AppointmentID + " released, its time offered on"
			err := trail.SystemGuarded(ctx, clinicID, lapse, func() error {
				held, err := s.offeredHold(ctx, clinicID, e)
				if err == nil {
					_, err = s.passOn(ctx, clinicID, e, held, "waitlist offer lapsed", System)
				}
				return err
			})
			if err != nil && !errs.Is(err, errs.Conflict) {
				return err
			}
		}
	}
	return nil
}
