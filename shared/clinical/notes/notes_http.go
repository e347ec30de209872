package notes

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Audited note actions.
const (
	actionNoteRead  = "note.read"
	actionNoteWrite = "note.write"
	actionNoteSign  = "note.sign"
	actionNoteAmend = "note.amend"
)

type noteHandlers struct {
	core.Deps
	notes     *noteStore
	templates *templateStore
}

func noteResource(id string) string { return "notes/" + id }

func (h *noteHandlers) listTemplates(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	list, err := h.templates.List(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(list))
	return nil
}

func (h *noteHandlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	page, err := store.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	res, err := h.notes.List(r.Context(), p.ClinicID, pt.ID, nil, page)
	if err != nil {
		return err
	}
	out, err := viewPage(res, func(rec noteRecord) (Note, error) { return rec.view(h.Seal) })
	if err != nil {
		return err
	}
	linkAmendments(out.Items)
	e := core.Entry(actionNoteRead, "patients/"+pt.ID+"/notes", pt.ID, fmt.Sprintf("notes: %d", len(out.Items)))
	if err := h.Read(r, p, e); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// linkAmendments lists each amendment on its original when both are on the
// page, whether or not the original's stored list has it yet (the link is
// written after the amendment: see amend).
func linkAmendments(list []Note) {
	at := make(map[string]int, len(list))
	for i, n := range list {
		at[n.ID] = i
	}
	// The page is newest first: walk it oldest first so amendments are
	// listed in the order they were made.
	for i := len(list) - 1; i >= 0; i-- {
		n := list[i]
		if n.Amends == nil {
			continue
		}
		if j, ok := at[*n.Amends]; ok && !slices.Contains(list[j].Amendments, n.ID) {
			list[j].Amendments = append(list[j].Amendments, n.ID)
		}
	}
}

// prepare applies a new note's (or amendment's) body to rec: its type
// (given, else the template's, else fallback), the template's prompts for
// the fields not given, and the checks. It returns the note's text.
func (h *noteHandlers) prepare(r *http.Request, clinicID string, in noteInput, fallbackType string, rec *noteRecord) (noteText, error) {
	var v errs.Validator
	var tmpl *Template
	if in.TemplateID != nil && *in.TemplateID != "" {
		t, err := h.templates.Get(r.Context(), clinicID, *in.TemplateID)
		if err != nil {
			return noteText{}, err
		}
		tmpl = &t
	}
	rec.Type = fallbackType
	switch {
	case in.Type != nil:
		rec.Type = *in.Type
	case tmpl != nil:
		rec.Type = tmpl.Type
	}
	v.Check(slices.Contains(noteTypes, rec.Type), "type", "must be soap, procedure or progress")
	if tmpl != nil {
		rec.TemplateID = tmpl.ID
		v.Check(tmpl.Type == rec.Type || !slices.Contains(noteTypes, rec.Type), "templateId", "is a "+tmpl.Type+" template, not "+rec.Type)
	}
	checkText(&v, rec.Type, in.noteFields)
	checkAppointment(&v, in.AppointmentID, true)
	if err := v.Err(); err != nil {
		return noteText{}, err
	}
	if in.AppointmentID != nil {
		rec.AppointmentID = *in.AppointmentID
	}
	var t noteText
	if tmpl != nil {
		t = noteText{Subjective: tmpl.Subjective, Objective: tmpl.Objective, Assessment: tmpl.Assessment, Plan: tmpl.Plan, Body: tmpl.Body}
	}
	for _, f := range in.given() {
		*t.field(f) = *in.text(f)
	}
	return t, nil
}

// writeDetail names what a note write carried: its type, the fields with
// text, and whether a template and an appointment were used (never text).
func writeDetail(what string, rec noteRecord, t noteText) string {
	var filled []string
	for _, f := range textFields {
		if *t.field(f) != "" {
			filled = append(filled, f)
		}
	}
	d := fmt.Sprintf("%s; type: %s; fields: %s", what, rec.Type, strings.Join(filled, ","))
	if rec.TemplateID != "" {
		d += "; template: " + rec.TemplateID
	}
	if rec.AppointmentID != "" {
		d += "; appointment: " + rec.AppointmentID
	}
	return d
}

func (h *noteHandlers) create(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	// Another clinic's (or a missing) patient is 404 before the body is
	// judged: not even a validation error tells whether it exists.
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	var in noteInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	now := h.Now()
	rec := noteRecord{ID: ids.New(), PatientID: pt.ID, Status: StatusDraft, AuthorID: p.UserID, AuthorRole: p.Role,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	t, err := h.prepare(r, p.ClinicID, in, "", &rec)
	if err != nil {
		return err
	}
	if rec.Text, err = sealNote(h.Seal, rec.ID, t); err != nil {
		return err
	}
	err = h.Write(r, p, core.Entry(actionNoteWrite, noteResource(rec.ID), pt.ID, writeDetail("draft created", rec, t)), func() error {
		return h.notes.Insert(r.Context(), p.ClinicID, rec)
	})
	if err != nil {
		return err
	}
	return h.answer(w, http.StatusCreated, rec)
}

func (h *noteHandlers) answer(w http.ResponseWriter, status int, rec noteRecord) error {
	n, err := rec.view(h.Seal)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, status, n)
	return nil
}

// note is the path's note, 404 unless the caller may see it.
func (h *noteHandlers) note(r *http.Request, p authz.Principal) (noteRecord, error) {
	rec, err := h.notes.Get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return noteRecord{}, err
	}
	if !core.Owns(p, rec.PatientID) {
		return noteRecord{}, errNoteNotFound
	}
	return rec, nil
}

var errChanged = errs.E(errs.Conflict, "the draft changed while it was being signed; review it and sign again")

func (h *noteHandlers) patch(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.note(r, p)
	if err != nil {
		return err
	}
	var in noteFields
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if rec.Status != StatusDraft {
		return errSigned
	}
	if rec.AuthorID != p.UserID {
		return h.Deny(r, p, core.Entry(actionNoteWrite, noteResource(rec.ID), rec.PatientID, "not the draft's author"), errNotAuthor)
	}
	var v errs.Validator
	checkText(&v, rec.Type, in)
	checkAppointment(&v, in.AppointmentID, true)
	if err := v.Err(); err != nil {
		return err
	}
	touched := in.given()
	set, unset := bson.D{{Key: "updatedAt", Value: h.Now()}}, bson.D{}
	for _, f := range touched {
		s, err := h.Seal.Seal(*in.text(f), noteWhere(rec.ID, f))
		if err != nil {
			return err
		}
		if s.IsZero() {
			unset = append(unset, bson.E{Key: f, Value: ""})
		} else {
			set = append(set, bson.E{Key: f, Value: s})
		}
	}
	if in.AppointmentID != nil {
		touched = append(touched, "appointmentId")
		if *in.AppointmentID == "" {
			unset = append(unset, bson.E{Key: "appointmentId", Value: ""})
		} else {
			set = append(set, bson.E{Key: "appointmentId", Value: *in.AppointmentID})
		}
	}
	if len(touched) == 0 {
		return errs.E(errs.Invalid, "the request names no field to change")
	}
	var out noteRecord
	err = h.Write(r, p, core.Entry(actionNoteWrite, noteResource(rec.ID), rec.PatientID, "draft edited; fields: "+strings.Join(touched, ",")), func() (err error) {
		out, err = h.notes.UpdateDraft(r.Context(), p.ClinicID, rec.ID, p.UserID, set, unset)
		return err
	})
	if err != nil {
		return err
	}
	return h.answer(w, http.StatusOK, out)
}

// mayCountersign reports whether signer p may sign rec: their own draft,
// or one drafted by someone who does not sign (an assistant's); never
// another clinician's, who signs their own.
func mayCountersign(p authz.Principal, rec noteRecord) bool {
	return rec.AuthorID == p.UserID || !slices.Contains(core.Signers, rec.AuthorRole)
}

func (h *noteHandlers) sign(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.note(r, p)
	if err != nil {
		return err
	}
	if rec.Status != StatusDraft {
		return errs.E(errs.Conflict, "the note is already signed")
	}
	entry := core.Entry(actionNoteSign, noteResource(rec.ID), rec.PatientID, "")
	if !slices.Contains(core.Signers, p.Role) {
		entry.Detail = "role does not sign notes"
		return h.Deny(r, p, entry, errs.E(errs.Forbidden, "only a dentist or a hygienist signs clinical notes"))
	}
	if !mayCountersign(p, rec) {
		entry.Detail = "another clinician's draft"
		return h.Deny(r, p, entry, errs.E(errs.Forbidden, "a %s's draft is signed by its author", rec.AuthorRole))
	}
	t, err := openNote(h.Seal, rec.ID, rec.Text)
	if err != nil {
		return err
	}
	if err := signable(rec.Type, t); err != nil {
		return err
	}
	entry.Detail = fmt.Sprintf("version: %d", rec.Version)
	if rec.AuthorID != p.UserID {
		entry.Detail += "; countersigned draft of " + rec.AuthorID
	}
	var signed noteRecord
	err = h.Write(r, p, entry, func() error {
		out, won, err := h.notes.Sign(r.Context(), p.ClinicID, rec.ID, rec.Version, p.UserID, h.Now())
		signed = out
		if err != nil || won {
			return err
		}
		// Another change came first: say which.
		cur, err := h.notes.Get(r.Context(), p.ClinicID, rec.ID)
		switch {
		case err != nil:
			return err
		case cur.Status == StatusSigned:
			return errs.E(errs.Conflict, "the note is already signed")
		case cur.Version != rec.Version:
			return errChanged
		}
		return errNoteBusy
	})
	if err != nil {
		return err
	}
	return h.answer(w, http.StatusOK, signed)
}

func (h *noteHandlers) amend(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	orig, err := h.note(r, p)
	if err != nil {
		return err
	}
	var in noteInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if orig.Status != StatusSigned {
		return errs.E(errs.Conflict, "the note is a draft: edit it instead of amending it")
	}
	if !slices.Contains(core.Signers, p.Role) {
		return h.Deny(r, p, core.Entry(actionNoteAmend, noteResource(orig.ID), orig.PatientID, "role does not sign notes"),
			errs.E(errs.Forbidden, "only a dentist or a hygienist amends clinical notes"))
	}
	now := h.Now()
	// An amendment is signed by whoever writes it, at once: it is a
	// correction on the record, not a draft.
	rec := noteRecord{ID: ids.New(), PatientID: orig.PatientID, AppointmentID: orig.AppointmentID, Status: StatusSigned,
		AuthorID: p.UserID, AuthorRole: p.Role, CreatedAt: now, UpdatedAt: now, SignedAt: &now, SignedBy: p.UserID,
		Amends: orig.ID, Version: 1}
	t, err := h.prepare(r, p.ClinicID, in, orig.Type, &rec)
	if err != nil {
		return err
	}
	if err := signable(rec.Type, t); err != nil {
		return err
	}
	if rec.Text, err = sealNote(h.Seal, rec.ID, t); err != nil {
		return err
	}
	err = h.Write(r, p, core.Entry(actionNoteAmend, noteResource(rec.ID), rec.PatientID, writeDetail("amends "+orig.ID, rec, t)), func() error {
		return h.notes.Insert(r.Context(), p.ClinicID, rec)
	})
	if err != nil {
		return err
	}
	// The amendment stands on its own (it names the original, and the list
	// links them from that); the original's list of amendments is a second
	// write, so a failure here is logged, not answered as a failed amendment
	// the client would then make twice.
	if err := h.notes.Link(r.Context(), p.ClinicID, orig.ID, rec.ID); err != nil {
		h.Log.WarnContext(r.Context(), "note amendment not linked on its original", "note", orig.ID, "amendment", rec.ID, "err", err.Error())
	}
	return h.answer(w, http.StatusCreated, rec)
}
