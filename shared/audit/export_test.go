package audit

// LegacyHash is the plain SHA-256 of records from before the trail was
// keyed.
var LegacyHash = legacyHash

// Seal gives r the active kid and its MAC, as an append does: for seeding a
// valid chain in bulk, or forging with the key in hand.
func (k *Keys) Seal(r *Record) { k.seal(r) }

// Check is what Verify finds wrong with r alone ("" when nothing);
// afterKeyed says a keyed record came before it.
func (k *Keys) Check(r Record, afterKeyed bool) string { return k.check(r, afterKeyed) }

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
