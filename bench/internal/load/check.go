package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
)

// live are the statuses that hold a provider's time.
var live = []scheduling.Status{scheduling.Held, scheduling.Scheduled, scheduling.Confirmed, scheduling.CheckedIn, scheduling.Completed}

// Overlaps reads every live appointment of the clinic and counts pairs of
// one provider's that overlap in time.
func Overlaps(ctx context.Context, m *store.Mongo, clinicID string) (overlaps, checked int, err error) {
	db, err := m.Database()
	if err != nil {
		return 0, 0, err
	}
	cur, err := db.Collection("appointments").Find(ctx, bson.D{{Key: "clinicId", Value: clinicID}, {Key: "status", Value: bson.D{{Key: "$in", Value: live}}}})
	if err != nil {
		return 0, 0, err
	}
	var appts []scheduling.Appointment
	if err := cur.All(ctx, &appts); err != nil {
		return 0, 0, err
	}
	byProvider := map[string][]scheduling.Appointment{}
	for _, a := range appts {
		byProvider[a.ProviderID] = append(byProvider[a.ProviderID], a)
	}
	for _, as := range byProvider {
		sort.Slice(as, func(i, j int) bool { return as[i].Start.Before(as[j].Start) })
		end := time.Time{}
		for _, a := range as {
			if a.Start.Before(end) {
				overlaps++
			}
			if a.End.After(end) {
				end = a.End
			}
		}
	}
	return overlaps, len(appts), nil
}

// HalfWritten counts what a booking cut short can leave behind: pending
// appointments (invisible, their claims reclaimable, but not finished) and
// live appointments missing their claims (which another booking could then
// overlap).
func HalfWritten(ctx context.Context, m *store.Mongo, clinicID string, since time.Time) (pending, unclaimed int, err error) {
	db, err := m.Database()
	if err != nil {
		return 0, 0, err
	}
	n, err := db.Collection("appointments").CountDocuments(ctx, bson.D{{Key: "clinicId", Value: clinicID},
		{Key: "status", Value: scheduling.Pending}, {Key: "createdAt", Value: bson.D{{Key: "$gte", Value: since}}}})
	if err != nil {
		return 0, 0, err
	}
	cur, err := db.Collection("appointments").Find(ctx, bson.D{{Key: "clinicId", Value: clinicID},
		{Key: "status", Value: bson.D{{Key: "$in", Value: live}}}, {Key: "createdAt", Value: bson.D{{Key: "$gte", Value: since}}}})
	if err != nil {
		return 0, 0, err
	}
	var booked []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &booked); err != nil {
		return 0, 0, err
	}
	for _, a := range booked {
		claims, err := db.Collection("slot_claims").CountDocuments(ctx, bson.D{{Key: "clinicId", Value: clinicID}, {Key: "appointmentId", Value: a.ID}})
		if err != nil {
			return 0, 0, err
		}
		if claims == 0 {
			unclaimed++
		}
	}
	return int(n), unclaimed, nil
}

// VerifyChain asks the API, as an admin, whether the clinic's audit chain
// verifies (GET /api/audit-logs?verify=true).
func VerifyChain(ctx context.Context, d *Desk) (string, bool) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.s.URL+"/api/audit-logs?verify=true", nil)
	req.Header = d.header.Clone()
	c := &http.Client{Timeout: 5 * time.Minute} // the walk reads the whole trail
	resp, err := c.Do(req)
	if err != nil {
		return err.Error(), false
	}
	defer resp.Body.Close()
	var v struct {
		OK          bool   `json:"ok"`
		Checked     int64  `json:"checked"`
		BrokenAtSeq int64  `json:"brokenAtSeq"`
		Problem     string `json:"problem"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("GET /api/audit-logs?verify=true: %d %v", resp.StatusCode, err), false
	}
	if !v.OK {
		return fmt.Sprintf("broken at seq %d (%s) of %d checked", v.BrokenAtSeq, v.Problem, v.Checked), false
	}
	return fmt.Sprintf("verifies: %d records checked", v.Checked), true
}
