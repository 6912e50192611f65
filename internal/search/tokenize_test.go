package search

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Shanghai-based ACME Ltd.", []string{"shanghai", "based", "acme", "ltd"}},
		{"上海华东", []string{"上", "上海", "海", "海华", "华", "华东", "东"}},
		{"Acme上海 office", []string{"acme", "上", "上海", "海", "office"}},
		{"li.wei@example.com +86 21", []string{"li", "wei", "example", "com", "86", "21"}},
		{"Café", []string{"café"}},
		{"  ", nil},
	} {
		if got := Tokens(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTerms(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Term
	}{
		{"Shang", []Term{{"shang", true}}},
		{"acme ltd ", []Term{{"acme", false}, {"ltd", false}}},
		{"acme lt", []Term{{"acme", false}, {"lt", true}}},
		{"上海", []Term{{"上海", false}}},
		{"上", []Term{{"上", false}}},
		{"上海华东 acme", []Term{{"上海", false}, {"海华", false}, {"华东", false}, {"acme", true}}},
		{"acme acme", []Term{{"acme", false}}},
		{"!!", nil},
	} {
		if got := Terms(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Terms(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
