package metadata

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

// TestConvertMoney: a money value is taken from JSON numbers and strings and from Go's own
// numbers (a caller in Go writes 10 or 10.5), and refused, saying so, when it is no number.
func TestConvertMoney(t *testing.T) {
	a := &Attribute{Name: "revenue", Type: TypeMoney}
	for _, in := range []any{json.Number("10.5"), "10.5", 10.5, decimal.RequireFromString("10.5")} {
		got, err := a.Convert(in)
		if err != nil || !got.(decimal.Decimal).Equal(decimal.RequireFromString("10.5")) {
			t.Errorf("%T %v: %v (%v)", in, in, got, err)
		}
	}
	for _, in := range []any{10, int64(10)} {
		if got, err := a.Convert(in); err != nil || !got.(decimal.Decimal).Equal(decimal.NewFromInt(10)) {
			t.Errorf("%T %v: %v (%v)", in, in, got, err)
		}
	}
	for _, in := range []any{math.NaN(), math.Inf(1), true, "ten"} {
		if _, err := a.Convert(in); err == nil {
			t.Errorf("%T %v: converted", in, in)
		}
	}
}
