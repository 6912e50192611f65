package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// newOAuth is `meridian oauth client create|list|revoke`: OAuth2 clients for the client
// credentials grant.
func newOAuth() *cobra.Command {
	oauth := &cobra.Command{Use: "oauth", Short: "Manage OAuth2 clients (client credentials for server-to-server access)"}
	client := &cobra.Command{Use: "client", Short: "Manage the OAuth2 clients of a tenant"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Register a client acting as a user, and print its client ID and secret (shown once)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				email, _ := cmd.Flags().GetString("user")
				name, _ := cmd.Flags().GetString("name")
				scopes, _ := cmd.Flags().GetStringSlice("scope")
				t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
				if err != nil {
					return err
				}
				uid, err := a.Records.IDByKey(principal.With(ctx, principal.System(t.ID)), "user", map[string]string{"email": strings.ToLower(strings.TrimSpace(email))})
				if err != nil {
					return fmt.Errorf("user %s: %w", email, err)
				}
				c, secret, err := a.Auth.CreateClient(ctx, t.ID, auth.ClientInput{Name: name, UserID: uid, Scopes: scopes}, "")
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "client_id:     %s\nclient_secret: %s\n", c.ClientID, secret)
				fmt.Fprintln(cmd.ErrOrStderr(), "Store the secret now: Meridian keeps only its hash and cannot show it again.")
				fmt.Fprintln(cmd.ErrOrStderr(), "Token endpoint: POST /api/v1/oauth2/token with grant_type=client_credentials.")
				return nil
			})
		},
	}
	app.AddFlags(create.Flags())
	create.Flags().String("name", "", "a name for the client: the system that will use it (required)")
	create.Flags().String("user", "", "email of the user the client acts as (required)")
	create.Flags().StringSlice("scope", nil, "read or write (default write): what the client may do, as for API keys")
	_ = create.MarkFlagRequired("name")
	_ = create.MarkFlagRequired("user")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the clients of a tenant",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
				if err != nil {
					return err
				}
				all, err := a.Auth.ListClients(ctx, t.ID)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "CLIENT ID\tNAME\tUSER\tSCOPES\tLAST USED")
				for _, c := range all {
					used := "never"
					if c.LastUsedAt != nil {
						used = c.LastUsedAt.Format("2006-01-02 15:04")
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.ClientID, c.Name, c.UserID, strings.Join(c.Scopes, " "), used)
				}
				return w.Flush()
			})
		},
	}
	app.AddFlags(list.Flags())

	revoke := &cobra.Command{
		Use:   "revoke CLIENT_ID",
		Short: "Revoke a client and every access token it obtained",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
				if err != nil {
					return err
				}
				if err := a.Auth.RevokeClient(ctx, t.ID, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked client %s\n", args[0])
				return nil
			})
		},
	}
	app.AddFlags(revoke.Flags())
	client.AddCommand(create, list, revoke)
	oauth.AddCommand(client)
	return oauth
}

// newOIDC is `meridian oidc provider create|list|delete`: identity providers for single sign-on.
func newOIDC() *cobra.Command {
	oidc := &cobra.Command{Use: "oidc", Short: "Manage OpenID Connect single sign-on"}
	provider := &cobra.Command{Use: "provider", Short: "Manage the identity providers of a tenant"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Add an identity provider (client secret from --client-secret-stdin or MERIDIAN_OIDC_CLIENT_SECRET)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				sso, t, err := ssoOf(ctx, a)
				if err != nil {
					return err
				}
				f := cmd.Flags()
				name, _ := f.GetString("name")
				issuer, _ := f.GetString("issuer")
				clientID, _ := f.GetString("client-id")
				domains, _ := f.GetStringSlice("allowed-domain")
				auto, _ := f.GetBool("auto-provision")
				fromStdin, _ := f.GetBool("client-secret-stdin")
				// The secret never comes from a flag: flags show in the process list.
				secret := os.Getenv("MERIDIAN_OIDC_CLIENT_SECRET")
				if fromStdin {
					line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
					if err != nil && line == "" {
						return fmt.Errorf("reading the client secret from standard input: %w", err)
					}
					secret = strings.TrimRight(line, "\r\n")
				}
				if domains == nil {
					domains = []string{}
				}
				in := auth.OIDCProviderInput{Name: &name, IssuerURL: &issuer, ClientID: &clientID, AllowedDomains: domains, AutoProvision: &auto}
				if secret != "" {
					in.ClientSecret = &secret
				}
				p, err := sso.CreateProvider(ctx, t.ID, in)
				if err != nil {
					return err
				}
				path := "/api/v1/auth/oidc/" + p.TenantSlug + "/" + p.Name + "/"
				base := strings.TrimRight(a.Config.PublicURL, "/")
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "created identity provider %s for tenant %s\n", p.Name, t.Slug)
				fmt.Fprintf(out, "redirect URI to register with the provider: %s%scallback\n", base, path)
				fmt.Fprintf(out, "sign-in URL: %s%slogin\n", base, path)
				if base == "" {
					fmt.Fprintln(cmd.ErrOrStderr(), "Set MERIDIAN_PUBLIC_URL to print absolute URLs.")
				}
				if secret != "" && !sso.EncryptsSecrets() {
					fmt.Fprintln(cmd.ErrOrStderr(), "Warning: the client secret is stored unencrypted; set MERIDIAN_SECRET_KEY to seal secrets.")
				}
				return nil
			})
		},
	}
	app.AddFlags(create.Flags())
	create.Flags().String("name", "", "a short name, used in the sign-in URL (required)")
	create.Flags().String("issuer", "", "the provider's issuer URL, e.g. https://login.example.com (required)")
	create.Flags().String("client-id", "", "the client ID the provider issued to Meridian (required)")
	create.Flags().Bool("client-secret-stdin", false, "read the client secret from standard input")
	create.Flags().StringSlice("allowed-domain", nil, "an email domain that may sign in (repeat; default: any)")
	create.Flags().Bool("auto-provision", false, "create unknown users on their first sign-in (needs --allowed-domain)")
	for _, f := range []string{"name", "issuer", "client-id"} {
		_ = create.MarkFlagRequired(f)
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List the identity providers of a tenant",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				sso, t, err := ssoOf(ctx, a)
				if err != nil {
					return err
				}
				all, err := sso.ListProviders(ctx, t.ID)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "NAME\tISSUER\tCLIENT ID\tSECRET\tDOMAINS\tAUTO-PROVISION")
				for _, p := range all {
					fmt.Fprintf(w, "%s\t%s\t%s\t%t\t%s\t%t\n", p.Name, p.IssuerURL, p.ClientID, p.HasClientSecret,
						strings.Join(p.AllowedDomains, ","), p.AutoProvision)
				}
				return w.Flush()
			})
		},
	}
	app.AddFlags(list.Flags())

	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Remove an identity provider (sessions it opened stay valid until they end)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				sso, t, err := ssoOf(ctx, a)
				if err != nil {
					return err
				}
				if err := sso.DeleteProvider(ctx, t.ID, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted identity provider %s\n", args[0])
				return nil
			})
		},
	}
	app.AddFlags(del.Flags())
	provider.AddCommand(create, list, del)
	oidc.AddCommand(provider)
	return oidc
}

// ssoOf returns the single sign-on service and the tenant the command acts on.
func ssoOf(ctx context.Context, a *app.App) (*auth.OIDC, *tenant.Tenant, error) {
	if a.API.SSO == nil {
		return nil, nil, errors.New("single sign-on is not enabled")
	}
	t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
	if err != nil {
		return nil, nil, err
	}
	return a.API.SSO, t, nil
}
