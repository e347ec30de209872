package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// A record is encoded for its MAC in a versioned, length-prefixed form:
// every stored field but Hash, in a fixed order, PrevHash first. Length
// prefixes make it unambiguous: no two different records encode alike. The
// stored _id is encoded as it is, so records with random _ids (written
// before _ids were derived from the seq) verify as they always did.
const (
	// legacyTag opens the encoding of records from before the trail was
	// keyed: no kid, no listed patients, hashed with plain SHA-256.
	legacyTag = "topsmile.audit.v1"
	// keyedTag opens the encoding of keyed records: the kid, the v1
	// fields, then the listed patients.
	keyedTag = "topsmile.audit.v2"
)

// keyedMAC is hex(HMAC-SHA256(key, v2 encoding of r)).
func keyedMAC(key []byte, r Record) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(keyedTag))
	writeString(h, r.KID)
	writeFields(h, r)
	writeInt(h, int64(len(r.PatientIDs)))
	for _, id := range r.PatientIDs {
		writeString(h, id)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// legacyHash is hex(SHA-256(v1 encoding of r)): what unkeyed records carry.
func legacyHash(r Record) string {
	h := sha256.New()
	h.Write([]byte(legacyTag))
	writeFields(h, r)
	return hex.EncodeToString(h.Sum(nil))
}

// writeFields writes the fields both versions cover, in the v1 order.
func writeFields(h hash.Hash, r Record) {
	for _, s := range []string{r.PrevHash, r.ID, r.ClinicID} {
		writeString(h, s)
	}
	writeInt(h, r.Seq)
	for _, s := range []string{r.ActorID, r.ActorRole, r.Action, r.Resource, r.PatientID,
		r.RequestID, r.IP, string(r.Outcome), r.Detail} {
		writeString(h, s)
	}
	writeInt(h, r.At.UnixMilli())
}

func writeString(h hash.Hash, s string) {
	writeInt(h, int64(len(s)))
	h.Write([]byte(s))
}

func writeInt(h hash.Hash, n int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}
