package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/tenant"
)

func newUser() *cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manage users"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user with a password (read from --password, MERIDIAN_USER_PASSWORD or standard input)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				email, _ := cmd.Flags().GetString("email")
				name, _ := cmd.Flags().GetString("name")
				pw, _ := cmd.Flags().GetString("password")
				if pw == "" {
					pw = os.Getenv("MERIDIAN_USER_PASSWORD")
				}
				if pw == "" {
					fmt.Fprint(cmd.ErrOrStderr(), "password: ")
					line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
					pw = strings.TrimRight(line, "\r\n")
				}
				if name == "" {
					name, _, _ = strings.Cut(email, "@")
				}
				t, err := a.EnsureTenant(ctx, a.Config.Tenant, a.Config.Tenant)
				if err != nil {
					return err
				}
				roles, _ := cmd.Flags().GetStringArray("role")
				if admin, _ := cmd.Flags().GetBool("admin"); admin {
					roles = append(roles, access.AdminRole)
				}
				id, err := a.CreateUser(ctx, t.ID, email, name, pw, roles...)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created user %s (%s) in tenant %s\n", email, id, t.Slug)
				if len(roles) == 0 {
					fmt.Fprintln(cmd.ErrOrStderr(), "the user holds no security role yet: it can sign in but see nothing until an administrator gives it one (--role NAME or --admin)")
				}
				return nil
			})
		},
	}
	app.AddFlags(create.Flags())
	create.Flags().String("email", "", "email address (required)")
	create.Flags().String("name", "", "full name")
	create.Flags().String("password", "", "password (prefer MERIDIAN_USER_PASSWORD or standard input)")
	create.Flags().StringArray("role", nil, "security role to give the user (repeatable)")
	create.Flags().Bool("admin", false, "make the user a tenant administrator (the "+access.AdminRole+" role)")
	_ = create.MarkFlagRequired("email")
	user.AddCommand(create, newUserUnlock(), newUserResetMFA())
	return user
}

func newAPIKey() *cobra.Command {
	key := &cobra.Command{Use: "apikey", Short: "Manage API keys"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key for a user and print it",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				email, _ := cmd.Flags().GetString("user")
				name, _ := cmd.Flags().GetString("name")
				ttl, _ := cmd.Flags().GetDuration("expires")
				scopes, _ := cmd.Flags().GetStringSlice("scope")
				tid, uid, err := cliUser(ctx, a, email)
				if err != nil {
					return err
				}
				_, k, err := a.Auth.CreateAPIKey(ctx, tid, uid, auth.APIKeyInput{Name: name, Scopes: scopes, ExpiresIn: ttl})
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), k)
				return nil
			})
		},
	}
	app.AddFlags(create.Flags())
	create.Flags().String("user", "", "email of the user the key acts as (required)")
	create.Flags().String("name", "cli", "a name for the key")
	apiKeyFlags(create.Flags())
	_ = create.MarkFlagRequired("user")
	key.AddCommand(create, newAPIKeyList(), newAPIKeyRevoke())
	return key
}

func newTenant() *cobra.Command {
	t := &cobra.Command{Use: "tenant", Short: "Manage tenants"}
	create := &cobra.Command{
		Use:   "create SLUG [NAME]",
		Short: "Create a tenant",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				name := args[0]
				if len(args) > 1 {
					name = args[1]
				}
				placement, _ := cmd.Flags().GetString("placement")
				tn, err := a.CreateTenant(ctx, args[0], name, placement)
				if err != nil {
					return err
				}
				if placement != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "tenant %s is pinned to placement %s\n", tn.Slug, placement)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created tenant %s (%s)\n", tn.Slug, tn.ID)
				return nil
			})
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List tenants",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				all, err := tenant.List(ctx, a.Store)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "SLUG\tNAME\tSTATUS\tPLACEMENT\tID")
				for _, x := range all {
					place := x.Placement
					if place == "" {
						place = "main"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", x.Slug, x.Name, x.Status, place, x.ID)
				}
				return w.Flush()
			})
		},
	}
	app.AddFlags(create.Flags())
	create.Flags().String("placement", "", "pin the tenant to this configured database of its own (MERIDIAN_PLACEMENTS)")
	app.AddFlags(list.Flags())
	t.AddCommand(create, list,
		newTenantStatus("disable", tenant.Disabled, "Disable a tenant: its users cannot sign in and its tokens and keys stop working"),
		newTenantStatus("enable", tenant.Active, "Enable a disabled tenant"))
	return t
}
