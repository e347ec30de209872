package notes

import (
	"context"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Prescriptions reads a patient's prescriptions for a record export,
// without the routes: the structured prescription and its reason opened,
// as the prescriptions list answers them.
type Prescriptions struct {
	rx   *rxStore
	seal *seal.Keys
}

// NewPrescriptions declares the read (no I/O).
func NewPrescriptions(m *store.Mongo, c clock.Clock, k *seal.Keys) *Prescriptions {
	return &Prescriptions{rx: newRxStore(m, c), seal: k}
}

// Page is one page of patientID's prescriptions (active and discontinued),
// newest first, on the (clinicId, patientId, createdAt) index.
func (p *Prescriptions) Page(ctx context.Context, clinicID, patientID string, page store.PageRequest) (store.Page[Prescription], error) {
	res, err := p.rx.List(ctx, clinicID, patientID, nil, page)
	if err != nil {
		return store.Page[Prescription]{}, err
	}
	return viewPage(res, func(rec rxRecord) (Prescription, error) { return rec.view(p.seal) })
}
