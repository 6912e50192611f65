package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// asOperator returns ctx acting for the operator who runs a command: the system principal of the
// tenant (full access), named "cli:<operating-system user>", with the user agent "meridian-cli", so
// that the audit trail tells the operator's work from the server's own.
func asOperator(ctx context.Context, tenantID string) context.Context {
	p := principal.System(tenantID)
	p.Name = "cli"
	if u, err := user.Current(); err == nil && u.Username != "" {
		p.Name = "cli:" + u.Username
	}
	ctx = principal.WithOrigin(ctx, principal.Origin{UserAgent: "meridian-cli/" + app.Version})
	return principal.With(ctx, p)
}

func newAudit() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify, query, export and purge the audit trail"}
	cmd.AddCommand(newAuditVerify(), newAuditRetention(), newAuditPurge(), newAuditExport())
	return cmd
}

// tenantNames maps tenant ids to slugs, for reports.
func tenantNames(ctx context.Context, a *app.App) map[string]string {
	names := map[string]string{audit.Installation: "(installation)"}
	if ts, err := tenant.List(ctx, a.Store); err == nil {
		for _, t := range ts {
			names[t.ID] = t.Slug
		}
	}
	return names
}

// chosenTenant returns the id of the tenant --tenant names explicitly ("" when it was not given:
// every tenant).
func chosenTenant(ctx context.Context, cmd *cobra.Command, a *app.App) (string, error) {
	if !cmd.Flags().Changed("tenant") {
		return "", nil
	}
	slug, _ := cmd.Flags().GetString("tenant")
	if slug == "installation" {
		return audit.Installation, nil
	}
	t, err := tenant.BySlug(ctx, a.Store, slug)
	if err != nil {
		return "", err
	}
	return t.ID, nil
}

func newAuditVerify() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Recompute the audit hash chain of every tenant (or --tenant) and report every break; exits non-zero on any",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				tid, err := chosenTenant(ctx, cmd, a)
				if err != nil {
					return err
				}
				reps, err := a.Audit.Verify(ctx, tid)
				if err != nil {
					return err
				}
				names := tenantNames(ctx, a)
				out := cmd.OutOrStdout()
				breaks, entries := 0, int64(0)
				for _, r := range reps {
					name := names[r.TenantID]
					if name == "" {
						name = "(unknown tenant)"
					}
					entries += r.Entries
					state := "intact"
					if !r.OK() {
						state = "BROKEN"
					}
					fmt.Fprintf(out, "tenant %s (%s): %s: %d entries, seq %d..%d, head %d %s", name, r.TenantID, state, r.Entries,
						r.FirstSeq, r.LastSeq, r.HeadSeq, short(r.HeadHash))
					if r.AnchorSeq > 0 {
						fmt.Fprintf(out, ", purged through %d", r.AnchorSeq)
					}
					fmt.Fprintln(out)
					for _, b := range r.Breaks {
						fmt.Fprintf(out, "  BREAK tenant %s seq %d: %s: %s\n", name, b.Seq, b.Kind, b.Detail)
					}
					if r.MoreBreaks > 0 {
						fmt.Fprintf(out, "  … and %d more breaks\n", r.MoreBreaks)
					}
					breaks += len(r.Breaks) + r.MoreBreaks
				}
				if breaks > 0 {
					return fmt.Errorf("audit trail broken: %d breaks", breaks)
				}
				fmt.Fprintf(out, "audit trail intact: %d tenants, %d entries\n", len(reps), entries)
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().Lookup("tenant").Usage = "verify only this tenant (slug; default: every tenant)"
	return cmd
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

func newAuditRetention() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Show or set (--days N, 0 keeps forever) how long the tenant's audit entries are kept",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
				if err != nil {
					return err
				}
				if cmd.Flags().Changed("days") {
					days, _ := cmd.Flags().GetInt("days")
					if err := a.Audit.SetRetention(asOperator(ctx, t.ID), t.ID, days); err != nil {
						return err
					}
				}
				days, err := a.Audit.Retention(ctx, t.ID)
				if err != nil {
					return err
				}
				if days == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "tenant %s keeps its audit entries forever\n", t.Slug)
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "tenant %s keeps its audit entries for %d days\n", t.Slug, days)
				}
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().Int("days", 0, "retention in days (0: keep forever)")
	return cmd
}

func newAuditPurge() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Delete audit entries older than each tenant's retention (the server also does this hourly)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				tid, err := chosenTenant(ctx, cmd, a)
				if err != nil {
					return err
				}
				var res []audit.PurgeResult
				if tid == "" {
					res, err = a.Audit.PurgeExpired(ctx)
				} else {
					var r audit.PurgeResult
					r, err = a.Audit.Purge(asOperator(ctx, tid), tid)
					res = append(res, r)
				}
				if err != nil {
					return err
				}
				names := tenantNames(ctx, a)
				n := 0
				for _, r := range res {
					if r.Deleted > 0 {
						n++
						fmt.Fprintf(cmd.OutOrStdout(), "tenant %s: purged %d entries (the chain now starts after seq %d)\n", names[r.TenantID], r.Deleted, r.ThroughSeq)
					}
				}
				if n == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "nothing to purge")
				}
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().Lookup("tenant").Usage = "purge only this tenant (slug; default: every tenant with a retention)"
	return cmd
}

func newAuditExport() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the tenant's audit entries as CSV or JSON Lines (the export is itself audited)",
		Example: `  meridian audit export --tenant acme --filter "record_id eq 0190…" --format csv --out trail.csv
  meridian audit export --filter "at ge 2030-01-01T00:00:00Z and action eq 'login_failed'" --format jsonl`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				t, err := tenant.BySlug(ctx, a.Store, a.Config.Tenant)
				if err != nil {
					return err
				}
				o := &query.Options{}
				if s, _ := cmd.Flags().GetString("filter"); s != "" {
					if o.Filter, err = query.ParseFilter(s); err != nil {
						return err
					}
				}
				if s, _ := cmd.Flags().GetString("select"); s != "" {
					if o.Select, err = query.ParseSelect(s); err != nil {
						return err
					}
				}
				if s, _ := cmd.Flags().GetString("orderby"); s != "" {
					if o.OrderBy, err = query.ParseOrderBy(s); err != nil {
						return err
					}
				}
				format, _ := cmd.Flags().GetString("format")
				if format != "csv" && format != "jsonl" {
					return fmt.Errorf("the audit trail exports as csv or jsonl, not %q", format)
				}
				ctx = asOperator(ctx, t.ID)
				// Check the query before recording the export and creating the file.
				probe, one := *o, 1
				probe.Top = &one
				if _, err := a.Audit.List(ctx, &probe, 1); err != nil {
					return err
				}
				if err := a.Audit.Event(ctx, audit.Event{Action: audit.ActionExport, Entity: "audit",
					Details: map[string]any{"format": format, "filter": flag(cmd, "filter"), "select": flag(cmd, "select")}}); err != nil {
					return err
				}
				var out io.Writer = cmd.OutOrStdout()
				if path, _ := cmd.Flags().GetString("out"); path != "" {
					f, err := os.Create(path)
					if err != nil {
						return err
					}
					defer f.Close()
					out = f
				}
				n, err := a.Audit.Export(ctx, o, format, out)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "exported %d audit entries\n", n)
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().String("format", "csv", "csv or jsonl")
	cmd.Flags().String("filter", "", "OData $filter, e.g. record_id eq <id>, user_id eq <id>, entity eq 'account', at ge 2030-01-01T00:00:00Z")
	cmd.Flags().String("select", "", "comma-separated fields ($select)")
	cmd.Flags().String("orderby", "", "OData $orderby (default: seq)")
	cmd.Flags().String("out", "", "output file (default: standard output)")
	return cmd
}

func flag(cmd *cobra.Command, name string) string {
	s, _ := cmd.Flags().GetString(name)
	return s
}
