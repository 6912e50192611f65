package query

import (
	"errors"
	"strings"
	"testing"
)

// sexpr prints an expression as an S-expression that shows its shape and literal kinds:
// (and (eq name 'x') (gt revenue 100)).
func sexpr(e Expr) string {
	switch e := e.(type) {
	case nil:
		return "<nil>"
	case *Literal:
		switch e.Kind {
		case LitString:
			return "'" + strings.ReplaceAll(e.Text, "'", "''") + "'"
		case LitDecimal:
			return "dec:" + e.Text
		case LitDate:
			return "date:" + e.Text
		case LitDateTime:
			return "datetime:" + e.Text
		case LitGUID:
			return "guid:" + e.Text
		}
		return e.Text
	case *PathExpr:
		return e.Path.String()
	case *Binary:
		return "(" + string(e.Op) + " " + sexpr(e.Left) + " " + sexpr(e.Right) + ")"
	case *Not:
		return "(not " + sexpr(e.X) + ")"
	case *Neg:
		return "(neg " + sexpr(e.X) + ")"
	case *Call:
		return "(" + e.Name + "()" + sexprList(e.Args) + ")"
	case *In:
		return "(in " + sexpr(e.X) + sexprList(e.List) + ")"
	case *Lambda:
		kind := "all"
		if e.Any {
			kind = "any"
		}
		if e.Predicate == nil {
			return "(" + kind + " " + e.Collection.String() + ")"
		}
		return "(" + kind + " " + e.Collection.String() + " " + e.Var + " " + sexpr(e.Predicate) + ")"
	}
	return "<?>"
}

func sexprList(list []Expr) string {
	s := ""
	for _, x := range list {
		s += " " + sexpr(x)
	}
	return s
}

func TestParseFilter(t *testing.T) {
	tests := []struct{ in, want string }{
		// literals
		{"name eq null", "(eq name null)"},
		{"active eq true", "(eq active true)"},
		{"active ne false", "(ne active false)"},
		{"n eq 42", "(eq n 42)"},
		{"n eq -42", "(eq n -42)"},
		{"n eq - 42", "(eq n -42)"},
		{"n eq +42", "(eq n +42)"},
		{"n eq 12.5", "(eq n dec:12.5)"},
		{"n eq -3.25", "(eq n dec:-3.25)"},
		{"n eq 1e5", "(eq n dec:1e5)"},
		{"n eq 1.5E-3", "(eq n dec:1.5E-3)"},
		{"n eq 12.50", "(eq n dec:12.50)"},
		{"n eq 9223372036854775807", "(eq n 9223372036854775807)"},
		{"n eq 9223372036854775808", "(eq n dec:9223372036854775808)"},
		{"name eq 'x'", "(eq name 'x')"},
		{"name eq ''", "(eq name '')"},
		{"name eq 'O''Brien'", "(eq name 'O''Brien')"},
		{"name eq ''''", "(eq name '''')"},
		{"city eq '上海'", "(eq city '上海')"},
		{"name eq 'a, b (c) / d; e'", "(eq name 'a, b (c) / d; e')"},
		{"d eq 2024-01-31", "(eq d date:2024-01-31)"},
		{"d eq 2024-02-29", "(eq d date:2024-02-29)"},
		{"t gt 2024-01-31T10:20:30Z", "(gt t datetime:2024-01-31T10:20:30Z)"},
		{"t gt 2024-01-31T10:20:30.123+08:00", "(gt t datetime:2024-01-31T10:20:30.123+08:00)"},
		{"t gt 2024-01-31T10:20Z", "(gt t datetime:2024-01-31T10:20:00Z)"},
		{"t lt 2024-01-31T10:20-05:30", "(lt t datetime:2024-01-31T10:20:00-05:30)"},
		{"id eq 01234567-89ab-cdef-0123-456789abcdef", "(eq id guid:01234567-89ab-cdef-0123-456789abcdef)"},
		{"id eq a1b2c3d4-e5f6-4789-9abc-def012345678", "(eq id guid:a1b2c3d4-e5f6-4789-9abc-def012345678)"},
		{"id eq A1B2C3D4-E5F6-4789-9ABC-DEF012345678", "(eq id guid:A1B2C3D4-E5F6-4789-9ABC-DEF012345678)"},
		{"a1b2c3d4 eq 1", "(eq a1b2c3d4 1)"},
		{"deadbeef eq 1", "(eq deadbeef 1)"},

		// precedence and associativity
		{"name eq 'x' and revenue gt 100", "(and (eq name 'x') (gt revenue 100))"},
		{"a eq 1 or b eq 2 and c eq 3", "(or (eq a 1) (and (eq b 2) (eq c 3)))"},
		{"(a eq 1 or b eq 2) and c eq 3", "(and (or (eq a 1) (eq b 2)) (eq c 3))"},
		{"a or b or c", "(or (or a b) c)"},
		{"not a eq 1", "(not (eq a 1))"},
		{"not a eq 1 and b", "(and (not (eq a 1)) b)"},
		{"not not active", "(not (not active))"},
		{"not(active)", "(not active)"},
		{"a add b mul c eq d", "(eq (add a (mul b c)) d)"},
		{"a sub b sub c eq 0", "(eq (sub (sub a b) c) 0)"},
		{"a div b mod c eq 0", "(eq (mod (div a b) c) 0)"},
		{"(a add b) mul c eq d", "(eq (mul (add a b) c) d)"},
		{"-price lt -5", "(lt (neg price) -5)"},
		{"-(a add b) eq 3", "(eq (neg (add a b)) 3)"},
		{"--5 eq x", "(eq (neg -5) x)"},
		{"-(5) eq x", "(eq -5 x)"},
		{"a gt b eq true", "(eq (gt a b) true)"},
		{"((((a))))", "a"},

		// paths, calls, in, lambdas
		{"primary_contact_id/full_name eq 'Ann'", "(eq primary_contact_id/full_name 'Ann')"},
		{"_x/y_2/z eq 1", "(eq _x/y_2/z 1)"},
		{"contains(name,'acme')", "(contains() name 'acme')"},
		{"Contains(name, 'acme')", "(contains() name 'acme')"},
		{"startswith(tolower(name),'a') eq true", "(eq (startswith() (tolower() name) 'a') true)"},
		{"year(close_date) eq 2024", "(eq (year() close_date) 2024)"},
		{"now() gt t", "(gt (now()) t)"},
		{"concat(concat(a,' '),b) eq 'x y'", "(eq (concat() (concat() a ' ') b) 'x y')"},
		{"status in ('open','won')", "(in status 'open' 'won')"},
		{"n in (1, 2 ,3)", "(in n 1 2 3)"},
		{"n in (1) and b", "(and (in n 1) b)"},
		{"not status in ('lost')", "(not (in status 'lost'))"},
		{"contacts/any(c: c/email eq 'x@example.com')", "(any contacts c (eq c/email 'x@example.com'))"},
		{"contacts/all(c:c/active)", "(all contacts c c/active)"},
		{"contacts/any()", "(any contacts)"},
		{"account_id/contacts/any(c: c/tags/any(t: t eq 'vip'))", "(any account_id/contacts c (any c/tags t (eq t 'vip')))"},
		{"any eq 1", "(eq any 1)"},
		{"a/any eq 1", "(eq a/any 1)"},
		{"  name\teq 'x'  ", "(eq name 'x')"},
	}
	for _, tt := range tests {
		e, err := ParseFilter(tt.in)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.in, err)
			continue
		}
		if got := sexpr(e); got != tt.want {
			t.Errorf("ParseFilter(%q)\n got  %s\n want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseFilterPositions(t *testing.T) {
	e, err := ParseFilter("name eq 'x' and -amount gt contains(a,'上海') ")
	if err != nil {
		t.Fatal(err)
	}
	and := e.(*Binary)
	eq := and.Left.(*Binary)
	gt := and.Right.(*Binary)
	neg := gt.Left.(*Neg)
	call := gt.Right.(*Call)
	got := []int{and.Pos, eq.Pos, eq.Left.Position(), eq.Right.Position(), gt.Pos, neg.Pos,
		neg.X.Position(), call.Pos, call.Args[0].Position(), call.Args[1].Position()}
	want := []int{12, 5, 0, 8, 24, 16, 17, 27, 36, 38}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("positions %v, want %v", got, want)
		}
	}
	lam, err := ParseFilter("x/any(c: c eq 1)")
	if err != nil {
		t.Fatal(err)
	}
	if l := lam.(*Lambda); l.Pos != 2 || l.Collection.Pos != 0 || l.Predicate.Position() != 11 {
		t.Errorf("lambda positions: %d %d %d", l.Pos, l.Collection.Pos, l.Predicate.Position())
	}
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int
		msg string // substring of the message
	}{
		{"", 0, "unexpected end of expression"},
		{"   ", 3, "unexpected end of expression"},
		{"name eq", 7, "unexpected end of expression"},
		{"name eq 'abc", 8, "unterminated string literal"},
		{"name eq 'it''s", 8, "unterminated string literal"},
		{"(name eq 'a'", 12, "expected ')' but found end of input"},
		{"(name eq 'a' eq", 15, "unexpected end of expression"},
		{"(a b)", 3, "expected ')' but found 'b'"},
		{"name eq 'x')", 11, "found ')'"},
		{"name 'x'", 5, "found string 'x'"},
		{"name EQ 'x'", 5, "use 'eq'"},
		{"a eq 1 AND b eq 2", 7, "use 'and'"},
		{"a eq not b", 5, "'not' must be in parentheses"},
		{"eq eq 1", 0, "expected expression but found 'eq'"},
		{"a eq and", 5, "found 'and'"},
		{"a/", 2, "property name after '/'"},
		{"a/1", 2, "property name after '/'"},
		{"a eq 12abc", 5, "invalid number literal"},
		{"a eq 1.", 5, "invalid number literal"},
		{"a eq 1e", 5, "invalid number literal"},
		{"a eq 1.2.3", 5, "invalid number literal"},
		{"d eq 2024-13-01", 5, "invalid date literal"},
		{"d eq 2023-02-29", 5, "invalid date literal"},
		{"d eq 2024-01-31T25:00Z", 5, "invalid datetime literal"},
		{"d eq 2024-01-31T10:20:30", 5, "time zone offset"},
		{"d eq 2024-01-31T10:20:30 08:00", 5, "%2B"},
		{"d eq 2024-01-31T10:20:30.Z", 5, "invalid datetime literal"},
		{"d eq 2024-01-31x", 5, "invalid date literal"},
		{"a eq #", 5, "unexpected character '#'"},
		{"a eq é", 5, "unexpected character 'é'"},
		{"a eq $it", 5, "expected expression but found '$it'"},
		{"a eq $", 5, "expected a name after '$'"},
		{"x in ()", 6, "expected expression but found ')'"},
		{"x in 'a'", 5, "expected '(' but found string 'a'"},
		{"x in ('a' 'b')", 10, "expected ',' or ')'"},
		{"f(a,)", 4, "expected expression but found ')'"},
		{"f(a", 3, "expected ',' or ')'"},
		{"And(a)", 0, "'And' is a keyword, not a function"},
		{"NOT(a)", 0, "'NOT' is a keyword, not a function"},
		{"True()", 0, "keyword"},
		{"flags has 1", 6, "'has' is not supported"},
		{"contacts/$count gt 0", 9, "property name after '/'"},
		{"x/all()", 6, "all() needs a variable"},
		{"x/any(1)", 6, "lambda variable name"},
		{"x/any(c c)", 8, "expected ':'"},
		{"x/any(c: c eq 1", 15, "expected ')'"},
		{"a eq 'x' foo", 9, "expected an operator or end of input but found 'foo'"},
		{"a eq -", 6, "unexpected end of expression"},
		{strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), 100, "nested more than 100"},
		{strings.Repeat("not ", 200) + "a", 396, "nested more than 100"},
		{strings.Repeat("-", 200) + "a", 99, "nested more than 100"},
		{"a eq '\x00'", 6, "NUL"},
		{"a eq '\xff'", 6, "invalid UTF-8"},
		{strings.Repeat("a", maxOptionLen+1), maxOptionLen, "longer than"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseFilter(%q): error %v, want *SyntaxError", clipText(tt.in, 40), err)
			continue
		}
		if se.Option != "$filter" || se.Pos != tt.pos || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseFilter(%q):\n got  %s %d %q\n want $filter %d %q",
				clipText(tt.in, 40), se.Option, se.Pos, se.Msg, tt.pos, tt.msg)
		}
	}
}

func TestParseFilterDeepButAllowed(t *testing.T) {
	in := strings.Repeat("(", 99) + "a" + strings.Repeat(")", 99)
	if _, err := ParseFilter(in); err != nil {
		t.Fatalf("99 levels: %v", err)
	}
	// Flat chains are parsed by loops, not recursion, but each operator is a level of the tree
	// the databases get: 98 add under an eq is the deepest allowed.
	long := "a" + strings.Repeat(" add a", MaxExprDepth-2) + " eq 1"
	if _, err := ParseFilter(long); err != nil {
		t.Fatalf("chain at the limit: %v", err)
	}
	ors := strings.TrimPrefix(strings.Repeat(" or a eq 1", MaxExprDepth-1), " or ")
	if _, err := ParseFilter(ors); err != nil {
		t.Fatalf("%d or: %v", MaxExprDepth-2, err)
	}
}

// TestQueryLimits: every limit of the query language, just past it, is a *SyntaxError with the
// code TooComplex, naming the option and the place.
func TestQueryLimits(t *testing.T) {
	list := func(item string, n int) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	tests := []struct {
		name, query, option, msg string
	}{
		{"or chain", "$filter=" + strings.TrimPrefix(strings.Repeat(" or a eq 1", 998), " or "), "$filter", "more than 100 levels deep"},
		{"add chain", "$filter=a" + strings.Repeat(" add 1", 10000) + " eq 1", "$filter", "more than 100 levels deep"},
		{"and chain in a lambda", "$filter=contacts/any(c:" + strings.TrimPrefix(strings.Repeat(" and c/x eq 1", 100), " and ") + ")", "$filter", "levels deep"},
		{"chain in filter()", "$apply=filter(" + strings.TrimPrefix(strings.Repeat(" or a eq 1", 101), " or ") + ")/aggregate($count as n)", "$apply", "levels deep"},
		{"chain in a nested $filter", "$expand=contacts($filter=" + strings.TrimPrefix(strings.Repeat(" or a eq 1", 101), " or ") + ")", "$expand", "levels deep"},
		{"$orderby keys", "$orderby=" + list("name", 2000), "$orderby", "more than 32 $orderby keys"},
		{"nested $orderby keys", "$expand=contacts($orderby=" + list("name", 33) + ")", "$expand", "more than 32 $orderby keys"},
		{"$apply steps", "$apply=" + strings.Repeat("filter(a gt 0)/", 2000) + "aggregate($count as n)", "$apply", "more than 32 transformations"},
		{"grouping properties", "$apply=groupby((" + list("city", 2000) + "))", "$apply", "more than 32 grouping properties"},
		{"aggregates", "$apply=aggregate(" + list("a with sum as s", 33) + ")", "$apply", "more than 32 aggregates"},
		{"parentheses", "$filter=" + strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), "$filter", "nested more than 100"},
		{"length", "$filter=" + strings.Repeat("a", maxOptionLen+1), "$filter", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOptions(strings.ReplaceAll(tt.query, " ", "%20"))
			var se *SyntaxError
			if !errors.As(err, &se) || se.Code != TooComplex || se.Option != tt.option || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("got %#v, want %s %s %q", err, TooComplex, tt.option, tt.msg)
			}
		})
	}
	// At the limits, everything parses.
	for _, q := range []string{
		"$orderby=" + list("name", MaxListItems),
		"$apply=" + strings.Repeat("filter(a gt 0)/", MaxListItems-1) + "groupby((" + list("city", MaxListItems) + "),aggregate(" + list("a with sum as s", MaxListItems) + "))",
		"$filter=a in (" + list("1", 10000) + ")", // a list of values is one level
	} {
		if _, err := ParseOptions(strings.ReplaceAll(q, " ", "%20")); err != nil {
			t.Errorf("%s: %v", clipText(q, 60), err)
		}
	}
}
