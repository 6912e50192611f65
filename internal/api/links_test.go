package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/auth/oidctest"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestForgedHostIsNeverEchoed: whatever Host header a request carries, no link, header or body
// of the answer holds it. Links are relative to the server ("/api/v1/…") without
// MERIDIAN_PUBLIC_URL and start with it when it is set; single sign-on refuses to start without it
// (its redirect URI would otherwise come from the request).
func TestForgedHostIsNeverEchoed(t *testing.T) {
	const forged = "evil.example"
	for _, public := range []bool{false, true} {
		name := "relative links"
		if public {
			name = "MERIDIAN_PUBLIC_URL"
		}
		t.Run(name, func(t *testing.T) {
			s := (&server{t: t, dsn: storetest.DSN(t), publicURL: public}).run()
			c := s.login().in(t)
			c.host = forged
			root := "/api/v1/" // what every link starts with
			if public {
				root = s.srv.URL + "/api/v1/"
			}
			var seen []*response
			see := func(r *response) *response {
				seen = append(seen, r)
				return r
			}
			link := func(what, l string) {
				t.Helper()
				if !strings.HasPrefix(l, root) {
					t.Errorf("%s %q does not start with %s", what, l, root)
				}
			}

			// Records: @odata.context, Location, OData-EntityId, ETag.
			r := see(c.post("accounts", map[string]any{"name": "Contoso"}).want(http.StatusCreated))
			link("Location", r.header.Get("Location"))
			link("@odata.context", r.str("@odata.context"))
			id := r.str("id")
			see(c.post("accounts", map[string]any{"name": "Fabrikam"}, hdr("Prefer", "return=minimal")...).want(http.StatusNoContent))
			see(c.patch("accounts("+id+")", map[string]any{"city": "Paris"}).want(http.StatusNoContent))
			link("OData-EntityId", seen[len(seen)-1].header.Get("OData-EntityId"))
			see(c.get("accounts(" + id + ")").want(http.StatusOK))

			// Paging and change tracking: nextLink and deltaLink, followed as given.
			r = see(c.get("accounts?$select=name", hdr("Prefer", "odata.maxpagesize=1")...).want(http.StatusOK))
			link("@odata.nextLink", r.str("@odata.nextLink"))
			see(c.get(r.str("@odata.nextLink")).want(http.StatusOK))
			r = see(c.get("accounts?$select=name", hdr("Prefer", "odata.track-changes")...).want(http.StatusOK))
			link("@odata.deltaLink", r.str("@odata.deltaLink"))
			see(c.get(r.str("@odata.deltaLink")).want(http.StatusOK))
			r = see(c.get("audit", hdr("Prefer", "odata.maxpagesize=1")...).want(http.StatusOK))
			link("audit @odata.nextLink", r.str("@odata.nextLink"))

			// $batch, the OpenAPI document, metadata, views, roles.
			r = see(c.post("$batch", `{"requests":[{"id":"1","method":"POST","url":"accounts","body":{"name":"Batch"}},`+
				`{"id":"2","method":"PATCH","url":"$1","body":{"city":"Rome"}}]}`).want(http.StatusOK))
			if r.str("responses.1.status") != "204" {
				t.Errorf("a $batch reference to a Location: %s", r.raw)
			}
			link("$batch location", r.str("responses.0.headers.location"))
			r = see(c.get("openapi.json").want(http.StatusOK))
			if u := r.str("servers.0.url"); u != strings.TrimSuffix(root, "/") {
				t.Errorf("OpenAPI server %q", u)
			}
			see(c.post("metadata/entities", map[string]any{"name": "project", "attributes": []map[string]any{{"name": "title", "type": "string"}}}).want(http.StatusCreated))
			see(c.post("views", map[string]any{"entity": "accounts", "name": "Mine"}).want(http.StatusCreated))
			see(c.post("security/roles", map[string]any{"name": "Reader"}).want(http.StatusCreated))

			// Single sign-on: the provider's URLs, and the sign-in's redirect URI.
			idp := oidctest.New(t)
			r = see(c.post("auth/oidc/providers", map[string]any{"name": "corp", "issuer_url": idp.Issuer,
				"client_id": idp.ClientID, "client_secret": idp.ClientSecret}).want(http.StatusCreated))
			link("redirect_uri", r.str("redirect_uri"))
			req, _ := http.NewRequest("GET", s.srv.URL+"/api/v1/auth/oidc/default/corp/login", nil)
			req.Host = forged
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r = see(readResponse(t, "GET", "auth/oidc/default/corp/login", res))
			if !public {
				r.wantError(http.StatusServiceUnavailable, "public_url_required", "")
			} else {
				r.want(http.StatusFound)
				to, err := url.Parse(r.header.Get("Location"))
				if err != nil || !strings.HasPrefix(to.String(), idp.Issuer) {
					t.Fatalf("sign-in redirect %q", r.header.Get("Location"))
				}
				link("the sign-in's redirect_uri", to.Query().Get("redirect_uri"))
			}

			for _, r := range seen {
				if strings.Contains(string(r.raw), forged) {
					t.Errorf("%s %s: the body holds the forged host: %s", r.method, r.path, clip(r.raw))
				}
				for k, vs := range r.header {
					for _, v := range vs {
						if strings.Contains(v, forged) {
							t.Errorf("%s %s: header %s holds the forged host: %s", r.method, r.path, k, v)
						}
					}
				}
			}
		})
	}
}
