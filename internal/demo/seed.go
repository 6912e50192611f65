package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// SeedPrefix starts the account numbers of seeded accounts ("SD-00000001").
const SeedPrefix = "SD-"

// SeedOptions configure Seed.
type SeedOptions struct {
	// Accounts is the number of seeded accounts the tenant should have: Seed adds what is
	// missing, so running it again with the same number adds nothing and an interrupted run
	// resumes where it stopped.
	Accounts   int
	Seed       uint64
	Now        time.Time
	Batch      int  // accounts per transaction (default 5,000)
	Activities bool // also generate activities on accounts and opportunities
	// Progress is called after each committed batch.
	Progress func(SeedProgress)
}

// SeedProgress reports a seed in progress.
type SeedProgress struct {
	Accounts, Target, Rows int // seeded accounts so far (all runs), the target, rows written by this run
	Elapsed                time.Duration
}

// SeedResult reports a finished seed.
type SeedResult struct {
	Existing, Added int            // seeded accounts before the run, and accounts added by it
	Counts          map[string]int // records created by entity
	Rows            int
	Duration        time.Duration
}

// Seed generates accounts with two to three contacts and one or two opportunities each (and
// optionally activities), in batches of one transaction each, through records.CreateMany. The
// content of account k depends only on the seed, the reference day and k's batch, so a resumed
// or extended seed writes what a single run would have.
func Seed(ctx context.Context, svc *records.Service, o SeedOptions) (SeedResult, error) {
	start := time.Now()
	if o.Batch <= 0 {
		o.Batch = 5000
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	res := SeedResult{Counts: map[string]int{}}
	users, err := ensureStaff(ctx, svc)
	if err != nil {
		return res, err
	}
	if res.Existing, err = seeded(ctx, svc); err != nil {
		return res, err
	}
	now := truncDay(o.Now)
	if o.Progress != nil && res.Existing < o.Accounts {
		o.Progress(SeedProgress{Accounts: res.Existing, Target: o.Accounts})
	}
	analyzed := res.Existing // seeded accounts when the statistics were last refreshed
	for done := res.Existing; done < o.Accounts; {
		chunk := done / o.Batch
		d := seedChunk(o, now, chunk, done-chunk*o.Batch, min(o.Batch, o.Accounts-chunk*o.Batch))

		l := NewLoader(svc)
		l.Preset("user", users)
		err := svc.Store().WithTx(ctx, func(ctx context.Context) error {
			counts, err := l.Load(ctx, d)
			for k, v := range counts {
				res.Counts[k] += v
			}
			return err
		})
		if err != nil {
			return res, err
		}
		n := d.Count("account")
		done += n
		res.Added += n
		res.Rows += d.Size()
		// As the importer does: refresh the statistics whenever the seed has grown the tenant
		// tenfold (from 1,000 on), or PostgreSQL keeps planning the batches' lookup checks for
		// the empty tenant and they scan it (the seed slowed to 2,000 rows/s by 100,000 accounts
		// on a server with autovacuum off).
		if done >= max(1000, analyzed*10) {
			analyzed = done
			if err := svc.RefreshStatistics(ctx, slices.Sorted(maps.Keys(res.Counts))...); err != nil {
				return res, err
			}
		}
		if o.Progress != nil {
			o.Progress(SeedProgress{Accounts: done, Target: o.Accounts, Rows: res.Rows, Elapsed: time.Since(start)})
		}
	}
	res.Duration = time.Since(start)
	return res, nil
}

// ensureStaff returns the ids of the demo company's users, creating those the tenant lacks.
func ensureStaff(ctx context.Context, svc *records.Service) ([]string, error) {
	ids := make([]string, len(demoStaff))
	var missing []records.Input
	var at []int
	for i, s := range demoStaff {
		email := s.Email + "@" + CompanyDomain
		id, err := svc.IDByKey(ctx, "user", map[string]string{"email": email})
		switch {
		case err == nil:
			ids[i] = id
		case fault.Is(err, fault.NotFound):
			missing = append(missing, records.Input{"full_name": s.Name, "email": email, "title": s.Title, "language": s.Lang})
			at = append(at, i)
		default:
			return nil, err
		}
	}
	if len(missing) > 0 {
		created, bad, err := svc.CreateMany(ctx, "user", missing)
		if err != nil {
			return nil, err
		}
		for _, e := range bad {
			return nil, fmt.Errorf("demo: create users: %w", e)
		}
		for k, i := range at {
			ids[i] = created[k]
		}
	}
	return ids, nil
}

// seeded returns the number of the last seeded account in the tenant (0 when none).
func seeded(ctx context.Context, svc *records.Service) (int, error) {
	o, err := query.ParseOptions("$filter=startswith(account_number,'" + SeedPrefix + "')&$orderby=account_number%20desc&$top=1&$select=account_number")
	if err != nil {
		return 0, err
	}
	page, err := svc.List(ctx, "account", o, records.ReadOptions{})
	if err != nil || len(page.Records) == 0 {
		return 0, err
	}
	num, _ := page.Records[0].Get("account_number").(string)
	n, err := strconv.Atoi(strings.TrimPrefix(num, SeedPrefix))
	if err != nil {
		return 0, fmt.Errorf("demo: seeded account number %q: %w", num, err)
	}
	return n, nil
}

// seedChunk generates batch chunk (accounts chunk×Batch … (chunk+1)×Batch-1), always whole so
// that its content does not depend on the target, and keeps the accounts in [from, to) with
// their contacts, opportunities and activities.
func seedChunk(o SeedOptions, now time.Time, chunk, from, to int) *Dataset {
	r := newRNG(o.Seed, 1000+uint64(chunk))
	g := &gen{cfg: Config{Seed: o.Seed, Now: now, Scale: 1}, now: now, start: now.AddDate(-2, 0, 0), ds: &Dataset{},
		activities: map[string][]Row{}, rr: map[string]int{}}
	nm := &naming{}
	zw := make([]float64, len(zones))
	for i, z := range zones {
		zw[i] = zoneShare[z]
	}
	base := chunk * o.Batch
	for k := 0; k < o.Batch; k++ {
		a := r.newAccount(zones[r.weighted(zw)], nil, nm)
		reps := staffIndex(a.Zone, "sales")
		a.Owner = reps[(base+k)%len(reps)]
		for j := 2 + r.intn(2); j > 0; j-- {
			a.Contacts = append(a.Contacts, len(g.contacts))
			g.contacts = append(g.contacts, r.newContact(a, k))
		}
		a.Primary = a.Contacts[0]
		g.accts = append(g.accts, a)
		for j := 1 + r.intn(2); j > 0; j-- {
			typ := "new_business"
			if j == 2 {
				typ = "expansion"
			}
			opened := r.dayIn(g.start.AddDate(0, -3, 0), now)
			g.addOpp(r, &oppInfo{Account: k, Contact: g.contactOf(r, a, true), Lead: -1, Campaign: -1, Type: typ, Opened: opened}, time.Time{})
		}
	}
	for _, op := range g.opps {
		if a := g.accts[op.Account]; op.Status == "won" && (a.Since.IsZero() || op.Close.Before(a.Since)) {
			a.Since = op.Close
		}
	}
	for _, a := range g.accts {
		if !a.Since.IsZero() && a.Since.Before(now.AddDate(0, -9, 0)) && r.chance(0.1) {
			a.Churned = r.dayIn(now.AddDate(-1, 0, 0), now)
		}
	}
	if o.Activities {
		g.genActivities(r)
	}
	return g.seedTables(r, from, to, base)
}

// seedTables emits the accounts in [from, to) and what belongs to them.
func (g *gen) seedTables(r *rng, from, to, base int) *Dataset {
	d := g.ds
	keep := func(account int) bool { return account >= from && account < to }
	remap := map[string][]int{"account": make([]int, len(g.accts)), "contact": make([]int, len(g.contacts)), "opportunity": make([]int, len(g.opps))}
	var accounts, contacts, opps []Row
	// Rows are made for skipped accounts too: they use the random source like the others.
	for i, a := range g.accts {
		row := r.accountRow(a, fmt.Sprintf("%s%08d", SeedPrefix, base+i+1))
		remap["account"][i] = -1
		if !keep(i) {
			continue
		}
		remap["account"][i] = len(accounts)
		row["owner_id"], row["status"] = userRef(a.Owner), a.status()
		if !a.Since.IsZero() {
			row["customer_since"] = day(a.Since)
		}
		if !a.Churned.IsZero() {
			row["churned_on"] = day(a.Churned)
		}
		accounts = append(accounts, row)
	}
	for i, c := range g.contacts {
		remap["contact"][i] = -1
		row := r.contactRow(c, g.accts[c.Account])
		if keep(c.Account) {
			remap["contact"][i] = len(contacts)
			row["account_id"], row["owner_id"] = Ref{"account", remap["account"][c.Account]}, userRef(g.accts[c.Account].Owner)
			contacts = append(contacts, row)
		}
	}
	for i, o := range g.opps {
		remap["opportunity"][i] = -1
		if !keep(o.Account) {
			continue
		}
		remap["opportunity"][i] = len(opps)
		row := Row{"name": truncate(g.accts[o.Account].Short+" — "+themes[g.accts[o.Account].Industry][o.Theme][0], 200),
			"account_id": Ref{"account", remap["account"][o.Account]}, "contact_id": Ref{"contact", remap["contact"][o.Contact]},
			"amount": money(o.Amount), "stage": o.Stage, "probability": o.Prob, "close_date": day(o.Close), "opened_on": day(o.Opened),
			"deal_type": o.Type, "status": o.Status, "owner_id": userRef(g.accts[o.Account].Owner)}
		if o.Reason != "" {
			row["close_reason"] = o.Reason
		}
		opps = append(opps, row)
	}
	d.add("account", accounts)
	d.add("contact", contacts)
	d.add("opportunity", opps)
	for _, k := range activityKinds {
		var rows []Row
		for _, row := range g.activities[k] {
			ref := row["regarding_id"].(Ref)
			if to := remap[ref.Entity][ref.Index]; to >= 0 {
				row["regarding_id"] = Ref{ref.Entity, to}
				rows = append(rows, row)
			}
		}
		d.add(k, rows)
	}
	return d
}
