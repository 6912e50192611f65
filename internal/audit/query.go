package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
)

// Fields are the fields of an entry as the query API names them, in output order.
var Fields = []string{"seq", "id", "at", "action", "entity", "record_id", "record_version", "user_id", "user_name",
	"method", "ip", "user_agent", "request_id", "changes", "prev_hash", "hash"}

// entryEntity describes the audit_entry view to the OData compiler (internal/query), so that
// $filter, $select, $orderby and paging work as on records. It is built here and never
// registered in the model: the trail is not an entity set and cannot be written through the API.
var entryEntity = func() *metadata.Entity {
	str := func(name string) *metadata.Attribute {
		return &metadata.Attribute{Name: name, Type: metadata.TypeString}
	}
	e := &metadata.Entity{Name: "audit_entry", SetName: "audit", PrimaryName: "action",
		DisplayName: metadata.Label{EN: "Audit entry", ZH: "审计记录"},
		Attributes: []*metadata.Attribute{
			{Name: "seq", Type: metadata.TypeInteger},
			{Name: "at", Type: metadata.TypeDateTime},
			str("action"), str("entity"),
			{Name: "record_id", Type: metadata.TypeGUID},
			{Name: "record_version", Type: metadata.TypeInteger},
			{Name: "user_id", Type: metadata.TypeGUID},
			str("user_name"), str("method"), str("ip"), str("user_agent"), str("request_id"),
			{Name: "changes", Type: metadata.TypeJSON},
			str("prev_hash"), str("hash"),
		}}
	return e
}()

var entryModel = metadata.NewModel([]*metadata.Entity{entryEntity}, nil)

// Page is one page of audit entries.
type Page struct {
	Fields  []string // the fields selected, in output order
	Entries []*Entry
	Count   *int64 // with $count=true
	Next    string // $skiptoken of the next page ("" on the last)
}

// List reads a page of the caller's tenant's audit entries: $filter (on any field, e.g.
// record_id eq <id>, user_id eq <id>, entity eq 'account', at ge 2030-01-01T00:00:00Z, with and,
// or, not), $select, $orderby (default: seq), $top, $skiptoken and $count. pageSize 0 is the
// default page size. Only tenant administrators may read the trail.
func (s *Service) List(ctx context.Context, o *query.Options, pageSize int) (*Page, error) {
	p, ok := principal.From(ctx)
	if !ok || p.TenantID == "" {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	if !p.Admin {
		return nil, fault.New(fault.Permission, "forbidden", "only tenant administrators may read the audit trail")
	}
	if len(o.Expand) > 0 || len(o.Apply) > 0 || o.DeltaToken != "" || o.Search != "" || o.Skip != nil {
		return nil, fault.New(fault.Invalid, "invalid_query", "the audit trail takes $filter, $select, $orderby, $top, $count and paging ($skiptoken) only")
	}
	q := *o
	if len(q.OrderBy) == 0 {
		q.OrderBy = []query.OrderItem{{Path: query.Path{Segments: []string{"seq"}}}}
	}
	if pageSize <= 0 {
		pageSize = s.DefaultPageSize
	}
	pageSize = min(pageSize, s.MaxPageSize)
	plan, err := query.CompileList(entryModel, s.st.D, entryEntity, &q, query.Scope{TenantID: p.TenantID, Now: s.clock}, pageSize)
	if err != nil {
		return nil, err
	}
	page := &Page{}
	selected := map[string]bool{}
	for _, c := range plan.Columns {
		if !c.Hidden {
			selected[c.Name] = true
		}
	}
	for _, f := range Fields { // always in the same order, whatever $select's
		if selected[f] {
			page.Fields = append(page.Fields, f)
		}
	}
	rows, err := s.st.Query(ctx, plan.SQL, plan.Args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var last []any
	raw := make([]any, len(plan.Columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if len(page.Entries) == plan.PageSize {
			// The plan reads one row more than the page: it proves there is a next page.
			if q.Top == nil || plan.Remaining > 0 {
				page.Next = query.EncodePageToken(plan.KeysetValues(last), plan.Remaining)
			}
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		vals := make([]any, len(raw))
		e := &Entry{TenantID: p.TenantID}
		for i, c := range plan.Columns {
			v, err := s.st.D.Decode(c.Attr, raw[i])
			if err != nil {
				return nil, fmt.Errorf("audit: list: %w", err)
			}
			vals[i] = v
			e.set(c.Name, v)
		}
		last = vals
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	rows.Close()
	if plan.CountSQL != "" {
		var n int64
		if err := s.st.QueryRow(ctx, plan.CountSQL, plan.CountArgs...).Scan(&n); err != nil {
			return nil, fmt.Errorf("audit: count: %w", err)
		}
		page.Count = &n
	}
	return page, nil
}

// set assigns the decoded value of a query column to the entry.
func (e *Entry) set(name string, v any) {
	s, _ := v.(string)
	n, _ := v.(int64)
	switch name {
	case "seq":
		e.Seq = n
	case "id":
		e.ID = s
	case "at":
		e.At, _ = v.(time.Time)
	case "action":
		e.Action = s
	case "entity":
		e.Entity = s
	case "record_id":
		e.RecordID = s
	case "record_version":
		e.RecordVersion = n
	case "user_id":
		e.UserID = s
	case "user_name":
		e.UserName = s
	case "method":
		e.Method = s
	case "ip":
		e.IP = s
	case "user_agent":
		e.UserAgent = s
	case "request_id":
		e.RequestID = s
	case "changes":
		e.Changes, _ = v.(json.RawMessage)
	case "prev_hash":
		e.PrevHash = s
	case "hash":
		e.Hash = s
	}
}

// Value returns field name of the entry in its JSON form (nil when absent).
func (e *Entry) Value(name string) any {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	switch name {
	case "seq":
		return e.Seq
	case "id":
		return str(e.ID)
	case "at":
		if e.At.IsZero() {
			return nil
		}
		return e.At.UTC().Format("2006-01-02T15:04:05.999999Z")
	case "action":
		return str(e.Action)
	case "entity":
		return str(e.Entity)
	case "record_id":
		return str(e.RecordID)
	case "record_version":
		if e.RecordVersion == 0 {
			return nil
		}
		return e.RecordVersion
	case "user_id":
		return str(e.UserID)
	case "user_name":
		return str(e.UserName)
	case "method":
		return str(e.Method)
	case "ip":
		return str(e.IP)
	case "user_agent":
		return str(e.UserAgent)
	case "request_id":
		return str(e.RequestID)
	case "changes":
		if len(e.Changes) == 0 {
			return nil
		}
		return e.Changes
	case "prev_hash":
		return str(e.PrevHash)
	case "hash":
		return str(e.Hash)
	}
	return nil
}

// Text returns field name as export text ("" when absent).
func (e *Entry) Text(name string) string {
	switch v := e.Value(name).(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case json.RawMessage:
		return string(v)
	}
	return ""
}

// Map returns the fields of the entry as a JSON object.
func (e *Entry) Map(fields []string) map[string]any {
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		m[f] = e.Value(f)
	}
	return m
}
