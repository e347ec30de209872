package chart

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Routes registers the chart and perio routes.
func Routes(r *authz.Router, d core.Deps, s *Store) {
	h := &handlers{d: d, s: s}
	r.HandleFunc("GET /api/patients/{id}/chart", h.chart)
	r.HandleFunc("POST /api/patients/{id}/chart/entries", h.addEntry)
	r.HandleFunc("GET /api/patients/{id}/perio-exams", h.exams)
	r.HandleFunc("POST /api/patients/{id}/perio-exams", h.addExam)
	r.HandleFunc("GET /api/perio-exams/{id}", h.exam)
}

type handlers struct {
	d core.Deps
	s *Store
}

// subject is the caller and the path's patient, checked to exist in the
// caller's clinic before anything else is judged; with body not nil, the
// request body decoded into it.
func (h *handlers) subject(w http.ResponseWriter, r *http.Request, body any) (authz.Principal, core.PatientFacts, error) {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.d.Subject(r, p)
	if err == nil && body != nil {
		err = httpapi.Decode(w, r, body)
	}
	return p, pt, err
}

// Audited actions.
const (
	actionChartRead  = "chart.read"
	actionChartWrite = "chart.write"
	actionPerioRead  = "perio.read"
	actionPerioWrite = "perio.write"
)

// entryJSON is an entry as the contract answers it.
type entryJSON struct {
	ID        string `json:"id"`
	PatientID string `json:"patientId"`
	ToothName
	Surfaces     []string  `json:"surfaces"`
	Kind         string    `json:"kind"`
	Status       string    `json:"status"`
	Code         string    `json:"code"`
	ProviderID   string    `json:"providerId"`
	RecordedBy   string    `json:"recordedBy"`
	RecordedAt   time.Time `json:"recordedAt"`
	Note         string    `json:"note"`
	Supersedes   *string   `json:"supersedes"`
	SupersededBy *string   `json:"supersededBy"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toJSON(c Charted) entryJSON {
	e := c.Entry
	return entryJSON{ID: e.ID, PatientID: e.PatientID, ToothName: Named(e.Tooth), Surfaces: nonNil(e.Surfaces),
		Kind: e.Kind, Status: e.Status, Code: e.Code, ProviderID: e.ProviderID, RecordedBy: e.RecordedBy,
		RecordedAt: e.RecordedAt, Note: e.Note, Supersedes: orNull(e.Supersedes), SupersededBy: orNull(c.SupersededBy)}
}

type chartJSON struct {
	Entries   []entryJSON `json:"entries"`
	AsOf      *time.Time  `json:"asOf"`
	Numbering string      `json:"numbering"`
}

// asOf reads ?asOf=: an RFC 3339 instant is exact; a date YYYY-MM-DD is the
// end of that day in the clinic's time zone (its last stored millisecond).
// Zero: now, every entry.
func asOf(q string, zone func() (*time.Location, error)) (time.Time, error) {
	if q == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, q); err == nil {
		return t.UTC(), nil
	}
	bad := errs.InvalidFields(errs.FieldError{Field: "asOf", Message: "must be an RFC 3339 instant or a date YYYY-MM-DD"})
	if len(q) != len(time.DateOnly) {
		return time.Time{}, bad
	}
	loc, err := zone()
	if err != nil {
		return time.Time{}, err
	}
	day, err := time.ParseInLocation(time.DateOnly, q, loc)
	if err != nil {
		return time.Time{}, bad
	}
	// The next midnight there (time.Date counts the wall clock, so a day
	// with a DST change has its 23 or 25 hours), less the millisecond the
	// store keeps as its finest step.
	end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	return end.Add(-time.Millisecond).UTC(), nil
}

func boolParam(q, field string) (bool, error) {
	switch q {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, errs.InvalidFields(errs.FieldError{Field: field, Message: "must be true or false"})
}

func (h *handlers) chart(w http.ResponseWriter, r *http.Request) error {
	p, pt, err := h.subject(w, r, nil)
	if err != nil {
		return err
	}
	ctx := r.Context()
	// The clinic's settings (numbering, time zone) are read beside the
	// chart, not before it: the chart itself stays one query.
	type facts struct {
		c   core.ClinicFacts
		err error
	}
	settings := make(chan facts, 1)
	go func() {
		c, err := h.d.Settings(ctx, p.ClinicID)
		settings <- facts{c, err}
	}()
	var clinic *facts
	clinicFacts := func() (core.ClinicFacts, error) {
		if clinic == nil {
			f := <-settings
			clinic = &f
		}
		return clinic.c, clinic.err
	}
	q := r.URL.Query()
	history, err := boolParam(q.Get("history"), "history")
	if err != nil {
		return err
	}
	at, err := asOf(q.Get("asOf"), func() (*time.Location, error) {
		c, err := clinicFacts()
		if c.TimeZone == nil {
			c.TimeZone = time.UTC
		}
		return c.TimeZone, err
	})
	if err != nil {
		return err
	}
	chart, err := h.s.Chart(ctx, p.ClinicID, pt.ID, at)
	if err != nil {
		return err
	}
	c, err := clinicFacts()
	if err != nil {
		return err
	}
	if !history {
		chart = current(chart)
	}
	out := chartJSON{Entries: make([]entryJSON, 0, len(chart)), Numbering: c.Numbering}
	if out.Numbering == "" {
		out.Numbering = "universal"
	}
	if !at.IsZero() {
		out.AsOf = &at
	}
	for _, e := range chart {
		out.Entries = append(out.Entries, toJSON(e))
	}
	detail := fmt.Sprintf("entries: %d; history: %t", len(out.Entries), history)
	if out.AsOf != nil {
		detail += "; asOf: " + at.Format(time.RFC3339Nano)
	}
	if err := h.d.Read(r, p, core.Entry(actionChartRead, "patients/"+pt.ID+"/chart", pt.ID, detail)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// entryInput is the body of POST patients/{id}/chart/entries.
type entryInput struct {
	ToothName
	Surfaces   []string `json:"surfaces"`
	Kind       string   `json:"kind"`
	Status     string   `json:"status"`
	Code       string   `json:"code"`
	Note       string   `json:"note"`
	Supersedes string   `json:"supersedes"`
	ProviderID string   `json:"providerId"`
}

// fields are the names of the fields in, for the trail (never their values).
func (in entryInput) fields() string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"tooth", in.Tooth != ""}, {"fdi", in.FDI != ""}, {"surfaces", len(in.Surfaces) > 0}, {"kind", in.Kind != ""},
		{"status", in.Status != ""}, {"code", in.Code != ""}, {"note", in.Note != ""}, {"supersedes", in.Supersedes != ""},
		{"providerId", in.ProviderID != ""}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return strings.Join(out, ",")
}

func (h *handlers) addEntry(w http.ResponseWriter, r *http.Request) error {
	var in entryInput
	p, pt, err := h.subject(w, r, &in)
	if err != nil {
		return err
	}
	var v errs.Validator
	tooth, _ := in.resolve(&v, "")
	e := Entry{PatientID: pt.ID, Tooth: tooth.Universal, Surfaces: in.Surfaces, Kind: in.Kind, Status: in.Status,
		Code: strings.TrimSpace(in.Code), Note: in.Note, Supersedes: in.Supersedes, ProviderID: in.ProviderID,
		RecordedBy: p.UserID, RecordedAt: h.d.Now()}
	if e.ProviderID == "" {
		e.ProviderID = p.UserID
	}
	e = h.s.prepare(e)
	check(&v, &e, false)
	if err := v.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	trail := core.Entry(actionChartWrite, entriesName+"/"+e.ID, pt.ID, "status: "+e.Status+"; fields: "+in.fields())
	j, err := h.s.judge(ctx, p.ClinicID, e)
	if j.missing != nil {
		// A rule refused it (not the shape of the body): the trail shows
		// the attempt.
		t := trail
		t.Detail += "; refused: restoration on a missing tooth (entry " + j.missing.ID + ")"
		return h.d.Deny(r, p, t, err)
	}
	if err != nil {
		return err
	}
	var out Entry
	err = h.d.Write(r, p, trail, func() (err error) {
		out, err = h.s.append(ctx, p.ClinicID, e, &j)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, toJSON(Charted{Entry: out}))
	return nil
}

// examJSON is an exam as the contract answers it.
type examJSON struct {
	ID         string          `json:"id"`
	PatientID  string          `json:"patientId"`
	RecordedAt time.Time       `json:"recordedAt"`
	ExaminerID string          `json:"examinerId"`
	Teeth      []examToothJSON `json:"teeth,omitempty"`
	Summary    Summary         `json:"summary"`
	Comparison *comparisonJSON `json:"comparison,omitempty"`
}

type examToothJSON = perioTooth[int, siteJSON]

// siteJSON is a site as answered: with its CAL.
type siteJSON struct {
	Site
	CAL int `json:"cal"`
}

type comparisonJSON struct {
	AgainstID string  `json:"againstId"`
	Worse     []Worse `json:"worse"`
}

// examView is x as answered: with its teeth (full) or only its summary.
func examView(x Exam, full bool) examJSON {
	out := examJSON{ID: x.ID, PatientID: x.PatientID, RecordedAt: x.RecordedAt, ExaminerID: x.ExaminerID, Summary: x.Summary()}
	if !full {
		return out
	}
	out.Teeth = make([]examToothJSON, 0, len(x.Teeth))
	for _, t := range x.Teeth {
		tj := examToothJSON{ToothName: Named(t.Tooth), Mobility: t.Mobility, Furcation: t.Furcation, Sites: make([]siteJSON, 0, len(t.Sites))}
		for _, s := range t.Sites {
			tj.Sites = append(tj.Sites, siteJSON{Site: s, CAL: s.CAL()})
		}
		out.Teeth = append(out.Teeth, tj)
	}
	return out
}

func (h *handlers) exams(w http.ResponseWriter, r *http.Request) error {
	p, pt, err := h.subject(w, r, nil)
	if err != nil {
		return err
	}
	page, err := store.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.s.Exams(r.Context(), p.ClinicID, pt.ID, page)
	if err != nil {
		return err
	}
	out := store.Page[examJSON]{Items: make([]examJSON, 0, len(res.Items)), NextCursor: res.NextCursor}
	for _, x := range res.Items {
		out.Items = append(out.Items, examView(x, false))
	}
	if err := h.d.Read(r, p, core.Entry(actionPerioRead, "patients/"+pt.ID+"/perio-exams", pt.ID, fmt.Sprintf("exams: %d", len(out.Items)))); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) addExam(w http.ResponseWriter, r *http.Request) error {
	var in ExamInput
	p, pt, err := h.subject(w, r, &in)
	if err != nil {
		return err
	}
	x, err := in.Exam()
	if err != nil {
		return err
	}
	x.PatientID, x.ExaminerID, x.RecordedAt = pt.ID, p.UserID, h.d.Now()
	x.ID = ids.New()
	sum := x.Summary()
	trail := core.Entry(actionPerioWrite, examsName+"/"+x.ID, pt.ID, fmt.Sprintf("teeth: %d; sites: %d", sum.Teeth, sum.Sites))
	var out Exam
	err = h.d.Write(r, p, trail, func() (err error) {
		out, err = h.s.AddExam(r.Context(), p.ClinicID, x)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, examView(out, true))
	return nil
}

func (h *handlers) exam(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	ctx := r.Context()
	x, err := h.s.Exam(ctx, p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !core.Owns(p, x.PatientID) {
		return errExamNotFound
	}
	out := examView(x, true)
	detail := ""
	if against := r.URL.Query().Get("compare"); against != "" {
		y, err := h.s.Exam(ctx, p.ClinicID, against)
		// Missing, another clinic's and another patient's exam answer
		// alike: none can be compared with this one.
		if errs.Is(err, errs.NotFound) || (err == nil && y.PatientID != x.PatientID) {
			return errs.InvalidFields(errs.FieldError{Field: "compare", Message: "is not a perio exam of this exam's patient"})
		}
		if err != nil {
			return err
		}
		out.Comparison = &comparisonJSON{AgainstID: y.ID, Worse: Compare(x, y)}
		detail = fmt.Sprintf("compare: %s; worse sites: %d", y.ID, len(out.Comparison.Worse))
	}
	if err := h.d.Read(r, p, core.Entry(actionPerioRead, examsName+"/"+x.ID, x.PatientID, detail)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}
