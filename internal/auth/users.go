package auth

import (
	"context"
	"strings"

	"github.com/meridian-crm/meridian/internal/records"
)

// WireUsers registers with the write pipeline what sign-in needs of user records: their e-mail
// addresses are stored trimmed and in lower case, so that sign-in (which folds what is typed the
// same way) matches them exactly through the index.
func WireUsers(recs *records.Service) {
	recs.Register(records.Hook{Name: "auth.fold_email", Entity: "user", Derive: func(_ context.Context, d records.Draft) error {
		if s, ok := d.Values["email"].(string); ok {
			d.Values["email"] = strings.ToLower(strings.TrimSpace(s))
		}
		return nil
	}})
}
