package apitest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Case is one request and what it must answer.
type Case struct {
	Name string
	// As names the caller (Env.Caller); "" is a new signed-out client.
	As     string
	Method string
	Path   string
	// Body is sent as Client.Do sends it.
	Body   any
	Status int
	// Want, when not nil, is compared with the decoded body on its own
	// keys only (see Diff): ids, timestamps and request ids it leaves out
	// are not compared.
	Want any
	// Opts are go-cmp options for the comparison (IgnoreOrder, ...).
	Opts []cmp.Option
	// Check, when not nil, asserts what Want cannot say.
	Check func(tb testing.TB, r Response)
}

// Run runs each case as a subtest, in order.
func (e *Env) Run(t *testing.T, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { e.Do(t, c) })
	}
}

// Do sends one case and fails the test unless the answer is what it
// wants; it returns the answer, for a scenario's next step.
func (e *Env) Do(tb testing.TB, c Case) Response {
	tb.Helper()
	cl := e.Client()
	if c.As != "" {
		cl = e.Caller(tb, c.As)
	}
	return c.Send(tb, cl)
}

// Send sends the case as cl and fails the test unless the answer is what
// it wants.
func (c Case) Send(tb testing.TB, cl *Client) Response {
	tb.Helper()
	r := cl.Do(tb, c.Method, c.Path, c.Body)
	if r.Status != c.Status {
		tb.Fatalf("%s %s: status %d, want %d: %s", c.Method, c.Path, r.Status, c.Status, r.Body)
	}
	if c.Want != nil {
		if d := Diff(c.Want, r.JSON(tb), c.Opts...); d != "" {
			tb.Fatalf("%s %s: body mismatch (-want +got):\n%s", c.Method, c.Path, d)
		}
	}
	if c.Check != nil {
		c.Check(tb, r)
	}
	return r
}

// Present in a Want matches any value but null or absence.
const Present = "<present>"

// IgnoreOrder compares every list as a multiset.
var IgnoreOrder = cmpopts.SortSlices(func(a, b any) bool { return jsonText(a) < jsonText(b) })

// Diff compares got, a decoded JSON value, with want (any value that
// encodes to JSON) on want's shape: an object in want is compared on its
// keys only, recursively, so a Want lists what matters and leaves the
// rest out; lists are compared element by element and in full length.
// The result is cmp.Diff's (-want +got), empty when they agree.
func Diff(want, got any, opts ...cmp.Option) string {
	w := normalize(want)
	return cmp.Diff(w, project(w, got), opts...)
}

// normalize is v as decoded JSON, so Go literals compare with answers.
func normalize(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(raw, &out) != nil {
		return v
	}
	return out
}

// project keeps of got what want speaks of.
func project(want, got any) any {
	switch w := want.(type) {
	case string:
		if w == Present && got != nil {
			return Present
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := make(map[string]any, len(w))
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				out[k] = project(wv, gv)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return got
		}
		out := make([]any, len(g))
		for i, gv := range g {
			out[i] = gv
			if i < len(w) {
				out[i] = project(w[i], gv)
			}
		}
		return out
	}
	return got
}

func jsonText(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// Error is the Want of an error answer: its code and, in order, the names
// of its fields (none: fields are not compared).
func Error(code string, fields ...string) map[string]any {
	e := map[string]any{"code": code}
	if len(fields) > 0 {
		fs := make([]any, len(fields))
		for i, f := range fields {
			fs[i] = map[string]any{"field": f}
		}
		e["fields"] = fs
	}
	return map[string]any{"error": e}
}
