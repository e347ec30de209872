package identity

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/validate"
)

// Store keeps clinics and users.
type Store struct {
	clinics *store.Collection
	// slugs claim each slug in use (_id: the slug; clinicId: its clinic).
	slugs  *store.Collection
	users  *store.Collection
	resets *store.Collection
	// verifications are sign-ups' email links, keyed by the token's hash.
	verifications *store.Collection
	claims        *store.Claims
	clock         clock.Clock
}

var afterUpdate = options.FindOneAndUpdate().SetReturnDocument(options.After)

// NewStore declares the collections and their indexes (no I/O).
func NewStore(m *store.Mongo, c clock.Clock) *Store {
	return &Store{
		clinics: m.Collection("clinics",
			// Inbound texts name the clinic by the number they were sent to.
			mongo.IndexModel{Keys: bson.D{{Key: "settings.smsNumber", Value: 1}}},
			// The public practice search matches name words by prefix.
			mongo.IndexModel{Keys: bson.D{{Key: "nameKeys", Value: 1}}},
		),
		slugs: m.Collection("clinic_slugs"),
		users: m.Collection("users",
			// Login takes only an email, so an email names one account across
			// all clinics.
			mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)},
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "role", Value: 1}, {Key: "_id", Value: 1}}},
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "patientId", Value: 1}}},
		),
		resets: m.Collection("password_resets",
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "userId", Value: 1}}},
		),
		verifications: m.Collection("email_verifications"),
		claims:        store.NewClaims(m, c),
		clock:         c,
	}
}

// FirstClinic returns the oldest clinic, or NotFound.
func (s *Store) FirstClinic(ctx context.Context) (Clinic, error) {
	var c Clinic
	// Unscoped: clinics are the tenants themselves.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: 1}})).Decode(&c)
	})
	return c, err
}

// Clinic returns a clinic by id, with defaults for any setting it lacks.
func (s *Store) Clinic(ctx context.Context, id string) (Clinic, error) {
	var c Clinic
	// Unscoped: the filter is the tenant id itself.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c)
	})
	c.Settings = c.Settings.withDefaults()
	return c, err
}

// ClinicWithSlug is Clinic, giving the clinic its slug first if it has
// none yet (a clinic made before slugs existed).
func (s *Store) ClinicWithSlug(ctx context.Context, id string) (Clinic, error) {
	c, err := s.Clinic(ctx, id)
	if err != nil {
		return c, err
	}
	return s.EnsureSlug(ctx, c)
}

// ClinicBySMSNumber returns the clinic whose texting number is number
// (E.164), or NotFound.
func (s *Store) ClinicBySMSNumber(ctx context.Context, number string) (Clinic, error) {
	var c Clinic
	if number == "" {
		return c, errs.E(errs.NotFound, "no clinic has that number")
	}
	// Unscoped: the number is how an inbound text names its clinic.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "settings.smsNumber", Value: number}}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: 1}})).Decode(&c)
	})
	c.Settings = c.Settings.withDefaults()
	return c, err
}

// ClinicsAfter returns up to limit clinics with ids after the given one, in
// id order (the reminders' paging over every clinic).
func (s *Store) ClinicsAfter(ctx context.Context, after string, limit int) ([]Clinic, error) {
	var out []Clinic
	// Unscoped: clinics are the tenants themselves.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}},
			options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
		if err != nil {
			return err
		}
		return cur.All(ctx, &out)
	})
	for i := range out {
		out[i].Settings = out[i].Settings.withDefaults()
	}
	return out, err
}

// CreateClinic stores a new clinic with default settings and a slug made
// from its name.
func (s *Store) CreateClinic(ctx context.Context, name string) (Clinic, error) {
	c := Clinic{ID: ids.New(), Name: name, NameKeys: words(name), Settings: DefaultSettings(), CreatedAt: s.clock.Now()}
	// Unscoped: a clinic is its own tenant.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		_, err := coll.InsertOne(ctx, c)
		return err
	})
	if err != nil {
		return c, err
	}
	return s.EnsureSlug(ctx, c)
}

// MarkSeeded records that demo data was loaded, and reports whether this call
// did it (false: it was already seeded). Of two starts racing, the one that
// claims the clinic's seeding first does it (a conditional update on
// seededAt could match in both on FerretDB).
func (s *Store) MarkSeeded(ctx context.Context, clinicID string) (bool, error) {
	c, err := s.Clinic(ctx, clinicID)
	if err != nil || c.SeededAt != nil {
		return false, err
	}
	won, err := s.claims.Claim(ctx, clinicID, "seeded:"+clinicID)
	if err != nil || !won {
		return false, err
	}
	// Unscoped: a clinic is its own tenant.
	err = s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: clinicID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "seededAt", Value: s.clock.Now()}}}})
		return err
	})
	return err == nil, err
}

// NewUser is what creating an account takes.
type NewUser struct {
	// ID, when set, is the account's id: a caller that records the creation
	// before making it names it first. Empty: a new id.
	ID        string
	Email     string
	Password  string
	Role      Role
	FirstName string
	LastName  string
	PatientID string
	// Unverified: a self sign-up, signing in only once its email is
	// confirmed.
	Unverified bool
}

// ErrEmailTaken is CreateUser's answer for an email that already names an
// account (in any clinic). Only staff-facing routes may pass it on; sign-up
// answers the same whether or not the email is known.
var ErrEmailTaken = errs.InvalidFields(errs.FieldError{Field: "email", Message: "is already registered"})

// CreateUser validates and stores an account in clinicID. An email already in
// use is ErrEmailTaken.
func (s *Store) CreateUser(ctx context.Context, clinicID string, in NewUser) (User, error) {
	email, err := validate.Email(in.Email)
	var v errs.Validator
	validate.Check(&v, "email", err)
	v.Check(in.Role.Valid(), "role", "must be one of admin, dentist, hygienist, assistant, receptionist, patient")
	v.Check(in.FirstName != "", "firstName", "is required")
	v.Check(in.LastName != "", "lastName", "is required")
	if err := v.Err(); err != nil {
		return User{}, err
	}
	if err := CheckPasswordPolicy(in.Password, email); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.clock.Now()
	if in.ID == "" {
		in.ID = ids.New()
	}
	u := User{ID: in.ID, ClinicID: clinicID, Email: email, PasswordHash: hash, Role: in.Role,
		FirstName: in.FirstName, LastName: in.LastName, PatientID: in.PatientID, Unverified: in.Unverified, CreatedAt: now, UpdatedAt: now}
	if err := s.users.InsertOne(ctx, clinicID, u); err != nil {
		if errs.Is(err, errs.Conflict) {
			return User{}, ErrEmailTaken
		}
		return User{}, err
	}
	return u, nil
}

// UserByEmail finds an account by email across clinics (login).
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	// Unscoped: login names no clinic; emails are unique across clinics.
	err := s.users.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "email", Value: NormalizeEmail(email)}}).Decode(&u)
	})
	return u, err
}

// SetPassword replaces a user's password (policy checked) and retires
// every outstanding reset link.
func (s *Store) SetPassword(ctx context.Context, clinicID, userID, password, email string) error {
	if err := CheckPasswordPolicy(password, email); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	// A new password retires every reset link still out (a new epoch), and
	// confirms the email: it is set by someone signed in (so confirmed
	// already) or holding a reset link sent to that address.
	ok, err := s.users.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: userID}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "passwordHash", Value: hash}, {Key: "resetEpoch", Value: newResetEpoch()}, {Key: "updatedAt", Value: s.clock.Now()}}},
			{Key: "$unset", Value: bson.D{{Key: "unverified", Value: ""}}},
		})
	if err == nil && !ok {
		return errUserNotFound
	}
	return err
}

// EnsureAdmin makes sure an enabled admin with email and password exists in
// clinicID: created if missing; if it exists there, re-enabled, made admin and
// given this password. An email taken in another clinic is an error.
func (s *Store) EnsureAdmin(ctx context.Context, clinicID, email, password string) (created bool, err error) {
	u, err := s.UserByEmail(ctx, email)
	switch {
	case errs.Is(err, errs.NotFound):
		_, err = s.CreateUser(ctx, clinicID, NewUser{Email: email, Password: password, Role: RoleAdmin, FirstName: "Practice", LastName: "Administrator"})
		return err == nil, err
	case err != nil:
		return false, err
	case u.ClinicID != clinicID:
		return false, errs.E(errs.Conflict, "%s belongs to another clinic", NormalizeEmail(email))
	}
	if ok, _ := VerifyPassword(u.PasswordHash, password); !ok {
		if err := s.SetPassword(ctx, clinicID, u.ID, password, u.Email); err != nil {
			return false, err
		}
	}
	_, err = s.users.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: RoleAdmin}, {Key: "disabled", Value: false}, {Key: "updatedAt", Value: s.clock.Now()}}}})
	return false, err
}
