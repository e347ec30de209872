package identity

import (
	"context"
	"crypto/subtle"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// UserByID returns a user of clinicID.
func (s *Store) UserByID(ctx context.Context, clinicID, id string) (User, error) {
	return store.One[User](ctx, s.users, clinicID, id, errUserNotFound)
}

var errUserNotFound = errs.E(errs.NotFound, "user not found")

// ListUsers pages through a clinic's users, optionally of one role.
func (s *Store) ListUsers(ctx context.Context, clinicID string, role Role, page store.PageRequest) (store.Page[User], error) {
	filter := bson.D{}
	if role != "" {
		filter = append(filter, bson.E{Key: "role", Value: role})
	}
	p, err := store.FindPage[User](ctx, s.users, clinicID, filter, store.ByID, page)
	for i := range p.Items {
		p.Items[i] = p.Items[i].Public()
	}
	return p, err
}

// UserPatch is an admin's change to a user; nil fields stay.
type UserPatch struct {
	FirstName *string
	LastName  *string
	Role      *Role
	Disabled  *bool
}

// UpdateUser applies a patch and returns the user after it.
func (s *Store) UpdateUser(ctx context.Context, clinicID, id string, p UserPatch) (User, error) {
	set := bson.D{{Key: "updatedAt", Value: s.clock.Now()}}
	if p.FirstName != nil {
		set = append(set, bson.E{Key: "firstName", Value: *p.FirstName})
	}
	if p.LastName != nil {
		set = append(set, bson.E{Key: "lastName", Value: *p.LastName})
	}
	if p.Role != nil {
		set = append(set, bson.E{Key: "role", Value: *p.Role})
	}
	if p.Disabled != nil {
		set = append(set, bson.E{Key: "disabled", Value: *p.Disabled})
	}
	var u User
	err := s.users.FindOneAndUpdate(ctx, clinicID, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}}, &u)
	if errs.Is(err, errs.NotFound) {
		return u, errUserNotFound
	}
	return u.Public(), err
}

// DeleteUser removes an account outright. Only for undoing a half-finished
// sign-up; staff are disabled, never deleted.
func (s *Store) DeleteUser(ctx context.Context, clinicID, id string) error {
	_, err := s.users.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}})
	return err
}

// SetPendingMFA stores a sealed TOTP secret awaiting its first code.
func (s *Store) SetPendingMFA(ctx context.Context, clinicID, id, sealed string) error {
	_, err := s.users.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mfa.pending", Value: sealed}, {Key: "updatedAt", Value: s.clock.Now()}}}})
	return err
}

// EnableMFA turns the pending secret into the active one, with recovery
// codes, provided the pending secret is still the one verified. Enabling
// claims the pending secret first: of two verifications racing (a double
// submit), one stores its recovery codes and the other is refused, rather
// than both answering codes of which only the last written work.
func (s *Store) EnableMFA(ctx context.Context, clinicID, id, pending string, step int64, recovery []string) error {
	errChanged := errs.E(errs.Conflict, "enrolment changed; start again")
	won, err := s.claims.Claim(ctx, clinicID, "mfa:"+id+":"+token.Hash(pending))
	if err != nil {
		return err
	}
	if !won {
		return errChanged
	}
	ok, err := s.users.UpdateOne(ctx, clinicID,
		bson.D{{Key: "_id", Value: id}, {Key: "mfa.pending", Value: pending}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "mfa.enabled", Value: true}, {Key: "mfa.secret", Value: pending}, {Key: "mfa.lastStep", Value: step}, {Key: "mfa.recovery", Value: recovery}, {Key: "updatedAt", Value: s.clock.Now()}}},
			{Key: "$unset", Value: bson.D{{Key: "mfa.pending", Value: ""}}},
		})
	if err == nil && !ok {
		return errChanged
	}
	return err
}

// ResetMFA removes id's TOTP enrolment: the secret, a pending setup and the
// recovery codes. Signing in then asks for no code (or, where the clinic
// requires MFA, for a new enrolment).
func (s *Store) ResetMFA(ctx context.Context, clinicID, id string) (User, error) {
	var u User
	err := s.users.FindOneAndUpdate(ctx, clinicID, bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "mfa.enabled", Value: false}, {Key: "updatedAt", Value: s.clock.Now()}}},
		{Key: "$unset", Value: bson.D{{Key: "mfa.secret", Value: ""}, {Key: "mfa.pending", Value: ""}, {Key: "mfa.recovery", Value: ""}}},
	}, &u)
	if errs.Is(err, errs.NotFound) {
		return u, errUserNotFound
	}
	return u.Public(), err
}

// UseTOTPStep spends a code's time step, once: newer than the last step
// used (loaded with u) and claimed by a unique insert, so two concurrent
// logins with one code cannot both pass.
func (s *Store) UseTOTPStep(ctx context.Context, u User, step int64) (bool, error) {
	if step <= u.MFA.LastStep {
		return false, nil
	}
	won, err := s.claims.Claim(ctx, u.ClinicID, "totp:"+u.ID+":"+strconv.FormatInt(step, 10))
	if err != nil || !won {
		return false, err
	}
	_, err = s.users.UpdateOne(ctx, u.ClinicID, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "mfa.lastStep", Value: step}}}})
	return err == nil, err
}

// UseRecoveryCode spends one of u's recovery codes, once.
func (s *Store) UseRecoveryCode(ctx context.Context, u User, typed string) (bool, error) {
	for _, code := range recoveryCandidates(typed) {
		h := token.Hash(code)
		if !slices.Contains(u.MFA.Recovery, h) {
			continue
		}
		won, err := s.claims.Claim(ctx, u.ClinicID, "recovery:"+u.ID+":"+h)
		if err != nil || !won {
			return false, err
		}
		_, err = s.users.UpdateOne(ctx, u.ClinicID, bson.D{{Key: "_id", Value: u.ID}},
			bson.D{{Key: "$pull", Value: bson.D{{Key: "mfa.recovery", Value: h}}}})
		return err == nil, err
	}
	return false, nil
}

// UpdateClinic applies settings and name changes.
func (s *Store) UpdateClinic(ctx context.Context, id string, name *string, settings ClinicSettings) (Clinic, error) {
	set := bson.D{{Key: "settings", Value: settings}}
	if name != nil {
		set = append(set, bson.E{Key: "name", Value: *name}, bson.E{Key: "nameKeys", Value: words(*name)})
	}
	var c Clinic
	// Unscoped: a clinic is its own tenant; id is the caller's clinic.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}}, afterUpdate).Decode(&c)
	})
	return c, err
}

// PasswordReset is a pending reset, keyed by the token's hash.
type PasswordReset struct {
	ID       string `bson:"_id"` // token hash
	ClinicID string `bson:"clinicId"`
	UserID   string `bson:"userId"`
	// Epoch is the user's ResetEpoch the link was issued under.
	Epoch     string     `bson:"epoch"`
	ExpiresAt time.Time  `bson:"expiresAt"`
	UsedAt    *time.Time `bson:"usedAt,omitempty"`
}

// newResetEpoch is a fresh reset generation. Random rather than counted: a
// generation is only ever compared for equality, and a $set of a new value
// needs no atomic increment (which FerretDB does not promise).
func newResetEpoch() string { return ids.Token(16) }

// CreateReset starts a new reset epoch for u, which retires every link sent
// before, and stores a reset for secret under it, valid for ttl.
func (s *Store) CreateReset(ctx context.Context, u User, secret string, ttl time.Duration) error {
	epoch := newResetEpoch()
	// The epoch moves first: if the insert then fails, the old links are
	// dead and no new one exists (the user asks again), never the reverse.
	if _, err := s.users.UpdateOne(ctx, u.ClinicID, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "resetEpoch", Value: epoch}}}}); err != nil {
		return err
	}
	return s.resets.InsertOne(ctx, u.ClinicID, PasswordReset{ID: token.Hash(secret), UserID: u.ID, Epoch: epoch, ExpiresAt: s.clock.Now().Add(ttl)})
}

// ConsumeReset spends a reset token, once, if unexpired and of the user's
// current epoch, and returns its user. Of two redemptions racing, the one
// that claims the epoch wins; the caller's SetPassword then starts a new
// epoch, retiring every other link.
func (s *Store) ConsumeReset(ctx context.Context, secret string) (User, error) {
	invalid := errs.InvalidFields(errs.FieldError{Field: "token", Message: "is invalid or has expired"})
	now := s.clock.Now()
	h := token.Hash(secret)
	var r PasswordReset
	// Lookup: the reset token names no clinic; its record carries one.
	owned, err := s.resets.Lookup(ctx, h, &r)
	if errs.Is(err, errs.NotFound) || (err == nil && (r.UsedAt != nil || !now.Before(r.ExpiresAt) || r.Epoch == "")) {
		return User{}, invalid
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.UserByID(ctx, r.ClinicID, r.UserID)
	if errs.Is(err, errs.NotFound) {
		return User{}, invalid
	}
	if err != nil {
		return User{}, err
	}
	if subtle.ConstantTimeCompare([]byte(u.ResetEpoch), []byte(r.Epoch)) != 1 {
		return User{}, invalid // superseded by a newer request, a redemption or a password change
	}
	won, err := s.claims.Claim(ctx, r.ClinicID, "reset:"+u.ID+":"+r.Epoch)
	if err != nil {
		return User{}, err
	}
	if !won {
		return User{}, invalid
	}
	_, err = owned.Update(ctx, bson.D{{Key: "$set", Value: bson.D{{Key: "usedAt", Value: now}}}})
	return u, err
}
