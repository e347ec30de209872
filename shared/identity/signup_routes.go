package identity

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/phone"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/validate"
)

type registerRequest struct {
	ClinicID string `json:"clinicId"`
	// ClinicSlug names the clinic by its public slug, in place of ClinicID.
	ClinicSlug  string `json:"clinicSlug"`
	Email       string `json:"email"`
	Password    string `json:"password"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DateOfBirth string `json:"dateOfBirth"`
	Phone       string `json:"phone"`
}

// answerFloor is the least time sign-up and forgot-password take once they
// look the email up. Each pair of paths does the same hashing (sign-up: one
// argon2id either way; forgot: none either way); what still differs is I/O
// (the new account, its patient record and link; the reset link), and the
// floor hides that unless a dependency is slower than it. Wall-clock time,
// not the injected clock: it is what a probe measures.
const answerFloor = 300 * time.Millisecond

// holdFrom waits until answerFloor has passed since start (or ctx ends).
func holdFrom(ctx context.Context, start time.Time) {
	t := time.NewTimer(time.Until(start.Add(answerFloor)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// register is patient self sign-up. It answers 202 {} whether or not the
// email already names an account (of any clinic, any role), after the same
// work: a new email gets an account that cannot sign in yet, its patient
// record and an email with a verification link (POST auth/verify-email);
// a known one gets an email saying it has an account, with sign-in and
// reset links. Only the mailbox's owner learns which.
//
// The account is always role patient (a role field in the body is an
// unknown field: 400), linked to a new patient record. Matching an existing
// record would hand its health history to whoever knows a name, birth date
// and email, so linking to existing records is the front desk's job, not
// sign-up's.
func (s *Service) register(w http.ResponseWriter, r *http.Request) error {
	var in registerRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	email, emailErr := validate.Email(in.Email)
	var v errs.Validator
	in.ClinicSlug = strings.ToLower(strings.TrimSpace(in.ClinicSlug))
	switch {
	case in.ClinicSlug != "":
		v.Check(in.ClinicID == "", "clinicSlug", "name the practice by clinicSlug or clinicId, not both")
		v.Check(ValidSlug(in.ClinicSlug), "clinicSlug", "choose your practice from the list")
	default:
		v.Check(ids.Valid(in.ClinicID), "clinicSlug", "choose your practice from the list")
	}
	validate.Check(&v, "email", emailErr)
	v.Check(strings.TrimSpace(in.FirstName) != "", "firstName", "is required")
	v.Check(strings.TrimSpace(in.LastName) != "", "lastName", "is required")
	v.Check(validDate(in.DateOfBirth, s.Clock.Now()), "dateOfBirth", "must be a past date YYYY-MM-DD")
	// The number itself is read once the clinic is known, in its country.
	v.Check(strings.TrimSpace(in.Phone) != "", "phone", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	// The password rules depend on nothing stored: every sign-up is held to
	// them alike, known email or not.
	if err := CheckPasswordPolicy(in.Password, email); err != nil {
		return err
	}
	// Per address too, so sign-up cannot flood someone's mailbox.
	if err := s.Limiter.AllowAll(ctx,
		ratelimit.Check{Limit: ratelimit.Register, Key: ratelimit.IPKey(httpapi.ClientIP(r))},
		ratelimit.Check{Limit: ratelimit.Register, Key: "email:" + email},
	); err != nil {
		return err
	}
	var clinic Clinic
	var err error
	if in.ClinicSlug != "" {
		clinic, err = s.Store.ClinicBySlug(ctx, in.ClinicSlug)
	} else {
		clinic, err = s.Store.Clinic(ctx, in.ClinicID)
	}
	if errs.Is(err, errs.NotFound) {
		return errs.InvalidFields(errs.FieldError{Field: "clinicSlug", Message: "is not a practice we know: choose your practice from the list"})
	}
	if err != nil {
		return err
	}
	number, err := phone.E164(in.Phone, clinic.Settings.Country)
	if err != nil {
		return errs.InvalidFields(errs.FieldError{Field: "phone", Message: err.Error()})
	}
	defer holdFrom(ctx, time.Now())
	known, err := s.Store.UserByEmail(ctx, email)
	switch {
	case err == nil:
		BurnPasswordTime(in.Password) // what hashing a new account's password costs
		err = s.tellAccountExists(r, known)
	case errs.Is(err, errs.NotFound):
		err = s.signUp(r, clinic, email, number, in)
		if errors.Is(err, ErrEmailTaken) {
			// A concurrent sign-up took the email after the lookup: a known
			// email now (the password was hashed once already).
			if known, err = s.Store.UserByEmail(ctx, email); err == nil {
				err = s.tellAccountExists(r, known)
			}
		}
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusAccepted, struct{}{})
	return nil
}

// searchClinics is the sign-up form's public practice search: GET
// /api/clinics?q=<name words> answers {"items":[{"slug","name"}]}, at most
// MaxClinicResults, and nothing else of any clinic; ?slug= answers the one
// clinic of a sign-up link (or none).
func (s *Service) searchClinics(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query().Get("q")
	if len(q) > 100 {
		return errs.InvalidFields(errs.FieldError{Field: "q", Message: "must be at most 100 characters"})
	}
	if err := s.Limiter.Allow(ctx, ratelimit.ClinicSearch, ratelimit.IPKey(httpapi.ClientIP(r))); err != nil {
		return err
	}
	var list []ClinicListing
	var err error
	if slug := r.URL.Query().Get("slug"); slug != "" {
		// A sign-up link's practice, shown by name.
		list = []ClinicListing{}
		c, cerr := s.Store.ClinicBySlug(ctx, strings.ToLower(slug))
		if cerr == nil {
			list = append(list, ClinicListing{Slug: c.Slug, Name: c.Name})
		} else if !errs.Is(cerr, errs.NotFound) {
			err = cerr
		}
	} else {
		list, err = s.Store.SearchClinics(ctx, q)
	}
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Items []ClinicListing `json:"items"`
	}{list})
	return nil
}

// signUp creates the unverified account, its patient record and its
// verification link, and sends the link.
func (s *Service) signUp(r *http.Request, clinic Clinic, email, phone string, in registerRequest) error {
	ctx := r.Context()
	// The new patient record is health information: recorded before it
	// exists, under ids chosen first.
	patientID, userID := ids.New(), ids.New()
	actor := audit.Actor{ClinicID: clinic.ID, UserID: userID, Role: string(RolePatient)}
	return s.Audit.Guarded(r, actor, audit.Entry{Action: "auth.register", Resource: "patients/" + patientID, PatientID: patientID}, func() error {
		u, err := s.Store.CreateUser(ctx, clinic.ID, NewUser{ID: userID, Email: email, Password: in.Password, Role: RolePatient,
			FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName), PatientID: patientID, Unverified: true})
		if err != nil {
			return err
		}
		err = s.Patients.RegisterPatient(ctx, clinic.ID, PortalPatient{ID: patientID, FirstName: u.FirstName, LastName: u.LastName,
			DateOfBirth: in.DateOfBirth, Phone: phone, Email: u.Email})
		if err != nil {
			// Undo the account so the email can sign up again.
			_ = s.Store.DeleteUser(context.WithoutCancel(ctx), clinic.ID, u.ID)
			return err
		}
		// From here a failure leaves an account that cannot sign in; signing
		// up again is then a known email, whose message offers a reset, and
		// a reset confirms the email.
		secret := ids.Token(32)
		if err := s.Store.CreateVerification(ctx, u, secret, verifyTTL); err != nil {
			return err
		}
		return s.Publisher.Publish(ctx, notify.Message{
			ID: ids.New(), ClinicID: u.ClinicID, Channel: notify.Email, To: u.Email, Template: "verify-email",
			Data: map[string]string{"firstName": u.FirstName, "clinicName": clinic.Name,
				"verifyUrl": s.link("/verify-email?token=" + secret), "expiresInHours": "24"},
			CreatedAt: s.Clock.Now(),
		})
	})
}

// tellAccountExists answers a sign-up with a known email: the trail shows
// it, and the address's owner is told they have an account, with links to
// sign in and to reset the password.
func (s *Service) tellAccountExists(r *http.Request, u User) error {
	ctx := r.Context()
	return s.Audit.Guarded(r, u.actor(), audit.Entry{Action: "auth.register", Resource: "users/" + u.ID, Detail: "email already has an account; told by email"}, func() error {
		return s.Publisher.Publish(ctx, notify.Message{
			ID: ids.New(), ClinicID: u.ClinicID, Channel: notify.Email, To: u.Email, Template: "account-exists",
			Data:      map[string]string{"firstName": u.FirstName, "signInUrl": s.link("/sign-in"), "resetUrl": s.link("/forgot-password")},
			CreatedAt: s.Clock.Now(),
		})
	})
}

// link is the SPA's URL for path (links in messages).
func (s *Service) link(path string) string { return strings.TrimRight(s.cfg.AppURL, "/") + path }

type verifyEmailRequest struct {
	Token string `json:"token"`
}

// verifyEmail spends a sign-up's link, confirms the email and signs the
// patient in, answering as login does. A link that is unknown, spent,
// expired or whose account is confirmed already is 400 (token).
func (s *Service) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	var in verifyEmailRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.Limiter.Allow(ctx, ratelimit.PasswordReset, "verify:"+ratelimit.IPKey(httpapi.ClientIP(r))); err != nil {
		return err
	}
	if strings.TrimSpace(in.Token) == "" {
		return errVerifyInvalid
	}
	v, u, err := s.Store.Verification(ctx, in.Token)
	if err != nil {
		return err
	}
	err = s.Audit.Guarded(r, u.actor(), audit.Entry{Action: "auth.email_verified", Resource: "users/" + u.ID}, func() error {
		return s.Store.Verify(ctx, v)
	})
	if err != nil {
		return err
	}
	u.Unverified = false
	resp, err := s.signIn(w, r, u)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, resp)
	return nil
}

func validDate(s string, now time.Time) bool {
	t, err := validate.Date(s)
	return err == nil && t.Before(now) && t.Year() > 1900
}
