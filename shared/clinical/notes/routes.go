// Package notes is the clinical record's notes and prescriptions: SOAP,
// procedure and progress notes drafted from templates, signed once and
// corrected only by amendments; prescriptions checked against the
// patient's recorded allergies. Free text is sealed at rest.
package notes

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Routes registers the note and prescription routes.
func Routes(r *authz.Router, d core.Deps) {
	n := &noteHandlers{Deps: d, notes: newNoteStore(d.Mongo, d.Clock), templates: newTemplateStore(d.Mongo)}
	r.HandleFunc("GET /api/note-templates", n.listTemplates)
	r.HandleFunc("GET /api/patients/{id}/notes", n.list)
	r.HandleFunc("POST /api/patients/{id}/notes", n.create)
	r.HandleFunc("PATCH /api/notes/{id}", n.patch)
	r.HandleFunc("POST /api/notes/{id}/sign", n.sign)
	r.HandleFunc("POST /api/notes/{id}/amend", n.amend)

	rx := &rxHandlers{Deps: d, rx: newRxStore(d.Mongo, d.Clock)}
	r.HandleFunc("GET /api/patients/{id}/prescriptions", rx.list)
	r.HandleFunc("POST /api/patients/{id}/prescriptions", rx.create)
	r.HandleFunc("POST /api/prescriptions/{id}/discontinue", rx.discontinue)
}
