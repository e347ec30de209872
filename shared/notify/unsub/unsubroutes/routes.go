// Package unsubroutes serves the unsubscribe link (the auth function); the
// token itself is package unsub's, which the notifications consumer links
// without the guard.
package unsubroutes

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify/unsub"
)

// Path is the unsubscribe route (GET the page, POST to unsubscribe).
const Path = unsub.Path

// Ledger is the opt-out ledger's write (prefs.Ledger through the
// composition root): email opt-outs only.
type Ledger interface {
	OptOutEmail(ctx context.Context, clinicID, address, source string, at time.Time) error
}

// Deps are what the routes need.
type Deps struct {
	Keys   *unsub.Keys
	Ledger Ledger
	// Clinic names the clinic on the page ("" when unknown).
	Clinic func(ctx context.Context, clinicID string) (string, error)
	Now    func() time.Time
	Log    *slog.Logger
}

// Routes mounts GET and POST /api/unsubscribe (public: the token is the
// authority).
func Routes(r *authz.Router, d Deps) {
	h := &handlers{d}
	r.HandleFunc("GET "+Path, h.page)
	r.HandleFunc("POST "+Path, h.unsubscribe)
}

type handlers struct{ Deps }

var errLink = errs.E(errs.Invalid, "this unsubscribe link is not valid; use the link in your latest email, or ask the practice")

func (h *handlers) open(r *http.Request) (clinicID, address string, err error) {
	clinicID, address, err = h.Keys.Open(r.URL.Query().Get("t"))
	if err != nil {
		return "", "", errLink
	}
	return clinicID, address, nil
}

func (h *handlers) clinicName(ctx context.Context, clinicID string) string {
	name, err := h.Clinic(ctx, clinicID)
	if err != nil || name == "" {
		return "the practice"
	}
	return name
}

func writePage(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Unsubscribe</title></head><body><main>`+body+`</main></body></html>`)
}

// page asks before it unsubscribes: mail scanners follow GET links.
func (h *handlers) page(w http.ResponseWriter, r *http.Request) error {
	clinicID, _, err := h.open(r)
	if err != nil {
		writePage(w, http.StatusBadRequest, `<h1>Link not valid</h1><p>`+html.EscapeString(errLink.Message)+`</p>`)
		return nil
	}
	name := html.EscapeString(h.clinicName(r.Context(), clinicID))
	action := html.EscapeString(Path + "?t=" + r.URL.Query().Get("t"))
	writePage(w, http.StatusOK, `<h1>Stop emails from `+name+`?</h1><p>You will no longer get appointment reminders or other messages by email from `+name+
		`. Emails you ask for yourself, such as password resets, still arrive.</p><form method="post" action="`+action+`"><button type="submit">Unsubscribe</button></form>`)
	return nil
}

// unsubscribe is the button and RFC 8058's one-click POST (its body,
// List-Unsubscribe=One-Click, says nothing the token does not).
func (h *handlers) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	_, _ = io.Copy(io.Discard, r.Body)
	clinicID, address, err := h.open(r)
	if err != nil {
		return err
	}
	if err := h.Ledger.OptOutEmail(r.Context(), clinicID, address, "email-link", h.Now()); err != nil {
		return err
	}
	h.Log.InfoContext(r.Context(), "email unsubscribed by link", "clinicId", clinicID)
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" || r.Header.Get("Accept") != "" && !acceptsJSON(r) {
		writePage(w, http.StatusOK, `<h1>You're unsubscribed</h1><p>`+html.EscapeString(h.clinicName(r.Context(), clinicID))+` will send you no more emails. To get them again, change your preferences in the patient portal or tell the front desk.</p>`)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func acceptsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return a == "application/json" || a == "*/*"
}
