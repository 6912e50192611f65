package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meridian-crm/meridian/internal/bench"
)

func newBench() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure API scenarios against raw SQL on the same database (results as a Markdown table)",
		Long: "bench loads --accounts accounts into a tenant of its own (reusing an earlier load of the same size),\n" +
			"serves the API on a loopback port, and measures each scenario through HTTP and the same operation\n" +
			"done with raw SQL on the same database, one after the other, for --duration each.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, _ := cmd.Flags().GetString("db")
			n, _ := cmd.Flags().GetInt("accounts")
			d, _ := cmd.Flags().GetDuration("duration")
			seed, _ := cmd.Flags().GetUint64("seed")
			if prof, _ := cmd.Flags().GetString("cpuprofile"); prof != "" {
				f, err := os.Create(prof)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			if prof, _ := cmd.Flags().GetString("memprofile"); prof != "" {
				runtime.MemProfileRate = 64 << 10
				defer func() {
					if f, err := os.Create(prof); err == nil {
						_ = pprof.Lookup("allocs").WriteTo(f, 0)
						f.Close()
					}
				}()
			}
			sc, _ := cmd.Flags().GetString("scenario")
			if sc == "pocketbase" {
				return runPeer(cmd, n, d, seed)
			}
			if sc == "import-bombs" {
				size, _ := cmd.Flags().GetInt64("bomb-size")
				only, _ := cmd.Flags().GetStringSlice("bombs")
				rs, err := bench.RunImportBombs(cmd.Context(), bench.Config{DB: db, Progress: cmd.ErrOrStderr()}, size, only)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "import bombs expanding to %d bytes, uploaded by a tenant administrator\n\n%s", size, bench.BombsMarkdown(rs))
				return nil
			}
			if sc == "import" {
				r, err := bench.RunImport(cmd.Context(), bench.Config{DB: db, Accounts: n, Seed: seed, Progress: cmd.ErrOrStderr()})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "import of %d accounts from CSV\n\n| path | time | rows/s |\n|---|---:|---:|\n"+
					"| meridian import (validation, versions, change log, checkpoints) | %s | %.0f |\n| raw: %s | %s | %.0f |\n"+
					"| floor: the import's rows of every table (records, change log, audit, duplicate keys) written again, nothing else | %s | %.0f |\n\n"+
					"import/raw: %.2f; import/floor: %.2f\n",
					r.Rows, r.ImportTime.Round(time.Millisecond), r.ImportPerSec, r.RawMethod, r.RawTime.Round(time.Millisecond), r.RawPerSec,
					r.FloorTime.Round(time.Millisecond), r.FloorPerSec, r.Ratio(), r.ImportPerSec/r.FloorPerSec)
				return nil
			} else if sc == "tenants" {
				nt, _ := cmd.Flags().GetInt("tenants")
				r, err := bench.RunTenants(cmd.Context(), bench.TenantsConfig{DB: db, Tenants: nt, Accounts: n, Duration: d, Seed: seed, Progress: cmd.ErrOrStderr()})
				if err != nil {
					return err
				}
				dialect := "sqlite"
				if strings.HasPrefix(db, "postgres") {
					dialect = "postgres"
				}
				fmt.Fprintln(cmd.OutOrStdout(), bench.TenantsMarkdown(r, dialect, n))
				return nil
			} else if sc != "api" {
				return fmt.Errorf("unknown scenario %q: api, import, import-bombs, pocketbase or tenants", sc)
			}
			start := time.Now()
			env, err := bench.Setup(cmd.Context(), bench.Config{DB: db, Accounts: n, Duration: d, Seed: seed, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			defer env.Close()
			fmt.Fprintf(cmd.ErrOrStderr(), "data ready in %s; measuring %s per side\n", time.Since(start).Round(time.Second), d)
			res, err := env.Run(d)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s, %d accounts\n\n%s\n", env.App.Store.D.Name(), n, bench.Markdown(res))
			return nil
		},
	}
	cmd.Flags().String("db", "sqlite:./meridian-bench/bench.db", "database to load and measure")
	cmd.Flags().Int("accounts", 100000, "number of accounts")
	cmd.Flags().Duration("duration", 3*time.Second, "measuring time per scenario and side")
	cmd.Flags().Uint64("seed", 1, "random seed of the generated data")
	cmd.Flags().String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	cmd.Flags().String("memprofile", "", "write an allocation profile of the whole run to this file (go tool pprof -sample_index=alloc_space)")
	cmd.Flags().String("scenario", "api", "api (reads and writes through HTTP), import (CSV import versus raw bulk load), import-bombs "+
		"(the server's memory while hostile import files are uploaded), pocketbase (Meridian and PocketBase side by side, "+
		"as two processes on the same data: --pocketbase, --connections) or tenants (one tenant among --tenants, each with its own data model, "+
		"versus the same tenant alone)")
	cmd.Flags().Int("tenants", 1000, "tenants scenario: how many tenants share the database")
	cmd.Flags().String("pocketbase", "", "pocketbase scenario: the PocketBase binary (scripts/compare-pocketbase.sh builds it outside the tree)")
	cmd.Flags().Int("connections", 50, "pocketbase scenario: clients of the read and create measurements")
	cmd.Flags().IntSlice("create-clients", []int{1, 4, 8}, "pocketbase scenario: client counts of the extra create measurements")
	cmd.Flags().Int("batch-size", 500, "pocketbase scenario: records per batch request")
	cmd.Flags().Int("batch-clients", 2, "pocketbase scenario: clients of the batch measurement")
	cmd.Flags().String("json", "", "pocketbase scenario: also write the results as JSON to this file")
	cmd.Flags().String("dir", "", "pocketbase scenario: work folder, kept afterwards with both servers' logs (default: a temporary one, removed)")
	cmd.Flags().String("only", "", "pocketbase scenario: measure only the scenarios whose name holds this text (e.g. create)")
	cmd.Flags().Int64("bomb-size", 400<<20, "import-bombs: bytes each hostile file expands to")
	cmd.Flags().StringSlice("bombs", nil, "import-bombs: the bombs to upload (default all): inline-string, shared-string, many-rows, huge-field, huge-line, many-parts")
	return cmd
}

// runPeer runs the pocketbase scenario: Meridian (this executable, on --db when it is given, else
// a new SQLite file) and PocketBase side by side.
func runPeer(cmd *cobra.Command, accounts int, d time.Duration, seed uint64) error {
	f := cmd.Flags()
	cfg := bench.PeerConfig{Accounts: accounts, Duration: d, Seed: seed, Progress: cmd.ErrOrStderr()}
	cfg.PocketBase, _ = f.GetString("pocketbase")
	if f.Changed("db") {
		cfg.DB, _ = f.GetString("db")
	}
	cfg.Connections, _ = f.GetInt("connections")
	cfg.CreateClients, _ = f.GetIntSlice("create-clients")
	cfg.BatchSize, _ = f.GetInt("batch-size")
	cfg.BatchClients, _ = f.GetInt("batch-clients")
	cfg.Only, _ = f.GetString("only")
	cfg.Dir, _ = f.GetString("dir")
	r, err := bench.RunPeer(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	if path, _ := f.GetString("json"); path != "" {
		b, err := bench.PeerJSON(r)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintln(cmd.OutOrStdout(), bench.PeerMarkdown(r))
	return nil
}
