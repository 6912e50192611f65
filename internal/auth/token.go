package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// Token kinds.
const (
	KindSession = "session" // issued by Login, always expires
	KindAPIKey  = "apikey"  // issued on request, for scripts and integrations
)

// Token prefixes tell the kinds apart at a glance and let secret scanners find leaked tokens.
const (
	sessionPrefix = "mrd_"
	apiKeyPrefix  = "mrk_"
	secretBytes   = 32
	tokenLen      = 4 + (secretBytes*8+5)/6 // prefix + unpadded base64url
	// DisplayPrefixLen is how many leading characters of a token are stored in clear, to show
	// and to name it in Revoke; eight of them are random.
	DisplayPrefixLen = 12
	maxNameRunes     = 100
)

// touchEvery is how stale auth_token.last_used_at may get: it costs a write per token per period.
const touchEvery = time.Minute

func errInvalidToken() error {
	return fault.New(fault.Unauthenticated, "invalid_token", "the token is invalid or revoked")
}

func errTokenExpired() error {
	return fault.New(fault.Unauthenticated, "token_expired", "the token has expired")
}

// IssueToken creates a token of kind (KindSession or KindAPIKey) for a user and returns it; the
// plaintext exists only in the result. ttl 0 makes a token that never expires (API keys only).
func (a *Service) IssueToken(ctx context.Context, tenantID, userID, kind, name string, ttl time.Duration) (string, error) {
	switch {
	case kind != KindSession && kind != KindAPIKey:
		return "", fault.Field("kind", "invalid_kind", "the token kind must be %q or %q", KindSession, KindAPIKey)
	case ttl < 0, ttl == 0 && kind == KindSession:
		return "", fault.Field("ttl", "invalid_ttl", "the token lifetime must be positive (0 means no expiry, for API keys only)")
	case utf8.RuneCountInString(name) > maxNameRunes:
		return "", fault.Field("name", "too_long", "the name must be at most %d characters long", maxNameRunes)
	}
	var one int
	err := a.s.DB(ctx).QueryRowContext(ctx,
		`SELECT 1 FROM "user" WHERE tenant_id = `+a.ph(1)+` AND id = `+a.ph(2), tenantID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.New(fault.NotFound, "user_not_found", "the user does not exist")
	}
	if err != nil {
		return "", fmt.Errorf("auth: issue token: %w", err)
	}
	token, err := a.issue(ctx, tenantID, userID, kind, name, ttl)
	if err != nil {
		return "", fmt.Errorf("auth: issue token: %w", err)
	}
	return token, nil
}

func (a *Service) issue(ctx context.Context, tenantID, userID, kind, name string, ttl time.Duration) (string, error) {
	var secret [secretBytes]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", err
	}
	prefix := sessionPrefix
	if kind == KindAPIKey {
		prefix = apiKeyPrefix
	}
	token := prefix + base64.RawURLEncoding.EncodeToString(secret[:])
	now := a.now()
	var expires any
	if ttl > 0 {
		expires = a.encodeTime(now.Add(ttl))
	}
	_, err := a.s.Exec(ctx, `INSERT INTO auth_token (token_hash, tenant_id, user_id, kind, name, prefix, created_at, expires_at)
		VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`, `+a.ph(5)+`, `+a.ph(6)+`, `+a.ph(7)+`, `+a.ph(8)+`)`,
		hashToken(token), tenantID, userID, kind, name, token[:DisplayPrefixLen], a.encodeTime(now), expires)
	if err != nil {
		return "", err
	}
	return token, nil
}

// wellFormed reports whether token looks like one this service issues, so that garbage is
// refused without a query.
func wellFormed(token string) bool {
	if len(token) != tokenLen || !(strings.HasPrefix(token, sessionPrefix) || strings.HasPrefix(token, apiKeyPrefix)) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token[4:])
	return err == nil
}

// hashToken returns the stored form of a token. Tokens carry 256 random bits, so a fast hash
// is enough: there is nothing to brute-force.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the principal a token stands for. It refuses revoked and expired tokens,
// disabled users and inactive tenants. Answers are cached for up to CacheTTL, so disabling a user
// or a tenant takes up to that long to reach tokens already in use; Revoke takes effect at once.
func (a *Service) Authenticate(ctx context.Context, token string) (principal.Principal, error) {
	if !wellFormed(token) {
		return principal.Principal{}, errInvalidToken()
	}
	h := hashToken(token)
	now := a.now()
	p, hit, touch, gen, err := a.fromCache(h, now)
	if err != nil {
		return principal.Principal{}, err
	}
	if !hit {
		var lastUsed time.Time
		var expires time.Time
		p, expires, lastUsed, err = a.lookup(ctx, h, now)
		if err != nil {
			return principal.Principal{}, err
		}
		touch = now.Sub(lastUsed) >= touchEvery
		usedAt := lastUsed
		if touch {
			usedAt = now
		}
		a.remember(h, gen, now, &cached{p: p, expires: expires, until: now.Add(CacheTTL), usedAt: usedAt})
	}
	if touch {
		// Bookkeeping only: a failed write must not refuse a valid token.
		_, _ = a.s.Exec(ctx, `UPDATE auth_token SET last_used_at = `+a.ph(1)+` WHERE token_hash = `+a.ph(2),
			a.encodeTime(now), h)
	}
	return p, nil
}

// lookup reads a token, its user and its tenant in one query by primary key.
func (a *Service) lookup(ctx context.Context, h string, now time.Time) (p principal.Principal, expires, lastUsed time.Time, err error) {
	var kind, status, scopes string
	var name sql.NullString
	var expiresRaw, lastUsedRaw, revokedRaw, disabledRaw any
	err = a.s.DB(ctx).QueryRowContext(ctx, `SELECT t.tenant_id, t.user_id, t.kind, t.scopes, t.expires_at, t.last_used_at, t.revoked_at,
			u.full_name, u.is_disabled, n.status
		FROM auth_token t
		JOIN "user" u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
		JOIN tenant n ON n.id = t.tenant_id
		WHERE t.token_hash = `+a.ph(1), h).Scan(&p.TenantID, &p.UserID, &kind, &scopes, &expiresRaw, &lastUsedRaw, &revokedRaw,
		&name, &disabledRaw, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return p, expires, lastUsed, errInvalidToken()
	}
	if err != nil {
		return p, expires, lastUsed, fmt.Errorf("auth: authenticate: %w", err)
	}
	disabled, err := a.decodeBool(disabledRaw)
	if err == nil {
		expires, err = a.decodeTime(expiresRaw)
	}
	if err == nil {
		lastUsed, err = a.decodeTime(lastUsedRaw)
	}
	if err != nil {
		return p, expires, lastUsed, fmt.Errorf("auth: authenticate: %w", err)
	}
	switch {
	case revokedRaw != nil, disabled, status != "active":
		return p, expires, lastUsed, errInvalidToken()
	case !expires.IsZero() && !now.Before(expires):
		return p, expires, lastUsed, errTokenExpired()
	}
	p.Name, p.Admin = name.String, true // every user administers its tenant until the security model exists
	p.Method = "token"
	if scopes != "" { // none: not restricted (sessions, API keys made before scopes)
		p.Scopes = strings.Fields(scopes)
	}
	switch kind {
	case KindAPIKey:
		p.Method = "apikey"
		p.KeyID = h // the key's ID (see APIKey): its own rate and concurrency budget
	case KindOAuth:
		// A client's tokens share the client's budget, however many it asks for.
		var client string
		err = a.s.DB(ctx).QueryRowContext(ctx, `SELECT client_id FROM oauth_client_token WHERE tenant_id = `+a.ph(1)+
			` AND token_hash = `+a.ph(2), p.TenantID, h).Scan(&client)
		if err != nil {
			return p, expires, lastUsed, fmt.Errorf("auth: authenticate: client of token: %w", err)
		}
		p.Method, p.KeyID = "oauth", "oauth:"+client
	}
	return p, expires, lastUsed, nil
}

// Revoke ends a token of a tenant, named by its ID (see APIKey), its display prefix or the token
// itself (to log out). Revoking a revoked token succeeds.
func (a *Service) Revoke(ctx context.Context, tenantID, tokenPrefixOrID string) error {
	key := strings.TrimSpace(tokenPrefixOrID)
	if wellFormed(key) {
		key = hashToken(key)
	}
	if key == "" {
		return fault.New(fault.NotFound, "token_not_found", "the token does not exist")
	}
	var h string
	err := a.s.WithTx(ctx, func(ctx context.Context) error {
		rows, err := a.s.DB(ctx).QueryContext(ctx, `SELECT token_hash FROM auth_token WHERE tenant_id = `+a.ph(1)+
			` AND (token_hash = `+a.ph(2)+` OR prefix = `+a.ph(3)+`) LIMIT 2`, tenantID, key, key)
		if err != nil {
			return err
		}
		var found []string
		for rows.Next() {
			var th string
			if err := rows.Scan(&th); err != nil {
				rows.Close()
				return err
			}
			found = append(found, th)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch len(found) {
		case 0:
			return fault.New(fault.NotFound, "token_not_found", "the token does not exist")
		case 2:
			return fault.New(fault.Conflict, "ambiguous_token", "several tokens start with this prefix: use the ID")
		}
		h = found[0]
		_, err = a.s.Exec(ctx, `UPDATE auth_token SET revoked_at = `+a.ph(1)+` WHERE token_hash = `+a.ph(2)+
			` AND revoked_at IS NULL`, a.encodeTime(a.now()), h)
		return err
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	// After the commit: a lookup that read the row before it will not cache (see gen). Inside a
	// caller's transaction the commit comes later, and a concurrent request may cache the token
	// until then, for at most CacheTTL.
	a.forget(h)
	return nil
}

// APIKey describes an API key without its secret.
type APIKey struct {
	// ID is the SHA-256 of the key: stable and unique, and useless to an attacker.
	ID string
	// Prefix is the start of the key, to recognise it.
	Prefix     string
	Name       string
	Scopes     []string // empty: not restricted (keys made before scopes)
	CreatedAt  time.Time
	ExpiresAt  *time.Time // nil: never
	LastUsedAt *time.Time // nil: never used (updated at most once a minute)
}

// ListAPIKeys returns the unrevoked API keys of a user, oldest first.
func (a *Service) ListAPIKeys(ctx context.Context, tenantID, userID string) ([]APIKey, error) {
	rows, err := a.s.DB(ctx).QueryContext(ctx, `SELECT token_hash, prefix, name, scopes, created_at, expires_at, last_used_at
		FROM auth_token
		WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2)+` AND kind = '`+KindAPIKey+`' AND revoked_at IS NULL
		ORDER BY created_at, token_hash`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list api keys: %w", err)
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		var k APIKey
		var scopes string
		var created, expires, lastUsed any
		if err := rows.Scan(&k.ID, &k.Prefix, &k.Name, &scopes, &created, &expires, &lastUsed); err != nil {
			return nil, fmt.Errorf("auth: list api keys: %w", err)
		}
		if k.CreatedAt, err = a.decodeTime(created); err != nil {
			return nil, fmt.Errorf("auth: list api keys: %w", err)
		}
		if k.ExpiresAt, err = a.decodeOptionalTime(expires); err != nil {
			return nil, fmt.Errorf("auth: list api keys: %w", err)
		}
		if k.LastUsedAt, err = a.decodeOptionalTime(lastUsed); err != nil {
			return nil, fmt.Errorf("auth: list api keys: %w", err)
		}
		k.Scopes = strings.Fields(scopes)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list api keys: %w", err)
	}
	return out, nil
}

func (a *Service) decodeOptionalTime(raw any) (*time.Time, error) {
	t, err := a.decodeTime(raw)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}
