package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/auth/oidctest"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// browser is a user agent: it keeps cookies and follows redirects, from Meridian to the identity
// provider and back.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// visit GETs u, following redirects, and returns the final status and JSON body.
func (b *browser) visit(u string) (int, map[string]any) {
	b.t.Helper()
	res, err := b.hc.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}

// stopAtCallback makes the browser stop before following the provider's redirect back to
// Meridian, and returns that callback URL.
func (b *browser) stopAtCallback(loginURL string) *url.URL {
	b.t.Helper()
	var callback *url.URL
	b.hc.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/callback") {
			callback = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}
	res, err := b.hc.Get(loginURL)
	if err != nil {
		b.t.Fatal(err)
	}
	res.Body.Close()
	b.hc.CheckRedirect = nil
	if callback == nil {
		b.t.Fatalf("the sign-in did not come back to a callback (status %d)", res.StatusCode)
	}
	return callback
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// ssoEnv is a Meridian server with a user and an identity provider configured for its tenant.
type ssoEnv struct {
	s      *server
	logs   *logBuffer
	admin  *client
	idp    *oidctest.Provider
	userID string
	login  string // the provider's login URL
}

func newSSOEnv(t *testing.T) *ssoEnv {
	t.Helper()
	s, logs := newLoggedServer(t)
	e := &ssoEnv{s: s, logs: logs, admin: s.login(), idp: oidctest.New(t)}
	u := e.admin.post("users", map[string]any{"email": "li.lei@example.com", "full_name": "Li Lei"})
	u.want(http.StatusCreated)
	e.userID = u.str("id")
	r := e.admin.post("auth/oidc/providers", map[string]any{"name": "corp", "issuer_url": e.idp.Issuer,
		"client_id": e.idp.ClientID, "client_secret": e.idp.ClientSecret})
	r.want(http.StatusCreated)
	e.login = r.str("login_url")
	e.idp.RedirectURIs = []string{r.str("redirect_uri")}
	if !strings.HasSuffix(e.login, "/api/v1/auth/oidc/default/corp/login") || r.str("redirect_uri") != strings.TrimSuffix(e.login, "login")+"callback" {
		t.Fatalf("provider URLs: %s", r.raw)
	}
	return e
}

func TestOIDCSignIn(t *testing.T) {
	e := newSSOEnv(t)
	b := newBrowser(t)
	status, body := b.visit(e.login)
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["expires_in"] != float64(12*3600) {
		t.Fatalf("sign-in: %d %v", status, body)
	}
	user, _ := body["user"].(map[string]any)
	if user["id"] != e.userID {
		t.Fatalf("signed in as %v", body)
	}
	token := body["token"].(string)
	me := (&client{t: t, s: e.s, token: token}).get("auth/me")
	me.want(http.StatusOK)
	if me.str("user_id") != e.userID {
		t.Fatalf("the session is not the user's: %s", me.raw)
	}
	// The sign-in is on the login audit trail.
	au := e.admin.get("audit?$filter=" + q("action eq 'login' and method eq 'oidc' and user_id eq "+e.userID))
	au.want(http.StatusOK)
	if n := len(au.values()); n != 1 {
		t.Fatalf("%d audited single sign-ons: %s", n, au.raw)
	}

	// The authorization request carried state, nonce and an S256 PKCE challenge; the provider's
	// token endpoint checked the verifier, the redirect URI and the client secret.
	reqs := e.idp.AuthRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d authorization requests", len(reqs))
	}
	q := reqs[0]
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 40 ||
		len(q.Get("nonce")) < 40 || q.Get("response_type") != "code" || !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		t.Fatalf("authorization request: %v", q)
	}
	if e.idp.TokenRequests() != 1 {
		t.Fatalf("%d token requests", e.idp.TokenRequests())
	}

	// The provider's settings never show its secret.
	for _, r := range []*response{e.admin.get("auth/oidc/providers/corp"), e.admin.get("auth/oidc/providers")} {
		r.want(http.StatusOK)
		if strings.Contains(string(r.raw), e.idp.ClientSecret) || !strings.Contains(string(r.raw), `"has_client_secret":true`) {
			t.Fatalf("provider view: %s", r.raw)
		}
	}
	wantNoSecrets(t, e.logs, e.idp.ClientSecret, token, q.Get("state"), q.Get("nonce"))
}

func TestOIDCSignInRefusals(t *testing.T) {
	e := newSSOEnv(t)
	cases := []struct {
		name   string
		setup  func(p *oidctest.Provider)
		status int
		code   string
	}{
		{"tampered ID token signature", func(p *oidctest.Provider) { p.BreakSignature = true }, 401, "invalid_id_token"},
		{"wrong audience", func(p *oidctest.Provider) {
			p.Claims = func(c map[string]any) { c["aud"] = "another-client" }
		}, 401, "invalid_id_token"},
		{"another audience beside ours without azp", func(p *oidctest.Provider) {
			p.Claims = func(c map[string]any) { c["aud"] = []string{p.ClientID, "another-client"} }
		}, 401, "invalid_id_token"},
		{"wrong issuer", func(p *oidctest.Provider) {
			p.Claims = func(c map[string]any) { c["iss"] = "https://evil.example" }
		}, 401, "invalid_id_token"},
		{"expired ID token", func(p *oidctest.Provider) { p.TokenLifetime = -time.Minute }, 401, "id_token_expired"},
		{"nonce mismatch", func(p *oidctest.Provider) {
			p.Claims = func(c map[string]any) { c["nonce"] = "a-nonce-of-another-sign-in" }
		}, 401, "invalid_nonce"},
		{"no nonce", func(p *oidctest.Provider) { p.Claims = func(c map[string]any) { delete(c, "nonce") } }, 401, "invalid_nonce"},
		{"unverified email", func(p *oidctest.Provider) { p.User.EmailVerified = false }, 403, "email_not_verified"},
		{"email_verified as a string", func(p *oidctest.Provider) {
			p.Claims = func(c map[string]any) { c["email_verified"] = "false" }
		}, 403, "email_not_verified"},
		{"no email", func(p *oidctest.Provider) { p.Claims = func(c map[string]any) { delete(c, "email") } }, 403, "email_not_verified"},
		{"unknown user", func(p *oidctest.Provider) { p.User.Email = "stranger@example.com" }, 403, "unknown_user"},
		{"wrong client secret", func(p *oidctest.Provider) { p.ClientSecret = "rotated-at-the-provider" }, 401, "code_exchange_failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			brk, claims, life, user, secret := e.idp.BreakSignature, e.idp.Claims, e.idp.TokenLifetime, e.idp.User, e.idp.ClientSecret
			t.Cleanup(func() {
				e.idp.BreakSignature, e.idp.Claims, e.idp.TokenLifetime, e.idp.User, e.idp.ClientSecret = brk, claims, life, user, secret
			})
			tc.setup(e.idp)
			status, body := newBrowser(t).visit(e.login)
			if status != tc.status || errCode(body) != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if _, leaked := body["token"]; leaked {
				t.Fatal("a refused sign-in carries a token")
			}
		})
	}

	// After all that, a proper sign-in still works.
	if status, body := newBrowser(t).visit(e.login); status != http.StatusOK {
		t.Fatalf("sign-in: %d %v", status, body)
	}
	wantNoSecrets(t, e.logs, e.idp.ClientSecret)
	// The refusals are on the login audit trail as single sign-on attempts, not password ones.
	au := e.admin.get("audit?$filter=" + q("action eq 'login_failed' and method eq 'oidc'") + "&$count=true")
	if n, _ := au.at("@odata.count").(json.Number).Int64(); n < 3 {
		t.Fatalf("%d refused single sign-ons audited as oidc: %s", n, au.raw)
	}
}

func TestOIDCState(t *testing.T) {
	e := newSSOEnv(t)

	t.Run("wrong state", func(t *testing.T) {
		b := newBrowser(t)
		cb := b.stopAtCallback(e.login)
		q := cb.Query()
		q.Set("state", strings.Repeat("A", 43))
		cb.RawQuery = q.Encode()
		before := e.idp.TokenRequests()
		status, body := b.visit(cb.String())
		if status != http.StatusUnauthorized || errCode(body) != "invalid_state" {
			t.Fatalf("got %d %v", status, body)
		}
		if e.idp.TokenRequests() != before {
			t.Fatal("a callback with a wrong state exchanged the code")
		}
	})

	t.Run("callback in another browser", func(t *testing.T) {
		// An attacker's own callback URL, opened in the victim's browser, must not sign the
		// victim in as the attacker (login CSRF).
		cb := newBrowser(t).stopAtCallback(e.login)
		status, body := newBrowser(t).visit(cb.String())
		if status != http.StatusUnauthorized || errCode(body) != "invalid_state" {
			t.Fatalf("got %d %v", status, body)
		}
	})

	t.Run("replayed callback", func(t *testing.T) {
		b := newBrowser(t)
		cb := b.stopAtCallback(e.login)
		state := cb.Query().Get("state")
		if status, body := b.visit(cb.String()); status != http.StatusOK {
			t.Fatalf("first callback: %d %v", status, body)
		}
		// Even with the state cookie put back, the state is spent.
		req, _ := http.NewRequest("GET", cb.String(), nil)
		req.AddCookie(&http.Cookie{Name: "meridian_sso_state", Value: state})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || errCode(body) != "invalid_state" {
			t.Fatalf("replay: %d %v", res.StatusCode, body)
		}
	})

	t.Run("provider error", func(t *testing.T) {
		b := newBrowser(t)
		cb := b.stopAtCallback(e.login)
		q := url.Values{"error": {"access_denied<script>"}, "state": {cb.Query().Get("state")}}
		cb.RawQuery = q.Encode()
		status, body := b.visit(cb.String())
		if status != http.StatusUnauthorized || errCode(body) != "sso_denied" || strings.Contains(body["error"].(map[string]any)["message"].(string), "<") {
			t.Fatalf("got %d %v", status, body)
		}
	})

	t.Run("state of another provider", func(t *testing.T) {
		r := e.admin.post("auth/oidc/providers", map[string]any{"name": "other", "issuer_url": e.idp.Issuer,
			"client_id": e.idp.ClientID, "client_secret": e.idp.ClientSecret})
		r.want(http.StatusCreated)
		b := newBrowser(t)
		cb := b.stopAtCallback(e.login)
		// Replay corp's code and state at other's callback, with other's cookie path.
		other := strings.Replace(cb.String(), "/corp/callback", "/other/callback", 1)
		req, _ := http.NewRequest("GET", other, nil)
		req.AddCookie(&http.Cookie{Name: "meridian_sso_state", Value: cb.Query().Get("state")})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || errCode(body) != "invalid_state" {
			t.Fatalf("got %d %v", res.StatusCode, body)
		}
	})

	t.Run("unknown tenant or provider", func(t *testing.T) {
		for _, u := range []string{strings.Replace(e.login, "/default/", "/nope/", 1), strings.Replace(e.login, "/corp/", "/nope/", 1)} {
			status, body := newBrowser(t).visit(u)
			if status != http.StatusNotFound || errCode(body) != "provider_not_found" {
				t.Fatalf("%s: %d %v", u, status, body)
			}
		}
	})
}

func TestOIDCUsersAndDomains(t *testing.T) {
	e := newSSOEnv(t)
	e.idp.User = oidctest.User{Subject: "u-2002", Email: "Han.Meimei@Example.com", EmailVerified: true, Name: "Han Meimei"}

	// Unknown users are refused by default…
	if status, body := newBrowser(t).visit(e.login); status != http.StatusForbidden || errCode(body) != "unknown_user" {
		t.Fatalf("unknown user: %d %v", status, body)
	}
	if n := len(e.admin.get("users?$filter=" + q("email eq 'han.meimei@example.com'")).want(http.StatusOK).values()); n != 0 {
		t.Fatalf("a refused sign-in created %d users", n)
	}
	// …auto-provisioning needs a domain list…
	e.admin.patch("auth/oidc/providers/corp", map[string]any{"auto_provision": true}).wantError(http.StatusBadRequest, "domains_required", "allowed_domains")
	// …and a domain outside the list is refused.
	r := e.admin.patch("auth/oidc/providers/corp", map[string]any{"auto_provision": true, "allowed_domains": []string{"acme.example"}})
	r.want(http.StatusOK)
	if status, body := newBrowser(t).visit(e.login); status != http.StatusForbidden || errCode(body) != "email_domain_not_allowed" {
		t.Fatalf("domain not allowed: %d %v", status, body)
	}
	e.admin.patch("auth/oidc/providers/corp", map[string]any{"allowed_domains": []string{"acme.example", "example.com"}}).want(http.StatusOK)

	// Within the domains, the first sign-in creates the user through the write path.
	status, body := newBrowser(t).visit(e.login)
	if status != http.StatusOK || body["token"] == nil {
		t.Fatalf("provisioning sign-in: %d %v", status, body)
	}
	id := body["user"].(map[string]any)["id"].(string)
	u := e.admin.get("users(" + id + ")")
	u.want(http.StatusOK)
	if u.str("email") != "han.meimei@example.com" || u.str("full_name") != "Han Meimei" {
		t.Fatalf("provisioned user: %s", u.raw)
	}
	status, body = newBrowser(t).visit(e.login)
	if status != http.StatusOK || body["user"].(map[string]any)["id"] != id {
		t.Fatalf("second sign-in: %d %v", status, body)
	}

	// An existing user outside the allowed domains is refused too.
	e.idp.User = oidctest.User{Subject: "u-1001", Email: "li.lei@example.com", EmailVerified: true}
	e.admin.patch("auth/oidc/providers/corp", map[string]any{"allowed_domains": []string{"acme.example"}}).want(http.StatusOK)
	if status, body := newBrowser(t).visit(e.login); status != http.StatusForbidden || errCode(body) != "email_domain_not_allowed" {
		t.Fatalf("existing user, domain not allowed: %d %v", status, body)
	}

	// A disabled user cannot sign in.
	e.admin.patch("auth/oidc/providers/corp", map[string]any{"allowed_domains": []string{}, "auto_provision": false}).want(http.StatusOK)
	e.admin.patch("users("+e.userID+")", map[string]any{"is_disabled": true}).want(http.StatusNoContent)
	if status, body := newBrowser(t).visit(e.login); status != http.StatusForbidden || errCode(body) != "user_disabled" {
		t.Fatalf("disabled user: %d %v", status, body)
	}
}

func TestOIDCProviderAdministration(t *testing.T) {
	s := (&server{t: t, dsn: storetest.DSN(t), publicURL: true}).run()
	admin := s.login()
	body := map[string]any{"name": "okta", "issuer_url": "https://acme.okta.example", "client_id": "meridian", "client_secret": "s3cr3t-value",
		"allowed_domains": []string{"acme.example"}, "auto_provision": true}
	r := admin.post("auth/oidc/providers", body)
	r.want(http.StatusCreated)
	if strings.Contains(string(r.raw), "s3cr3t-value") || r.str("auto_provision") != "true" || r.header.Get("Location") != "/api/v1/auth/oidc/providers/okta" {
		t.Fatalf("created: %v %s", r.header, r.raw)
	}
	admin.post("auth/oidc/providers", body).wantError(http.StatusConflict, "duplicate_name", "name")
	admin.post("auth/oidc/providers", map[string]any{"name": "x", "issuer_url": "http://idp.example", "client_id": "c"}).wantError(http.StatusBadRequest, "invalid_url", "issuer_url")
	admin.post("auth/oidc/providers", map[string]any{"issuer_url": "https://idp.example", "client_id": "c"}).wantError(http.StatusBadRequest, "required", "name")
	admin.post("auth/oidc/providers", map[string]any{"name": "x", "issuer_url": "https://idp.example", "client_id": "c", "secret": "s"}).wantError(http.StatusBadRequest, "unknown_field", "secret")
	admin.get("auth/oidc/providers/nope").wantError(http.StatusNotFound, "provider_not_found", "-")
	s.anon().get("auth/oidc/providers").wantError(http.StatusUnauthorized, "unauthenticated", "-")

	// A provider that does not answer makes the sign-in fail cleanly.
	admin.post("auth/oidc/providers", map[string]any{"name": "down", "issuer_url": "http://127.0.0.1:1", "client_id": "c"}).want(http.StatusCreated)
	if status, body := newBrowser(t).visit(s.srv.URL + "/api/v1/auth/oidc/default/down/login"); status != http.StatusInternalServerError || errCode(body) != "internal_error" {
		t.Fatalf("unreachable provider: %d %v", status, body)
	}

	admin.delete("auth/oidc/providers/okta").want(http.StatusNoContent)
	admin.get("auth/oidc/providers/okta").wantError(http.StatusNotFound, "provider_not_found", "-")
	admin.delete("auth/oidc/providers/okta").wantError(http.StatusNotFound, "provider_not_found", "-")
}

// TestOIDCCookieSession signs a browser in for the web client: the session lands in the cookies
// and the browser goes back to the page it came from; only local pages are accepted.
func TestOIDCCookieSession(t *testing.T) {
	e := newSSOEnv(t)
	b := newBrowser(t)
	var landed *url.URL
	b.hc.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/app/records" {
			landed = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}
	res, err := b.hc.Get(e.login + "?session=cookie&return_to=" + url.QueryEscape("/app/records?view=mine"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || landed == nil || landed.RawQuery != "view=mine" {
		t.Fatalf("the sign-in ended with %d at %v", res.StatusCode, landed)
	}
	base, _ := url.Parse(e.s.srv.URL + "/")
	var session, csrf string
	for _, c := range b.hc.Jar.Cookies(base) {
		switch c.Name {
		case "meridian_session":
			session = c.Value
		case "meridian_csrf":
			csrf = c.Value
		}
	}
	if session == "" || csrf == "" {
		t.Fatalf("no session cookies after the sign-in: %v", b.hc.Jar.Cookies(base))
	}
	// The cookie session is the user's, and unsafe requests need the CSRF token.
	status, body := b.visit(e.s.srv.URL + "/api/v1/auth/me")
	if status != http.StatusOK || body["user_id"] != e.userID {
		t.Fatalf("me with the cookie session: %d %v", status, body)
	}
	req, _ := http.NewRequest("POST", e.s.srv.URL+"/api/v1/accounts", strings.NewReader(`{"name":"Contoso"}`))
	req.Header.Set("Content-Type", "application/json")
	if res, err = b.hc.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cookie write without the CSRF token: %d", res.StatusCode)
	}

	// Without return_to, the answer is the password sign-in's cookie answer.
	status, body = newBrowser(t).visit(e.login + "?session=cookie")
	if status != http.StatusOK || body["session"] != "cookie" || body["csrf_token"] == nil || body["token"] != nil {
		t.Fatalf("cookie sign-in without return_to: %d %v", status, body)
	}

	for _, bad := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		status, body := newBrowser(t).visit(e.login + "?session=cookie&return_to=" + url.QueryEscape(bad))
		if status != http.StatusBadRequest || errCode(body) != "invalid_value" {
			t.Fatalf("return_to %q: %d %v", bad, status, body)
		}
	}
	if status, body := newBrowser(t).visit(e.login + "?session=ticket"); status != http.StatusBadRequest || errCode(body) != "invalid_value" {
		t.Fatalf("unknown session mode: %d %v", status, body)
	}
}
