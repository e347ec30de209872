package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/topsmile/topsmile/bench/internal/seed"
)

// Cases are the five endpoints for clinic c, the stack at stackURL
// signed in as sessions (taken in turn, so no desk meets its per-user
// budget), and their bare twins at bareURL. Bookings take successive
// 15-minute slots of the clinic's open provider from three weeks out, so
// none of them conflicts.
func Cases(stackURL, bareURL string, c *seed.Clinic, sessions []http.Header) []Case {
	as := func(i uint64) http.Header { return sessions[i%uint64(len(sessions))] }
	day := url.Values{"from": {c.BusyDay.Format(time.RFC3339)}, "to": {c.BusyDay.AddDate(0, 0, 1).Format(time.RFC3339)}}.Encode()
	week := url.Values{"from": {c.BusyDay.Format(time.RFC3339)}, "to": {c.BusyDay.AddDate(0, 0, 7).Format(time.RFC3339)}}
	bareWeek := week.Encode()
	week.Set("providerId", c.Providers[0].ID)
	week.Set("duration", "30")
	first := c.BusyDay.AddDate(0, 0, 7)
	booking := func(i uint64) []byte {
		start := first.Add(time.Duration(i) * 15 * time.Minute)
		b, _ := json.Marshal(map[string]any{"patientId": c.Patients[i%uint64(len(c.Patients))], "providerId": c.Open.ID,
			"operatoryId": c.OpenChair, "typeId": c.Visit.ID, "start": start, "end": start.Add(15 * time.Minute)})
		return b
	}
	var booked, bareBooked atomic.Uint64 // across levels: each slot once
	return []Case{
		{Name: "GET /api/patients/{id}", Read: true,
			Stack: func(i uint64) vegeta.Target { return Get(stackURL+"/api/patients/"+c.PatientID, as(i)) },
			Bare:  func(uint64) vegeta.Target { return Get(bareURL+"/patients/"+c.PatientID, nil) }},
		{Name: "GET /api/appointments?from&to (busy day, 300)", Read: true,
			Stack: func(i uint64) vegeta.Target { return Get(stackURL+"/api/appointments?"+day, as(i)) },
			Bare:  func(uint64) vegeta.Target { return Get(bareURL+"/appointments?"+day, nil) }},
		{Name: "GET /api/availability (one provider, a week)", Read: true,
			Stack: func(i uint64) vegeta.Target { return Get(stackURL+"/api/availability?"+week.Encode(), as(i)) },
			Bare:  func(uint64) vegeta.Target { return Get(bareURL+"/busy?"+bareWeek, nil) }},
		{Name: "POST /api/appointments",
			Stack: func(i uint64) vegeta.Target {
				return Post(stackURL+"/api/appointments", as(i), booking(booked.Add(1)))
			},
			Bare: func(uint64) vegeta.Target {
				return Post(bareURL+"/appointments", http.Header{}, booking(bareBooked.Add(1)))
			}},
		{Name: "GET /api/patients/{id}/chart", Read: true,
			Stack: func(i uint64) vegeta.Target { return Get(stackURL+"/api/patients/"+c.PatientID+"/chart", as(i)) },
			Bare:  func(uint64) vegeta.Target { return Get(bareURL+"/patients/"+c.PatientID+"/chart", nil) }},
	}
}
