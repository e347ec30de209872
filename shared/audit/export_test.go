package audit

// HashRecord lets tests forge a record the way an attacker with database
// access could: recomputing its hash after editing it.
var HashRecord = hashRecord

// RecordID is the _id of a clinic's record seq.
var RecordID = recordID

// Tip is the head's record of seq and its hash, as a raise writes it.
func Tip(seq int64, hash string) string { return tip(link{Seq: seq, Hash: hash}) }

// MaxWalk is how many records past the known end an append reads by _id
// before it looks the end up.
const MaxWalk = maxWalk

// Attempts is how many times Record tries to claim the next seq.
const Attempts = attempts

// SetBeforeInsert installs a hook that runs before each insert of a record,
// where a competing writer can slip in.
func (l *Log) SetBeforeInsert(fn func(clinicID string, seq int64)) { l.beforeInsert = fn }

// SetBatchSize sets how many records Verify reads per query.
func (l *Log) SetBatchSize(n int) { l.batch = n }
