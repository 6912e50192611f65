package api

import (
	"net/url"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
)

// resource is a parsed OData resource path below the service root.
type resource struct {
	Set     string            // entity set
	ID      string            // record id, when addressed by key
	Key     map[string]string // alternate key values, when addressed by an alternate key
	Nav     string            // navigation property after the record
	NavID   string            // related record id in nav(<id>)/$ref
	Ref     bool              // $ref
	Count   bool              // /$count
	HasKey  bool
	HasNav  bool
	rawPath string
}

// parseResource parses the escaped path after /api/v1/, e.g. "accounts(1f0c…)/contacts/$ref".
func parseResource(escaped string) (*resource, error) {
	res := &resource{rawPath: escaped}
	segs := splitPath(escaped)
	if len(segs) == 0 {
		return nil, fault.New(fault.NotFound, "not_found", "no resource in the path")
	}
	head, err := url.PathUnescape(segs[0])
	if err != nil {
		return nil, badPath(escaped)
	}
	name, key, hasKey, err := splitKey(head)
	if err != nil {
		return nil, err
	}
	res.Set, res.HasKey = name, hasKey
	if hasKey {
		if err := parseKey(key, res); err != nil {
			return nil, err
		}
	}
	rest := segs[1:]
	if len(rest) > 0 && rest[0] == "$count" && !hasKey {
		res.Count = true
		rest = rest[1:]
	}
	if len(rest) > 0 {
		if !hasKey {
			return nil, badPath(escaped)
		}
		seg, err := url.PathUnescape(rest[0])
		if err != nil {
			return nil, badPath(escaped)
		}
		nav, navKey, navHasKey, err := splitKey(seg)
		if err != nil {
			return nil, err
		}
		res.Nav, res.HasNav = nav, true
		if navHasKey {
			res.NavID = strings.Trim(navKey, "'")
		}
		rest = rest[1:]
		if len(rest) > 0 && rest[0] == "$ref" {
			res.Ref = true
			rest = rest[1:]
		} else if len(rest) > 0 && rest[0] == "$count" {
			res.Count = true
			rest = rest[1:]
		}
		if navHasKey && !res.Ref {
			return nil, fault.New(fault.Invalid, "invalid_path", "address a related record by its own entity set, or use …/nav(<id>)/$ref to unlink it")
		}
	}
	if len(rest) > 0 {
		return nil, badPath(escaped)
	}
	return res, nil
}

func badPath(p string) error {
	return fault.Newf(fault.NotFound, "invalid_path", "%s is not a valid resource path", p)
}

// splitPath splits on "/" outside parentheses and quotes.
func splitPath(p string) []string {
	var out []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '/' && depth == 0:
			if i > start {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	if start < len(p) {
		out = append(out, p[start:])
	}
	return out
}

// splitKey splits "name(key)" into name and key.
func splitKey(seg string) (name, key string, hasKey bool, err error) {
	i := strings.IndexByte(seg, '(')
	if i < 0 {
		return seg, "", false, nil
	}
	if !strings.HasSuffix(seg, ")") {
		return "", "", false, badPath(seg)
	}
	return seg[:i], seg[i+1 : len(seg)-1], true, nil
}

// parseKey reads "<id>", "'<id>'" or "name='value',other=12".
func parseKey(key string, res *resource) error {
	if !strings.Contains(key, "=") {
		res.ID = strings.Trim(key, "'")
		return nil
	}
	res.Key = map[string]string{}
	for len(key) > 0 {
		eq := strings.IndexByte(key, '=')
		if eq <= 0 {
			return fault.New(fault.Invalid, "invalid_key", "an alternate key looks like name='value'")
		}
		name := strings.TrimSpace(key[:eq])
		key = key[eq+1:]
		var val string
		if strings.HasPrefix(key, "'") {
			var b strings.Builder
			i := 1
			for ; i < len(key); i++ {
				if key[i] == '\'' {
					if i+1 < len(key) && key[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					break
				}
				b.WriteByte(key[i])
			}
			if i >= len(key) {
				return fault.New(fault.Invalid, "invalid_key", "unterminated string in key")
			}
			val, key = b.String(), key[i+1:]
		} else {
			end := strings.IndexByte(key, ',')
			if end < 0 {
				end = len(key)
			}
			val, key = key[:end], key[end:]
		}
		res.Key[name] = val
		key = strings.TrimPrefix(strings.TrimSpace(key), ",")
	}
	return nil
}
