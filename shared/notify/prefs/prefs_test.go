package prefs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func TestLedgerStopThenStart(t *testing.T) {
	ctx := context.Background()
	l := prefs.NewLedger(storetest.NewMongo(t))
	clinic, other := ids.New(), ids.New()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := l.OptOut(ctx, clinic, notify.SMS, "+1 (555) 123-4567", "sms-stop", at); err != nil {
		t.Fatal(err)
	}
	// A second STOP is harmless.
	if err := l.OptOut(ctx, clinic, notify.SMS, "+15551234567", "sms-stop", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	check := func(clinicID string, ch notify.Channel, addr string, want bool) {
		t.Helper()
		got, err := l.OptedOut(ctx, clinicID, ch, addr)
		if err != nil || got != want {
			t.Fatalf("OptedOut(%s, %s) = %v %v, want %v", ch, addr, got, err, want)
		}
	}
	check(clinic, notify.SMS, "+15551234567", true)
	check(clinic, notify.Email, "+15551234567", false) // per channel
	check(other, notify.SMS, "+15551234567", false)    // per clinic
	if err := l.OptIn(ctx, clinic, notify.SMS, "+15551234567"); err != nil {
		t.Fatal(err)
	}
	check(clinic, notify.SMS, "+15551234567", false)
	// Another clinic's START does not lift this clinic's STOP.
	if err := l.OptOut(ctx, clinic, notify.Email, "Ana@Example.com", "email-link", at); err != nil {
		t.Fatal(err)
	}
	if err := l.OptIn(ctx, other, notify.Email, "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	check(clinic, notify.Email, "ana@example.com", true)
}

type fakeOptOuts struct {
	out map[string]bool
	err error
}

func (f fakeOptOuts) OptedOut(_ context.Context, clinicID string, ch notify.Channel, address string) (bool, error) {
	return f.out[clinicID+string(ch)+address], f.err
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.NewRedis(t)
	clinic := ids.New()
	optedOut := fakeOptOuts{out: map[string]bool{clinic + "sms+15551234567": true, clinic + "emailana@example.com": true}}
	g := &prefs.Gate{OptOuts: optedOut, Cap: &prefs.Cap{Redis: rdb, Max: 2}, Clock: clock.NewFake(time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC))}
	msg := func(ch notify.Channel, to, template string) notify.Message {
		return notify.Message{ID: ids.New(), ClinicID: clinic, Channel: ch, To: to, Template: template, Data: map[string]string{"timeZone": "America/New_York"}}
	}
	cases := []struct {
		name  string
		m     notify.Message
		class string // "" admitted
	}{
		{"opted-out SMS", msg(notify.SMS, "+15551234567", "appointment-reminder"), notify.ClassSuppressed},
		{"unsubscribed email", msg(notify.Email, "ana@example.com", "recall-due"), notify.ClassSuppressed},
		{"password reset despite the opt-out", msg(notify.Email, "ana@example.com", "password-reset"), ""},
		{"verification despite the opt-out", msg(notify.Email, "ana@example.com", "verify-email"), ""},
		{"account exists despite the opt-out", msg(notify.Email, "ana@example.com", "account-exists"), ""},
		{"someone else", msg(notify.SMS, "+15559876543", "appointment-reminder"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := g.Admit(ctx, tc.m)
			class, _ := notify.PermanentClass(err)
			if tc.class == "" && err != nil || class != tc.class {
				t.Fatalf("err %v, want class %q", err, tc.class)
			}
		})
	}
	t.Run("ledger down is transient", func(t *testing.T) {
		g := &prefs.Gate{OptOuts: fakeOptOuts{err: errors.New("mongo down")}}
		err := g.Admit(ctx, msg(notify.SMS, "+15551234567", "appointment-reminder"))
		if _, permanent := notify.PermanentClass(err); err == nil || permanent {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSMSCapPerClinicDay(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.NewRedis(t)
	clinic := ids.New()
	c := &prefs.Cap{Redis: rdb, Max: 2}
	ny, _ := time.LoadLocation("America/New_York")
	m := func() notify.Message {
		return notify.Message{ID: ids.New(), ClinicID: clinic, Channel: notify.SMS, To: "+15551234567"}
	}
	// 23:30 in New York on March 1 is already March 2 in UTC: the cap
	// counts the clinic's day.
	evening := time.Date(2026, 3, 2, 4, 30, 0, 0, time.UTC)
	first, second := m(), m()
	for _, x := range []notify.Message{first, second, first} { // a retry counts once
		if err := c.Admit(ctx, x, evening, ny); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Admit(ctx, m(), evening, ny); err == nil {
		t.Fatal("third text of the day admitted")
	} else if class, _ := notify.PermanentClass(err); class != notify.ClassCapped {
		t.Fatalf("err %v", err)
	}
	// Still March 1 locally at 23:59; March 2 from local midnight.
	if err := c.Admit(ctx, m(), time.Date(2026, 3, 2, 4, 59, 0, 0, time.UTC), ny); err == nil {
		t.Fatal("admitted before the clinic's midnight")
	}
	if err := c.Admit(ctx, m(), time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC), ny); err != nil {
		t.Fatalf("next local day: %v", err)
	}
	// Racing consumers cannot both take the last place.
	c3 := &prefs.Cap{Redis: rdb, Max: 3}
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mm := m()
			mm.To = "+15550000000"
			if c3.Admit(ctx, mm, evening, ny) == nil {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != 3 {
		t.Fatalf("%d admitted, want 3", admitted)
	}
}
