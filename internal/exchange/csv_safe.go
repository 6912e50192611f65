package exchange

import "github.com/meridian-crm/meridian/internal/metadata"

// CSV files written here go through csvsafe, which neutralises cells a spreadsheet would run as
// formulas (see internal/csvsafe): exports and import error files.

// numericType reports whether values of type t are numbers (whose plain numbers are data).
func numericType(t metadata.Type) bool {
	return t == metadata.TypeInteger || t == metadata.TypeDecimal || t == metadata.TypeMoney
}
