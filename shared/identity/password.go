package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/topsmile/topsmile/shared/errs"
)

// argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	saltLen        = 16

	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// HashPassword returns an argon2id hash in PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("identity: malformed password hash")

// hashes counts argon2id computations: the tests check that the paths an
// account-enumeration probe compares do the same number.
var hashes atomic.Int64

func idKey(password, salt []byte, iters, memory uint32, threads uint8, keyLen uint32) []byte {
	hashes.Add(1)
	return argon2.IDKey(password, salt, iters, memory, threads, keyLen)
}

// VerifyPassword reports whether password matches hash, in constant time.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := idKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names no user, so an unknown
// email costs the same time as a wrong password. It is a constant (the hash
// of a throwaway password with the same parameters as HashPassword) so that
// no function pays for an argon2id hash at cold start; a test checks that
// its parameters match HashPassword's.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$VCGgt79z1Q6q2jKstcbFZg$6uecLq9H182WLporIdOjbIEJLVnPdP9FC6jSaruqCCI"

// BurnPasswordTime spends one hash verification's time.
func BurnPasswordTime(password string) { _, _ = VerifyPassword(dummyHash, password) }

// commonPasswords is a small built-in list of passwords that pass the length
// rule but appear near the top of every breach corpus.
var commonPasswords = map[string]bool{
	"123456789012": true, "1234567890123": true, "12345678901234": true, "qwertyuiop12": true,
	"password1234": true, "password12345": true, "passwordpassword": true, "password123!": true,
	"qwerty123456": true, "iloveyou1234": true, "111111111111": true, "000000000000": true,
	"abcdefghijkl": true, "abc123abc123": true, "letmein12345": true, "welcome12345": true,
	"administrator": true, "changeme1234": true, "trustno1trustno1": true, "football1234": true,
	"baseball1234": true, "sunshine1234": true, "princess1234": true, "dragon123456": true,
	"monkey123456": true, "qwertyqwerty": true, "1q2w3e4r5t6y": true, "zaq12wsxcde3": true,
	"superman1234": true, "starwars1234": true, "passw0rd1234": true, "p@ssw0rd1234": true,
	"dentist12345": true, "topsmile1234": true, "topsmile2026": true, "smile1234567": true,
}

// CheckPasswordPolicy validates a new password: 12 to 128 characters, not a
// common password, not the user's email.
func CheckPasswordPolicy(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return errs.InvalidFields(errs.FieldError{Field: "password", Message: fmt.Sprintf("must be at least %d characters", MinPasswordLen)})
	case n > MaxPasswordLen:
		return errs.InvalidFields(errs.FieldError{Field: "password", Message: fmt.Sprintf("must be at most %d characters", MaxPasswordLen)})
	case commonPasswords[strings.ToLower(password)]:
		return errs.InvalidFields(errs.FieldError{Field: "password", Message: "is too common; choose another"})
	case email != "" && strings.EqualFold(password, email):
		return errs.InvalidFields(errs.FieldError{Field: "password", Message: "must not be your email"})
	}
	return nil
}
