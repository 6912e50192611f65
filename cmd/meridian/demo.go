package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/demo"
	"github.com/meridian-crm/meridian/internal/principal"
)

// The demo's defaults: its own data folder, tenant and administrator.
const (
	demoDB       = "sqlite:./meridian-demo/meridian.db"
	demoTenant   = "demo"
	demoEmail    = "admin@demo.meridian.local"
	demoPassword = "copper-lantern-42"
)

type readyKey struct{}

// withReady returns a context whose demo command calls ready with its URL once it serves (for
// tests, which listen on a free port).
func withReady(ctx context.Context, ready func(url string)) context.Context {
	return context.WithValue(ctx, readyKey{}, ready)
}

func newDemo() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Meridian with a demo company's data (embedded database, ./meridian-demo)",
		Long: "demo starts the server on its own database (default " + demoDB + "), creates the tenant\n" +
			"\"demo\" with two years of data of Kestrel Systems, a fictional company selling industrial IoT in\n" +
			"China and abroad, and prints the URL and the login. Restarting reuses the data. The administrator\n" +
			"comes from MERIDIAN_ADMIN_EMAIL and MERIDIAN_ADMIN_PASSWORD, by default " + demoEmail + " / " + demoPassword + ".\n" +
			"MERIDIAN_DB is ignored, so that demo data never lands in your main database: use --db.",
		RunE: runDemo,
	}
	f := cmd.Flags()
	f.String("addr", app.Defaults().Addr, "listen address (env MERIDIAN_ADDR)")
	f.String("db", demoDB, "database: sqlite:PATH or postgres://…")
	f.Uint64("seed", 1, "random seed of the generated data")
	f.Float64("scale", 1, "size of the data relative to the demo (1 ≈ 1,500 accounts and 40,000 records)")
	f.String("log-level", "warn", "debug, info, warn or error (env MERIDIAN_LOG_LEVEL)")
	f.String("log-format", app.Defaults().LogFormat, "text or json (env MERIDIAN_LOG_FORMAT)")
	app.AddServeFlags(f)
	return cmd
}

func runDemo(cmd *cobra.Command, _ []string) error {
	cfg, err := app.Load(cmd.Flags())
	if err != nil {
		return err
	}
	cfg.DB, _ = cmd.Flags().GetString("db")
	if !cmd.Flags().Changed("log-level") && os.Getenv("MERIDIAN_LOG_LEVEL") == "" {
		cfg.LogLevel = "warn" // the demo prints its own progress
	}
	cfg.Tenant = demoTenant
	password := "(the password in MERIDIAN_ADMIN_PASSWORD)"
	if cfg.AdminEmail == "" {
		cfg.AdminEmail, cfg.AdminName = demoEmail, "Demo Administrator"
	}
	if cfg.AdminPassword == "" {
		cfg.AdminPassword, password = demoPassword, demoPassword
	}
	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg, errOut))
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.EnsureTenant(ctx, demoTenant, "Kestrel Systems (demo)")
	if err != nil {
		return err
	}
	if err := a.Bootstrap(ctx); err != nil {
		return err
	}
	sys := principal.With(ctx, principal.System(t.ID))
	has, err := demo.HasData(sys, a.Records)
	if err != nil {
		return err
	}
	if has {
		fmt.Fprintf(errOut, "Demo data found in %s; starting.\n", a.Store.URL)
	} else {
		seed, _ := cmd.Flags().GetUint64("seed")
		scale, _ := cmd.Flags().GetFloat64("scale")
		fmt.Fprintf(errOut, "Generating the demo company Kestrel Systems (seed %d) in %s …\n", seed, a.Store.URL)
		sum, err := demo.Install(sys, a.Records, demo.Config{Seed: seed, Now: a.Clock(), Scale: scale}, demoProgress(errOut))
		if err != nil {
			return err
		}
		fmt.Fprintf(errOut, "Loaded %d records in %s.\n", sum.Rows, sum.Duration.Round(100*time.Millisecond))
		if err := secureDemo(ctx, a, t.ID, demoPassword); err != nil {
			return err
		}
	}
	return a.Serve(ctx, func(addr string) {
		url := "http://" + addr
		fmt.Fprintf(out, "Meridian demo is running at %s — sign in as %s / %s (Ctrl-C stops it)\n", url, cfg.AdminEmail, password)
		if rep := demoRep(); rep.Email != "" {
			fmt.Fprintf(out, "Or as a sales representative who sees only their region: %s / %s (every demo user has this password)\n", rep.Email, demoPassword)
		}
		fmt.Fprintf(out, "API: %s/api/v1/ (see docs/api.md); the data is described in docs/demo.md\n", url)
		if ready, ok := cmd.Context().Value(readyKey{}).(func(string)); ok {
			ready(url)
		}
	})
}

// demoProgress prints one line per finished step.
func demoProgress(w io.Writer) demo.Progress {
	return func(step string, done, total int) {
		if done == total {
			fmt.Fprintf(w, "  %-20s %7d\n", step, total)
		}
	}
}
