package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/demo"
	"github.com/meridian-crm/meridian/internal/principal"
)

func newSeed() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Generate demo-like accounts, contacts and opportunities at scale (load tests)",
		Long: "seed brings the tenant (created if needed) to --accounts seeded accounts, each with two or three\n" +
			"contacts and one or two opportunities (and activities with --with-activities), written through the\n" +
			"records service in one transaction per batch. Running it again with the same number adds nothing;\n" +
			"a larger number, or a run after an interruption, continues where the last batch ended, with the\n" +
			"same content as one uninterrupted run.",
		Example: "  meridian seed --tenant load --accounts 1000000\n  meridian seed --db postgres://… --tenant load --accounts 100000 --with-activities",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				n, _ := cmd.Flags().GetInt("accounts")
				if n <= 0 {
					return fmt.Errorf("--accounts must be positive")
				}
				t, err := a.EnsureTenant(ctx, a.Config.Tenant, a.Config.Tenant)
				if err != nil {
					return err
				}
				opt := demo.SeedOptions{Accounts: n, Now: a.Clock()}
				opt.Seed, _ = cmd.Flags().GetUint64("seed")
				opt.Batch, _ = cmd.Flags().GetInt("batch")
				opt.Activities, _ = cmd.Flags().GetBool("with-activities")
				var bar *progressbar.ProgressBar
				opt.Progress = func(p demo.SeedProgress) {
					if bar == nil {
						bar = progressbar.NewOptions(p.Target, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
							progressbar.OptionSetDescription("accounts"), progressbar.OptionShowCount(), progressbar.OptionSetWidth(30),
							progressbar.OptionSetPredictTime(true), progressbar.OptionShowDescriptionAtLineEnd(),
							progressbar.OptionThrottle(200*time.Millisecond))
					}
					_ = bar.Set(p.Accounts)
					bar.Describe(fmt.Sprintf("%d rows, %.0f rows/s", p.Rows, float64(p.Rows)/max(p.Elapsed.Seconds(), 0.001)))
				}
				res, err := demo.Seed(principal.With(ctx, principal.System(t.ID)), a.Records, opt)
				if bar != nil {
					_ = bar.Finish()
					fmt.Fprintln(cmd.ErrOrStderr())
				}
				if err != nil {
					return err
				}
				w := cmd.OutOrStdout()
				if res.Added == 0 {
					fmt.Fprintf(w, "tenant %s already has %d seeded accounts; nothing to add\n", t.Slug, res.Existing)
					return nil
				}
				fmt.Fprintf(w, "seeded tenant %s in %s (%s): %d accounts added (%d before), %d rows, %.0f rows/s\n",
					t.Slug, a.Store.D.Name(), res.Duration.Round(time.Second/10), res.Added, res.Existing, res.Rows,
					float64(res.Rows)/max(res.Duration.Seconds(), 0.001))
				fmt.Fprintln(w, "  "+formatCounts(res.Counts))
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().Int("accounts", 0, "number of seeded accounts the tenant should have (required)")
	cmd.Flags().Uint64("seed", 1, "random seed of the generated data")
	cmd.Flags().Int("batch", 5000, "accounts per transaction")
	cmd.Flags().Bool("with-activities", false, "also generate activities (about 6 per account)")
	_ = cmd.MarkFlagRequired("accounts")
	return cmd
}

// formatCounts lists record counts by entity, largest first.
func formatCounts(counts map[string]int) string {
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}
