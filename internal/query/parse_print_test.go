package query

import "testing"

func TestFormatExpr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"name  eq  'x'", "name eq 'x'"},
		{"(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"},
		{"a eq 1 or (b eq 2 and c eq 3)", "a eq 1 or b eq 2 and c eq 3"},
		{"a sub (b sub c) eq 0", "a sub (b sub c) eq 0"},
		{"(a sub b) sub c eq 0", "a sub b sub c eq 0"},
		{"a mul (b add c) eq 0", "a mul (b add c) eq 0"},
		{"not (a eq 1)", "not a eq 1"},
		{"not (a or b)", "not (a or b)"},
		{"(not a) eq true", "(not a) eq true"},
		{"-(a add b) eq - 5", "-(a add b) eq -5"},
		{"- - a eq 1", "--a eq 1"},
		{"name eq 'O''Brien'", "name eq 'O''Brien'"},
		{"city eq '上海'", "city eq '上海'"},
		{"Contains( name , 'x' )", "contains(name,'x')"},
		{"now() gt t", "now() gt t"},
		{"s in ( 'a' , 'b' )", "s in ('a','b')"},
		{"(a eq b) in (true)", "a eq b in (true)"},
		{"a eq (b in (true))", "a eq (b in (true))"},
		{"x/any( c : c/y eq 1 or c/z )", "x/any(c:c/y eq 1 or c/z)"},
		{"x/any()", "x/any()"},
		{"x/all(c: c)", "x/all(c:c)"},
		{"t gt 2024-01-31T10:20+08:00 and d eq 2024-01-31", "t gt 2024-01-31T10:20:00+08:00 and d eq 2024-01-31"},
		{"id eq 01234567-89AB-cdef-0123-456789abcdef", "id eq 01234567-89AB-cdef-0123-456789abcdef"},
		{"n eq 1.5E-3 or n eq null or b eq false", "n eq 1.5E-3 or n eq null or b eq false"},
	}
	for _, tt := range tests {
		e, err := ParseFilter(tt.in)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.in, err)
			continue
		}
		got := FormatExpr(e)
		if got != tt.want {
			t.Errorf("FormatExpr(ParseFilter(%q)) = %q, want %q", tt.in, got, tt.want)
		}
		e2, err := ParseFilter(got)
		if err != nil || sexpr(e2) != sexpr(e) {
			t.Errorf("re-parsing %q: %s, %v; want %s", got, sexpr(e2), err, sexpr(e))
		}
	}
}

func TestFormatExprHandBuilt(t *testing.T) {
	e := &Binary{Op: OpEq, Left: &Not{X: &PathExpr{Path: Path{Segments: []string{"a"}}}},
		Right: &Neg{X: &Binary{Op: OpMul, Left: &Literal{Kind: LitInt, Text: "2"},
			Right: &Literal{Kind: LitDecimal, Text: "1.5"}}}}
	if got, want := FormatExpr(e), "(not a) eq -(2 mul 1.5)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := FormatExpr(nil); got != "" {
		t.Errorf("FormatExpr(nil) = %q", got)
	}
}
