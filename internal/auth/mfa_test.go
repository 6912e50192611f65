package auth

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/meridian-crm/meridian/internal/fault"
)

// testKey is a fixed 32-byte secret key for sealing TOTP secrets in tests.
var testKey = bytes.Repeat([]byte{7}, 32)

// mfaEnv is an environment with Alice enrolled and confirmed in TOTP.
type mfaEnv struct {
	*env
	acme, alice string
	secret      string
	recovery    []string
}

func newMFAEnv(t *testing.T) *mfaEnv {
	t.Helper()
	e := newEnv(t)
	e.a.SecretKey = func() ([]byte, error) { return testKey, nil }
	m := &mfaEnv{env: e}
	m.acme = e.tenant("acme", "active")
	m.alice = e.userWithPassword(m.acme, "Alice", "alice@example.com", "alice password")
	enr, err := e.a.EnrollTOTP(e.ctx, m.acme, m.alice)
	if err != nil {
		t.Fatal(err)
	}
	m.secret = enr.Secret
	if m.recovery, err = e.a.ConfirmTOTP(e.ctx, m.acme, m.alice, m.code(0)); err != nil {
		t.Fatal(err)
	}
	return m
}

// code returns the TOTP code of the fake clock's time plus d.
func (m *mfaEnv) code(d time.Duration) string {
	m.t.Helper()
	c, err := totp.GenerateCode(m.secret, m.clock.Now().Add(d))
	if err != nil {
		m.t.Fatal(err)
	}
	return c
}

// challenge signs Alice in with her password and returns the challenge.
func (m *mfaEnv) challenge() string {
	m.t.Helper()
	res, err := m.a.SignIn(m.ctx, LoginInput{Tenant: "acme", Email: "alice@example.com", Password: "alice password", Session: "cookie"})
	if err != nil {
		m.t.Fatal(err)
	}
	if res.Token != "" || res.Challenge == "" || res.ChallengeTTL != ChallengeTTL || res.Session != "cookie" {
		m.t.Fatalf("sign-in of an enrolled user: %+v", res)
	}
	return res.Challenge
}

func TestTOTPEnrolment(t *testing.T) {
	e := newEnv(t)
	e.a.SecretKey = func() ([]byte, error) { return testKey, nil }
	acme := e.tenant("acme", "active")
	alice := e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")

	enr, err := e.a.EnrollTOTP(e.ctx, acme, alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(enr.Secret) != 32 || !strings.HasPrefix(enr.URL, "otpauth://totp/Meridian:alice@example.com?") ||
		!strings.Contains(enr.URL, "secret="+enr.Secret) || !strings.Contains(enr.URL, "issuer=Meridian") {
		t.Fatalf("enrolment %+v", enr)
	}
	// Sealed at rest: the stored value is neither the secret nor contains it.
	var stored string
	if err := e.s.DB(e.ctx).QueryRowContext(e.ctx, `SELECT secret FROM mfa_totp WHERE user_id = `+e.s.D.Placeholder(1), alice).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, enr.Secret) {
		t.Fatalf("stored secret %q is not sealed", stored)
	}
	// Pending: the password alone still signs in.
	if st, _ := e.a.MFA(e.ctx, acme, alice); st.TOTP != TOTPPending {
		t.Fatalf("status %+v", st)
	}
	if _, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatal(err)
	}

	code := func(at time.Time) string {
		c, err := totp.GenerateCode(enr.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	_, err = e.a.ConfirmTOTP(e.ctx, acme, alice, "000000")
	if code(e.clock.Now()) != "000000" {
		wantCode(t, err, fault.Invalid, "invalid_code")
	}
	_, err = e.a.ConfirmTOTP(e.ctx, acme, alice, code(e.clock.Now().Add(-90*time.Second)))
	wantCode(t, err, fault.Invalid, "invalid_code")
	codes, err := e.a.ConfirmTOTP(e.ctx, acme, alice, code(e.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !re.MatchString(c) || seen[c] {
			t.Fatalf("recovery codes %v", codes)
		}
		seen[c] = true
	}
	if len(codes) != RecoveryCodes {
		t.Fatalf("%d recovery codes", len(codes))
	}
	if st, _ := e.a.MFA(e.ctx, acme, alice); st.TOTP != TOTPActive || st.RecoveryCodes != RecoveryCodes {
		t.Fatalf("status %+v", st)
	}
	_, err = e.a.ConfirmTOTP(e.ctx, acme, alice, code(e.clock.Now()))
	wantCode(t, err, fault.Conflict, "mfa_not_pending")
	_, err = e.a.EnrollTOTP(e.ctx, acme, alice)
	wantCode(t, err, fault.Conflict, "mfa_already_enabled")
	_, _, err = e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0)
	wantCode(t, err, fault.Unauthenticated, "mfa_required")

	// Another key cannot open the secret: no code is accepted on a guess.
	other := NewService(e.s, e.clock.Now)
	other.SecretKey = func() ([]byte, error) { return bytes.Repeat([]byte{9}, 32), nil }
	if _, err := other.RegenerateRecoveryCodes(e.ctx, acme, alice, code(e.clock.Now().Add(30*time.Second))); err == nil || fault.KindOf(err) != fault.Internal {
		t.Fatalf("a wrong key: %v", err)
	}
}

func TestMFASignIn(t *testing.T) {
	m := newMFAEnv(t)

	ch := m.challenge()
	// The code that confirmed the enrolment was spent: it does not sign in.
	_, err := m.a.VerifyMFA(m.ctx, ch, m.code(0), 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_code")
	_, err = m.a.VerifyMFA(m.ctx, ch, "12345", 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_code")
	_, err = m.a.VerifyMFA(m.ctx, "mfa_garbage", m.code(0), 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_challenge")

	m.clock.Advance(30 * time.Second)
	code := m.code(0)
	res, err := m.a.VerifyMFA(m.ctx, ch, code, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.Token == "" || res.Principal.UserID != m.alice || res.Session != "cookie" || res.TTL != time.Hour {
		t.Fatalf("verify: %+v", res)
	}
	if p, err := m.a.Authenticate(m.ctx, res.Token); err != nil || p.UserID != m.alice {
		t.Fatalf("session %+v, %v", p, err)
	}
	// A challenge is spent by its success; a code is spent by its use.
	_, err = m.a.VerifyMFA(m.ctx, ch, m.code(30*time.Second), 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_challenge")
	_, err = m.a.VerifyMFA(m.ctx, m.challenge(), code, 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_code")
	// The next step's code works within the allowed skew.
	if _, err := m.a.VerifyMFA(m.ctx, m.challenge(), m.code(30*time.Second), 0); err != nil {
		t.Fatal(err)
	}

	// A challenge expires after five minutes.
	ch = m.challenge()
	m.clock.Advance(ChallengeTTL)
	_, err = m.a.VerifyMFA(m.ctx, ch, m.code(0), 0)
	wantCode(t, err, fault.Unauthenticated, "challenge_expired")
	if _, err := m.a.VerifyMFA(m.ctx, m.challenge(), m.code(0), 0); err != nil {
		t.Fatal(err)
	}
}

func TestMFARecoveryCodes(t *testing.T) {
	m := newMFAEnv(t)
	rc := strings.ToUpper(strings.ReplaceAll(m.recovery[3], "-", " ")) // typed loosely
	if _, err := m.a.VerifyMFA(m.ctx, m.challenge(), rc, 0); err != nil {
		t.Fatal(err)
	}
	_, err := m.a.VerifyMFA(m.ctx, m.challenge(), m.recovery[3], 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_code")
	if st, _ := m.a.MFA(m.ctx, m.acme, m.alice); st.RecoveryCodes != RecoveryCodes-1 {
		t.Fatalf("status %+v", st)
	}

	// New codes replace the old ones.
	m.clock.Advance(30 * time.Second)
	fresh, err := m.a.RegenerateRecoveryCodes(m.ctx, m.acme, m.alice, m.code(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.a.VerifyMFA(m.ctx, m.challenge(), m.recovery[4], 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_code")
	if _, err := m.a.VerifyMFA(m.ctx, m.challenge(), fresh[0], 0); err != nil {
		t.Fatal(err)
	}
}

// Wrong codes count as failed sign-ins: guessing codes locks the account, and one challenge takes
// only a few guesses.
func TestMFAGuessing(t *testing.T) {
	m := newMFAEnv(t)
	m.a.Lockout.MaxFailures = 0
	ch := m.challenge()
	for i := 0; i < maxChallengeAttempts; i++ {
		_, err := m.a.VerifyMFA(m.ctx, ch, "000000", 0)
		wantCode(t, err, fault.Unauthenticated, "invalid_code")
	}
	m.clock.Advance(30 * time.Second)
	_, err := m.a.VerifyMFA(m.ctx, ch, m.code(0), 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_challenge")

	m.a.Lockout = DefaultLockoutPolicy
	ch = m.challenge()
	for i := 1; i < 5; i++ {
		_, err := m.a.VerifyMFA(m.ctx, ch, "000000", 0)
		wantCode(t, err, fault.Unauthenticated, "invalid_code")
		if i == 3 {
			ch = m.challenge() // a right password does not reset the count
		}
	}
	_, err = m.a.VerifyMFA(m.ctx, ch, "000001", 0)
	wantCode(t, err, fault.RateLimited, "account_locked")
	_, err = m.a.SignIn(m.ctx, LoginInput{Tenant: "acme", Email: "alice@example.com", Password: "alice password"})
	wantCode(t, err, fault.RateLimited, "account_locked")
}

func TestMFADisableAndReset(t *testing.T) {
	m := newMFAEnv(t)
	wantCode(t, m.a.DisableTOTP(m.ctx, m.acme, m.alice, ""), fault.Invalid, "required")
	wantCode(t, m.a.DisableTOTP(m.ctx, m.acme, m.alice, "000000"), fault.Invalid, "invalid_code")
	wantCode(t, m.a.DisableTOTP(m.ctx, m.acme, m.alice, m.code(0)), fault.Invalid, "invalid_code") // spent
	m.clock.Advance(30 * time.Second)
	if err := m.a.DisableTOTP(m.ctx, m.acme, m.alice, m.code(0)); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.a.MFA(m.ctx, m.acme, m.alice); st.TOTP != TOTPNone || st.RecoveryCodes != 0 {
		t.Fatalf("status %+v", st)
	}
	if _, _, err := m.a.Login(m.ctx, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatal(err)
	}
	wantCode(t, m.a.DisableTOTP(m.ctx, m.acme, m.alice, "123456"), fault.NotFound, "mfa_not_enabled")

	// An administrator resets a lost device without a code.
	enr, err := m.a.EnrollTOTP(m.ctx, m.acme, m.alice)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := totp.GenerateCode(enr.Secret, m.clock.Now())
	if _, err := m.a.ConfirmTOTP(m.ctx, m.acme, m.alice, c); err != nil {
		t.Fatal(err)
	}
	if err := m.a.ResetMFA(m.ctx, m.acme, m.alice); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.a.Login(m.ctx, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatal(err)
	}
}
