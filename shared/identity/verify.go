package identity

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/token"
)

// verifyTTL is how long a sign-up's email link works. Past it the patient
// signs up again (told "you already have an account", with a reset link:
// a reset confirms the email too).
const verifyTTL = 24 * time.Hour

// EmailVerification is a sign-up's pending email link, keyed by the
// token's hash.
type EmailVerification struct {
	ID        string    `bson:"_id"` // token hash
	ClinicID  string    `bson:"clinicId"`
	UserID    string    `bson:"userId"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

var errVerifyInvalid = errs.InvalidFields(errs.FieldError{Field: "token", Message: "is invalid or has expired"})

// CreateVerification stores an email link for u valid for ttl.
func (s *Store) CreateVerification(ctx context.Context, u User, secret string, ttl time.Duration) error {
	return s.verifications.InsertOne(ctx, u.ClinicID, EmailVerification{ID: token.Hash(secret), UserID: u.ID, ExpiresAt: s.clock.Now().Add(ttl)})
}

// Verification finds the link secret names and the account it confirms:
// unexpired, for an enabled account still waiting for it. Anything else is
// the one 400 for the token.
func (s *Store) Verification(ctx context.Context, secret string) (EmailVerification, User, error) {
	var v EmailVerification
	// Lookup: the link names no clinic; its record carries one.
	_, err := s.verifications.Lookup(ctx, token.Hash(secret), &v)
	if errs.Is(err, errs.NotFound) || (err == nil && !s.clock.Now().Before(v.ExpiresAt)) {
		return v, User{}, errVerifyInvalid
	}
	if err != nil {
		return v, User{}, err
	}
	u, err := s.UserByID(ctx, v.ClinicID, v.UserID)
	if errs.Is(err, errs.NotFound) || (err == nil && (!u.Unverified || u.Disabled)) {
		// Confirmed already (by this link or a reset): the link is spent.
		return v, User{}, errVerifyInvalid
	}
	return v, u, err
}

// Verify spends the link v, once (a claim on it), and confirms its
// account's email.
func (s *Store) Verify(ctx context.Context, v EmailVerification) error {
	won, err := s.claims.Claim(ctx, v.ClinicID, "verify:"+v.ID)
	if err != nil {
		return err
	}
	if !won {
		return errVerifyInvalid
	}
	_, err = s.users.UpdateOne(ctx, v.ClinicID, bson.D{{Key: "_id", Value: v.UserID}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "unverified", Value: ""}}}, {Key: "$set", Value: bson.D{{Key: "updatedAt", Value: s.clock.Now()}}}})
	return err
}
