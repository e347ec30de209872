package lambdatest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// sqsStub answers SQS's JSON protocol SendMessage as the service does
// (the SDK checks the body's MD5) and keeps the messages sent.
type sqsStub struct {
	mu   sync.Mutex
	sent []notify.Message
}

func (s *sqsStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ QueueUrl, MessageBody string }
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("X-Amz-Target") != "AmazonSQS.SendMessage" || json.Unmarshal(body, &in) != nil {
		http.Error(w, `{"__type":"InvalidAction"}`, http.StatusBadRequest)
		return
	}
	var m notify.Message
	_ = json.Unmarshal([]byte(in.MessageBody), &m)
	s.mu.Lock()
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	sum := md5.Sum([]byte(in.MessageBody))
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(map[string]string{"MessageId": ids.New(), "MD5OfMessageBody": hex.EncodeToString(sum[:])})
}

func (s *sqsStub) messages() []notify.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notify.Message(nil), s.sent...)
}

// TestRemindersUnderRIE runs the built reminders binary, configured as
// template.yaml configures it (its SQS endpoint a local stub), on a clinic
// with a visit 20 hours ahead: the schedule's event, delivered twice,
// queues the 24 h reminder once; the sweep's event runs only the sweep.
func TestRemindersUnderRIE(t *testing.T) {
	env := requireEnv(t)
	ctx := context.Background()
	db := "lambdatest_reminders_" + ids.New()
	m := store.NewMongo(store.MongoConfig{URI: env.mongoURI, Database: db, MaxPoolSize: 4, Timeout: 10 * time.Second})
	t.Cleanup(func() {
		if d, err := m.Database(); err == nil {
			_ = d.Drop(context.Background())
		}
		_ = m.Close(context.Background())
	})
	rdb, err := store.NewRedis(store.RedisConfig{URL: env.redisURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })

	// The clinic, a patient reached by e-mail, and a visit about 20 h from
	// now (on the hour, in the provider's hours whatever the time of day).
	c := clock.Real{}
	clinic, err := identity.NewStore(m, c).CreateClinic(ctx, "Riverside Dental")
	if err != nil {
		t.Fatal(err)
	}
	p, err := patients.NewStore(m, c).Create(ctx, clinic.ID, patients.Patient{FirstName: "Ana", LastName: "Patient", DateOfBirth: "1990-01-01", Email: "ana@patients.example"})
	if err != nil {
		t.Fatal(err)
	}
	st := wire.Scheduling(m, rdb, c, nil, "")
	chair, err := st.CreateOperatory(ctx, clinic.ID, "Op 1")
	if err != nil {
		t.Fatal(err)
	}
	name, kind := "Dr Okafor", "dentist"
	prov, err := st.CreateProvider(ctx, clinic.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{chair.ID}})
	if err != nil {
		t.Fatal(err)
	}
	hours := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		hours[avail.Day(d)] = []avail.Window{{Start: "00:00", End: "23:59"}}
	}
	if _, err := st.SetHours(ctx, clinic.ID, prov.ID, hours); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(20 * time.Hour)
	if _, err := st.Book(ctx, clinic.ID, scheduling.Booking{PatientID: p.ID, ProviderID: prov.ID, OperatoryID: chair.ID, Start: start, End: start.Add(30 * time.Minute), Source: "staff"},
		scheduling.Actor{UserID: "desk", Role: "receptionist"}); err != nil {
		t.Fatal(err)
	}
	// No quiet hours: the reminder goes to the queue at once whatever the
	// time of day the test runs.
	settings := clinic.Settings
	settings.QuietHours = identity.QuietHours{Start: "00:00", End: "00:00"}
	if _, err := identity.NewStore(m, c).UpdateClinic(ctx, clinic.ID, nil, settings); err != nil {
		t.Fatal(err)
	}

	stub := &sqsStub{}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	fnEnv := deployedEnv(t, env, "RemindersFunction")
	fnEnv["MONGODB_DATABASE"] = db
	fnEnv["AWS_ENDPOINT_URL_SQS"] = srv.URL
	url := startRIE(t, buildFunction(t, "reminders"), fnEnv)

	type result struct {
		Job    string
		Report *struct{ Clinics, Sent, Failed int }
		Swept  int
	}
	first := invoke[result](t, url, json.RawMessage(`{"job":"reminders"}`))
	second := invoke[result](t, url, json.RawMessage(`{"job":"reminders"}`))
	if first.Report == nil || first.Report.Sent != 1 || first.Report.Failed != 0 || second.Report == nil || second.Report.Sent != 0 {
		t.Fatalf("runs %+v then %+v", first.Report, second.Report)
	}
	sweep := invoke[result](t, url, json.RawMessage(`{"job":"sweep"}`))
	if sweep.Job != "sweep" || sweep.Report != nil {
		t.Fatalf("the sweep's event ran %+v", sweep)
	}
	var reminders []notify.Message
	for _, msg := range stub.messages() {
		if msg.Template == "appointment-reminder" {
			reminders = append(reminders, msg)
		}
	}
	if len(reminders) != 1 || reminders[0].To != "ana@patients.example" || reminders[0].Data["start"] != start.Format(time.RFC3339) {
		t.Fatalf("queued %+v, want one reminder of the visit", stub.messages())
	}
}
