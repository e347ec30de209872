package app_test

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	adminapp "github.com/topsmile/topsmile/functions/admin/app"
	authapp "github.com/topsmile/topsmile/functions/auth/app"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/functions/wire/webhookevents"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// The webhook routes through the admin function as it is built, over
// FerretDB: registration and its field errors (the SSRF guard with names
// resolved by a table: nothing is dialled), the secret shown once, the
// front desk refused, and a cancellation made by scheduling arriving as a
// delivery to list and resend.
func TestWebhookEndpointsThroughTheAdminFunction(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	fe := storetest.NewFunctionEnv(t)
	m := fe.Mongo(t)
	users := identity.NewStore(m, clk)
	clinic, err := users.CreateClinic(ctx, "Riverside")
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]string{"hooks.example": "93.184.215.14", "evil.example": "10.0.0.5"}
	guard := webhooks.Guard{Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := table[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, errors.New("no such host")
	}}
	opts := apitest.Options(clk, nil)
	env := apitest.New(t, func(tb testing.TB, role string) (string, string) {
		u, err := users.CreateUser(ctx, clinic.ID, identity.NewUser{Email: ids.New() + "@staff.example", Password: password, Role: identity.Role(role), FirstName: "T", LastName: role})
		if err != nil {
			tb.Fatal(err)
		}
		return u.Email, password
	}, apitest.Build(t, fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	}), apitest.Build(t, fe.Lookup, func(c adminapp.Config) (*boot.App, error) {
		return adminapp.New(c, adminapp.Options{Options: opts, Publisher: &apitest.Outbox{}, Webhooks: guard})
	}))

	body := map[string]any{"url": "https://hooks.example/topsmile", "events": []string{"appointment.cancelled", "appointment.created"}, "description": "PMS sync"}
	var secret, endpointID string
	env.Run(t, []apitest.Case{
		{Name: "the front desk may not register", As: "receptionist", Method: "POST", Path: "/api/webhook-endpoints", Body: body, Status: 403},
		{Name: "nor a dentist list", As: "dentist", Method: "GET", Path: "/api/webhook-endpoints", Status: 403},
		{Name: "nothing", As: "admin", Method: "POST", Path: "/api/webhook-endpoints", Body: map[string]any{}, Status: 400, Want: apitest.Error("invalid", "url", "events")},
		{Name: "plain http and an unknown event", As: "admin", Method: "POST", Path: "/api/webhook-endpoints",
			Body: map[string]any{"url": "http://hooks.example/x", "events": []string{"appointment.created", "chart.read"}}, Status: 400, Want: apitest.Error("invalid", "url", "events")},
		{Name: "loopback", As: "admin", Method: "POST", Path: "/api/webhook-endpoints",
			Body: map[string]any{"url": "https://127.0.0.1/x", "events": []string{"appointment.created"}}, Status: 400, Want: apitest.Error("invalid", "url")},
		{Name: "v6 loopback", As: "admin", Method: "POST", Path: "/api/webhook-endpoints",
			Body: map[string]any{"url": "https://[::1]/x", "events": []string{"appointment.created"}}, Status: 400, Want: apitest.Error("invalid", "url")},
		{Name: "metadata", As: "admin", Method: "POST", Path: "/api/webhook-endpoints",
			Body: map[string]any{"url": "https://169.254.169.254/latest", "events": []string{"appointment.created"}}, Status: 400, Want: apitest.Error("invalid", "url")},
		{Name: "a name resolving to a private address", As: "admin", Method: "POST", Path: "/api/webhook-endpoints",
			Body: map[string]any{"url": "https://evil.example/x", "events": []string{"payment.succeeded"}}, Status: 400, Want: apitest.Error("invalid", "url"),
			Check: func(tb testing.TB, r apitest.Response) {
				if !strings.Contains(string(r.Body), "10.0.0.5") {
					tb.Errorf("the message does not say why: %s", r.Body)
				}
			}},
		{Name: "a long description", As: "admin", Method: "POST", Path: "/api/webhook-endpoints",
			Body: map[string]any{"url": "https://hooks.example/x", "events": []string{"payment.succeeded"}, "description": strings.Repeat("x", 201)}, Status: 400, Want: apitest.Error("invalid", "description")},
		{Name: "registered", As: "admin", Method: "POST", Path: "/api/webhook-endpoints", Body: body, Status: 201,
			Want: map[string]any{"url": "https://hooks.example/topsmile", "events": []any{"appointment.cancelled", "appointment.created"}, "description": "PMS sync"},
			Check: func(tb testing.TB, r apitest.Response) {
				var got struct{ ID, Secret string }
				r.Decode(tb, &got)
				if !strings.HasPrefix(got.Secret, "whsec_") || got.ID == "" {
					tb.Fatalf("answer %s", r.Body)
				}
				secret, endpointID = got.Secret, got.ID
			}},
	})

	t.Run("the secret is shown once", func(t *testing.T) {
		r := env.Caller(t, "admin").Do(t, "GET", "/api/webhook-endpoints", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), endpointID) || strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), `"secret"`) {
			t.Errorf("%d %s", r.Status, r.Body)
		}
		var trail []audit.Record
		if err := m.Collection("audit_logs").Find(ctx, clinic.ID, bson.D{{Key: "action", Value: "webhook_endpoint.create"}}, &trail); err != nil {
			t.Fatal(err)
		}
		if len(trail) != 1 {
			t.Fatalf("%d create records in the trail", len(trail))
		}
	})

	// A cancellation made by scheduling (wired as the scheduling function
	// wires it) becomes a delivery with ids and changed field names only.
	sched := wire.Scheduling(m, storetest.NewRedis(t), clk, nil, "")
	webhookevents.Wire(sched, m, clk, slog.New(slog.DiscardHandler))
	start := clk.Now().Add(48 * time.Hour)
	appt := scheduling.Appointment{ID: ids.New(), PatientID: ids.New(), ProviderID: "p", OperatoryID: "o", Start: start, End: start.Add(30 * time.Minute),
		Status: scheduling.Scheduled, Source: "staff", History: []scheduling.Change{}, CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
	if err := m.Collection("appointments").InsertOne(ctx, clinic.ID, appt); err != nil {
		t.Fatal(err)
	}
	if _, err := sched.Transition(ctx, clinic.ID, appt.ID, "cancel", scheduling.Actor{UserID: "u", Role: "receptionist"}, scheduling.CancelReason{Code: scheduling.CancelReasons[0]}, false); err != nil {
		t.Fatal(err)
	}
	var deliveryID string
	env.Run(t, []apitest.Case{
		{Name: "the cancellation's delivery", As: "admin", Method: "GET", Path: "/api/webhook-endpoints/" + endpointID + "/deliveries", Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"type": "appointment.cancelled", "status": "pending", "attemptCount": 0, "attempts": []any{}}}, "nextCursor": nil},
			Check: func(tb testing.TB, r apitest.Response) {
				var page struct{ Items []struct{ ID string } }
				r.Decode(tb, &page)
				deliveryID = page.Items[0].ID
			}},
	})

	t.Run("the body holds ids and field names only", func(t *testing.T) {
		var d webhooks.Delivery
		if err := m.Collection(webhooks.DeliveriesCollection).Get(ctx, clinic.ID, deliveryID, &d); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"appointmentId":"` + appt.ID + `"`, `"patientId":"` + appt.PatientID + `"`, `"changedFields":[`, `"status"`, `"type":"appointment.cancelled"`} {
			if !strings.Contains(d.Body, want) {
				t.Errorf("body lacks %s: %s", want, d.Body)
			}
		}
	})

	resend := "/api/webhook-endpoints/" + endpointID + "/deliveries/" + deliveryID + "/resend"
	env.Run(t, []apitest.Case{
		{Name: "a delivery on its way is not resent", As: "admin", Method: "POST", Path: resend, Status: 409},
		{Name: "another endpoint's deliveries", As: "admin", Method: "GET", Path: "/api/webhook-endpoints/" + ids.New() + "/deliveries", Status: 404},
		{Name: "a bad status filter", As: "admin", Method: "GET", Path: "/api/webhook-endpoints/" + endpointID + "/deliveries?status=lost", Status: 400, Want: apitest.Error("invalid", "status")},
		{Name: "the front desk may not list deliveries", As: "receptionist", Method: "GET", Path: "/api/webhook-endpoints/" + endpointID + "/deliveries", Status: 403},
		{Name: "nor resend", As: "receptionist", Method: "POST", Path: resend, Status: 403},
	})

	// Failed (as the sweep leaves it after 24 h): a resend makes it due now.
	if _, err := m.Collection(webhooks.DeliveriesCollection).UpdateOne(ctx, clinic.ID, bson.D{{Key: "_id", Value: deliveryID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: webhooks.Failed}}}}); err != nil {
		t.Fatal(err)
	}
	env.Run(t, []apitest.Case{
		{Name: "resent", As: "admin", Method: "POST", Path: resend, Status: 202, Want: map[string]any{"id": deliveryID, "status": "pending"}},
		{Name: "the front desk may not delete", As: "receptionist", Method: "DELETE", Path: "/api/webhook-endpoints/" + endpointID, Status: 403},
		{Name: "deleted", As: "admin", Method: "DELETE", Path: "/api/webhook-endpoints/" + endpointID, Status: 204},
		{Name: "deleted already", As: "admin", Method: "DELETE", Path: "/api/webhook-endpoints/" + endpointID, Status: 404},
		{Name: "listed no more", As: "admin", Method: "GET", Path: "/api/webhook-endpoints", Status: 200, Want: map[string]any{"items": []any{}, "nextCursor": nil}},
	})
}
