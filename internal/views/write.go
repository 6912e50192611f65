package views

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
)

// Create saves a new view owned by the caller.
func (s *Service) Create(ctx context.Context, in Input) (*View, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.Entity == nil || strings.TrimSpace(*in.Entity) == "" {
		return nil, fault.Field("entity", "required", "a view needs the entity set it lists")
	}
	e, err := s.entity(ctx, strings.TrimSpace(*in.Entity))
	if err != nil {
		return nil, err
	}
	v := &View{ID: uuid.Must(uuid.NewV7()).String(), OwnerID: p.UserID, Columns: []string{}}
	apply(v, in)
	if err := s.check(ctx, p, e, v); err != nil {
		return nil, err
	}
	now := s.clock().UTC().Truncate(time.Microsecond)
	v.CreatedAt, v.ModifiedAt = now, now
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.clearDefault(ctx, p.TenantID, v.OwnerID, e.Name, v); err != nil {
			return err
		}
		ph := s.st.D.Placeholder
		cols, _ := json.Marshal(v.Columns)
		_, err := s.st.Exec(ctx, `INSERT INTO saved_view (tenant_id, id, owner_id, entity, name, filter_model, filter, columns, order_by, shared, is_default, created_at, modified_at)
			VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`, `+ph(6)+`, `+ph(7)+`, `+ph(8)+`, `+ph(9)+`, `+ph(10)+`, `+ph(11)+`, `+ph(12)+`, `+ph(13)+`)`,
			p.TenantID, v.ID, v.OwnerID, e.Name, v.Name, string(v.Model), v.Filter, string(cols), v.OrderBy,
			s.st.D.Encode(boolAttr, v.Shared), s.st.D.Encode(boolAttr, v.IsDefault), s.st.D.Encode(timeAttr, now), s.st.D.Encode(timeAttr, now))
		if err != nil {
			return s.writeErr(err, v.Name)
		}
		return s.event(ctx, v.ID, map[string]any{"change": "create", "entity": e.Name, "name": v.Name, "shared": v.Shared})
	})
	if err != nil {
		return nil, err
	}
	v.Entity, v.Mine = e.SetName, true
	return v, nil
}

// Update changes the fields given of a view. Only its owner or an administrator may: others get
// not_found for a personal view (they cannot see it) and not_owner for a shared one.
func (s *Service) Update(ctx context.Context, id string, in Input) (*View, error) {
	p, v, e, err := s.writable(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Entity != nil && *in.Entity != v.Entity && *in.Entity != e.Name {
		return nil, fault.Field("entity", "read_only_field", "a view's entity cannot change; save a new view instead")
	}
	before := *v
	apply(v, in)
	if err := s.check(ctx, p, e, v); err != nil {
		return nil, err
	}
	v.ModifiedAt = s.clock().UTC().Truncate(time.Microsecond)
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.clearDefault(ctx, p.TenantID, v.OwnerID, e.Name, v); err != nil {
			return err
		}
		ph := s.st.D.Placeholder
		cols, _ := json.Marshal(v.Columns)
		_, err := s.st.Exec(ctx, `UPDATE saved_view SET name = `+ph(1)+`, filter_model = `+ph(2)+`, filter = `+ph(3)+`, columns = `+ph(4)+`, order_by = `+ph(5)+`,
			shared = `+ph(6)+`, is_default = `+ph(7)+`, modified_at = `+ph(8)+` WHERE tenant_id = `+ph(9)+` AND id = `+ph(10),
			v.Name, string(v.Model), v.Filter, string(cols), v.OrderBy, s.st.D.Encode(boolAttr, v.Shared), s.st.D.Encode(boolAttr, v.IsDefault),
			s.st.D.Encode(timeAttr, v.ModifiedAt), p.TenantID, v.ID)
		if err != nil {
			return s.writeErr(err, v.Name)
		}
		return s.event(ctx, v.ID, map[string]any{"change": "update", "entity": e.Name, "name": map[string]any{"old": before.Name, "new": v.Name},
			"shared": map[string]any{"old": before.Shared, "new": v.Shared}, "owner_id": v.OwnerID})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Delete removes a view (its owner or an administrator).
func (s *Service) Delete(ctx context.Context, id string) error {
	p, v, e, err := s.writable(ctx, id)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		ph := s.st.D.Placeholder
		if _, err := s.st.Exec(ctx, `DELETE FROM saved_view WHERE tenant_id = `+ph(1)+` AND id = `+ph(2), p.TenantID, v.ID); err != nil {
			return fmt.Errorf("views: delete: %w", err)
		}
		return s.event(ctx, v.ID, map[string]any{"change": "delete", "entity": e.Name, "name": v.Name, "shared": v.Shared, "owner_id": v.OwnerID})
	})
}

// writable returns the view id if the caller may change it.
func (s *Service) writable(ctx context.Context, id string) (principal.Principal, *View, *metadata.Entity, error) {
	p, err := caller(ctx)
	if err != nil {
		return p, nil, nil, err
	}
	v, err := s.byID(ctx, p.TenantID, id)
	if err != nil {
		return p, nil, nil, err
	}
	v.Mine = v.OwnerID == p.UserID
	if !v.Mine {
		admin := false
		if s.access != nil {
			if admin, err = s.access.IsAdmin(ctx); err != nil {
				return p, nil, nil, err
			}
		}
		switch {
		case admin:
		case v.Shared:
			return p, nil, nil, fault.New(fault.Permission, "not_owner", "only the owner of a shared view or an administrator may change it; save a copy as your own view")
		default:
			return p, nil, nil, notFound(id)
		}
	}
	e, err := s.entity(ctx, v.Entity)
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) && fe.Kind == fault.Invalid {
			return p, nil, nil, notFound(id) // its entity was dropped
		}
		return p, nil, nil, err
	}
	return p, v, e, nil
}

// apply copies the given fields of in onto v.
func apply(v *View, in Input) {
	if in.Name != nil {
		v.Name = strings.TrimSpace(*in.Name)
	}
	if in.Model != nil {
		v.Model = *in.Model
		if string(v.Model) == "null" {
			v.Model = nil
		}
	}
	if in.Filter != nil {
		v.Filter = strings.TrimSpace(*in.Filter)
	}
	if in.Columns != nil {
		v.Columns = append([]string{}, *in.Columns...)
	}
	if in.OrderBy != nil {
		v.OrderBy = strings.TrimSpace(*in.OrderBy)
	}
	if in.Shared != nil {
		v.Shared = *in.Shared
	}
	if in.IsDefault != nil {
		v.IsDefault = *in.IsDefault
	}
}

// check validates v against e: every fault is reported, each with its target.
func (s *Service) check(ctx context.Context, p principal.Principal, e *metadata.Entity, v *View) error {
	var faults []*fault.Error
	switch n := utf8.RuneCountInString(v.Name); {
	case n == 0:
		faults = append(faults, fault.Field("name", "required", "a view needs a name"))
	case n > MaxName:
		faults = append(faults, fault.Field("name", "too_long", "a view's name has at most %d characters", MaxName))
	}
	if len(v.Model) > MaxModel {
		faults = append(faults, fault.Field("filter_model", "too_long", "the filter model has at most %d bytes", MaxModel))
	} else if len(v.Model) > 0 && !json.Valid(v.Model) {
		faults = append(faults, fault.Field("filter_model", "invalid_json", "the filter model is not JSON"))
	}
	m, err := s.reg.Model(ctx, p.TenantID)
	if err != nil {
		return err
	}
	sc := query.Scope{TenantID: p.TenantID}
	if len(v.Filter) > MaxFilter {
		faults = append(faults, fault.Field("filter", "too_long", "the filter has at most %d characters", MaxFilter))
	} else if v.Filter != "" {
		expr, err := query.ParseFilter(v.Filter)
		if err == nil {
			_, err = query.CompileList(m, s.st.D, e, &query.Options{Filter: expr}, sc, 1)
		}
		if err != nil {
			faults = append(faults, targeted(err, "filter", "invalid_filter"))
		}
	}
	if len(v.Columns) > MaxColumns {
		faults = append(faults, fault.Field("columns", "too_many", "a view has at most %d columns", MaxColumns))
	}
	seen := map[string]bool{}
	for _, c := range v.Columns {
		switch {
		case e.Attr(c) == nil:
			faults = append(faults, fault.Field("columns", "unknown_attribute", "%s has no attribute %q", e.Name, c))
		case seen[c]:
			faults = append(faults, fault.Field("columns", "duplicate_column", "column %q is listed twice", c))
		}
		seen[c] = true
	}
	if v.OrderBy != "" {
		items, err := query.ParseOrderBy(v.OrderBy)
		if err == nil {
			_, err = query.CompileList(m, s.st.D, e, &query.Options{OrderBy: items}, sc, 1)
		}
		if err != nil {
			faults = append(faults, targeted(err, "order_by", "invalid_orderby"))
		}
	}
	switch len(faults) {
	case 0:
		return nil
	case 1:
		return faults[0]
	}
	first := *faults[0]
	first.Details = faults
	return &first
}

// targeted makes a query error one about the view's field target.
func targeted(err error, target, code string) *fault.Error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		c := *fe
		c.Target = target
		c.Details = nil
		if c.Kind != fault.Invalid {
			c.Kind = fault.Invalid
		}
		return &c
	}
	return fault.Field(target, code, "%v", err)
}

// clearDefault makes v the owner's only default view of the entity when it is one.
func (s *Service) clearDefault(ctx context.Context, tenant, owner, entity string, v *View) error {
	if !v.IsDefault {
		return nil
	}
	ph := s.st.D.Placeholder
	_, err := s.st.Exec(ctx, `UPDATE saved_view SET is_default = `+ph(1)+` WHERE tenant_id = `+ph(2)+` AND owner_id = `+ph(3)+` AND entity = `+ph(4)+` AND id <> `+ph(5),
		s.st.D.Encode(boolAttr, false), tenant, owner, entity, v.ID)
	if err != nil {
		return fmt.Errorf("views: default: %w", err)
	}
	return nil
}

func (s *Service) writeErr(err error, name string) error {
	if s.st.D.IsUniqueViolation(err) {
		return fault.Newf(fault.Conflict, "duplicate_name", "you already have a view named %q of this entity", name).WithTarget("name")
	}
	return fmt.Errorf("views: write: %w", err)
}
