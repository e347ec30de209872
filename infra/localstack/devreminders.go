package localstack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// DevRemindersRunPath runs the reminders job now (dev token only).
const DevRemindersRunPath = "POST /_dev/reminders/run"

// RemindersFunction is the scheduled function the local stack runs itself.
const RemindersFunction = "RemindersFunction"

// Locally the schedules run more often than deployed (15 minutes and one
// minute), so a booking's reminder and a quiet-hours hold show soon.
const (
	RemindersEvery = time.Minute
	SweepEvery     = 15 * time.Second
)

// maxDevRunBody bounds POST /_dev/reminders/run ({"at"}).
const maxDevRunBody = 1 << 10

// DevRemindersRun is POST /_dev/reminders/run, optionally {"at":"RFC 3339"}:
// the reminders job as EventBridge Scheduler would invoke it, run as of at
// (default now), answering the job's result. Browser tests book a visit,
// run it twice and find one reminder in /_dev/outbox. It sits behind
// devOnly (X-Dev-Token).
func DevRemindersRun(job boot.ScheduleHandler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			At string `json:"at"`
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDevRunBody))
		if err != nil {
			httpapi.WriteError(w, r, log, errs.E(errs.TooLarge, "the body is at most {\"at\":\"RFC 3339\"}"))
			return
		}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				httpapi.WriteError(w, r, log, errs.InvalidFields(errs.FieldError{Field: "at", Message: "the body must be {\"at\":\"RFC 3339\"} or empty"}))
				return
			}
			if _, err := time.Parse(time.RFC3339, in.At); in.At != "" && err != nil {
				httpapi.WriteError(w, r, log, errs.InvalidFields(errs.FieldError{Field: "at", Message: "must be an RFC 3339 instant"}))
				return
			}
		}
		input, _ := json.Marshal(map[string]string{"job": "reminders", "at": in.At})
		if in.At == "" {
			input = []byte(`{"job":"reminders"}`)
		}
		res, err := job(r.Context(), input)
		if err != nil {
			httpapi.WriteError(w, r, log, err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, res)
	})
}

// RunSchedules runs the stack's scheduled jobs in-process until ctx ends,
// standing in for EventBridge Scheduler: the reminders job every
// RemindersEvery and the outbox sweep every SweepEvery, each run logged
// when it fails. The returned wait blocks until both loops have stopped
// (call it after ending ctx, before closing the functions' clients).
func (s *Stack) RunSchedules(ctx context.Context, log *slog.Logger) (wait func()) {
	job, ok := s.Schedules[RemindersFunction]
	if !ok {
		return func() {}
	}
	var wg sync.WaitGroup
	loop := func(every time.Duration, input string) {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := job(ctx, json.RawMessage(input)); err != nil && ctx.Err() == nil {
				log.Warn("scheduled job failed", "input", input, "err", err.Error())
			}
		}
	}
	wg.Add(2)
	go loop(RemindersEvery, `{"job":"reminders"}`)
	go loop(SweepEvery, `{"job":"sweep"}`)
	return wg.Wait
}
