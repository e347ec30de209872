package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	authapp "github.com/topsmile/topsmile/functions/auth/app"
	realtimeapp "github.com/topsmile/topsmile/functions/realtime/app"
	schedulingapp "github.com/topsmile/topsmile/functions/scheduling/app"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/live/hub"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const password = "long-enough-pass-2026"

type env struct {
	*apitest.Env
	srv      *httptest.Server
	users    *identity.Store
	st       *scheduling.Store
	patients *patients.Store
	a, b     identity.Clinic
	fanout   *live.Fanout
}

// newEnv serves auth, scheduling and realtime as the local stack does:
// scheduling publishes to the realtime function's fan-out in process, and
// the hub holds real WebSockets on a real listener.
func newEnv(t *testing.T) *env {
	t.Helper()
	fe := storetest.NewFunctionEnv(t)
	m := fe.Mongo(t)
	e := &env{users: identity.NewStore(m, clock.Real{}), patients: patients.NewStore(m, clock.Real{})}
	e.st = wire.Scheduling(m, storetest.NewRedis(t), clock.Real{}, nil, "")
	opts := apitest.Options(clock.Real{}, nil)
	var parts realtimeapp.Parts
	rt := apitest.Build(t, fe.Lookup, func(c realtimeapp.Config) (*boot.App, error) {
		var err error
		parts, err = realtimeapp.Build(c, realtimeapp.Options{Options: opts, Hub: hub.NewHub(opts.Log)})
		return parts.App, err
	})
	e.fanout = parts.Fanout
	auth := apitest.Build(t, fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	})
	sched := apitest.Build(t, fe.Lookup, func(c schedulingapp.Config) (*boot.App, error) {
		return schedulingapp.New(c, schedulingapp.Options{Options: opts, Publisher: &apitest.Outbox{}, Live: live.Direct{Fanout: parts.Fanout, Log: opts.Log}})
	})
	e.Env = apitest.New(t, nil, auth, sched, rt)
	e.srv = httptest.NewServer(apitest.Mount(t, auth, sched, rt))
	t.Cleanup(e.srv.Close)
	ctx := context.Background()
	var err error
	if e.a, err = e.users.CreateClinic(ctx, "Clinic A"); err != nil {
		t.Fatal(err)
	}
	if e.b, err = e.users.CreateClinic(ctx, "Clinic B"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) signIn(t *testing.T, clinicID string, role identity.Role) *apitest.Client {
	t.Helper()
	u, err := e.users.CreateUser(context.Background(), clinicID, identity.NewUser{Email: ids.New() + "@x.example", Password: password, Role: role, FirstName: "T", LastName: "U"})
	if err != nil {
		t.Fatal(err)
	}
	return e.Login(t, u.Email, password)
}

// dial opens the live socket with c's session cookie from origin.
func (e *env) dial(t *testing.T, c *apitest.Client, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	h.Set("Origin", origin)
	name := authz.CookieName(authz.AccessCookie, false)
	if v := c.Cookie(authz.AccessCookie); v != "" {
		name = authz.AccessCookie
	}
	h.Set("Cookie", name+"="+c.Cookie(name))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+live.Path, &websocket.DialOptions{HTTPHeader: h})
	if ws != nil {
		t.Cleanup(func() { _ = ws.CloseNow() })
	}
	return ws, resp, err
}

// next reads the next event, or fails after wait.
func next(ws *websocket.Conn, wait time.Duration) (live.Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, b, err := ws.Read(ctx)
	if err != nil {
		return live.Event{}, err
	}
	var ev live.Event
	err = json.Unmarshal(b, &ev)
	return ev, err
}

// A booking at one desk reaches the other desks of its clinic as one event
// naming only the appointment and its version, and never another clinic.
func TestBookingReachesTheClinicsScreensOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	chair, err := e.st.CreateOperatory(ctx, e.a.ID, "Op 1")
	if err != nil {
		t.Fatal(err)
	}
	name, kind := "Dr Okafor", "dentist"
	prov, err := e.st.CreateProvider(ctx, e.a.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{chair.ID}})
	if err != nil {
		t.Fatal(err)
	}
	hours := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		hours[avail.Day(d)] = []avail.Window{{Start: "08:00", End: "17:00"}}
	}
	if _, err := e.st.SetHours(ctx, e.a.ID, prov.ID, hours); err != nil {
		t.Fatal(err)
	}
	pt, err := e.patients.Create(ctx, e.a.ID, patients.Patient{FirstName: "Jordan", LastName: "Avery", DateOfBirth: "1990-04-12", Email: "jordan@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	deskA, otherDeskA, deskB := e.signIn(t, e.a.ID, identity.RoleReceptionist), e.signIn(t, e.a.ID, identity.RoleDentist), e.signIn(t, e.b.ID, identity.RoleReceptionist)
	wsA, _, err := e.dial(t, otherDeskA, apitest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	wsB, _, err := e.dial(t, deskB, apitest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/New_York")
	day := time.Now().In(loc).AddDate(0, 0, 7)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc)
	var appt struct {
		ID      string
		Version int
	}
	deskA.MustJSON(t, "POST", "/api/appointments", map[string]any{"patientId": pt.ID, "providerId": prov.ID, "operatoryId": chair.ID,
		"start": start.UTC().Format(time.RFC3339), "end": start.Add(time.Hour).UTC().Format(time.RFC3339)}, 201, &appt)
	ev, err := next(wsA, 3*time.Second)
	if err != nil {
		t.Fatalf("the other desk heard nothing: %v", err)
	}
	if ev.Type != live.AppointmentCreated || ev.ID != appt.ID || ev.Version != appt.Version || ev.At.IsZero() {
		t.Fatalf("event %+v, want appointment.created %s v%d", ev, appt.ID, appt.Version)
	}
	raw, _ := json.Marshal(ev)
	if strings.Contains(string(raw), "Jordan") || strings.Contains(string(raw), pt.ID) {
		t.Fatalf("the event carries the patient: %s", raw)
	}
	// A status change is an update with the new version.
	deskA.MustJSON(t, "POST", "/api/appointments/"+appt.ID+"/confirm", map[string]any{}, 200, &appt)
	if ev, err = next(wsA, 3*time.Second); err != nil || ev.Type != live.AppointmentUpdated || ev.Version != appt.Version {
		t.Fatalf("confirm: %+v %v", ev, err)
	}
	if ev, err := next(wsB, 500*time.Millisecond); err == nil {
		t.Fatalf("another clinic's screen heard %+v", ev)
	}
}

// Only the SPA's own origin and a signed-in staff member open a socket; a
// revoked session's socket is closed at the next event; the per-user limit
// holds.
func TestConnectRules(t *testing.T) {
	e := newEnv(t)
	desk := e.signIn(t, e.a.ID, identity.RoleReceptionist)
	if _, resp, err := e.dial(t, desk, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another origin: %v %v", resp, err)
	}
	if _, resp, err := e.dial(t, e.Client(), apitest.Origin); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("signed out: %v %v", resp, err)
	}
	ws, _, err := e.dial(t, desk, apitest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 { // five tabs in all
		if _, _, err := e.dial(t, desk, apitest.Origin); err != nil {
			t.Fatal(err)
		}
	}
	if _, resp, err := e.dial(t, desk, apitest.Origin); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("sixth tab: %v %v", resp, err)
	}
	// Sign out: the session is on the deny list, the next event closes it.
	desk.MustDo(t, "POST", "/api/auth/logout", nil, 204)
	res, err := e.fanout.Send(context.Background(), e.a.ID, live.Event{Type: live.ProviderUpdated, ID: "p", At: time.Now()})
	if err != nil || res.Closed != 5 || res.Sent != 0 {
		t.Fatalf("after sign-out: %+v %v", res, err)
	}
	if _, err := next(ws, 2*time.Second); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("the revoked session's socket: %v", err)
	}
}

// Deployed, API Gateway's $connect runs through the same guard: with the
// cookie from the SPA's origin it registers the connection; $disconnect
// forgets it; anything else is refused before it is registered.
func TestAPIGatewayRoutes(t *testing.T) {
	fe := storetest.NewFunctionEnv(t)
	fe["LIVE_ENDPOINT"] = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
	users := identity.NewStore(fe.Mongo(t), clock.Real{})
	clinic, err := users.CreateClinic(context.Background(), "A")
	if err != nil {
		t.Fatal(err)
	}
	opts := apitest.Options(clock.Real{}, nil)
	rt := apitest.Build(t, fe.Lookup, func(c realtimeapp.Config) (*boot.App, error) {
		return realtimeapp.New(c, realtimeapp.Options{Options: opts})
	})
	auth := apitest.Build(t, fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	})
	api := apitest.New(t, nil, auth, rt)
	u, err := users.CreateUser(context.Background(), clinic.ID, identity.NewUser{Email: ids.New() + "@x.example", Password: password, Role: identity.RoleReceptionist, FirstName: "T", LastName: "U"})
	if err != nil {
		t.Fatal(err)
	}
	c := api.Login(t, u.Email, password)
	name := authz.CookieName(authz.AccessCookie, false)
	if c.Cookie(authz.AccessCookie) != "" {
		name = authz.AccessCookie
	}
	cookie := name + "=" + c.Cookie(name)
	connect := func(id, origin, cookie string) int {
		t.Helper()
		ev := map[string]any{"requestContext": map[string]any{"routeKey": "$connect", "eventType": "CONNECT", "connectionId": id,
			"identity": map[string]any{"sourceIp": "203.0.113.9"}},
			"headers": map[string]string{"Origin": origin, "Host": "clinic.test"}, "multiValueHeaders": map[string][]string{"Cookie": {cookie}}}
		raw, _ := json.Marshal(ev)
		out, err := rt.Raw(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		return out.(events.APIGatewayProxyResponse).StatusCode
	}
	if got := connect("conn-1", apitest.Origin, cookie); got != 200 {
		t.Fatalf("$connect: %d", got)
	}
	if got := connect("conn-2", "https://evil.example", cookie); got != 403 {
		t.Fatalf("$connect from another origin: %d", got)
	}
	if got := connect("conn-3", apitest.Origin, name+"=forged"); got != 401 {
		t.Fatalf("$connect with a forged cookie: %d", got)
	}
	reg := &live.Registry{Redis: storetest.NewRedis(t)}
	if n, _ := reg.Count(context.Background(), clinic.ID); n != 1 {
		t.Fatalf("%d connections registered, want 1", n)
	}
	raw, _ := json.Marshal(map[string]any{"requestContext": map[string]any{"routeKey": "$disconnect", "connectionId": "conn-1"}})
	if _, err := rt.Raw(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	if n, _ := reg.Count(context.Background(), clinic.ID); n != 0 {
		t.Fatalf("%d connections after $disconnect", n)
	}
}
