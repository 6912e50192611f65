package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
)

// OAuth2 clients use the client credentials grant (RFC 6749 §4.4): a server of another system
// authenticates with a client ID and secret at the token endpoint and receives a short-lived
// access token of kind KindOAuth. A client acts as one user of its tenant (often an application
// user made for it), so everything it does is authorized and audited as that user.

// KindOAuth is the kind of the access tokens the token endpoint issues to clients.
const KindOAuth = "oauth"

// DefaultClientTokenTTL is the lifetime of a client's access token when none is configured.
const DefaultClientTokenTTL = time.Hour

const (
	// clientIDPrefix starts every client ID. The rest is the tenant's UUID and the client's UUID,
	// so the token endpoint finds a client by primary key, tenant first.
	clientIDPrefix = "mrc_"
	clientIDLen    = len(clientIDPrefix) + (32*8+5)/6
	// clientSecretPrefix lets secret scanners recognise a leaked client secret.
	clientSecretPrefix = "mrs_"
	clientSecretLen    = len(clientSecretPrefix) + (secretBytes*8+5)/6
	maxScopes          = 50
	maxScopeLen        = 100
)

// Client is a registered OAuth2 client, without its secret.
type Client struct {
	ClientID   string // public identifier, sent with the secret at the token endpoint
	TenantID   string
	Name       string
	UserID     string   // the user the client acts as
	Scopes     []string // the scopes the client may ask for; empty: none beyond the user's rights
	CreatedAt  time.Time
	CreatedBy  string     // the user who registered it, "" when made from the command line
	LastUsedAt *time.Time // last successful token request (nil: never)
}

// ClientInput registers a client.
type ClientInput struct {
	Name   string
	UserID string
	Scopes []string // ScopeRead, ScopeWrite (the default)
}

// ClientToken is the answer of a successful client credentials grant.
type ClientToken struct {
	AccessToken string
	ExpiresIn   time.Duration
	Scopes      []string // granted
	Client      Client
}

// Errors of the token endpoint carry the RFC 6749 §5.2 error codes as their codes.

func errInvalidClient() error {
	return fault.New(fault.Unauthenticated, "invalid_client", "client authentication failed")
}

func errInvalidScope(format string, args ...any) error {
	return fault.Field("scope", "invalid_scope", format, args...)
}

// clientID returns the public ID of client id of tenant.
func clientID(tenantID, id string) (string, error) {
	t, err := uuid.Parse(tenantID)
	if err != nil {
		return "", err
	}
	c, err := uuid.Parse(id)
	if err != nil {
		return "", err
	}
	return clientIDPrefix + base64.RawURLEncoding.EncodeToString(append(t[:], c[:]...)), nil
}

// parseClientID returns the tenant and row ID a public client ID names.
func parseClientID(s string) (tenantID, id string, ok bool) {
	if len(s) != clientIDLen || !strings.HasPrefix(s, clientIDPrefix) {
		return "", "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(s[len(clientIDPrefix):])
	if err != nil || len(b) != 32 {
		return "", "", false
	}
	t, _ := uuid.FromBytes(b[:16])
	c, _ := uuid.FromBytes(b[16:])
	return t.String(), c.String(), true
}

// ParseScopes splits a space-delimited scope parameter (RFC 6749 §3.3) into sorted, distinct
// scope tokens and checks their syntax.
func ParseScopes(s string) ([]string, error) {
	return normalizeScopes(strings.Fields(s))
}

func normalizeScopes(in []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, sc := range in {
		sc = strings.TrimSpace(sc)
		if sc == "" || seen[sc] {
			continue
		}
		if len(sc) > maxScopeLen || !validScope(sc) {
			return nil, errInvalidScope("%q is not a valid scope: printable ASCII without spaces, quotes or backslashes", sc)
		}
		seen[sc] = true
		out = append(out, sc)
	}
	if len(out) > maxScopes {
		return nil, errInvalidScope("at most %d scopes", maxScopes)
	}
	sort.Strings(out)
	return out, nil
}

// validScope checks a scope token: %x21 / %x23-5B / %x5D-7E (RFC 6749 §3.3).
func validScope(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// CreateClient registers a client acting as user in.UserID and returns it with its secret. The
// secret exists only in the result: only its SHA-256 is stored. createdBy may be "".
func (a *Service) CreateClient(ctx context.Context, tenantID string, in ClientInput, createdBy string) (Client, string, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		return Client{}, "", fault.Field("name", "required", "name the client after the system that will use it")
	case utf8.RuneCountInString(in.Name) > maxNameRunes:
		return Client{}, "", fault.Field("name", "too_long", "the name must be at most %d characters long", maxNameRunes)
	case in.UserID == "":
		return Client{}, "", fault.Field("user_id", "required", "a client acts as a user: name it")
	}
	// A client's scopes are an API key's: "read" (safe methods) or "write" (everything).
	scopes, err := CheckAPIKeyScopes(in.Scopes)
	if err != nil {
		return Client{}, "", err
	}
	if _, err := uuid.Parse(in.UserID); err != nil {
		return Client{}, "", fault.Field("user_id", "user_not_found", "the user does not exist")
	}
	var disabledRaw any
	err = a.s.DB(ctx).QueryRowContext(ctx, `SELECT is_disabled FROM "user" WHERE tenant_id = `+a.ph(1)+` AND id = `+a.ph(2),
		tenantID, in.UserID).Scan(&disabledRaw)
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, "", fault.Field("user_id", "user_not_found", "the user does not exist")
	}
	if err != nil {
		return Client{}, "", fmt.Errorf("auth: create client: %w", err)
	}
	if disabled, err := a.decodeBool(disabledRaw); err != nil {
		return Client{}, "", fmt.Errorf("auth: create client: %w", err)
	} else if disabled {
		return Client{}, "", fault.Field("user_id", "user_disabled", "the user account is disabled")
	}

	id := uuid.Must(uuid.NewV7()).String()
	cid, err := clientID(tenantID, id)
	if err != nil {
		return Client{}, "", fault.New(fault.NotFound, "unknown_tenant", "the tenant does not exist")
	}
	var raw [secretBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Client{}, "", fmt.Errorf("auth: create client: %w", err)
	}
	secret := clientSecretPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	now := a.now()
	var by any
	if createdBy != "" {
		by = createdBy
	}
	_, err = a.s.Exec(ctx, `INSERT INTO oauth_client (tenant_id, id, name, user_id, secret_hash, scopes, created_at, created_by)
		VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`, `+a.ph(5)+`, `+a.ph(6)+`, `+a.ph(7)+`, `+a.ph(8)+`)`,
		tenantID, id, in.Name, in.UserID, hashToken(secret), strings.Join(scopes, " "), a.encodeTime(now), by)
	if err != nil {
		return Client{}, "", fmt.Errorf("auth: create client: %w", err)
	}
	return Client{ClientID: cid, TenantID: tenantID, Name: in.Name, UserID: in.UserID, Scopes: scopes,
		CreatedAt: now, CreatedBy: createdBy}, secret, nil
}

// ListClients returns the clients of a tenant that are not revoked, oldest first.
func (a *Service) ListClients(ctx context.Context, tenantID string) ([]Client, error) {
	rows, err := a.s.DB(ctx).QueryContext(ctx, `SELECT id, name, user_id, scopes, created_at, created_by, last_used_at
		FROM oauth_client WHERE tenant_id = `+a.ph(1)+` AND revoked_at IS NULL ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("auth: list clients: %w", err)
	}
	defer rows.Close()
	out := []Client{}
	for rows.Next() {
		c := Client{TenantID: tenantID}
		var id, scopes string
		var by sql.NullString
		var created, lastUsed any
		if err := rows.Scan(&id, &c.Name, &c.UserID, &scopes, &created, &by, &lastUsed); err != nil {
			return nil, fmt.Errorf("auth: list clients: %w", err)
		}
		if c.ClientID, err = clientID(tenantID, id); err != nil {
			return nil, fmt.Errorf("auth: list clients: %w", err)
		}
		if c.CreatedAt, err = a.decodeTime(created); err != nil {
			return nil, fmt.Errorf("auth: list clients: %w", err)
		}
		if c.LastUsedAt, err = a.decodeOptionalTime(lastUsed); err != nil {
			return nil, fmt.Errorf("auth: list clients: %w", err)
		}
		c.Scopes, c.CreatedBy = splitScopes(scopes), by.String
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list clients: %w", err)
	}
	return out, nil
}

func splitScopes(s string) []string {
	if f := strings.Fields(s); f != nil {
		return f
	}
	return []string{}
}

func errClientNotFound() error {
	return fault.New(fault.NotFound, "client_not_found", "the client does not exist")
}

// RevokeClient revokes a client of a tenant and every access token it obtained, at once. A
// revoked client cannot be used again; revoking it again answers NotFound.
func (a *Service) RevokeClient(ctx context.Context, tenantID, clientID string) error {
	tid, id, ok := parseClientID(strings.TrimSpace(clientID))
	if !ok || tid != tenantID {
		return errClientNotFound()
	}
	var revoked []string
	err := a.s.WithTx(ctx, func(ctx context.Context) error {
		revoked = revoked[:0]
		now := a.encodeTime(a.now())
		var userID string
		err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT user_id FROM oauth_client WHERE tenant_id = `+a.ph(1)+
			` AND id = `+a.ph(2)+` AND revoked_at IS NULL`, tenantID, id).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return errClientNotFound()
		}
		if err != nil {
			return err
		}
		if _, err := a.s.Exec(ctx, `UPDATE oauth_client SET revoked_at = `+a.ph(1)+` WHERE tenant_id = `+a.ph(2)+
			` AND id = `+a.ph(3), now, tenantID, id); err != nil {
			return err
		}
		rows, err := a.s.DB(ctx).QueryContext(ctx, `SELECT t.token_hash FROM oauth_client_token c
			JOIN auth_token t ON t.token_hash = c.token_hash
			WHERE c.tenant_id = `+a.ph(1)+` AND c.client_id = `+a.ph(2)+` AND t.revoked_at IS NULL`, tenantID, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			revoked = append(revoked, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, h := range revoked {
			if _, err := a.s.Exec(ctx, `UPDATE auth_token SET revoked_at = `+a.ph(1)+` WHERE token_hash = `+a.ph(2)+
				` AND tenant_id = `+a.ph(3)+` AND user_id = `+a.ph(4), now, h, tenantID, userID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return fmt.Errorf("auth: revoke client: %w", err)
	}
	// After the commit, as in Revoke: lookups in flight drop their answers.
	for _, h := range revoked {
		a.forget(h)
	}
	return nil
}
