package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/auth"
)

// wireAuth applies the sign-in settings: the lockout policy, the key that seals TOTP secrets and
// the flags of the web client's session cookies.
func wireAuth(c Config, au *auth.Service, srv *api.Server) error {
	au.Lockout.MaxFailures = c.LoginMaxFailures
	au.Lockout.IPMaxFailures = c.LoginIPMaxFailures
	if c.LoginLockout > 0 {
		au.Lockout.Lockout, au.Lockout.IPWindow = c.LoginLockout, c.LoginLockout
	}
	key, err := secretKeySource(c)
	if err != nil {
		return err
	}
	au.SecretKey = key
	srv.SecureCookies, err = c.SecureCookies()
	return err
}

// SecureCookies tells whether session cookies are marked Secure (sent over HTTPS only):
// cookie_secure true or false, or auto — Secure unless the server listens on a loopback address,
// where plain-HTTP development on localhost is the common case.
func (c Config) SecureCookies() (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(c.CookieSecure)); v {
	case "", "auto":
		host, _, err := net.SplitHostPort(c.Addr)
		if err != nil {
			host = c.Addr
		}
		if host == "localhost" {
			return false, nil
		}
		ip := net.ParseIP(host)
		return ip == nil || !ip.IsLoopback(), nil
	default:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("config: cookie_secure (MERIDIAN_COOKIE_SECURE) %q: want auto, true or false", c.CookieSecure)
		}
		return b, nil
	}
}

// secretKeySource returns where the server's secret key comes from: secret_key
// (MERIDIAN_SECRET_KEY), or else a key file in the data directory, made on first use.
func secretKeySource(c Config) (func() ([]byte, error), error) {
	if c.SecretKey != "" {
		key, err := auth.ParseSecretKey(c.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("config: secret_key (MERIDIAN_SECRET_KEY): %w", err)
		}
		return func() ([]byte, error) { return key, nil }, nil
	}
	path := filepath.Join(c.DataDir, secretKeyFile)
	return func() ([]byte, error) { return loadOrCreateKey(path) }, nil
}

// secretKeyFile holds the generated secret key, as 64 hex digits, in the data directory.
const secretKeyFile = "secret.key"

// loadOrCreateKey reads the key file, creating it with a random key when it does not exist.
// Several servers sharing a database must share the key: give them MERIDIAN_SECRET_KEY.
func loadOrCreateKey(path string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		b, err := os.ReadFile(path)
		if err == nil {
			key, perr := auth.ParseSecretKey(string(b))
			if perr == nil {
				return key, nil
			}
			if attempt < 5 { // another process may be writing it
				time.Sleep(20 * time.Millisecond)
				continue
			}
			return nil, fmt.Errorf("secret key file %s: %w", path, perr)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("secret key file: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("secret key file: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("secret key file: %w", err)
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			f.Close()
			return nil, err
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, fmt.Errorf("secret key file: %w", err)
		}
		return key, nil
	}
}
