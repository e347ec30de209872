package hub_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/live/hub"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// A clinic with n open screens on real WebSockets (the local hub, on a
// loopback listener, connections in the real Redis registry).
type clinic struct {
	clinicID string
	fan      *live.Fanout
	clients  []*websocket.Conn
	got      chan struct{}
}

func openScreens(tb testing.TB, n int) *clinic {
	tb.Helper()
	log := httpapi.NewLogger(io.Discard, nil)
	h := hub.NewHub(log)
	reg := &live.Registry{Redis: storetest.NewRedis(tb), Limits: live.Limits{PerUser: 1000, PerClinic: 1000}}
	clinicID := ids.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = h.Serve(w, r, reg, time.Now(), live.Conn{ClinicID: clinicID, UserID: r.URL.Query().Get("u"), SessionID: "s", TokenID: ids.New(), Expires: time.Now().Add(time.Hour)})
	}))
	tb.Cleanup(srv.Close)
	c := &clinic{fan: &live.Fanout{Registry: reg, Poster: h, Log: log, Now: time.Now}, got: make(chan struct{}, n*4)}
	for i := range n {
		ws, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+fmt.Sprintf("/?u=desk%d", i), nil)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = ws.CloseNow() })
		c.clients = append(c.clients, ws)
		go func() {
			for {
				if _, _, err := ws.Read(context.Background()); err != nil {
					return
				}
				c.got <- struct{}{}
			}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if got, _ := reg.Count(context.Background(), clinicID); got == n {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("only some of %d screens registered", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.clinicID = clinicID
	return c
}

// BenchmarkFanout: one schedule change to every open screen of a clinic,
// from the fan-out's call until the last screen has read it (p50 and p99
// over the run). With the live socket, a 20-desk clinic also stops making
// the schedule's 5 s polls: that load is reported beside (requests a
// minute no longer made: 20 desks x 12 polls x the grid's and the
// waitlist's reads).
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 50, 200} {
		b.Run(fmt.Sprintf("screens=%d", n), func(b *testing.B) {
			c := openScreens(b, n)
			ev := live.Event{Type: live.AppointmentUpdated, ID: ids.New(), Version: 2, At: time.Now()}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				res, err := c.fan.Send(context.Background(), c.clinicID, ev)
				if err != nil || res.Sent != n {
					b.Fatalf("sent %+v %v", res, err)
				}
				for range n {
					<-c.got
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()), "p99-µs")
		})
	}
	b.Run("polling-removed-20-desks", func(b *testing.B) {
		const desks, pollsPerMinute, readsPerPoll = 20, 60 / 5, 2 // the day grid and the waitlist
		for range b.N {
		}
		b.ReportMetric(desks*pollsPerMinute*readsPerPoll, "requests/min")
		b.ReportMetric(desks*pollsPerMinute*readsPerPoll*60*10, "requests/10h-day")
	})
}
