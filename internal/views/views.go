// Package views keeps saved list views: a user's named state of an entity's list (the filter
// builder's model, the $filter it compiles to, the columns and the order), personal or shared
// read-only with every user of the tenant who may read the entity. Only the owner or a tenant
// administrator changes or deletes a view; changes are on the audit trail.
package views

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// Limits of a view's parts.
const (
	MaxName    = 100
	MaxFilter  = 8000  // the $filter text
	MaxModel   = 32000 // the filter builder's model, as JSON
	MaxColumns = 100
)

// View is a saved list view.
type View struct {
	ID         string          `json:"id"`
	Entity     string          `json:"entity"` // the entity set, e.g. "accounts"
	Name       string          `json:"name"`
	Model      json.RawMessage `json:"filter_model"` // the web client's filter builder model (opaque here)
	Filter     string          `json:"filter"`       // $filter
	Columns    []string        `json:"columns"`
	OrderBy    string          `json:"order_by"` // $orderby
	Shared     bool            `json:"shared"`
	IsDefault  bool            `json:"is_default"`
	OwnerID    string          `json:"owner_id"`
	Mine       bool            `json:"mine"` // the caller owns it (set per request)
	CreatedAt  time.Time       `json:"created_at"`
	ModifiedAt time.Time       `json:"modified_at"`
}

// Input is what a create or update gives; nil fields are left as they are on update.
type Input struct {
	Entity    *string          `json:"entity"`
	Name      *string          `json:"name"`
	Model     *json.RawMessage `json:"filter_model"`
	Filter    *string          `json:"filter"`
	Columns   *[]string        `json:"columns"`
	OrderBy   *string          `json:"order_by"`
	Shared    *bool            `json:"shared"`
	IsDefault *bool            `json:"is_default"`
}

// Access is what views need from the security model.
type Access interface {
	IsAdmin(ctx context.Context) (bool, error)
	Authorize(ctx context.Context, op records.Op, e *metadata.Entity, rec *records.Record) error
}

// Service stores and checks saved views.
type Service struct {
	st     *store.Store
	reg    *metadata.Registry
	access Access
	clock  func() time.Time
	// Events, when set, records every change of a view on the audit trail, in its transaction.
	Events func(ctx context.Context, action, entity, recordID string, details map[string]any) error
}

// NewService returns the saved views service; clock tells the time (nil: time.Now).
func NewService(st *store.Store, reg *metadata.Registry, acc Access, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{st: st, reg: reg, access: acc, clock: clock}
}

var (
	guidAttr = &metadata.Attribute{Type: metadata.TypeGUID}
	timeAttr = &metadata.Attribute{Type: metadata.TypeDateTime}
	boolAttr = &metadata.Attribute{Type: metadata.TypeBoolean}
)

// caller returns the signed-in user of ctx.
func caller(ctx context.Context) (principal.Principal, error) {
	p, ok := principal.From(ctx)
	if !ok || p.UserID == "" || p.TenantID == "" {
		return p, fault.New(fault.Unauthenticated, "unauthenticated", "saved views belong to a signed-in user")
	}
	return p, nil
}

// model returns the data model of the caller's tenant.
func (s *Service) model(ctx context.Context) (*metadata.Model, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.reg.Model(ctx, p.TenantID)
}

// entity resolves a set name (or an entity name) the caller may read.
func (s *Service) entity(ctx context.Context, set string) (*metadata.Entity, error) {
	m, err := s.model(ctx)
	if err != nil {
		return nil, err
	}
	e := m.EntityBySet(set)
	if e == nil {
		e = m.Entity(set)
	}
	if e == nil {
		return nil, fault.Newf(fault.Invalid, "unknown_entity", "there is no entity set %q", set).WithTarget("entity")
	}
	if s.access != nil {
		if err := s.access.Authorize(ctx, records.OpRead, e, nil); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// List returns the caller's views of the entity set and the views others shared, the caller's
// first, each by name.
func (s *Service) List(ctx context.Context, set string) ([]*View, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, set)
	if err != nil {
		return nil, err
	}
	args := &store.Args{D: s.st.D}
	where := `tenant_id = ` + args.Add(p.TenantID) + ` AND entity = ` + args.Add(e.Name) +
		` AND (owner_id = ` + args.Add(p.UserID) + ` OR shared = ` + args.Add(s.st.D.Encode(boolAttr, true)) + `)`
	vs, err := s.read(ctx, e, where, args)
	if err != nil {
		return nil, err
	}
	out := make([]*View, 0, len(vs))
	for _, mine := range []bool{true, false} {
		for _, v := range vs {
			v.Mine = v.OwnerID == p.UserID
			if v.Mine == mine {
				if !v.Mine {
					v.IsDefault = false // another user's default is theirs
				}
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// Get returns one view the caller may see: their own or a shared one.
func (s *Service) Get(ctx context.Context, id string) (*View, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.byID(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	v.Mine = v.OwnerID == p.UserID
	if !v.Mine {
		if !v.Shared {
			return nil, notFound(id)
		}
		v.IsDefault = false
	}
	if _, err := s.entity(ctx, v.Entity); err != nil {
		return nil, notFound(id)
	}
	return v, nil
}

func notFound(id string) error {
	return fault.Newf(fault.NotFound, "not_found", "there is no saved view %s", id)
}

// byID reads a view of tenant whatever its owner.
func (s *Service) byID(ctx context.Context, tenant, id string) (*View, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, notFound(id)
	}
	args := &store.Args{D: s.st.D}
	vs, err := s.read(ctx, nil, `tenant_id = `+args.Add(tenant)+` AND id = `+args.Add(strings.ToLower(id)), args)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, notFound(id)
	}
	return vs[0], nil
}

// read returns the views matching where; e, when known, names their entity.
func (s *Service) read(ctx context.Context, e *metadata.Entity, where string, args *store.Args) ([]*View, error) {
	rows, err := s.st.Query(ctx, `SELECT id, owner_id, entity, name, filter_model, filter, columns, order_by, shared, is_default, created_at, modified_at
		FROM saved_view WHERE `+where+` ORDER BY name, id`, args.List...)
	if err != nil {
		return nil, fmt.Errorf("views: read: %w", err)
	}
	defer rows.Close()
	var out []*View
	for rows.Next() {
		var id, owner, shared, def, created, modified any
		var entity, model, cols string
		v := &View{}
		if err := rows.Scan(&id, &owner, &entity, &v.Name, &model, &v.Filter, &cols, &v.OrderBy, &shared, &def, &created, &modified); err != nil {
			return nil, fmt.Errorf("views: read: %w", err)
		}
		v.ID = s.str(guidAttr, id)
		v.OwnerID = s.str(guidAttr, owner)
		v.Shared = s.flag(shared)
		v.IsDefault = s.flag(def)
		v.CreatedAt = s.time(created)
		v.ModifiedAt = s.time(modified)
		if model != "" {
			v.Model = json.RawMessage(model)
		}
		if err := json.Unmarshal([]byte(cols), &v.Columns); err != nil || v.Columns == nil {
			v.Columns = []string{}
		}
		v.Entity = entity // an entity dropped since keeps its name; nobody can read it any more
		if ent := e; ent != nil {
			v.Entity = ent.SetName
		} else if m, err := s.model(ctx); err == nil && m.Entity(entity) != nil {
			v.Entity = m.Entity(entity).SetName
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Service) str(a *metadata.Attribute, raw any) string {
	v, _ := s.st.D.Decode(a, raw)
	str, _ := v.(string)
	return str
}

func (s *Service) flag(raw any) bool {
	v, _ := s.st.D.Decode(boolAttr, raw)
	return v == true
}

func (s *Service) time(raw any) time.Time {
	v, _ := s.st.D.Decode(timeAttr, raw)
	t, _ := v.(time.Time)
	return t
}

func (s *Service) event(ctx context.Context, id string, details map[string]any) error {
	if s.Events == nil {
		return nil
	}
	return s.Events(ctx, "view_change", "saved_view", id, details)
}
