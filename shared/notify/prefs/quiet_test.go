package prefs_test

import (
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/notify/prefs"
)

func TestNextSendTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	night, _ := prefs.ParseQuiet("21:00", "08:00")
	early, _ := prefs.ParseQuiet("00:00", "07:00")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name     string
		now      string
		q        prefs.Quiet
		want     string
		wantWall string
	}{
		{"afternoon: now", "2026-06-10T18:00:00Z", night, "2026-06-10T18:00:00Z", "14:00 EDT"},
		{"evening waits for the morning", "2026-06-11T02:00:00Z", night, "2026-06-11T12:00:00Z", "08:00 EDT"},
		{"before dawn waits for 08:00", "2026-06-11T09:00:00Z", night, "2026-06-11T12:00:00Z", "08:00 EDT"},
		{"at the end: now", "2026-06-11T12:00:00Z", night, "2026-06-11T12:00:00Z", "08:00 EDT"},
		{"at the start: waits", "2026-06-11T01:00:00Z", night, "2026-06-11T12:00:00Z", "08:00 EDT"},
		// Spring forward, Sunday 8 March 2026 (02:00 EST → 03:00 EDT): from
		// 23:00 EST on Saturday to 08:00 EDT is 8 hours, not 9.
		{"night of spring forward", "2026-03-08T04:00:00Z", night, "2026-03-08T12:00:00Z", "08:00 EDT"},
		{"in the skipped hour's morning", "2026-03-08T07:30:00Z", night, "2026-03-08T12:00:00Z", "08:00 EDT"},
		{"the morning before spring forward", "2026-03-07T10:00:00Z", night, "2026-03-07T13:00:00Z", "08:00 EST"},
		// Fall back, Sunday 1 November 2026 (02:00 EDT → 01:00 EST): from
		// 23:00 EDT on Saturday to 08:00 EST is 10 hours.
		{"night of fall back", "2026-11-01T03:00:00Z", night, "2026-11-01T13:00:00Z", "08:00 EST"},
		{"first 01:30 (EDT)", "2026-11-01T05:30:00Z", night, "2026-11-01T13:00:00Z", "08:00 EST"},
		{"second 01:30 (EST)", "2026-11-01T06:30:00Z", night, "2026-11-01T13:00:00Z", "08:00 EST"},
		{"window not spanning midnight", "2026-11-01T06:30:00Z", early, "2026-11-01T12:00:00Z", "07:00 EST"},
		{"after that window", "2026-11-01T14:00:00Z", early, "2026-11-01T14:00:00Z", "09:00 EST"},
		{"no quiet hours", "2026-11-01T06:30:00Z", prefs.Quiet{}, "2026-11-01T06:30:00Z", "01:30 EST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := prefs.NextSendTime(utc(tc.now), ny, tc.q)
			if !got.Equal(utc(tc.want)) {
				t.Fatalf("NextSendTime = %s, want %s", got.UTC().Format(time.RFC3339), tc.want)
			}
			if wall := got.In(ny).Format("15:04 MST"); wall != tc.wantWall {
				t.Fatalf("wall time %s, want %s", wall, tc.wantWall)
			}
		})
	}
	if _, err := prefs.ParseQuiet("25:00", "08:00"); err == nil {
		t.Fatal("25:00 accepted")
	}
}
