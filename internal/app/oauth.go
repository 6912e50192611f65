package app

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// wireOAuth gives the API its OAuth2 clients (the token endpoint) and OpenID Connect single
// sign-on. The configured secret key seals the identity providers' client secrets, and the
// TOTP secrets of au.
func wireOAuth(c Config, srv *api.Server, au *auth.Service, rec *records.Service, acc *access.Service) error {
	var key []byte
	if c.SecretKey != "" {
		k, err := auth.ParseSecretKey(c.SecretKey)
		if err != nil {
			return fmt.Errorf("config: secret_key (MERIDIAN_SECRET_KEY): %w", err)
		}
		key = k
		if au.SecretKey == nil {
			au.SecretKey = func() ([]byte, error) { return key, nil }
		}
	}
	sso, err := auth.NewOIDC(au, auth.OIDCOptions{SecretKey: key, Provision: provisioner(rec, acc)})
	if err != nil {
		return err
	}
	srv.OAuth, srv.SSO, srv.PublicURL = au, sso, c.PublicURL
	return nil
}

// warnSSOWithoutPublicURL warns at start-up when identity providers are configured but single
// sign-on cannot work, for want of MERIDIAN_PUBLIC_URL (sign-ins are refused until it is set).
func (a *App) warnSSOWithoutPublicURL(ctx context.Context) {
	if a.Config.PublicURL != "" || a.API.SSO == nil {
		return
	}
	n, err := a.API.SSO.ProviderCount(ctx)
	if err != nil {
		a.Log.Warn("counting identity providers", "err", err)
		return
	}
	if n > 0 {
		a.Log.Warn("single sign-on is off: identity providers are configured but MERIDIAN_PUBLIC_URL is not set; set it to the URL users reach the server at",
			"providers", n)
	}
}

// provisioner creates the user record of a first single sign-on through the write path, as the
// system, in the tenant's root business unit like any new user, and with no security role: an
// administrator decides what the newcomer may do.
func provisioner(rec *records.Service, acc *access.Service) auth.Provisioner {
	return func(ctx context.Context, tenantID, email, name string) (string, error) {
		var id string
		err := rec.Store().WithTx(ctx, func(ctx context.Context) error {
			_, root, err := acc.EnsureDefaults(ctx, rec, tenantID, "Organization")
			if err != nil {
				return err
			}
			r, err := rec.Create(principal.With(ctx, principal.System(tenantID)), "user",
				records.Input{"email": email, "full_name": name, "business_unit_id": root})
			if err != nil {
				return err
			}
			id = r.ID()
			return nil
		})
		return id, err
	}
}
