package query

import (
	"errors"
	"strings"
	"testing"
)

// applyString prints a pipeline as filter(...)/groupby(props;aggregates)/aggregate(...).
func applyString(steps []Transform) string {
	var s []string
	for _, st := range steps {
		switch st := st.(type) {
		case *FilterStep:
			s = append(s, "filter"+sexpr(st.Expr))
		case *GroupBy:
			g := "groupby(" + pathList(st.Props)
			if st.Aggregate != nil {
				g += ";" + aggString(st.Aggregate)
			}
			s = append(s, g+")")
		case *AggregateStep:
			s = append(s, "aggregate("+aggString(st.Items)+")")
		default:
			s = append(s, "<?>")
		}
	}
	return strings.Join(s, "/")
}

func aggString(items []Aggregate) string {
	var s []string
	for _, a := range items {
		if a.Count {
			s = append(s, "$count as "+a.Alias)
		} else {
			s = append(s, a.Path.String()+" with "+a.Method+" as "+a.Alias)
		}
	}
	return strings.Join(s, ",")
}

func TestParseApply(t *testing.T) {
	tests := []struct{ in, want string }{
		{"aggregate($count as n)", "aggregate($count as n)"},
		{"aggregate(amount with sum as total, amount with avg as mean)",
			"aggregate(amount with sum as total,amount with average as mean)"},
		{"aggregate(a with min as lo,a with max as hi,b with countdistinct as nb,c with average as m)",
			"aggregate(a with min as lo,a with max as hi,b with countdistinct as nb,c with average as m)"},
		{"groupby((stage))", "groupby(stage)"},
		{"groupby((stage, owner_id),aggregate($count as n))", "groupby(stage,owner_id;$count as n)"},
		{"groupby((account_id/industry),aggregate(amount with sum as total))",
			"groupby(account_id/industry;amount with sum as total)"},
		{"filter(stage eq 'won' and close_date ge 2024-01-01)/groupby((account_id/industry),aggregate(amount with sum as total))",
			"filter(and (eq stage 'won') (ge close_date date:2024-01-01))/groupby(account_id/industry;amount with sum as total)"},
		{"filter(name eq 'a/b(c)')/filter(x/y eq 1)/aggregate($count as n)",
			"filter(eq name 'a/b(c)')/filter(eq x/y 1)/aggregate($count as n)"},
		{"filter(contacts/any(c: c/active))", "filter(any contacts c c/active)"},
	}
	for _, tt := range tests {
		steps, err := ParseApply(tt.in)
		if err != nil {
			t.Errorf("ParseApply(%q): %v", tt.in, err)
			continue
		}
		if got := applyString(steps); got != tt.want {
			t.Errorf("ParseApply(%q)\n got  %s\n want %s", tt.in, got, tt.want)
		}
	}
	steps, err := ParseApply("groupby((a),aggregate(x with sum as s, $count as n))")
	if err != nil {
		t.Fatal(err)
	}
	aggs := steps[0].(*GroupBy).Aggregate
	if aggs[0].Pos != 22 || aggs[0].Path.Pos != 22 || aggs[1].Pos != 39 {
		t.Errorf("aggregate positions %d %d %d, want 22 22 39", aggs[0].Pos, aggs[0].Path.Pos, aggs[1].Pos)
	}
}

func TestParseApplyErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int
		msg string
	}{
		{"", 0, "expected a transformation"},
		{"compute(a add b as c)", 0, "unsupported transformation 'compute'"},
		{"Filter(a)", 0, "unsupported transformation"},
		{"filter(a eq)", 11, "expected expression but found ')'"},
		{"filter(a eq 1", 13, "expected ')'"},
		{"filter(a)/", 10, "expected a transformation"},
		{"filter(a) filter(b)", 10, "expected '/' or end of input"},
		{"groupby(a)", 8, "'(' to open the grouping properties"},
		{"groupby(())", 9, "expected property name"},
		{"groupby((a),filter(b))", 12, "expected 'aggregate'"},
		{"groupby((a),aggregate($count as n)", 34, "expected ')'"},
		{"aggregate(amount as total)", 17, "expected 'with'"},
		{"aggregate(amount with total as t)", 22, "aggregation method"},
		{"aggregate(amount with SUM as t)", 22, "aggregation method"},
		{"aggregate(amount with sum)", 25, "expected 'as'"},
		{"aggregate(amount with sum as)", 28, "expected an alias"},
		{"aggregate($count)", 16, "expected 'as'"},
		{"aggregate()", 10, "expected property name"},
	}
	for _, tt := range tests {
		_, err := ParseApply(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseApply(%q): error %v, want *SyntaxError", tt.in, err)
			continue
		}
		if se.Option != "$apply" || se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseApply(%q):\n got  %s %d %q\n want $apply %d %q",
				tt.in, se.Option, se.Pos, se.Msg, tt.pos, tt.msg)
		}
	}
}
