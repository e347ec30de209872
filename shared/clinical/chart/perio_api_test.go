package chart_test

import (
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/patients"
)

func auditFilter(patientID string) audit.Filter { return audit.Filter{PatientID: patientID} }

// examJSON is what the tests read of an answered exam.
type examJSON struct {
	ID string `json:"id"`
}

// exam3 probes tooth 3 at two sites.
var exam3 = map[string]any{"teeth": []any{map[string]any{"tooth": "3", "mobility": 0, "furcation": 1, "sites": []any{
	map[string]any{"site": "MB", "depth": 3, "margin": 1, "bleeding": true, "suppuration": false},
	map[string]any{"site": "B", "depth": 2, "margin": 0},
}}}}

func mustExam(t *testing.T, c *apitest.Client, p patients.Patient, body any) examJSON {
	t.Helper()
	return mustPost[examJSON](t, c, examsPath(p), body)
}

func TestPerioExam(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	hygienist := e.Staff(t, "hygienist")
	me := e.User(t, "hygienist")
	first := apitest.Case{Method: "POST", Path: examsPath(p), Status: 201, Body: map[string]any{"teeth": []any{
		map[string]any{"fdi": "36", "mobility": 1, "sites": []any{
			map[string]any{"site": "DL", "depth": 6, "margin": 0, "bleeding": true},
			map[string]any{"site": "MB", "depth": 5, "margin": 1, "bleeding": true, "suppuration": true},
		}},
		map[string]any{"tooth": "3", "furcation": 1, "sites": []any{map[string]any{"site": "B", "depth": 3}}},
	}},
		Want: map[string]any{"patientId": p.ID, "examinerId": me.ID, "id": apitest.Present, "recordedAt": apitest.Present,
			"teeth": []any{
				map[string]any{"tooth": "3", "fdi": "16", "mobility": nil, "furcation": 1,
					"sites": []any{map[string]any{"site": "B", "depth": 3, "margin": 0, "cal": 3, "bleeding": false, "suppuration": false}}},
				map[string]any{"tooth": "19", "fdi": "36", "mobility": 1, "furcation": nil, "sites": []any{
					map[string]any{"site": "MB", "depth": 5, "margin": 1, "cal": 6, "bleeding": true, "suppuration": true},
					map[string]any{"site": "DL", "depth": 6, "margin": 0, "cal": 6, "bleeding": true, "suppuration": false},
				}},
			},
			"summary": map[string]any{"teeth": 2, "sites": 3, "bleedingSites": 2, "deepSites": 2}},
	}.Send(t, hygienist)
	var x1 examJSON
	first.Decode(t, &x1)

	e.Clock.Advance(time.Minute)
	x2 := mustExam(t, hygienist, p, map[string]any{"teeth": []any{
		map[string]any{"tooth": "19", "sites": []any{
			map[string]any{"site": "DL", "depth": 7, "margin": 1}, // CAL 6 → 8: worse
			map[string]any{"site": "MB", "depth": 6, "margin": 1}, // 6 → 7: within error
		}},
		map[string]any{"tooth": "3", "sites": []any{map[string]any{"site": "B", "depth": 3, "margin": -1}}},
	}})
	apitest.Case{Method: "GET", Path: examsPath(p), Status: 200, Want: map[string]any{"items": []any{
		map[string]any{"id": x2.ID, "patientId": p.ID, "examinerId": me.ID, "summary": map[string]any{"teeth": 2, "sites": 3, "bleedingSites": 0, "deepSites": 2}},
		map[string]any{"id": x1.ID, "summary": map[string]any{"teeth": 2, "sites": 3, "bleedingSites": 2, "deepSites": 2}},
	}, "nextCursor": nil}}.Send(t, hygienist)

	worse := []any{map[string]any{"tooth": "19", "fdi": "36", "site": "DL", "before": 6, "after": 8, "change": 2}}
	apitest.Case{Method: "GET", Path: "/api/perio-exams/" + x2.ID + "?compare=" + x1.ID, Status: 200,
		Want: map[string]any{"id": x2.ID, "comparison": map[string]any{"againstId": x1.ID, "worse": worse}}}.Send(t, hygienist)
	// Asked the other way round, the older exam is still "before".
	apitest.Case{Method: "GET", Path: "/api/perio-exams/" + x1.ID + "?compare=" + x2.ID, Status: 200,
		Want: map[string]any{"id": x1.ID, "comparison": map[string]any{"againstId": x2.ID, "worse": worse}}}.Send(t, hygienist)
	r := hygienist.MustDo(t, "GET", "/api/perio-exams/"+x1.ID, nil, 200)
	if m, _ := r.JSON(t).(map[string]any); m["comparison"] != nil || m["teeth"] == nil {
		t.Fatalf("plain exam: %s", r.Body)
	}

	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	theirs := mustExam(t, hygienist, other, exam3)
	apitest.Case{Method: "GET", Path: "/api/perio-exams/" + x1.ID + "?compare=" + theirs.ID, Status: 400, Want: apitest.Error("invalid", "compare")}.Send(t, hygienist)
	apitest.Case{Method: "GET", Path: "/api/perio-exams/" + x1.ID + "?compare=nope", Status: 400, Want: apitest.Error("invalid", "compare")}.Send(t, hygienist)
}

func TestPerioExamValidation(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	site := func(name string, depth, margin any) map[string]any {
		return map[string]any{"site": name, "depth": depth, "margin": margin}
	}
	tooth := func(name string, sites ...any) map[string]any { return map[string]any{"tooth": name, "sites": sites} }
	cases := []struct {
		name   string
		body   any
		fields []string
	}{
		{"no teeth", map[string]any{"teeth": []any{}}, []string{"teeth"}},
		{"depth 16 on the third tooth's second site", map[string]any{"teeth": []any{tooth("2", site("MB", 3, 0)), tooth("3", site("MB", 3, 0)),
			tooth("4", site("MB", 3, 0), site("B", 16, 0))}}, []string{"teeth[2].sites[1].depth"}},
		{"margin -11", map[string]any{"teeth": []any{tooth("4", site("MB", 3, -11))}}, []string{"teeth[0].sites[0].margin"}},
		{"a fraction of a mm", map[string]any{"teeth": []any{tooth("4", site("MB", 3.5, 0))}}, []string{"teeth[0].sites[0].depth"}},
		{"a site twice", map[string]any{"teeth": []any{tooth("4", site("MB", 3, 0), site("MB", 4, 0))}}, []string{"teeth[0].sites[1].site"}},
		{"a tooth twice (once by FDI)", map[string]any{"teeth": []any{tooth("3", site("MB", 3, 0)), map[string]any{"fdi": "16", "sites": []any{site("B", 2, 0)}}}},
			[]string{"teeth[1].tooth"}},
		{"not a tooth", map[string]any{"teeth": []any{tooth("99", site("MB", 3, 0))}}, []string{"teeth[0].tooth"}},
		{"unknown site", map[string]any{"teeth": []any{tooth("3", site("X", 3, 0))}}, []string{"teeth[0].sites[0].site"}},
		{"unknown field", map[string]any{"teeth": []any{tooth("3", site("MB", 3, 0))}, "note": "x"}, []string{"note"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: examsPath(p), Body: c.body, Status: 400, Want: apitest.Error("invalid", c.fields...)}.Send(t, dentist)
		})
	}
	apitest.Case{Method: "GET", Path: examsPath(p), Status: 200, Want: map[string]any{"items": []any{}}}.Send(t, dentist)
}
