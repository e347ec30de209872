package clinical_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
)

// BenchmarkChartRead500 is `make bench`'s row for GET
// /api/patients/{id}/chart on a chart of 500 entries: the clinical function
// as deployed (guard, session check in Redis, patient lookup, audit record,
// unsealing the notes, deriving the chart in effect) next to a bare
// net/http handler doing the same single Mongo read of those 500 entries on
// the same database in the same run. The ratio is the cost of everything
// around the read.
func BenchmarkChartRead500(b *testing.B) {
	e := clinicaltest.New(b)
	pt := e.MustPatient(b, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(b, "dentist")
	user := e.User(b, "dentist")
	ctx := context.Background()
	store := chart.NewStore(e.Mongo, e.Clock, e.Seal)
	teeth := []string{"2", "3", "4", "5", "12", "13", "14", "15", "18", "19", "20", "29", "30", "31"}
	at := e.Clock.Now().Add(-500 * time.Hour)
	// One entry through the store (its indexes, its document shape), the
	// other 499 inserted as the store would have stored them: appending
	// judges each entry against the chart so far, which makes 500 appends
	// on FerretDB take most of a minute.
	if _, err := store.Append(ctx, e.Clinic.ID, chart.Entry{PatientID: pt.ID, Tooth: "2", Surfaces: []string{"O"}, Kind: "filling", Status: "existing",
		ProviderID: user.ID, RecordedBy: user.ID, RecordedAt: at, Note: "entry 0"}); err != nil {
		b.Fatal(err)
	}
	db, err := e.Mongo.Database()
	if err != nil {
		b.Fatal(err)
	}
	coll := db.Collection("chart_entries")
	var docs []any
	for i := 1; i < 500; i++ {
		id := ids.New()
		note, err := e.Seal.Seal(fmt.Sprintf("entry %d: composite, shade A2", i), "chart_entries/"+id+"/note")
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "clinicId", Value: e.Clinic.ID}, {Key: "patientId", Value: pt.ID},
			{Key: "seq", Value: int64(i + 1)}, {Key: "tooth", Value: teeth[i%len(teeth)]}, {Key: "surfaces", Value: []string{"O"}},
			{Key: "kind", Value: "filling"}, {Key: "status", Value: "existing"}, {Key: "providerId", Value: user.ID},
			{Key: "recordedBy", Value: user.ID}, {Key: "recordedAt", Value: at.Add(time.Duration(i) * time.Hour)}, {Key: "note", Value: note}})
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	path := "/api/patients/" + pt.ID + "/chart?history=true"
	if r := dentist.Do(b, "GET", path, nil); r.Status != http.StatusOK || strings.Count(string(r.Body), `"recordedAt"`) != 500 {
		b.Fatalf("GET chart: %d, want 500 entries: %.300s", r.Status, r.Body)
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur, err := coll.Find(r.Context(), bson.D{{Key: "clinicId", Value: e.Clinic.ID}, {Key: "patientId", Value: pt.ID}},
			options.Find().SetSort(bson.D{{Key: "recordedAt", Value: 1}}))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		var docs []bson.M
		if err := cur.All(r.Context(), &docs); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"entries":%d}`, len(docs))
	})
	b.Run("clinical", func(b *testing.B) {
		for b.Loop() {
			if r := dentist.Do(b, "GET", path, nil); r.Status != http.StatusOK {
				b.Fatal(r.Status)
			}
		}
	})
	b.Run("bare-handler", func(b *testing.B) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			bare.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != http.StatusOK {
				b.Fatal(rec.Code)
			}
		}
	})
}
