// Package reminders sends what each clinic schedules ahead of time: the
// request to confirm a visit, the reminders before it, the note that a
// hygiene recall is due, and the nudge about consent forms still unsigned;
// and it passes on lapsed waitlist offers. The reminders function runs it
// every 15 minutes (EventBridge Scheduler), the local stack every minute.
//
// Exactly once without locks: every message's id is a hash of its rule and
// what it is about (the appointment and its start, the patient and their
// due date, the consent), and the outbox stores a message insert-first on
// that id. Two runs at once, or a run repeated, store it once and queue it
// once; a moved visit has a new start and so gets its reminders again.
//
// A rule of H hours fires for a visit once now >= start - H while more than
// H/2 is left (a run missed by the schedule still sends; a visit booked
// inside the window does not get a pointless one: a visit booked 23 h ahead
// gets the 24 h reminder, not the 48 h confirmation request). Quiet hours
// hold a message until they end; a reminder the quiet hours would hold
// until H/2 or less before the visit is not sent at all (the 2 h reminder
// of an 8:30 visit is not sent at 8:00).
//
// Work per run is bounded (Limits): so many clinics and so many new
// messages. A cursor in Redis remembers the last clinic done, and the next
// run starts after it (wrapping round), so no clinic starves; a clinic cut
// short by the message budget is taken up first by the next run.
package reminders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
)

// Templates of the messages sent here.
const (
	TemplateConfirm  = "appointment-confirm-request"
	TemplateReminder = "appointment-reminder"
	TemplateRecall   = "recall-due"
	TemplateConsent  = "consent-unsigned"
)

// Clinic is what a run needs of a clinic (the identity group's settings).
type Clinic struct {
	ID, Name, TimeZone string
	// QuietStart and QuietEnd are "HH:MM" in the clinic's zone.
	QuietStart, QuietEnd string
	// Hours before a visit of each rule; 0 turns the rule off.
	ConfirmHours, FirstHours, SecondHours int
	Recall, Consents                      bool
}

// Visit is an upcoming appointment.
type Visit struct {
	ID, PatientID string
	Start         time.Time
	// Confirmed: the patient confirmed it (else it is only scheduled).
	Confirmed bool
}

// Contact is how a patient gets reminders; an empty To is not at all (no
// address, a preference of none, reminders turned off, archived).
type Contact struct {
	Channel   notify.Channel
	To        string
	FirstName string
}

// Due is a patient's recall due date (YYYY-MM-DD).
type Due struct{ PatientID, DueDate string }

// Form is a consent form sent to a patient and still unsigned.
type Form struct{ ID, PatientID, AppointmentID string }

// Clinics pages over every clinic in id order.
type Clinics interface {
	ClinicsAfter(ctx context.Context, after string, limit int) ([]Clinic, error)
}

// Schedule is what a run reads of the scheduling group.
type Schedule interface {
	// Visits are clinicID's scheduled and confirmed visits starting in
	// [from, to).
	Visits(ctx context.Context, clinicID string, from, to time.Time) ([]Visit, error)
	// Visit is one scheduled or confirmed visit; ok is false for any
	// other (gone, cancelled, done).
	Visit(ctx context.Context, clinicID, id string) (v Visit, ok bool, err error)
	// Upcoming reports whether patientID has a visit held, scheduled or
	// confirmed after now.
	Upcoming(ctx context.Context, clinicID, patientID string, now time.Time) (bool, error)
	// ExpireOffers passes on clinicID's lapsed waitlist offers.
	ExpireOffers(ctx context.Context, clinicID string) error
}

// People is what a run reads of the patients group.
type People interface {
	Contact(ctx context.Context, clinicID, patientID string) (Contact, error)
	// RecallsDue calls each for every active patient whose recall is due
	// on a date in [from, to], soonest first, until each returns an error
	// (which it returns).
	RecallsDue(ctx context.Context, clinicID, from, to string, each func(Due) error) error
}

// Forms is what a run reads of the clinical group's consents.
type Forms interface {
	// Unsigned are clinicID's consents still unsigned, sent in [from, to).
	Unsigned(ctx context.Context, clinicID string, from, to time.Time) ([]Form, error)
}

// Limits bound one run.
type Limits struct {
	Clinics  int // clinics per run (default 200)
	Messages int // new messages per run (default 500)
	Page     int // clinics read per query (default 50)
	// Sweep is how many due outbox records a sweep publishes (default 500).
	Sweep int
}

func (l Limits) withDefaults() Limits {
	if l.Clinics <= 0 {
		l.Clinics = 200
	}
	if l.Messages <= 0 {
		l.Messages = 500
	}
	if l.Page <= 0 {
		l.Page = 50
	}
	if l.Sweep <= 0 {
		l.Sweep = 500
	}
	return l
}

// Runner runs the rules of every clinic.
type Runner struct {
	Clinics  Clinics
	Schedule Schedule
	People   People
	Forms    Forms
	// OptOuts is read before a message is made: an opted-out address gets
	// nothing, not even a record (the consumer's gate would refuse it too).
	OptOuts prefs.OptOuts
	Outbox  *outbox.Publisher
	// Redis keeps the cursor under CursorKey (default DefaultCursorKey;
	// nil Redis: every run starts at the first clinic).
	Redis     *redis.Client
	CursorKey string
	Log       *slog.Logger
	AppURL    string
	Limits    Limits
}

// DefaultCursorKey is where the last clinic done is kept.
const DefaultCursorKey = "reminders:cursor"

func (r *Runner) cursorKey() string {
	if r.CursorKey != "" {
		return r.CursorKey
	}
	return DefaultCursorKey
}

// cursorTTL forgets a cursor no run has moved for a day (a clinic deleted).
const cursorTTL = 24 * time.Hour

// clinicTimeout bounds one clinic's work.
const clinicTimeout = 20 * time.Second

// Grace periods: how long after its time a message is still worth sending
// when runs were missed (a recall found late, a consent reminder).
const (
	RecallGrace  = 14 * 24 * time.Hour
	ConsentAfter = 24 * time.Hour
	ConsentGrace = 6 * 24 * time.Hour
)

// Report says what a run did.
type Report struct {
	Clinics int `json:"clinics"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"` // clinics whose rules failed (logged)
	// Complete: every clinic was visited (no limit cut the run short).
	Complete bool `json:"complete"`
}

// errBudget stops a run whose message budget is spent.
var errBudget = errors.New("reminders: message budget spent")

// run is one Run's state.
type run struct {
	*Runner
	now    time.Time
	limits Limits
	report Report
}

// Run runs every clinic's rules as of now, within the limits, starting
// after the stored cursor. It returns an error only for a dependency that
// is down (the schedule retries); a clinic whose rules fail otherwise is
// logged and counted, and the others go on.
func (r *Runner) Run(ctx context.Context, now time.Time) (Report, error) {
	st := &run{Runner: r, now: now.UTC(), limits: r.Limits.withDefaults()}
	start := r.cursor(ctx)
	after, wrapped := start, start == ""
	for {
		page, err := r.Clinics.ClinicsAfter(ctx, after, st.limits.Page)
		if err != nil {
			return st.report, err
		}
		if wrapped && start != "" {
			page = upTo(page, start)
		}
		if len(page) == 0 {
			if wrapped {
				st.report.Complete = true
				return st.report, nil
			}
			wrapped, after = true, ""
			continue
		}
		for _, c := range page {
			if st.report.Clinics >= st.limits.Clinics {
				return st.report, nil
			}
			err := st.clinic(ctx, c)
			if errors.Is(err, errBudget) {
				// after is the clinic before c: the next run starts with c.
				r.setCursor(ctx, after)
				return st.report, nil
			}
			if errs.Is(err, errs.Unavailable) {
				return st.report, err
			}
			if err != nil {
				st.report.Failed++
				r.Log.ErrorContext(ctx, "reminders of a clinic failed", "clinicId", c.ID, "err", err.Error())
			}
			st.report.Clinics++
			after = c.ID
			r.setCursor(ctx, after)
		}
	}
}

// upTo is the clinics of page up to and including id (the second lap of a
// run that started after id stops there).
func upTo(page []Clinic, id string) []Clinic {
	for i, c := range page {
		if c.ID > id {
			return page[:i]
		}
	}
	return page
}

func (r *Runner) cursor(ctx context.Context) string {
	if r.Redis == nil {
		return ""
	}
	v, err := r.Redis.Get(ctx, r.cursorKey()).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		r.Log.WarnContext(ctx, "reminders cursor unreadable: starting at the first clinic", "err", err.Error())
	}
	return v
}

func (r *Runner) setCursor(ctx context.Context, id string) {
	if r.Redis == nil {
		return
	}
	if err := r.Redis.Set(ctx, r.cursorKey(), id, cursorTTL).Err(); err != nil {
		r.Log.WarnContext(ctx, "reminders cursor not stored", "err", err.Error())
	}
}

// Sweep publishes the outbox's due records (held by quiet hours, or not
// queued when the queue was down).
func (r *Runner) Sweep(ctx context.Context) (int, error) {
	return r.Outbox.Sweep(ctx, r.Limits.withDefaults().Sweep)
}

// clinicRun is one clinic's part of a run.
type clinicRun struct {
	*run
	c     Clinic
	loc   *time.Location
	quiet prefs.Quiet
}

func (st *run) clinic(ctx context.Context, c Clinic) error {
	ctx, cancel := context.WithTimeout(ctx, clinicTimeout)
	defer cancel()
	cr := &clinicRun{run: st, c: c, loc: time.UTC}
	if loc, err := time.LoadLocation(c.TimeZone); err == nil && c.TimeZone != "" {
		cr.loc = loc
	}
	if q, err := prefs.ParseQuiet(c.QuietStart, c.QuietEnd); err == nil {
		cr.quiet = q
	}
	if err := st.Schedule.ExpireOffers(ctx, c.ID); err != nil {
		if errs.Is(err, errs.Unavailable) {
			return err
		}
		st.Log.WarnContext(ctx, "lapsed waitlist offers not passed on", "clinicId", c.ID, "err", err.Error())
	}
	for _, rule := range []visitRule{
		{"confirm", TemplateConfirm, c.ConfirmHours, func(v Visit) bool { return !v.Confirmed }},
		{"first", TemplateReminder, c.FirstHours, nil},
		{"second", TemplateReminder, c.SecondHours, nil},
	} {
		if rule.hours <= 0 {
			continue
		}
		if err := cr.visits(ctx, rule); err != nil {
			return err
		}
	}
	if c.Recall {
		if err := cr.recalls(ctx); err != nil {
			return err
		}
	}
	if c.Consents {
		if err := cr.consents(ctx); err != nil {
			return err
		}
	}
	return nil
}

// visitRule is a message sent hours before each visit that only admits
// (all when nil). Its name, not its hours, is in the message id: a clinic
// that changes the hours does not send it twice.
type visitRule struct {
	name, template string
	hours          int
	only           func(Visit) bool
}

// visits sends rule's message to the visits in its window.
func (cr *clinicRun) visits(ctx context.Context, rule visitRule) error {
	lead := time.Duration(rule.hours) * time.Hour
	// now >= start - lead and start - now > lead/2: start in (now+lead/2, now+lead].
	list, err := cr.Schedule.Visits(ctx, cr.c.ID, cr.now.Add(lead/2+time.Nanosecond), cr.now.Add(lead+time.Nanosecond))
	if err != nil {
		return err
	}
	notBefore := prefs.NextSendTime(cr.now, cr.loc, cr.quiet)
	for _, v := range list {
		if rule.only != nil && !rule.only(v) {
			continue
		}
		if v.Start.Sub(notBefore) <= lead/2 {
			continue // quiet hours would hold it until too close to the visit
		}
		id := MessageID(rule.template, rule.name, cr.c.ID, v.ID, v.Start.UTC().Format(time.RFC3339Nano))
		data := map[string]string{"start": v.Start.UTC().Format(time.RFC3339), "manageUrl": cr.link("/portal")}
		if err := cr.send(ctx, id, rule.template, v.PatientID, data, notBefore); err != nil {
			return err
		}
	}
	return nil
}

// recalls tells each patient whose recall fell due (today or in the grace
// before) and who has no visit booked, once per due date.
func (cr *clinicRun) recalls(ctx context.Context) error {
	today := cr.now.In(cr.loc)
	from, to := today.Add(-RecallGrace).Format(time.DateOnly), today.Format(time.DateOnly)
	notBefore := prefs.NextSendTime(cr.now, cr.loc, cr.quiet)
	return cr.People.RecallsDue(ctx, cr.c.ID, from, to, func(d Due) error {
		id := MessageID(TemplateRecall, cr.c.ID, d.PatientID, d.DueDate)
		if seen, err := cr.seen(ctx, id); err != nil || seen {
			return err
		}
		booked, err := cr.Schedule.Upcoming(ctx, cr.c.ID, d.PatientID, cr.now)
		if err != nil || booked {
			return err
		}
		return cr.send(ctx, id, TemplateRecall, d.PatientID, map[string]string{"bookUrl": cr.link("/portal/book")}, notBefore)
	})
}

// consents reminds of each form sent more than a day ago and still
// unsigned, once per form.
func (cr *clinicRun) consents(ctx context.Context) error {
	sentBefore := cr.now.Add(-ConsentAfter)
	forms, err := cr.Forms.Unsigned(ctx, cr.c.ID, sentBefore.Add(-ConsentGrace), sentBefore)
	if err != nil {
		return err
	}
	notBefore := prefs.NextSendTime(cr.now, cr.loc, cr.quiet)
	for _, f := range forms {
		id := MessageID(TemplateConsent, cr.c.ID, f.ID)
		if seen, err := cr.seen(ctx, id); err != nil || seen {
			return err
		}
		data := map[string]string{"formsUrl": cr.link("/portal/forms")}
		if f.AppointmentID != "" {
			v, ok, err := cr.Schedule.Visit(ctx, cr.c.ID, f.AppointmentID)
			if err != nil {
				return err
			}
			if ok && v.Start.After(cr.now) {
				data["start"] = v.Start.UTC().Format(time.RFC3339)
			}
		}
		if err := cr.send(ctx, id, TemplateConsent, f.PatientID, data, notBefore); err != nil {
			return err
		}
	}
	return nil
}

func (cr *clinicRun) link(path string) string { return strings.TrimRight(cr.AppURL, "/") + path }

// seen reports whether the message id is stored already (sent by an
// earlier run): the cheap check before anything else is read.
func (cr *clinicRun) seen(ctx context.Context, id string) (bool, error) {
	_, err := cr.Outbox.Store.Get(ctx, cr.c.ID, id)
	switch {
	case err == nil:
		return true, nil
	case errs.Is(err, errs.NotFound):
		return false, nil
	}
	return false, err
}

// send makes message id of template for patientID, unless it was made
// before, the patient is not to be reached, or has opted out of the
// channel; it counts against the run's budget.
func (cr *clinicRun) send(ctx context.Context, id, template, patientID string, data map[string]string, notBefore time.Time) error {
	if cr.report.Sent >= cr.limits.Messages {
		return errBudget
	}
	if seen, err := cr.seen(ctx, id); err != nil || seen {
		return err
	}
	to, err := cr.People.Contact(ctx, cr.c.ID, patientID)
	if errs.Is(err, errs.NotFound) {
		return nil // the patient is gone
	}
	if err != nil || to.To == "" {
		return err
	}
	if cr.OptOuts != nil {
		out, err := cr.OptOuts.OptedOut(ctx, cr.c.ID, to.Channel, to.To)
		if err != nil || out {
			return err
		}
	}
	data["clinicName"], data["timeZone"], data["patientId"] = cr.c.Name, cr.loc.String(), patientID
	if to.FirstName != "" {
		data["firstName"] = to.FirstName
	}
	m := notify.Message{ID: id, ClinicID: cr.c.ID, Channel: to.Channel, To: to.To, Template: template, Data: data, CreatedAt: cr.now}
	if !notBefore.After(cr.now) {
		notBefore = time.Time{}
	}
	if err := cr.Outbox.PublishAt(ctx, m, notBefore); err != nil {
		return err
	}
	cr.report.Sent++
	return nil
}

// MessageID is the dedupe key of a scheduled message: its template and
// what it is about.
func MessageID(template string, parts ...string) string {
	sum := sha256.Sum256([]byte(template + "/" + strings.Join(parts, "/")))
	return "rem-" + hex.EncodeToString(sum[:12])
}
