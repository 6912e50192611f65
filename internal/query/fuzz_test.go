package query

import (
	"errors"
	"testing"
)

var fuzzFilterSeeds = []string{
	"name eq 'x' and revenue gt 100",
	"not (status eq 'lost') or amount ge 1.5E3",
	"contains(tolower(name),'acme') and startswith(city,'上海')",
	"status in ('open','won') and n in (1,2,3)",
	"contacts/any(c: c/email eq 'a@b.c' and c/tags/all(t: t ne 'x'))",
	"x/any()",
	"-price add 5 mul (a sub -3.25) le 0",
	"close_date ge 2024-01-31 and modified_at lt 2024-01-31T10:20:30.123+08:00",
	"created_at gt 2024-01-31T10:20Z",
	"id eq 01234567-89ab-cdef-0123-456789abcdef or a1b2c3d4 eq 1",
	"name eq 'O''Brien' or name eq ''",
	"((a))",
	"year(close_date) eq 2024 and month(close_date) le 6",
	"primary_contact_id/account_id/name ne null",
	"a eq 1 AND b eq 2",
	"name eq 'abc",
	"--5 eq x",
	"not not a",
}

var fuzzOptionSeeds = []string{
	"$filter=name%20eq%20'x'&$top=10&$expand=contacts($select=full_name;$top=5)&foo=bar",
	"$select=name,revenue&$orderby=name desc,revenue&$skip=20&$count=true",
	"$apply=filter(stage eq 'won')/groupby((account_id/industry),aggregate(amount with sum as total,$count as n))",
	"$expand=contacts($filter=a eq 'x,y)';$orderby=a desc;$expand=account_id($select=name))",
	"$filter=t gt 2024-01-31T10:20:30%2B08:00&$format=json&$search=blue+widget",
	"$skiptoken=abc%3D%3D&$deltatoken=1",
	"$FILTER=a eq 1&$filter=b eq 2",
	"$filter=city eq '%E4%B8%8A%E6%B5%B7'",
	"$top=-1",
	"$expand=a(%24expand=b(%24expand=c))",
	"$filter=a%zz",
	"&&=&$select=*",
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range fuzzFilterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseFilter(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseFilter(%q): %T %v, want *SyntaxError", s, err, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("ParseFilter(%q): position %d outside the input", s, se.Pos)
			}
			return
		}
		printed := FormatExpr(e)
		if len(printed) > maxOptionLen {
			return // canonical spacing can outgrow the limit; nothing to compare
		}
		e2, err := ParseFilter(printed)
		if err != nil {
			t.Fatalf("ParseFilter(%q) printed as %q, which does not parse: %v", s, printed, err)
		}
		if again := FormatExpr(e2); again != printed {
			t.Fatalf("ParseFilter(%q): printed %q, re-printed %q", s, printed, again)
		}
	})
}

func FuzzParseOptions(f *testing.F) {
	for _, s := range fuzzOptionSeeds {
		f.Add(s)
	}
	for _, s := range fuzzFilterSeeds {
		f.Add("$filter=" + s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOptions(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseOptions(%q): %T %v, want *SyntaxError", s, err, err)
			}
			return
		}
		if o == nil {
			t.Fatalf("ParseOptions(%q) returned nil options and no error", s)
		}
		checkExpandOptions(t, s, o.Expand)
	})
}

// checkExpandOptions fails if any expand item, at any depth, has nil Options.
func checkExpandOptions(t *testing.T, in string, items []ExpandItem) {
	for _, it := range items {
		if it.Options == nil {
			t.Fatalf("ParseOptions(%q): expand item %s has nil Options", in, it.Path)
		}
		checkExpandOptions(t, in, it.Options.Expand)
	}
}
