// Package ids makes record ids and opaque random tokens.
package ids

import (
	"crypto/rand"
	"encoding/base64"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// New returns a new record id: 24 hex characters, roughly time-ordered (a
// Mongo ObjectID), so _id order is creation order and pagination by id is
// stable.
func New() string { return primitive.NewObjectID().Hex() }

// Valid reports whether s has the shape of an id made by New; handlers use it
// to answer 404 for garbage ids without a database round trip.
func Valid(s string) bool {
	_, err := primitive.ObjectIDFromHex(s)
	return err == nil
}

// Token returns n random bytes from crypto/rand, URL-safe base64 encoded, for
// secrets such as refresh and reset tokens.
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
