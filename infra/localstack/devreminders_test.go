package localstack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
)

func TestDevRemindersRun(t *testing.T) {
	deps := newDeps(t)
	deps.DevToken = devToken
	stack, err := localstack.Build(loadTemplate(t), deps, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stack.Close)
	post := func(body string, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000/_dev/reminders/run", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if token != "" {
			r.Header.Set(localstack.HeaderDevToken, token)
		}
		w := httptest.NewRecorder()
		stack.Handler.ServeHTTP(w, r)
		return w
	}
	for _, tc := range []struct {
		name, body, token string
		status            int
		asOf              string
	}{
		{"no dev token", ``, "", 401, ""},
		{"a wrong dev token", ``, "guess", 403, ""},
		{"not an instant", `{"at":"tomorrow"}`, devToken, 400, ""},
		{"not JSON", `at=now`, devToken, 400, ""},
		{"now", ``, devToken, 200, ""},
		{"as of an instant", `{"at":"2026-12-09T13:00:00Z"}`, devToken, 200, "2026-12-09T13:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := post(tc.body, tc.token)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status != 200 {
				return
			}
			var res struct {
				Job    string
				AsOf   string
				Report *struct{ Clinics, Sent int }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || res.Job != "reminders" || res.Report == nil {
				t.Fatalf("answer %s (%v)", w.Body, err)
			}
			if tc.asOf != "" && res.AsOf != tc.asOf {
				t.Fatalf("ran as of %s, want %s", res.AsOf, tc.asOf)
			}
		})
	}
	// The in-process schedules stop when their context ends.
	ctx, cancel := context.WithCancel(context.Background())
	wait := stack.RunSchedules(ctx, deps.Log)
	cancel()
	wait()
}
