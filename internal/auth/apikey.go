package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

// API key scopes. A key holds one or more; a session holds none, which restricts nothing.
const (
	ScopeRead  = "read"  // safe methods only (GET, HEAD, OPTIONS)
	ScopeWrite = "write" // every method
)

// apiKeyScopes are the scopes an API key may hold. Entity-level scopes ("read:accounts") may
// join them later; the stored form, space-separated, already allows it.
var apiKeyScopes = []string{ScopeRead, ScopeWrite}

// APIKeyInput describes a new API key.
type APIKeyInput struct {
	Name      string
	Scopes    []string      // default: write
	ExpiresIn time.Duration // from now; zero: ExpiresAt
	ExpiresAt time.Time     // zero (and no ExpiresIn): never
}

// CheckAPIKeyScopes normalises the scopes of a new API key (sorted, distinct; write when none)
// and refuses unknown ones.
func CheckAPIKeyScopes(in []string) ([]string, error) {
	out := []string{}
	for _, sc := range in {
		sc = strings.ToLower(strings.TrimSpace(sc))
		if !slices.Contains(apiKeyScopes, sc) {
			return nil, fault.Field("scopes", "invalid_scope", "unknown scope %q: an API key's scopes are %q and %q", sc, ScopeRead, ScopeWrite)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		out = append(out, ScopeWrite)
	}
	slices.Sort(out)
	return out, nil
}

// CreateAPIKey issues an API key for a user and returns its description and the key itself,
// which exists only in the result: only its SHA-256 is stored.
func (a *Service) CreateAPIKey(ctx context.Context, tenantID, userID string, in APIKeyInput) (APIKey, string, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return APIKey{}, "", fault.Field("name", "required", "name the key after the integration that will use it")
	}
	scopes, err := CheckAPIKeyScopes(in.Scopes)
	if err != nil {
		return APIKey{}, "", err
	}
	now := a.now()
	ttl := in.ExpiresIn
	switch {
	case ttl < 0:
		return APIKey{}, "", fault.Field("expires_in", "invalid_value", "the lifetime must be positive")
	case ttl == 0 && !in.ExpiresAt.IsZero():
		if ttl = in.ExpiresAt.Sub(now); ttl <= 0 {
			return APIKey{}, "", fault.Field("expires_at", "invalid_value", "the expiry must be in the future")
		}
	}
	var key string
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if key, err = a.IssueToken(ctx, tenantID, userID, KindAPIKey, name, ttl); err != nil {
			return err
		}
		_, err = a.s.Exec(ctx, `UPDATE auth_token SET scopes = `+a.ph(1)+` WHERE token_hash = `+a.ph(2),
			strings.Join(scopes, " "), hashToken(key))
		return err
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return APIKey{}, "", err
		}
		return APIKey{}, "", fmt.Errorf("auth: create api key: %w", err)
	}
	k := APIKey{ID: hashToken(key), Prefix: key[:DisplayPrefixLen], Name: name, Scopes: scopes, CreatedAt: now}
	if ttl > 0 {
		exp := now.Add(ttl)
		k.ExpiresAt = &exp
	}
	return k, key, nil
}

// RevokeAPIKey revokes an API key of a user, named by its ID, at once on this node (and on the
// others within CacheTTL). A key that is not the user's, or is already revoked, is not found.
func (a *Service) RevokeAPIKey(ctx context.Context, tenantID, userID, id string) error {
	id = strings.ToLower(strings.TrimSpace(id))
	res, err := a.s.Exec(ctx, `UPDATE auth_token SET revoked_at = `+a.ph(1)+` WHERE token_hash = `+a.ph(2)+
		` AND tenant_id = `+a.ph(3)+` AND user_id = `+a.ph(4)+` AND kind = '`+KindAPIKey+`' AND revoked_at IS NULL`,
		a.encodeTime(a.now()), id, tenantID, userID)
	if err != nil {
		return fmt.Errorf("auth: revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fault.New(fault.NotFound, "token_not_found", "the API key does not exist")
	}
	// A transaction of the caller commits later; see Revoke.
	a.forget(id)
	return nil
}
