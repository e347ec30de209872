package chart_test

import (
	"testing"

	"github.com/topsmile/topsmile/shared/clinical/chart"
)

// BenchmarkToothConversion converts names as the API does for every chart
// entry it reads or writes: Universal → FDI for each answer, FDI →
// Universal for bodies that send FDI. One op is one tooth, cycling through
// the whole chart (32 permanent, 20 primary, some letters in lower case as
// a client may send them).
func BenchmarkToothConversion(b *testing.B) {
	var universal, fdi []string
	for i, t := range chart.Teeth() {
		if t.FDI == "" {
			continue // supernumeraries have no FDI number
		}
		u := t.Universal
		if i%4 == 0 && u[0] >= 'A' && u[0] <= 'Z' {
			u = string(u[0]+'a'-'A') + u[1:]
		}
		universal = append(universal, u)
		fdi = append(fdi, t.FDI)
	}
	if len(universal) != 52 {
		b.Fatalf("%d teeth with an FDI number, want 52", len(universal))
	}
	b.Run("universal-to-fdi", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if chart.FDIOf(universal[i%len(universal)]) == "" {
				b.Fatal(universal[i%len(universal)])
			}
			i++
		}
	})
	b.Run("fdi-to-universal", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := chart.FromFDI(fdi[i%len(fdi)]); !ok {
				b.Fatal(fdi[i%len(fdi)])
			}
			i++
		}
	})
	b.Run("named", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if chart.Named(universal[i%len(universal)]).FDI == "" {
				b.Fatal(universal[i%len(universal)])
			}
			i++
		}
	})
}
