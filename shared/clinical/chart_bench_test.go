package clinical_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
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
	for i := 0; i < 500; i++ {
		_, err := store.Append(ctx, e.Clinic.ID, chart.Entry{PatientID: pt.ID, Tooth: teeth[i%len(teeth)], Surfaces: []string{"O"},
			Kind: "filling", Status: "existing", ProviderID: user.ID, RecordedBy: user.ID, RecordedAt: at.Add(time.Duration(i) * time.Hour),
			Note: fmt.Sprintf("entry %d: composite, shade A2", i)})
		if err != nil {
			b.Fatal(err)
		}
	}
	path := "/api/patients/" + pt.ID + "/chart?history=true"
	if r := dentist.Do(b, "GET", path, nil); r.Status != http.StatusOK {
		b.Fatalf("GET chart: %d %s", r.Status, r.Body)
	}
	db, err := e.Mongo.Database()
	if err != nil {
		b.Fatal(err)
	}
	coll := db.Collection("chart_entries")
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
