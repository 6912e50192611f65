package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/fault"
)

// SetPassword checks pw against the policy — with the user's email and name and the tenant's
// name as words it must not be built on — hashes it and stores it as the password of a user.
// Every way a password is set goes through it: the bootstrap administrator, `meridian user
// create`, the users API, the demo and ChangePassword.
func (a *Service) SetPassword(ctx context.Context, tenantID, userID, pw string) error {
	u, err := a.passwordUser(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if err := CheckPasswordPolicy(pw, u); err != nil {
		return err
	}
	hash, err := a.hash(pw)
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	if err := a.storeHash(ctx, tenantID, userID, hash); err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	return nil
}

// passwordUser reads what a user's password must not be built on.
func (a *Service) passwordUser(ctx context.Context, tenantID, userID string) (PasswordUser, error) {
	var email, name, org sql.NullString
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT u.email, u.full_name, n.name FROM "user" u JOIN tenant n ON n.id = u.tenant_id
		WHERE u.tenant_id = `+a.ph(1)+` AND u.id = `+a.ph(2), tenantID, userID).Scan(&email, &name, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return PasswordUser{}, fault.New(fault.NotFound, "user_not_found", "the user does not exist")
	}
	if err != nil {
		return PasswordUser{}, fmt.Errorf("auth: set password: %w", err)
	}
	return PasswordUser{Email: email.String, Name: name.String, Organization: org.String}, nil
}

func (a *Service) hash(pw string) (string, error) { return argon2id.CreateHash(pw, a.Params) }

func (a *Service) storeHash(ctx context.Context, tenantID, userID, hash string) error {
	_, err := a.s.Exec(ctx, `INSERT INTO credential (tenant_id, user_id, password_hash, changed_at) VALUES (`+
		a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET password_hash = excluded.password_hash, changed_at = excluded.changed_at`,
		tenantID, userID, hash, a.encodeTime(a.now()))
	return err
}

// verify compares pw with a stored hash and reports whether it matches and whether the hash
// should be replaced because it was made with other parameters than a.Params.
func (a *Service) verify(pw, hash string) (match, rehash bool, err error) {
	match, p, err := argon2id.CheckHash(pw, hash)
	if err != nil {
		return false, false, err
	}
	return match, match && *p != *a.Params, nil
}

// burn spends about the time of one password check, so that an unknown user answers as slowly
// as a known one with a wrong password.
func (a *Service) burn(pw string) {
	a.dummyOnce.Do(func() {
		var b [16]byte
		_, _ = rand.Read(b[:])
		a.dummy, _ = argon2id.CreateHash(string(b[:]), a.Params)
	})
	_, _ = argon2id.ComparePasswordAndHash(pw, a.dummy)
}
