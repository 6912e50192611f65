package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// SQLiteTime is the fixed-width text form of datetimes in SQLite; it sorts like the instants.
const SQLiteTime = "2006-01-02T15:04:05.000000Z"

func (sqliteDialect) ColumnType(a *metadata.Attribute) string {
	switch a.Type {
	case metadata.TypeInteger, metadata.TypeBoolean, metadata.TypeDecimal, metadata.TypeMoney:
		// Decimals are stored as integers scaled by 10^scale: exact, and they sort and sum correctly.
		return "INTEGER"
	}
	return "TEXT"
}

func (sqliteDialect) Encode(a *metadata.Attribute, v any) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case decimal.Decimal:
		return x.Shift(int32(a.DecimalScale())).Round(0).IntPart()
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case time.Time:
		return x.UTC().Format(SQLiteTime)
	case []string:
		return encodeMulti(x)
	case json.RawMessage:
		return string(x)
	}
	return v
}

func (d sqliteDialect) BulkValue(a *metadata.Attribute, v any) any { return d.Encode(a, v) }

func (sqliteDialect) Decode(a *metadata.Attribute, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	switch a.Type {
	case metadata.TypeDecimal, metadata.TypeMoney:
		switch x := raw.(type) {
		case int64:
			return decimal.New(x, -int32(a.DecimalScale())), nil
		case float64: // aggregates such as avg
			return decimal.NewFromFloat(x).Shift(-int32(a.DecimalScale())), nil
		}
	case metadata.TypeBoolean:
		if x, ok := raw.(int64); ok {
			return x != 0, nil
		}
	case metadata.TypeInteger:
		switch raw.(type) {
		case int64, float64:
			return raw, nil // already the typed value: no new allocation
		}
	case metadata.TypeDateTime:
		if s, ok := asString(raw); ok {
			if t, ok := parseFixedTime(s); ok {
				return t, nil
			}
			return time.Parse(time.RFC3339Nano, s)
		}
	case metadata.TypeMultiChoice:
		if s, ok := asString(raw); ok {
			return decodeMulti(s), nil
		}
	case metadata.TypeJSON:
		if s, ok := asString(raw); ok {
			return json.RawMessage(s), nil
		}
	default:
		if _, ok := raw.(string); ok {
			return raw, nil
		}
		if s, ok := asString(raw); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("store: cannot decode %T into %s attribute %s", raw, a.Type, a.Name)
}

func (sqliteDialect) ILike(expr, pattern string) string {
	// SQLite's LIKE is case-insensitive for ASCII by default.
	return expr + " LIKE " + pattern + ` ESCAPE '\'`
}

func (sqliteDialect) DatePart(part, expr string, a *metadata.Attribute) string {
	f := map[string]string{"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S"}[part]
	return "CAST(strftime('" + f + "', " + expr + ") AS INTEGER)"
}

func (sqliteDialect) IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func (sqliteDialect) IsUndefinedObject(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "no such column") || strings.Contains(msg, "no such table") || strings.Contains(msg, "has no column named")
}

func (sqliteDialect) IsRetryable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

func asString(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// encodeMulti stores multi-choice values as ",a,b," so that one value is matched by LIKE '%,a,%'.
func encodeMulti(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return "," + strings.Join(vals, ",") + ","
}

func decodeMulti(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// parseFixedTime parses SQLiteTime ("2006-01-02T15:04:05.000000Z") without the general parser.
func parseFixedTime(s string) (time.Time, bool) {
	if len(s) != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	us, ok7 := num(20, 26)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC), true
}
