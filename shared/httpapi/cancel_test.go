package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// logLines decodes the JSON log lines written to logs.
func logLines(tb testing.TB, logs *bytes.Buffer) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

func TestClientThatWentAwayIsNotADependencyFailure(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cause      error
		cancel     bool
		wantStatus int
		wantMsg    string
		wantLevel  string
	}{
		{"cancelled by the client", fmt.Errorf("connection(db:27017) read: %w", context.Canceled), true, 499, "client went away", "INFO"},
		{"cancelled, any unavailable cause", fmt.Errorf("server selection: %w", context.DeadlineExceeded), true, 499, "client went away", "INFO"},
		{"a real timeout on a live request", fmt.Errorf("read: %w", context.DeadlineExceeded), false, 503, "dependency unavailable", "WARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := httpapi.NewLogger(&logs, slog.LevelInfo)
			rt := httpapi.NewRouter(log)
			rt.HandleFunc("GET /api/slow", func(w http.ResponseWriter, r *http.Request) error {
				return errs.Wrap(errs.Unavailable, tc.cause, "database unavailable")
			})
			h := httpapi.Stack(log, rt)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/slow", nil).WithContext(ctx))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tc.wantStatus)
			}

			var found bool
			for _, l := range logLines(t, &logs) {
				switch l["msg"] {
				case tc.wantMsg:
					found = true
					if l["level"] != tc.wantLevel {
						t.Errorf("%q logged at %v, want %s", tc.wantMsg, l["level"], tc.wantLevel)
					}
				case "dependency unavailable":
					if tc.cancel {
						t.Errorf("a cancelled request was logged as a dependency failure: %v", l)
					}
				case "request":
					// The access log is what 5xx counts come from.
					if got := int(l["status"].(float64)); got != tc.wantStatus {
						t.Errorf("access log status = %d, want %d", got, tc.wantStatus)
					}
				}
			}
			if !found {
				t.Fatalf("no %q line in %s", tc.wantMsg, logs.String())
			}
		})
	}
}

func TestInternalErrorStillReportedWhenClientLeft(t *testing.T) {
	var logs bytes.Buffer
	log := httpapi.NewLogger(&logs, slog.LevelInfo)
	rt := httpapi.NewRouter(log)
	rt.HandleFunc("GET /api/broken", func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("nil map write")
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	httpapi.Stack(log, rt).ServeHTTP(rec, httptest.NewRequest("GET", "/api/broken", nil).WithContext(ctx))
	if rec.Code != 500 || !strings.Contains(logs.String(), `"msg":"internal error"`) {
		t.Fatalf("status %d, logs %s", rec.Code, logs.String())
	}
}
