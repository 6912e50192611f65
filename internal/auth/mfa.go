package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// Multi-factor authentication with time-based one-time passwords (TOTP, RFC 6238: SHA-1, six
// digits, 30-second steps, as every authenticator app reads them). A user enrols (the secret and
// its otpauth:// URL are shown once), confirms with a first code, and from then on a sign-in
// answers a challenge that VerifyMFA completes with a code or a one-time recovery code.
//
// The secret is sealed at rest with the server's secret key (AES-256-GCM, bound to the tenant and
// user) and never returned after enrolment. A code is accepted for one step either side of the
// server's time, and only once: the last step used is stored, so a code seen over a shoulder
// cannot be replayed. Recovery codes carry 80 random bits and only their SHA-256 is stored.

// Second-factor parameters.
const (
	// ChallengeTTL is how long a sign-in challenge waits for its second factor.
	ChallengeTTL = 5 * time.Minute
	// maxChallengeAttempts is how many codes one challenge accepts before it is spent.
	maxChallengeAttempts = 5
	// RecoveryCodes is how many recovery codes an enrolment makes.
	RecoveryCodes = 10
	totpPeriod    = 30 // seconds
	totpSkew      = 1  // steps either side of now
	totpIssuer    = "Meridian"
	challengePref = "mfa_"
	challengeLen  = len(challengePref) + ((16+secretBytes)*8+5)/6
)

// TOTP states of a user.
const (
	TOTPNone    = "none"
	TOTPPending = "pending" // enrolled, waiting for the first code
	TOTPActive  = "active"
)

func errInvalidChallenge() error {
	return fault.New(fault.Unauthenticated, "invalid_challenge", "the sign-in challenge is invalid or already used: sign in again")
}

func errChallengeExpired() error {
	return fault.New(fault.Unauthenticated, "challenge_expired", "the sign-in challenge has expired: sign in again")
}

func errInvalidCode() error {
	return fault.New(fault.Unauthenticated, "invalid_code", "the code is wrong or was already used")
}

func errCodeField() error {
	return fault.Field("code", "invalid_code", "the code is wrong or was already used")
}

// TOTPEnrolment is what a user needs to set up an authenticator app. It is shown once.
type TOTPEnrolment struct {
	Secret string // base32
	URL    string // otpauth://totp/…, for a QR code
}

// MFAStatus tells how a user signs in.
type MFAStatus struct {
	TOTP          string // TOTPNone, TOTPPending or TOTPActive
	RecoveryCodes int    // unused recovery codes
}

// totpSealer returns the sealer of TOTP secrets, made from SecretKey on first use.
func (a *Service) totpSealer() (*sealer, error) {
	a.sealMu.Lock()
	defer a.sealMu.Unlock()
	if a.seal != nil {
		return a.seal, nil
	}
	var key []byte
	if a.SecretKey != nil {
		k, err := a.SecretKey()
		if err != nil {
			return nil, fmt.Errorf("auth: secret key: %w", err)
		}
		key = k
	}
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	a.seal = s
	return s, nil
}

func totpContext(tenantID, userID string) string { return "totp:" + tenantID + ":" + userID }

// mfaActive reports whether a user must give a second factor to sign in.
func (a *Service) mfaActive(ctx context.Context, tenantID, userID string) (bool, error) {
	var status string
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT status FROM mfa_totp WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2),
		tenantID, userID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return status == TOTPActive, err
}

// MFA returns the second-factor state of a user.
func (a *Service) MFA(ctx context.Context, tenantID, userID string) (MFAStatus, error) {
	st := MFAStatus{TOTP: TOTPNone}
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT status FROM mfa_totp WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2),
		tenantID, userID).Scan(&st.TOTP)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("auth: mfa status: %w", err)
	}
	err = a.s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM mfa_recovery_code WHERE tenant_id = `+a.ph(1)+
		` AND user_id = `+a.ph(2)+` AND used_at IS NULL`, tenantID, userID).Scan(&st.RecoveryCodes)
	if err != nil {
		return st, fmt.Errorf("auth: mfa status: %w", err)
	}
	return st, nil
}

// EnrollTOTP makes a new TOTP secret for a user, waiting for ConfirmTOTP. Enrolling again before
// confirming replaces the secret; a user with active TOTP must disable it first.
func (a *Service) EnrollTOTP(ctx context.Context, tenantID, userID string) (TOTPEnrolment, error) {
	email, err := a.userEmail(ctx, tenantID, userID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	seal, err := a.totpSealer()
	if err != nil {
		return TOTPEnrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: email, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: rand.Reader})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: enrol totp: %w", err)
	}
	sealed, err := seal.seal(key.Secret(), totpContext(tenantID, userID))
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: enrol totp: %w", err)
	}
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		active, err := a.mfaActive(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		if active {
			return fault.New(fault.Conflict, "mfa_already_enabled", "TOTP is already active: disable it before enrolling again")
		}
		_, err = a.s.Exec(ctx, `INSERT INTO mfa_totp (tenant_id, user_id, secret, status, last_step, created_at)
			VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, '`+TOTPPending+`', 0, `+a.ph(4)+`)
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET secret = excluded.secret, status = excluded.status,
				last_step = 0, created_at = excluded.created_at, confirmed_at = NULL`,
			tenantID, userID, sealed, a.encodeTime(a.now()))
		return err
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return TOTPEnrolment{}, err
		}
		return TOTPEnrolment{}, fmt.Errorf("auth: enrol totp: %w", err)
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP activates a pending enrolment with a current code and returns new recovery codes
// (shown once; only their hashes are kept).
func (a *Service) ConfirmTOTP(ctx context.Context, tenantID, userID, code string) ([]string, error) {
	f, err := a.secondFactor(ctx, tenantID, userID, code, TOTPPending, false)
	if fault.CodeOf(err) == "invalid_code" {
		return nil, errCodeField()
	}
	if err != nil {
		return nil, err
	}
	var codes []string
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		res, err := a.s.Exec(ctx, `UPDATE mfa_totp SET status = '`+TOTPActive+`', confirmed_at = `+a.ph(1)+`, last_step = `+a.ph(2)+
			` WHERE tenant_id = `+a.ph(3)+` AND user_id = `+a.ph(4)+` AND status = '`+TOTPPending+`' AND last_step < `+a.ph(5),
			a.encodeTime(a.now()), f.step, tenantID, userID, f.step)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errCodeField()
		}
		codes, err = a.newRecoveryCodes(ctx, tenantID, userID)
		return err
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("auth: confirm totp: %w", err)
	}
	return codes, nil
}

// DisableTOTP turns a user's TOTP off. An active one needs a current code or a recovery code;
// wrong codes count as failed sign-ins. A pending enrolment is simply dropped.
func (a *Service) DisableTOTP(ctx context.Context, tenantID, userID, code string) error {
	st, err := a.MFA(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	switch st.TOTP {
	case TOTPNone:
		return fault.New(fault.NotFound, "mfa_not_enabled", "TOTP is not enabled")
	case TOTPPending:
		return a.ResetMFA(ctx, tenantID, userID)
	}
	if strings.TrimSpace(code) == "" {
		return fault.Field("code", "required", "give a current code or a recovery code")
	}
	email, err := a.userEmail(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	ipSub, emailSub := ipSubject(principal.OriginFrom(ctx).IP), emailSubject(email)
	if err := a.checkLocks(ctx, a.now(), ipSub, emailSub); err != nil {
		return err
	}
	f, err := a.secondFactor(ctx, tenantID, userID, code, TOTPActive, true)
	if fault.CodeOf(err) == "invalid_code" {
		return a.failed(ctx, ipSub, emailSub, false, errCodeField())
	}
	if err != nil {
		return err
	}
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		if err := a.useFactor(ctx, tenantID, userID, f); err != nil {
			return err
		}
		return a.deleteMFA(ctx, tenantID, userID)
	})
	if fault.CodeOf(err) == "invalid_code" {
		return a.failed(ctx, ipSub, emailSub, false, errCodeField())
	}
	if err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return fmt.Errorf("auth: disable totp: %w", err)
	}
	return nil
}

// RegenerateRecoveryCodes replaces a user's recovery codes, given a current TOTP code.
func (a *Service) RegenerateRecoveryCodes(ctx context.Context, tenantID, userID, code string) ([]string, error) {
	f, err := a.secondFactor(ctx, tenantID, userID, code, TOTPActive, false)
	if err != nil {
		if fault.CodeOf(err) == "invalid_code" {
			return nil, errCodeField()
		}
		return nil, err
	}
	var codes []string
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		if err := a.useFactor(ctx, tenantID, userID, f); err != nil {
			return err
		}
		codes, err = a.newRecoveryCodes(ctx, tenantID, userID)
		return err
	})
	if err != nil {
		if fault.CodeOf(err) == "invalid_code" {
			return nil, errCodeField()
		}
		if _, ok := fault.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	return codes, nil
}

// ResetMFA removes every second factor of a user (an administrator's remedy for a lost device).
func (a *Service) ResetMFA(ctx context.Context, tenantID, userID string) error {
	if _, err := a.userEmail(ctx, tenantID, userID); err != nil {
		return err
	}
	if err := a.s.WithTx(ctx, func(ctx context.Context) error { return a.deleteMFA(ctx, tenantID, userID) }); err != nil {
		return fmt.Errorf("auth: reset mfa: %w", err)
	}
	return nil
}

func (a *Service) deleteMFA(ctx context.Context, tenantID, userID string) error {
	for _, table := range []string{"mfa_totp", "mfa_recovery_code", "mfa_challenge"} {
		if _, err := a.s.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2), tenantID, userID); err != nil {
			return err
		}
	}
	return nil
}

// factor is a second factor that matched: a TOTP step or a recovery code (by its hash).
type factor struct {
	step     int64
	recovery string
}

// secondFactor checks code against the user's TOTP secret in state status, or, when recovery
// is true, against the unused recovery codes. It changes nothing: useFactor spends the factor.
// A wrong code gives an Unauthenticated fault with code "invalid_code".
func (a *Service) secondFactor(ctx context.Context, tenantID, userID, code, status string, recovery bool) (factor, error) {
	code = strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	if isDigits(code, 6) {
		return a.totpFactor(ctx, tenantID, userID, code, status)
	}
	if !recovery || len(code) != 16 {
		return factor{}, errInvalidCode()
	}
	h := hashToken(code)
	var one int
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT 1 FROM mfa_recovery_code WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2)+
		` AND code_hash = `+a.ph(3)+` AND used_at IS NULL`, tenantID, userID, h).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return factor{}, errInvalidCode()
	}
	if err != nil {
		return factor{}, fmt.Errorf("auth: recovery code: %w", err)
	}
	return factor{recovery: h}, nil
}

func (a *Service) totpFactor(ctx context.Context, tenantID, userID, code, status string) (factor, error) {
	var sealed, got string
	var last int64
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT secret, status, last_step FROM mfa_totp WHERE tenant_id = `+a.ph(1)+
		` AND user_id = `+a.ph(2), tenantID, userID).Scan(&sealed, &got, &last)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && got != status) {
		if status == TOTPPending {
			return factor{}, fault.New(fault.Conflict, "mfa_not_pending", "there is no TOTP enrolment to confirm: enrol first")
		}
		return factor{}, errInvalidCode()
	}
	if err != nil {
		return factor{}, fmt.Errorf("auth: totp: %w", err)
	}
	seal, err := a.totpSealer()
	if err != nil {
		return factor{}, err
	}
	secret, err := seal.open(sealed, totpContext(tenantID, userID))
	if err != nil {
		return factor{}, fmt.Errorf("auth: totp of user %s: %w", userID, err)
	}
	now := a.now().Unix() / totpPeriod
	match := int64(-1)
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return factor{}, fmt.Errorf("auth: totp of user %s: %w", userID, err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > last {
			match = step
		}
	}
	if match < 0 {
		return factor{}, errInvalidCode()
	}
	return factor{step: match}, nil
}

// useFactor spends a factor secondFactor accepted, refusing one spent meanwhile.
func (a *Service) useFactor(ctx context.Context, tenantID, userID string, f factor) error {
	var res sql.Result
	var err error
	if f.recovery != "" {
		res, err = a.s.Exec(ctx, `UPDATE mfa_recovery_code SET used_at = `+a.ph(1)+` WHERE tenant_id = `+a.ph(2)+
			` AND user_id = `+a.ph(3)+` AND code_hash = `+a.ph(4)+` AND used_at IS NULL`,
			a.encodeTime(a.now()), tenantID, userID, f.recovery)
	} else {
		res, err = a.s.Exec(ctx, `UPDATE mfa_totp SET last_step = `+a.ph(1)+` WHERE tenant_id = `+a.ph(2)+
			` AND user_id = `+a.ph(3)+` AND last_step < `+a.ph(4), f.step, tenantID, userID, f.step)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errInvalidCode()
	}
	return nil
}

// recoveryEncoding is base32 in lower case: 16 characters carry 80 bits.
var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newRecoveryCodes replaces the recovery codes of a user and returns them, as xxxx-xxxx-xxxx-xxxx.
func (a *Service) newRecoveryCodes(ctx context.Context, tenantID, userID string) ([]string, error) {
	if _, err := a.s.Exec(ctx, `DELETE FROM mfa_recovery_code WHERE tenant_id = `+a.ph(1)+` AND user_id = `+a.ph(2),
		tenantID, userID); err != nil {
		return nil, err
	}
	now := a.encodeTime(a.now())
	codes := make([]string, RecoveryCodes)
	for i := range codes {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		raw := recoveryEncoding.EncodeToString(b[:])
		if _, err := a.s.Exec(ctx, `INSERT INTO mfa_recovery_code (tenant_id, user_id, code_hash, created_at) VALUES (`+
			a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`)`, tenantID, userID, hashToken(raw), now); err != nil {
			return nil, err
		}
		codes[i] = raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16]
	}
	return codes, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
