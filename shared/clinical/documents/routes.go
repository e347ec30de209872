// Package documents is the clinical record's documents and images: X-rays,
// intraoral photos, referral letters and scanned forms, kept in the object
// store (S3) under keys the server decides. Browsers upload and download
// straight to and from the store with short-lived presigned URLs; the
// function never carries the bytes. An upload counts only once its stored
// object has been checked: its size as declared and its first bytes of the
// declared type (a ".jpg" that is an HTML page is rejected and deleted).
package documents

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Presigned URLs' lives: an upload has ten minutes to start; a download
// link is good for five, so a link copied out of the app soon stops working.
const (
	uploadTTL   = 10 * time.Minute
	downloadTTL = 5 * time.Minute
)

// Audited actions.
const (
	actionUpload   = "document.upload"
	actionComplete = "document.complete"
	actionRejected = "document.rejected"
	actionView     = "document.view"
	actionDownload = "document.download"
	actionList     = "document.list"
	actionArchive  = "document.archive"
)

// Routes registers the document routes.
func Routes(r *authz.Router, d core.Deps) {
	h := &handlers{Deps: d, docs: newStore(d.Mongo, d.Clock)}
	r.HandleFunc("GET /api/patients/{id}/documents", h.list)
	r.HandleFunc("POST /api/patients/{id}/documents", h.create)
	r.HandleFunc("POST /api/documents/{id}/complete", h.complete)
	r.HandleFunc("GET /api/documents/{id}", h.get)
	r.HandleFunc("POST /api/documents/{id}/archive", h.archive)
}

type handlers struct {
	core.Deps
	docs *docStore
}

var (
	errNoStore     = errs.E(errs.Unavailable, "document store unavailable")
	errNotUploaded = errs.E(errs.Conflict, "upload the file first")
	errLost        = errs.E(errs.Conflict, "the document changed meanwhile; reload it")
)

func resource(id string) string { return "documents/" + id }

// objects is the document store, or 503 where a function was built
// without one.
func (h *handlers) objects() (core.Objects, error) {
	if h.Objects == nil {
		return nil, errNoStore
	}
	return h.Objects, nil
}

// owned is the path's document as caller p may see it: another clinic's (the
// store scopes by clinic) or another patient's is 404.
func (h *handlers) owned(r *http.Request, p authz.Principal) (record, error) {
	rec, err := h.docs.get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return record{}, err
	}
	if !core.Owns(p, rec.PatientID) {
		return record{}, errNotFound
	}
	return rec, nil
}

// createAnswer is POST patients/{id}/documents' answer.
type createAnswer struct {
	ID            string            `json:"id"`
	UploadURL     string            `json:"uploadUrl"`
	UploadHeaders map[string]string `json:"uploadHeaders"`
	ExpiresAt     time.Time         `json:"expiresAt"`
	Document      Document          `json:"document"`
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	var in createInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	clinic, err := h.Settings(ctx, p.ClinicID)
	if err != nil {
		return err
	}
	if in, err = in.validate(h.Clock.Now(), clinic.TimeZone); err != nil {
		return err
	}
	objects, err := h.objects()
	if err != nil {
		return err
	}
	now := h.Now()
	rec := record{
		ID: ids.New(), PatientID: pt.ID, Kind: in.Kind, FileName: in.FileName, ContentType: in.ContentType, Size: in.Size,
		Status: statusPending, UploadedBy: p.UserID, CreatedAt: now,
	}
	rec.Key = objectKey(p.ClinicID, pt.ID, rec.ID)
	if in.Tooth != nil {
		rec.Tooth = *in.Tooth
	}
	if in.TakenOn != nil {
		rec.TakenOn = *in.TakenOn
	}
	if in.Description != nil {
		if rec.Description, err = h.Seal.Seal(strings.TrimSpace(*in.Description), where(rec.ID)); err != nil {
			return errs.Wrap(errs.Internal, err, "internal error")
		}
	}
	url, headers, err := objects.PresignPut(ctx, rec.Key, rec.ContentType, rec.Size, uploadTTL)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("kind: %s; contentType: %s; size: %d", rec.Kind, rec.ContentType, rec.Size)
	if err := h.Write(r, p, core.Entry(actionUpload, resource(rec.ID), pt.ID, detail), func() error {
		return h.docs.insert(ctx, p.ClinicID, rec)
	}); err != nil {
		return err
	}
	doc, err := view(h.Seal, rec)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, createAnswer{ID: rec.ID, UploadURL: url, UploadHeaders: headers, ExpiresAt: now.Add(uploadTTL), Document: doc})
	return nil
}

// rejection is a checked upload that is not what was declared: the 422's
// message (for the uploader) and the trail's detail (no content).
type rejection struct{ message, detail string }

// check inspects rec's stored object: nil if it is what was declared.
func check(r *http.Request, objects core.Objects, rec record) (*rejection, error) {
	size, err := objects.Head(r.Context(), rec.Key)
	if errs.Is(err, errs.NotFound) {
		return nil, errNotUploaded
	}
	if err != nil {
		return nil, err
	}
	if size != rec.Size {
		return &rejection{
			message: fmt.Sprintf("the uploaded file is %d bytes, but %d were declared", size, rec.Size),
			detail:  fmt.Sprintf("size: %d; declared: %d", size, rec.Size),
		}, nil
	}
	head, err := objects.ReadFirst(r.Context(), rec.Key, sniffLen)
	if err != nil {
		return nil, err
	}
	if found := Sniff(head); found != rec.ContentType {
		return &rejection{
			message: fmt.Sprintf("the uploaded file is %s, not %s as declared", found, rec.ContentType),
			detail:  fmt.Sprintf("found: %s; declared: %s", found, rec.ContentType),
		}, nil
	}
	return nil, nil
}

func (h *handlers) complete(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.owned(r, p)
	if err != nil {
		return err
	}
	switch rec.Status {
	case statusStored:
		// A retried completion (the first answer was lost) is answered
		// again, as the read it now is.
		if err := h.Read(r, p, core.Entry(actionComplete, resource(rec.ID), rec.PatientID, "status: stored (again)")); err != nil {
			return err
		}
		return h.answer(w, rec)
	case statusRejected:
		return errs.E(errs.Conflict, "this upload was rejected; upload the file again as a new document")
	case statusArchived:
		return errs.E(errs.Conflict, "the document is archived")
	}
	objects, err := h.objects()
	if err != nil {
		return err
	}
	bad, err := check(r, objects, rec)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := h.Now()
	if bad != nil {
		var won bool
		err := h.Write(r, p, core.Entry(actionRejected, resource(rec.ID), rec.PatientID, bad.detail), func() (err error) {
			// The object goes first: a forged file must not outlive the
			// refusal, and a failed delete leaves the document pending
			// for the next completion to judge again.
			if err := objects.Delete(ctx, rec.Key); err != nil {
				return err
			}
			won, err = h.docs.move(ctx, p.ClinicID, rec, bson.D{{Key: "status", Value: statusRejected}, {Key: "rejectedReason", Value: bad.detail}}, nil)
			return err
		})
		if err != nil {
			return err
		}
		if !won {
			return errLost
		}
		return errs.E(errs.Unprocessable, "%s; the file was deleted", bad.message)
	}
	var out record
	var won bool
	detail := fmt.Sprintf("contentType: %s; size: %d", rec.ContentType, rec.Size)
	if err := h.Write(r, p, core.Entry(actionComplete, resource(rec.ID), rec.PatientID, detail), func() (err error) {
		won, err = h.docs.move(ctx, p.ClinicID, rec, bson.D{{Key: "status", Value: statusStored}, {Key: "storedAt", Value: now}}, &out)
		return err
	}); err != nil {
		return err
	}
	if !won {
		// A racing completion of the same upload came first: it judged the
		// same object, so its outcome is this one's.
		cur, err := h.docs.get(ctx, p.ClinicID, rec.ID)
		if err != nil {
			return err
		}
		if cur.Status != statusStored {
			return errLost
		}
		out = cur
	}
	return h.answer(w, out)
}

func (h *handlers) answer(w http.ResponseWriter, rec record) error {
	doc, err := view(h.Seal, rec)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, doc)
	return nil
}

// withDownload is GET documents/{id}'s answer.
type withDownload struct {
	Document
	DownloadURL string `json:"downloadUrl"`
}

func (h *handlers) get(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	inline, err := disposition(r)
	if err != nil {
		return err
	}
	rec, err := h.owned(r, p)
	if err != nil {
		return err
	}
	if rec.StoredAt == nil || rec.Status == statusRejected {
		// Only an object that passed its check is ever linked: an upload
		// archived before completion was never judged.
		return errs.E(errs.Conflict, "the document is %s and was never stored; only a stored document can be downloaded", rec.Status)
	}
	objects, err := h.objects()
	if err != nil {
		return err
	}
	url, err := objects.PresignGet(r.Context(), rec.Key, rec.FileName, rec.ContentType, inline, downloadTTL)
	if err != nil {
		return err
	}
	action := actionDownload
	if inline {
		action = actionView
	}
	if err := h.Read(r, p, core.Entry(action, resource(rec.ID), rec.PatientID, "status: "+rec.Status)); err != nil {
		return err
	}
	doc, err := view(h.Seal, rec)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, withDownload{Document: doc, DownloadURL: url})
	return nil
}

// disposition reads ?disposition=inline|attachment (default attachment).
func disposition(r *http.Request) (inline bool, err error) {
	switch r.URL.Query().Get("disposition") {
	case "", "attachment":
		return false, nil
	case "inline":
		return true, nil
	}
	return false, errs.InvalidFields(errs.FieldError{Field: "disposition", Message: "must be inline or attachment"})
}

// withPreview is a listed document.
type withPreview struct {
	Document
	// PreviewURL is an inline link for a stored image's thumbnail; absent
	// for anything a browser cannot show as an image.
	PreviewURL string `json:"previewUrl,omitempty"`
}

var listStatuses = map[string][]string{
	"":         {statusStored},
	"stored":   {statusStored},
	"archived": {statusArchived},
	"all":      nil,
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	f, err := parseFilter(q.Get("kind"), q.Get("tooth"), q.Get("status"))
	if err != nil {
		return err
	}
	objects, err := h.objects()
	if err != nil {
		return err
	}
	ctx := r.Context()
	res, err := h.docs.list(ctx, p.ClinicID, pt.ID, f, page)
	if err != nil {
		return err
	}
	out := store.Page[withPreview]{Items: make([]withPreview, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, rec := range res.Items {
		doc, err := view(h.Seal, rec)
		if err != nil {
			return err
		}
		item := withPreview{Document: doc}
		if rec.Status == statusStored && isImage(rec.ContentType) {
			// Presigning is a local signature, no call to the store.
			if item.PreviewURL, err = objects.PresignGet(ctx, rec.Key, rec.FileName, rec.ContentType, true, downloadTTL); err != nil {
				return err
			}
		}
		out.Items = append(out.Items, item)
	}
	if err := h.Read(r, p, core.Entry(actionList, "patients/"+pt.ID+"/documents", pt.ID, fmt.Sprintf("results: %d", len(out.Items)))); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func parseFilter(kind, tooth, status string) (listFilter, error) {
	var v errs.Validator
	f := listFilter{Kind: kind}
	v.Check(kind == "" || slices.Contains(kinds, kind), "kind", "must be one of "+strings.Join(kinds, ", "))
	if tooth != "" {
		t, ok := chart.LookupTooth(tooth)
		v.Check(ok, "tooth", "must be a Universal tooth number (1-32, A-T)")
		f.Tooth = t.Universal
	}
	statuses, ok := listStatuses[status]
	v.Check(ok, "status", "must be stored, archived or all")
	f.Statuses = statuses
	return f, v.Err()
}

func (h *handlers) archive(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	ctx := r.Context()
	var out record
	err := store.Retry(ctx, errLost, func() (bool, error) {
		rec, err := h.owned(r, p)
		if err != nil {
			return false, err
		}
		switch rec.Status {
		case statusArchived:
			out = rec
			return true, nil
		case statusRejected:
			return false, errs.E(errs.Conflict, "a rejected upload has nothing to archive")
		}
		var won bool
		err = h.Write(r, p, core.Entry(actionArchive, resource(rec.ID), rec.PatientID, "from: "+rec.Status), func() (err error) {
			won, err = h.docs.move(ctx, p.ClinicID, rec, bson.D{{Key: "status", Value: statusArchived}, {Key: "archivedAt", Value: h.Now()}}, &out)
			return err
		})
		return won, err
	})
	if err != nil {
		return err
	}
	return h.answer(w, out)
}
