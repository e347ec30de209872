package identity

import (
	"context"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/errs"
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
func (s *Store) UseRecoveryCode(ctx context.Context, u User, code string) (bool, error) {
	h := token.Hash(code)
	if !slices.Contains(u.MFA.Recovery, h) {
		return false, nil
	}
	won, err := s.claims.Claim(ctx, u.ClinicID, "recovery:"+u.ID+":"+h)
	if err != nil || !won {
		return false, err
	}
	_, err = s.users.UpdateOne(ctx, u.ClinicID, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "mfa.recovery", Value: h}}}})
	return err == nil, err
}

// UpdateClinic applies settings and name changes.
func (s *Store) UpdateClinic(ctx context.Context, id string, name *string, settings ClinicSettings) (Clinic, error) {
	set := bson.D{{Key: "settings", Value: settings}}
	if name != nil {
		set = append(set, bson.E{Key: "name", Value: *name})
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
	ID        string     `bson:"_id"` // token hash
	ClinicID  string     `bson:"clinicId"`
	UserID    string     `bson:"userId"`
	ExpiresAt time.Time  `bson:"expiresAt"`
	UsedAt    *time.Time `bson:"usedAt,omitempty"`
}

// CreateReset stores a reset for u valid for ttl and returns its token.
func (s *Store) CreateReset(ctx context.Context, u User, secret string, ttl time.Duration) error {
	return s.resets.InsertOne(ctx, u.ClinicID, PasswordReset{ID: token.Hash(secret), UserID: u.ID, ExpiresAt: s.clock.Now().Add(ttl)})
}

// ConsumeReset spends a reset token, once, if unexpired, and returns it.
func (s *Store) ConsumeReset(ctx context.Context, secret string) (PasswordReset, error) {
	invalid := errs.InvalidFields(errs.FieldError{Field: "token", Message: "is invalid or has expired"})
	now := s.clock.Now()
	h := token.Hash(secret)
	var r PasswordReset
	// Unscoped: the reset token names no clinic; its record carries one.
	err := s.resets.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "_id", Value: h}}).Decode(&r)
	})
	if errs.Is(err, errs.NotFound) || (err == nil && (r.UsedAt != nil || !now.Before(r.ExpiresAt))) {
		return r, invalid
	}
	if err != nil {
		return r, err
	}
	won, err := s.claims.Claim(ctx, r.ClinicID, "reset:"+h)
	if err != nil {
		return r, err
	}
	if !won {
		return r, invalid
	}
	_, err = s.resets.UpdateOne(ctx, r.ClinicID, bson.D{{Key: "_id", Value: h}}, bson.D{{Key: "$set", Value: bson.D{{Key: "usedAt", Value: now}}}})
	return r, err
}
