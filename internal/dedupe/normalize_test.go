package dedupe

import "testing"

func TestE164(t *testing.T) {
	for _, c := range []struct{ in, cc, want string }{
		{"138 0013 8000", "+86", "+8613800138000"},
		{"+86 138-0013-8000", "+1", "+8613800138000"},
		{"0086 13800138000", "", "+8613800138000"},
		{"(415) 555-2671", "+1", "+14155552671"},
		{"415.555.2671", "", "+14155552671"},     // no default: 10 digits not starting 0/1 read as NANP
		{"21 6552 9988", "+86", "+862165529988"}, // the default wins over the NANP guess
		{"1-415-555-2671", "+1", "+14155552671"},
		{"010 6552 9988", "+86", "+861065529988"}, // trunk 0 dropped before the default code
		{"+44 20 7946 0958 ext. 12", "", "+442079460958"},
		{"１３８００１３８０００", "+86", "+8613800138000"}, // full-width digits
		{"12345", "+86", ""},
		{"", "+86", ""},
	} {
		if got := E164(c.in, c.cc); got != c.want {
			t.Errorf("E164(%q, %q) = %q, want %q", c.in, c.cc, got, c.want)
		}
	}
}

func TestNormalEmailAndDomain(t *testing.T) {
	if got := NormalEmail("  Ada.Lovelace@Example.COM "); got != "ada.lovelace@example.com" {
		t.Errorf("NormalEmail = %q", got)
	}
	if got := NormalEmail("not an address"); got != "" {
		t.Errorf("NormalEmail(no @) = %q", got)
	}
	for in, want := range map[string]string{
		"https://www.Acme.com/about": "acme.com",
		"acme.com":                   "acme.com",
		"http://shop.acme.com:8080":  "shop.acme.com",
		"localhost":                  "",
	} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalName(t *testing.T) {
	for _, c := range []struct {
		a, b    string
		company bool
		same    bool
	}{
		{"Acme Inc.", "ACME, Inc", true, true},
		{"Acme Co., Ltd.", "acme", true, true},
		{"Ａｃｍｅ　ＧｍｂＨ", "Acme", true, true}, // full-width folding
		{"北京东方科技有限公司", "北京东方科技", true, true},
		{"北京东方科技股份有限公司", "北京东方科技", true, true},
		{"东方集团", "东方", true, true},
		{"Acme Inc.", "Acme", false, false}, // suffixes only go for companies
		{"Costco", "Cost", true, false},     // only whole words are suffixes
	} {
		na, nb := NormalName(c.a, c.company), NormalName(c.b, c.company)
		if (na == nb) != c.same {
			t.Errorf("NormalName(%q)=%q vs NormalName(%q)=%q: same=%v, want %v", c.a, na, c.b, nb, na == nb, c.same)
		}
	}
}

func TestDiceOfBigrams(t *testing.T) {
	sim := func(a, b string) float64 {
		return Dice(Bigrams(NormalName(a, true)), Bigrams(NormalName(b, true)))
	}
	if s := sim("北京东方科技有限公司", "北京东方科技"); s != 1 {
		t.Errorf("same company, other form: %v", s)
	}
	if s := sim("北京东方科技", "北京东方技术"); s < 0.5 || s >= 0.8 {
		t.Errorf("related Chinese names: %v, want in [0.5, 0.8)", s)
	}
	if s := sim("Microsoft Corporation", "Microsfot"); s < 0.6 {
		t.Errorf("a typo: %v", s)
	}
	if s := sim("Acme", "Globex"); s != 0 {
		t.Errorf("unrelated: %v", s)
	}
	if s := sim("Acme Industries", "Acme Industry"); s < 0.8 {
		t.Errorf("near names: %v", s)
	}
}
