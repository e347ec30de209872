package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/httpapi"
)

// bookBody has the shape of POST /api/appointments (scheduling's
// bookRequest), the body the desk sends most.
type bookBody struct {
	PatientID       string    `json:"patientId"`
	ProviderID      string    `json:"providerId"`
	OperatoryID     string    `json:"operatoryId"`
	TypeID          string    `json:"typeId"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	Notes           string    `json:"notes"`
	Hold            bool      `json:"hold"`
	WaitlistEntryID string    `json:"waitlistEntryId"`
}

// A booking as the SPA's Book dialog sends it.
var bookJSON = []byte(`{"patientId":"656f0c1e9b1d4a0001a1b2c3","providerId":"656f0c1e9b1d4a0001a1b2c4",` +
	`"operatoryId":"656f0c1e9b1d4a0001a1b2c5","typeId":"656f0c1e9b1d4a0001a1b2c6",` +
	`"start":"2026-12-15T14:30:00.000Z","notes":"Prefers the window chair; sensitive upper left molar."}`)

// BenchmarkDecodeBooking is httpapi.Decode of a booking body (media type,
// size bound, the key checks against operator injection and duplicates,
// strict decoding, trailing data) beside a bare json.Unmarshal of the same
// bytes into the same struct: the ratio is what Decode's checks cost.
func BenchmarkDecodeBooking(b *testing.B) {
	r := httptest.NewRequest("POST", "/api/appointments", nil)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	w := httptest.NewRecorder()
	var first bookBody
	r.Body = io.NopCloser(bytes.NewReader(bookJSON))
	if err := httpapi.Decode(w, r, &first); err != nil || first.Start.IsZero() || first.TypeID == "" {
		b.Fatalf("Decode: %+v, %v", first, err)
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(bookJSON)))
		for b.Loop() {
			var in bookBody
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
			var in bookBody
			if err := json.Unmarshal(bookJSON, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
