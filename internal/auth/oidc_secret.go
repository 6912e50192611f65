package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Secrets Meridian must use again later (an identity provider's client secret, a TOTP secret)
// cannot be hashed.
// They are sealed with AES-256-GCM under the server's secret key (MERIDIAN_SECRET_KEY), bound to
// the row they belong to, so a database dump alone does not reveal them. Without a key they are
// stored in clear, marked as such, and the server warns at start-up.

const (
	sealedPrefix = "v1:"    // AES-256-GCM: base64(nonce ‖ ciphertext ‖ tag)
	clearPrefix  = "clear:" // no key was configured when it was stored
)

// ParseSecretKey decodes a 32-byte key given as 64 hexadecimal digits or as base64 (standard or
// URL alphabet, padded or not).
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("auth: the secret key must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)")
}

// sealer seals and opens stored secrets; its zero value (no key) stores them in clear.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) == 0 {
		return &sealer{}, nil
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("auth: the secret key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// encrypts reports whether secrets are sealed (a key is configured).
func (s *sealer) encrypts() bool { return s.aead != nil }

// seal returns the stored form of plain, bound to context (e.g. tenant and row IDs): a sealed
// value copied to another row does not open.
func (s *sealer) seal(plain, context string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if s.aead == nil {
		return clearPrefix + plain, nil
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(context))), nil
}

// open returns the plaintext of a stored value.
func (s *sealer) open(stored, context string) (string, error) {
	switch {
	case stored == "":
		return "", nil
	case strings.HasPrefix(stored, clearPrefix):
		return stored[len(clearPrefix):], nil
	case !strings.HasPrefix(stored, sealedPrefix):
		return "", errors.New("auth: a stored secret has an unknown format")
	case s.aead == nil:
		return "", errors.New("auth: a stored secret is encrypted but no secret key is configured (MERIDIAN_SECRET_KEY)")
	}
	b, err := base64.RawStdEncoding.DecodeString(stored[len(sealedPrefix):])
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("auth: a stored secret is corrupt")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], []byte(context))
	if err != nil {
		return "", errors.New("auth: a stored secret does not open with the configured secret key")
	}
	return string(plain), nil
}
