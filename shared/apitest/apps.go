package apitest

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/notify"
)

// Outbox is a notify.Publisher that keeps what it is given, for the apps'
// Options in place of the queue.
type Outbox struct {
	mu  sync.Mutex
	msg []notify.Message
}

var _ notify.Publisher = (*Outbox)(nil)

// Publish keeps m.
func (o *Outbox) Publish(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msg = append(o.msg, m)
	return nil
}

// Messages are the published messages, oldest first.
func (o *Outbox) Messages() []notify.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msg)
}

// Last is the latest message (the zero Message when there is none).
func (o *Outbox) Last() notify.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.msg) == 0 {
		return notify.Message{}
	}
	return o.msg[len(o.msg)-1]
}

// Build is the app build assembles from the function configuration C read
// from lookup (a storetest.FunctionEnv's); it fails the test on any error.
func Build[C any](tb testing.TB, lookup config.Lookup, build func(C) (*boot.App, error)) *boot.App {
	tb.Helper()
	var cfg C
	if err := config.LoadFrom(lookup, &cfg); err != nil {
		tb.Fatal(err)
	}
	a, err := build(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// Options are the boot options of an app under test: c for its clock and
// log for its logger (nil: logs are discarded).
func Options(c clock.Clock, log *slog.Logger) boot.Options {
	if log == nil {
		log = httpapi.NewLogger(io.Discard, nil)
	}
	return boot.Options{Log: log, Clock: c}
}
