package audit

// HashRecord lets tests forge a record the way an attacker with database
// access could: recomputing its hash after editing it.
var HashRecord = hashRecord

// Attempts is how many times Record tries to claim the next seq.
const Attempts = attempts

// SetBeforeInsert installs a hook that runs after Record has read the tail and
// before it inserts, where a competing writer can slip in.
func (l *Log) SetBeforeInsert(fn func(clinicID string, seq int64)) { l.beforeInsert = fn }

// SetBatchSize sets how many records Verify reads per query.
func (l *Log) SetBatchSize(n int) { l.batch = n }
