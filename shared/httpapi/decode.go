package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/topsmile/topsmile/shared/errs"
)

// MaxBodyBytes is the largest request body any route accepts.
const MaxBodyBytes = 1 << 20

// maxDepth bounds nesting so a hostile body cannot exhaust the stack.
const maxDepth = 32

// Decode reads the JSON request body into dst, refusing anything that is not
// exactly one well-formed JSON value of dst's shape:
//   - Content-Type other than application/json → 415
//   - body over MaxBodyBytes → 413
//   - empty or broken JSON, trailing data, wrong types → 400
//   - unknown fields, duplicate keys (case-insensitively, as encoding/json
//     matches fields) and keys starting with "$" (operator injection) → 400
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errs.E(errs.UnsupportedMedia, "Content-Type must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errs.E(errs.TooLarge, "request body exceeds %d bytes", MaxBodyBytes)
		}
		return errs.Wrap(errs.Invalid, err, "could not read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errs.E(errs.Invalid, "request body is required")
	}
	if err := checkKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errs.E(errs.Invalid, "request body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return errs.E(errs.Invalid, "request body must be a JSON %s", typeErr.Type.Kind())
		}
		return errs.InvalidFields(errs.FieldError{Field: field, Message: "must be " + typeName(typeErr)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return errs.InvalidFields(errs.FieldError{Field: field, Message: "unknown field"})
	default:
		// Validation errors from UnmarshalJSON methods (errs.Error) pass through.
		var e *errs.Error
		if errors.As(err, &e) {
			return e
		}
		return errs.E(errs.Invalid, "malformed JSON")
	}
}

func typeName(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind().String() {
	case "int", "int32", "int64", "uint", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	default:
		return "a " + e.Type.Kind().String()
	}
}

// checkKeys walks the token stream once, refusing duplicate keys and keys that
// Mongo would read as operators, before the body is decoded into a struct.
func checkKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := scanValue(dec, "", 0); err != nil {
		return err
	}
	return nil
}

func scanValue(dec *json.Decoder, path string, depth int) error {
	if depth > maxDepth {
		return errs.E(errs.Invalid, "JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return errs.E(errs.Invalid, "malformed JSON")
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return errs.E(errs.Invalid, "malformed JSON")
			}
			key, _ := kt.(string)
			field := joinPath(path, key)
			if strings.HasPrefix(key, "$") {
				return errs.InvalidFields(errs.FieldError{Field: field, Message: "keys may not start with $"})
			}
			folded := strings.ToLower(key)
			if seen[folded] {
				return errs.InvalidFields(errs.FieldError{Field: field, Message: "duplicate key"})
			}
			seen[folded] = true
			if err := scanValue(dec, field, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := scanValue(dec, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return errs.E(errs.Invalid, "malformed JSON")
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
