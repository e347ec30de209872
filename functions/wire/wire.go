// Package wire holds the cross-group adapters that more than one
// composition root uses (the scheduling store as patients and scheduling
// wire it). Groups never import each other; only the composition roots
// (functions/<name>/app) and this package do. An adapter only one function
// needs lives in that function's app package, so no binary links a group
// it does not serve.
package wire

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
)

// ClinicSettings lets scheduling read the clinic rules the identity group
// owns.
func ClinicSettings(m *store.Mongo, c clock.Clock) scheduling.SettingsSource {
	clinics := identity.NewStore(m, c)
	return func(ctx context.Context, clinicID string) (scheduling.Settings, error) {
		cl, err := clinics.Clinic(ctx, clinicID)
		st := cl.Settings
		return scheduling.Settings{TimeZone: st.TimeZone, SlotMinutes: st.SlotMinutes, CancelNoticeHours: st.CancelNoticeHours,
			MaxFutureAppointmentsPerPatient: st.MaxFutureAppointmentsPerPatient, MaxWaitlistEntriesPerPatient: st.MaxWaitlistEntriesPerPatient,
			MinBookingNoticeMinutes: st.MinBookingNoticeMinutes}, err
	}
}

// WaitlistNotifier sends waitlist offers through the queue to the contact the
// patients group has on file (SMS when the patient prefers it and has a
// phone, e-mail otherwise).
func WaitlistNotifier(m *store.Mongo, c clock.Clock, pub notify.Publisher, appURL string) *scheduling.OfferNotifier {
	ps := patients.NewStore(m, c)
	return &scheduling.OfferNotifier{
		Publisher: pub, AppURL: appURL, Clock: c.Now,
		Contact: func(ctx context.Context, clinicID, patientID string) (notify.Channel, string, error) {
			p, err := ps.Get(ctx, clinicID, patientID)
			if err != nil {
				return "", "", err
			}
			// An offer is what the patient asked for: it goes out even to
			// one who prefers no messages.
			ch, to := Contact(p)
			if to == "" && p.Email != "" {
				ch, to = notify.Email, p.Email
			}
			return ch, to, nil
		},
	}
}

// AppointmentNotices tells patients of their bookings, moves and
// cancellations through the queue: by their preferred channel (SMS when
// they prefer it and have a phone, else e-mail, else SMS), in the clinic's
// name and time zone.
func AppointmentNotices(m *store.Mongo, c clock.Clock, pub notify.Publisher, appURL string) *scheduling.NoticePublisher {
	ps := patients.NewStore(m, c)
	clinics := identity.NewStore(m, c)
	return &scheduling.NoticePublisher{
		Publisher: pub, AppURL: appURL, Clock: c.Now,
		Contact: func(ctx context.Context, clinicID, patientID string) (notify.Channel, string, string, error) {
			p, err := ps.Get(ctx, clinicID, patientID)
			if err != nil {
				return "", "", "", err
			}
			first := p.PreferredName
			if first == "" {
				first = p.FirstName
			}
			ch, to := Contact(p)
			return ch, to, first, nil
		},
		Clinic: func(ctx context.Context, clinicID string) (string, string, error) {
			cl, err := clinics.Clinic(ctx, clinicID)
			return cl.Name, cl.Settings.TimeZone, err
		},
	}
}

// Contact is how the clinic reaches p by their preference: a text to their
// number in E.164 when they prefer texts (or have no email), else email;
// "" when they want no messages or have nowhere to receive them.
func Contact(p patients.Patient) (notify.Channel, string) {
	phone := notify.E164(p.Phone)
	switch {
	case p.PreferredContactMethod == "none":
		return "", ""
	case p.PreferredContactMethod == "sms" && phone != "", p.Email == "" && phone != "":
		return notify.SMS, phone
	case p.Email != "":
		return notify.Email, p.Email
	}
	return "", ""
}

// OfferTTL is how long a waitlist offer holds a freed slot.
const OfferTTL = 30 * time.Minute

// Scheduling is the scheduling store as the functions wire it: clinic
// settings from identity, recall into patients and, when pub is set,
// waitlist offers through the queue with links to appURL.
func Scheduling(m *store.Mongo, rdb *redis.Client, c clock.Clock, pub notify.Publisher, appURL string) *scheduling.Store {
	st := scheduling.NewStore(m, rdb, ClinicSettings(m, c), c).WithRecall(patients.NewStore(m, c).RecordHygieneVisit)
	if pub != nil {
		st.WithWaitlistOffers(WaitlistNotifier(m, c, pub, appURL), OfferTTL)
	}
	return st
}

// AppointmentsTimeline is the scheduling group's part of a patient's
// timeline: their appointments with type and status (every role that may
// open the timeline may see appointments).
func AppointmentsTimeline(st *scheduling.Store) patients.TimelineSource {
	return patients.TimelineFunc(func(ctx context.Context, p authz.Principal, patientID string) ([]patients.TimelineEntry, error) {
		list, err := st.PatientAppointments(ctx, p.ClinicID, patientID, 200)
		if err != nil {
			return nil, err
		}
		out := make([]patients.TimelineEntry, 0, len(list))
		for _, a := range list {
			title := st.TypeName(ctx, p.ClinicID, a.TypeID)
			if title == "" {
				title = "Appointment"
			}
			out = append(out, patients.TimelineEntry{At: a.Start, Kind: "appointment", ID: a.ID, Title: title, Status: string(a.Status)})
		}
		return out, nil
	})
}
