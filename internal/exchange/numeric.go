package exchange

import "github.com/meridian-crm/meridian/internal/metadata"

// numericType reports whether values of type t are numbers: csvsafe leaves their plain numbers
// (a leading "-" included) as they are when it neutralises the cells of exports and import
// error files that a spreadsheet would run as formulas.
func numericType(t metadata.Type) bool {
	return t == metadata.TypeInteger || t == metadata.TypeDecimal || t == metadata.TypeMoney
}
