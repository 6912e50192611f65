package dedupe

import (
	"slices"
	"testing"
)

// TestPrefixKeysFindEverySimilarName checks the prefix filtering of name keys: whenever two
// names score at least the threshold, their index keys share one, so the look-up finds them.
func TestPrefixKeysFindEverySimilarName(t *testing.T) {
	names := []string{"Acme Industries", "北京东方科技有限公司", "Microsoft Corporation", "上海华东贸易有限公司",
		"Kestrel Systems", "深圳市腾讯计算机系统有限公司", "Globex International Trading"}
	var variants []string
	for _, n := range names {
		rs := []rune(n)
		variants = append(variants, n)
		for i := range rs { // one character dropped, or replaced
			variants = append(variants, string(slices.Delete(slices.Clone(rs), i, i+1)))
			c := slices.Clone(rs)
			c[i] = 'x'
			variants = append(variants, string(c))
		}
	}
	for _, th := range []float64{0.6, 0.8, 0.9} {
		r := Rule{Name: "name", Match: MatchCompany, Attributes: []string{"name"}, Threshold: th}
		pairs, similar := 0, 0
		for _, a := range variants {
			for _, b := range variants {
				va, vb := map[string]any{"name": a}, map[string]any{"name": b}
				pairs++
				if Dice(values(r, va), values(r, vb)) < th {
					continue
				}
				similar++
				if !shareOne(keys(r, va), keys(r, vb)) {
					t.Fatalf("threshold %v: %q and %q score %v but share no key (%v / %v)", th, a, b,
						Dice(values(r, va), values(r, vb)), keys(r, va), keys(r, vb))
				}
			}
		}
		if similar == 0 || similar == pairs {
			t.Errorf("threshold %v: %d similar pairs of %d: the test tells nothing", th, similar, pairs)
		}
	}
	// The index holds fewer keys than the bigrams.
	r := Defaults("account")[0]
	v := map[string]any{"name": "Globex International Trading"}
	if k, all := len(keys(r, v)), len(values(r, v)); k*2 > all {
		t.Errorf("%d keys for %d bigrams", k, all)
	}
}

func shareOne(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
