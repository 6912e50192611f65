package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/fault"
)

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "meridian",
		Short:         "Meridian: an open-source, intelligent CRM server",
		SilenceUsage:  true,
		SilenceErrors: false,
		Version:       app.Version,
	}
	root.AddCommand(newDemo(), newServe(), newMigrate(), newUser(), newAPIKey(), newTenant(), newExport(), newImport(), newBench(), newSeed(), newOAuth(), newOIDC())
	root.AddCommand(newAudit())
	root.AddCommand(newRole(), newShare(), newUnit(), newTeam())
	root.AddCommand(newOpenAPI(), newJobs(), newSearch())
	return root
}

// openApp loads the configuration of cmd and opens the database.
func openApp(cmd *cobra.Command) (*app.App, context.Context, context.CancelFunc, error) {
	cfg, err := app.Load(cmd.Flags())
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg, os.Stderr))
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return a, ctx, cancel, nil
}

// withApp opens the application for cmd, runs fn, and closes it.
func withApp(cmd *cobra.Command, fn func(ctx context.Context, a *app.App) error) error {
	a, ctx, cancel, err := openApp(cmd)
	if err != nil {
		return err
	}
	defer cancel()
	defer a.Close()
	// A tenant pinned to a database of its own is served by that database's App.
	if inst, _, err := a.ForTenant(ctx, a.Config.Tenant); err == nil {
		return fn(ctx, inst)
	} else if fault.Is(err, fault.Unavailable) {
		return err
	}
	return fn(ctx, a)
}

func newServe() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server (API and web client)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				if err := a.Bootstrap(ctx); err != nil {
					return err
				}
				return a.Serve(ctx, nil)
			})
		},
	}
	app.AddFlags(cmd.Flags())
	app.AddServeFlags(cmd.Flags())
	cmd.Flags().String("addr", app.Defaults().Addr, "listen address (env MERIDIAN_ADDR)")
	return cmd
}

func newMigrate() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply schema migrations and bring system tables up to date, then exit",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				v, err := a.Store.SchemaVersion(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "database %s is at schema version %d with %s\n", a.Store.URL, v, a.Registry.System())
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	return cmd
}
