package localstack_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// On the seeded stack, /_dev/twilio/inbound plays Twilio: a text "C" from
// the demo patient's phone, signed with the stack's token over PUBLIC_URL,
// goes through the real webhook and confirms her next visit (the browser
// suite's "a simulated signed C reply confirms the appointment"). It
// answers only the dev token; the webhook itself refuses an unsigned post.
func TestDevTwilioInboundConfirmsTheDemoPatientsVisit(t *testing.T) {
	deps := newDeps(t)
	deps.DevToken = "dev-token-for-the-twilio-test"
	stack, err := localstack.Build(loadTemplate(t), deps, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stack.Close)
	ctx := context.Background()
	if err := localstack.Bootstrap(ctx, deps, localstack.BootstrapOptions{Seed: true, Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	clinic, err := identity.NewStore(deps.Mongo, deps.Clock).FirstClinic(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if clinic.Settings.SMSNumber != localstack.DefaultTextingNumber {
		t.Fatalf("first clinic's texting number %q, want %q", clinic.Settings.SMSNumber, localstack.DefaultTextingNumber)
	}
	const jordanPhone = "+12125550199"
	found, err := patients.NewStore(deps.Mongo, deps.Clock).ByPhone(ctx, clinic.ID, jordanPhone)
	if err != nil || len(found) != 1 || found[0].FirstName != "Jordan" {
		t.Fatalf("the demo patient by her mobile: %v %+v", err, found)
	}
	visit := bookAroundTheClock(t, deps, clinic.ID, found[0].ID, 50*time.Hour)

	post := func(body string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000/_dev/twilio/inbound", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		stack.Handler.ServeHTTP(w, r)
		return w
	}
	token := []string{localstack.HeaderDevToken, deps.DevToken}
	for _, tc := range []struct {
		name   string
		body   string
		header []string
		want   int
	}{
		{"no dev token", `{"from":"+12125550199","body":"C"}`, nil, http.StatusUnauthorized},
		{"a wrong dev token", `{"from":"+12125550199","body":"C"}`, []string{localstack.HeaderDevToken, "guess"}, http.StatusForbidden},
		{"not a number", `{"from":"jordan","body":"C"}`, token, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if w := post(tc.body, tc.header...); w.Code != tc.want {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tc.want)
			}
		})
	}
	st := wire.Scheduling(deps.Mongo, deps.Redis, deps.Clock, nil, "")
	if a, _ := st.Get(ctx, clinic.ID, visit.ID); a.Status != scheduling.Scheduled {
		t.Fatalf("a refused call changed the visit: %s", a.Status)
	}
	w := post(`{"from":"+12125550199","body":"C"}`, token...)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/xml; charset=utf-8" || !strings.Contains(w.Body.String(), "is confirmed") {
		t.Fatalf("signed C: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if sid := w.Header().Get(localstack.HeaderMessageSid); !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(sid) {
		t.Fatalf("MessageSid %q", sid)
	}
	if a, _ := st.Get(ctx, clinic.ID, visit.ID); a.Status != scheduling.Confirmed {
		t.Fatalf("visit %s after the signed C, want confirmed", a.Status)
	}
	unsigned := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000/api/webhooks/twilio/inbound",
		strings.NewReader("From=%2B12125550199&To=%2B15005550006&Body=C&MessageSid=SM00000000000000000000000000000001"))
	unsigned.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	got := httptest.NewRecorder()
	stack.Handler.ServeHTTP(got, unsigned)
	if got.Code != http.StatusForbidden {
		t.Fatalf("unsigned post to the webhook: %d %s", got.Code, got.Body)
	}
}

// bookAroundTheClock books patientID at clinicID in from now, on a new
// provider and chair working every hour of every day.
func bookAroundTheClock(t *testing.T, deps localstack.Deps, clinicID, patientID string, in time.Duration) scheduling.Appointment {
	t.Helper()
	ctx := context.Background()
	st := wire.Scheduling(deps.Mongo, deps.Redis, deps.Clock, nil, "")
	o, err := st.CreateOperatory(ctx, clinicID, "Texting test chair")
	if err != nil {
		t.Fatal(err)
	}
	name, kind := "Dr Texting Test", "dentist"
	p, err := st.CreateProvider(ctx, clinicID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{o.ID}})
	if err != nil {
		t.Fatal(err)
	}
	week := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		week[avail.Day(d)] = []avail.Window{{Start: "00:00", End: "24:00"}}
	}
	if _, err := st.SetHours(ctx, clinicID, p.ID, week); err != nil {
		t.Fatal(err)
	}
	start := deps.Clock.Now().UTC().Truncate(time.Hour).Add(in)
	a, err := st.Book(ctx, clinicID, scheduling.Booking{PatientID: patientID, ProviderID: p.ID, OperatoryID: o.ID,
		Start: start, End: start.Add(30 * time.Minute), Source: "staff"}, scheduling.Actor{UserID: "test", Role: "system"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
