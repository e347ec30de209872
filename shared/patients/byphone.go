package patients

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// maxByPhone bounds the records one number names (a family sharing a phone).
const maxByPhone = 20

// PhoneDigits are the stored digit strings a number can be on file as:
// its own digits (E.164 as stored, "+12125550147" → "12125550147") and,
// for a North American number, the ten digits without the country code,
// as a record whose phone could not be parsed keeps it.
func PhoneDigits(number string) []string {
	d := Digits(number)
	if d == "" {
		return nil
	}
	out := []string{d}
	if len(d) == 11 && d[0] == '1' {
		out = append(out, d[1:])
	}
	return out
}

// ByPhone returns clinicID's active patients whose phone is number (an
// inbound text's From, E.164), oldest record first: exact matches of the
// whole number, never a mere suffix of another.
func (s *Store) ByPhone(ctx context.Context, clinicID, number string) ([]Patient, error) {
	want := PhoneDigits(number)
	if len(want) == 0 {
		return []Patient{}, nil
	}
	var list []Patient
	// The (status, search.phones) index: every stored number lists its
	// digit suffixes, so both forms find it; the exact check is below.
	err := s.patients.Find(ctx, clinicID, bson.D{
		{Key: "status", Value: StatusActive},
		{Key: "search.phones", Value: bson.D{{Key: "$in", Value: want}}},
	}, &list, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(maxByPhone*2))
	if err != nil {
		return nil, err
	}
	out := make([]Patient, 0, len(list))
	for _, p := range list {
		if slices.Contains(want, p.Search.Phone) && len(out) < maxByPhone {
			out = append(out, p)
		}
	}
	return out, nil
}
