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

// Logs keeps what an app logs, for tests that count what went wrong
// without failing the request.
type Logs struct {
	mu      sync.Mutex
	records []slog.Record
}

// Logger is a logger (at every level) into l.
func (l *Logs) Logger() *slog.Logger { return slog.New(logsHandler{l, nil}) }

// Count is how many records have the message msg.
func (l *Logs) Count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Message == msg {
			n++
		}
	}
	return n
}

type logsHandler struct {
	l     *Logs
	attrs []slog.Attr
}

func (h logsHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h logsHandler) Handle(_ context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(h.attrs...)
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	h.l.records = append(h.l.records, r)
	return nil
}

func (h logsHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logsHandler{h.l, append(slices.Clone(h.attrs), as...)}
}

func (h logsHandler) WithGroup(string) slog.Handler { return h }
