package notes_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
)

// call is one request of an access table and the status it must get.
type call struct {
	name   string
	cl     *apitest.Client
	method string
	path   string
	body   any
	status int
}

func runCalls(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: c.method, Path: c.path, Body: c.body, Status: c.status}.Send(t, c.cl)
		})
	}
}

// oneWins sends the same request from racers goroutines at once and fails
// unless exactly one gets 200 and every other 409.
func oneWins(t *testing.T, send func() int) {
	t.Helper()
	const racers = 8
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() { statuses[i] = send() })
	}
	wg.Wait()
	slices.Sort(statuses)
	if want := append([]int{200}, slices.Repeat([]int{409}, racers-1)...); !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want one 200 and %d 409s", statuses, racers-1)
	}
}

// clinicalActions are the note and prescription actions of the patient's
// trail with their outcomes, oldest first.
func clinicalActions(t *testing.T, e *clinicaltest.Env, patientID string) []string {
	t.Helper()
	var out []string
	for _, r := range e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: patientID}) {
		if strings.HasPrefix(r.Action, "note.") || strings.HasPrefix(r.Action, "prescription.") {
			out = append(out, r.Action+":"+string(r.Outcome))
		}
	}
	return out
}
