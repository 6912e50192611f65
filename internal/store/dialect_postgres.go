package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/metadata"
)

func (postgresDialect) ColumnType(a *metadata.Attribute) string {
	switch a.Type {
	case metadata.TypeInteger:
		return "bigint"
	case metadata.TypeDecimal, metadata.TypeMoney:
		return "numeric(28," + strconv.Itoa(a.DecimalScale()) + ")"
	case metadata.TypeBoolean:
		return "boolean"
	case metadata.TypeDate:
		return "date"
	case metadata.TypeDateTime:
		return "timestamptz"
	case metadata.TypeLookup, metadata.TypeGUID:
		return "uuid"
	case metadata.TypeJSON:
		return "jsonb"
	}
	// Byte-order collation: the same ordering as SQLite, and LIKE 'x%' can use the index.
	return `text COLLATE "C"`
}

func (postgresDialect) Encode(a *metadata.Attribute, v any) any {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.StringFixed(int32(a.DecimalScale()))
	case time.Time:
		return x.UTC()
	case []string:
		return encodeMulti(x)
	case json.RawMessage:
		return string(x)
	}
	return v
}

func (d postgresDialect) BulkValue(a *metadata.Attribute, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		switch a.Type {
		case metadata.TypeLookup, metadata.TypeGUID:
			if id, err := uuid.Parse(x); err == nil {
				return [16]byte(id)
			}
		case metadata.TypeDate:
			if t, err := time.Parse(time.DateOnly, x); err == nil {
				return t
			}
		}
	case decimal.Decimal:
		return pgtype.Numeric{Int: x.Coefficient(), Exp: x.Exponent(), Valid: true}
	}
	return d.Encode(a, v)
}

func (postgresDialect) Decode(a *metadata.Attribute, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	switch a.Type {
	case metadata.TypeDecimal, metadata.TypeMoney:
		switch x := raw.(type) {
		case string:
			d, err := decimal.NewFromString(x)
			if err != nil {
				return nil, err
			}
			return d, nil
		case []byte:
			return decimal.NewFromString(string(x))
		case float64:
			return decimal.NewFromFloat(x), nil
		case int64:
			return decimal.NewFromInt(x), nil
		}
	case metadata.TypeBoolean:
		if x, ok := raw.(bool); ok {
			return x, nil
		}
	case metadata.TypeInteger:
		switch x := raw.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case float64:
			return x, nil
		case string: // numeric results such as avg
			return strconv.ParseFloat(x, 64)
		}
	case metadata.TypeDateTime:
		if t, ok := raw.(time.Time); ok {
			return t.UTC(), nil
		}
	case metadata.TypeDate:
		switch x := raw.(type) {
		case time.Time:
			return x.Format(time.DateOnly), nil
		case string:
			return x, nil
		}
	case metadata.TypeMultiChoice:
		if s, ok := asString(raw); ok {
			return decodeMulti(s), nil
		}
	case metadata.TypeJSON:
		switch x := raw.(type) {
		case string:
			return json.RawMessage(x), nil
		case []byte:
			return json.RawMessage(x), nil
		default:
			b, err := json.Marshal(x)
			return json.RawMessage(b), err
		}
	default:
		switch x := raw.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case [16]byte:
			return formatUUID(x), nil
		}
	}
	return nil, fmt.Errorf("store: cannot decode %T into %s attribute %s", raw, a.Type, a.Name)
}

func (postgresDialect) ILike(expr, pattern string) string {
	return expr + " ILIKE " + pattern + ` ESCAPE '\'`
}

func (postgresDialect) DatePart(part, expr string, a *metadata.Attribute) string {
	if a != nil && a.Type == metadata.TypeDateTime {
		expr = "(" + expr + " AT TIME ZONE 'UTC')"
	}
	return "CAST(EXTRACT(" + part + " FROM " + expr + ") AS integer)"
}

func (postgresDialect) IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func (postgresDialect) IsRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (postgresDialect) IsUndefinedObject(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42703" || pe.Code == "42P01")
}

func formatUUID(b [16]byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&15]
		j += 2
	}
	return string(out)
}
