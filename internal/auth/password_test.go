package auth

import (
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/fault"
)

// TestCheckPasswordPolicy: guessable passwords are refused with the reason in words, whatever
// their length — the ones an outside review saw accepted (passwordpassword, abcabcabcabc, the
// user's own email) among them — and strong ones pass.
func TestCheckPasswordPolicy(t *testing.T) {
	alice := PasswordUser{Email: "awong@example.com", Name: "Alice Wong", Organization: "Kestrel Systems"}
	cases := []struct {
		name   string
		pw     string
		reason string // "" accepted
		says   string // in the message
	}{
		{"empty", "", reasonTooShort, "at least 10 characters"},
		{"nine characters", "x7#kq!p2z", reasonTooShort, "at least 10 characters"},
		{"nine runes in many bytes", "密码是很长的一句话", reasonTooShort, "at least 10 characters"},
		{"over the byte limit", strings.Repeat("ab", MaxPasswordBytes/2) + "c", reasonTooLong, "at most 256 bytes"},
		{"invalid UTF-8", "abcdefghij\xff", reasonNotText, "UTF-8"},
		{"a common password, doubled", "passwordpassword", reasonRepeated, "repeated pattern"},
		{"a repeated pattern", "abcabcabcabc", reasonRepeated, "repeated pattern"},
		{"one repeated character", "zzzzzzzzzzzzzzzz", reasonRepeated, "repeated pattern"},
		{"the user's email", "awong@example.com", reasonEmail, "your email address"},
		{"the email's local part and digits", "awong2030!", reasonEmail, "your email address"},
		{"the user's name", "alicewong99!", reasonName, "your name"},
		{"the organisation's name", "kestrelsystems1", reasonOrganization, "organisation's name"},
		{"the product's name", "meridian-demo", reasonProduct, "Meridian"},
		{"the product's name, numbered", "meridian123", reasonProduct, "Meridian"},
		{"common, other case", "QwertyUiop", reasonCommon, "most common passwords"},
		{"a keyboard pattern", "zxcvbnm,./", reasonKeyboard, "neighbouring keys"},
		{"a common password and digits", "password123", reasonCommon, "most common passwords"},
		{"a sequence", "abcdefghijklmn", reasonSequence, "sequence"},
		{"a date", "1987-04-19!!", reasonDate, "date"},
		{"words", "windowtable", reasonWords, "common words"},
		{"passphrase", "correct horse battery staple", "", ""},
		{"ten runes of Chinese", "密码是很长的一句话吧", "", ""},
		{"random", "x7#kq!p2zR", "", ""},
		{"at the byte limit", strings.Repeat("Zq9#x7!kWp2@m4$v", MaxPasswordBytes/16), "", ""},
		{"weak start, strong end past what is judged", strings.Repeat("a", strengthRunes) + "x7#kq!p2zR&w", reasonRepeated, "repeated pattern"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPasswordPolicy(c.pw, alice)
			if c.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantCode(t, err, fault.Invalid, "weak_password")
			fe, _ := fault.As(err)
			if fe.Target != "password" {
				t.Fatalf("target %q, want password", fe.Target)
			}
			if len(fe.Details) != 1 || fe.Details[0].Code != c.reason || fe.Details[0].Target != "password" {
				t.Fatalf("details %+v, want one %s on password (message %q)", fe.Details, c.reason, fe.Message)
			}
			if !strings.Contains(fe.Message, c.says) {
				t.Fatalf("message %q does not say %q", fe.Message, c.says)
			}
		})
	}
}

func TestSetPassword(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	uid := e.user(tid, "Alice", "alice@example.com", false)

	wantCode(t, e.a.SetPassword(e.ctx, tid, uid, "short"), fault.Invalid, "weak_password")
	// The user's own email, name and tenant count as known words.
	for _, pw := range []string{"alice@example.com", "alice@example.com!", "acme acme acme"} {
		wantCode(t, e.a.SetPassword(e.ctx, tid, uid, pw), fault.Invalid, "weak_password")
	}
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
