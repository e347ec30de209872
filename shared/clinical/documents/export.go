package documents

import (
	"context"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Metadata reads a patient's documents' records for a record export: what
// each is, never its bytes, and without the object store (no presigning,
// no S3 client).
type Metadata struct {
	docs *docStore
	seal *seal.Keys
}

// NewMetadata declares the read (no I/O).
func NewMetadata(m *store.Mongo, c clock.Clock, k *seal.Keys) *Metadata {
	return &Metadata{docs: newStore(m, c), seal: k}
}

// Page is one page of patientID's stored and archived documents (not the
// pending uploads nor the rejected ones), newest first, on the (clinicId,
// patientId, createdAt) index.
func (d *Metadata) Page(ctx context.Context, clinicID, patientID string, page store.PageRequest) (store.Page[Document], error) {
	res, err := d.docs.list(ctx, clinicID, patientID, listFilter{Statuses: []string{statusStored, statusArchived}}, page)
	if err != nil {
		return store.Page[Document]{}, err
	}
	out := store.Page[Document]{Items: make([]Document, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, rec := range res.Items {
		doc, err := view(d.seal, rec)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, doc)
	}
	return out, nil
}
