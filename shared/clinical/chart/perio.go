package chart

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Perio sites, in charting order: three on the facial side (mesio-, mid-,
// disto-buccal) and three on the lingual side.
var perioSites = []string{"MB", "B", "DB", "ML", "L", "DL"}

// Bounds of the measurements, in mm (grades for mobility and furcation).
const (
	minDepth, maxDepth   = 0, 15
	minMargin, maxMargin = -10, 15
	maxGrade             = 3
	// deepDepth is the probing depth from which a site counts as deep.
	deepDepth = 5
	// worseBy is the loss of attachment (CAL growth, mm) that marks a site
	// worse between two exams: 2 mm is beyond a probe's measurement error.
	worseBy = 2
	// maxExamTeeth bounds an exam's teeth before each is judged (every
	// tooth, supernumeraries included, can be charted once).
	maxExamTeeth = 104
)

// Exam is one periodontal exam.
type Exam struct {
	ID         string      `bson:"_id"`
	ClinicID   string      `bson:"clinicId"`
	PatientID  string      `bson:"patientId"`
	RecordedAt time.Time   `bson:"recordedAt"`
	ExaminerID string      `bson:"examinerId"`
	Teeth      []ExamTooth `bson:"teeth"`
}

// ExamTooth is one tooth's findings. Mobility and furcation are grades
// 0–3; nil when they were not assessed (not the same as 0).
type ExamTooth struct {
	Tooth     string `bson:"tooth"`
	Mobility  *int   `bson:"mobility,omitempty"`
	Furcation *int   `bson:"furcation,omitempty"`
	Sites     []Site `bson:"sites"`
}

// Site is one probed site.
type Site struct {
	Site string `bson:"site" json:"site"`
	// Depth is the probing depth (mm).
	Depth int `bson:"depth" json:"depth"`
	// Margin is the gingival margin (mm): positive for recession (apical
	// to the CEJ), negative for overgrowth.
	Margin      int  `bson:"margin" json:"margin"`
	Bleeding    bool `bson:"bleeding" json:"bleeding"`
	Suppuration bool `bson:"suppuration" json:"suppuration"`
}

// CAL is the clinical attachment level: how far the attachment sits from
// the CEJ, the probing depth plus the margin.
func (s Site) CAL() int { return s.Depth + s.Margin }

// Summary counts what the exam list shows.
type Summary struct {
	Teeth         int `json:"teeth"`
	Sites         int `json:"sites"`
	BleedingSites int `json:"bleedingSites"`
	DeepSites     int `json:"deepSites"`
}

// Summary is the exam's counts (deep: depth ≥ 5 mm).
func (x Exam) Summary() Summary {
	out := Summary{Teeth: len(x.Teeth)}
	for _, t := range x.Teeth {
		for _, s := range t.Sites {
			out.Sites++
			if s.Bleeding {
				out.BleedingSites++
			}
			if s.Depth >= deepDepth {
				out.DeepSites++
			}
		}
	}
	return out
}

// Worse is a site whose attachment was lost between two exams.
type Worse struct {
	ToothName
	Site   string `json:"site"`
	Before int    `json:"before"`
	After  int    `json:"after"`
	Change int    `json:"change"`
}

// Compare lists the sites probed in both exams whose CAL grew by at least
// 2 mm from the earlier exam to the later one (whichever order they are
// given in), in chart order.
func Compare(a, b Exam) []Worse {
	older, newer := a, b
	if b.RecordedAt.Before(a.RecordedAt) {
		older, newer = b, a
	}
	was := map[[2]string]int{}
	for _, t := range older.Teeth {
		for _, s := range t.Sites {
			was[[2]string{t.Tooth, s.Site}] = s.CAL()
		}
	}
	out := []Worse{}
	for _, t := range newer.Teeth {
		for _, s := range t.Sites {
			before, ok := was[[2]string{t.Tooth, s.Site}]
			if ok && s.CAL()-before >= worseBy {
				out = append(out, Worse{ToothName: Named(t.Tooth), Site: s.Site, Before: before, After: s.CAL(), Change: s.CAL() - before})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Worse) int {
		return toothOrder(x.Tooth)*8 + slices.Index(perioSites, x.Site) - (toothOrder(y.Tooth)*8 + slices.Index(perioSites, y.Site))
	})
	return out
}

func toothOrder(u string) int {
	t, _ := LookupTooth(u)
	return t.order
}

// ExamInput is the body of POST patients/{id}/perio-exams. Numbers are read
// as JSON numbers and judged here, so a fraction or an out-of-range value is
// a 400 naming its place (teeth[2].sites[1].depth), not a decoder error.
type ExamInput struct {
	Teeth []ToothInput `json:"teeth"`
}

// perioTooth is the contract's shape of one tooth of an exam, in a body
// (numbers as sent, judged on the way in) and in an answer (as stored).
type perioTooth[N, S any] struct {
	ToothName
	Mobility  *N  `json:"mobility"`
	Furcation *N  `json:"furcation"`
	Sites     []S `json:"sites"`
}

// ToothInput is one tooth of an exam body, named by tooth or fdi.
type ToothInput = perioTooth[float64, SiteInput]

// SiteInput is one site of an exam body.
type SiteInput struct {
	Site        string   `json:"site"`
	Depth       *float64 `json:"depth"`
	Margin      *float64 `json:"margin"`
	Bleeding    bool     `json:"bleeding"`
	Suppuration bool     `json:"suppuration"`
}

// whole is v as an int when it is a whole number within [lo, hi].
func whole(v float64, lo, hi int) (int, bool) {
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, false
	}
	return int(v), true
}

// resolve is the tooth n names by tooth or fdi (either, or both when they
// agree), with its problems recorded in v under field prefix p.
func (n ToothName) resolve(v *errs.Validator, p string) (Tooth, bool) {
	universal, fdi := n.Tooth, n.FDI
	var byU, byF Tooth
	okU, okF := false, false
	if universal != "" {
		byU, okU = LookupTooth(universal)
		v.Check(okU, p+"tooth", "is not a tooth: use Universal 1–32, A–T, 51–82 or AS–TS")
	}
	if fdi != "" {
		byF, okF = FromFDI(fdi)
		v.Check(okF, p+"fdi", "is not an FDI tooth number (11–48, 51–85)")
	}
	switch {
	case universal == "" && fdi == "":
		v.Check(false, p+"tooth", "is required: a Universal tooth or an FDI number in fdi")
	case okU && okF && byU.Universal != byF.Universal:
		v.Check(false, p+"fdi", fmt.Sprintf("names tooth %s, not tooth %s: send one of tooth and fdi", byF.Universal, byU.Universal))
	case okU && (fdi == "" || okF):
		return byU, true
	case okF && universal == "":
		return byF, true
	}
	return Tooth{}, false
}

// Exam builds the exam the input describes, or a 400 naming every
// problem: teeth that exist, each once; sites MB B DB ML L DL, each once
// per tooth; depths 0–15 and margins −10–15 in whole mm; mobility and
// furcation grades 0–3 (no furcation on a single-rooted anterior tooth).
// Teeth and sites are stored in chart order.
func (in ExamInput) Exam() (Exam, error) {
	var v errs.Validator
	v.Check(len(in.Teeth) > 0, "teeth", "must list at least one tooth")
	if len(in.Teeth) > maxExamTeeth {
		v.Check(false, "teeth", fmt.Sprintf("must list at most %d teeth", maxExamTeeth))
		return Exam{}, v.Err()
	}
	var x Exam
	seenTooth := map[string]int{}
	for i, ti := range in.Teeth {
		p := fmt.Sprintf("teeth[%d].", i)
		tooth, ok := ti.resolve(&v, p)
		if ok {
			if j, dup := seenTooth[tooth.Universal]; dup {
				v.Check(false, p+"tooth", fmt.Sprintf("tooth %s is already charted at teeth[%d]", tooth.Universal, j))
			} else {
				seenTooth[tooth.Universal] = i
			}
		}
		et := ExamTooth{Tooth: tooth.Universal, Sites: []Site{}}
		grade := func(f string, g *float64) *int {
			if g == nil {
				return nil
			}
			n, ok := whole(*g, 0, maxGrade)
			v.Check(ok, p+f, "must be a grade 0, 1, 2 or 3")
			return &n
		}
		et.Mobility, et.Furcation = grade("mobility", ti.Mobility), grade("furcation", ti.Furcation)
		if ok && et.Furcation != nil && *et.Furcation > 0 && tooth.Anterior() {
			v.Check(false, p+"furcation", fmt.Sprintf("%s%s has a single root and no furcation", article(tooth.Type), tooth.Type))
		}
		v.Check(len(ti.Sites) > 0 || ti.Mobility != nil || ti.Furcation != nil, p+"sites", "must list at least one site (or give mobility or furcation)")
		seenSite := map[string]int{}
		for k, si := range ti.Sites {
			sp := fmt.Sprintf("%ssites[%d].", p, k)
			okSite := slices.Contains(perioSites, si.Site)
			v.Check(okSite, sp+"site", "must be one of MB B DB ML L DL")
			if j, dup := seenSite[si.Site]; okSite && dup {
				v.Check(false, sp+"site", fmt.Sprintf("site %s is already probed at %ssites[%d]", si.Site, p, j))
			} else if okSite {
				seenSite[si.Site] = k
			}
			s := Site{Site: si.Site, Bleeding: si.Bleeding, Suppuration: si.Suppuration}
			if si.Depth == nil {
				v.Check(false, sp+"depth", "is required (mm)")
			} else {
				var okD bool
				s.Depth, okD = whole(*si.Depth, minDepth, maxDepth)
				v.Check(okD, sp+"depth", fmt.Sprintf("must be a whole number of mm from %d to %d", minDepth, maxDepth))
			}
			// A margin not measured is at the CEJ (0), as on a paper chart.
			if si.Margin != nil {
				var okM bool
				s.Margin, okM = whole(*si.Margin, minMargin, maxMargin)
				v.Check(okM, sp+"margin", fmt.Sprintf("must be a whole number of mm from %d to %d (positive: recession)", minMargin, maxMargin))
			}
			et.Sites = append(et.Sites, s)
		}
		slices.SortStableFunc(et.Sites, func(a, b Site) int { return slices.Index(perioSites, a.Site) - slices.Index(perioSites, b.Site) })
		x.Teeth = append(x.Teeth, et)
	}
	if err := v.Err(); err != nil {
		return Exam{}, err
	}
	slices.SortStableFunc(x.Teeth, func(a, b ExamTooth) int { return toothOrder(a.Tooth) - toothOrder(b.Tooth) })
	return x, nil
}

var errExamNotFound = errs.E(errs.NotFound, "perio exam not found")

// AddExam stores exam x of patientID (its id and time are set here unless
// given).
func (s *Store) AddExam(ctx context.Context, clinicID string, x Exam) (Exam, error) {
	if x.ID == "" {
		x.ID = ids.New()
	}
	if x.RecordedAt.IsZero() {
		x.RecordedAt = s.clock.Now()
	}
	x.RecordedAt = x.RecordedAt.UTC().Truncate(time.Millisecond)
	x.ClinicID = clinicID
	if err := s.exams.InsertOne(ctx, clinicID, x); err != nil {
		return Exam{}, err
	}
	return x, nil
}

// Exam is one exam of clinicID; another clinic's is NotFound.
func (s *Store) Exam(ctx context.Context, clinicID, id string) (Exam, error) {
	if !ids.Valid(id) {
		return Exam{}, errExamNotFound
	}
	x, err := store.One[Exam](ctx, s.exams, clinicID, id, errExamNotFound)
	x.RecordedAt = x.RecordedAt.UTC()
	return x, err
}

// Exams is one page of patientID's exams, newest first.
func (s *Store) Exams(ctx context.Context, clinicID, patientID string, page store.PageRequest) (store.Page[Exam], error) {
	out, err := store.FindPage[Exam](ctx, s.exams, clinicID, bson.D{{Key: "patientId", Value: patientID}},
		store.Sort{Field: "recordedAt", Desc: true, Type: bson.TypeDateTime}, page)
	for i := range out.Items {
		out.Items[i].RecordedAt = out.Items[i].RecordedAt.UTC()
	}
	return out, err
}
