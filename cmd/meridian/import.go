package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/principal"
)

func newImport() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import records from CSV or XLSX: bad rows go to an error file; an interrupted import resumes",
		Long: `Import records from a CSV file (comma, semicolon or tab; UTF-8, UTF-8 with BOM, UTF-16 or
GBK/GB18030) or an Excel workbook (.xlsx, first sheet). Columns match attributes by logical name
or English/Chinese display name, or through --map. Rows that fail go to FILE.errors.csv (the
original row plus _line, _column, _code and _error); the others are imported. Running the same
command on the same file after an interruption resumes the import where it stopped.`,
		Example: `  meridian import accounts.csv --entity accounts
  meridian import salesforce.csv --entity accounts --map salesforce.yaml --upsert-key account_number
  meridian import 客户.csv --entity accounts --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(ctx context.Context, a *app.App) error { return runImport(ctx, cmd, a, args[0]) })
		},
	}
	app.AddFlags(cmd.Flags())
	f := cmd.Flags()
	f.String("entity", "", "entity or entity set to import into (required)")
	f.String("map", "", "mapping file (YAML): columns, defaults and choices")
	f.String("upsert-key", "", "update the records with this key (id, a unique attribute or an alternate key, e.g. account_number) and create the others")
	f.Bool("dry-run", false, "validate every row and write the error file, but keep nothing")
	f.String("errors", "", "error file (default: FILE.errors.csv beside the file)")
	f.Int("batch-size", exchange.DefaultBatchSize, "rows per transaction")
	f.Bool("restart", false, "abandon an unfinished import of the same file and start over")
	f.Bool("no-progress", false, "do not draw the progress bar")
	_ = cmd.MarkFlagRequired("entity")
	return cmd
}

func runImport(ctx context.Context, cmd *cobra.Command, a *app.App, path string) error {
	f := cmd.Flags()
	req := exchange.Request{Path: path, Source: exchange.SourceCLI, Resume: true}
	req.Entity, _ = f.GetString("entity")
	req.DryRun, _ = f.GetBool("dry-run")
	req.ErrorPath, _ = f.GetString("errors")
	req.BatchSize, _ = f.GetInt("batch-size")
	req.Restart, _ = f.GetBool("restart")
	if k, _ := f.GetString("upsert-key"); k != "" {
		for _, part := range strings.Split(k, ",") {
			req.UpsertKey = append(req.UpsertKey, strings.TrimSpace(part))
		}
	}
	if m, _ := f.GetString("map"); m != "" {
		raw, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		if req.Mapping, err = exchange.ParseMapping(raw); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	t, err := a.EnsureTenant(ctx, a.Config.Tenant, a.Config.Tenant)
	if err != nil {
		return err
	}
	ctx = principal.With(ctx, principal.System(t.ID))
	im := a.NewImporter()
	job, resumed, err := im.Start(ctx, req)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	if resumed {
		fmt.Fprintf(stderr, "resuming job %s at row %d of %d\n", job.ID, job.RowsDone, job.RowsTotal)
	}
	set := job.Entity
	if m, err := a.Registry.Tenant(ctx, t.ID); err == nil && m.Entity(job.Entity) != nil {
		set = m.Entity(job.Entity).SetName
	}
	quiet, _ := f.GetBool("no-progress")
	bar := newImportBar(stderr, set, quiet)
	s, err := im.Run(ctx, job, bar.update)
	bar.finish()
	if err != nil {
		if job.Status == exchange.StatusRunning {
			fmt.Fprintf(stderr, "import interrupted at row %d of %d: run the same command again to resume\n", job.RowsDone, job.RowsTotal)
		}
		return err
	}
	printSummary(cmd.OutOrStdout(), job, set, s)
	return nil
}

// importBar draws the progress bar once the number of rows is known.
type importBar struct {
	w      io.Writer
	entity string
	quiet  bool
	bar    *progressbar.ProgressBar
	last   int64
}

func newImportBar(w io.Writer, entity string, quiet bool) *importBar {
	return &importBar{w: w, entity: entity, quiet: quiet}
}

func (b *importBar) update(p exchange.Progress) {
	if b.quiet {
		return
	}
	if b.bar == nil {
		desc := "importing " + b.entity
		if p.RowsDone > 0 {
			desc = fmt.Sprintf("importing %s from row %d", b.entity, p.RowsDone)
		}
		b.bar = progressbar.NewOptions64(p.RowsTotal-p.RowsDone,
			progressbar.OptionSetWriter(b.w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
		)
		b.last = p.RowsDone
	}
	_ = b.bar.Add64(p.RowsDone - b.last)
	b.last = p.RowsDone
}

func (b *importBar) finish() {
	if b.bar != nil {
		_ = b.bar.Exit()
		fmt.Fprintln(b.w)
	}
}

func printSummary(w io.Writer, j *exchange.Job, set string, s *exchange.Summary) {
	verb := "imported"
	if s.DryRun {
		verb = "checked (dry run: nothing was kept)"
	}
	fmt.Fprintf(w, "%s %d rows of %s into %s (job %s)\n", verb, s.Total, j.FileName, set, j.ID)
	fmt.Fprintf(w, "  created  %d\n  updated  %d\n  skipped  %d\n  failed   %d\n", s.Created, s.Updated, s.Skipped, s.Failed)
	rows := s.Total - s.ResumedAt
	fmt.Fprintf(w, "  time     %s for %d rows (%.0f rows/s)\n", s.Duration.Round(time.Millisecond), rows, s.RowsPerSec)
	for _, x := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", x)
	}
	if s.ErrorFile != "" {
		fmt.Fprintf(w, "%d rows failed: see %s\n", s.Failed, s.ErrorFile)
	}
}
