package audit_test

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
)

// BenchmarkRecordMAC is the HMAC-SHA256 over a record's length-prefixed
// encoding: seal (every append) and check (every record Verify reads), for
// a PHI read of one patient and for a list read naming 50 patients.
func BenchmarkRecordMAC(b *testing.B) {
	keys, err := audit.NewKeys(audit.Config{
		Keys:      "a1:" + base64.StdEncoding.EncodeToString([]byte("audit-key-0123456789abcdef0123456")),
		ActiveKID: "a1",
	})
	if err != nil {
		b.Fatal(err)
	}
	read := audit.Record{
		ID: audit.RecordID("656f0c1e9b1d4a0001a1b2c4", 48213), ClinicID: "656f0c1e9b1d4a0001a1b2c4", Seq: 48213,
		ActorID: "656f0c1e9b1d4a0001a1b2c3", ActorRole: "dentist", Action: "chart.read",
		Resource: "/api/patients/656f0c1e9b1d4a0001a1b2c9/chart", PatientID: "656f0c1e9b1d4a0001a1b2c9",
		RequestID: "req-7f3a9c2e51d84b06", IP: "198.51.100.23", Outcome: audit.Success,
		At:       time.Date(2026, 12, 3, 9, 14, 7, 512e6, time.UTC),
		PrevHash: "9f2c6a1e0b7d4c3a8e5f1b2d6c9a0e4f7b3d8c1a5e2f6b9d0c4a7e3f1b8d5c2a",
	}
	list := read
	list.Action, list.Resource, list.PatientID = "patients.list", "/api/patients?limit=50", ""
	for i := range 50 {
		list.PatientIDs = append(list.PatientIDs, fmt.Sprintf("656f0c1e9b1d4a0001a1%04x", i))
	}
	for _, tc := range []struct {
		name string
		r    audit.Record
	}{{"phi-read", read}, {"list-50", list}} {
		sealed := tc.r
		keys.Seal(&sealed)
		if p := keys.Check(sealed, false); p != "" || sealed.Hash == "" {
			b.Fatalf("%s: a sealed record does not check: %q", tc.name, p)
		}
		b.Run(tc.name+"/seal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := tc.r
				keys.Seal(&r)
			}
		})
		b.Run(tc.name+"/check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if keys.Check(sealed, true) != "" {
					b.Fatal("check failed")
				}
			}
		})
	}
}
