// Package receivables reads the ledger's entries of many patients at once
// for the practice's aging report, and ages each account as the ledger
// does (core.Age). It is the ledger's data without the ledger package,
// which links a PDF writer the admin function has no use for.
package receivables

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/store"
)

// maxBatch bounds the patients of one read (the entries come in one find).
const maxBatch = 200

// Reader reads ledger_entries (the ledger's collection and its
// (clinicId, patientId, at) index, declared by the ledger).
type Reader struct{ entries *store.Collection }

// New declares the read (no I/O).
func New(m *store.Mongo) *Reader { return &Reader{entries: m.Collection("ledger_entries")} }

// entry is what aging needs of a ledger entry.
type entry struct {
	PatientID   string    `bson:"patientId"`
	EffectCents int64     `bson:"effectCents"`
	At          time.Time `bson:"at"`
}

// Aging is each of patientIDs' (at most 200) aging as of now, days in loc:
// one find over their entries, oldest first per patient (as the ledger
// orders them). Charges of completed work that the ledger has not taken
// in yet (it does on the patient's next ledger read) are not counted.
func (r *Reader) Aging(ctx context.Context, clinicID string, patientIDs []string, loc *time.Location, now time.Time) (map[string]core.Aging, error) {
	out := make(map[string]core.Aging, len(patientIDs))
	for len(patientIDs) > 0 {
		n := min(len(patientIDs), maxBatch)
		ids := patientIDs[:n]
		patientIDs = patientIDs[n:]
		var es []entry
		opts := options.Find().SetSort(bson.D{{Key: "patientId", Value: 1}, {Key: "at", Value: 1}, {Key: "postedAt", Value: 1}, {Key: "_id", Value: 1}}).
			SetProjection(bson.D{{Key: "patientId", Value: 1}, {Key: "effectCents", Value: 1}, {Key: "at", Value: 1}})
		if err := r.entries.Find(ctx, clinicID, bson.D{{Key: "patientId", Value: bson.D{{Key: "$in", Value: ids}}}}, &es, opts); err != nil {
			return nil, err
		}
		for i := 0; i < len(es); {
			j := i
			var effects []core.Effect
			for ; j < len(es) && es[j].PatientID == es[i].PatientID; j++ {
				effects = append(effects, core.Effect{At: es[j].At, Cents: es[j].EffectCents})
			}
			out[es[i].PatientID] = core.Age(effects, loc, now)
			i = j
		}
	}
	return out, nil
}
