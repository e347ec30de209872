package reports

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// Deps are what the report route needs.
type Deps struct {
	Service *Service
	Audit   *audit.Log
}

// Routes mounts GET /api/reports/{name}?from=&to= (JSON, or CSV with
// Accept: text/csv).
func Routes(r *authz.Router, d Deps) {
	r.HandleFunc("GET /api/reports/{name}", func(w http.ResponseWriter, req *http.Request) error {
		p := authz.MustPrincipal(req.Context())
		name := req.PathValue("name")
		if !slices.Contains(Names, name) {
			return errUnknown
		}
		period, err := ParsePeriod(req.URL.Query(), !NeedsPeriod(name))
		if err != nil {
			return err
		}
		rep, err := d.Service.Run(req.Context(), p.ClinicID, name, period)
		if err != nil {
			return err
		}
		// The practice's figures, and for aging and recall its patients'
		// names: who read them is on the trail.
		e := audit.Entry{Action: "report.read", Resource: "reports/" + name, PatientIDs: rep.PatientIDs, Outcome: audit.Success,
			Detail: fmt.Sprintf("from=%s to=%s", period.From, period.To)}
		if err := d.Audit.Request(req, p.Actor(), e); err != nil {
			return err
		}
		if wantsCSV(req) {
			// Written whole once it is complete, so a failure is still an
			// error response rather than half a file.
			var b bytes.Buffer
			if err := rep.WriteCSV(&b); err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, fileName(name, period)))
			w.WriteHeader(http.StatusOK)
			_, err := w.Write(b.Bytes())
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, rep)
		return nil
	})
}

// wantsCSV reports whether the client asked for text/csv.
func wantsCSV(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/csv") {
			return true
		}
	}
	return false
}

// fileName is <name>-<from>-<to>.csv (the aging, as of now, is
// <name>.csv without a period); the dates were validated.
func fileName(name string, p Period) string {
	if p.From == "" {
		return name + ".csv"
	}
	return name + "-" + p.From + "-" + p.To + ".csv"
}
