package chart

import (
	"strconv"
	"strings"
)

// This file is the one place that knows how teeth are named. Everything
// else (entries, perio exams, the seed) asks it.
//
// Universal (ADA), permanent: 1 = upper right third molar … 8 upper right
// central incisor, 9 upper left central … 16 upper left third molar, 17
// lower left third molar … 24 lower left central, 25 lower right central …
// 32 lower right third molar. Primary: A upper right second molar … J upper
// left second molar, K lower left second molar … T lower right second molar.
// Supernumerary teeth are named after the tooth they sit beside: 51–82 for
// permanent (the tooth's number + 50) and AS–TS for primary.
//
// FDI / ISO 3950: the quadrant digit (1 upper right, 2 upper left, 3 lower
// left, 4 lower right; 5–8 the same for primary teeth) then the position
// from the midline (1 central incisor … 8 third molar). ISO 3950 has no
// per-position numbers for supernumeraries, so they have no FDI name here
// ("").

// ToothType is the anatomical type of a tooth, which decides its surfaces.
type ToothType string

// Tooth types.
const (
	Incisor  ToothType = "incisor"
	Canine   ToothType = "canine"
	Premolar ToothType = "premolar"
	Molar    ToothType = "molar"
)

// Tooth is one tooth of the dental chart.
type Tooth struct {
	// Universal is the stored name ("3", "A", "53", "AS").
	Universal string
	// FDI is the ISO 3950 number ("16", "55"); "" for supernumeraries.
	FDI string
	// Arch is "upper" or "lower".
	Arch string
	// Quadrant is 1 upper right, 2 upper left, 3 lower left, 4 lower right
	// (the patient's right and left), for both dentitions.
	Quadrant int
	// Position counts from the midline: 1 central incisor … 8 third molar
	// (primary teeth stop at 5, the second molar).
	Position      int
	Primary       bool
	Supernumerary bool
	Type          ToothType
	// order is the tooth's place in chart order (Universal order, permanent
	// then primary then supernumerary).
	order int
}

// Anterior reports whether the tooth is an incisor or a canine.
func (t Tooth) Anterior() bool { return t.Type == Incisor || t.Type == Canine }

const primaryLetters = "ABCDEFGHIJKLMNOPQRST"

var (
	byUniversal = map[string]Tooth{}
	byFDI       = map[string]Tooth{}
	allTeeth    []Tooth
)

func init() {
	add := func(t Tooth) {
		t.order = len(allTeeth)
		allTeeth = append(allTeeth, t)
		byUniversal[t.Universal] = t
		if t.FDI != "" {
			byFDI[t.FDI] = t
		}
	}
	for n := 1; n <= 32; n++ {
		add(permanent(n))
	}
	for i := range len(primaryLetters) {
		add(primary(i))
	}
	for n := 1; n <= 32; n++ {
		t := permanent(n)
		t.Universal, t.FDI, t.Supernumerary = strconv.Itoa(n+50), "", true
		add(t)
	}
	for i := range len(primaryLetters) {
		t := primary(i)
		t.Universal, t.FDI, t.Supernumerary = t.Universal+"S", "", true
		add(t)
	}
}

// permanent is Universal tooth n (1–32).
func permanent(n int) Tooth {
	var q, pos int
	switch {
	case n <= 8:
		q, pos = 1, 9-n
	case n <= 16:
		q, pos = 2, n-8
	case n <= 24:
		q, pos = 3, 25-n
	default:
		q, pos = 4, n-24
	}
	t := Tooth{Universal: strconv.Itoa(n), FDI: strconv.Itoa(q*10 + pos), Quadrant: q, Position: pos, Arch: arch(q)}
	switch {
	case pos <= 2:
		t.Type = Incisor
	case pos == 3:
		t.Type = Canine
	case pos <= 5:
		t.Type = Premolar
	default:
		t.Type = Molar
	}
	return t
}

// primary is the i-th primary tooth (0 = A … 19 = T).
func primary(i int) Tooth {
	var q, pos int
	switch {
	case i < 5:
		q, pos = 1, 5-i
	case i < 10:
		q, pos = 2, i-4
	case i < 15:
		q, pos = 3, 15-i
	default:
		q, pos = 4, i-14
	}
	t := Tooth{Universal: primaryLetters[i : i+1], FDI: strconv.Itoa((q+4)*10 + pos), Quadrant: q, Position: pos, Arch: arch(q), Primary: true}
	// Primary teeth have no premolars: positions 4 and 5 are molars.
	switch {
	case pos <= 2:
		t.Type = Incisor
	case pos == 3:
		t.Type = Canine
	default:
		t.Type = Molar
	}
	return t
}

func arch(quadrant int) string {
	if quadrant <= 2 {
		return "upper"
	}
	return "lower"
}

// LookupTooth is the tooth of Universal name u (letters in either case).
func LookupTooth(u string) (Tooth, bool) {
	t, ok := byUniversal[strings.ToUpper(u)]
	return t, ok
}

// FromFDI is the tooth of ISO 3950 number fdi.
func FromFDI(fdi string) (Tooth, bool) {
	t, ok := byFDI[fdi]
	return t, ok
}

// Teeth are every tooth in chart order.
func Teeth() []Tooth { return append([]Tooth(nil), allTeeth...) }

// ToothName is a tooth as the API names it: by its Universal name, its FDI
// number or both. Bodies may send either; answers carry both.
type ToothName struct {
	Tooth string `json:"tooth"`
	FDI   string `json:"fdi"`
}

// Named is Universal tooth u with its FDI number.
func Named(u string) ToothName { return ToothName{Tooth: u, FDI: FDIOf(u)} }

// FDIOf is the FDI number of Universal tooth u ("" when it has none).
func FDIOf(u string) string {
	t, _ := LookupTooth(u)
	return t.FDI
}

// Surfaces. B (buccal) and F (facial) both name the outer surface: a
// posterior tooth's is usually called buccal and an anterior tooth's
// facial, but charts use either, so both are accepted everywhere and stored
// as given.
const (
	Mesial   = "M"
	Occlusal = "O"
	Distal   = "D"
	Buccal   = "B"
	Facial   = "F"
	Lingual  = "L"
	Incisal  = "I"
)

var surfaceNames = map[string]bool{Mesial: true, Occlusal: true, Distal: true, Buccal: true, Facial: true, Lingual: true, Incisal: true}

// article is "an" or "a" for a tooth type's name.
func article(t ToothType) string {
	if t == Incisor {
		return "an "
	}
	return "a "
}

// surfaceProblem is why surface s cannot be charted on t ("" if it can):
// incisors and canines have an incisal edge and no occlusal surface,
// premolars and molars the other way round.
func surfaceProblem(t Tooth, s string) string {
	switch {
	case !surfaceNames[s]:
		return "must be one of M O D B F L I"
	case s == Occlusal && t.Anterior():
		return article(t.Type) + string(t.Type) + " has no occlusal surface; chart the incisal edge (I)"
	case s == Incisal && !t.Anterior():
		return article(t.Type) + string(t.Type) + " has no incisal edge; chart the occlusal surface (O)"
	}
	return ""
}

// sameSurface folds F into B: they are one surface.
func sameSurface(s string) string {
	if s == Facial {
		return Buccal
	}
	return s
}
