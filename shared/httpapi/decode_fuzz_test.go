package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// fuzzBody has the shapes handlers decode into: strings, numbers, pointers,
// nested objects, lists of objects.
type fuzzBody struct {
	Name    *string                `json:"name"`
	Count   int                    `json:"count"`
	Amount  float64                `json:"amount"`
	OK      bool                   `json:"ok"`
	Tags    []string               `json:"tags"`
	Address *struct{ A, B string } `json:"address"`
	Items   []struct{ X int }      `json:"items"`
	Extra   map[string]string      `json:"extra"`
}

// FuzzDecode: whatever the body, Decode answers a client error (never a
// panic or an internal error), and what it accepts is one JSON value with
// no key, at any depth, that Mongo would read as an operator.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"Ana","count":2,"tags":["a"],"address":{"A":"x"},"items":[{"X":1}],"extra":{"k":"v"}}`,
		`{"name":"Ana"} {"name":"Eve"}`, `{"name":"Ana","NAME":"Eve"}`, `{"extra":{"$gt":""}}`,
		`{"$where":"1"}`, `{"items":[{"X":{"$ne":1}}]}`, `[` + strings.Repeat(`[`, 40) + `]`,
		`{"count":1e400}`, `{"count":"1"}`, `{"unknown":1}`, `null`, `""`, `{`, "\xff", `{"name":"\ud800"}`,
		`{"extra":{"a":"1","A":"2"}}`, `{"tags":null,"address":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&fuzzBody{}, &map[string]any{}} {
			req := httptest.NewRequest("POST", "/api/things", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			err := httpapi.Decode(httptest.NewRecorder(), req, dst)
			if err != nil {
				if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
					t.Fatalf("Decode(%q) = %v (kind %s), want a client error", body, err, k)
				}
				continue
			}
			if !json.Valid(body) {
				t.Fatalf("Decode accepted invalid JSON %q", body)
			}
			var v any
			dec := json.NewDecoder(bytes.NewReader(body))
			if err := dec.Decode(&v); err != nil || dec.More() {
				t.Fatalf("Decode accepted %q, which is not exactly one JSON value", body)
			}
			if k, ok := operatorKey(v); ok {
				t.Fatalf("Decode accepted %q with the operator key %q", body, k)
			}
		}
	})
}

func operatorKey(v any) (string, bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.HasPrefix(k, "$") {
				return k, true
			}
			if k, ok := operatorKey(e); ok {
				return k, true
			}
		}
	case []any:
		for _, e := range v {
			if k, ok := operatorKey(e); ok {
				return k, true
			}
		}
	}
	return "", false
}
