package records

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Input is a record body as decoded from JSON (with json.Decoder.UseNumber).
type Input map[string]any

// writable system columns a client may set.
var clientSystem = map[string]bool{"id": true, "owner_id": true}

// prepare validates in against e and returns typed values by column. current holds the stored
// values for an update (nil for create); required attributes are checked against the merged
// record. Every fault is reported, not only the first.
func (s *Service) prepare(ctx context.Context, m *metadata.Model, e *metadata.Entity, in Input, current map[string]any) (map[string]any, error) {
	vals := make(map[string]any, len(in))
	var faults []*fault.Error
	bad := func(f *fault.Error) { faults = append(faults, f) }
	for key, raw := range in {
		if strings.HasPrefix(key, "@") || strings.HasPrefix(key, "@odata.") {
			continue // instance annotations such as @odata.etag are ignored
		}
		if name, ok := strings.CutSuffix(key, "@odata.bind"); ok {
			if err := s.bind(m, e, name, raw, vals); err != nil {
				bad(err)
			}
			continue
		}
		a := e.Attr(key)
		if a == nil {
			if nav := m.Nav(e, key); nav != nil && nav.Kind == metadata.NavManyToOne {
				bad(fault.Field(key, "unknown_field", "%s is a navigation property; set %s to the related id, or use %s@odata.bind", key, nav.Attr.Name, key))
			} else {
				bad(fault.Field(key, "unknown_field", "%s is not an attribute of %s", key, e.Name))
			}
			continue
		}
		if a.System && !clientSystem[a.Name] && a.Of == "" {
			bad(fault.Field(key, "read_only_field", "%s is set by the server", key))
			continue
		}
		if a.Type == metadata.TypeAutonumber {
			bad(fault.Field(key, "read_only_field", "%s is numbered by the server", key))
			continue
		}
		if a.Name == "id" && current != nil {
			bad(fault.Field(key, "read_only_field", "the id of a record cannot change"))
			continue
		}
		v, err := a.Convert(raw)
		if err != nil {
			bad(fault.Field(key, "invalid_type", "%s: %v", key, err))
			continue
		}
		if f := checkRules(a, v); f != nil {
			bad(f)
			continue
		}
		vals[a.Name] = v
	}
	// What the server keeps: read-only attributes and closing statuses, for plain writes.
	for _, f := range s.managedFaults(ctx, e, vals, current) {
		bad(f)
	}
	// Field-level security: the values the caller gave, not the defaults applied below.
	for _, f := range s.deniedFields(ctx, e, vals, current == nil) {
		bad(f)
	}
	// Giving a record an owner other than oneself is an assignment: it needs the assign
	// privilege (on the entity for a new record, on the record for an existing one).
	if owner, ok := vals["owner_id"].(string); ok {
		p, _ := principal.From(ctx)
		var err error
		switch {
		case current == nil && owner != p.UserID:
			err = s.authorize(ctx, OpAssign, e, nil)
		case current != nil && owner != current["owner_id"]:
			err = s.authorize(ctx, OpAssign, e, recordFromMap(e, current))
		}
		if err != nil {
			fe, ok := fault.As(err)
			if !ok {
				return nil, err
			}
			f := *fe
			f.Target = "owner_id"
			bad(&f)
		}
	}
	if current == nil {
		applyDefaults(e, vals)
	}
	// A polymorphic lookup's type given without its id re-targets the stored id: take that id
	// along so that the pair is checked again below and by checkLookups. A type without any
	// id is refused rather than stored on its own.
	for _, a := range e.Lookups() {
		tn := a.NavName() + "_type"
		t, typeSet := vals[tn]
		if _, idSet := vals[a.Name]; !a.Polymorphic() || !typeSet || idSet {
			continue
		}
		var id any
		if current != nil {
			id = current[a.Name]
		}
		if id == nil && t != nil {
			bad(fault.Field(tn, "invalid_value", "%s names the entity %s refers to; set %s as well", tn, a.Name, a.Name))
			continue
		}
		vals[a.Name] = id
	}
	// Money without a currency takes the tenant default; polymorphic lookups need their type.
	for _, a := range e.Attributes {
		v, set := vals[a.Name]
		switch {
		case a.Type == metadata.TypeMoney && set && v != nil:
			if c, ok := vals[a.Name+"_currency"]; !ok || c == nil {
				if current == nil || current[a.Name+"_currency"] == nil {
					vals[a.Name+"_currency"] = DefaultCurrency
				}
			}
		case a.Polymorphic() && set && v != nil:
			tn := a.NavName() + "_type"
			t, _ := vals[tn].(string)
			if _, given := vals[tn]; !given && current != nil {
				t, _ = current[tn].(string) // an explicit null is not replaced by the stored type
			}
			if t == "" || m.Entity(t) == nil || m.Entity(t).ReadOnly() {
				bad(fault.Field(tn, "required", "%s needs %s: the entity name of the related record (or use %s@odata.bind)", a.Name, tn, a.NavName()))
			}
		case a.Polymorphic() && set && v == nil:
			vals[a.NavName()+"_type"] = nil
		}
		if c, ok := vals[a.Name+"_currency"].(string); ok && a.Type == metadata.TypeMoney && !validCurrency(c) {
			bad(fault.Field(a.Name+"_currency", "invalid_value", "%q is not a three-letter ISO 4217 currency code", c))
		}
	}
	for _, a := range e.Attributes {
		if !a.Required {
			continue
		}
		v, set := vals[a.Name]
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			v = nil // blank text does not fill a required field
		}
		if current == nil && (!set || v == nil) && a.Type != metadata.TypeAutonumber {
			bad(fault.Field(a.Name, "required", "%s is required", a.Name))
		}
		if current != nil && set && v == nil {
			bad(fault.Field(a.Name, "required", "%s is required and cannot be cleared", a.Name))
		}
	}
	if len(faults) > 0 {
		return nil, fault.Join(sortFaults(faults))
	}
	return vals, nil
}

// DefaultCurrency is the currency of money values given without one.
const DefaultCurrency = "USD"

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// bind handles "nav@odata.bind": "set(id)" for lookups.
func (s *Service) bind(m *metadata.Model, e *metadata.Entity, name string, raw any, vals map[string]any) *fault.Error {
	target := name + "@odata.bind"
	var a *metadata.Attribute
	if x := e.Attr(name); x != nil && x.Type == metadata.TypeLookup {
		a = x
	} else if nav := m.Nav(e, name); nav != nil && nav.Kind == metadata.NavManyToOne {
		a = nav.Attr
	} else {
		for _, l := range e.Lookups() {
			if l.NavName() == name {
				a = l
			}
		}
	}
	if a == nil {
		return fault.Field(target, "unknown_field", "%s is not a lookup of %s", name, e.Name)
	}
	if raw == nil {
		vals[a.Name] = nil
		return nil
	}
	ref, ok := raw.(string)
	if !ok {
		return fault.Field(target, "invalid_type", "expected a reference such as \"accounts(<id>)\"")
	}
	ref = strings.TrimPrefix(ref, "/")
	if i := strings.Index(ref, "/api/v1/"); i >= 0 {
		ref = ref[i+len("/api/v1/"):]
	}
	set, id, ok := strings.Cut(strings.TrimSuffix(ref, ")"), "(")
	te := m.EntityBySet(set)
	if !ok || te == nil {
		return fault.Field(target, "invalid_reference", "%q is not a reference such as \"accounts(<id>)\"", ref)
	}
	if !a.Polymorphic() && te.Name != a.Target {
		return fault.Field(target, "invalid_reference", "%s refers to %s records, not %s", name, a.Target, set)
	}
	v, err := a.Convert(id)
	if err != nil {
		return fault.Field(target, "invalid_type", "%v", err)
	}
	vals[a.Name] = v
	if a.Polymorphic() {
		vals[a.NavName()+"_type"] = te.Name
	}
	return nil
}

func applyDefaults(e *metadata.Entity, vals map[string]any) {
	for _, a := range e.Attributes {
		if _, set := vals[a.Name]; set || len(a.Default) == 0 {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(string(a.Default)))
		dec.UseNumber()
		var raw any
		if dec.Decode(&raw) != nil {
			continue
		}
		if v, err := a.Convert(raw); err == nil {
			vals[a.Name] = v
		}
	}
}

// checkRules applies the attribute's rules to a converted, non-null value.
func checkRules(a *metadata.Attribute, v any) *fault.Error {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case string:
		// PostgreSQL cannot store NUL in text and SQLite would: refused on both, for writes
		// that do not come through the API (which refuses it at the door), such as imports.
		if strings.IndexByte(x, 0) >= 0 {
			return fault.Field(a.Name, "invalid_character", "%s contains the NUL character (U+0000), which text may not hold", a.Name)
		}
		if a.MaxLength > 0 && utf8.RuneCountInString(x) > a.MaxLength {
			return fault.Field(a.Name, "too_long", "%s is %d characters long; the maximum is %d", a.Name, utf8.RuneCountInString(x), a.MaxLength)
		}
		switch a.Type {
		case metadata.TypeChoice:
			if a.Option(x) == nil {
				return fault.Field(a.Name, "invalid_choice", "%q is not an option of %s (%s)", x, a.Name, optionList(a))
			}
		case metadata.TypeEmail:
			if ad, err := mail.ParseAddress(x); err != nil || ad.Address != x {
				return fault.Field(a.Name, "invalid_format", "%q is not an email address", x)
			}
		case metadata.TypeURL:
			if u, err := url.Parse(x); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fault.Field(a.Name, "invalid_format", "%q is not an http(s) URL", x)
			}
		case metadata.TypePhone:
			if !validPhone(x) {
				return fault.Field(a.Name, "invalid_format", "%q is not a phone number", x)
			}
		}
	case []string:
		seen := map[string]bool{}
		for _, o := range x {
			if a.Option(o) == nil {
				return fault.Field(a.Name, "invalid_choice", "%q is not an option of %s (%s)", o, a.Name, optionList(a))
			}
			if seen[o] {
				return fault.Field(a.Name, "invalid_choice", "%q appears twice", o)
			}
			seen[o] = true
		}
	case int64:
		if f := checkRange(a, decimal.NewFromInt(x)); f != nil {
			return f
		}
	case decimal.Decimal:
		if f := checkRange(a, x); f != nil {
			return f
		}
	}
	return nil
}

func checkRange(a *metadata.Attribute, d decimal.Decimal) *fault.Error {
	if a.Min != nil {
		if lo, err := decimal.NewFromString(a.Min.String()); err == nil && d.LessThan(lo) {
			return fault.Field(a.Name, "out_of_range", "%s must be at least %s", a.Name, lo)
		}
	}
	if a.Max != nil {
		if hi, err := decimal.NewFromString(a.Max.String()); err == nil && d.GreaterThan(hi) {
			return fault.Field(a.Name, "out_of_range", "%s must be at most %s", a.Name, hi)
		}
	}
	return nil
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .x/", r):
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}

func optionList(a *metadata.Attribute) string {
	vals := make([]string, len(a.Options))
	for i, o := range a.Options {
		vals[i] = o.Value
	}
	return strings.Join(vals, ", ")
}

// checkLookups verifies that every lookup value set in vals points to an existing record of the
// tenant (locking it against deletion until commit on PostgreSQL).
func (s *Service) checkLookups(ctx context.Context, m *metadata.Model, e *metadata.Entity, tenant string, vals map[string]any) error {
	faults, err := s.checkLookupsMany(ctx, m, e, tenant, []map[string]any{vals})
	if err != nil {
		return err
	}
	if faults[0] != nil {
		return faults[0]
	}
	return nil
}

// lookupChunk is how many ids one existence query of checkLookupsMany asks for.
const lookupChunk = 500

// checkLookupsMany is checkLookups for many rows at once, with one query per target entity and
// chunk of ids instead of one per value. It returns the first failing lookup of each row (nil
// for the rows whose lookups all exist; rows that are nil are skipped).
func (s *Service) checkLookupsMany(ctx context.Context, m *metadata.Model, e *metadata.Entity, tenant string, rows []map[string]any) ([]*fault.Error, error) {
	faults := make([]*fault.Error, len(rows))
	// target entity → the ids wanted of it
	wanted := map[string]map[string]bool{}
	for i, vals := range rows {
		for _, a := range e.Lookups() {
			id, ok := vals[a.Name].(string)
			if !ok {
				continue
			}
			target := lookupTarget(a, vals)
			if m.Entity(target) == nil {
				if faults[i] == nil {
					faults[i] = fault.Field(a.Name, "lookup_not_found", "%s refers to unknown entity %q", a.Name, target)
				}
				continue
			}
			if wanted[target] == nil {
				wanted[target] = map[string]bool{}
			}
			wanted[target][strings.ToLower(id)] = false
		}
	}
	lock := ""
	if s.st.D.Name() == "postgres" {
		lock = " FOR KEY SHARE"
	}
	// Setting a lookup needs append-to on the target: the query says, per id, whether the
	// caller holds it.
	var appendTo func(*metadata.Entity, string, *store.Args) (string, error)
	if s.access != nil {
		appendTo = s.access.Predicate(ctx, OpAppendTo)
	}
	denied := map[string]bool{} // target id → exists but the caller lacks append-to
	for target, ids := range wanted {
		list := make([]string, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		for start := 0; start < len(list); start += lookupChunk {
			chunk := list[start:min(start+lookupChunk, len(list))]
			args := &store.Args{D: s.st.D}
			allowed := "1"
			if appendTo != nil {
				pred, err := appendTo(m.Entity(target), "t", args)
				if err != nil {
					return nil, err
				}
				if pred != "" {
					allowed = "CASE WHEN " + pred + " THEN 1 ELSE 0 END"
				}
			}
			t := args.Add(tenant)
			in := make([]string, len(chunk))
			for i, id := range chunk {
				in[i] = args.Add(id)
			}
			q := `SELECT t."id", ` + allowed + ` FROM ` + store.Quote(m.Entity(target).Table()) + ` t WHERE t."tenant_id" = ` + t +
				` AND t."id" IN (` + strings.Join(in, ", ") + `)` + lock
			rows, err := s.st.Query(ctx, q, args.List...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id string
				var ok int
				if err := rows.Scan(&id, &ok); err != nil {
					rows.Close()
					return nil, err
				}
				id = strings.ToLower(id)
				ids[id] = true
				if ok == 0 {
					denied[id] = true
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	if err := s.checkOwners(ctx, tenant, rows, faults); err != nil {
		return nil, err
	}
	for i, vals := range rows {
		if faults[i] != nil || vals == nil {
			continue
		}
		for _, a := range e.Lookups() {
			id, ok := vals[a.Name].(string)
			if !ok {
				continue
			}
			target := lookupTarget(a, vals)
			if !wanted[target][strings.ToLower(id)] {
				faults[i] = fault.Field(a.Name, "lookup_not_found", "%s %s does not exist", target, id)
				break
			}
			if denied[strings.ToLower(id)] {
				faults[i] = &fault.Error{Kind: fault.Permission, Code: "append_to_denied", Target: a.Name,
					Message: fmt.Sprintf("you may not link records to %s %s (no append-to access)", target, id)}
				break
			}
		}
	}
	return faults, nil
}

// lookupTarget is the entity a lookup value of vals points to (a polymorphic lookup's from its
// type column).
func lookupTarget(a *metadata.Attribute, vals map[string]any) string {
	if a.Polymorphic() {
		t, _ := vals[a.NavName()+"_type"].(string)
		return t
	}
	return a.Target
}

// checkOwners verifies that the owner_id given to each row is a user or an owner team of the
// tenant (one query for all rows), setting faults[i] for rows whose owner is not.
func (s *Service) checkOwners(ctx context.Context, tenant string, rows []map[string]any, faults []*fault.Error) error {
	wanted := map[string]bool{}
	for i, vals := range rows {
		if id, ok := vals["owner_id"].(string); ok && faults[i] == nil {
			wanted[strings.ToLower(id)] = false
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	list := make([]string, 0, len(wanted))
	for id := range wanted {
		list = append(list, id)
	}
	for start := 0; start < len(list); start += lookupChunk {
		chunk := list[start:min(start+lookupChunk, len(list))]
		found, err := principal.Owners(ctx, s.st, tenant, chunk)
		if err != nil {
			return err
		}
		for id := range found {
			wanted[id] = true
		}
	}
	for i, vals := range rows {
		if id, ok := vals["owner_id"].(string); ok && faults[i] == nil && !wanted[strings.ToLower(id)] {
			faults[i] = fault.Field("owner_id", "owner_not_found", "no user or owner team %s", id)
		}
	}
	return nil
}
