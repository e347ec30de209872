package identity

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Session is one sign-in: a refresh-token family. Each refresh replaces the
// current token and retires the old one; presenting a retired token revokes
// the whole family (but see refreshGrace for a refresh that lost a race).
type Session struct {
	ID                string     `bson:"_id" json:"id"`
	ClinicID          string     `bson:"clinicId" json:"-"`
	UserID            string     `bson:"userId" json:"-"`
	Role              Role       `bson:"role" json:"-"`
	PatientID         string     `bson:"patientId,omitempty" json:"-"`
	MFAPending        bool       `bson:"mfaPending" json:"-"`
	CurrentHash       string     `bson:"currentHash" json:"-"`
	Retired           []string   `bson:"retired" json:"-"`
	Generation        int        `bson:"generation" json:"-"`
	Device            string     `bson:"device" json:"device"`
	IP                string     `bson:"ip" json:"ip"`
	CreatedAt         time.Time  `bson:"createdAt" json:"createdAt"`
	LastUsedAt        time.Time  `bson:"lastUsedAt" json:"lastUsedAt"`
	IdleExpiresAt     time.Time  `bson:"idleExpiresAt" json:"-"`
	AbsoluteExpiresAt time.Time  `bson:"absoluteExpiresAt" json:"expiresAt"`
	RevokedAt         *time.Time `bson:"revokedAt,omitempty" json:"-"`
	RevokedReason     string     `bson:"revokedReason,omitempty" json:"-"`
}

// actor is the session's user as the audit trail names them.
func (s Session) actor() audit.Actor {
	return audit.Actor{ClinicID: s.ClinicID, UserID: s.UserID, Role: string(s.Role)}
}

// Refresh is a refresh token: the session id and a random secret.
func refreshToken(sessionID, secret string) string { return sessionID + "." + secret }

func splitRefresh(raw string) (sessionID, secret string, ok bool) {
	sessionID, secret, ok = strings.Cut(raw, ".")
	return sessionID, secret, ok && ids.Valid(sessionID) && len(secret) >= 32
}

// keepRetired bounds the retired-hash list: a token older than that many
// rotations is refused without being recognised as reuse.
const keepRetired = 50

// Sessions stores refresh-token families.
type Sessions struct {
	coll   *store.Collection
	claims *store.Claims
	deny   SessionDenier
	clock  clock.Clock
}

// SessionDenier refuses every access token of a session from the next
// request on (authz.Revoker, the Redis deny-list).
type SessionDenier interface {
	Session(ctx context.Context, sessionID string) error
}

var _ SessionDenier = (*authz.Revoker)(nil)

// NewSessions declares the collection; deny is the deny-list every
// revocation writes first.
func NewSessions(m *store.Mongo, c clock.Clock, deny SessionDenier) *Sessions {
	return &Sessions{
		coll: m.Collection("sessions",
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "userId", Value: 1}, {Key: "createdAt", Value: -1}}},
		),
		claims: store.NewClaims(m, c),
		deny:   deny,
		clock:  c,
	}
}

// SessionLimits are a new session's lifetimes.
type SessionLimits struct {
	Absolute time.Duration // the longest a sign-in lasts
	Idle     time.Duration // the practice's automatic logoff
}

// Create starts a session for u and returns it with its first refresh token.
func (s *Sessions) Create(ctx context.Context, u User, lim SessionLimits, mfaPending bool, device, ip string) (Session, string, error) {
	now := s.clock.Now()
	secret := ids.Token(32)
	sess := Session{
		ID: ids.New(), ClinicID: u.ClinicID, UserID: u.ID, Role: u.Role, PatientID: u.PatientID, MFAPending: mfaPending,
		CurrentHash: token.Hash(secret), Retired: []string{}, Device: truncate(device, 200), IP: ip,
		CreatedAt: now, LastUsedAt: now, IdleExpiresAt: now.Add(lim.Idle), AbsoluteExpiresAt: now.Add(lim.Absolute),
	}
	if err := s.coll.InsertOne(ctx, u.ClinicID, sess); err != nil {
		return Session{}, "", err
	}
	return sess, refreshToken(sess.ID, secret), nil
}

// Outcome of a refresh attempt that failed.
var (
	ErrRefreshInvalid = errs.E(errs.Unauthorized, "session expired; sign in again")
	// ErrRefreshRaced answers a refresh that lost a race with another
	// refresh of the same token (two tabs, a retried request): the session
	// lives on and the winner's cookies are the ones to use.
	ErrRefreshRaced = errs.E(errs.Conflict, "this session was refreshed by another request just now; retry with its cookies")
)

// refreshGrace is how long after a rotation the token it retired is still
// taken for a lost race rather than a replay.
//
// The rule (RFC 9700 §4.14.2 leaves the grace to the server): a refresh
// token is spent by exactly one request, the first to claim it. A request
// that presents it while that claim is in flight, or presents the token
// the session rotated away from less than refreshGrace ago, gets 409
// ErrRefreshRaced: no new tokens, nothing revoked, cookies untouched. Any
// other presentation of a retired token (the previous one after the grace,
// or any older one) is reuse and revokes the family. The grace gives a
// thief nothing: a 409 issues no token, and the victim's next refresh after
// the grace with the token the thief spent still kills the family.
const refreshGrace = 10 * time.Second

// RotateResult tells the caller what happened.
type RotateResult struct {
	Session Session
	Token   string
	// Reused is set when a retired token was presented: the family is now
	// revoked (its access tokens denied) and the caller must audit it.
	Reused bool
}

// Rotate exchanges a refresh token for a new one. Spending the token is a
// claim on its hash (a unique insert), so two concurrent refreshes with the
// same token cannot both succeed; the losers, and a request presenting the
// token just retired, are ErrRefreshRaced (see refreshGrace).
func (s *Sessions) Rotate(ctx context.Context, raw string) (RotateResult, error) {
	sid, secret, ok := splitRefresh(raw)
	if !ok {
		return RotateResult{}, ErrRefreshInvalid
	}
	now := s.clock.Now()
	h := token.Hash(secret)
	var sess Session
	// Lookup: a refresh token names its session, not a clinic; the session
	// carries its clinic and everything issued from here is scoped to it.
	owned, err := s.coll.Lookup(ctx, sid, &sess)
	if errs.Is(err, errs.NotFound) {
		return RotateResult{}, ErrRefreshInvalid
	}
	if err != nil {
		return RotateResult{}, err
	}
	current := subtle.ConstantTimeCompare([]byte(sess.CurrentHash), []byte(h)) == 1
	switch {
	case sess.RevokedAt != nil:
		return RotateResult{}, ErrRefreshInvalid
	case !current && len(sess.Retired) > 0 && sess.Retired[len(sess.Retired)-1] == h && now.Sub(sess.LastUsedAt) < refreshGrace:
		return RotateResult{}, ErrRefreshRaced
	case !current && slices.Contains(sess.Retired, h):
		if err := s.Revoke(ctx, sess.ClinicID, sess.ID, "refresh token reuse"); err != nil {
			return RotateResult{}, err
		}
		return RotateResult{Session: sess, Reused: true}, ErrRefreshInvalid
	case !current:
		return RotateResult{}, ErrRefreshInvalid
	case !now.Before(sess.IdleExpiresAt) || !now.Before(sess.AbsoluteExpiresAt):
		if err := s.Revoke(ctx, sess.ClinicID, sess.ID, "expired"); err != nil {
			return RotateResult{}, err
		}
		return RotateResult{}, ErrRefreshInvalid
	}
	// Exactly one request may spend this token: the first to claim it.
	won, err := s.claims.Claim(ctx, sess.ClinicID, "refresh:"+h)
	if err != nil {
		return RotateResult{}, err
	}
	if !won {
		return RotateResult{}, ErrRefreshRaced // a concurrent refresh is spending it
	}
	next := ids.Token(32)
	after := sess
	after.CurrentHash = token.Hash(next)
	after.LastUsedAt = now
	after.IdleExpiresAt = now.Add(sess.IdleExpiresAt.Sub(sess.LastUsedAt))
	after.Generation++
	// By _id alone: the claim on h already makes this request the only one
	// moving the session on from h.
	_, err = owned.Update(ctx,
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "currentHash", Value: after.CurrentHash}, {Key: "lastUsedAt", Value: now}, {Key: "idleExpiresAt", Value: after.IdleExpiresAt}}},
			{Key: "$inc", Value: bson.D{{Key: "generation", Value: 1}}},
			{Key: "$push", Value: bson.D{{Key: "retired", Value: bson.D{{Key: "$each", Value: bson.A{h}}, {Key: "$slice", Value: -keepRetired}}}}},
		})
	if err != nil {
		// The old token is spent either way: a failure here signs the user
		// out rather than leaving a token that could be spent twice.
		return RotateResult{}, err
	}
	return RotateResult{Session: after, Token: refreshToken(sid, next)}, nil
}

// Revoke ends a session: its access tokens are denied first, then the
// session is marked revoked. In that order a failure half-way leaves the
// session live in the store, so the caller's retry (a logout, a replayed
// refresh token, an admin's "end all sessions") finds it again and writes
// the deny entry; the other order left a revoked session whose access
// tokens lived out their TTL, because a retry found nothing left to end.
// Repeating it is harmless.
func (s *Sessions) Revoke(ctx context.Context, clinicID, sessionID, reason string) error {
	if err := s.deny.Session(ctx, sessionID); err != nil {
		return err
	}
	now := s.clock.Now()
	_, err := s.coll.UpdateOne(ctx, clinicID,
		bson.D{{Key: "_id", Value: sessionID}, {Key: "revokedAt", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revokedAt", Value: now}, {Key: "revokedReason", Value: reason}}}})
	return err
}

// Get returns a session of clinicID.
func (s *Sessions) Get(ctx context.Context, clinicID, sessionID string) (Session, error) {
	var sess Session
	return sess, s.coll.Get(ctx, clinicID, sessionID, &sess)
}

// Active lists a user's live sessions, newest first.
func (s *Sessions) Active(ctx context.Context, clinicID, userID string) ([]Session, error) {
	now := s.clock.Now()
	var out []Session
	err := s.coll.Find(ctx, clinicID, bson.D{
		{Key: "userId", Value: userID},
		{Key: "revokedAt", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "absoluteExpiresAt", Value: bson.D{{Key: "$gt", Value: now}}},
		{Key: "idleExpiresAt", Value: bson.D{{Key: "$gt", Value: now}}},
	}, &out, options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}}).SetLimit(100))
	if out == nil {
		out = []Session{}
	}
	return out, err
}

// ClearMFAPending marks a session fully signed in after MFA enrolment.
func (s *Sessions) ClearMFAPending(ctx context.Context, clinicID, sessionID string) error {
	_, err := s.coll.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: sessionID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mfaPending", Value: false}}}})
	return err
}

// RevokeAllForUser ends every live session of a user except keep (may be
// "") and returns the ids it ended.
func (s *Sessions) RevokeAllForUser(ctx context.Context, clinicID, userID, keep, reason string) ([]string, error) {
	var live []Session
	if err := s.coll.Find(ctx, clinicID, bson.D{
		{Key: "userId", Value: userID},
		{Key: "revokedAt", Value: bson.D{{Key: "$exists", Value: false}}},
	}, &live, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return nil, err
	}
	var ended []string
	for _, sess := range live {
		if sess.ID == keep {
			continue
		}
		if err := s.Revoke(ctx, clinicID, sess.ID, reason); err != nil {
			return ended, err
		}
		ended = append(ended, sess.ID)
	}
	return ended, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
