package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal_error","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// jsonWriter appends OData JSON for records without reflection.
type jsonWriter struct {
	b []byte
	// keys caches the quoted "name": prefix of each column of the last column set written
	// (every record of a page shares its column set).
	keyCols []query.Column
	keys    [][]byte
}

// columnKeys returns the quoted keys of cols, reusing the previous result for the same set.
func (j *jsonWriter) columnKeys(cols []query.Column) [][]byte {
	if len(cols) > 0 && len(j.keyCols) == len(cols) && &j.keyCols[0] == &cols[0] {
		return j.keys
	}
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = columnKey(c)
	}
	j.keyCols, j.keys = cols, keys
	return keys
}

func (j *jsonWriter) raw(s string) { j.b = append(j.b, s...) }

func (j *jsonWriter) str(s string) { j.b = appendString(j.b, s) }

func (j *jsonWriter) key(k string) {
	if n := len(j.b); n > 0 && j.b[n-1] != '{' && j.b[n-1] != '[' {
		j.b = append(j.b, ',')
	}
	j.b = appendString(j.b, k)
	j.b = append(j.b, ':')
}

// record writes one record object: ETag annotation, visible columns, expanded navigations.
func (j *jsonWriter) record(r *records.Record, context string) {
	j.raw("{")
	if context != "" {
		j.key("@odata.context")
		j.str(context)
	}
	if v := r.Version(); v > 0 {
		j.key("@odata.etag")
		j.str(records.ETag(v))
	}
	var nested map[string][]int
	var nestedOrder []string
	keys := j.columnKeys(r.Cols)
	for i, c := range r.Cols {
		if c.Hidden {
			continue
		}
		if nav, _, ok := strings.Cut(c.Name, "/"); ok { // grouped navigation paths in $apply results
			if nested == nil {
				nested = map[string][]int{}
			}
			if _, seen := nested[nav]; !seen {
				nestedOrder = append(nestedOrder, nav)
			}
			nested[nav] = append(nested[nav], i)
			continue
		}
		if n := len(j.b); n > 0 && j.b[n-1] != '{' {
			j.b = append(j.b, ',')
		}
		j.b = append(j.b, keys[i]...)
		j.value(c, r.Vals[i])
	}
	for _, nav := range nestedOrder {
		j.key(nav)
		j.raw("{")
		for _, i := range nested[nav] {
			_, rest, _ := strings.Cut(r.Cols[i].Name, "/")
			j.key(rest)
			j.value(r.Cols[i], r.Vals[i])
		}
		j.raw("}")
	}
	names := make([]string, 0, len(r.Expanded))
	for name := range r.Expanded {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := r.Expanded[name]
		j.key(name)
		switch x := v.(type) {
		case *records.Record:
			if x == nil {
				j.raw("null")
			} else {
				j.record(x, "")
			}
		case []*records.Record:
			j.raw("[")
			for k, rr := range x {
				if k > 0 {
					j.raw(",")
				}
				j.record(rr, "")
			}
			j.raw("]")
		}
	}
	j.raw("}")
}

func (j *jsonWriter) value(c query.Column, v any) {
	switch x := v.(type) {
	case nil:
		j.raw("null")
	case string:
		j.str(x)
	case int64:
		j.b = strconv.AppendInt(j.b, x, 10)
	case float64:
		j.b = strconv.AppendFloat(j.b, x, 'f', -1, 64)
	case bool:
		j.b = strconv.AppendBool(j.b, x)
	case decimal.Decimal:
		j.raw(x.StringFixed(int32(c.Attr.DecimalScale())))
	case time.Time:
		j.b = appendTime(j.b, x)
	case []string:
		j.raw("[")
		for i, s := range x {
			if i > 0 {
				j.raw(",")
			}
			j.str(s)
		}
		j.raw("]")
	case json.RawMessage:
		j.b = append(j.b, x...)
	default:
		b, _ := json.Marshal(x)
		j.b = append(j.b, b...)
	}
}

// keyCache holds the quoted JSON keys of column names. Aggregate aliases are chosen by clients,
// so the cache stops growing at keyCacheLimit entries.
var (
	keyCache     sync.Map
	keyCacheSize atomic.Int64
)

const keyCacheLimit = 10000

func columnKey(c query.Column) []byte {
	if k, ok := keyCache.Load(c.Name); ok {
		return k.([]byte)
	}
	k := append(appendString(nil, c.Name), ':')
	if keyCacheSize.Load() < keyCacheLimit {
		if _, loaded := keyCache.LoadOrStore(c.Name, k); !loaded {
			keyCacheSize.Add(1)
		}
	}
	return k
}

const hexDigits = "0123456789abcdef"

// appendTime appends t in UTC as a JSON string "2006-01-02T15:04:05.999999Z".
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 || y > 9999 {
		return appendString(b, t.Format("2006-01-02T15:04:05.999999Z"))
	}
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = append(b, '"', byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = two(b, int(mo))
	b = append(b, '-')
	b = two(b, d)
	b = append(b, 'T')
	b = two(b, h)
	b = append(b, ':')
	b = two(b, mi)
	b = append(b, ':')
	b = two(b, s)
	if us := t.Nanosecond() / 1000; us > 0 {
		digits := [6]byte{}
		for i := 5; i >= 0; i-- {
			digits[i] = byte('0' + us%10)
			us /= 10
		}
		n := 6
		for n > 0 && digits[n-1] == '0' {
			n--
		}
		b = append(b, '.')
		b = append(b, digits[:n]...)
	}
	return append(b, 'Z', '"')
}

// safeASCII marks the bytes that appear in a JSON string as themselves.
var safeASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) && safeASCII[s[i]] {
		i++
	}
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// annotate adds an instance annotation, name and JSON value, to the object just written.
func (j *jsonWriter) annotate(name string, value any) {
	b, err := json.Marshal(value)
	if err != nil || len(j.b) == 0 || j.b[len(j.b)-1] != '}' {
		return
	}
	j.b = j.b[:len(j.b)-1]
	j.key(name)
	j.b = append(j.b, b...)
	j.raw("}")
}
