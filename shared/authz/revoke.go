package authz

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/store"
)

// Deny-list keys. Each lives exactly as long as the tokens it could refuse.
func denyTokenKey(jti string) string   { return "deny:jti:" + jti }
func denySessionKey(sid string) string { return "deny:sid:" + sid }
func denyUserKey(uid string) string    { return "deny:uid:" + uid }

// Revoker writes the deny-list the guard reads on every request.
type Revoker struct {
	Redis *redis.Client
	// AccessTTL is the longest an access token lives: session and user
	// entries are kept that long.
	AccessTTL time.Duration
}

// Token refuses one access token (logout) for the rest of its life.
func (r *Revoker) Token(ctx context.Context, jti string, expires time.Time) error {
	ttl := time.Until(expires) + time.Second
	if ttl <= 0 {
		return nil
	}
	return store.RedisError(r.Redis.Set(ctx, denyTokenKey(jti), "1", ttl).Err())
}

// Session refuses every access token of a session (session revoked, refresh
// reuse detected).
func (r *Revoker) Session(ctx context.Context, sessionID string) error {
	return store.RedisError(r.Redis.Set(ctx, denySessionKey(sessionID), "1", r.AccessTTL+time.Minute).Err())
}

// User refuses every access token of a disabled user, whatever session it
// belongs to (the sessions are also revoked in the store).
func (r *Revoker) User(ctx context.Context, userID string) error {
	return store.RedisError(r.Redis.Set(ctx, denyUserKey(userID), "1", r.AccessTTL+time.Minute).Err())
}

// ClearUser lifts User when a user is enabled again.
func (r *Revoker) ClearUser(ctx context.Context, userID string) error {
	return store.RedisError(r.Redis.Del(ctx, denyUserKey(userID)).Err())
}

// denyKeys are the deny-list entries any one of which refuses p's token.
func denyKeys(p Principal) []string {
	return []string{denyTokenKey(p.TokenID), denySessionKey(p.SessionID), denyUserKey(p.UserID)}
}

// DenyKeys are the deny-list entries any one of which refuses a token of
// the session sessionID of userID with id tokenID: the live fan-out checks
// them for each open connection, whose token was checked only once, when
// it connected.
func DenyKeys(tokenID, sessionID, userID string) []string {
	return denyKeys(Principal{TokenID: tokenID, SessionID: sessionID, UserID: userID})
}
