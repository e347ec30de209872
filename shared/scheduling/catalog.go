package scheduling

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// ProviderInput creates or changes a provider.
type ProviderInput struct {
	UserID      *string   `json:"userId"`
	Name        *string   `json:"name"`
	Kind        *string   `json:"kind"`
	Colour      *string   `json:"colour"`
	Specialties *[]string `json:"specialties"`
	Operatories *[]string `json:"operatories"`
	Active      *bool     `json:"active"`
}

func (s *Store) validateProvider(ctx context.Context, clinicID string, p Provider) error {
	var v errs.Validator
	v.Check(strings.TrimSpace(p.Name) != "", "name", "is required")
	v.Check(p.Kind == "dentist" || p.Kind == "hygienist", "kind", "must be dentist or hygienist")
	v.Check(colourRE.MatchString(p.Colour), "colour", "must be a colour like #1f6feb")
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return err
	}
	for _, o := range p.Operatories {
		_, ok := cat.operatory(o)
		v.Check(ok, "operatories", "names a chair that is not in this practice")
	}
	return v.Err()
}

func applyProvider(p *Provider, in ProviderInput) {
	if in.UserID != nil {
		p.UserID = *in.UserID
	}
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if in.Kind != nil {
		p.Kind = *in.Kind
	}
	if in.Colour != nil {
		p.Colour = *in.Colour
	}
	if in.Specialties != nil {
		p.Specialties = *in.Specialties
	}
	if in.Operatories != nil {
		p.Operatories = *in.Operatories
	}
	if in.Active != nil {
		p.Active = *in.Active
	}
}

// CreateProvider adds a provider (no hours yet: set them with SetHours).
func (s *Store) CreateProvider(ctx context.Context, clinicID string, in ProviderInput) (Provider, error) {
	p := Provider{ID: ids.New(), Active: true, Colour: "#1f6feb", Hours: avail.WeeklyHours{}, TimeOff: []TimeOff{}, Specialties: []string{}, Operatories: []string{}}
	applyProvider(&p, in)
	if err := s.validateProvider(ctx, clinicID, p); err != nil {
		return Provider{}, err
	}
	p.UpdatedAt = s.clock.Now()
	if err := s.providers.InsertOne(ctx, clinicID, p); err != nil {
		return Provider{}, err
	}
	return p, s.invalidate(ctx, clinicID)
}

// Provider returns one provider as stored (changes start from it, not
// from the cached catalog).
func (s *Store) Provider(ctx context.Context, clinicID, id string) (Provider, error) {
	return store.One[Provider](ctx, s.providers, clinicID, id, errProviderNotFound)
}

var errProviderNotFound = errs.E(errs.NotFound, "provider not found")

// UpdateProvider changes a provider.
func (s *Store) UpdateProvider(ctx context.Context, clinicID, id string, in ProviderInput) (Provider, error) {
	p, err := s.Provider(ctx, clinicID, id)
	if err != nil {
		return Provider{}, err
	}
	applyProvider(&p, in)
	if err := s.validateProvider(ctx, clinicID, p); err != nil {
		return Provider{}, err
	}
	return s.saveProvider(ctx, clinicID, p)
}

func (s *Store) saveProvider(ctx context.Context, clinicID string, p Provider) (Provider, error) {
	p.UpdatedAt = s.clock.Now()
	ok, err := s.providers.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: p.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "userId", Value: p.UserID}, {Key: "name", Value: p.Name}, {Key: "kind", Value: p.Kind}, {Key: "colour", Value: p.Colour},
		{Key: "specialties", Value: p.Specialties}, {Key: "operatories", Value: p.Operatories}, {Key: "active", Value: p.Active},
		{Key: "hours", Value: p.Hours}, {Key: "timeOff", Value: p.TimeOff}, {Key: "updatedAt", Value: p.UpdatedAt},
	}}})
	if err == nil && !ok {
		err = errProviderNotFound
	}
	if err != nil {
		return Provider{}, err
	}
	if err := s.invalidate(ctx, clinicID); err != nil {
		return Provider{}, err
	}
	s.changed(ctx, clinicID, LiveProviderUpdated, p.ID, 0)
	return p, nil
}

// SetHours replaces a provider's weekly hours.
func (s *Store) SetHours(ctx context.Context, clinicID, id string, h avail.WeeklyHours) (Provider, error) {
	if err := h.Validate(); err != nil {
		return Provider{}, errs.InvalidFields(errs.FieldError{Field: "hours", Message: err.Error()})
	}
	p, err := s.Provider(ctx, clinicID, id)
	if err != nil {
		return Provider{}, err
	}
	p.Hours = h
	return s.saveProvider(ctx, clinicID, p)
}

// AddTimeOff records an absence.
func (s *Store) AddTimeOff(ctx context.Context, clinicID, id string, t TimeOff) (Provider, error) {
	p, err := s.Provider(ctx, clinicID, id) // another clinic's provider is 404 before any validation
	if err != nil {
		return Provider{}, err
	}
	from, err1 := time.Parse(time.DateOnly, t.From)
	to, err2 := time.Parse(time.DateOnly, t.To)
	var v errs.Validator
	v.Check(err1 == nil, "from", "must be a date YYYY-MM-DD")
	v.Check(err2 == nil, "to", "must be a date YYYY-MM-DD")
	v.Check(err1 != nil || err2 != nil || !to.Before(from), "to", "must not be before from")
	if err := v.Err(); err != nil {
		return Provider{}, err
	}
	p.TimeOff = append(p.TimeOff, t)
	return s.saveProvider(ctx, clinicID, p)
}

// OperatoryInput changes a chair.
type OperatoryInput struct {
	Name   *string `json:"name"`
	Active *bool   `json:"active"`
}

func validateOperatory(o Operatory) error {
	var v errs.Validator
	v.Check(o.Name != "", "name", "is required")
	return v.Err()
}

// CreateOperatory adds a chair.
func (s *Store) CreateOperatory(ctx context.Context, clinicID, name string) (Operatory, error) {
	o := Operatory{ID: ids.New(), Name: strings.TrimSpace(name), Active: true}
	if err := validateOperatory(o); err != nil {
		return Operatory{}, err
	}
	if err := s.operatories.InsertOne(ctx, clinicID, o); err != nil {
		return Operatory{}, err
	}
	return o, s.invalidate(ctx, clinicID)
}

var errOperatoryNotFound = errs.E(errs.NotFound, "chair not found")

// UpdateOperatory renames, deactivates or reactivates a chair. An inactive
// chair takes no new bookings; the appointments already in it stay.
func (s *Store) UpdateOperatory(ctx context.Context, clinicID, id string, in OperatoryInput) (Operatory, error) {
	o, err := store.One[Operatory](ctx, s.operatories, clinicID, id, errOperatoryNotFound)
	if err != nil {
		return Operatory{}, err
	}
	if in.Name != nil {
		o.Name = strings.TrimSpace(*in.Name)
	}
	if in.Active != nil {
		o.Active = *in.Active
	}
	if err := validateOperatory(o); err != nil {
		return Operatory{}, err
	}
	err = s.save(ctx, s.operatories, clinicID, o.ID, errOperatoryNotFound, bson.D{{Key: "name", Value: o.Name}, {Key: "active", Value: o.Active}})
	return o, err
}

// save sets fields of one catalog document (one atomic update) and drops
// the cached catalog.
func (s *Store) save(ctx context.Context, c *store.Collection, clinicID, id string, notFound error, set bson.D) error {
	ok, err := c.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err == nil && !ok {
		err = notFound
	}
	if err != nil {
		return err
	}
	return s.invalidate(ctx, clinicID)
}

// TypeInput changes an appointment type: the fields given, the others kept.
type TypeInput struct {
	Name               *string   `json:"name"`
	Category           *string   `json:"category"`
	DurationMinutes    *int      `json:"durationMinutes"`
	Colour             *string   `json:"colour"`
	DefaultOperatoryID *string   `json:"defaultOperatoryId"`
	BufferBefore       *int      `json:"bufferBeforeMinutes"`
	BufferAfter        *int      `json:"bufferAfterMinutes"`
	BookableOnline     *bool     `json:"bookableOnline"`
	RecallMonths       *int      `json:"recallMonths"`
	ProviderKinds      *[]string `json:"providerKinds"`
	Active             *bool     `json:"active"`
}

func (in TypeInput) apply(t *AppointmentType) {
	assign(&t.Name, in.Name)
	assign(&t.Category, in.Category)
	assign(&t.DurationMinutes, in.DurationMinutes)
	assign(&t.Colour, in.Colour)
	assign(&t.DefaultOperatoryID, in.DefaultOperatoryID)
	assign(&t.BufferBefore, in.BufferBefore)
	assign(&t.BufferAfter, in.BufferAfter)
	assign(&t.BookableOnline, in.BookableOnline)
	assign(&t.RecallMonths, in.RecallMonths)
	assign(&t.ProviderKinds, in.ProviderKinds)
	assign(&t.Active, in.Active)
}

// assign sets *dst to *src when src is given.
func assign[T any](dst, src *T) {
	if src != nil {
		*dst = *src
	}
}

// validateType checks a type as created or changed, trimming its name and
// dropping repeated provider kinds.
func (c Catalog) validateType(t *AppointmentType) error {
	t.Name = strings.TrimSpace(t.Name)
	var v errs.Validator
	v.Check(t.Name != "", "name", "is required")
	v.Check(t.DurationMinutes >= 5 && t.DurationMinutes <= 480 && t.DurationMinutes%5 == 0, "durationMinutes", "must be 5 to 480, in steps of 5")
	v.Check(t.BufferBefore >= 0 && t.BufferBefore <= 60 && t.BufferBefore%5 == 0, "bufferBeforeMinutes", "must be 0 to 60, in steps of 5")
	v.Check(t.BufferAfter >= 0 && t.BufferAfter <= 60 && t.BufferAfter%5 == 0, "bufferAfterMinutes", "must be 0 to 60, in steps of 5")
	v.Check(t.Colour == "" || colourRE.MatchString(t.Colour), "colour", "must be a colour like #1f6feb")
	v.Check(t.RecallMonths >= 0 && t.RecallMonths <= maxRecallMonths, "recallMonths", fmt.Sprintf("must be 0 to %d", maxRecallMonths))
	switch t.Category {
	case "hygiene", "exam", "restorative", "surgery", "emergency", "other":
	default:
		v.Check(false, "category", "must be hygiene, exam, restorative, surgery, emergency or other")
	}
	if t.DefaultOperatoryID != "" {
		_, ok := c.operatory(t.DefaultOperatoryID)
		v.Check(ok, "defaultOperatoryId", "is not a chair of this practice")
	}
	kinds := []string{}
	for _, k := range t.ProviderKinds {
		v.Check(slices.Contains(ProviderKinds, k), "providerKinds", "each must be dentist or hygienist")
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	t.ProviderKinds = kinds
	return v.Err()
}

const maxRecallMonths = 60

// CreateType adds an appointment type (active).
func (s *Store) CreateType(ctx context.Context, clinicID string, t AppointmentType) (AppointmentType, error) {
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return AppointmentType{}, err
	}
	if err := cat.validateType(&t); err != nil {
		return AppointmentType{}, err
	}
	if t.Colour == "" {
		t.Colour = "#6e7781"
	}
	if t.Category == "hygiene" && t.RecallMonths == 0 {
		t.RecallMonths = 6
	}
	t.ID, t.Active = ids.New(), true
	if err := s.types.InsertOne(ctx, clinicID, t); err != nil {
		return AppointmentType{}, err
	}
	return t, s.invalidate(ctx, clinicID)
}

var errTypeNotFound = errs.E(errs.NotFound, "appointment type not found")

// UpdateType changes an appointment type. Appointments already booked keep
// the length and buffers they were booked with; an inactive type takes no
// new bookings.
func (s *Store) UpdateType(ctx context.Context, clinicID, id string, in TypeInput) (AppointmentType, error) {
	t, err := store.One[AppointmentType](ctx, s.types, clinicID, id, errTypeNotFound)
	if err != nil {
		return AppointmentType{}, err
	}
	t.Active = !t.Inactive
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return AppointmentType{}, err
	}
	in.apply(&t)
	if err := cat.validateType(&t); err != nil {
		return AppointmentType{}, err
	}
	if t.Colour == "" {
		t.Colour = "#6e7781"
	}
	t.Inactive = !t.Active
	err = s.save(ctx, s.types, clinicID, t.ID, errTypeNotFound, bson.D{
		{Key: "name", Value: t.Name}, {Key: "category", Value: t.Category}, {Key: "durationMinutes", Value: t.DurationMinutes},
		{Key: "colour", Value: t.Colour}, {Key: "defaultOperatoryId", Value: t.DefaultOperatoryID},
		{Key: "bufferBeforeMinutes", Value: t.BufferBefore}, {Key: "bufferAfterMinutes", Value: t.BufferAfter},
		{Key: "bookableOnline", Value: t.BookableOnline}, {Key: "recallMonths", Value: t.RecallMonths},
		{Key: "providerKinds", Value: t.ProviderKinds}, {Key: "inactive", Value: t.Inactive},
	})
	return t, err
}
