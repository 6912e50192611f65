// Package records is the one write path and the one read path for entity records. Every create,
// update, delete and relationship change is authorized, validated, written, versioned and
// appended to the change log in one transaction; every read is compiled from an OData query with
// the caller's tenant and visibility applied in SQL.
package records

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/store"
)

// Op is a kind of operation on records, for authorization and the change log.
type Op string

// Operations.
const (
	OpCreate   Op = "create"
	OpRead     Op = "read"
	OpUpdate   Op = "update"
	OpDelete   Op = "delete"
	OpAppend   Op = "append"    // associate records
	OpAppendTo Op = "append_to" // be the target of an association or lookup
	OpAssign   Op = "assign"    // change a record's owner
	OpShare    Op = "share"     // grant or revoke other principals' access to a record

	// Kinds of change only (the audit trail's actions), not privileges.
	OpAssociate    Op = "associate"
	OpDisassociate Op = "disassociate"
	OpUnshare      Op = "unshare"
)

// Access is the seam the security model fills. A nil Access allows every operation in the
// caller's tenant.
type Access interface {
	// Authorize decides whether the caller may perform op on entity e (rec nil: on some record of
	// e, e.g. create) or on the stored record rec.
	Authorize(ctx context.Context, op Op, e *metadata.Entity, rec *Record) error
	// Predicate returns the SQL predicate selecting the rows of e (under alias) on which the
	// caller holds op ("" for all of them). The read predicate is added to every read.
	Predicate(ctx context.Context, op Op) func(e *metadata.Entity, alias string, args *store.Args) (string, error)
}

// FieldAccess is implemented by an Access with field-level security.
type FieldAccess interface {
	// Fields returns whether the caller may perform op (read, create or update) on attribute a
	// of e. It is asked only about attributes under field-level security.
	Fields(ctx context.Context) func(e *metadata.Entity, a *metadata.Attribute, op Op) bool
}

// ChangeObserver is implemented by an Access that caches what it derives from records (team
// memberships, business units): it is told of every change, inside the writing transaction.
type ChangeObserver interface {
	Observe(ctx context.Context, c Change)
}

// Change describes one committed change, for auditing.
type Change struct {
	Op       Op
	Entity   *metadata.Entity
	ID       string
	Version  int64
	Before   map[string]any // nil for create
	After    map[string]any // nil for delete
	Related  string         // for associations: "relationship:other-id"
	TenantID string
	UserID   string
	At       time.Time
	// OwnerGiven tells, for a create, that the input named the owner (rather than the server
	// making the caller the owner): routing rules keep an owner given explicitly.
	OwnerGiven bool
}

// Auditor records changes inside the writing transaction (the audit seam). It may be nil.
type Auditor interface {
	Audit(ctx context.Context, c Change) error
}

// Service is the records service.
type Service struct {
	st      *store.Store
	reg     *metadata.Registry
	clock   func() time.Time
	newID   func() string
	access  Access
	auditor Auditor
	// MaxPageSize caps server-driven paging; DefaultPageSize applies without odata.maxpagesize.
	MaxPageSize     int
	DefaultPageSize int
	// MaxExpand caps the related records returned per parent for a collection $expand.
	MaxExpand  int
	hooks      []Hook               // the write pipeline's hooks, in order (Register)
	lifecycles map[string]Lifecycle // when records of an entity are closed (SetLifecycle)
}

// Options configure a Service.
type Options struct {
	Clock   func() time.Time
	NewID   func() string
	Access  Access
	Auditor Auditor
}

// NewService returns a records service over st and the metadata in reg.
func NewService(st *store.Store, reg *metadata.Registry, o Options) *Service {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.NewID == nil {
		o.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	return &Service{st: st, reg: reg, clock: o.Clock, newID: o.NewID, access: o.Access, auditor: o.Auditor,
		MaxPageSize: 5000, DefaultPageSize: 500, MaxExpand: 500}
}

// Store returns the underlying store (for the schema service and tests).
func (s *Service) Store() *store.Store { return s.st }

// Model returns the data model of the tenant of ctx's caller.
func (s *Service) Model(ctx context.Context) (*metadata.Model, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.model(ctx, p)
}

// model returns the data model of the caller p's tenant.
func (s *Service) model(ctx context.Context, p principal.Principal) (*metadata.Model, error) {
	return s.reg.Model(ctx, p.TenantID)
}

// Registry returns the registry of the tenants' data models.
func (s *Service) Registry() *metadata.Registry { return s.reg }

// Record is one row: its values aligned with Cols, plus expanded navigations.
type Record struct {
	Entity   *metadata.Entity
	Cols     []query.Column
	Vals     []any
	Expanded map[string]any // navigation name → *Record (or nil) or []*Record
}

// Get returns the value of column name, or nil.
func (r *Record) Get(name string) any {
	for i, c := range r.Cols {
		if c.Name == name {
			return r.Vals[i]
		}
	}
	return nil
}

// ID returns the record's id.
func (r *Record) ID() string { s, _ := r.Get("id").(string); return s }

// Version returns the record's version (its ETag).
func (r *Record) Version() int64 { v, _ := r.Get("version").(int64); return v }

// Map returns the visible values by column name.
func (r *Record) Map() map[string]any {
	m := make(map[string]any, len(r.Cols))
	for i, c := range r.Cols {
		if !c.Hidden {
			m[c.Name] = r.Vals[i]
		}
	}
	return m
}

// caller returns the principal of ctx or an Unauthenticated error.
func caller(ctx context.Context) (principal.Principal, error) {
	p, ok := principal.From(ctx)
	if !ok || p.TenantID == "" {
		return p, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	return p, nil
}

func (s *Service) scope(ctx context.Context, p principal.Principal) query.Scope {
	sc := query.Scope{TenantID: p.TenantID, Now: s.clock}
	if s.access != nil {
		sc.Restrict = s.access.Predicate(ctx, OpRead)
		sc.Readable = s.Readable(ctx)
	}
	return sc
}

// Readable returns whether the caller of ctx may read attribute a of e: always, unless a is
// under field-level security and the caller's field security profiles do not grant reading it.
// It returns nil when the service has no field-level security (everything is readable).
func (s *Service) Readable(ctx context.Context) func(e *metadata.Entity, a *metadata.Attribute) bool {
	fa, ok := s.access.(FieldAccess)
	if !ok {
		return nil
	}
	may := fa.Fields(ctx)
	return func(e *metadata.Entity, a *metadata.Attribute) bool {
		return !a.SecuredIn(e) || may(e, a, OpRead)
	}
}

// changed tells the access layer and the audit trail about a change, in its transaction.
func (s *Service) changed(ctx context.Context, c Change) error {
	if o, ok := s.access.(ChangeObserver); ok {
		o.Observe(ctx, c)
	}
	if s.auditor != nil {
		if err := s.auditor.Audit(ctx, c); err != nil {
			return err
		}
	}
	return s.react(ctx, []Change{c}, nil)
}

// BatchAuditor is an Auditor that can record the changes of one bulk write at once (the audit
// trail writes them with one statement instead of one per change).
type BatchAuditor interface {
	AuditBatch(ctx context.Context, cs []Change) error
}

// changedMany is changed for the changes of one bulk write, in order. st, when not nil, holds
// the staged reactions to cs, started before the rows were written.
func (s *Service) changedMany(ctx context.Context, cs []Change, st *stages) error {
	if o, ok := s.access.(ChangeObserver); ok {
		for _, c := range cs {
			o.Observe(ctx, c)
		}
	}
	if st != nil {
		if err := st.wait(); err != nil {
			return err
		}
	}
	if st != nil && st.audit != nil {
		if err := st.audit(ctx); err != nil {
			return err
		}
	} else if b, ok := s.auditor.(BatchAuditor); ok {
		if err := b.AuditBatch(ctx, cs); err != nil {
			return err
		}
	} else if s.auditor != nil {
		for _, c := range cs {
			if err := s.auditor.Audit(ctx, c); err != nil {
				return err
			}
		}
	}
	return s.react(ctx, cs, st)
}

func (s *Service) authorize(ctx context.Context, op Op, e *metadata.Entity, rec *Record) error {
	if s.access == nil {
		return nil
	}
	return s.access.Authorize(ctx, op, e, rec)
}

// entity resolves the caller's data model and the entity called name in it.
func (s *Service) entity(ctx context.Context, p principal.Principal, name string) (*metadata.Model, *metadata.Entity, error) {
	m, err := s.model(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	e := m.Entity(name)
	if e == nil {
		return nil, nil, fault.Newf(fault.NotFound, "unknown_entity", "entity %s does not exist", name)
	}
	return m, e, nil
}

// readable resolves the caller, its data model and the entity called name.
func (s *Service) readable(ctx context.Context, entity string) (principal.Principal, *metadata.Model, *metadata.Entity, error) {
	p, err := caller(ctx)
	if err != nil {
		return p, nil, nil, err
	}
	m, e, err := s.entity(ctx, p, entity)
	return p, m, e, err
}

// writable resolves the caller, its data model and an entity whose records may be written.
func (s *Service) writable(ctx context.Context, entity string) (principal.Principal, *metadata.Model, *metadata.Entity, error) {
	p, m, e, err := s.readable(ctx, entity)
	if err != nil {
		return p, nil, nil, err
	}
	if e.ReadOnly() {
		return p, nil, nil, fault.Newf(fault.Invalid, "read_only_entity", "%s records are read-only", e.SetName)
	}
	return p, m, e, nil
}

// deniedFields returns a fault for each secured attribute in vals the caller may not set
// (create) or change (update).
func (s *Service) deniedFields(ctx context.Context, e *metadata.Entity, vals map[string]any, create bool) []*fault.Error {
	fa, ok := s.access.(FieldAccess)
	if !ok {
		return nil
	}
	var may func(*metadata.Entity, *metadata.Attribute, Op) bool
	var out []*fault.Error
	for name := range vals {
		a := e.Attr(name)
		if a == nil || !a.SecuredIn(e) {
			continue
		}
		if may == nil {
			may = fa.Fields(ctx)
		}
		op, verb := OpUpdate, "change"
		if create {
			op, verb = OpCreate, "set"
		}
		if !may(e, a, op) {
			out = append(out, &fault.Error{Kind: fault.Permission, Code: "field_access_denied", Target: name,
				Message: "you may not " + verb + " " + name + " (field-level security)"})
		}
	}
	return out
}

// redact hides the columns of rec the caller may not read (a record returned by a write
// carries every column).
func (s *Service) redact(ctx context.Context, rec *Record) *Record {
	fa, ok := s.access.(FieldAccess)
	if !ok || rec == nil {
		return rec
	}
	var may func(*metadata.Entity, *metadata.Attribute, Op) bool
	for i, c := range rec.Cols {
		if c.Attr == nil || !c.Attr.SecuredIn(rec.Entity) {
			continue
		}
		if may == nil {
			may = fa.Fields(ctx)
		}
		if !may(rec.Entity, c.Attr, OpRead) {
			rec.Cols[i].Hidden = true
			rec.Vals[i] = nil
		}
	}
	return rec
}

// Now returns the service's clock's time (the injected clock in tests).
func (s *Service) Now() time.Time { return s.clock() }
