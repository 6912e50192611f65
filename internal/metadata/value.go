package metadata

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Typed values by attribute type, as they travel between the API, validation and the store:
//
//	string, text, email, phone, url, choice, autonumber  string
//	integer                                              int64
//	decimal, money                                       decimal.Decimal
//	boolean                                              bool
//	date                                                 string "YYYY-MM-DD"
//	datetime                                             time.Time in UTC
//	multi_choice                                         []string
//	lookup, guid                                         string (canonical lower-case UUID)
//	json                                                 json.RawMessage

// ConvertError explains why a value does not fit an attribute.
type ConvertError struct{ Msg string }

func (e *ConvertError) Error() string { return e.Msg }

func convErr(format string, args ...any) error {
	return &ConvertError{Msg: fmt.Sprintf(format, args...)}
}

// Convert turns a JSON-decoded value (decoded with UseNumber) into the attribute's typed value.
// It checks the type only; rules such as required or max length are the caller's.
func (a *Attribute) Convert(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case TypeString, TypeText, TypeEmail, TypePhone, TypeURL, TypeChoice, TypeAutonumber:
		s, ok := v.(string)
		if !ok {
			return nil, convErr("expected a string, got %s", jsonKind(v))
		}
		return s, nil
	case TypeInteger:
		switch x := v.(type) {
		case json.Number:
			n, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return nil, convErr("expected a whole number, got %s", x)
			}
			return n, nil
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		}
		return nil, convErr("expected a whole number, got %s", jsonKind(v))
	case TypeDecimal, TypeMoney:
		var d decimal.Decimal
		var err error
		switch x := v.(type) {
		case json.Number:
			d, err = decimal.NewFromString(string(x))
		case string: // IEEE754Compatible clients send decimals as strings
			d, err = decimal.NewFromString(strings.TrimSpace(x))
		case decimal.Decimal:
			d = x
		case int64:
			d = decimal.NewFromInt(x)
		case int:
			d = decimal.NewFromInt(int64(x))
		case float64: // Go callers (a JSON decoder without UseNumber gives these too)
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, convErr("expected a number, got %v", x)
			}
			d = decimal.NewFromFloat(x)
		default:
			return nil, convErr("expected a number, got %s", jsonKind(v))
		}
		if err != nil {
			return nil, convErr("expected a number, got %v", v)
		}
		scale := int32(a.DecimalScale())
		if !d.Equal(d.Round(scale)) {
			return nil, convErr("%s has more than %d decimal places", d.String(), scale)
		}
		// Values must fit a 64-bit integer once scaled (how SQLite stores them), in both dialects.
		if d.Abs().Shift(scale).GreaterThanOrEqual(decimal.New(9, 18)) {
			return nil, convErr("%s is too large", d.String())
		}
		return d, nil
	case TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, convErr("expected true or false, got %s", jsonKind(v))
		}
		return b, nil
	case TypeDate:
		s, ok := v.(string)
		if !ok {
			return nil, convErr("expected a date YYYY-MM-DD, got %s", jsonKind(v))
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, convErr("expected a date YYYY-MM-DD, got %q", s)
		}
		return s, nil
	case TypeDateTime:
		switch x := v.(type) {
		case string:
			t, err := ParseDateTime(x)
			if err != nil {
				return nil, convErr("expected a date and time such as 2024-05-01T09:30:00Z, got %q", x)
			}
			return t, nil
		case time.Time:
			return x.UTC(), nil
		}
		return nil, convErr("expected a date and time string, got %s", jsonKind(v))
	case TypeMultiChoice:
		list, ok := v.([]any)
		if !ok {
			if ss, ok := v.([]string); ok {
				return ss, nil
			}
			return nil, convErr("expected an array of option values, got %s", jsonKind(v))
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, ok := item.(string)
			if !ok {
				return nil, convErr("expected an array of strings")
			}
			out = append(out, s)
		}
		return out, nil
	case TypeLookup, TypeGUID:
		s, ok := v.(string)
		if !ok {
			return nil, convErr("expected an id (UUID string), got %s", jsonKind(v))
		}
		id, err := uuid.Parse(s)
		if err != nil || len(s) != 36 {
			return nil, convErr("expected an id (UUID), got %q", s)
		}
		return id.String(), nil
	case TypeJSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, convErr("not valid JSON")
		}
		return json.RawMessage(b), nil
	}
	return nil, convErr("unsupported attribute type %s", a.Type)
}

// ParseDateTime accepts RFC 3339 with or without fractional seconds and a date-only value
// (taken as midnight UTC), and returns the instant in UTC truncated to microseconds.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Microsecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid datetime %q", s)
}

// JSONValue returns the typed value in the form the API writes: decimals as exact JSON numbers,
// datetimes as RFC 3339 UTC strings.
func (a *Attribute) JSONValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case decimal.Decimal:
		return json.Number(x.StringFixed(int32(a.DecimalScale())))
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.999999Z")
	case float64:
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	}
	return v
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64, int64, int:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
