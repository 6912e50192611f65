package query

import "strings"

// FormatExpr renders e as canonical $filter text that ParseFilter reads back as the same tree:
// one space around binary operators, none inside parentheses or after commas, and parentheses
// only where precedence needs them. The text is not percent-encoded; a caller putting it in a
// URL must escape it (a '+' in a signed number or time zone offset as %2B, for one). A nil
// expression renders as "".
func FormatExpr(e Expr) string {
	var b strings.Builder
	formatExprTo(&b, e)
	return b.String()
}

// Binding strength of each expression form, loosest first, mirroring the parser.
const (
	fmtPrecOr = iota + 1
	fmtPrecAnd
	fmtPrecNot
	fmtPrecCmp
	fmtPrecAdd
	fmtPrecMul
	fmtPrecUnary
	fmtPrecPrimary
)

func fmtPrecOf(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		return fmtPrecOp(e.Op)
	case *In:
		return fmtPrecCmp
	case *Not:
		return fmtPrecNot
	case *Neg:
		return fmtPrecUnary
	}
	return fmtPrecPrimary
}

func fmtPrecOp(op BinaryOp) int {
	switch op {
	case OpOr:
		return fmtPrecOr
	case OpAnd:
		return fmtPrecAnd
	case OpAdd, OpSub:
		return fmtPrecAdd
	case OpMul, OpDiv, OpMod:
		return fmtPrecMul
	}
	return fmtPrecCmp
}

// formatOperand writes e, in parentheses if it binds more loosely than minPrec.
func formatOperand(b *strings.Builder, e Expr, minPrec int) {
	if fmtPrecOf(e) < minPrec {
		b.WriteByte('(')
		formatExprTo(b, e)
		b.WriteByte(')')
		return
	}
	formatExprTo(b, e)
}

func formatExprTo(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Literal:
		formatLiteral(b, e)
	case *PathExpr:
		b.WriteString(e.Path.String())
	case *Binary:
		prec := fmtPrecOp(e.Op)
		formatOperand(b, e.Left, prec) // left-associative: an equal left operand needs none
		b.WriteString(" " + string(e.Op) + " ")
		formatOperand(b, e.Right, prec+1)
	case *Not:
		b.WriteString("not ")
		formatOperand(b, e.X, fmtPrecNot)
	case *Neg:
		b.WriteByte('-')
		formatOperand(b, e.X, fmtPrecUnary)
	case *Call:
		b.WriteString(e.Name + "(")
		formatList(b, e.Args)
		b.WriteByte(')')
	case *In:
		formatOperand(b, e.X, fmtPrecCmp)
		b.WriteString(" in (")
		formatList(b, e.List)
		b.WriteByte(')')
	case *Lambda:
		b.WriteString(e.Collection.String())
		if e.Any {
			b.WriteString("/any(")
		} else {
			b.WriteString("/all(")
		}
		if e.Predicate != nil {
			b.WriteString(e.Var + ":")
			formatExprTo(b, e.Predicate)
		}
		b.WriteByte(')')
	}
}

func formatList(b *strings.Builder, list []Expr) {
	for i, x := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		formatExprTo(b, x)
	}
}

func formatLiteral(b *strings.Builder, l *Literal) {
	switch l.Kind {
	case LitNull:
		b.WriteString("null")
	case LitBool:
		if l.Text == "true" {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case LitString:
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(l.Text, "'", "''"))
		b.WriteByte('\'')
	default:
		b.WriteString(l.Text)
	}
}
