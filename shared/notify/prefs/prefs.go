// Package prefs holds what a patient and a clinic decide about messages: the
// opt-out ledger (one record per clinic, channel and address: STOP or an
// unsubscribe link writes it, START removes it, every send reads it), quiet
// hours, and a daily cap on texts per recipient. Transactional messages
// (password reset, verification, account exists) are never blocked.
package prefs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"
)

// Collection is the opt-out ledger's Mongo collection.
const Collection = "opt_outs"

// OptOut is one record of the ledger. Its _id is derived from (clinic,
// channel, address), so there is at most one and a repeated STOP is a no-op.
type OptOut struct {
	ID       string         `bson:"_id" json:"id"`
	ClinicID string         `bson:"clinicId" json:"clinicId"`
	Channel  notify.Channel `bson:"channel" json:"channel"`
	Address  string         `bson:"address" json:"address"`
	Source   string         `bson:"source" json:"source"` // "sms-stop", "email-link", "staff", "patient"
	At       time.Time      `bson:"at" json:"at"`
}

// Ledger is the opt-out ledger over Mongo.
type Ledger struct {
	coll *store.Collection
}

// NewLedger declares the collection (no I/O). The _id is the only key
// needed: it is the unique (clinic, channel, address).
func NewLedger(m *store.Mongo) *Ledger { return &Ledger{coll: m.Collection(Collection)} }

// Normalize is the form an address is kept and compared in: emails lower
// case, numbers in E.164 as Twilio sends them ("(212) 555-0147" and
// "+1 212 555 0147" are one number); a number that is not textable keeps
// its bare characters.
func Normalize(ch notify.Channel, address string) string {
	a := strings.TrimSpace(address)
	if ch == notify.Email {
		return strings.ToLower(a)
	}
	if e := notify.E164(a); e != "" {
		return e
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' {
			return -1
		}
		return r
	}, a)
}

func key(clinicID string, ch notify.Channel, address string) string {
	return clinicID + ":" + string(ch) + ":" + Normalize(ch, address)
}

// OptOut records that address wants nothing more on ch from clinicID. It is
// honoured by the very next send.
func (l *Ledger) OptOut(ctx context.Context, clinicID string, ch notify.Channel, address, source string, at time.Time) error {
	if clinicID == "" || address == "" {
		return errors.New("prefs: clinic and address are required")
	}
	doc := OptOut{ID: key(clinicID, ch, address), ClinicID: clinicID, Channel: ch, Address: Normalize(ch, address), Source: source, At: at.UTC()}
	err := l.coll.InsertOne(ctx, clinicID, doc)
	if errs.Is(err, errs.Conflict) || store.IsDuplicate(err) {
		return nil // already opted out: the first record stands
	}
	return err
}

// OptIn removes the opt-out (START, or the patient's own choice again).
func (l *Ledger) OptIn(ctx context.Context, clinicID string, ch notify.Channel, address string) error {
	_, err := l.coll.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: key(clinicID, ch, address)}})
	return err
}

// OptedOut reports whether address opted out of ch at clinicID.
func (l *Ledger) OptedOut(ctx context.Context, clinicID string, ch notify.Channel, address string) (bool, error) {
	var o OptOut
	err := l.coll.Get(ctx, clinicID, key(clinicID, ch, address), &o)
	switch {
	case errs.Is(err, errs.NotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// OptOuts is what the gate reads of the ledger.
type OptOuts interface {
	OptedOut(ctx context.Context, clinicID string, ch notify.Channel, address string) (bool, error)
}

var _ OptOuts = (*Ledger)(nil)

// Cap limits the texts one recipient gets from one clinic in one of the
// clinic's days. Each message id counts once however often it is retried.
type Cap struct {
	Redis *redis.Client
	Max   int
}

// capScript admits id into the day's set unless the set is full: atomic, so
// racing consumers cannot both take the last place.
var capScript = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`)

// Admit counts m against its recipient's day in loc; over the cap it is a
// permanent "capped" failure.
func (c *Cap) Admit(ctx context.Context, m notify.Message, now time.Time, loc *time.Location) error {
	if c.Max <= 0 {
		return nil
	}
	sum := sha256.Sum256([]byte(Normalize(m.Channel, m.To)))
	day := now.In(loc).Format("2006-01-02")
	k := "notify:smscap:" + m.ClinicID + ":" + hex.EncodeToString(sum[:12]) + ":" + day
	ok, err := capScript.Run(ctx, c.Redis, []string{k}, m.ID, c.Max, int((48 * time.Hour).Seconds())).Int()
	if err != nil {
		return store.RedisError(err)
	}
	if ok == 0 {
		return notify.Permanent(notify.ClassCapped, fmt.Errorf("more than %d texts today", c.Max))
	}
	return nil
}

// Gate is the consumer's notify.Gate: opt-outs first, then the SMS cap;
// transactional templates pass both.
type Gate struct {
	OptOuts OptOuts // nil: no ledger (a deployed function always has one)
	Cap     *Cap    // nil: no cap
	Clock   clock.Clock
}

var _ notify.Gate = (*Gate)(nil)

// Admit implements notify.Gate.
func (g *Gate) Admit(ctx context.Context, m notify.Message) error {
	if notify.Transactional(m.Template) {
		return nil
	}
	if g.OptOuts != nil {
		out, err := g.OptOuts.OptedOut(ctx, m.ClinicID, m.Channel, m.To)
		if err != nil {
			return err
		}
		if out {
			return notify.Permanent(notify.ClassSuppressed, errors.New("recipient opted out of "+string(m.Channel)))
		}
	}
	if m.Channel == notify.SMS && g.Cap != nil {
		now := time.Now()
		if g.Clock != nil {
			now = g.Clock.Now()
		}
		return g.Cap.Admit(ctx, m, now, zone(m.Data["timeZone"]))
	}
	return nil
}

func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}
