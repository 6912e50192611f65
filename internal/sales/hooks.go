package sales

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/records"
)

// What the sales process adds to every write of its records (records.Hook): an opportunity's
// probability and forecast category follow its stage, an opportunity line's total is computed,
// and an opportunity's amount is the sum of its lines' totals.

// StageProbability is the default win probability (percent) of an open opportunity in each
// stage of the sales process: an opportunity moved to a stage takes it unless the same write
// sets a probability.
var StageProbability = map[string]int64{"qualify": 10, "develop": 25, "propose": 50, "negotiate": 75, "close": 90}

// StageForecast is the default forecast category of an open opportunity in each stage.
var StageForecast = map[string]string{"qualify": "pipeline", "develop": "pipeline", "propose": "best_case", "negotiate": "best_case", "close": "committed"}

// RegisterHooks adds the sales process's hooks to the write pipeline.
func RegisterHooks(recs *records.Service) {
	recs.Register(records.Hook{Name: "sales.stage_defaults", Entity: "opportunity", Derive: func(_ context.Context, d records.Draft) error {
		stageDefaults(d)
		return nil
	}})
	recs.Register(records.Hook{Name: "sales.line_total", Entity: "opportunity_line", Derive: func(_ context.Context, d records.Draft) error {
		lineTotal(d)
		return nil
	}})
	recs.Register(records.Hook{Name: "sales.amount_roll_up", Entity: "opportunity_line", React: func(ctx context.Context, cs []records.Change) error {
		return rollUpLineTotals(ctx, recs, cs)
	}})
}

// stageDefaults fills probability and forecast category from the stage of an open opportunity
// when a write moves it to another stage (or creates it) without setting them.
func stageDefaults(d records.Draft) {
	stage, ok := d.Values["stage"].(string)
	if !ok || (d.Current != nil && d.Current["stage"] == stage) {
		return
	}
	if _, set := d.Values["forecast_category"]; !set {
		if f, ok := StageForecast[stage]; ok {
			d.Values["forecast_category"] = f
		}
	}
	if _, set := d.Values["probability"]; set {
		return
	}
	status, _ := d.Get("status")
	if s, _ := status.(string); s != "" && s != "open" {
		return
	}
	if p, ok := StageProbability[stage]; ok {
		d.Values["probability"] = p
	}
}

// lineTotal computes an opportunity line's total: quantity × unit price − discount, whenever a
// write touches one of them (a client cannot set the total itself).
func lineTotal(d records.Draft) {
	_, q := d.Values["quantity"]
	_, p := d.Values["unit_price"]
	_, off := d.Values["discount"]
	if d.Current != nil && !q && !p && !off {
		delete(d.Values, "total")
		return
	}
	value := func(k string) (decimal.Decimal, bool) {
		v, _ := d.Get(k)
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
	d.Values["total"] = total
}

// rollUpLineTotals keeps an opportunity's amount equal to the sum of its lines' totals while it
// has lines. An opportunity without lines keeps the amount a user gave it. The roll-up is a
// derived value: it is written as part of the line's change, without asking for the right to
// update the opportunity (adding a line already needs the right to append to it).
func rollUpLineTotals(ctx context.Context, recs *records.Service, cs []records.Change) error {
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
	for _, id := range parents {
		sum, n, err := recs.SumWhere(ctx, "opportunity_line", "total", "opportunity_id", id)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if _, err := recs.UpdateDerived(ctx, "opportunity", id, func(cur map[string]any) map[string]any {
			if amt, ok := cur["amount"].(decimal.Decimal); ok && amt.Equal(sum) {
				return nil
			}
			return map[string]any{"amount": sum}
		}); err != nil {
			return err
		}
	}
	return nil
}
