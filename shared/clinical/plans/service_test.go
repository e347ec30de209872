package plans

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// fakeCharter records the completions it is given; ChartFn, when set,
// answers them.
type fakeCharter struct {
	mu      sync.Mutex
	calls   []Completion
	ChartFn func(c Completion) error
}

func (f *fakeCharter) ChartCompleted(_ context.Context, _ string, c Completion) error {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if f.ChartFn != nil {
		return f.ChartFn(c)
	}
	return nil
}

// entries are the distinct entry ids charted: what an idempotent chart
// keeps.
func (f *fakeCharter) entries() map[string]bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]bool{}
	for _, c := range f.calls {
		out[c.EntryID] = true
	}
	return out
}

// fakeCharges posts through to the real store unless PostFn says otherwise.
type fakeCharges struct {
	real   *MongoCharges
	PostFn func(e ChargeEvent, post func() error) error
}

func (f *fakeCharges) Post(ctx context.Context, e ChargeEvent) error {
	post := func() error { return f.real.Post(ctx, e) }
	if f.PostFn != nil {
		return f.PostFn(e, post)
	}
	return post()
}

type fixture struct {
	svc     *service
	m       *store.Mongo
	clock   *clock.Fake
	charter *fakeCharter
	charges *fakeCharges
	clinic  string
	by      authz.Principal
}

func newFixture(t *testing.T, m *store.Mongo) *fixture {
	t.Helper()
	if m == nil {
		m = storetest.NewMongo(t)
	}
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{m: m, clock: clock.NewFake(time.Now()), charter: &fakeCharter{}, clinic: ids.New()}
	f.charges = &fakeCharges{real: NewCharges(m)}
	f.by = authz.Principal{UserID: ids.New(), Role: authz.Dentist, ClinicID: f.clinic}
	f.svc = &service{Codes: NewCodes(m, f.clock), Plans: NewStore(m, f.clock), Charter: f.charter, Charges: f.charges,
		Seal: keys, Clock: f.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := Seed(context.Background(), m, f.clock, f.clinic); err != nil {
		t.Fatal(err)
	}
	return f
}

func noTrail(_, _, _ string, change func() error) error { return change() }

// plan stores a plan of patientID in status (draft, presented or accepted).
func (f *fixture) plan(t *testing.T, patientID, status string, extra ...func(*PlanInput)) record {
	t.Helper()
	ctx := context.Background()
	in := PlanInput{Title: "Lower left", Items: []ItemInput{{Code: "FIL-C1", Tooth: "19", Surfaces: []string{"O"}}, {Code: "PRV-CLN"}}}
	for _, x := range extra {
		x(&in)
	}
	r, err := f.svc.newPlan(ctx, f.clinic, patientID, in, f.by)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if status == StatusDraft {
		return r
	}
	if r, err = f.svc.Plans.change(ctx, f.clinic, r.ID, f.svc.Present(f.by)); err != nil {
		t.Fatal(err)
	}
	if status == StatusPresented {
		return r
	}
	if r, err = f.svc.Accept(ctx, f.clinic, r.ID, Acceptance{Signature: "x", By: f.by.UserID}, f.by, noTrail); err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) chargeEvents(t *testing.T, planID string) []ChargeEvent {
	t.Helper()
	var out []ChargeEvent
	if err := f.charges.real.coll.Find(context.Background(), f.clinic, bson.D{{Key: "planId", Value: planID}}, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A completion that fails part-way is retried whole: the chart keeps one
// entry (same id each time), billing gets one charge, and a completion of
// a completed item is a Conflict that charts nothing.
func TestRetriedCompletionChartsAndChargesOnce(t *testing.T) {
	lost := errs.E(errs.Unavailable, "database unavailable")
	cases := []struct {
		name string
		// fail is the first attempt's failure.
		fail func(f *fixture)
	}{
		{"the chart fails", func(f *fixture) {
			f.charter.ChartFn = func(Completion) error { f.charter.ChartFn = nil; return lost }
		}},
		{"the charge fails before it is stored", func(f *fixture) {
			f.charges.PostFn = func(_ ChargeEvent, _ func() error) error { f.charges.PostFn = nil; return lost }
		}},
		{"the charge is stored and its answer lost", func(f *fixture) {
			f.charges.PostFn = func(_ ChargeEvent, post func() error) error {
				f.charges.PostFn = nil
				if err := post(); err != nil {
					return err
				}
				return lost
			}
		}},
	}
	m := storetest.NewMongo(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, m)
			ctx := context.Background()
			p := f.plan(t, ids.New(), StatusAccepted)
			it := p.Items[0]
			c.fail(f)
			if _, err := f.svc.Complete(ctx, f.clinic, p.ID, it.ID, f.by); !errors.Is(err, lost) {
				t.Fatalf("first attempt: %v, want the injected failure", err)
			}
			if cur, _ := f.svc.Plans.get(ctx, f.clinic, p.ID); cur.Items[0].Status != ItemPlanned || cur.Version != p.Version {
				t.Fatalf("a failed completion wrote the plan: %+v", cur.Items[0])
			}
			got, err := f.svc.Complete(ctx, f.clinic, p.ID, it.ID, f.by)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got.Status != StatusInProgress || got.Items[0].Status != ItemCompleted {
				t.Fatalf("after retry: plan %s, item %s", got.Status, got.Items[0].Status)
			}
			if _, err := f.svc.Complete(ctx, f.clinic, p.ID, it.ID, f.by); !errs.Is(err, errs.Conflict) {
				t.Fatalf("completing a completed item: %v, want Conflict", err)
			}
			want := EntryID(p.ID, it.ID)
			entries := f.charter.entries()
			if len(entries) != 1 || !entries[want] || !ids.Valid(want) {
				t.Fatalf("charted entries %v, want only %s (a valid id)", entries, want)
			}
			for _, call := range f.charter.calls {
				if call.PatientID != p.PatientID || call.Tooth != "19" || call.Kind != "filling" || call.Code != "FIL-C1" || call.ProviderID != f.by.UserID {
					t.Errorf("completion %+v", call)
				}
			}
			if ev := f.chargeEvents(t, p.ID); len(ev) != 1 || ev[0].AmountCents != it.FeeCents || ev[0].ItemID != it.ID {
				t.Fatalf("charge events %+v, want one for the item", ev)
			}
		})
	}
}

// Many completions of one item at once: one succeeds, the rest are
// Conflicts, and the chart and billing each see the item once.
func TestConcurrentCompletionOfOneItem(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for round := range 3 {
		p := f.plan(t, ids.New(), StatusAccepted)
		ok := race(t, 6, func() error {
			_, err := f.svc.Complete(ctx, f.clinic, p.ID, p.Items[1].ID, f.by)
			return err
		})
		if ok != 1 {
			t.Fatalf("round %d: %d completions succeeded, want 1", round, ok)
		}
		if ev := f.chargeEvents(t, p.ID); len(ev) != 1 {
			t.Fatalf("round %d: %d charge events", round, len(ev))
		}
		cur, _ := f.svc.Plans.get(ctx, f.clinic, p.ID)
		if cur.Version != p.Version+1 {
			t.Fatalf("round %d: version %d, want %d", round, cur.Version, p.Version+1)
		}
	}
	if got := len(f.charter.entries()); got != 3 {
		t.Fatalf("%d distinct chart entries over 3 items", got)
	}
}

// race runs fn n times at once and returns how many succeeded; every
// other call must have been a Conflict.
func race(t *testing.T, n int, fn func() error) int {
	t.Helper()
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = fn()
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		if err == nil {
			ok++
		} else if !errs.Is(err, errs.Conflict) {
			t.Fatalf("a racing call: %v", err)
		}
	}
	return ok
}

// The acceptance claim of a group: held while its plan may still be
// accepted, taken over when its plan was rejected or its writer died.
func TestGroupClaim(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	pt := ids.New()
	alt := func(of record) func(*PlanInput) { return func(in *PlanInput) { in.AlternativeTo = of.ID } }

	a := f.plan(t, pt, StatusPresented)
	b := f.plan(t, pt, StatusPresented, alt(a))
	c := f.plan(t, pt, StatusPresented, alt(a))
	s := f.svc.Plans
	if _, err := s.claimGroup(ctx, f.clinic, a.GroupID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.claimGroup(ctx, f.clinic, a.GroupID, a.ID); err != nil {
		t.Fatalf("the holder claims again (a retried acceptance): %v", err)
	}
	if holder, err := s.claimGroup(ctx, f.clinic, a.GroupID, b.ID); !errors.Is(err, errGroupDecided) || holder != a.ID {
		t.Fatalf("a fresh claim: %q %v, want held by a", holder, err)
	}
	// a's writer died: after the lease, b takes the group over.
	f.clock.Advance(claimLease + time.Second)
	if _, err := s.claimGroup(ctx, f.clinic, a.GroupID, b.ID); err != nil {
		t.Fatalf("taking over a stale claim: %v", err)
	}
	// b is rejected: its claim, fresh as it is, no longer holds anyone off.
	if _, err := s.change(ctx, f.clinic, b.ID, f.svc.Reject(f.by, RejectedDeclined)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.claimGroup(ctx, f.clinic, a.GroupID, c.ID); err != nil {
		t.Fatalf("taking over a rejected plan's claim: %v", err)
	}
	got, err := f.svc.Accept(ctx, f.clinic, c.ID, Acceptance{Signature: "x"}, f.by, noTrail)
	if err != nil || got.Status != StatusAccepted {
		t.Fatalf("accept c: %v %s", err, got.Status)
	}
	// An accepted plan's claim holds for good.
	f.clock.Advance(24 * time.Hour)
	if holder, err := s.claimGroup(ctx, f.clinic, a.GroupID, a.ID); !errors.Is(err, errGroupDecided) || holder != c.ID {
		t.Fatalf("claim against an accepted plan: %q %v", holder, err)
	}
	if cur, _ := s.get(ctx, f.clinic, a.ID); cur.Status != StatusRejected || cur.RejectedReason != RejectedAlternative {
		t.Fatalf("a after c's acceptance: %s %q", cur.Status, cur.RejectedReason)
	}
}

// An acceptance that finds its group won by an accepted option (whose
// own request died before rejecting the others) rejects the open options
// and is refused.
func TestAcceptanceFinishesTheWinnersWork(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	pt := ids.New()
	a := f.plan(t, pt, StatusPresented)
	b := f.plan(t, pt, StatusPresented, func(in *PlanInput) { in.AlternativeTo = a.ID })
	// a accepted as a request that stopped right after would leave it.
	if _, err := f.svc.Plans.claimGroup(ctx, f.clinic, a.GroupID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Plans.change(ctx, f.clinic, a.ID, func(r *record) error { r.Status = StatusAccepted; return nil }); err != nil {
		t.Fatal(err)
	}
	var audited []string
	trail := func(action, planID, _ string, change func() error) error {
		audited = append(audited, action+" "+planID)
		return change()
	}
	if _, err := f.svc.Accept(ctx, f.clinic, b.ID, Acceptance{Signature: "x"}, f.by, trail); !errs.Is(err, errs.Conflict) {
		t.Fatalf("accept b: %v, want Conflict", err)
	}
	if cur, _ := f.svc.Plans.get(ctx, f.clinic, b.ID); cur.Status != StatusRejected {
		t.Fatalf("b is %s", cur.Status)
	}
	if len(audited) != 1 || audited[0] != actionReject+" "+b.ID {
		t.Fatalf("trail %v", audited)
	}
}

// A patient's plans are one query, on the index that leads with the
// patient.
func TestListIsOneIndexedQuery(t *testing.T) {
	m, cmds := storetest.NewMonitoredMongo(t)
	f := newFixture(t, m)
	ctx := context.Background()
	pt := ids.New()
	for range 3 {
		f.plan(t, pt, StatusDraft)
		f.clock.Advance(time.Second)
	}
	f.plan(t, pt, StatusPresented)
	f.plan(t, ids.New(), StatusPresented)
	if err := f.svc.Plans.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	cmds.Take()
	got, err := f.svc.Plans.list(ctx, f.clinic, pt, false)
	if err != nil {
		t.Fatal(err)
	}
	sent := cmds.Take()
	if len(sent) != 1 || sent[0].Name != "find" {
		t.Fatalf("commands %v, want one find", sent)
	}
	if len(got) != 1 || got[0].Status != StatusPresented {
		t.Fatalf("without drafts: %d plans", len(got))
	}
	all, _ := f.svc.Plans.list(ctx, f.clinic, pt, true)
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Fatalf("not newest first: %v then %v", all[i-1].CreatedAt, all[i].CreatedAt)
		}
	}
	db, _ := m.Database()
	cur, err := db.Collection("treatment_plans").Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var idx []struct {
		Key bson.D `bson:"key"`
	}
	if err := cur.All(ctx, &idx); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ix := range idx {
		if len(ix.Key) == 3 && ix.Key[0].Key == "clinicId" && ix.Key[1].Key == "patientId" && ix.Key[2].Key == "createdAt" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no (clinicId, patientId, createdAt) index: %v", idx)
	}
}

// An import replaces the schedule whole; racing creations of one code
// store it once.
func TestScheduleChanges(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	fee := int64(100)
	ok := race(t, 6, func() error {
		_, err := f.svc.Codes.Create(ctx, f.clinic, CodeInput{Code: "RACE-1", Description: "Raced", Category: "basic", FeeCents: &fee})
		return err
	})
	codes, err := f.svc.Codes.Schedule(ctx, f.clinic)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, c := range codes {
		if c.Code == "RACE-1" {
			count++
		}
	}
	if ok != 1 || count != 1 {
		t.Fatalf("%d creations succeeded, %d codes stored; want 1 and 1", ok, count)
	}
	// Seeding again leaves the clinic's own fees alone.
	if _, err := f.svc.Codes.Upsert(ctx, f.clinic, []CodeInput{{Code: "EX-PER", Description: "Recall exam", Category: "diagnostic", FeeCents: &fee}}); err != nil {
		t.Fatal(err)
	}
	if err := Seed(ctx, f.m, f.clock, f.clinic); err != nil {
		t.Fatal(err)
	}
	sc, _ := f.svc.Codes.read(ctx, f.clinic)
	if c, _ := sc.find("EX-PER"); c.FeeCents != 100 || c.Description != "Recall exam" || len(sc.Codes) != len(sampleCodes)+1 {
		t.Fatalf("after a second seed: %+v, %d codes", c, len(sc.Codes))
	}
}
