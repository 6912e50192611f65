package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// PasswordChange is a signed-in user's change of their own password.
type PasswordChange struct {
	TenantID, UserID string
	Current, New     string
	// Keep is the token of the session the change is made in: it stays signed in.
	Keep string
	// RevokeAPIKeys revokes the user's API keys as well.
	RevokeAPIKeys bool
	// Record, when set, runs in the transaction that stores the new password and revokes the
	// credentials (the audit entry): if it fails, nothing changes.
	Record func(ctx context.Context, res PasswordChanged) error
}

// PasswordChanged says what a password change ended.
type PasswordChanged struct {
	Sessions    int `json:"revoked_sessions"` // the user's other sessions, signed out
	APIKeys     int `json:"revoked_api_keys"` // the user's API keys revoked (RevokeAPIKeys)
	KeptAPIKeys int `json:"api_keys"`         // the user's API keys still valid
}

// ChangePassword replaces a user's password after checking the current one, and signs out the
// user's other sessions. The current password is checked like a sign-in: while the user's email
// address is locked or the client address blocked it is refused unchecked, and a wrong one counts
// as a failed sign-in (400 wrong_password on current_password, or the lock it causes). The new
// password must pass the policy (weak_password on new_password) and differ from the current one.
// In one transaction the new hash is stored, every other session of the user — used as a cookie or
// as a bearer token — is revoked, and pending second-factor challenges are dropped (they were
// opened with the old password); API keys only with RevokeAPIKeys. OAuth2 clients acting as the
// user keep working: they authenticate with their own secret, which an administrator manages.
func (a *Service) ChangePassword(ctx context.Context, in PasswordChange) (PasswordChanged, error) {
	var res PasswordChanged
	var email string
	var hash sql.NullString
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT u.email, c.password_hash FROM "user" u
		LEFT JOIN credential c ON c.tenant_id = u.tenant_id AND c.user_id = u.id
		WHERE u.tenant_id = `+a.ph(1)+` AND u.id = `+a.ph(2), in.TenantID, in.UserID).Scan(&email, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return res, fault.New(fault.NotFound, "user_not_found", "the user does not exist")
	}
	if err != nil {
		return res, fmt.Errorf("auth: change password: %w", err)
	}
	if !hash.Valid {
		return res, fault.New(fault.Conflict, "no_password", "your account has no password: you sign in through single sign-on")
	}
	if err := a.checkCurrent(ctx, email, in.Current, hash.String); err != nil {
		return res, err
	}
	if in.New == in.Current {
		return res, fault.Field("new_password", "same_password", "the new password must differ from the current one")
	}
	u, err := a.passwordUser(ctx, in.TenantID, in.UserID)
	if err != nil {
		return res, err
	}
	if err := CheckPasswordPolicy(in.New, u); err != nil {
		return res, retargetPassword(err, "new_password")
	}
	newHash, err := a.hash(in.New)
	if err != nil {
		return res, fmt.Errorf("auth: hash password: %w", err)
	}
	var revoked []string
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		if err := a.storeHash(ctx, in.TenantID, in.UserID, newHash); err != nil {
			return err
		}
		kinds := `'` + KindSession + `'`
		if in.RevokeAPIKeys {
			kinds += `, '` + KindAPIKey + `'`
		}
		rows, err := a.s.DB(ctx).QueryContext(ctx, `SELECT token_hash, kind FROM auth_token WHERE tenant_id = `+a.ph(1)+
			` AND user_id = `+a.ph(2)+` AND kind IN (`+kinds+`) AND revoked_at IS NULL AND token_hash <> `+a.ph(3),
			in.TenantID, in.UserID, hashToken(in.Keep))
		if err != nil {
			return err
		}
		revoked, res = revoked[:0], PasswordChanged{}
		for rows.Next() {
			var h, kind string
			if err := rows.Scan(&h, &kind); err != nil {
				rows.Close()
				return err
			}
			revoked = append(revoked, h)
			if kind == KindAPIKey {
				res.APIKeys++
			} else {
				res.Sessions++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := a.encodeTime(a.now())
		for _, h := range revoked {
			if _, err := a.s.Exec(ctx, `UPDATE auth_token SET revoked_at = `+a.ph(1)+` WHERE token_hash = `+a.ph(2), now, h); err != nil {
				return err
			}
		}
		if _, err := a.s.Exec(ctx, `DELETE FROM mfa_challenge WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2),
			in.TenantID, in.UserID); err != nil {
			return err
		}
		if err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_token WHERE tenant_id = `+a.ph(1)+
			` AND user_id = `+a.ph(2)+` AND kind = '`+KindAPIKey+`' AND revoked_at IS NULL`, in.TenantID, in.UserID).Scan(&res.KeptAPIKeys); err != nil {
			return err
		}
		if in.Record != nil {
			return in.Record(ctx, res)
		}
		return nil
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return PasswordChanged{}, err
		}
		return PasswordChanged{}, fmt.Errorf("auth: change password: %w", err)
	}
	// After the commit, as in Revoke: this node forgets them at once, others within CacheTTL.
	for _, h := range revoked {
		a.forget(h)
	}
	return res, nil
}

// checkCurrent verifies a signed-in user's current password as a sign-in would: refused unchecked
// while the email or client address is locked, and a wrong one counted as a failed attempt.
func (a *Service) checkCurrent(ctx context.Context, email, pw, hash string) error {
	ipSub, emailSub := ipSubject(principal.OriginFrom(ctx).IP), emailSubject(email)
	if err := a.checkLocks(ctx, a.now(), ipSub, emailSub); err != nil {
		return err
	}
	if err := a.reserve(ctx, emailSub); err != nil {
		return err
	}
	match := false
	if pw != "" && len(pw) <= MaxPasswordBytes {
		var err error
		if match, _, err = a.verify(pw, hash); err != nil {
			return fmt.Errorf("auth: change password: stored hash: %w", err)
		}
	}
	if !match {
		return a.failed(ctx, ipSub, emailSub, true,
			fault.Field("current_password", "wrong_password", "the current password is not right"))
	}
	return a.clear(ctx, emailSub)
}

// retargetPassword names field as the one at fault in a policy refusal (and its detail).
func retargetPassword(err error, field string) error {
	fe, ok := fault.As(err)
	if !ok {
		return err
	}
	out := fe.WithTarget(field)
	out.Details = make([]*fault.Error, len(fe.Details))
	for i, d := range fe.Details {
		out.Details[i] = d.WithTarget(field)
	}
	return out
}
