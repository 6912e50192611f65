// Package auth checks who is calling: it hashes and verifies passwords (argon2id), logs users in,
// issues session tokens and API keys, and turns a bearer token back into a principal on every
// request. Only hashes are stored: SHA-256 of tokens, argon2id of passwords.
package auth

import (
	"sync"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Service authenticates users of every tenant in one database.
type Service struct {
	// Params are the argon2id parameters of new password hashes. Stored hashes carry their own
	// parameters, and a login rehashes a password whose hash used different ones. Tests lower them.
	Params *argon2id.Params

	s     *store.Store
	clock func() time.Time

	mu    sync.Mutex
	cache map[string]*cached // by token hash
	// gen changes on every eviction; a lookup that started before an eviction does not cache its
	// result, so a revoked token cannot slip back into the cache.
	gen uint64

	dummyOnce sync.Once
	dummy     string // a hash to compare against when the user is unknown

	// Lockout says when failed sign-ins lock an email address or block a client address.
	Lockout LockoutPolicy
	// SecretKey gives the 32-byte key that seals TOTP secrets at rest (see ParseSecretKey); it is
	// asked for on first use. nil stores them unsealed.
	SecretKey func() ([]byte, error)
	sealMu    sync.Mutex
	seal      *sealer // made from SecretKey
}

// NewService returns a service on s. clock tells the time (nil: time.Now).
func NewService(s *store.Store, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	p := *argon2id.DefaultParams
	return &Service{Params: &p, s: s, clock: clock, cache: map[string]*cached{}, Lockout: DefaultLockoutPolicy}
}

var (
	datetime = &metadata.Attribute{Type: metadata.TypeDateTime, Name: "datetime"}
	boolean  = &metadata.Attribute{Type: metadata.TypeBoolean, Name: "boolean"}
)

// now returns the clock's time, rounded to the microsecond precision both databases store.
func (a *Service) now() time.Time { return a.clock().UTC().Truncate(time.Microsecond) }

func (a *Service) encodeTime(t time.Time) any { return a.s.D.Encode(datetime, t) }

// decodeTime decodes a scanned datetime column; NULL gives the zero time.
func (a *Service) decodeTime(raw any) (time.Time, error) {
	v, err := a.s.D.Decode(datetime, raw)
	if err != nil || v == nil {
		return time.Time{}, err
	}
	return v.(time.Time), nil
}

// decodeBool decodes a scanned boolean column; NULL gives false.
func (a *Service) decodeBool(raw any) (bool, error) {
	v, err := a.s.D.Decode(boolean, raw)
	if err != nil || v == nil {
		return false, err
	}
	return v.(bool), nil
}

// ph returns the n-th placeholder.
func (a *Service) ph(n int) string { return a.s.D.Placeholder(n) }
