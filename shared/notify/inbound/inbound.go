// Package inbound is what Twilio posts to us and what the front desk reads
// of it: the two webhooks of the twilio-webhook function (delivery status
// callbacks, and patients' replies) and the clinic's inbox of replies that
// are neither a confirmation nor STOP/START.
//
// Both webhooks are Public routes: X-Twilio-Signature over PUBLIC_URL + the
// path and the posted form is their authentication, checked before anything
// is read or written (403 otherwise). Replies are idempotent by MessageSid:
// the sid is claimed by an insert into a unique _id first, so a retried or
// duplicated post acts once, and a claim whose processing failed is given
// back so Twilio's retry processes it.
package inbound

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/twilio"
	"github.com/topsmile/topsmile/shared/store"
)

// The webhook routes, under PUBLIC_URL.
const (
	StatusRoute  = "POST " + twilio.StatusPath
	InboundPath  = "/api/webhooks/twilio/inbound"
	InboundRoute = "POST " + InboundPath
)

// ClaimCollection holds one record per inbound MessageSid taken.
const ClaimCollection = "twilio_inbound"

// MaxFormBytes bounds a webhook's form: Twilio's are a few hundred bytes
// (a text is at most 1,600 characters).
const MaxFormBytes = 64 << 10

// errorOptedOut is Twilio's "the recipient replied STOP to this sender".
const errorOptedOut = "21610"

// releaseTimeout bounds giving a claim back after a failure, on a context
// of its own (the request's may be what ran out).
const releaseTimeout = 3 * time.Second

// Clinic is what a reply needs of the clinic that owns the number texted.
type Clinic struct {
	ID       string
	Name     string
	TimeZone string
}

// Clinics finds the clinic whose texting number is number (E.164);
// errs.NotFound when none.
type Clinics interface {
	ClinicByNumber(ctx context.Context, number string) (Clinic, error)
}

// Patients finds the patients of a clinic whose phone is number.
type Patients interface {
	PatientsByPhone(ctx context.Context, clinicID, number string) ([]string, error)
}

// Appointments confirms the next unconfirmed future appointment of any of
// patientIDs at clinicID through the scheduling group's own transition;
// ok is false when there is none. start is the confirmed visit's start.
type Appointments interface {
	ConfirmNext(ctx context.Context, clinicID string, patientIDs []string) (start time.Time, ok bool, err error)
}

// OptOuts is the opt-out ledger as the webhook uses it.
type OptOuts interface {
	OptOut(ctx context.Context, clinicID string, ch notify.Channel, address, source string, at time.Time) error
	OptIn(ctx context.Context, clinicID string, ch notify.Channel, address string) error
	OptedOut(ctx context.Context, clinicID string, ch notify.Channel, address string) (bool, error)
}

var _ OptOuts = (*prefs.Ledger)(nil)

// Deliveries is the outbox as status callbacks use it.
type Deliveries interface {
	Delivered(ctx context.Context, sid, status string) (bool, error)
	ByProviderID(ctx context.Context, sid string) (outbox.Record, error)
}

var _ Deliveries = (*outbox.Store)(nil)

// Webhook is both Twilio webhooks.
type Webhook struct {
	Validator    *twilio.Validator
	Deliveries   Deliveries
	OptOuts      OptOuts
	Inbox        *Store
	Clinics      Clinics
	Patients     Patients
	Appointments Appointments
	Claims       *store.Collection
	Clock        clock.Clock
	Log          *slog.Logger
}

// NewClaims declares the inbound claims' collection (no I/O).
func NewClaims(m *store.Mongo) *store.Collection { return m.Collection(ClaimCollection) }

// WebhookRoutes registers both webhooks (Public routes: the signature is
// their authentication).
func WebhookRoutes(r *authz.Router, h *Webhook) {
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	if h.Clock == nil {
		h.Clock = clock.Real{}
	}
	r.HandleFunc(StatusRoute, h.status)
	r.HandleFunc(InboundRoute, h.inbound)
}

var errSignature = errs.E(errs.Forbidden, "invalid X-Twilio-Signature")

// verified parses the bounded form and checks its signature.
func (h *Webhook) verified(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if h.Validator == nil || !h.Validator.ValidRequest(r) {
		return errSignature
	}
	return nil
}

// status is a delivery status callback: the text's delivery status rises
// (never falls), and Twilio's own STOP handling (error 21610) is recorded
// in our ledger too. A sid or status we do not know is acknowledged with
// nothing changed: Twilio would only retry it.
func (h *Webhook) status(w http.ResponseWriter, r *http.Request) error {
	if err := h.verified(w, r); err != nil {
		return err
	}
	sid, status := r.PostForm.Get("MessageSid"), strings.ToLower(r.PostForm.Get("MessageStatus"))
	if sid == "" {
		return twiml(w, "")
	}
	if outbox.DeliveryRank(status) > 0 {
		if _, err := h.Deliveries.Delivered(r.Context(), sid, status); err != nil {
			return err
		}
	}
	if r.PostForm.Get("ErrorCode") == errorOptedOut {
		rec, err := h.Deliveries.ByProviderID(r.Context(), sid)
		switch {
		case errs.Is(err, errs.NotFound):
		case err != nil:
			return err
		case rec.Channel == notify.SMS && rec.To != "":
			if err := h.OptOuts.OptOut(r.Context(), rec.ClinicID, notify.SMS, rec.To, "sms-stop", h.Clock.Now()); err != nil {
				return err
			}
		}
	}
	return twiml(w, "")
}

// inbound is a text a patient sent to a clinic's number.
func (h *Webhook) inbound(w http.ResponseWriter, r *http.Request) error {
	if err := h.verified(w, r); err != nil {
		return err
	}
	f := r.PostForm
	sid, from, to := f.Get("MessageSid"), strings.TrimSpace(f.Get("From")), strings.TrimSpace(f.Get("To"))
	if sid == "" || from == "" {
		return twiml(w, "")
	}
	clinic, err := h.Clinics.ClinicByNumber(r.Context(), to)
	switch {
	case errs.Is(err, errs.NotFound):
		return twiml(w, "") // not a number of ours: nothing stored
	case err != nil:
		return err
	}
	first, err := h.claim(r.Context(), clinic.ID, sid)
	if err != nil {
		return err
	}
	if !first {
		return twiml(w, "") // a retry or a duplicate: acted on already
	}
	reply, err := h.process(r.Context(), clinic, sid, from, f.Get("Body"))
	if err != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), releaseTimeout)
		defer cancel()
		if _, rerr := h.Claims.DeleteOne(ctx, clinic.ID, bson.D{{Key: "_id", Value: sid}}); rerr != nil {
			// Twilio's retry will be taken for a duplicate: say so, ids only.
			h.Log.ErrorContext(r.Context(), "twilio inbound claim not released", "messageSid", sid, "error", rerr)
		}
		if !errs.Is(err, errs.Unavailable) {
			err = errs.Wrap(errs.Unavailable, err, "could not process the message; try again")
		}
		return err
	}
	return twiml(w, reply)
}

// claim records sid as taken; false when it was already.
func (h *Webhook) claim(ctx context.Context, clinicID, sid string) (bool, error) {
	err := h.Claims.InsertOne(ctx, clinicID, bson.D{{Key: "_id", Value: sid}, {Key: "at", Value: h.Clock.Now().UTC().Truncate(time.Millisecond)}})
	switch {
	case err == nil:
		return true, nil
	case errs.Is(err, errs.Conflict) || store.IsDuplicate(err):
		return false, nil
	}
	return false, err
}

// process acts on one claimed reply and says what to answer.
func (h *Webhook) process(ctx context.Context, c Clinic, sid, from, body string) (string, error) {
	optedOut, err := h.OptOuts.OptedOut(ctx, c.ID, notify.SMS, from)
	if err != nil {
		return "", err
	}
	switch twilio.Classify(body, optedOut) {
	case twilio.Stop:
		// Twilio answers STOP and START itself (its compliance replies).
		return "", h.OptOuts.OptOut(ctx, c.ID, notify.SMS, from, "sms-stop", h.Clock.Now())
	case twilio.Start:
		return "", h.OptOuts.OptIn(ctx, c.ID, notify.SMS, from)
	case twilio.Confirm:
		return h.confirm(ctx, c, from)
	}
	patients, err := h.Patients.PatientsByPhone(ctx, c.ID, from)
	if err != nil {
		return "", err
	}
	patientID := ""
	if len(patients) == 1 {
		// A number a family shares names no one patient: the desk decides.
		patientID = patients[0]
	}
	if err := h.Inbox.Insert(ctx, c.ID, sid, from, patientID, body); err != nil {
		return "", err
	}
	if optedOut {
		return "", nil // no text to a number that asked for none
	}
	return "Thanks, " + c.Name + " got your message.", nil
}

// confirm confirms the sender's next visit.
func (h *Webhook) confirm(ctx context.Context, c Clinic, from string) (string, error) {
	patients, err := h.Patients.PatientsByPhone(ctx, c.ID, from)
	if err != nil {
		return "", err
	}
	sorry := "We couldn't find an upcoming visit to confirm; please call " + c.Name + "."
	if len(patients) == 0 {
		return sorry, nil
	}
	start, ok, err := h.Appointments.ConfirmNext(ctx, c.ID, patients)
	if err != nil || !ok {
		return sorry, err
	}
	loc, lerr := time.LoadLocation(c.TimeZone)
	if lerr != nil || c.TimeZone == "" {
		loc = time.UTC
	}
	return "Thanks, your visit at " + c.Name + " on " + start.In(loc).Format("Mon Jan 2 at 3:04 PM") + " is confirmed.", nil
}

// twiml answers Twilio: an empty Response, or one Message of text.
func twiml(w http.ResponseWriter, text string) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response>`)
	if text != "" {
		b.WriteString("<Message>")
		if err := xml.EscapeText(&b, []byte(text)); err != nil {
			return errs.Wrap(errs.Internal, err, "internal error")
		}
		b.WriteString("</Message>")
	}
	b.WriteString("</Response>")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b.String()) // a caller gone away reads nothing
	return nil
}

// Config is the webhook function's Twilio settings: the auth token Twilio
// signs with, and the public origin it calls (API Gateway and CloudFront
// change host and path, so the URL signed is PUBLIC_URL + the route).
type Config struct {
	AuthToken string `env:"TWILIO_AUTH_TOKEN,required,secret"`
	PublicURL string `env:"PUBLIC_URL,required"`
}

// Validator checks the settings and builds the signature validator.
func (c Config) Validator() (*twilio.Validator, error) {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("PUBLIC_URL must be an origin such as https://clinic.example")
	}
	if c.AuthToken == "" {
		return nil, errors.New("TWILIO_AUTH_TOKEN is required")
	}
	return twilio.NewValidator(c.PublicURL, c.AuthToken), nil
}
