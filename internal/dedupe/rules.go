// Package dedupe finds and merges duplicate records. Rules per entity say which values make
// two records duplicates: exact matches of normalised keys (e-mail, E.164 phone, web domain)
// or the similarity of names (character bigrams, so Chinese names compare as well as Latin
// ones). A key index kept in the writing transaction lets the database find candidates by
// indexed look-up; candidates are read back through the records read path, so a caller sees
// only the duplicates they may read. A merge moves every related record, link and grant of the
// losers to the survivor in one transaction through the records service, and can be undone
// within a window.
package dedupe

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
)

// Match kinds of a rule.
const (
	MatchEmail   = "email"   // normalised e-mail, exact
	MatchPhone   = "phone"   // E.164 phone, exact
	MatchDomain  = "domain"  // website host, exact
	MatchName    = "name"    // name similarity (bigram Dice score ≥ threshold)
	MatchCompany = "company" // name similarity with legal-form suffixes stripped
)

// Rule is one duplicate-detection rule of an entity.
type Rule struct {
	// Name identifies the rule (in the key index and in the candidates it finds).
	Name string `json:"name"`
	// Match is how values compare: email, phone, domain, name or company.
	Match string `json:"match"`
	// Attributes are the attributes compared; for exact rules a value of any of them matches a
	// value of any of them in the other record (phone and mobile_phone).
	Attributes []string `json:"attributes"`
	// Also are attributes that must be equal too (a contact's name within the same account).
	Also []string `json:"also,omitempty"`
	// Threshold is the least similarity (0–1) of a name rule; default 0.8.
	Threshold float64 `json:"threshold,omitempty"`
	// CountryCode is the phone rule's default country code, such as "+86" or "+1" (E164).
	CountryCode string `json:"country_code,omitempty"`
}

// Entities are the entities with duplicate detection.
var Entities = []string{"account", "contact", "lead"}

// Defaults returns the built-in rules of entity.
func Defaults(entity string) []Rule {
	switch entity {
	case "account":
		return []Rule{
			{Name: "name", Match: MatchCompany, Attributes: []string{"name"}, Threshold: 0.8},
			{Name: "email", Match: MatchEmail, Attributes: []string{"email"}},
			{Name: "phone", Match: MatchPhone, Attributes: []string{"phone"}, CountryCode: "+86"},
			{Name: "website", Match: MatchDomain, Attributes: []string{"website"}},
		}
	case "contact":
		return []Rule{
			{Name: "email", Match: MatchEmail, Attributes: []string{"email"}},
			{Name: "phone", Match: MatchPhone, Attributes: []string{"phone", "mobile_phone"}, CountryCode: "+86"},
			{Name: "name_account", Match: MatchName, Attributes: []string{"full_name"}, Also: []string{"account_id"}, Threshold: 0.9},
		}
	case "lead":
		return []Rule{
			{Name: "email", Match: MatchEmail, Attributes: []string{"email"}},
			{Name: "phone", Match: MatchPhone, Attributes: []string{"phone"}, CountryCode: "+86"},
			{Name: "name_company", Match: MatchName, Attributes: []string{"full_name"}, Also: []string{"company_name"}, Threshold: 0.9},
		}
	}
	return nil
}

// validate checks rules against entity e.
func validate(e *metadata.Entity, rules []Rule) error {
	names := map[string]bool{}
	for i, r := range rules {
		at := fmt.Sprintf("rules[%d]", i)
		if r.Name == "" || names[r.Name] {
			return fault.Field(at+".name", "invalid_rule", "each rule needs a unique name")
		}
		names[r.Name] = true
		if !slices.Contains([]string{MatchEmail, MatchPhone, MatchDomain, MatchName, MatchCompany}, r.Match) {
			return fault.Field(at+".match", "invalid_rule", "match must be email, phone, domain, name or company")
		}
		if len(r.Attributes) == 0 {
			return fault.Field(at+".attributes", "invalid_rule", "a rule compares at least one attribute")
		}
		for _, a := range append(slices.Clone(r.Attributes), r.Also...) {
			if e.Attr(a) == nil {
				return fault.Field(at+".attributes", "invalid_rule", "%s has no attribute %s", e.Name, a)
			}
		}
		if r.Threshold < 0 || r.Threshold > 1 {
			return fault.Field(at+".threshold", "invalid_rule", "threshold is between 0 and 1")
		}
	}
	return nil
}

func (r Rule) threshold() float64 {
	if r.Threshold == 0 {
		return 0.8
	}
	return r.Threshold
}

func (r Rule) similar() bool { return r.Match == MatchName || r.Match == MatchCompany }

// Rules returns the rules of entity in the caller's tenant: the stored ones, or the defaults.
func (s *Service) Rules(ctx context.Context, entity string) ([]Rule, error) {
	p, ok := principal.From(ctx)
	if !ok {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	return s.rules(ctx, p.TenantID, entity)
}

func (s *Service) rules(ctx context.Context, tenant, entity string) ([]Rule, error) {
	if !slices.Contains(Entities, entity) {
		return nil, nil
	}
	var raw string
	ph := s.st.D.Placeholder
	err := s.st.QueryRow(ctx, `SELECT rules FROM dedupe_rule WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), tenant, entity).Scan(&raw)
	if isNoRows(err) {
		return Defaults(entity), nil
	}
	if err != nil {
		return nil, fmt.Errorf("dedupe: rules: %w", err)
	}
	var rules []Rule
	if err := json.Unmarshal([]byte(raw), &rules); err != nil {
		return nil, fmt.Errorf("dedupe: rules of %s: %w", entity, err)
	}
	return rules, nil
}

// SetRules replaces the rules of entity in the caller's tenant (nil: back to the defaults) and
// rebuilds the entity's key index. Only administrators may change rules.
func (s *Service) SetRules(ctx context.Context, entity string, rules []Rule) ([]Rule, error) {
	p, ok := principal.From(ctx)
	if !ok || !p.Admin {
		return nil, fault.New(fault.Permission, "forbidden", "only tenant administrators may change duplicate-detection rules")
	}
	e, err := s.entity(ctx, p.TenantID, entity)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return nil, err
	}
	if e == nil || !slices.Contains(Entities, entity) {
		return nil, fault.Newf(fault.NotFound, "unknown_entity", "%s has no duplicate detection (entities: account, contact, lead)", entity)
	}
	if err := validate(e, rules); err != nil {
		return nil, err
	}
	ph := s.st.D.Placeholder
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if rules == nil {
			if _, err := s.st.Exec(ctx, `DELETE FROM dedupe_rule WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), p.TenantID, entity); err != nil {
				return err
			}
		} else {
			b, _ := json.Marshal(rules)
			if _, err := s.st.Exec(ctx, `INSERT INTO dedupe_rule (tenant_id, entity, rules, modified_at, modified_by) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`)`+
				` ON CONFLICT (tenant_id, entity) DO UPDATE SET rules = excluded.rules, modified_at = excluded.modified_at, modified_by = excluded.modified_by`,
				p.TenantID, entity, string(b), s.timestamp(), nullable(p.UserID)); err != nil {
				return err
			}
		}
		if err := s.reindex(ctx, p.TenantID, e); err != nil {
			return err
		}
		return s.event(ctx, "duplicate_rules", entity, "", map[string]any{"rules": rules})
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: set rules: %w", err)
	}
	if rules == nil {
		return Defaults(entity), nil
	}
	return rules, nil
}

// timestamp is the service's clock's time, encoded for a datetime column.
func (s *Service) timestamp() any { return s.encodeTime(s.recs.Now().UTC()) }

// datetime is the type of the timestamp columns.
var datetime = &metadata.Attribute{Type: metadata.TypeDateTime}

func (s *Service) encodeTime(t time.Time) any { return s.st.D.Encode(datetime, t) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
