package scheduling

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/notify"
)

// NoticeKind is what happened to a patient's visit that they are told
// about at once.
type NoticeKind string

// The notices, each its notification template.
const (
	NoticeBooked    NoticeKind = "appointment-booked"
	NoticeMoved     NoticeKind = "appointment-moved"
	NoticeCancelled NoticeKind = "appointment-cancelled"
)

// AppointmentNotices tells a patient that their visit was booked, moved
// (from previousStart) or cancelled; wired to the patients group (contact
// and preference), identity (the clinic's name and zone) and the queue.
type AppointmentNotices interface {
	AppointmentChanged(ctx context.Context, clinicID string, kind NoticeKind, a Appointment, previousStart time.Time) error
}

// noticeTimeout bounds telling the queue, on a context of its own: the
// change is made, and a client that went away must not cancel its notice.
const noticeTimeout = 3 * time.Second

// WithAppointmentNotices turns on telling patients of bookings, moves and
// cancellations; failures are logged to log (the change stands).
func (s *Store) WithAppointmentNotices(n AppointmentNotices, log *slog.Logger) *Store {
	s.notices, s.noticeLog = n, log
	return s
}

// notice tells a's patient of kind. The change is already made: a notice
// that cannot be queued is logged (ids only), never the request's error.
func (s *Store) notice(ctx context.Context, clinicID string, kind NoticeKind, a Appointment, previousStart time.Time) {
	if s.notices == nil || a.PatientID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	if err := s.notices.AppointmentChanged(ctx, clinicID, kind, a, previousStart); err != nil && s.noticeLog != nil {
		s.noticeLog.WarnContext(ctx, "appointment notice not queued", "appointmentId", a.ID, "notice", string(kind), "err", err.Error())
	}
}

// NoticePublisher publishes appointment notices to the notifications queue.
type NoticePublisher struct {
	Publisher notify.Publisher
	// Contact is how to reach the patient (their preferred channel and
	// address, and their first name); "" address: nowhere (no message).
	Contact func(ctx context.Context, clinicID, patientID string) (channel notify.Channel, to, firstName string, err error)
	// Clinic is the clinic's name and IANA time zone.
	Clinic func(ctx context.Context, clinicID string) (name, timeZone string, err error)
	AppURL string
	Clock  func() time.Time
}

var _ AppointmentNotices = (*NoticePublisher)(nil)

// AppointmentChanged enqueues the notice. Its id is derived from the
// appointment, its version and the kind, so a change told twice (a retried
// request) is delivered once: the consumer delivers each id once.
func (n *NoticePublisher) AppointmentChanged(ctx context.Context, clinicID string, kind NoticeKind, a Appointment, previousStart time.Time) error {
	channel, to, first, err := n.Contact(ctx, clinicID, a.PatientID)
	if err != nil || to == "" {
		return err
	}
	name, tz, err := n.Clinic(ctx, clinicID)
	if err != nil {
		return err
	}
	base := strings.TrimRight(n.AppURL, "/")
	data := map[string]string{"start": a.Start.UTC().Format(time.RFC3339), "clinicName": name, "timeZone": tz, "firstName": first,
		"patientId": a.PatientID} // for the admin's list, never rendered
	switch kind {
	case NoticeCancelled:
		data["bookUrl"] = base + "/portal/book"
	default:
		data["manageUrl"] = base + "/portal"
	}
	if kind == NoticeMoved && !previousStart.IsZero() {
		data["previousStart"] = previousStart.UTC().Format(time.RFC3339)
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d/%s", clinicID, a.ID, a.Version, kind))
	return n.Publisher.Publish(ctx, notify.Message{ID: "appt-" + hex.EncodeToString(sum[:12]), ClinicID: clinicID, Channel: channel, To: to,
		Template: string(kind), Data: data, CreatedAt: n.Clock()})
}
