package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/jobs"
)

// newJobs returns "jobs list|retry|cancel": the job queue's contents, its dead letters (discarded
// jobs, with their last error) and retrying them.
func newJobs() *cobra.Command {
	cmd := &cobra.Command{Use: "jobs", Short: "Inspect and retry background jobs"}
	var state, kind, tenant string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List jobs, newest first, with the counts per state (--state discarded: the dead letters)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				counts, err := a.Jobs.Counts(ctx)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				for i, s := range jobs.States {
					sep := "  "
					if i == len(jobs.States)-1 {
						sep = "\n"
					}
					fmt.Fprintf(out, "%s %d%s", s, counts[s], sep)
				}
				js, err := a.Jobs.List(ctx, jobs.Filter{State: state, Kind: kind, Tenant: tenant, Limit: limit})
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPT\tSCHEDULED\tLAST ERROR")
				for _, j := range js {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts,
						j.ScheduledAt.Format(time.RFC3339), j.LastError)
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&state, "state", "", "only jobs in this state (pending, scheduled, available, running, retryable, completed, cancelled, discarded)")
	list.Flags().IntVar(&limit, "limit", 50, "at most this many jobs")
	list.Flags().StringVar(&kind, "kind", "", "only jobs of this kind (e.g. sla_timer)")
	list.Flags().StringVar(&tenant, "tenant-id", "", "only the jobs of this tenant (its id); the counts stay every tenant's")
	app.AddFlags(list.Flags())
	retry := jobCommand("retry ID", "Run a discarded, cancelled or retryable job again now", (*jobs.Queue).Retry,
		"job %d (%s) is %s; a running server works it next\n")
	cancel := jobCommand("cancel ID", "Cancel a job that has not run (it will not run again)", (*jobs.Queue).Cancel,
		"job %d (%s) is %s\n")
	cmd.AddCommand(list, retry, cancel)
	return cmd
}

// jobCommand returns a command that changes one job's state with do and reports it.
func jobCommand(use, short string, do func(*jobs.Queue, context.Context, int64) (jobs.Job, error), report string) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("job id %q is not a number", args[0])
			}
			return withApp(cmd, func(ctx context.Context, a *app.App) error {
				j, err := do(a.Jobs, ctx, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), report, j.ID, j.Kind, j.State)
				return nil
			})
		},
	}
	app.AddFlags(c.Flags())
	return c
}
