package scheduling

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/topsmile/topsmile/shared/httpapi"
)

// A booking as the SPA's Book dialog sends it to POST /api/appointments.
var bookJSON = []byte(`{"patientId":"656f0c1e9b1d4a0001a1b2c3","providerId":"656f0c1e9b1d4a0001a1b2c4",` +
	`"operatoryId":"656f0c1e9b1d4a0001a1b2c5","typeId":"656f0c1e9b1d4a0001a1b2c6",` +
	`"start":"2026-12-15T14:30:00.000Z","notes":"Prefers the window chair; sensitive upper left molar."}`)

// BenchmarkDecodeBooking is httpapi.Decode of a booking body into the
// handler's own bookRequest (media type, size bound, the key checks against
// operator injection and duplicates, strict decoding, trailing data) beside
// a bare json.Unmarshal of the same bytes into the same struct: the ratio is
// what Decode's checks cost.
func BenchmarkDecodeBooking(b *testing.B) {
	r := httptest.NewRequest("POST", "/api/appointments", nil)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	w := httptest.NewRecorder()
	var first bookRequest
	r.Body = io.NopCloser(bytes.NewReader(bookJSON))
	if err := httpapi.Decode(w, r, &first); err != nil || first.Start.IsZero() || first.TypeID == "" {
		b.Fatalf("Decode: %+v, %v", first, err)
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(bookJSON)))
		for b.Loop() {
			var in bookRequest
			r.Body = io.NopCloser(bytes.NewReader(bookJSON))
			if err := httpapi.Decode(w, r, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(bookJSON)))
		for b.Loop() {
			var in bookRequest
			if err := json.Unmarshal(bookJSON, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
