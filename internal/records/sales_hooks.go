package records

import (
	"context"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// StageProbability is the default win probability (percent) of an open opportunity in each
// stage of the sales process: an opportunity moved to a stage takes it unless the same write
// sets a probability.
var StageProbability = map[string]int64{"qualify": 10, "develop": 25, "propose": 50, "negotiate": 75, "close": 90}

// StageForecast is the default forecast category of an open opportunity in each stage.
var StageForecast = map[string]string{"qualify": "pipeline", "develop": "pipeline", "propose": "best_case", "negotiate": "best_case", "close": "committed"}

// stageDefaults fills probability and forecast category from the stage of an open opportunity
// when a write moves it to another stage (or creates it) without setting them.
func stageDefaults(vals, current map[string]any) {
	stage, ok := vals["stage"].(string)
	if !ok || (current != nil && current["stage"] == stage) {
		return
	}
	if _, set := vals["forecast_category"]; !set {
		if f, ok := StageForecast[stage]; ok {
			vals["forecast_category"] = f
		}
	}
	stageProbability(vals, current)
}

// stageProbability fills probability from the stage of an open opportunity when a write moves
// it to another stage (or creates it) without setting a probability.
func stageProbability(vals, current map[string]any) {
	if _, set := vals["probability"]; set {
		return
	}
	stage, ok := vals["stage"].(string)
	if !ok || (current != nil && current["stage"] == stage) {
		return
	}
	status, _ := vals["status"].(string)
	if _, set := vals["status"]; !set && current != nil {
		status, _ = current["status"].(string)
	}
	if status != "" && status != "open" {
		return
	}
	if p, ok := StageProbability[stage]; ok {
		vals["probability"] = p
	}
}

// lineTotal computes an opportunity line's total: quantity × unit price − discount, whenever a
// write touches one of them (a client cannot set the total itself).
func lineTotal(vals, current map[string]any) {
	_, q := vals["quantity"]
	_, p := vals["unit_price"]
	_, d := vals["discount"]
	if current != nil && !q && !p && !d {
		delete(vals, "total")
		return
	}
	value := func(k string) (decimal.Decimal, bool) {
		v, ok := vals[k]
		if !ok && current != nil {
			v = current[k]
		}
		x, ok := v.(decimal.Decimal)
		return x, ok
	}
	qty, ok := value("quantity")
	if !ok {
		qty = decimal.NewFromInt(1)
	}
	price, _ := value("unit_price")
	discount, _ := value("discount")
	total := qty.Mul(price).Sub(discount).Round(4)
	if total.IsNegative() {
		total = decimal.Zero
	}
	vals["total"] = total
}

// A reaction adds behaviour that follows the changes of one entity inside the writing
// transaction, such as a roll-up onto a parent record. It sees the changes of one write (one
// record, or the rows of one bulk write).
type reaction func(ctx context.Context, s *Service, cs []Change) error

// reactionsOf returns the reactions to changes of entity (a function, not a map: reactions
// write through the service that runs them).
func reactionsOf(entity string) []reaction {
	switch entity {
	case "opportunity_line":
		return []reaction{rollUpLineTotals}
	}
	return nil
}

func (s *Service) react(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	for _, r := range reactionsOf(cs[0].Entity.Name) {
		if err := r(ctx, s, cs); err != nil {
			return err
		}
	}
	for _, f := range s.onChange[cs[0].Entity.Name] {
		for _, c := range cs {
			if err := f(ctx, c); err != nil {
				return err
			}
		}
	}
	for _, f := range s.onChanges[cs[0].Entity.Name] {
		if err := f(ctx, cs); err != nil {
			return err
		}
	}
	return nil
}

// OnChanges is OnChange for behaviour that handles the changes of one write together: fn runs
// once per write with its changes, all of one entity and tenant (one for a single write, every
// row of a bulk write such as an import batch), inside the writing transaction.
func (s *Service) OnChanges(entity string, fn func(ctx context.Context, cs []Change) error) {
	if s.onChanges == nil {
		s.onChanges = map[string][]func(context.Context, []Change) error{}
	}
	s.onChanges[entity] = append(s.onChanges[entity], fn)
}

// AddDerivedTable records that a hook keeps table in step with the rows of entity (an index of
// its own, such as the duplicate keys). Register before serving requests.
func (s *Service) AddDerivedTable(entity, table string) {
	if s.derived == nil {
		s.derived = map[string][]string{}
	}
	if !slices.Contains(s.derived[entity], table) {
		s.derived[entity] = append(s.derived[entity], table)
	}
}

// DerivedTables returns the tables hooks keep in step with entity's rows: a bulk writer that
// refreshes the planner statistics of the entity's table refreshes theirs too.
func (s *Service) DerivedTables(entity string) []string { return s.derived[entity] }

// RefreshStatistics refreshes the planner statistics of the tables of entities and of the tables
// hooks keep in step with them, after a bulk writer has grown them: without it PostgreSQL keeps
// planning a new tenant's rows from statistics taken when it had none, and a batch's lookup
// checks and key look-ups scan instead of using their indexes (nothing on SQLite; see
// store.RefreshStatistics).
func (s *Service) RefreshStatistics(ctx context.Context, entities ...string) error {
	m := s.reg.System()
	if p, err := caller(ctx); err == nil {
		if m, err = s.model(ctx, p); err != nil {
			return err
		}
	}
	for _, name := range entities {
		tables := s.derived[name]
		if e := m.Entity(name); e != nil {
			tables = append([]string{e.Table()}, tables...)
			if e.ExtTable() != "" {
				tables = append(tables, e.ExtTable())
			}
		}
		for _, t := range tables {
			if err := s.st.RefreshStatistics(ctx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// OnChange registers fn to run, inside the writing transaction, after every change of a record
// of entity (create, update, delete) — for behaviour wired from outside the package, such as
// scheduling a job in the same transaction. An error from fn fails the write. Register before
// serving requests.
func (s *Service) OnChange(entity string, fn func(ctx context.Context, c Change) error) {
	if s.onChange == nil {
		s.onChange = map[string][]func(context.Context, Change) error{}
	}
	s.onChange[entity] = append(s.onChange[entity], fn)
}

// rollUpLineTotals keeps an opportunity's amount equal to the sum of its lines' totals while it
// has lines. An opportunity without lines keeps the amount a user gave it. The roll-up is a
// derived value: it is written as part of the line's change, without asking for the right to
// update the opportunity (adding a line already needs the right to append to it).
func rollUpLineTotals(ctx context.Context, s *Service, cs []Change) error {
	var parents []string
	seen := map[string]bool{}
	for _, c := range cs {
		for _, vals := range []map[string]any{c.Before, c.After} {
			if id, ok := vals["opportunity_id"].(string); ok && !seen[id] {
				seen[id] = true
				parents = append(parents, id)
			}
		}
	}
	if len(parents) == 0 {
		return nil
	}
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	m, err := s.model(ctx, p)
	if err != nil {
		return err
	}
	opp, line := m.Entity("opportunity"), m.Entity("opportunity_line")
	if opp == nil || line == nil {
		return nil
	}
	for _, id := range parents {
		if deleting(ctx, opp.Name, id) {
			continue
		}
		sum, n, err := s.lineSum(ctx, p.TenantID, line, id)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		cur, err := s.loadUnscoped(ctx, p, opp, id)
		if fault.Is(err, fault.NotFound) {
			continue // the opportunity is being deleted with its lines
		}
		if err != nil {
			return err
		}
		if amt, ok := cur["amount"].(decimal.Decimal); ok && amt.Equal(sum) {
			continue
		}
		if _, err := s.write(ctx, p, opp, cur, map[string]any{"amount": sum}); err != nil {
			return err
		}
	}
	return nil
}

// lineSum adds up the totals of an opportunity's lines (in Go, exactly: SQLite would sum
// decimals as floating point).
func (s *Service) lineSum(ctx context.Context, tenant string, line *metadata.Entity, oppID string) (decimal.Decimal, int, error) {
	args := &store.Args{D: s.st.D}
	q := `SELECT "total" FROM ` + store.Quote(line.Table()) + ` WHERE "tenant_id" = ` + args.Add(tenant) +
		` AND "opportunity_id" = ` + args.Add(oppID)
	rows, err := s.st.DB(ctx).QueryContext(ctx, q, args.List...)
	if err != nil {
		return decimal.Zero, 0, fmt.Errorf("records: line totals: %w", err)
	}
	defer rows.Close()
	sum, n := decimal.Zero, 0
	a := line.Attr("total")
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return decimal.Zero, 0, err
		}
		v, err := s.st.D.Decode(a, raw)
		if err != nil {
			return decimal.Zero, 0, err
		}
		if d, ok := v.(decimal.Decimal); ok {
			sum = sum.Add(d)
		}
		n++
	}
	return sum, n, rows.Err()
}

// loadUnscoped reads a record for a derived write, whatever the caller may see.
func (s *Service) loadUnscoped(ctx context.Context, p principal.Principal, e *metadata.Entity, id string) (map[string]any, error) {
	return s.loadWith(ctx, p, e, id, false)
}
