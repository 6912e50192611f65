package main

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/tenant"
)

func newSearch() *cobra.Command {
	cmd := &cobra.Command{Use: "search", Short: "Manage the global search index"}
	cmd.AddCommand(newSearchReindex())
	return cmd
}

func newSearchReindex() *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index of every tenant (or --tenant) from the records, with a progress bar",
		Long: `Rebuild the search index from the entity tables. The server keeps the index up to date from the
change log by itself (and rebuilds a tenant when the searchable attributes change); rebuild by
hand after restoring a backup or when results look wrong. Searches keep working meanwhile, with
partial results until the rebuild ends.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				tid, err := chosenTenant(ctx, cmd, a)
				if err != nil {
					return err
				}
				ts, err := tenant.List(ctx, a.Store)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				done := 0
				for _, t := range ts {
					if tid != "" && t.ID != tid {
						continue
					}
					var bar *progressbar.ProgressBar
					start := time.Now()
					n, err := a.Search.Reindex(ctx, t.ID, func(d, total int) {
						if quiet {
							return
						}
						if bar == nil {
							bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
								progressbar.OptionSetDescription("indexing "+t.Slug), progressbar.OptionSetWidth(30),
								progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("records"),
								progressbar.OptionThrottle(200*time.Millisecond))
						}
						_ = bar.Set(d)
					})
					if bar != nil {
						_ = bar.Exit()
						fmt.Fprintln(cmd.ErrOrStderr())
					}
					if err != nil {
						return fmt.Errorf("reindex %s: %w", t.Slug, err)
					}
					done++
					fmt.Fprintf(out, "tenant %s: indexed %d records in %s\n", t.Slug, n, time.Since(start).Round(time.Millisecond))
				}
				if done == 0 {
					return fmt.Errorf("no tenant to index")
				}
				return nil
			})
		},
	}
	app.AddFlags(cmd.Flags())
	cmd.Flags().Lookup("tenant").Usage = "rebuild only this tenant (slug; default: every tenant)"
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}
