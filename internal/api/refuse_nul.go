package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
)

// The NUL character (U+0000) is refused in every text a request carries. PostgreSQL cannot
// store it in text (it failed such writes and reads with an internal error) while SQLite would
// keep it, so the API refuses it at the door, the same on both databases, wherever it comes:
//   - the URL: its path (alternate key values, names in the path) and every query parameter,
//     checked before routing (refuseNULInURL) and for each operation of a $batch;
//   - a JSON body: any key or string at any depth, $batch included (readJSON);
//   - a multipart form: its fields and file names (checkForm).
// The answer is 400 invalid_character naming the field. The query parser and the records write
// path refuse it too, for callers that do not come through the API (saved filters, imports).

// nulCode is the error code of text holding the NUL character.
const nulCode = "invalid_character"

func nulFault(target string) *fault.Error {
	what := target
	if what == "" {
		what = "the request body"
	}
	return fault.Field(target, nulCode, "%s contains the NUL character (U+0000), which text may not hold", what)
}

// refuseNULInURL answers 400 to a request whose URL holds the NUL character.
func (s *Server) refuseNULInURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if target, found := nulInURL(r.URL); found {
			s.writeError(w, r, nulFault(target))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// nulInURL reports whether u holds the NUL character, and where: the query parameter, the
// alternate key or id of an entity path, or else "path".
func nulInURL(u *url.URL) (string, bool) {
	if strings.IndexByte(u.Path, 0) >= 0 {
		if res, err := parseResource(strings.TrimPrefix(u.EscapedPath(), "/api/v1/")); err == nil {
			for k, v := range res.Key {
				if strings.IndexByte(v, 0) >= 0 {
					return k, true
				}
			}
			if strings.IndexByte(res.ID, 0) >= 0 {
				return "id", true
			}
		}
		return "path", true
	}
	if !strings.Contains(u.RawQuery, "%00") { // a URL cannot hold a raw NUL (net/url refuses control characters)
		return "", false
	}
	for raw := range strings.SplitSeq(u.RawQuery, "&") {
		k, v, _ := strings.Cut(raw, "=")
		dk, kerr := url.QueryUnescape(k)
		dv, verr := url.QueryUnescape(v)
		if kerr != nil || verr != nil {
			continue // malformed escapes are the query parser's to report
		}
		if strings.IndexByte(dk, 0) >= 0 || strings.IndexByte(dv, 0) >= 0 {
			return strings.ReplaceAll(dk, "\x00", ""), true
		}
	}
	return "", false
}

// readJSON reads a whole JSON body of at most limit bytes and refuses one holding the NUL
// character, naming the member that does (e.g. "requests[2].body.name").
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, err
	}
	if path, found := nulInJSON(b); found {
		return nil, nulFault(path)
	}
	return b, nil
}

// nulInJSON reports whether the JSON text b holds a string (or key) with the NUL character,
// and the path of its member. Raw control characters are not valid JSON, so NUL can only come
// as the escape \u0000: text without one is passed at the cost of a byte search.
func nulInJSON(b []byte) (string, bool) {
	if !hasNULEscape(b) {
		return "", false
	}
	type frame struct {
		object, wantKey bool
		key             string
		index           int
	}
	var stack []frame
	path := func() string {
		var sb strings.Builder
		for _, f := range stack {
			if f.object {
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(f.key)
			} else {
				sb.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		return sb.String()
	}
	done := func() { // a value of the innermost container is complete
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // the end, or invalid JSON, which decoding reports
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				if strings.IndexByte(key, 0) >= 0 {
					return path(), true
				}
				stack[n-1].key, stack[n-1].wantKey = key, false
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			if strings.IndexByte(t, 0) >= 0 {
				return path(), true
			}
			done()
		default:
			done()
		}
	}
}

// hasNULEscape reports whether b holds \u0000 as an escape (not as the text "\\u0000", whose
// backslash is itself escaped).
func hasNULEscape(b []byte) bool {
	esc := []byte(`\u0000`)
	for i := 0; ; {
		j := bytes.Index(b[i:], esc)
		if j < 0 {
			return false
		}
		at := i + j
		n := 0
		for k := at - 1; k >= 0 && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = at + 1
	}
}

// checkForm refuses a multipart form whose fields or file names hold the NUL character.
func checkForm(f *multipart.Form) error {
	for name, vals := range f.Value {
		for _, v := range vals {
			if strings.IndexByte(v, 0) >= 0 {
				return nulFault(name)
			}
		}
	}
	for name, files := range f.File {
		for _, h := range files {
			if strings.IndexByte(h.Filename, 0) >= 0 {
				return nulFault(name)
			}
		}
	}
	return nil
}
