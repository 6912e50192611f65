package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

// dummySecretHash is compared against when the client is unknown, so that the answer takes as
// long for an unknown client as for a wrong secret.
var dummySecretHash = hashToken(clientSecretPrefix + strings.Repeat("A", clientSecretLen-len(clientSecretPrefix)))

// ClientCredentials runs the client credentials grant (RFC 6749 §4.4.2): it authenticates a
// client by its ID and secret and issues an access token of kind KindOAuth for the client's user,
// valid for ttl (DefaultClientTokenTTL when not positive). scope is the space-delimited scope
// parameter; empty asks for every scope of the client.
//
// Errors carry the RFC 6749 §5.2 codes: invalid_client (Unauthenticated) for an unknown,
// revoked or wrongly authenticated client, invalid_scope (Invalid) for a scope the client does
// not have, unauthorized_client (Permission) when the client's user is disabled or its tenant is
// not active.
func (a *Service) ClientCredentials(ctx context.Context, clientID, secret, scope string, ttl time.Duration) (ClientToken, error) {
	tenantID, id, ok := parseClientID(clientID)
	if !ok || len(secret) != clientSecretLen {
		subtle.ConstantTimeCompare([]byte(hashToken(secret)), []byte(dummySecretHash))
		return ClientToken{}, errInvalidClient()
	}
	var c Client
	var secretHash, scopes, status string
	var by sql.NullString
	var created, revokedRaw, disabledRaw any
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT c.name, c.user_id, c.secret_hash, c.scopes, c.created_at, c.created_by,
			c.revoked_at, u.is_disabled, n.status
		FROM oauth_client c
		JOIN "user" u ON u.tenant_id = c.tenant_id AND u.id = c.user_id
		JOIN tenant n ON n.id = c.tenant_id
		WHERE c.tenant_id = `+a.ph(1)+` AND c.id = `+a.ph(2), tenantID, id).Scan(&c.Name, &c.UserID, &secretHash, &scopes,
		&created, &by, &revokedRaw, &disabledRaw, &status)
	if errors.Is(err, sql.ErrNoRows) {
		subtle.ConstantTimeCompare([]byte(hashToken(secret)), []byte(dummySecretHash))
		return ClientToken{}, errInvalidClient()
	}
	if err != nil {
		return ClientToken{}, fmt.Errorf("auth: client credentials: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(secret)), []byte(secretHash)) != 1 || revokedRaw != nil {
		return ClientToken{}, errInvalidClient()
	}
	disabled, err := a.decodeBool(disabledRaw)
	if err == nil {
		c.CreatedAt, err = a.decodeTime(created)
	}
	if err != nil {
		return ClientToken{}, fmt.Errorf("auth: client credentials: %w", err)
	}
	// Only a caller holding the secret learns that the client's user or tenant is shut.
	if disabled || status != "active" {
		return ClientToken{}, fault.New(fault.Permission, "unauthorized_client", "the client's user or tenant is disabled")
	}
	c.ClientID, c.TenantID, c.Scopes, c.CreatedBy = clientID, tenantID, splitScopes(scopes), by.String

	granted := c.Scopes
	if strings.TrimSpace(scope) != "" {
		asked, err := ParseScopes(scope)
		if err != nil {
			return ClientToken{}, err
		}
		for _, s := range asked {
			// write covers read: a client may ask for less than it holds.
			if !slices.Contains(c.Scopes, s) && !(s == ScopeRead && slices.Contains(c.Scopes, ScopeWrite)) {
				return ClientToken{}, errInvalidScope("the client may not ask for scope %q (it has %q)", s, strings.Join(c.Scopes, " "))
			}
		}
		granted = asked
	}
	if len(granted) == 0 {
		// A token without scopes would pass for a person's session: never issue one.
		return ClientToken{}, errInvalidScope("the client has no scope")
	}

	if ttl <= 0 {
		ttl = DefaultClientTokenTTL
	}
	var token string
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if token, err = a.issue(ctx, tenantID, c.UserID, KindOAuth, c.Name, ttl); err != nil {
			return err
		}
		// The scopes restrict the token like an API key's (see the API's scope check).
		h := hashToken(token)
		if _, err := a.s.Exec(ctx, `UPDATE auth_token SET scopes = `+a.ph(1)+` WHERE token_hash = `+a.ph(2),
			strings.Join(granted, " "), h); err != nil {
			return err
		}
		// Forget the client's tokens that have expired, then remember this one for RevokeClient.
		if _, err := a.s.Exec(ctx, `DELETE FROM oauth_client_token WHERE tenant_id = `+a.ph(1)+` AND client_id = `+a.ph(2)+
			` AND token_hash IN (SELECT token_hash FROM auth_token WHERE tenant_id = `+a.ph(3)+` AND user_id = `+a.ph(4)+
			` AND kind = '`+KindOAuth+`' AND expires_at < `+a.ph(5)+`)`,
			tenantID, id, tenantID, c.UserID, a.encodeTime(a.now())); err != nil {
			return err
		}
		if _, err := a.s.Exec(ctx, `INSERT INTO oauth_client_token (tenant_id, client_id, token_hash) VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`)`,
			tenantID, id, h); err != nil {
			return err
		}
		_, err = a.s.Exec(ctx, `UPDATE oauth_client SET last_used_at = `+a.ph(1)+` WHERE tenant_id = `+a.ph(2)+` AND id = `+a.ph(3),
			a.encodeTime(a.now()), tenantID, id)
		return err
	})
	if err != nil {
		return ClientToken{}, fmt.Errorf("auth: client credentials: %w", err)
	}
	return ClientToken{AccessToken: token, ExpiresIn: ttl, Scopes: granted, Client: c}, nil
}
