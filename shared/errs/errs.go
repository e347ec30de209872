// Package errs is TopSmile's one error model: a small set of kinds that every
// layer returns and that the HTTP layer maps to a status and the contract's
// error shape. Internal causes stay wrapped inside and never reach a client.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the client. The HTTP status of each kind lives
// in one table in package httpapi.
type Kind string

const (
	Internal         Kind = "internal"
	Invalid          Kind = "invalid"            // 400, with field details
	Unauthorized     Kind = "unauthorized"       // 401
	Forbidden        Kind = "forbidden"          // 403
	NotFound         Kind = "not_found"          // 404
	MethodNotAllowed Kind = "method_not_allowed" // 405
	Conflict         Kind = "conflict"           // 409
	TooLarge         Kind = "too_large"          // 413
	UnsupportedMedia Kind = "unsupported_media_type"
	Unprocessable    Kind = "unprocessable" // 422: well-formed but breaks a business rule
	RateLimited      Kind = "rate_limited"  // 429
	Unavailable      Kind = "unavailable"   // 503: a dependency is down
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a kind and a message that is safe to show a client.
// Cause holds the underlying error for logs only.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	// RetryAfterSeconds is set on RateLimited errors.
	RetryAfterSeconds int
	Cause             error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// E builds an error of kind with a client-safe message.
func E(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a cause (for logs) to a client-safe error.
func Wrap(kind Kind, cause error, message string) *Error {
	return &Error{Kind: kind, Message: message, Cause: cause}
}

// InvalidFields is a 400 with per-field details.
func InvalidFields(fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Message: "validation failed", Fields: fields}
}

// KindOf reports the kind of err; errors that are not *Error are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Validator collects field errors so a handler reports all of them at once.
type Validator struct{ fields []FieldError }

// Check records message for field when ok is false.
func (v *Validator) Check(ok bool, field, message string) {
	if !ok {
		v.fields = append(v.fields, FieldError{Field: field, Message: message})
	}
}

// Err returns the collected errors as one Invalid error, or nil.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return InvalidFields(v.fields...)
}
