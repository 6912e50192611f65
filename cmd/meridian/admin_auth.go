package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// cliUser finds the user with email in the configured tenant and returns the tenant and user IDs.
func cliUser(ctx context.Context, a *app.App, email string) (string, string, error) {
	t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
	if err != nil {
		return "", "", err
	}
	uid, err := a.Records.IDByKey(principal.With(ctx, principal.System(t.ID)), "user", map[string]string{"email": strings.ToLower(strings.TrimSpace(email))})
	if err != nil {
		return "", "", fmt.Errorf("user %s: %w", email, err)
	}
	return t.ID, uid, nil
}

// apiKeyFlags adds the scope and expiry flags of `apikey create`; --expires-in is the old
// spelling of --expires.
func apiKeyFlags(fs *pflag.FlagSet) {
	fs.StringSlice("scope", []string{"write"}, "what the key may do: read (GET only) or write (everything); repeatable")
	fs.Duration("expires", 0, "lifetime, e.g. 720h (default: never expires)")
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "expires-in" {
			name = "expires"
		}
		return pflag.NormalizedName(name)
	})
}

// userCommand makes a `user` subcommand that acts on the user named by --email.
func userCommand(use, short string, fn func(ctx context.Context, a *app.App, tenantID, userID string) error, done string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				email, _ := cmd.Flags().GetString("email")
				tid, uid, err := cliUser(ctx, a, email)
				if err != nil {
					return err
				}
				if err := fn(ctx, a, tid, uid); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", done, email)
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().String("email", "", "email address of the user (required)")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func newUserUnlock() *cobra.Command {
	return userCommand("unlock", "Lift a sign-in lock after repeated failed sign-ins",
		func(ctx context.Context, a *app.App, tid, uid string) error { return a.Auth.Unlock(ctx, tid, uid) }, "unlocked")
}

func newUserResetMFA() *cobra.Command {
	return userCommand("reset-mfa", "Remove a user's second factors (TOTP and recovery codes), e.g. after a lost phone",
		func(ctx context.Context, a *app.App, tid, uid string) error { return a.Auth.ResetMFA(ctx, tid, uid) }, "second factors removed for")
}

func newAPIKeyList() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List a user's API keys (never the keys themselves)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				email, _ := cmd.Flags().GetString("user")
				tid, uid, err := cliUser(ctx, a, email)
				if err != nil {
					return err
				}
				keys, err := a.Auth.ListAPIKeys(ctx, tid, uid)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tPREFIX\tNAME\tSCOPES\tEXPIRES\tLAST USED")
				for _, k := range keys {
					scopes := strings.Join(k.Scopes, ",")
					if scopes == "" {
						scopes = "write"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Name, scopes, when(k.ExpiresAt, "never"), when(k.LastUsedAt, "-"))
				}
				return w.Flush()
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().String("user", "", "email of the user (required)")
	_ = cmd.MarkFlagRequired("user")
	return cmd
}

func when(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

func newAPIKeyRevoke() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API key of a user (the ID from apikey list)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				email, _ := cmd.Flags().GetString("user")
				tid, uid, err := cliUser(ctx, a, email)
				if err != nil {
					return err
				}
				if err := a.Auth.RevokeAPIKey(ctx, tid, uid, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked %s\n", args[0])
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().String("user", "", "email of the key's user (required)")
	_ = cmd.MarkFlagRequired("user")
	return cmd
}
