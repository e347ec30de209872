package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

type createPatient struct {
	FirstName string `json:"firstName"`
	Age       int    `json:"age"`
	Tags      []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Extra map[string]any `json:"extra"`
}

func newTestStack(tb testing.TB, logs io.Writer) (*httpapi.Router, http.Handler) {
	tb.Helper()
	log := httpapi.NewLogger(logs, slog.LevelInfo)
	rt := httpapi.NewRouter(log)
	rt.HandleFunc("POST /api/things", func(w http.ResponseWriter, r *http.Request) error {
		var in createPatient
		if err := httpapi.Decode(w, r, &in); err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusCreated, in)
		return nil
	})
	rt.HandleFunc("GET /api/things/{id}", func(w http.ResponseWriter, r *http.Request) error {
		switch r.PathValue("id") {
		case "panic":
			panic("secret internal detail: mongodb://user:pw@host")
		case "internal":
			return errors.New("dial tcp 10.0.0.7:27017: secret internal detail")
		case "limited":
			return &errs.Error{Kind: errs.RateLimited, Message: "slow down", RetryAfterSeconds: 7}
		}
		return errs.E(errs.NotFound, "thing not found")
	})
	return rt, httpapi.Stack(log, rt)
}

func decodeError(tb testing.TB, body []byte) httpapi.ErrorDetail {
	tb.Helper()
	var e httpapi.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		tb.Fatalf("error body is not the contract's shape: %v: %s", err, body)
	}
	return e.Error
}

func TestDecode(t *testing.T) {
	big := `{"firstName":"` + strings.Repeat("a", httpapi.MaxBodyBytes) + `"}`
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
		wantField   string
	}{
		{"valid", "application/json", `{"firstName":"Ana","age":30}`, 201, "", ""},
		{"valid with charset", "application/json; charset=utf-8", `{"firstName":"Ana"}`, 201, "", ""},
		{"no content type", "", `{"firstName":"Ana"}`, 415, "unsupported_media_type", ""},
		{"form content type", "application/x-www-form-urlencoded", `firstName=Ana`, 415, "unsupported_media_type", ""},
		{"too large", "application/json", big, 413, "too_large", ""},
		{"empty", "application/json", ``, 400, "invalid", ""},
		{"broken json", "application/json", `{"firstName":`, 400, "invalid", ""},
		{"trailing data", "application/json", `{"firstName":"a"} {"firstName":"b"}`, 400, "invalid", ""},
		{"unknown field", "application/json", `{"firstName":"Ana","role":"admin"}`, 400, "invalid", "role"},
		{"wrong type", "application/json", `{"age":"thirty"}`, 400, "invalid", "age"},
		{"duplicate key", "application/json", `{"firstName":"Ana","firstName":"Eve"}`, 400, "invalid", "firstName"},
		{"duplicate key differing in case", "application/json", `{"firstName":"Ana","FirstName":"Eve"}`, 400, "invalid", "FirstName"},
		{"dollar key top level", "application/json", `{"$where":"1"}`, 400, "invalid", "$where"},
		{"dollar key nested in map", "application/json", `{"extra":{"q":{"$ne":null}}}`, 400, "invalid", "extra.q.$ne"},
		{"dollar key in array", "application/json", `{"tags":[{"name":"a"},{"$gt":""}]}`, 400, "invalid", "tags[1].$gt"},
		{"not an object", "application/json", `[1,2]`, 400, "invalid", ""},
		{"too deep", "application/json", `{"extra":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 41), 400, "invalid", ""},
	}
	_, h := newTestStack(t, io.Discard)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/things", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %.200s", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantStatus < 400 {
				return
			}
			e := decodeError(t, rec.Body.Bytes())
			if e.Code != tc.wantCode {
				t.Errorf("code = %q, want %q", e.Code, tc.wantCode)
			}
			if e.RequestID == "" || e.RequestID != rec.Header().Get("X-Request-Id") {
				t.Errorf("requestId %q does not match header %q", e.RequestID, rec.Header().Get("X-Request-Id"))
			}
			if tc.wantField != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tc.wantField) {
				t.Errorf("fields = %+v, want one for %q", e.Fields, tc.wantField)
			}
		})
	}
}

func TestErrorsNeverLeakInternals(t *testing.T) {
	for _, id := range []string{"panic", "internal"} {
		t.Run(id, func(t *testing.T) {
			var logs bytes.Buffer
			_, h := newTestStack(t, &logs)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/things/"+id, nil))
			if rec.Code != 500 {
				t.Fatalf("status = %d, want 500", rec.Code)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Fatalf("internal detail reached the client: %s", rec.Body)
			}
			e := decodeError(t, rec.Body.Bytes())
			if e.Code != "internal" || e.Message != "internal error" || e.RequestID == "" {
				t.Fatalf("error = %+v", e)
			}
			// The log line has the cause and the same request id, for support.
			if !strings.Contains(logs.String(), "secret internal detail") || !strings.Contains(logs.String(), `"requestId":"`+e.RequestID+`"`) {
				t.Fatalf("log lacks cause or request id: %s", logs.String())
			}
		})
	}
}

func TestErrorKindsMapToStatus(t *testing.T) {
	_, h := newTestStack(t, io.Discard)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/things/limited", nil))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "7" {
		t.Fatalf("status %d Retry-After %q, want 429 and 7", rec.Code, rec.Header().Get("Retry-After"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/things/nope", nil))
	if e := decodeError(t, rec.Body.Bytes()); rec.Code != 404 || e.Code != "not_found" || e.Message != "thing not found" {
		t.Fatalf("status %d error %+v", rec.Code, e)
	}
	for kind, status := range map[errs.Kind]int{
		errs.Invalid: 400, errs.Unauthorized: 401, errs.Forbidden: 403, errs.NotFound: 404, errs.Conflict: 409,
		errs.TooLarge: 413, errs.UnsupportedMedia: 415, errs.Unprocessable: 422, errs.RateLimited: 429,
		errs.Unavailable: 503, errs.Internal: 500, errs.Kind("made-up"): 500,
	} {
		if got := httpapi.Status(kind); got != status {
			t.Errorf("Status(%s) = %d, want %d", kind, got, status)
		}
	}
}

func TestUnmatchedRoutesAnswerInContractShape(t *testing.T) {
	_, h := newTestStack(t, io.Discard)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/nothing", nil))
	if e := decodeError(t, rec.Body.Bytes()); rec.Code != 404 || e.Code != "not_found" {
		t.Fatalf("404: status %d error %+v", rec.Code, e)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/api/things", nil))
	if e := decodeError(t, rec.Body.Bytes()); rec.Code != 405 || e.Code != "method_not_allowed" || !strings.Contains(rec.Header().Get("Allow"), "POST") {
		t.Fatalf("405: status %d allow %q error %+v", rec.Code, rec.Header().Get("Allow"), e)
	}
}

func TestRequestID(t *testing.T) {
	_, h := newTestStack(t, io.Discard)
	tests := []struct {
		name, sent string
		echoed     bool
	}{
		{"client id echoed", "abc-123_x.y:z", true},
		{"none sent", "", false},
		{"log injection refused", "abc\n{\"level\":\"ERROR\"}", false},
		{"too long refused", strings.Repeat("a", 129), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/things/x", nil)
			if tc.sent != "" {
				req.Header.Set("X-Request-Id", tc.sent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get("X-Request-Id")
			if tc.echoed && got != tc.sent {
				t.Fatalf("X-Request-Id = %q, want %q", got, tc.sent)
			}
			if !tc.echoed && (got == "" || got == tc.sent) {
				t.Fatalf("X-Request-Id = %q, want a fresh id", got)
			}
		})
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	_, h := newTestStack(t, io.Discard)
	for _, path := range []string{"/api/things/x", "/api/nothing", "/api/things/panic"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		for _, k := range []string{"Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"} {
			if rec.Header().Get(k) == "" {
				t.Errorf("%s: missing %s", path, k)
			}
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", path, rec.Header().Get("Cache-Control"))
		}
	}
	// Outside /api (the SPA), caching is left to the file server.
	rec := httptest.NewRecorder()
	httpapi.SecurityHeaders(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/index.html", nil))
	if rec.Header().Get("Cache-Control") == "no-store" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("SPA headers: %v", rec.Header())
	}
}

func TestAccessLogHasRouteAndNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	_, h := newTestStack(t, &logs)
	req := httptest.NewRequest("POST", "/api/things?token=querysecret", strings.NewReader(`{"firstName":"BodySecret"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", "access_token=cookiesecret")
	req.Header.Set("Authorization", "Bearer headersecret")
	req.Header.Set("X-Request-Id", "req-42")
	h.ServeHTTP(httptest.NewRecorder(), req)

	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("access log is not one JSON line: %v: %s", err, logs.String())
	}
	want := map[string]any{"msg": "request", "method": "POST", "route": "POST /api/things", "status": float64(201), "requestId": "req-42"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["durationMs"]; !ok {
		t.Error("log lacks durationMs")
	}
	for _, secret := range []string{"querysecret", "BodySecret", "cookiesecret", "headersecret"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %s: %s", secret, logs.String())
		}
	}
}

func TestRoutesAreRecorded(t *testing.T) {
	rt, _ := newTestStack(t, io.Discard)
	got := strings.Join(rt.Routes(), ",")
	if got != "GET /api/things/{id},POST /api/things" {
		t.Fatalf("Routes() = %s", got)
	}
}

func TestClientIPIgnoresForwardedFor(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "203.0.113.9:5555"
	req.Header.Set("X-Forwarded-For", "1.2.3.4")
	if ip := httpapi.ClientIP(req); ip != "203.0.113.9" {
		t.Fatalf("ClientIP = %q", ip)
	}
	req.RemoteAddr = "198.51.100.7" // API Gateway's sourceIp via the Lambda adapter: no port
	if ip := httpapi.ClientIP(req); ip != "198.51.100.7" {
		t.Fatalf("ClientIP = %q", ip)
	}
}

func TestCrossSiteStateChangeIsRefused(t *testing.T) {
	_, h := newTestStack(t, io.Discard)
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"same origin fetch", map[string]string{"Sec-Fetch-Site": "same-origin"}, 201},
		{"cross site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same site other origin", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"cross origin by Origin header", map[string]string{"Origin": "https://evil.example"}, 403},
		{"matching Origin", map[string]string{"Origin": "http://example.com"}, 201},
		{"non-browser client", nil, 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "http://example.com/api/things", strings.NewReader(`{"firstName":"Ana"}`))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 403 && decodeError(t, rec.Body.Bytes()).Code != "forbidden" {
				t.Fatalf("body %s", rec.Body)
			}
		})
	}
}
