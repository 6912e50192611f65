package demo

import (
	"testing"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

var refDate = time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)

func mustGenerate(t testing.TB, cfg Config) *Dataset {
	t.Helper()
	d, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := mustGenerate(t, Config{Seed: 1, Now: refDate, Scale: 0.2})
	b := mustGenerate(t, Config{Seed: 1, Now: refDate.Add(13 * time.Hour), Scale: 0.2}) // same day
	c := mustGenerate(t, Config{Seed: 2, Now: refDate, Scale: 0.2})
	if a.Hash() != b.Hash() {
		t.Fatal("the same seed and day gave different data")
	}
	if a.Hash() == c.Hash() {
		t.Fatal("different seeds gave the same data")
	}
	if d := mustGenerate(t, Config{Seed: 1, Now: refDate.AddDate(0, 0, 1), Scale: 0.2}); d.Hash() == a.Hash() {
		t.Fatal("a different reference day gave the same data")
	}
}

// stats summarises a data set the way an analyst would.
type stats struct {
	won, lost, open          int
	reached                  [5]int // opportunities that reached each stage (4 = won)
	wonByQuarter             [5]decimal.Decimal
	leadsBySource, qualified map[string]int
	accounts                 map[string]int // by status
	openHighCases            map[string]int // by account status
	activity                 map[string][2]int
}

func analyse(d *Dataset, now time.Time) stats {
	s := stats{leadsBySource: map[string]int{}, qualified: map[string]int{}, accounts: map[string]int{},
		openHighCases: map[string]int{}, activity: map[string][2]int{}}
	accounts := d.Rows("account")
	for _, a := range accounts {
		s.accounts[a["status"].(string)]++
	}
	stageIndex := map[string]int{"qualify": 0, "develop": 1, "propose": 2, "negotiate": 3, "close": 4}
	for _, o := range d.Rows("opportunity") {
		k := stageIndex[o["stage"].(string)]
		switch o["status"] {
		case "won":
			s.won++
			close, _ := time.Parse(time.DateOnly, o["close_date"].(string))
			s.wonByQuarter[quarter(close)] = s.wonByQuarter[quarter(close)].Add(o["amount"].(decimal.Decimal))
		case "lost":
			s.lost++
			k-- // lost in a stage: it reached the stage but did not pass it
		default:
			s.open++
			continue
		}
		for i := 0; i <= k+1 && i < 5; i++ {
			s.reached[i]++
		}
	}
	for _, l := range d.Rows("lead") {
		src := l["source"].(string)
		if l["status"] == "new" || l["status"] == "contacted" {
			continue
		}
		s.leadsBySource[src]++
		if l["status"] == "qualified" {
			s.qualified[src]++
		}
	}
	for _, c := range d.Rows("case") {
		a := accounts[c["account_id"].(Ref).Index]
		if (c["priority"] == "high" || c["priority"] == "urgent") && c["status"] != "resolved" && c["status"] != "canceled" {
			s.openHighCases[a["status"].(string)]++
		}
	}
	// Account activities in the 90 days before a reference day (churn day or today) versus the
	// 90 days before that.
	for _, kind := range activityKinds {
		for _, act := range d.Rows(kind) {
			ref := act["regarding_id"].(Ref)
			if ref.Entity != "account" {
				continue
			}
			a := accounts[ref.Index]
			end := now
			if c, ok := a["churned_on"].(string); ok {
				end, _ = time.Parse(time.DateOnly, c)
			}
			at := act["due_at"].(time.Time)
			v := s.activity[a["status"].(string)]
			switch {
			case at.Before(end) && at.After(end.AddDate(0, 0, -90)):
				v[0]++
			case at.Before(end.AddDate(0, 0, -90)) && at.After(end.AddDate(0, 0, -180)):
				v[1]++
			}
			s.activity[a["status"].(string)] = v
		}
	}
	return s
}

func TestGenerateHasPromisedShape(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		d := mustGenerate(t, Config{Seed: seed, Now: refDate})
		s := analyse(d, refDate)
		counts := map[string]int{}
		for _, tb := range d.Tables {
			counts[tb.Entity] += len(tb.Rows)
		}
		if seed == 1 {
			t.Logf("counts %v, %d rows, %d patches, %d links", counts, d.Size(), len(d.Patches), len(d.Links))
			t.Logf("opportunities won %d lost %d open %d; reached %v; won by quarter %v", s.won, s.lost, s.open, s.reached, s.wonByQuarter)
			t.Logf("leads %v qualified %v; accounts %v; open high cases %v; account activity (last 90 d, 90 d before) %v",
				s.leadsBySource, s.qualified, s.accounts, s.openHighCases, s.activity)
		}
		if n := counts["account"]; n < 1400 || n > 1600 {
			t.Errorf("seed %d: %d accounts", seed, n)
		}
		winRate := float64(s.won) / float64(s.won+s.lost)
		if winRate < 0.25 || winRate > 0.38 {
			t.Errorf("seed %d: win rate %.2f", seed, winRate)
		}
		for i := 1; i < 5; i++ {
			if conv := float64(s.reached[i]) / float64(s.reached[i-1]); conv < 0.5 || conv > 0.9 {
				t.Errorf("seed %d: stage %d conversion %.2f", seed, i, conv)
			}
		}
		if !s.wonByQuarter[4].GreaterThan(s.wonByQuarter[1].Mul(decimal.NewFromFloat(1.2))) {
			t.Errorf("seed %d: Q4 won %s is not well above Q1 won %s", seed, s.wonByQuarter[4], s.wonByQuarter[1])
		}
		rate := func(src string) float64 { return float64(s.qualified[src]) / float64(s.leadsBySource[src]) }
		if rate("referral") < 2*rate("cold_call") || rate("referral") < rate("web") {
			t.Errorf("seed %d: lead conversion referral %.2f web %.2f cold call %.2f", seed, rate("referral"), rate("web"), rate("cold_call"))
		}
		if c := float64(s.accounts["churned"]) / float64(counts["account"]); c < 0.08 || c > 0.12 {
			t.Errorf("seed %d: %.2f churned", seed, c)
		}
		perChurned := float64(s.openHighCases["churned"]) / float64(s.accounts["churned"])
		perActive := float64(s.openHighCases["active"]) / float64(s.accounts["active"])
		if perChurned < 5*perActive || perChurned < 0.3 {
			t.Errorf("seed %d: open high-priority cases per account: churned %.2f, active %.2f", seed, perChurned, perActive)
		}
		if v := s.activity["churned"]; v[0]*2 > v[1] {
			t.Errorf("seed %d: churned accounts' activity did not fall: %v", seed, v)
		}
	}
}

func TestGenerateWritesBothLanguages(t *testing.T) {
	d := mustGenerate(t, Config{Seed: 1, Now: refDate, Scale: 0.1})
	var han, latin int
	for _, c := range d.Rows("contact") {
		if isHan(c["last_name"].(string)) {
			han++
		} else {
			latin++
		}
	}
	if han < 100 || latin < 100 {
		t.Fatalf("contacts: %d Chinese and %d Latin names", han, latin)
	}
	langs := map[string]int{}
	for _, a := range d.Rows("knowledge_article") {
		langs[a["language"].(string)]++
	}
	if langs["en"] != len(articles) || langs["zh"] != len(articles) || len(articles) < 30 {
		t.Fatalf("knowledge articles by language: %v", langs)
	}
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// TestGenerateReferencesPointBackwards checks, at small scales where zones may be empty, that
// every reference is to a record created earlier (the loader's only requirement).
func TestGenerateReferencesPointBackwards(t *testing.T) {
	for _, scale := range []float64{0.005, 0.01, 0.05} {
		for seed := uint64(1); seed <= 10; seed++ {
			d := mustGenerate(t, Config{Seed: seed, Now: refDate, Scale: scale})
			seen := map[string]int{}
			check := func(where string, ref Ref) {
				if ref.Index < 0 || ref.Index >= seen[ref.Entity] {
					t.Fatalf("scale %g seed %d: %s refers to %v (%d created)", scale, seed, where, ref, seen[ref.Entity])
				}
			}
			for _, tb := range d.Tables {
				for _, row := range tb.Rows {
					for k, v := range row {
						if ref, ok := v.(Ref); ok {
							check(tb.Entity+"."+k, ref)
						}
					}
				}
				seen[tb.Entity] += len(tb.Rows)
			}
			for _, p := range d.Patches {
				check("patch", p.Target)
				for k, v := range p.Values {
					if ref, ok := v.(Ref); ok {
						check("patch "+k, ref)
					}
				}
			}
			for _, l := range d.Links {
				check("link", l.From)
				check("link", l.To)
			}
		}
	}
}
