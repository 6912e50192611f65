package query

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// optString prints the options that are set, in a fixed order, for comparison in tests.
func optString(o *Options) string {
	if o == nil {
		return "<nil>"
	}
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if o.Filter != nil {
		add("filter=%s", sexpr(o.Filter))
	}
	if o.Select != nil {
		add("select=%s", pathList(o.Select))
	}
	if o.OrderBy != nil {
		var keys []string
		for _, it := range o.OrderBy {
			k := it.Path.String()
			if it.Desc {
				k += " desc"
			}
			keys = append(keys, k)
		}
		add("orderby=%s", strings.Join(keys, ","))
	}
	if o.Top != nil {
		add("top=%d", *o.Top)
	}
	if o.Skip != nil {
		add("skip=%d", *o.Skip)
	}
	if o.Count {
		add("count")
	}
	if o.Expand != nil {
		add("expand=%s", expandString(o.Expand))
	}
	if o.Apply != nil {
		add("apply=%s", applyString(o.Apply))
	}
	for _, kv := range [][2]string{{"skiptoken", o.SkipToken}, {"deltatoken", o.DeltaToken},
		{"format", o.Format}, {"search", o.Search}} {
		if kv[1] != "" {
			add("%s=%q", kv[0], kv[1])
		}
	}
	return strings.Join(parts, " ")
}

func pathList(paths []Path) string {
	var s []string
	for _, p := range paths {
		s = append(s, p.String())
	}
	return strings.Join(s, ",")
}

func expandString(items []ExpandItem) string {
	var s []string
	for _, it := range items {
		if it.Options == nil {
			s = append(s, it.Path.String()+"{<nil>}")
			continue
		}
		s = append(s, it.Path.String()+"{"+optString(it.Options)+"}")
	}
	return "[" + strings.Join(s, " ") + "]"
}

func TestParseOptions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"foo=bar&&x", ""},
		{"$filter=name%20eq%20'x'&$top=10&foo=bar", "filter=(eq name 'x') top=10"},
		{"$filter=name+eq+'x'", "filter=(eq name 'x')"},
		{"$FILTER=a eq 1&$Top=0&$SKIP=20", "filter=(eq a 1) top=0 skip=20"},
		{"%24filter=a%20eq%201", "filter=(eq a 1)"},
		{"$filter=city eq '%E4%B8%8A%E6%B5%B7'", "filter=(eq city '上海')"},
		{"$filter=t gt 2024-01-31T10:20:30%2B08:00", "filter=(gt t datetime:2024-01-31T10:20:30+08:00)"},
		{"$filter=a eq 'x%26y'", "filter=(eq a 'x&y')"},
		{"$select=name,revenue,account_id/name", "select=name,revenue,account_id/name"},
		{"$select=*", "select=*"},
		{"$select=name, revenue", "select=name,revenue"},
		{"$orderby=name desc,created_at", "orderby=name desc,created_at"},
		{"$orderby=name asc, revenue desc", "orderby=name,revenue desc"},
		{"$count=true", "count"},
		{"$count=false", ""},
		{"$skiptoken=abc%3D%3D&$deltatoken=d1&$format=json&$search=blue+widget", `skiptoken="abc==" deltatoken="d1" format="json" search="blue widget"`},
		{"$expand=contacts($select=full_name;$top=5)", "expand=[contacts{select=full_name top=5}]"},
		{"$expand=contacts,owner", "expand=[contacts{} owner{}]"},
		{"$expand=contacts($select=a,b;$filter=a eq 'x,y)';$orderby=a desc,b),owner",
			"expand=[contacts{filter=(eq a 'x,y)') select=a,b orderby=a desc,b} owner{}]"},
		{"$expand=contacts($expand=account_id($select=name);$count=true;$skip=2)",
			"expand=[contacts{skip=2 count expand=[account_id{select=name}]}]"},
		{"$expand=contacts($FILTER=active)", "expand=[contacts{filter=active}]"},
		{"$expand=primary_contact_id/account_id", "expand=[primary_contact_id/account_id{}]"},
		{"$apply=groupby((stage),aggregate(amount with sum as total))",
			"apply=groupby(stage;amount with sum as total)"},
	}
	for _, tt := range tests {
		o, err := ParseOptions(tt.in)
		if err != nil {
			t.Errorf("ParseOptions(%q): %v", tt.in, err)
			continue
		}
		if got := optString(o); got != tt.want {
			t.Errorf("ParseOptions(%q)\n got  %s\n want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseOptionsExpandPositions(t *testing.T) {
	o, err := ParseOptions("$expand=contacts($filter=a eq 1),owner")
	if err != nil {
		t.Fatal(err)
	}
	f := o.Expand[0].Options.Filter.(*Binary)
	if f.Pos != 19 || f.Left.Position() != 17 || o.Expand[1].Path.Pos != 25 {
		t.Errorf("positions %d %d %d, want offsets in the $expand value 19 17 25",
			f.Pos, f.Left.Position(), o.Expand[1].Path.Pos)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	tests := []struct {
		in     string
		option string
		pos    int
		msg    string
	}{
		{"$filter=a eq", "$filter", 4, "unexpected end of expression"},
		{"$filter=a eq 1&$FILTER=b eq 2", "$filter", 0, "more than once"},
		{"$filters=x", "$filters", 0, "unknown system query option"},
		{"$levels=2", "$levels", 0, "unknown system query option"},
		{"$filter=a%2", "$filter", 1, "percent-encoding"},
		{"$filter=a%zz", "$filter", 1, "percent-encoding"},
		{"$fil%zzter=1", "$fil%zzter", 4, "percent-encoding in option name"},
		{"$filter=a eq '%FF'", "$filter", 6, "invalid UTF-8"},
		{"$filter=a eq '%00'", "$filter", 6, "NUL"},
		{"$search=%FF", "$search", 0, "invalid UTF-8"},
		{"$filter=t gt 2024-01-31T10:20:30+08:00", "$filter", 5, "encode it as %2B"},
		{"$top=-1", "$top", 0, "non-negative integer"},
		{"$top=1x", "$top", 1, "non-negative integer"},
		{"$top=", "$top", 0, "non-negative integer"},
		{"$top", "$top", 0, "non-negative integer"},
		{"$skip=+1", "$skip", 0, "non-negative integer"},
		{"$skip=99999999999999999999", "$skip", 0, "out of range"},
		{"$count=TRUE", "$count", 0, "true or false"},
		{"$count=1", "$count", 0, "true or false"},
		{"$select=", "$select", 0, "expected property name"},
		{"$select=a,", "$select", 2, "expected property name"},
		{"$select=a b", "$select", 2, "expected ',' or end of input"},
		{"$orderby=a DESC", "$orderby", 2, "use 'desc'"},
		{"$orderby=a desc desc", "$orderby", 7, "expected ','"},
		{"$expand=contacts(", "$expand", 9, "expected a query option"},
		{"$expand=contacts()", "$expand", 9, "expected a query option"},
		{"$expand=contacts($top=5", "$expand", 15, "expected ';' or ')'"},
		{"$expand=contacts($top=x)", "$expand", 14, "non-negative integer"},
		{"$expand=contacts($top=-1)", "$expand", 14, "non-negative integer"},
		{"$expand=contacts($search=x)", "$expand", 9, "not allowed inside $expand"},
		{"$expand=contacts($top=1;$top=2)", "$expand", 16, "given twice"},
		{"$expand=contacts($filter=a eq)", "$expand", 21, "expected expression but found ')'"},
		{"$expand=contacts($filter=a eq 'x)", "$expand", 22, "unterminated string literal"},
		{"$expand=contacts($count=yes)", "$expand", 16, "true or false"},
		{"$expand=contacts($select=a)x", "$expand", 19, "expected ',' or end of input"},
		{"$expand=" + strings.Repeat("a(%24expand=", 120) + "b" + strings.Repeat(")", 120),
			"$expand", 1000, "nested more than 100"},
	}
	for _, tt := range tests {
		_, err := ParseOptions(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseOptions(%q): error %v, want *SyntaxError", clipText(tt.in, 40), err)
			continue
		}
		if se.Option != tt.option || se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseOptions(%q):\n got  %s %d %q\n want %s %d %q",
				clipText(tt.in, 40), se.Option, se.Pos, se.Msg, tt.option, tt.pos, tt.msg)
		}
	}
}

func TestParseSelectOrderByDirect(t *testing.T) {
	sel, err := ParseSelect("a, b/c ,*")
	if err != nil {
		t.Fatal(err)
	}
	if got := pathList(sel); got != "a,b/c,*" || sel[0].Pos != 0 || sel[1].Pos != 3 || sel[2].Pos != 8 {
		t.Errorf("ParseSelect: %s at %d %d %d", got, sel[0].Pos, sel[1].Pos, sel[2].Pos)
	}
	ord, err := ParseOrderBy("a desc, b asc,c")
	if err != nil {
		t.Fatal(err)
	}
	if len(ord) != 3 || !ord[0].Desc || ord[1].Desc || ord[2].Desc || ord[2].Path.Pos != 14 {
		t.Errorf("ParseOrderBy: %+v", ord)
	}
	exp, err := ParseExpand("a($select=x),b")
	if err != nil {
		t.Fatal(err)
	}
	if got := expandString(exp); got != "[a{select=x} b{}]" {
		t.Errorf("ParseExpand: %s", got)
	}
	if _, err := ParseSelect("a/"); err == nil {
		t.Error("ParseSelect(\"a/\"): no error")
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := ParseOptions("$filter=(name eq 'a' eq")
	want := "$filter: unexpected end of expression at position 15"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	_, err = ParseFilter("(name eq 'a')) or x")
	want = "$filter: expected an operator or end of input but found ')' at position 13"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
