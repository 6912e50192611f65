// Package demo generates realistic, deterministic CRM data for Kestrel Systems, a fictional
// mid-size B2B company selling industrial IoT hardware, software and cloud subscriptions in China
// and abroad: its organisation, accounts and contacts with English and Chinese names, two years
// of leads, opportunities, line items, cases, activities, campaigns and knowledge articles.
//
// The data carries true patterns for analytics and predictive features to find: lead sources
// convert differently, opportunities move through stages with realistic conversion, win rates
// depend on industry and deal size, closings peak in the fourth quarter and dip around Chinese
// New Year, and churned accounts had more open high-priority cases and falling activity in the
// months before they left. Generation is pure: a seed and a reference date fix every value.
// Loading goes through records.CreateMany (the one write path), so versions and the change log
// are written as for any other client. Seed streams the same kind of data at load-test scale.
package demo

import (
	"fmt"
	"time"
)

// Config fixes a demo data set.
type Config struct {
	Seed uint64
	// Now is the reference date: two years of history end on it and open pipeline extends after
	// it. It is truncated to a day.
	Now time.Time
	// Scale multiplies the record counts; 1 (the default) is the demo size of about 1,500
	// accounts and 35,000 records.
	Scale float64
}

// Demo sizes at scale 1.
const (
	demoAccounts = 1500
	demoLeads    = 3000
)

// gen holds a generation in progress.
type gen struct {
	cfg        Config
	now, start time.Time
	accts      []*acct
	contacts   []contactInfo
	leads      []*leadInfo
	opps       []*oppInfo
	cases      []*caseInfo
	campaigns  []*campaignInfo
	lists      []*listInfo
	activities map[string][]Row
	responses  []Row
	ds         *Dataset
	rr         map[string]int // round-robin counters by role and zone
}

// Generate returns the demo data set for cfg.
func Generate(cfg Config) (*Dataset, error) {
	if cfg.Scale == 0 {
		cfg.Scale = 1
	}
	if cfg.Scale < 0.005 || cfg.Scale > 20 {
		return nil, fmt.Errorf("demo: scale %g is out of range (0.005–20)", cfg.Scale)
	}
	if cfg.Now.IsZero() {
		return nil, fmt.Errorf("demo: no reference date")
	}
	now := truncDay(cfg.Now)
	g := &gen{cfg: cfg, now: now, start: now.AddDate(-2, 0, 0), ds: &Dataset{},
		activities: map[string][]Row{}, rr: map[string]int{}}
	orgTables(g.ds)
	g.genAccounts(newRNG(cfg.Seed, 1))
	g.planCampaigns(newRNG(cfg.Seed, 2))
	g.genLeads(newRNG(cfg.Seed, 3))
	g.genOpportunities(newRNG(cfg.Seed, 4))
	g.genCases(newRNG(cfg.Seed, 5))
	g.genActivities(newRNG(cfg.Seed, 6))
	g.genMarketing(newRNG(cfg.Seed, 7))
	g.emit(newRNG(cfg.Seed, 8))
	return g.ds, nil
}

// scaled returns n at the configured scale (at least 1).
func (g *gen) scaled(n int) int { return max(1, int(float64(n)*g.cfg.Scale+0.5)) }

// next returns the next staff member of role in zone, in turn.
func (g *gen) next(role, zone string) int {
	ids := staffIndex(zone, role)
	if len(ids) == 0 && role == "service" {
		ids = staffIndex(zoneAPAC, role)
	}
	k := role + "/" + zone
	i := ids[g.rr[k]%len(ids)]
	g.rr[k]++
	return i
}

// userRef refers to a staff member.
func userRef(i int) Ref { return Ref{"user", i} }

// genAccounts creates the accounts (about 2% are subsidiaries of a group) and their contacts.
func (g *gen) genAccounts(r *rng) {
	n := g.scaled(demoAccounts)
	nm := &naming{used: map[string]bool{}, unique: true}
	zw := make([]float64, len(zones))
	for i, z := range zones {
		zw[i] = zoneShare[z]
	}
	for len(g.accts) < n {
		a := r.newAccount(zones[r.weighted(zw)], nil, nm)
		a.Owner = g.next("sales", a.Zone)
		a.Legacy = r.chance(0.35)
		g.accts = append(g.accts, a)
	}
	// Groups: large, non-government accounts with subsidiaries in other cities of their zone.
	top := len(g.accts)
	for i := 0; i < top && len(g.accts) < n+n/50; i++ {
		p := g.accts[i]
		if p.Industry == "government" || p.Employees < 1500 || !r.chance(0.35) {
			continue
		}
		if p.Chinese {
			p.Name = p.Short + "集团" + "有限公司"
		} else {
			p.Name = withLegal(p.Short+" Group", r.legal(p.City))
		}
		for k := r.between(1, 3); k > 0; k-- {
			s := r.newAccount(p.Zone, p, nm)
			s.Parent, s.Owner, s.Legacy = i, p.Owner, p.Legacy || r.chance(0.3)
			g.accts = append(g.accts, s)
		}
	}
	for i, a := range g.accts {
		k := 1 + r.poisson(1.4+a.Size*0.6)
		best := -1
		for j := 0; j < k; j++ {
			c := r.newContact(a, i)
			a.Contacts = append(a.Contacts, len(g.contacts))
			if best < 0 || c.Title.Level > g.contacts[best].Title.Level {
				best = len(g.contacts)
			}
			g.contacts = append(g.contacts, c)
		}
		if r.chance(0.9) {
			a.Primary = best
		}
	}
}

// contactOf returns a contact of a, preferring senior people when senior is set.
func (g *gen) contactOf(r *rng, a *acct, senior bool) int {
	if senior && a.Primary >= 0 && r.chance(0.6) {
		return a.Primary
	}
	return pick(r, a.Contacts)
}

// isCustomer reports whether a was a customer at t.
func (a *acct) isCustomer(t time.Time) bool {
	return !a.Since.IsZero() && !t.Before(a.Since) && (a.Churned.IsZero() || t.Before(a.Churned))
}

// status returns the account's customer status.
func (a *acct) status() string {
	switch {
	case !a.Churned.IsZero():
		return "churned"
	case !a.Since.IsZero():
		return "active"
	}
	return "prospect"
}
