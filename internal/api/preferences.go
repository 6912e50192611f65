package api

import (
	"context"
	"net/http"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// Preferences are what a signed-in person sets for themselves: today the language of the user
// interface, kept on their user record so that it follows them to every browser and device.
type Preferences struct {
	Language *string `json:"language,omitempty"`
}

// asSelf returns ctx acting on the caller's own user record: the write and read path run as
// the server (a sales rep has no privilege on users) on the caller's behalf, so the audit trail
// and change log still name them (method "system"). Only the handlers below use it, and only
// for Preferences.
func asSelf(ctx context.Context, p principal.Principal) context.Context {
	p.Method, p.Admin, p.Scopes, p.KeyID = "system", true, nil, ""
	return principal.With(ctx, p)
}

// userLanguage reads the caller's language preference ("" when they have no user record, as
// for a client credential, or none is set).
func (s *Server) userLanguage(ctx context.Context, p principal.Principal) (string, error) {
	if p.UserID == "" || p.Method == "system" {
		return "", nil
	}
	rec, err := s.records.Get(asSelf(ctx, p), "user", p.UserID, nil)
	if fault.Is(err, fault.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	lang, _ := rec.Get("language").(string)
	return lang, nil
}

// updateMe serves PATCH /auth/me: a signed-in person sets their own preferences. An API key
// or client credential cannot: preferences belong to a person's session.
func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireSession(w, r)
	if !ok {
		return
	}
	var body Preferences
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := records.Input{}
	if body.Language != nil {
		in["language"] = *body.Language
	}
	if len(in) == 0 {
		s.writeError(w, r, fault.Field("language", "required", "name a preference to change: language"))
		return
	}
	if _, err := s.records.Update(asSelf(r.Context(), p), "user", p.UserID, in, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.me(w, r)
}
