package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/fault"
)

// Password length limits. The maximum bounds the work a login does on attacker-chosen input.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 256
)

// commonPasswords are refused outright; longer lists belong to a breach-corpus check, not here.
var commonPasswords = map[string]bool{
	"password123": true, "password1234": true, "passw0rd123": true, "1234567890": true,
	"0123456789": true, "12345678910": true, "qwertyuiop": true, "qwertyuiop1": true,
	"1q2w3e4r5t": true, "asdfghjkl1": true, "abcdefghij": true, "iloveyou123": true,
	"letmein123": true, "welcome123": true, "changeme123": true, "administrator": true,
	"meridian123": true, "meridiancrm": true,
}

// CheckPasswordPolicy returns an Invalid fault with code "weak_password" and target "password"
// when pw is too short, too long, one repeated character or a well-known password.
func CheckPasswordPolicy(pw string) error {
	weak := func(msg string) error { return fault.Field("password", "weak_password", "%s", msg) }
	switch {
	case len(pw) > MaxPasswordBytes:
		return weak(fmt.Sprintf("the password must be at most %d bytes long", MaxPasswordBytes))
	case !utf8.ValidString(pw):
		return weak("the password must be valid UTF-8 text")
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return weak(fmt.Sprintf("the password must be at least %d characters long", MinPasswordRunes))
	case allSame(pw):
		return weak("the password must not repeat a single character")
	case commonPasswords[strings.ToLower(pw)]:
		return weak("the password is too common")
	}
	return nil
}

func allSame(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return false
		}
	}
	return true
}

// SetPassword checks pw against the policy, hashes it and stores it as the password of a user.
func (a *Service) SetPassword(ctx context.Context, tenantID, userID, pw string) error {
	if err := CheckPasswordPolicy(pw); err != nil {
		return err
	}
	hash, err := a.hash(pw)
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		var one int
		err := a.s.DB(ctx).QueryRowContext(ctx,
			`SELECT 1 FROM "user" WHERE tenant_id = `+a.ph(1)+` AND id = `+a.ph(2), tenantID, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "user_not_found", "the user does not exist")
		}
		if err != nil {
			return err
		}
		return a.storeHash(ctx, tenantID, userID, hash)
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return fmt.Errorf("auth: set password: %w", err)
	}
	return nil
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
