package scheduling

import (
	"net/http"
	"strconv"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/validate"
)

type slotView struct {
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	ProviderID  string    `json:"providerId"`
	OperatoryID string    `json:"operatoryId"`
}

func (h *handlers) availability(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	qs := r.URL.Query()
	var v errs.Validator
	q := AvailabilityQuery{From: validate.QueryInstant(qs, "from", &v), To: validate.QueryInstant(qs, "to", &v),
		TypeID: qs.Get("typeId"), ProviderID: qs.Get("providerId"), OnlineOnly: p.IsPatient()}
	if d := qs.Get("duration"); d != "" {
		n, err := strconv.Atoi(d)
		v.Check(err == nil && n >= 5 && n <= 480, "duration", "must be minutes from 5 to 480")
		q.Duration = time.Duration(n) * time.Minute
	}
	if p.IsPatient() && q.TypeID == "" {
		v.Check(false, "typeId", "is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	slots, err := h.Store.Availability(r.Context(), p.ClinicID, q)
	if err != nil {
		return err
	}
	out := make([]slotView, 0, len(slots))
	for _, s := range slots {
		out = append(out, slotView{Start: s.Start, End: s.End, ProviderID: s.ProviderID, OperatoryID: s.OperatoryID})
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}
