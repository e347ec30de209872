// Package liveevents is how a function that changes the schedule tells
// the open screens (scheduling's own routes, an SMS "C" confirming a visit,
// the reminders passing a lapsed offer on): through the live queue
// deployed, or the local stack's in-process fan-out. Its own package, so
// only those functions link it.
package liveevents

import (
	"context"
	"log/slog"
	"time"

	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// Config is the live queue (unset: no live events; the screens poll) and,
// as for the notifications queue, the runtime's region and credentials.
type Config struct {
	QueueURL        string `env:"LIVE_QUEUE_URL"`
	Region          string `env:"AWS_REGION"`
	AccessKeyID     string `env:"AWS_ACCESS_KEY_ID,secret"`
	SecretAccessKey string `env:"AWS_SECRET_ACCESS_KEY,secret"`
	SessionToken    string `env:"AWS_SESSION_TOKEN,secret"`
	Endpoint        string `env:"AWS_ENDPOINT_URL_SQS"`
}

// Wire turns on st's live events: to local when given (the local stack),
// else to the queue at cfg.
func Wire(st *scheduling.Store, cfg Config, local live.Publisher, log *slog.Logger, now func() time.Time) {
	pub := local
	if pub == nil && cfg.QueueURL != "" {
		q := sqsqueue.New(sqsqueue.Config{QueueURL: cfg.QueueURL, Region: cfg.Region, AccessKeyID: cfg.AccessKeyID,
			SecretAccessKey: cfg.SecretAccessKey, SessionToken: cfg.SessionToken, Endpoint: cfg.Endpoint})
		pub = live.QueuePublisher{Send: q.SendBody}
	}
	if pub != nil {
		st.WithLive(events{pub: pub, log: log, now: now})
	}
}

// events adapts the live publisher to what scheduling tells.
type events struct {
	pub live.Publisher
	log *slog.Logger
	now func() time.Time
}

func (e events) Changed(ctx context.Context, clinicID, kind, id string, version int) {
	if err := e.pub.PublishLive(ctx, clinicID, live.Event{Type: kind, ID: id, Version: version, At: e.now().UTC()}); err != nil {
		e.log.WarnContext(ctx, "live event not published", "type", kind, "id", id, "err", err.Error())
	}
}
