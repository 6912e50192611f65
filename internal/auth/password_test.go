package auth

import (
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/fault"
)

func TestCheckPasswordPolicy(t *testing.T) {
	cases := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"empty", "", false},
		{"nine characters", "abcdefgh1", false},
		{"ten characters", "abcdefgh1!", true},
		{"ten runes in more bytes", "密码是很长的一句话吧", true},
		{"nine runes in many bytes", "密码是很长的一句话", false},
		{"one repeated character", "zzzzzzzzzzzzzzzz", false},
		{"common", "password123", false},
		{"common, other case", "QwertyUiop", false},
		{"product name", "meridian123", false},
		{"passphrase", "correct horse battery staple", true},
		{"at the byte limit", strings.Repeat("ab", MaxPasswordBytes/2), true},
		{"over the byte limit", strings.Repeat("ab", MaxPasswordBytes/2) + "c", false},
		{"invalid UTF-8", "abcdefghij\xff", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPasswordPolicy(c.pw)
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantCode(t, err, fault.Invalid, "weak_password")
			if fe, _ := fault.As(err); fe.Target != "password" {
				t.Fatalf("target %q, want password", fe.Target)
			}
		})
	}
}

func TestSetPassword(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	uid := e.user(tid, "Alice", "alice@example.com", false)

	wantCode(t, e.a.SetPassword(e.ctx, tid, uid, "short"), fault.Invalid, "weak_password")
	wantCode(t, e.a.SetPassword(e.ctx, tid, "00000000-0000-0000-0000-000000000001", "a fine password"),
		fault.NotFound, "user_not_found")

	if err := e.a.SetPassword(e.ctx, tid, uid, "first password!"); err != nil {
		t.Fatal(err)
	}
	if err := e.a.SetPassword(e.ctx, tid, uid, "second password!"); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "first password!", 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_credentials")
	if _, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "second password!", 0); err != nil {
		t.Fatal(err)
	}

	// Only an argon2id hash is stored, never the password.
	var hash string
	if err := e.s.DB(e.ctx).QueryRowContext(e.ctx, `SELECT password_hash FROM credential`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "second password!") {
		t.Fatalf("stored %q", hash)
	}
}

func TestLoginRehashesWithNewParams(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	e.userWithPassword(tid, "Alice", "alice@example.com", "a fine password")

	stronger := *cheap
	stronger.Iterations = 2
	e.a.Params = &stronger
	if _, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "a fine password", 0); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := e.s.DB(e.ctx).QueryRowContext(e.ctx, `SELECT password_hash FROM credential`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	p, _, _, err := argon2id.DecodeHash(hash)
	if err != nil {
		t.Fatal(err)
	}
	if *p != stronger {
		t.Fatalf("hash parameters %+v, want %+v", *p, stronger)
	}
	if _, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "a fine password", 0); err != nil {
		t.Fatal(err)
	}
}
