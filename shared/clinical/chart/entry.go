package chart

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
)

// Entry is one chart entry. Entries are never edited: a correction is a
// later entry that supersedes the one it corrects, and the chart in effect
// at any instant is derived from the entries recorded by then (see
// inEffect).
type Entry struct {
	ID        string
	PatientID string
	// Tooth is the Universal name ("3", "A", "53").
	Tooth string
	// Surfaces as given (B and F both kept as sent); none is the whole tooth.
	Surfaces   []string
	Kind       string
	Status     string
	Code       string
	ProviderID string
	RecordedBy string
	RecordedAt time.Time
	// Note is plain text in memory and sealed at rest.
	Note string
	// Supersedes names the entry this one corrects ("" for none).
	Supersedes string

	// seq is the entry's place in its patient's chart, claimed with a
	// unique index when it is stored: it orders entries recorded in the
	// same millisecond and serializes concurrent appends to one chart.
	seq int64
}

// Statuses.
const (
	StatusCondition = "condition"
	StatusExisting  = "existing"
	StatusPlanned   = "planned"
	StatusCompleted = "completed"
)

// Kinds and the statuses each may have: conditions are findings; work is
// existing (done elsewhere or before), planned or completed here; an
// extraction or another procedure is only ever planned or done here (an
// "existing extraction" is charted as a missing tooth).
var (
	conditionKinds = []string{"caries", "fracture", "missing", "impacted", "abscess", "erosion", "watch"}
	workKinds      = []string{"filling", "crown", "bridge", "implant", "root_canal", "sealant", "veneer"}
	procedureKinds = []string{"extraction", "procedure"}
	// restorations cannot be placed on a missing tooth (an implant or a
	// bridge pontic can).
	restorations = []string{"filling", "crown", "veneer", "sealant", "root_canal"}
	// wholeTooth kinds are about the tooth itself and take no surfaces.
	wholeTooth = []string{"missing", "impacted", "extraction", "implant"}
)

// statusesOf are the statuses kind may have (nil: not a kind).
func statusesOf(kind string) []string {
	switch {
	case slices.Contains(conditionKinds, kind):
		return []string{StatusCondition}
	case slices.Contains(workKinds, kind):
		return []string{StatusExisting, StatusPlanned, StatusCompleted}
	case slices.Contains(procedureKinds, kind):
		return []string{StatusPlanned, StatusCompleted}
	}
	return nil
}

// Limits of the free fields.
const (
	maxNote = 4000
	maxCode = 20
	maxID   = 64
)

// validate checks e on its own (the chart it joins is judged by the store)
// and returns every problem at once, with the contract's field names. It
// upper-cases surfaces and primary tooth letters.
func validate(e *Entry) error {
	var v errs.Validator
	check(&v, e, true)
	return v.Err()
}

// check records e's problems in v. Without withTooth the tooth is someone
// else's to judge (the route resolves tooth or fdi itself) and surfaces are
// judged only when e.Tooth names a tooth.
func check(v *errs.Validator, e *Entry, withTooth bool) {
	tooth, ok := LookupTooth(e.Tooth)
	if withTooth {
		v.Check(e.Tooth != "", "tooth", "is required: a Universal tooth (1–32, A–T, 51–82, AS–TS) or an FDI number in fdi")
		v.Check(e.Tooth == "" || ok, "tooth", "is not a tooth: use Universal 1–32, A–T, 51–82 or AS–TS")
	}
	if ok {
		e.Tooth = tooth.Universal
	}
	seen := map[string]int{}
	for i, s := range e.Surfaces {
		s = strings.ToUpper(strings.TrimSpace(s))
		e.Surfaces[i] = s
		field := fmt.Sprintf("surfaces[%d]", i)
		if !surfaceNames[s] {
			v.Check(false, field, "must be one of M O D B F L I")
			continue
		}
		if ok {
			if p := surfaceProblem(tooth, s); p != "" {
				v.Check(false, field, p)
				continue
			}
		}
		if j, dup := seen[sameSurface(s)]; dup {
			msg := "is named twice"
			if e.Surfaces[j] != s {
				msg = "B and F are the same (facial) surface: name it once"
			}
			v.Check(false, field, msg)
			continue
		}
		seen[sameSurface(s)] = i
	}
	statuses := statusesOf(e.Kind)
	v.Check(statuses != nil, "kind", "must be one of "+strings.Join(slices.Concat(conditionKinds, workKinds, procedureKinds), " "))
	if statuses != nil {
		v.Check(slices.Contains(statuses, e.Status), "status", fmt.Sprintf("a %s entry's status must be %s", e.Kind, strings.Join(statuses, " or ")))
		v.Check(len(e.Surfaces) == 0 || !slices.Contains(wholeTooth, e.Kind), "surfaces", fmt.Sprintf("a %s entry is about the whole tooth and takes no surfaces", e.Kind))
	} else {
		v.Check(slices.Contains([]string{StatusCondition, StatusExisting, StatusPlanned, StatusCompleted}, e.Status), "status", "must be one of condition existing planned completed")
	}
	v.Check(len(e.Code) <= maxCode && printable(e.Code), "code", fmt.Sprintf("must be a procedure code of at most %d letters, digits, dots or dashes", maxCode))
	v.Check(utf8.RuneCountInString(e.Note) <= maxNote, "note", fmt.Sprintf("must be at most %d characters", maxNote))
	v.Check(utf8.ValidString(e.Note), "note", "must be valid UTF-8 text")
	v.Check(e.ProviderID == "" || ids.Valid(e.ProviderID), "providerId", "must be a user id")
	v.Check(e.Supersedes == "" || (len(e.Supersedes) <= maxID && printable(e.Supersedes)), "supersedes", "must be an entry id")
	v.Check(e.ID == "" || (len(e.ID) <= maxID && printable(e.ID)), "id", "must be at most 64 letters, digits, dots or dashes")
}

// printable reports whether s holds only ASCII letters, digits, '.', '-'
// and '_': codes and ids, nothing an operator or a path could hide in.
func printable(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// surfaceSet is the entry's surfaces as a set: B and F folded into one,
// order ignored; "" is the whole tooth.
func surfaceSet(surfaces []string) string {
	set := make([]string, 0, len(surfaces))
	for _, s := range surfaces {
		s = sameSurface(strings.ToUpper(s))
		if !slices.Contains(set, s) {
			set = append(set, s)
		}
	}
	slices.Sort(set)
	return strings.Join(set, "")
}

// before reports whether a was recorded before b: by recordedAt, then by
// the order they were stored in.
func before(a, b Entry) bool {
	if !a.RecordedAt.Equal(b.RecordedAt) {
		return a.RecordedAt.Before(b.RecordedAt)
	}
	return a.seq < b.seq
}

// supersedes reports whether later entry y supersedes x. The rule:
//
//   - y names x (y.Supersedes == x.ID): a correction, on any tooth (an
//     entry charted on the wrong tooth is corrected on the right one);
//   - or y is on the same tooth with the same surface set (B and F are one
//     surface, order does not matter, no surfaces is the whole tooth): the
//     newer finding or work replaces the older one there;
//     but only where the new entry takes the old one's place:
//   - a condition is replaced by a newer condition (a re-diagnosis) or by
//     work done there (a completed or existing filling treats the caries;
//     planning it does not make the caries go away);
//   - work is replaced only by work of the same kind (the planned crown by
//     the completed crown, an old filling by its replacement): a root canal
//     does not hide the crown, a crown does not hide the implant under it,
//     and new caries under a filling (recurrent decay) leaves the filling
//     charted.
//
// y must be recorded after x (the caller checks that y is also within the
// instant the chart is asked for).
func supersedes(y, x Entry) bool {
	if y.ID == x.ID || !before(x, y) {
		return false
	}
	if y.Supersedes == x.ID {
		return true
	}
	if y.Tooth != x.Tooth || surfaceSet(y.Surfaces) != surfaceSet(x.Surfaces) {
		return false
	}
	switch {
	case x.Status == StatusCondition:
		return y.Status != StatusPlanned
	case y.Status == StatusCondition:
		return false
	default:
		return y.Kind == x.Kind
	}
}

// Charted is an entry with what superseded it in a derived chart.
type Charted struct {
	Entry
	// SupersededBy is the first later entry that superseded this one
	// ("" while it is in effect).
	SupersededBy string
}

// derive is the chart as of asOf (zero: every entry): every entry recorded
// by then, in recording order, each with the entry that superseded it by
// then. entries may hold later ones; they are left out.
func derive(entries []Entry, asOf time.Time) []Charted {
	var in []Entry
	for _, e := range entries {
		if asOf.IsZero() || !e.RecordedAt.After(asOf) {
			in = append(in, e)
		}
	}
	slices.SortStableFunc(in, func(a, b Entry) int {
		switch {
		case before(a, b):
			return -1
		case before(b, a):
			return 1
		}
		return 0
	})
	// Entries on one tooth supersede each other by surfaces; a correction
	// can cross teeth, so it is matched by id.
	byTooth := map[string][]int{}
	for i, e := range in {
		byTooth[e.Tooth] = append(byTooth[e.Tooth], i)
	}
	byID := map[string]int{}
	for i, e := range in {
		byID[e.ID] = i
	}
	out := make([]Charted, len(in))
	for i, e := range in {
		out[i] = Charted{Entry: e}
	}
	for j, y := range in {
		if k, ok := byID[y.Supersedes]; ok && out[k].SupersededBy == "" && supersedes(y, in[k]) {
			out[k].SupersededBy = y.ID
		}
		for _, k := range byTooth[y.Tooth] {
			if k >= j {
				break
			}
			if out[k].SupersededBy == "" && supersedes(y, in[k]) {
				out[k].SupersededBy = y.ID
			}
		}
	}
	return out
}

// current is the entries of a derived chart still in effect.
func current(chart []Charted) []Charted {
	var out []Charted
	for _, c := range chart {
		if c.SupersededBy == "" {
			out = append(out, c)
		}
	}
	return out
}

// missingTooth is the entry in effect that makes tooth missing (a missing
// condition or a completed extraction), ignoring the entry ignore (the one
// a correction supersedes).
func missingTooth(chart []Charted, tooth, ignore string) (Entry, bool) {
	for _, c := range current(chart) {
		if c.Tooth != tooth || c.ID == ignore {
			continue
		}
		if c.Kind == "missing" || (c.Kind == "extraction" && c.Status == StatusCompleted) {
			return c.Entry, true
		}
	}
	return Entry{}, false
}
