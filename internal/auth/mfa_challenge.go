package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// A challenge is the state between a right password and the second factor. It is named by a
// random token that starts with the tenant's UUID, so that it is found by primary key, tenant
// first; only its SHA-256 is stored. It expires after ChallengeTTL, is spent by its first
// successful answer and accepts at most maxChallengeAttempts codes.

// newChallenge opens a challenge for a user whose password was right.
func (a *Service) newChallenge(ctx context.Context, tenantID, userID, session string) (string, error) {
	t, err := uuid.Parse(tenantID)
	if err != nil {
		return "", err
	}
	var secret [secretBytes]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return "", err
	}
	ch := challengePref + base64.RawURLEncoding.EncodeToString(append(t[:], secret[:]...))
	now := a.now()
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		// The user's spent and expired challenges go first, so they do not pile up.
		if _, err := a.s.Exec(ctx, `DELETE FROM mfa_challenge WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2)+
			` AND (expires_at <= `+a.ph(3)+` OR used_at IS NOT NULL)`, tenantID, userID, a.encodeTime(now)); err != nil {
			return err
		}
		_, err := a.s.Exec(ctx, `INSERT INTO mfa_challenge (tenant_id, challenge_hash, user_id, session, attempts, created_at, expires_at)
			VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`, 0, `+a.ph(5)+`, `+a.ph(6)+`)`,
			tenantID, hashToken(ch), userID, session, a.encodeTime(now), a.encodeTime(now.Add(ChallengeTTL)))
		return err
	})
	if err != nil {
		return "", err
	}
	return ch, nil
}

// challengeTenant returns the tenant a well-formed challenge names.
func challengeTenant(ch string) (string, bool) {
	if len(ch) != challengeLen || !strings.HasPrefix(ch, challengePref) {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(ch[len(challengePref):])
	if err != nil || len(b) != 16+secretBytes {
		return "", false
	}
	t, _ := uuid.FromBytes(b[:16])
	return t.String(), true
}

// VerifyMFA completes a sign-in that SignIn answered with a challenge, given a current TOTP code
// or an unused recovery code, and opens a session of ttl (DefaultSessionTTL when not positive).
// Wrong codes count as failed sign-ins of the account and of the client address. Once the
// challenge is known, the result carries the user's email even with an error, for the audit trail.
func (a *Service) VerifyMFA(ctx context.Context, challenge, code string, ttl time.Duration) (LoginResult, error) {
	challenge = strings.TrimSpace(challenge)
	tenantID, ok := challengeTenant(challenge)
	if !ok {
		return LoginResult{}, errInvalidChallenge()
	}
	h := hashToken(challenge)
	now := a.now()
	var userID, session string
	var attempts int
	var expiresRaw, usedRaw any
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT user_id, session, attempts, expires_at, used_at FROM mfa_challenge
		WHERE tenant_id = `+a.ph(1)+` AND challenge_hash = `+a.ph(2), tenantID, h).Scan(&userID, &session, &attempts, &expiresRaw, &usedRaw)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginResult{}, errInvalidChallenge()
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: mfa challenge: %w", err)
	}
	expires, err := a.decodeTime(expiresRaw)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: mfa challenge: %w", err)
	}
	switch {
	case usedRaw != nil, attempts >= maxChallengeAttempts:
		return LoginResult{}, errInvalidChallenge()
	case !now.Before(expires):
		return LoginResult{}, errChallengeExpired()
	}

	var email, name sql.NullString
	var disabledRaw any
	var status string
	err = a.s.DB(ctx).QueryRowContext(ctx, `SELECT u.email, u.full_name, u.is_disabled, n.status
		FROM "user" u JOIN tenant n ON n.id = u.tenant_id
		WHERE u.tenant_id = `+a.ph(1)+` AND u.id = `+a.ph(2), tenantID, userID).Scan(&email, &name, &disabledRaw, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginResult{}, errInvalidChallenge()
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: mfa challenge: %w", err)
	}
	// From here on the result names the user even on failure, for the audit trail.
	out := LoginResult{Email: email.String}
	disabled, err := a.decodeBool(disabledRaw)
	if err != nil {
		return out, fmt.Errorf("auth: mfa challenge: %w", err)
	}
	ipSub, emailSub := ipSubject(principal.OriginFrom(ctx).IP), emailSubject(email.String)
	if err := a.checkLocks(ctx, now, ipSub, emailSub); err != nil {
		return out, err
	}
	// Take one of the challenge's attempts before looking at the code, so that parallel guesses
	// cannot exceed them.
	res, err := a.s.Exec(ctx, `UPDATE mfa_challenge SET attempts = attempts + 1 WHERE tenant_id = `+a.ph(1)+
		` AND challenge_hash = `+a.ph(2)+` AND used_at IS NULL AND attempts < `+a.ph(3), tenantID, h, maxChallengeAttempts)
	if err != nil {
		return out, fmt.Errorf("auth: mfa challenge: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return out, errInvalidChallenge()
	}
	f, err := a.secondFactor(ctx, tenantID, userID, code, TOTPActive, true)
	if fault.CodeOf(err) == "invalid_code" {
		return out, a.failed(ctx, ipSub, emailSub, false, errInvalidCode())
	}
	if err != nil {
		return out, err
	}
	if disabled {
		return out, fault.New(fault.Permission, "user_disabled", "the user account is disabled")
	}
	if status != "active" {
		return out, fault.New(fault.Permission, "tenant_inactive", "the tenant is not active")
	}
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	var token string
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		res, err := a.s.Exec(ctx, `UPDATE mfa_challenge SET used_at = `+a.ph(1)+` WHERE tenant_id = `+a.ph(2)+
			` AND challenge_hash = `+a.ph(3)+` AND used_at IS NULL`, a.encodeTime(now), tenantID, h)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errInvalidChallenge()
		}
		if err := a.useFactor(ctx, tenantID, userID, f); err != nil {
			return err
		}
		token, err = a.issue(ctx, tenantID, userID, KindSession, "", ttl)
		return err
	})
	switch {
	case fault.CodeOf(err) == "invalid_code":
		// Spent by a parallel request between the check and now: a replay.
		return out, a.failed(ctx, ipSub, emailSub, false, errInvalidCode())
	case err != nil:
		if _, ok := fault.As(err); ok {
			return out, err
		}
		return out, fmt.Errorf("auth: mfa challenge: %w", err)
	}
	if err := a.clear(ctx, emailSub); err != nil {
		return out, err
	}
	p := principal.Principal{TenantID: tenantID, UserID: userID, Name: name.String, Method: "password", Admin: true}
	return LoginResult{Token: token, Principal: p, TTL: ttl, Session: session, Email: email.String}, nil
}
