package exchange

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// row is one data row of the file on its way to a record.
type row struct {
	n      int // 0-based position among the data rows
	line   int // line (CSV) or row number (XLSX) in the file
	cells  []string
	empty  bool
	input  records.Input // converted cells, as a JSON body would carry them
	dflt   records.Input // mapping defaults, for a created record only
	refs   []lookupRef   // lookup cells, resolved in the batch transaction
	faults []*fault.Error
}

// lookupRef is a lookup cell: an id, an alternate-key value or a primary name of the target.
type lookupRef struct {
	attr   *metadata.Attribute
	target *metadata.Entity
	text   string
	dflt   bool // from the mapping's defaults
}

// buildRow converts the cells of a data row. Faults found here are the row's; the records
// service finds the rest when the row is written.
func (p *plan) buildRow(n, line int, cells []string) *row {
	r := &row{n: n, line: line, cells: cells, input: records.Input{}, dflt: records.Input{}}
	if blank(cells) {
		r.empty = true
		return r
	}
	for _, c := range p.cols {
		text := ""
		if c.index < len(cells) {
			text = cells[c.index]
		}
		p.setCell(r, c.attr, text, c.header, false)
	}
	for name, text := range p.defaults {
		if _, set := r.input[name]; set || p.hasRef(r, name) {
			continue
		}
		p.setCell(r, p.entity.Attr(name), text, "defaults."+name, true)
	}
	return r
}

func (p *plan) hasRef(r *row, name string) bool {
	for _, ref := range r.refs {
		if ref.attr.Name == name {
			return true
		}
	}
	return false
}

// setCell converts text for a into r (input or defaults); an empty cell sets nothing.
func (p *plan) setCell(r *row, a *metadata.Attribute, text, where string, dflt bool) {
	if strings.TrimSpace(text) == "" {
		return
	}
	if strings.ContainsRune(text, 0) {
		r.faults = append(r.faults, fault.Field(a.Name, "invalid_value", "the cell contains a NUL character"))
		return
	}
	if t := p.lookupTarget(a); t != nil {
		r.refs = append(r.refs, lookupRef{attr: a, target: t, text: strings.TrimSpace(text), dflt: dflt})
		return
	}
	v, currency, f := p.convert(a, text)
	if f != nil {
		r.faults = append(r.faults, f)
		return
	}
	dst := r.input
	if dflt {
		dst = r.dflt
	}
	dst[a.Name] = v
	if currency != "" {
		if _, ok := p.byAttr[a.Name+"_currency"]; !ok {
			dst[a.Name+"_currency"] = currency
		}
	}
}

// lookupTarget returns the entity a cell of a names records of (lookups and owner_id), or nil
// when the cell holds the value itself (polymorphic lookups take an id with their _type column).
func (p *plan) lookupTarget(a *metadata.Attribute) *metadata.Entity {
	switch {
	case a.Name == "owner_id":
		return p.model.Entity("user")
	case a.Type == metadata.TypeLookup && !a.Polymorphic():
		return p.model.Entity(a.Target)
	}
	return nil
}

var (
	thousandsRE = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)
	currencyRE  = regexp.MustCompile(`^([A-Za-z]{3})\s*(.+)$|^(.+?)\s*([A-Za-z]{3})$`)
)

// convert turns cell text into the value a JSON body would carry for a (strings, json.Number,
// bool, []any) and, for money written with a currency code, that code.
func (p *plan) convert(a *metadata.Attribute, text string) (any, string, *fault.Error) {
	s := strings.TrimSpace(text)
	switch a.Type {
	case metadata.TypeText:
		return text, "", nil
	case metadata.TypeChoice:
		return p.choice(a, s), "", nil
	case metadata.TypeMultiChoice:
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '；' || r == '，' })
		out := make([]any, 0, len(parts))
		for _, part := range parts {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, p.choice(a, part))
			}
		}
		return out, "", nil
	case metadata.TypeBoolean:
		switch strings.ToLower(s) {
		case "true", "yes", "y", "1", "t", "是", "真", "对":
			return true, "", nil
		case "false", "no", "n", "0", "f", "否", "假", "错":
			return false, "", nil
		}
		return nil, "", fault.Field(a.Name, "invalid_type", "expected yes or no (true/false, 1/0, 是/否), got %q", s)
	case metadata.TypeInteger:
		n, ok := number(s)
		if !ok {
			return nil, "", fault.Field(a.Name, "invalid_type", "expected a whole number, got %q", s)
		}
		if d, err := decimal.NewFromString(n); err == nil && d.IsInteger() {
			n = d.String()
		}
		return json.Number(n), "", nil
	case metadata.TypeDecimal, metadata.TypeMoney:
		currency := ""
		if a.Type == metadata.TypeMoney {
			if m := currencyRE.FindStringSubmatch(s); m != nil {
				if m[1] != "" {
					currency, s = strings.ToUpper(m[1]), m[2]
				} else {
					currency, s = strings.ToUpper(m[4]), m[3]
				}
			}
			s = strings.TrimLeft(s, "$¥￥€£ ")
		}
		n, ok := number(s)
		if !ok {
			return nil, "", fault.Field(a.Name, "invalid_type", "expected a number such as 1234.50 or 1,234.50, got %q", strings.TrimSpace(text))
		}
		return json.Number(roundNoise(n, a.DecimalScale())), currency, nil
	case metadata.TypeDate:
		t, ok := p.parseTime(s, true)
		if !ok {
			return nil, "", fault.Field(a.Name, "invalid_type", "expected a date such as 2024-05-01 or 2024/5/1, got %q", s)
		}
		return t.Format(time.DateOnly), "", nil
	case metadata.TypeDateTime:
		t, ok := p.parseTime(s, false)
		if !ok {
			return nil, "", fault.Field(a.Name, "invalid_type", "expected a date and time such as 2024-05-01 09:30 or 2024-05-01T09:30:00Z, got %q", s)
		}
		return t.UTC().Format(time.RFC3339Nano), "", nil
	case metadata.TypeGUID, metadata.TypeLookup:
		if id, err := uuid.Parse(s); err == nil && len(s) == 36 {
			return id.String(), "", nil
		}
		return nil, "", fault.Field(a.Name, "invalid_type", "expected an id (UUID), got %q", s)
	case metadata.TypeJSON:
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, "", fault.Field(a.Name, "invalid_type", "expected JSON, got %q", s)
		}
		return v, "", nil
	}
	if a.Of != "" && strings.HasSuffix(a.Name, "_currency") {
		return strings.ToUpper(s), "", nil
	}
	if a.Of != "" && strings.HasSuffix(a.Name, "_type") {
		if e := p.model.EntityBySet(s); e != nil {
			return e.Name, "", nil
		}
	}
	return s, "", nil
}

// choice translates a choice cell: the mapping's choices, then an option value, then an
// English or Chinese label, each case-insensitively. A cell that matches nothing is passed on
// as written, and the records service reports it as invalid_choice with the valid options.
func (p *plan) choice(a *metadata.Attribute, s string) string {
	k := strings.ToLower(s)
	if v, ok := p.choices[a.Name][k]; ok {
		return v
	}
	if a.Option(s) != nil {
		return s
	}
	for _, o := range a.Options {
		if strings.ToLower(o.Value) == k || strings.ToLower(o.Label.EN) == k || strings.ToLower(o.Label.ZH) == k {
			return o.Value
		}
	}
	return s
}

// number cleans a numeric cell: white space, a leading plus, and thousands separators in the
// 1,234,567.89 pattern (a lone comma is not a separator: "1,5" is refused, not read as 15).
func number(s string) (string, bool) {
	s = strings.TrimPrefix(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "+")
	if thousandsRE.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if _, err := decimal.NewFromString(s); err != nil {
		return "", false
	}
	return s, true
}

// roundNoise rounds a value with float noise (a spreadsheet's 1234.5000000000002) to the
// attribute's scale; an honest value with too many decimals is left for validation to refuse.
func roundNoise(s string, scale int) string {
	d, err := decimal.NewFromString(s)
	if err != nil || d.Equal(d.Round(int32(scale))) {
		return s
	}
	if len(strings.TrimLeft(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), "-", ""), "0")) >= 15 {
		return d.Round(int32(scale)).String()
	}
	return s
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}

var dateTimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05", "2006/01/02 15:04",
	"2006/1/2 15:04:05", "2006/1/2 15:04", "2006-1-2 15:04:05", "2006-1-2 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"}

// parseTime reads dates and datetimes (UTC unless the text has an offset), and Excel serial
// numbers (days since 1899-12-30, or 1904-01-01 in 1904 workbooks) in any format.
func (p *plan) parseTime(s string, dateOnly bool) (time.Time, bool) {
	if t, err := metadata.ParseDateTime(s); err == nil {
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 && !math.IsNaN(f) {
		t, err := excelize.ExcelDateToTime(f, p.date1904)
		if err == nil {
			t = t.UTC().Round(time.Second)
			if dateOnly {
				t = t.Truncate(24 * time.Hour)
			}
			return t, true
		}
	}
	return time.Time{}, false
}
