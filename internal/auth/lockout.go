package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/store"
)

// Failed sign-ins are counted in login_throttle, in the database so that every node and a
// restarted one see the same counts, under two kinds of subject:
//
//   - the email address (its SHA-256, lower-cased): after LockoutPolicy.MaxFailures failures in a
//     row the address is locked, whether or not an account has it, so that a lock tells nothing
//     about which accounts exist. A successful sign-in resets it; an administrator can unlock it.
//   - the client address (IPv6: its /64), counting failures in every account: past
//     IPMaxFailures within IPWindow the address is blocked for a while.
//
// The rows are global rather than per tenant because a sign-in names no tenant until it succeeds.
// Being the installation's, they are read and written as the tables' owner (store.AsOwner), also
// inside a request that runs under row-level security as the application role, which may not
// touch them: an administrator unlocking a user, a code checked when a second factor is
// disabled.
//
// A sign-in reserves its attempt on the email subject before the password is checked, so a burst
// of parallel guesses cannot run more than MaxFailures password checks before the lock.

// LockoutPolicy says when failed sign-ins lock an email address or block a client address.
type LockoutPolicy struct {
	// MaxFailures is how many failed sign-ins in a row lock an email address (0: never).
	// Failures older than a day are forgotten.
	MaxFailures int
	// Lockout is how long the first lock lasts; every further lock without a successful sign-in
	// in between lasts twice as long as the one before, up to MaxLockout.
	Lockout    time.Duration
	MaxLockout time.Duration
	// IPMaxFailures is how many failed sign-ins from one client address within IPWindow block
	// that address, for IPWindow at first and growing like Lockout (0: never).
	IPMaxFailures int
	IPWindow      time.Duration
}

// DefaultLockoutPolicy is the policy of a new Service.
var DefaultLockoutPolicy = LockoutPolicy{
	MaxFailures: 5, Lockout: 15 * time.Minute, MaxLockout: 24 * time.Hour,
	IPMaxFailures: 20, IPWindow: 15 * time.Minute,
}

// forgetAfter is how long after its last failure a subject starts afresh: its failures and the
// growth of its lock durations are forgotten.
const forgetAfter = 24 * time.Hour

// rule is the policy for one kind of subject.
type rule struct {
	max       int           // failures that lock (0: never)
	window    time.Duration // failures are counted within this window from the first one
	base, cap time.Duration // the first lock and the longest
}

func (p LockoutPolicy) emailRule() rule {
	return rule{max: p.MaxFailures, window: forgetAfter, base: p.Lockout, cap: p.MaxLockout}
}

func (p LockoutPolicy) ipRule() rule {
	return rule{max: p.IPMaxFailures, window: p.IPWindow, base: p.IPWindow, cap: p.MaxLockout}
}

// throttleState is one row of login_throttle.
type throttleState struct {
	failures    int
	lockouts    int // locks since the subject last started afresh
	windowStart time.Time
	lastFailure time.Time
	lockedUntil time.Time // zero: not locked
}

// refresh forgets what the rule no longer counts at now.
func (r rule) refresh(st *throttleState, now time.Time) {
	switch {
	case st.lastFailure.IsZero() || now.Sub(st.lastFailure) >= forgetAfter:
		*st = throttleState{windowStart: now, lockedUntil: st.lockedUntil}
	case now.Sub(st.windowStart) >= r.window:
		st.failures, st.windowStart = 0, now
	}
}

// duration is the length of the n-th lock (n ≥ 1).
func (r rule) duration(n int) time.Duration {
	d := r.base
	for i := 1; i < n && d < r.cap; i++ {
		d *= 2
	}
	return min(d, r.cap)
}

// lock locks the subject at now and starts counting afresh.
func (r rule) lock(st *throttleState, now time.Time) {
	st.lockouts++
	st.lockedUntil = now.Add(r.duration(st.lockouts))
	st.failures, st.windowStart = 0, now
}

// RetryError is a refusal that lifts at a known time: the API sends RetryAfter as Retry-After.
type RetryError struct {
	Fault *fault.Error
	After time.Duration
}

func (e *RetryError) Error() string { return e.Fault.Error() }

// Unwrap gives the fault, so that fault.As and the API's error mapping see it.
func (e *RetryError) Unwrap() error { return e.Fault }

// RetryAfter is how long the caller should wait before trying again.
func (e *RetryError) RetryAfter() time.Duration { return e.After }

func errAccountLocked(d time.Duration) error {
	return &RetryError{After: d, Fault: fault.New(fault.RateLimited, "account_locked",
		"too many failed sign-ins: the account is locked for a while; try again later or ask an administrator to unlock it")}
}

func errTooManyAttempts(d time.Duration) error {
	return &RetryError{After: d, Fault: fault.New(fault.RateLimited, "too_many_attempts",
		"too many failed sign-ins from this address: try again later")}
}

// emailSubject names the throttle row of an email address; only a hash of it is stored.
func emailSubject(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "email:" + hex.EncodeToString(h[:])
}

// ipSubject names the throttle row of a client address ("" when there is none: the command
// line, background work). IPv6 clients usually hold a whole /64, so that is what is counted.
func ipSubject(ip string) string {
	if ip == "" {
		return ""
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}

// checkLocks refuses when the client address is blocked or the email address locked at now.
func (a *Service) checkLocks(ctx context.Context, now time.Time, ipSub, emailSub string) error {
	ctx = store.AsOwner(ctx)
	rows, err := a.s.DB(ctx).QueryContext(ctx, `SELECT subject, locked_until FROM login_throttle
		WHERE subject IN (`+a.ph(1)+`, `+a.ph(2)+`) AND locked_until > `+a.ph(3), ipSub, emailSub, a.encodeTime(now))
	if err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	defer rows.Close()
	var ipUntil, emailUntil time.Time
	for rows.Next() {
		var sub string
		var raw any
		if err := rows.Scan(&sub, &raw); err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
		until, err := a.decodeTime(raw)
		if err != nil {
			return fmt.Errorf("auth: login throttle: %w", err)
		}
		if sub == ipSub {
			ipUntil = until
		} else {
			emailUntil = until
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	switch {
	case !ipUntil.IsZero():
		return errTooManyAttempts(ipUntil.Sub(now))
	case !emailUntil.IsZero():
		return errAccountLocked(emailUntil.Sub(now))
	}
	return nil
}

// throttle runs fn on the state of subject (a fresh one when there is no row) inside a
// transaction holding the row, and stores what fn leaves. fn's error is returned after the
// state is stored.
func (a *Service) throttle(ctx context.Context, subject string, fn func(st *throttleState) error) error {
	ctx = store.AsOwner(ctx)
	var ferr error
	err := a.s.WithTx(ctx, func(ctx context.Context) error {
		ferr = nil
		now := a.encodeTime(a.now())
		res, err := a.s.Exec(ctx, `INSERT INTO login_throttle (subject, failures, lockouts, window_start, last_failure_at)
			VALUES (`+a.ph(1)+`, 0, 0, `+a.ph(2)+`, `+a.ph(3)+`) ON CONFLICT (subject) DO NOTHING`, subject, now, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			// A new subject: the moment to forget the ones idle for long (rows are created at most
			// about once a day per subject, so this runs rarely).
			if _, err := a.s.Exec(ctx, `DELETE FROM login_throttle WHERE last_failure_at < `+a.ph(1)+
				` AND (locked_until IS NULL OR locked_until < `+a.ph(2)+`)`,
				a.encodeTime(a.now().Add(-2*forgetAfter)), a.encodeTime(a.now())); err != nil {
				return err
			}
		}
		q := `SELECT failures, lockouts, window_start, last_failure_at, locked_until FROM login_throttle WHERE subject = ` + a.ph(1)
		if a.s.D.Name() == "postgres" {
			q += ` FOR UPDATE`
		}
		var st throttleState
		var ws, lf, lu any
		if err := a.s.DB(ctx).QueryRowContext(ctx, q, subject).Scan(&st.failures, &st.lockouts, &ws, &lf, &lu); err != nil {
			return err
		}
		if st.windowStart, err = a.decodeTime(ws); err == nil {
			if st.lastFailure, err = a.decodeTime(lf); err == nil {
				st.lockedUntil, err = a.decodeTime(lu)
			}
		}
		if err != nil {
			return err
		}
		ferr = fn(&st)
		var locked any
		if !st.lockedUntil.IsZero() {
			locked = a.encodeTime(st.lockedUntil)
		}
		_, err = a.s.Exec(ctx, `UPDATE login_throttle SET failures = `+a.ph(1)+`, lockouts = `+a.ph(2)+
			`, window_start = `+a.ph(3)+`, last_failure_at = `+a.ph(4)+`, locked_until = `+a.ph(5)+` WHERE subject = `+a.ph(6),
			st.failures, st.lockouts, a.encodeTime(st.windowStart), a.encodeTime(st.lastFailure), locked, subject)
		return err
	})
	if err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	return ferr
}

// reserve counts a sign-in attempt on an email address before its password is checked, and
// refuses it when the address is locked or its failures already reach the limit (attempts in
// flight count). The attempt stays a failure unless release or clear undo it.
func (a *Service) reserve(ctx context.Context, emailSub string) error {
	r := a.Lockout.emailRule()
	if r.max <= 0 {
		return nil
	}
	now := a.now()
	return a.throttle(ctx, emailSub, func(st *throttleState) error {
		r.refresh(st, now)
		if now.Before(st.lockedUntil) {
			return errAccountLocked(st.lockedUntil.Sub(now))
		}
		if st.failures >= r.max {
			return errAccountLocked(r.duration(st.lockouts + 1))
		}
		st.failures++
		st.lastFailure = now
		return nil
	})
}

// release undoes the reservation of an attempt that did not fail: the password was right but
// the sign-in goes on (a second factor, a tenant to choose) or stops for another reason.
func (a *Service) release(ctx context.Context, emailSub string) error {
	if a.Lockout.emailRule().max <= 0 {
		return nil
	}
	_, err := a.s.Exec(store.AsOwner(ctx), `UPDATE login_throttle SET failures = failures - 1 WHERE subject = `+a.ph(1)+
		` AND failures > 0`, emailSub)
	if err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	return nil
}

// clear forgets the failures of an email address after a successful sign-in.
func (a *Service) clear(ctx context.Context, emailSub string) error {
	if _, err := a.s.Exec(store.AsOwner(ctx), `DELETE FROM login_throttle WHERE subject = `+a.ph(1), emailSub); err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	return nil
}

// failed records a failed attempt, reserved or not, and returns the answer to give: the lock
// when this failure caused one, else fallback.
func (a *Service) failed(ctx context.Context, ipSub, emailSub string, reserved bool, fallback error) error {
	now := a.now()
	var emailErr, ipErr error
	if r := a.Lockout.emailRule(); r.max > 0 && emailSub != "" {
		emailErr = a.throttle(ctx, emailSub, func(st *throttleState) error {
			r.refresh(st, now)
			if !reserved {
				st.failures++
			}
			st.lastFailure = now
			if st.failures >= r.max {
				r.lock(st, now)
				return errAccountLocked(st.lockedUntil.Sub(now))
			}
			return nil
		})
	}
	if r := a.Lockout.ipRule(); r.max > 0 && ipSub != "" {
		ipErr = a.throttle(ctx, ipSub, func(st *throttleState) error {
			r.refresh(st, now)
			st.failures++
			st.lastFailure = now
			if st.failures >= r.max {
				r.lock(st, now)
				return errTooManyAttempts(st.lockedUntil.Sub(now))
			}
			return nil
		})
	}
	for _, err := range []error{emailErr, ipErr} {
		if err != nil && !fault.Is(err, fault.RateLimited) {
			return err
		}
	}
	switch {
	case emailErr != nil:
		return emailErr
	case ipErr != nil:
		return ipErr
	}
	return fallback
}

// Unlock lifts the lock of a user's email address and forgets its failed sign-ins.
func (a *Service) Unlock(ctx context.Context, tenantID, userID string) error {
	email, err := a.userEmail(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	return a.clear(ctx, emailSubject(email))
}

// Lock describes the sign-in lock of a user.
type Lock struct {
	Locked   bool
	Until    time.Time // when Locked
	Failures int       // failed sign-ins counted since the last success or lock
}

// LockState tells whether a user's email address is locked.
func (a *Service) LockState(ctx context.Context, tenantID, userID string) (Lock, error) {
	email, err := a.userEmail(ctx, tenantID, userID)
	if err != nil {
		return Lock{}, err
	}
	var l Lock
	var raw, lf any
	ctx = store.AsOwner(ctx)
	err = a.s.DB(ctx).QueryRowContext(ctx, `SELECT failures, locked_until, last_failure_at FROM login_throttle WHERE subject = `+a.ph(1),
		emailSubject(email)).Scan(&l.Failures, &raw, &lf)
	if errors.Is(err, sql.ErrNoRows) {
		return Lock{}, nil
	}
	if err != nil {
		return Lock{}, fmt.Errorf("auth: lock state: %w", err)
	}
	now := a.now()
	last, err := a.decodeTime(lf)
	if err == nil {
		l.Until, err = a.decodeTime(raw)
	}
	if err != nil {
		return Lock{}, fmt.Errorf("auth: lock state: %w", err)
	}
	if now.Sub(last) >= forgetAfter {
		l.Failures = 0
	}
	l.Locked = now.Before(l.Until)
	if !l.Locked {
		l.Until = time.Time{}
	}
	return l, nil
}

// userEmail returns the email address of a user of a tenant.
func (a *Service) userEmail(ctx context.Context, tenantID, userID string) (string, error) {
	if _, err := uuid.Parse(userID); err != nil {
		return "", fault.New(fault.NotFound, "user_not_found", "the user does not exist")
	}
	var email sql.NullString
	err := a.s.DB(ctx).QueryRowContext(ctx, `SELECT email FROM "user" WHERE tenant_id = `+a.ph(1)+` AND id = `+a.ph(2),
		tenantID, userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.New(fault.NotFound, "user_not_found", "the user does not exist")
	}
	if err != nil {
		return "", fmt.Errorf("auth: user: %w", err)
	}
	return email.String, nil
}
