package identity

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/phone"
	"github.com/topsmile/topsmile/shared/store"
)

// AdminRoutes registers the admin function's routes: users, their sessions,
// clinic settings and the audit trail.
func (s *Service) AdminRoutes(r *authz.Router) {
	r.HandleFunc("GET /api/users", s.listUsers)
	r.HandleFunc("POST /api/users", s.createUser)
	r.HandleFunc("GET /api/users/{id}", s.getUser)
	r.HandleFunc("PATCH /api/users/{id}", s.patchUser)
	r.HandleFunc("DELETE /api/users/{id}", s.disableUser)
	r.HandleFunc("GET /api/users/{id}/sessions", s.userSessions)
	r.HandleFunc("DELETE /api/users/{id}/sessions", s.revokeUserSessions)
	r.HandleFunc("DELETE /api/users/{id}/mfa", s.resetUserMFA)
	r.HandleFunc("GET /api/clinic", s.getClinic)
	r.HandleFunc("PATCH /api/clinic", s.patchClinic)
	r.HandleFunc("GET /api/audit-logs", s.auditLogs)
}

func (s *Service) listUsers(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	page, err := store.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	role := Role(r.URL.Query().Get("role"))
	if role != "" && !role.Valid() {
		return errs.InvalidFields(errs.FieldError{Field: "role", Message: "is not a role"})
	}
	out, err := s.Store.ListUsers(r.Context(), p.ClinicID, role, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

type createUserRequest struct {
	Email string `json:"email"`
	// Password is optional: without it the account is an invite (see
	// createUser).
	Password  string `json:"password"`
	Role      Role   `json:"role"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// inviteTTL is how long an invite's set-password link works: longer than
// a reset link, the new colleague may read it the next working day.
const inviteTTL = 72 * time.Hour

// createUser adds a staff account to the admin's clinic. The clinic always
// comes from the session; clinicId or id in the body are unknown fields (400).
// Without a password it is an invite: the account gets a random password
// nobody knows, and the new user an e-mail with a set-password link (the
// reset links' mechanism, under a longer expiry), so the admin never
// knows a colleague's password.
func (s *Service) createUser(w http.ResponseWriter, r *http.Request) error {
	var in createUserRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	if in.Role == RolePatient {
		return errs.InvalidFields(errs.FieldError{Field: "role", Message: "patients sign up in the portal; staff roles only"})
	}
	invite := in.Password == ""
	if invite {
		in.Password = ids.Token(32)
	}
	if invite && s.Publisher == nil {
		return errs.E(errs.Unavailable, "invitations cannot be sent here; give a temporary password")
	}
	id := ids.New()
	detail := "role " + string(in.Role)
	if invite {
		detail += ", invited"
	}
	var u User
	err := s.Audit.Guarded(r, p.Actor(), audit.Entry{Action: "user.create", Resource: "users/" + id, Detail: detail}, func() (err error) {
		u, err = s.Store.CreateUser(ctx, p.ClinicID, NewUser{ID: id, Email: in.Email, Password: in.Password, Role: in.Role,
			FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName)})
		if err != nil || !invite {
			return err
		}
		return s.sendInvite(r, u)
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, u.Public())
	return nil
}

// sendInvite mails u a link to choose their password (POST
// auth/password/reset redeems it).
func (s *Service) sendInvite(r *http.Request, u User) error {
	ctx := r.Context()
	secret := ids.Token(32)
	if err := s.Store.CreateReset(ctx, u, secret, inviteTTL); err != nil {
		return err
	}
	clinic, err := s.Store.Clinic(ctx, u.ClinicID)
	if err != nil {
		return err
	}
	return s.Publisher.Publish(ctx, notify.Message{
		ID: ids.New(), ClinicID: u.ClinicID, Channel: notify.Email, To: u.Email, Template: "staff-invite",
		Data: map[string]string{"firstName": u.FirstName, "clinicName": clinic.Name, "resetUrl": s.link("/reset-password?invite=1&token=" + secret),
			"expiresInHours": strconv.Itoa(int(inviteTTL / time.Hour))},
		CreatedAt: s.Clock.Now(),
	})
}

func (s *Service) getUser(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	u, err := s.Store.UserByID(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, u.Public())
	return nil
}

type patchUserRequest struct {
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	Role      *Role   `json:"role"`
	Disabled  *bool   `json:"disabled"`
}

func (s *Service) patchUser(w http.ResponseWriter, r *http.Request) error {
	var in patchUserRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	id := r.PathValue("id")
	current, err := s.Store.UserByID(ctx, p.ClinicID, id)
	if err != nil {
		return err
	}
	var v errs.Validator
	if in.Role != nil {
		v.Check(in.Role.Staff(), "role", "must be a staff role")
		v.Check(current.Role != RolePatient, "role", "a patient account keeps its role")
		v.Check(id != p.UserID || *in.Role == RoleAdmin, "role", "you cannot remove your own admin role")
	}
	if in.Disabled != nil {
		v.Check(id != p.UserID || !*in.Disabled, "disabled", "you cannot disable your own account")
	}
	if in.FirstName != nil {
		v.Check(strings.TrimSpace(*in.FirstName) != "", "firstName", "must not be empty")
	}
	if in.LastName != nil {
		v.Check(strings.TrimSpace(*in.LastName) != "", "lastName", "must not be empty")
	}
	if err := v.Err(); err != nil {
		return err
	}
	u, err := s.changeUser(r, p, current, UserPatch(in))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, u)
	return nil
}

// changeUser applies patch to the user read as before, recorded first, and
// ends their sessions at once when it disables them or changes their role
// (a token carries its role).
func (s *Service) changeUser(r *http.Request, p authz.Principal, before User, patch UserPatch) (User, error) {
	role, disabled := before.Role, before.Disabled
	if patch.Role != nil {
		role = *patch.Role
	}
	if patch.Disabled != nil {
		disabled = *patch.Disabled
	}
	detail := "role " + string(before.Role) + "→" + string(role) + ", disabled " + strconv.FormatBool(before.Disabled) + "→" + strconv.FormatBool(disabled)
	var after User
	err := s.Audit.Guarded(r, p.Actor(), audit.Entry{Action: "user.update", Resource: "users/" + before.ID, Detail: detail}, func() (err error) {
		ctx := r.Context()
		if after, err = s.Store.UpdateUser(ctx, p.ClinicID, before.ID, patch); err != nil {
			return err
		}
		switch {
		case after.Disabled && !before.Disabled:
			if err := s.Revoker.User(ctx, after.ID); err != nil {
				return err
			}
			if err := s.endSessions(ctx, p.ClinicID, after.ID, "", "user disabled"); err != nil {
				return err
			}
		case !after.Disabled && before.Disabled:
			if err := s.Revoker.ClearUser(ctx, after.ID); err != nil {
				return err
			}
		}
		if after.Role != before.Role {
			return s.endSessions(ctx, p.ClinicID, after.ID, "", "role changed")
		}
		return nil
	})
	return after, err
}

// disableUser is DELETE: accounts are disabled, never deleted (the audit
// trail keeps pointing at them).
func (s *Service) disableUser(w http.ResponseWriter, r *http.Request) error {
	p, current, err := s.otherUser(r, "you cannot disable your own account")
	if err != nil {
		return err
	}
	disabled := true
	u, err := s.changeUser(r, p, current, UserPatch{Disabled: &disabled})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, u)
	return nil
}

// otherUser is the caller and the user the path names, who must not be the
// caller (a field error of id with selfMessage) and must be of the
// caller's clinic (404).
func (s *Service) otherUser(r *http.Request, selfMessage string) (authz.Principal, User, error) {
	p := authz.MustPrincipal(r.Context())
	id := r.PathValue("id")
	if id == p.UserID {
		return p, User{}, errs.InvalidFields(errs.FieldError{Field: "id", Message: selfMessage})
	}
	u, err := s.Store.UserByID(r.Context(), p.ClinicID, id)
	return p, u, err
}

func (s *Service) userSessions(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	u, err := s.Store.UserByID(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	list, err := s.Sessions.Active(r.Context(), p.ClinicID, u.ID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(list))
	return nil
}

func (s *Service) revokeUserSessions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	u, err := s.Store.UserByID(ctx, p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.endSessions(ctx, p.ClinicID, u.ID, "", "revoked by admin"); err != nil {
		return err
	}
	// Recorded after the sessions end: ending them must not wait on the trail.
	if err := s.Audit.Request(r, p.Actor(), audit.Entry{Action: "user.sessions_revoke", Resource: "users/" + u.ID, Outcome: audit.Success}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resetUserMFA is for a user who lost their authenticator: their TOTP
// enrolment goes and every sign-in of theirs ends, recorded first. Their
// own is reset on the account page (it asks for the password), not here.
func (s *Service) resetUserMFA(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, current, err := s.otherUser(r, "reset your own two-step sign-in on your account page")
	if err != nil {
		return err
	}
	id := current.ID
	detail := "mfa enabled " + strconv.FormatBool(current.MFA.Enabled) + "→false"
	var u User
	err = s.Audit.Guarded(r, p.Actor(), audit.Entry{Action: "user.mfa_reset", Resource: "users/" + id, Detail: detail}, func() (err error) {
		if u, err = s.Store.ResetMFA(ctx, p.ClinicID, id); err != nil {
			return err
		}
		return s.endSessions(ctx, p.ClinicID, id, "", "mfa reset")
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (s *Service) getClinic(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	c, err := s.Store.ClinicWithSlug(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c)
	return nil
}

type patchClinicRequest struct {
	Name                            *string        `json:"name"`
	Slug                            *string        `json:"slug"`
	Country                         *string        `json:"country"`
	TimeZone                        *string        `json:"timeZone"`
	SlotMinutes                     *int           `json:"slotMinutes"`
	CancelNoticeHours               *int           `json:"cancelNoticeHours"`
	Currency                        *string        `json:"currency"`
	IdleLogoffMinutes               *int           `json:"idleLogoffMinutes"`
	MFARequired                     *bool          `json:"mfaRequired"`
	MaxFutureAppointmentsPerPatient *int           `json:"maxFutureAppointmentsPerPatient"`
	MaxWaitlistEntriesPerPatient    *int           `json:"maxWaitlistEntriesPerPatient"`
	ToothNumbering                  *string        `json:"toothNumbering"`
	MinBookingNoticeMinutes         *int           `json:"minBookingNoticeMinutes"`
	SMSNumber                       *string        `json:"smsNumber"`
	QuietHours                      *QuietHours    `json:"quietHours"`
	Reminders                       *ReminderRules `json:"reminders"`
	Address                         *Address       `json:"address"`
	SessionHours                    *int           `json:"sessionHours"`
	OpeningHours                    *OpeningHours  `json:"openingHours"`
}

// apply checks every field given and sets it on st; each one out of bounds
// is a field error (none of them reaches arithmetic unchecked: a zero slot
// once divided by zero here).
func (in patchClinicRequest) apply(st *ClinicSettings, v *errs.Validator) {
	if in.Name != nil {
		v.Check(*in.Name != "" && len(*in.Name) <= 200, "name", "must be 1 to 200 characters")
	}
	if in.TimeZone != nil {
		_, tzErr := time.LoadLocation(*in.TimeZone)
		v.Check(tzErr == nil && *in.TimeZone != "" && *in.TimeZone != "Local", "timeZone", "must be an IANA time zone such as America/New_York")
		st.TimeZone = *in.TimeZone
	}
	between := func(n *int, dst *int, field string, lo, hi int) {
		if n != nil {
			v.Check(*n >= lo && *n <= hi, field, fmt.Sprintf("must be %d to %d", lo, hi))
			*dst = *n
		}
	}
	if in.SlotMinutes != nil {
		v.Check(slices.Contains(SlotChoices, *in.SlotMinutes), "slotMinutes", "must be 5, 10, 15, 20, 30 or 60")
		st.SlotMinutes = *in.SlotMinutes
	}
	between(in.CancelNoticeHours, &st.CancelNoticeHours, "cancelNoticeHours", 0, MaxCancelNoticeHours)
	if in.Currency != nil {
		v.Check(validCurrency(*in.Currency), "currency", "must be an ISO 4217 code such as USD")
		st.Currency = *in.Currency
	}
	if in.Country != nil {
		v.Check(phone.Supported(*in.Country), "country", "must be the ISO 3166-1 code of a supported country: "+strings.Join(phone.Countries(), ", "))
		st.Country = strings.ToUpper(*in.Country)
	}
	if in.Slug != nil {
		v.Check(ValidSlug(*in.Slug), "slug", errSlugFormat)
	}
	between(in.IdleLogoffMinutes, &st.IdleLogoffMinutes, "idleLogoffMinutes", MinIdleLogoffMinutes, MaxIdleLogoffMinutes)
	if in.MFARequired != nil {
		st.MFARequired = *in.MFARequired
	}
	between(in.MaxFutureAppointmentsPerPatient, &st.MaxFutureAppointmentsPerPatient, "maxFutureAppointmentsPerPatient", 1, MaxPatientLimit)
	between(in.MaxWaitlistEntriesPerPatient, &st.MaxWaitlistEntriesPerPatient, "maxWaitlistEntriesPerPatient", 1, MaxPatientLimit)
	between(in.MinBookingNoticeMinutes, &st.MinBookingNoticeMinutes, "minBookingNoticeMinutes", 0, MaxBookingNoticeMinutes)
	if in.ToothNumbering != nil {
		v.Check(slices.Contains(NumberingChoices, *in.ToothNumbering), "toothNumbering", "must be universal or fdi")
		st.ToothNumbering = *in.ToothNumbering
	}
	if in.SMSNumber != nil {
		v.Check(*in.SMSNumber == "" || e164.MatchString(*in.SMSNumber), "smsNumber", "must be an E.164 number such as +12125550147, or empty")
		st.SMSNumber = *in.SMSNumber
	}
	if in.QuietHours != nil {
		v.Check(ValidHHMM(in.QuietHours.Start), "quietHours.start", "must be HH:MM (24-hour)")
		v.Check(ValidHHMM(in.QuietHours.End), "quietHours.end", "must be HH:MM (24-hour)")
		st.QuietHours = *in.QuietHours
	}
	if in.Reminders != nil {
		rr := *in.Reminders
		for _, h := range []struct {
			n     int
			field string
		}{{rr.ConfirmHours, "reminders.confirmHours"}, {rr.FirstHours, "reminders.firstHours"}, {rr.SecondHours, "reminders.secondHours"}} {
			v.Check(h.n >= 0 && h.n <= MaxReminderHours, h.field, fmt.Sprintf("must be 0 (off) to %d hours", MaxReminderHours))
		}
		v.Check(rr.SecondHours == 0 || rr.FirstHours == 0 || rr.SecondHours < rr.FirstHours, "reminders.secondHours", "must be sooner before the visit than the first reminder")
		rr.Set = true
		st.Reminders = rr
	}
	if in.Address != nil {
		st.Address = in.Address.checked(v)
	}
	between(in.SessionHours, &st.SessionHours, "sessionHours", MinSessionHours, MaxSessionHours)
	if in.OpeningHours != nil {
		h := *in.OpeningHours
		for _, p := range h.Problems() {
			v.Check(false, p.Field, p.Message)
		}
		st.OpeningHours = h
	}
}

// checked is a trimmed: every part at most MaxAddressPart characters, and
// line1 and city required unless the whole address is empty (cleared).
func (a Address) checked(v *errs.Validator) Address {
	parts := []struct {
		p        *string
		field    string
		required bool
	}{{&a.Line1, "line1", true}, {&a.Line2, "line2", false}, {&a.City, "city", true}, {&a.Region, "region", false}, {&a.PostalCode, "postalCode", false}}
	for _, x := range parts {
		*x.p = strings.TrimSpace(*x.p)
	}
	empty := a == Address{}
	for _, x := range parts {
		v.Check(utf8.RuneCountInString(*x.p) <= MaxAddressPart, "address."+x.field, fmt.Sprintf("must be at most %d characters", MaxAddressPart))
		v.Check(!x.required || empty || *x.p != "", "address."+x.field, "is required")
	}
	return a
}

// e164 is a phone number in E.164: + and up to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func (s *Service) patchClinic(w http.ResponseWriter, r *http.Request) error {
	var in patchClinicRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	c, err := s.Store.ClinicWithSlug(ctx, p.ClinicID)
	if err != nil {
		return err
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		in.Name = &name
	}
	if in.Slug != nil {
		slug := strings.ToLower(strings.TrimSpace(*in.Slug))
		in.Slug = &slug
	}
	st := c.Settings
	var v errs.Validator
	in.apply(&st, &v)
	if err := v.Err(); err != nil {
		return err
	}
	var out Clinic
	detail := ""
	if in.Slug != nil && *in.Slug != c.Slug {
		detail = "slug " + c.Slug + "→" + *in.Slug
	}
	err = s.Audit.Guarded(r, p.Actor(), audit.Entry{Action: "clinic.update", Resource: "clinic", Detail: detail}, func() (err error) {
		// The slug first: taken by another clinic is a 409 and changes
		// nothing else.
		if in.Slug != nil {
			if _, err = s.Store.SetSlug(ctx, c, *in.Slug); err != nil {
				return err
			}
		}
		out, err = s.Store.UpdateClinic(ctx, p.ClinicID, in.Name, st)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// auditLogs lists the clinic's trail (newest first) filtered by patient,
// user, action and time; ?verify=true checks the whole chain instead. Both
// are recorded in the trail before they are answered (audit.read with the
// filters, audit.verify with the result): who looked at whose trail is
// itself on it.
func (s *Service) auditLogs(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	q := r.URL.Query()
	if q.Get("verify") == "true" {
		res, err := s.Audit.Verify(ctx, p.ClinicID)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("ok; checked: %d", res.Checked)
		if !res.OK {
			detail = fmt.Sprintf("broken at seq %d (%s); checked: %d", res.BrokenAtSeq, res.Problem, res.Checked)
		}
		if err := s.Audit.Request(r, p.Actor(), audit.Entry{Action: "audit.verify", Resource: "audit-logs", Outcome: audit.Success, Detail: detail}); err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, res)
		return nil
	}
	page, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	f := audit.Filter{PatientID: q.Get("patientId"), ActorID: q.Get("userId"), Action: q.Get("action")}
	var v errs.Validator
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.Get(t.name); s != "" {
			at, err := time.Parse(time.RFC3339, s)
			v.Check(err == nil, t.name, "must be an RFC 3339 time")
			*t.dst = at
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	out, err := s.Audit.List(ctx, p.ClinicID, f, page)
	if err != nil {
		return err
	}
	var filters []string
	for _, kv := range [][2]string{{"patientId", f.PatientID}, {"userId", f.ActorID}, {"action", f.Action}, {"from", q.Get("from")}, {"to", q.Get("to")}} {
		if kv[1] != "" {
			filters = append(filters, kv[0]+"="+kv[1])
		}
	}
	detail := fmt.Sprintf("filters: %s; results: %d", strings.Join(filters, ","), len(out.Items))
	if err := s.Audit.Request(r, p.Actor(), audit.Entry{Action: "audit.read", Resource: "audit-logs", PatientID: f.PatientID, Outcome: audit.Success, Detail: detail}); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}
