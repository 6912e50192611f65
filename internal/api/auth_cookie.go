package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// The web client signs in with {"session":"cookie"} and then holds its session in cookies:
//
//   - meridian_session: the session token; HttpOnly (no script reads it), SameSite=Lax, and
//     Secure unless the server runs on a loopback address over plain HTTP (Server.SecureCookies).
//   - meridian_csrf: the CSRF token, readable by the page's scripts, which send it back in the
//     X-CSRF-Token header of every unsafe request (double submit). It is an HMAC of the session
//     token, so it fits only the session it came with: a cookie planted by another site or
//     subdomain does not pass, and the server keeps no state for it.
//
// A request that carries a bearer token is not checked for CSRF: browsers never add that header
// on their own.

// Cookie and header names.
const (
	SessionCookieName = "meridian_session"
	CSRFCookieName    = "meridian_csrf"
	CSRFHeader        = "X-CSRF-Token"
)

// csrfToken derives the CSRF token of a session token.
func csrfToken(session string) string {
	mac := hmac.New(sha256.New, []byte(session))
	mac.Write([]byte("meridian csrf v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// setSessionCookies puts a session in the cookies and returns its CSRF token.
func (s *Server) setSessionCookies(w http.ResponseWriter, token string, ttl time.Duration) string {
	csrf := csrfToken(token)
	maxAge := int(ttl / time.Second)
	http.SetCookie(w, &http.Cookie{Name: SessionCookieName, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookieName, Value: csrf, Path: "/", MaxAge: maxAge,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	return csrf
}

// clearSessionCookies tells the browser to drop the session cookies.
func (s *Server) clearSessionCookies(w http.ResponseWriter) {
	for _, name := range []string{SessionCookieName, CSRFCookieName} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookieName, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
}

// credential is the token a request authenticated with and where it came from.
type credential struct {
	token  string
	cookie bool
}

type credentialKey struct{}

func credentialOf(r *http.Request) (credential, bool) {
	c, ok := r.Context().Value(credentialKey{}).(credential)
	return c, ok
}

// credential returns the token of a request: its bearer token, else its session cookie.
func (s *Server) credential(r *http.Request) (token string, cookie bool) {
	if t := bearerToken(r); t != "" {
		return t, false
	}
	if c, err := r.Cookie(SessionCookieName); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

// admit checks what the credential allows beyond who it is — the CSRF token of a cookie session
// on unsafe methods, and an API key's scopes — and returns the request carrying the credential.
func (s *Server) admit(r *http.Request, p principal.Principal, token string, cookie bool) (*http.Request, error) {
	if cookie {
		if p.Method != "token" || p.Scopes != nil {
			return r, fault.New(fault.Unauthenticated, "invalid_token", "the session cookie does not hold a session")
		}
		if !safeMethod(r.Method) {
			got := r.Header.Get(CSRFHeader)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(token))) != 1 {
				return r, fault.New(fault.Permission, "csrf_failed",
					"a request signed in by cookie must send the "+CSRFHeader+" header with the value of the "+CSRFCookieName+" cookie")
			}
		}
	}
	// A key may always end itself.
	if !scopeAllows(p.Scopes, r.Method) && !(r.Method == http.MethodPost && r.URL.Path == "/api/v1/auth/logout") {
		return r, fault.Newf(fault.Permission, "insufficient_scope", "the API key's scopes (%v) do not allow %s requests", p.Scopes, r.Method)
	}
	return r.WithContext(context.WithValue(r.Context(), credentialKey{}, credential{token: token, cookie: cookie})), nil
}

// safeMethod reports whether a method only reads (RFC 9110 §9.2.1).
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// scopeAllows reports whether a credential's scopes allow a request method: no scopes restrict
// nothing; "write" allows every method and "read" the safe ones.
func scopeAllows(scopes []string, method string) bool {
	return scopes == nil || slices.Contains(scopes, auth.ScopeWrite) ||
		safeMethod(method) && slices.Contains(scopes, auth.ScopeRead)
}
