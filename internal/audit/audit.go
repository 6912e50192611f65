// Package audit is the audit trail: every change to records and every security event (login,
// export, role and team changes, retention) becomes an entry written in the same transaction as
// the change. Entries of a tenant form a hash chain (each entry's hash covers the previous one's),
// so that editing, deleting or reordering entries is detected by Verify. Retention purges the
// oldest entries of a tenant and keeps an anchor the remaining chain is verified from.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Actions recorded by Meridian. Event accepts other names of the same form.
const (
	ActionCreate       = "create"
	ActionUpdate       = "update"
	ActionDelete       = "delete"
	ActionAssociate    = "associate"
	ActionDisassociate = "disassociate"
	ActionAssign       = "assign"
	ActionShare        = "share"
	ActionUnshare      = "unshare"
	ActionLogin        = "login"
	ActionLoginFailed  = "login_failed"
	ActionExport       = "export"
	ActionRoleChange   = "role_change"
	ActionTeamChange   = "team_change"
	ActionRetention    = "audit_retention"
	ActionPurge        = "audit_purge"
)

// Installation is the tenant id of the chain that holds events no tenant can be named for, such
// as a failed login with an unknown email in a database of several tenants.
var Installation = uuid.Nil.String()

// Entry is one row of the audit trail.
type Entry struct {
	TenantID      string
	Seq           int64 // gap-free and monotonic per tenant
	ID            string
	At            time.Time // microsecond precision, UTC
	Action        string
	Entity        string
	RecordID      string
	RecordVersion int64 // the record's version after the change (0: none)
	UserID        string
	UserName      string
	Method        string // how the actor authenticated: password, token, apikey, system, cli
	IP            string
	UserAgent     string
	RequestID     string
	Changes       json.RawMessage // what changed (nil: nothing to say); see changesOf
	PrevHash      string
	Hash          string
}

// Service writes, queries, verifies and purges the audit trail.
type Service struct {
	st    *store.Store
	clock func() time.Time
	newID func() string
	// DefaultPageSize and MaxPageSize bound the pages of List.
	DefaultPageSize int
	MaxPageSize     int
}

// NewService returns the audit trail on st; clock tells the time (nil: time.Now).
func NewService(st *store.Store, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{st: st, clock: clock, newID: func() string { return uuid.Must(uuid.NewV7()).String() },
		DefaultPageSize: 500, MaxPageSize: 5000}
}

// Event is an audited occurrence that is not a record change: a role or team change, an export,
// a retention change. Who and from where come from the context (principal and origin) unless set.
type Event struct {
	TenantID string // default: the principal's tenant
	Action   string // e.g. ActionRoleChange; lower case letters, digits, '_' and '.'
	Entity   string // what kind of thing it concerns ("security_role", "team", "account", …)
	RecordID string // the thing's id (a UUID), if it has one
	// Details says what happened; it is stored as JSON (e.g. {"role": {"old": …, "new": …}}).
	// Never put secrets in it.
	Details any
	// UserID, UserName and Method override the principal's (logins, which have none yet).
	UserID, UserName, Method string
}

var actionRE = regexp.MustCompile(`^[a-z][a-z0-9_.]{0,63}$`)

// Event records ev, in the caller's transaction when ctx carries one, else in its own.
func (s *Service) Event(ctx context.Context, ev Event) error {
	if !actionRE.MatchString(ev.Action) {
		return fmt.Errorf("audit: event action %q is not a lower-case name", ev.Action)
	}
	p, _ := principal.From(ctx)
	e := &Entry{TenantID: ev.TenantID, Action: ev.Action, Entity: ev.Entity, RecordID: ev.RecordID,
		UserID: p.UserID, UserName: p.Name, Method: p.Method, At: s.clock()}
	if e.TenantID == "" {
		e.TenantID = p.TenantID
	}
	if ev.UserID != "" || ev.UserName != "" || ev.Method != "" {
		e.UserID, e.UserName, e.Method = ev.UserID, ev.UserName, ev.Method
	}
	if ev.Details != nil {
		b, err := marshal(ev.Details)
		if err != nil {
			return fmt.Errorf("audit: event %s: details: %w", ev.Action, err)
		}
		e.Changes = b
	}
	if err := s.append(ctx, e); err != nil {
		return fmt.Errorf("audit: event %s: %w", ev.Action, err)
	}
	return nil
}

// append completes e (id, origin, sequence, hashes) and writes it at the head of its tenant's
// chain, in ctx's transaction or a new one.
func (s *Service) append(ctx context.Context, e *Entry) error {
	if err := s.prepare(ctx, e); err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		seq, prev, err := s.reserve(ctx, e.TenantID, 1)
		if err != nil {
			return err
		}
		e.Seq, e.PrevHash = seq, prev
		e.Hash = e.ComputeHash()
		if err := s.insert(ctx, e); err != nil {
			return err
		}
		return s.setHead(ctx, e.TenantID, e.Hash)
	})
}

// appendMany is append for many entries, in order: per run of entries of one tenant, one
// reservation of seqs, one bulk insert and one update of the head.
func (s *Service) appendMany(ctx context.Context, es []*Entry) error {
	for _, e := range es {
		if err := s.prepare(ctx, e); err != nil {
			return err
		}
	}
	return s.writeMany(ctx, es)
}

// writeMany chains prepared entries and writes them.
func (s *Service) writeMany(ctx context.Context, es []*Entry) error {
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		tenants := make([]string, len(es))
		for i, e := range es {
			tenants[i] = e.TenantID
		}
		runs, err := s.reserveRuns(ctx, tenants)
		if err != nil {
			return err
		}
		rows, err := s.chain(runs, es)
		if err != nil {
			return err
		}
		return s.insertRuns(ctx, runs, rows)
	})
}

// chainRun is a run of consecutive entries of one tenant, with the seqs reserved for them and
// the hash of the entry before the first; after chain, last is the hash of its last entry.
type chainRun struct {
	tenant string
	n      int
	seq    int64
	prev   string
	last   string
}

// reserveRuns reserves, per run of one tenant in tenants (one per entry, in order), the seqs of
// its entries, in ctx's transaction: the chain heads stay locked until it ends.
func (s *Service) reserveRuns(ctx context.Context, tenants []string) ([]*chainRun, error) {
	var runs []*chainRun
	for i, t := range tenants {
		if i > 0 && t == tenants[i-1] {
			runs[len(runs)-1].n++
			continue
		}
		runs = append(runs, &chainRun{tenant: t, n: 1})
	}
	for _, r := range runs {
		var err error
		if r.seq, r.prev, err = s.reserve(ctx, r.tenant, r.n); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

// chain numbers and hashes prepared entries along runs and returns their rows.
func (s *Service) chain(runs []*chainRun, es []*Entry) ([][]any, error) {
	rows := make([][]any, 0, len(es))
	i := 0
	for _, r := range runs {
		prev := r.prev
		for k := 0; k < r.n; k, i = k+1, i+1 {
			e := es[i]
			if e.TenantID != r.tenant {
				return nil, fmt.Errorf("audit: entry %d of tenant %s in a run of tenant %s", i, e.TenantID, r.tenant)
			}
			e.Seq, e.PrevHash = r.seq+int64(k), prev
			e.Hash = e.ComputeHash()
			prev = e.Hash
			rows = append(rows, s.bulkRow(e))
		}
		r.last = prev
	}
	if i != len(es) {
		return nil, fmt.Errorf("audit: %d entries for runs of %d", len(es), i)
	}
	return rows, nil
}

// insertRuns writes chained rows and moves each run's chain head to its last entry.
func (s *Service) insertRuns(ctx context.Context, runs []*chainRun, rows [][]any) error {
	for _, r := range runs {
		if err := s.st.BulkInsert(ctx, "audit_log", logColumns, rows[:r.n]); err != nil {
			return fmt.Errorf("audit: write entries: %w", err)
		}
		rows = rows[r.n:]
		if err := s.setHead(ctx, r.tenant, r.last); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) setHead(ctx context.Context, tenant, hash string) error {
	ph := s.st.D.Placeholder
	if _, err := s.st.Exec(ctx, `UPDATE audit_head SET hash = `+ph(1)+` WHERE tenant_id = `+ph(2), hash, tenant); err != nil {
		return fmt.Errorf("audit: chain head: %w", err)
	}
	return nil
}

// prepare fills the id, time and origin of e and brings every field to the form it is stored
// (and hashed) in, so that reading the row back gives the same bytes.
func (s *Service) prepare(ctx context.Context, e *Entry) error {
	tid, err := canonicalID(e.TenantID)
	if err != nil || e.TenantID == "" {
		return fault.Newf(fault.Invalid, "invalid_tenant", "audit: tenant %q is not a tenant id", e.TenantID)
	}
	e.TenantID = tid
	if e.RecordID, err = canonicalID(e.RecordID); err != nil {
		return fault.Newf(fault.Invalid, "invalid_record_id", "audit: record id %q is not a UUID", e.RecordID)
	}
	if e.UserID, err = canonicalID(e.UserID); err != nil {
		return fault.Newf(fault.Invalid, "invalid_user_id", "audit: user id %q is not a UUID", e.UserID)
	}
	if e.ID == "" {
		e.ID = s.newID()
	}
	if e.At.IsZero() {
		e.At = s.clock()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.Method == "" {
		e.Method = "system"
	}
	o := principal.OriginFrom(ctx)
	if e.IP == "" && e.UserAgent == "" && e.RequestID == "" {
		e.IP, e.UserAgent, e.RequestID = o.IP, o.UserAgent, o.RequestID
	}
	e.Action = clip(e.Action, 64)
	e.Entity = clip(e.Entity, 128)
	e.UserName = clip(e.UserName, 320)
	e.Method = clip(e.Method, 32)
	e.IP = clip(e.IP, 64)
	e.UserAgent = clip(e.UserAgent, 512)
	e.RequestID = clip(e.RequestID, 128)
	if len(e.Changes) > 0 && !utf8.Valid(e.Changes) {
		return fmt.Errorf("audit: changes are not UTF-8")
	}
	return nil
}

// canonicalID returns a UUID in its lower-case hyphenated form ("" stays "").
func canonicalID(id string) (string, error) {
	if id == "" {
		return "", nil
	}
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return id, fmt.Errorf("not a UUID")
	}
	return u.String(), nil
}

// clip makes s storable in both databases (valid UTF-8 without NUL) and at most n bytes long.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// reserve advances the tenant's chain head by n entries and returns the first new entry's seq and
// the hash of the entry before it. The head row stays locked until the transaction ends, which
// orders a tenant's audit writers on PostgreSQL (SQLite has one writer).
func (s *Service) reserve(ctx context.Context, tenant string, n int) (int64, string, error) {
	ph := s.st.D.Placeholder
	for range 2 {
		var seq int64
		var prev string
		err := s.st.DB(ctx).QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + `+ph(1)+` WHERE tenant_id = `+ph(2)+` RETURNING seq, hash`, n, tenant).Scan(&seq, &prev)
		if err == nil {
			return seq - int64(n) + 1, prev, nil
		}
		if !isNoRows(err) {
			return 0, "", fmt.Errorf("audit: chain head: %w", err)
		}
		// The tenant's first entry: start its chain.
		if _, err := s.st.Exec(ctx, `INSERT INTO audit_head (tenant_id, seq, hash) VALUES (`+ph(1)+`, 0, '') ON CONFLICT DO NOTHING`, tenant); err != nil {
			return 0, "", fmt.Errorf("audit: chain head: %w", err)
		}
	}
	return 0, "", fmt.Errorf("audit: chain head of tenant %s cannot be created", tenant)
}

var (
	datetimeAttr = &metadata.Attribute{Name: "at", Type: metadata.TypeDateTime}
	guidAttr     = &metadata.Attribute{Name: "id", Type: metadata.TypeGUID}
)

// logColumns are the columns of audit_log in the order insert and bulkRow give them.
var logColumns = []string{"tenant_id", "seq", "id", "at", "action", "entity", "record_id", "record_version", "user_id", "user_name",
	"method", "ip", "user_agent", "request_id", "changes", "prev_hash", "hash"}

// bulkRow returns the entry's values for store.BulkInsert.
func (s *Service) bulkRow(e *Entry) []any {
	d := s.st.D
	return []any{d.BulkValue(guidAttr, e.TenantID), e.Seq, d.BulkValue(guidAttr, e.ID), d.BulkValue(datetimeAttr, e.At),
		e.Action, null(e.Entity), null(e.RecordID), nullInt(e.RecordVersion), null(e.UserID), null(e.UserName), null(e.Method),
		null(e.IP), null(e.UserAgent), null(e.RequestID), null(string(e.Changes)), e.PrevHash, e.Hash}
}

func (s *Service) insert(ctx context.Context, e *Entry) error {
	args := &store.Args{D: s.st.D}
	vals := []string{
		args.Add(e.TenantID), args.Add(e.Seq), args.Add(e.ID), args.Add(s.st.D.Encode(datetimeAttr, e.At)),
		args.Add(e.Action), args.Add(null(e.Entity)), args.Add(null(e.RecordID)), args.Add(nullInt(e.RecordVersion)),
		args.Add(null(e.UserID)), args.Add(null(e.UserName)), args.Add(null(e.Method)), args.Add(null(e.IP)),
		args.Add(null(e.UserAgent)), args.Add(null(e.RequestID)), args.Add(null(string(e.Changes))),
		args.Add(e.PrevHash), args.Add(e.Hash),
	}
	_, err := s.st.Exec(ctx, `INSERT INTO audit_log (`+strings.Join(logColumns, ", ")+`) VALUES (`+strings.Join(vals, ", ")+`)`, args.List...)
	if err != nil {
		return fmt.Errorf("audit: write entry: %w", err)
	}
	return nil
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// marshal encodes v as compact JSON without HTML escaping (the stored, hashed form).
func marshal(v any) (json.RawMessage, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(strings.TrimSuffix(b.String(), "\n")), nil
}
