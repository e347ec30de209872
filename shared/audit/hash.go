package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// hashRecord is hex(SHA-256) over a versioned, length-prefixed encoding of
// every stored field but Hash, in a fixed order, PrevHash first. Length
// prefixes make it unambiguous: no two different records encode alike. The
// stored _id is hashed as it is, so records with random _ids (written before
// _ids were derived from the seq) verify as they always did.
func hashRecord(r Record) string {
	h := sha256.New()
	h.Write([]byte("topsmile.audit.v1"))
	for _, s := range []string{r.PrevHash, r.ID, r.ClinicID} {
		writeString(h, s)
	}
	writeInt(h, r.Seq)
	for _, s := range []string{r.ActorID, r.ActorRole, r.Action, r.Resource, r.PatientID,
		r.RequestID, r.IP, string(r.Outcome), r.Detail} {
		writeString(h, s)
	}
	writeInt(h, r.At.UnixMilli())
	return hex.EncodeToString(h.Sum(nil))
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
