package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/topsmile/topsmile/shared/errs"
)

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[errs.Kind]int{
	errs.Invalid:          http.StatusBadRequest,
	errs.Unauthorized:     http.StatusUnauthorized,
	errs.Forbidden:        http.StatusForbidden,
	errs.NotFound:         http.StatusNotFound,
	errs.MethodNotAllowed: http.StatusMethodNotAllowed,
	errs.Conflict:         http.StatusConflict,
	errs.TooLarge:         http.StatusRequestEntityTooLarge,
	errs.UnsupportedMedia: http.StatusUnsupportedMediaType,
	errs.Unprocessable:    http.StatusUnprocessableEntity,
	errs.RateLimited:      http.StatusTooManyRequests,
	errs.Unavailable:      http.StatusServiceUnavailable,
	errs.Internal:         http.StatusInternalServerError,
}

// Status returns the HTTP status for an error kind.
func Status(k errs.Kind) int {
	if s, ok := statusOf[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the contract's error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	RequestID string            `json:"requestId"`
	Fields    []errs.FieldError `json:"fields,omitempty"`
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// WriteError writes err in the contract's shape. Internal errors (and any
// error that is not an *errs.Error) are logged with their cause and answered
// with a bare "internal error" so no internal text reaches the client.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *errs.Error
	if !errors.As(err, &e) {
		e = errs.Wrap(errs.Internal, err, "internal error")
	}
	if clientWentAway(r, e, err) {
		// The browser cancelled (filters changed, page left): nobody reads the
		// answer and no dependency failed, so no warning and no 503.
		log.InfoContext(r.Context(), "client went away", "err", err.Error(), "method", r.Method, "path", r.URL.Path)
		w.WriteHeader(StatusClientClosedRequest)
		return
	}
	status := Status(e.Kind)
	msg := e.Message
	switch {
	case e.Kind == errs.Internal:
		log.ErrorContext(r.Context(), "internal error", "err", err.Error(), "method", r.Method, "path", r.URL.Path)
		msg = "internal error"
	case e.Kind == errs.Unavailable:
		log.WarnContext(r.Context(), "dependency unavailable", "err", err.Error(), "path", r.URL.Path)
	}
	if e.Kind == errs.RateLimited && e.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{
		Code:      string(e.Kind),
		Message:   msg,
		RequestID: RequestID(r.Context()),
		Fields:    e.Fields,
	}})
}

// StatusClientClosedRequest is nginx's 499: the access log's status for a
// request whose client cancelled it before the answer was written.
const StatusClientClosedRequest = 499

// clientWentAway reports a failure caused by the request's own context being
// cancelled by the client. A deadline (a real timeout) on a live request stays
// Unavailable, and an internal error is reported even if the client has left.
func clientWentAway(r *http.Request, e *errs.Error, err error) bool {
	if !errors.Is(r.Context().Err(), context.Canceled) {
		return false
	}
	return errors.Is(err, context.Canceled) || e.Kind == errs.Unavailable
}
