package identity

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/validate"
)

type registerRequest struct {
	ClinicID    string `json:"clinicId"`
	Email       string `json:"email"`
	Password    string `json:"password"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DateOfBirth string `json:"dateOfBirth"`
	Phone       string `json:"phone"`
}

// register is patient self sign-up: always role patient (a role field in the
// body is an unknown field: 400), linked to a new patient record. Matching an
// existing record would hand its health history to whoever knows a name,
// birth date and email, so linking to existing records is the front desk's
// job, not sign-up's.
func (s *Service) register(w http.ResponseWriter, r *http.Request) error {
	var in registerRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	var v errs.Validator
	v.Check(ids.Valid(in.ClinicID), "clinicId", "is required")
	v.Check(strings.TrimSpace(in.FirstName) != "", "firstName", "is required")
	v.Check(strings.TrimSpace(in.LastName) != "", "lastName", "is required")
	v.Check(validDate(in.DateOfBirth, s.Clock.Now()), "dateOfBirth", "must be a past date YYYY-MM-DD")
	phone, err := validate.Phone(in.Phone, validate.DefaultRegion)
	validate.Check(&v, "phone", err)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.Limiter.Allow(ctx, ratelimit.Register, ratelimit.IPKey(httpapi.ClientIP(r))); err != nil {
		return err
	}
	clinic, err := s.Store.Clinic(ctx, in.ClinicID)
	if errs.Is(err, errs.NotFound) {
		return errs.InvalidFields(errs.FieldError{Field: "clinicId", Message: "is not a practice"})
	}
	if err != nil {
		return err
	}
	// The new patient record is health information: recorded before it
	// exists, under ids chosen first.
	patientID, userID := ids.New(), ids.New()
	var u User
	actor := audit.Actor{ClinicID: clinic.ID, UserID: userID, Role: string(RolePatient)}
	err = s.Audit.Guarded(r, actor, audit.Entry{Action: "auth.register", Resource: "patients/" + patientID, PatientID: patientID}, func() (err error) {
		u, err = s.Store.CreateUser(ctx, clinic.ID, NewUser{ID: userID, Email: in.Email, Password: in.Password, Role: RolePatient,
			FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName), PatientID: patientID})
		if err != nil {
			return err
		}
		err = s.Patients.RegisterPatient(ctx, clinic.ID, PortalPatient{ID: patientID, FirstName: u.FirstName, LastName: u.LastName,
			DateOfBirth: in.DateOfBirth, Phone: phone, Email: u.Email})
		if err != nil {
			// Undo the account so the email can sign up again.
			_ = s.Store.DeleteUser(context.WithoutCancel(ctx), clinic.ID, u.ID)
		}
		return err
	})
	if err != nil {
		return err
	}
	sess, refresh, err := s.Sessions.Create(ctx, u, s.limits(clinic), false, r.UserAgent(), httpapi.ClientIP(r))
	if err != nil {
		return err
	}
	if err := s.issue(w, sess, refresh); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, sessionResponse{User: u.Public()})
	return nil
}

func validDate(s string, now time.Time) bool {
	t, err := validate.Date(s)
	return err == nil && t.Before(now) && t.Year() > 1900
}
