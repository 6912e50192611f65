package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Kinds of chain breaks Verify reports.
const (
	BreakEdited   = "edited"   // an entry's contents no longer match its hash
	BreakLink     = "link"     // an entry does not follow the hash of the entry before it (replaced, reordered or rehashed)
	BreakMissing  = "missing"  // entries are missing inside the chain (deleted)
	BreakTail     = "tail"     // the last entries are missing: the head is further than the rows
	BreakHead     = "head"     // the chain head does not match the last entry (or there is none)
	BreakAnchor   = "anchor"   // the anchor left by retention does not match the purge that set it
	BreakUnparsed = "unparsed" // an entry cannot be read
)

// Break is one place where a tenant's chain does not hold.
type Break struct {
	TenantID string
	Seq      int64 // the entry at fault (or the first one missing)
	Kind     string
	Detail   string
}

func (b Break) String() string {
	return fmt.Sprintf("tenant %s seq %d: %s: %s", b.TenantID, b.Seq, b.Kind, b.Detail)
}

// ChainReport is the result of verifying one tenant's chain.
type ChainReport struct {
	TenantID  string
	Entries   int64 // entries read
	FirstSeq  int64 // first and last seq read (0 when none)
	LastSeq   int64
	HeadSeq   int64 // the chain head (audit_head)
	HeadHash  string
	AnchorSeq int64 // where the chain starts after retention purges (0: at the beginning)
	Breaks    []Break
	// MoreBreaks counts breaks beyond the first maxBreaks, which are not listed.
	MoreBreaks int
}

// OK reports whether the chain is intact.
func (r *ChainReport) OK() bool { return len(r.Breaks) == 0 }

// maxBreaks bounds the breaks listed per tenant (a mass edit would otherwise list every row).
const maxBreaks = 1000

func (r *ChainReport) add(seq int64, kind, format string, args ...any) {
	if len(r.Breaks) >= maxBreaks {
		r.MoreBreaks++
		return
	}
	r.Breaks = append(r.Breaks, Break{TenantID: r.TenantID, Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// Verify recomputes the hash chain of tenantID ("" for every tenant with audit entries) and
// reports every break: an edited entry, a deleted entry (a gap in seq), a truncated tail (the head
// is ahead of the last entry), entries after the head, a broken link (an entry replaced,
// reordered or rehashed), and an anchor that does not match the last retention purge. Each
// tenant is read in one snapshot, so concurrent writers do not cause false alarms.
func (s *Service) Verify(ctx context.Context, tenantID string) ([]*ChainReport, error) {
	tenants := []string{tenantID}
	if tenantID == "" {
		var err error
		if tenants, err = s.chainTenants(ctx); err != nil {
			return nil, fmt.Errorf("audit: verify: %w", err)
		}
	} else if id, err := canonicalID(tenantID); err == nil {
		tenants[0] = id
	}
	var out []*ChainReport
	for _, t := range tenants {
		r, err := s.verifyTenant(ctx, t)
		if err != nil {
			return out, fmt.Errorf("audit: verify tenant %s: %w", t, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// chainTenants returns every tenant with a chain head or audit entries.
func (s *Service) chainTenants(ctx context.Context) ([]string, error) {
	var out []string
	err := s.scan(ctx, `SELECT tenant_id FROM audit_head UNION SELECT DISTINCT tenant_id FROM audit_log ORDER BY 1`, nil,
		func(v []any) { out = append(out, v[0].(string)) }, guidAttr)
	return out, err
}

// entryColumns are the columns of audit_log in the order scanEntry reads them.
const entryColumns = `tenant_id, seq, id, at, action, entity, record_id, record_version, user_id, user_name, method, ip, user_agent, request_id, changes, prev_hash, hash`

func (s *Service) verifyTenant(ctx context.Context, tenant string) (*ChainReport, error) {
	r := &ChainReport{TenantID: tenant}
	err := s.snapshot(ctx, func(q store.Querier) error {
		ph := s.st.D.Placeholder
		var anchorHash string
		var headSeq, anchorSeq sql.NullInt64
		var headHash sql.NullString
		err := q.QueryRowContext(ctx, `SELECT seq, hash, anchor_seq, anchor_hash FROM audit_head WHERE tenant_id = `+ph(1), tenant).
			Scan(&headSeq, &headHash, &anchorSeq, &anchorHash)
		hasHead := err == nil
		if err != nil && !isNoRows(err) {
			return err
		}
		r.HeadSeq, r.HeadHash, r.AnchorSeq = headSeq.Int64, headHash.String, anchorSeq.Int64
		rows, err := q.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_log WHERE tenant_id = `+ph(1)+` ORDER BY seq`, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		next, prev := r.AnchorSeq+1, anchorHash // the seq and prev_hash the next entry must have
		var lastPurge *Entry
		for rows.Next() {
			e, err := s.scanEntry(rows)
			if err != nil {
				r.add(next, BreakUnparsed, "%v", err)
				continue
			}
			r.Entries++
			if r.FirstSeq == 0 {
				r.FirstSeq = e.Seq
			}
			r.LastSeq = e.Seq
			linked := true
			switch {
			case e.Seq < next:
				r.add(e.Seq, BreakAnchor, "entry %d lies before the chain's anchor (%d): retention purged it, or it was inserted", e.Seq, r.AnchorSeq)
				linked = false
			case e.Seq > next:
				r.add(next, BreakMissing, "entries %s are missing (deleted)", span(next, e.Seq-1))
				linked = false
			}
			if e.TenantID != tenant {
				r.add(e.Seq, BreakEdited, "the entry belongs to tenant %s", e.TenantID)
			}
			if h := e.ComputeHash(); h != e.Hash {
				r.add(e.Seq, BreakEdited, "the entry's contents do not match its hash (edited)")
			}
			if linked && e.PrevHash != prev {
				r.add(e.Seq, BreakLink, "prev_hash does not match the hash of entry %d (an entry was replaced, reordered or rehashed)", e.Seq-1)
			}
			if e.Action == ActionPurge {
				lastPurge = e
			}
			next, prev = e.Seq+1, e.Hash
		}
		if err := rows.Err(); err != nil {
			return err
		}
		last := next - 1
		switch {
		case !hasHead && r.Entries > 0:
			r.add(r.LastSeq, BreakHead, "the tenant has audit entries but no chain head")
		case !hasHead:
		case r.HeadSeq > last:
			r.add(last+1, BreakTail, "entries %s are missing: the chain head is at %d (the tail was deleted)", span(last+1, r.HeadSeq), r.HeadSeq)
		case r.HeadSeq < last:
			r.add(r.HeadSeq+1, BreakHead, "entries %s lie beyond the chain head (%d)", span(r.HeadSeq+1, last), r.HeadSeq)
		case r.HeadHash != prev:
			r.add(last, BreakHead, "the chain head's hash does not match entry %d", last)
		}
		if r.AnchorSeq > 0 {
			s.checkAnchor(r, lastPurge, anchorHash)
		}
		return nil
	})
	return r, err
}

// checkAnchor compares the chain's anchor with the last purge entry, which records the anchor it
// set: moving the anchor to hide deleted entries means editing that entry too.
func (s *Service) checkAnchor(r *ChainReport, lastPurge *Entry, anchorHash string) {
	if lastPurge == nil {
		r.add(r.AnchorSeq, BreakAnchor, "the chain starts after entry %d but no purge entry records that anchor", r.AnchorSeq)
		return
	}
	var d struct {
		ThroughSeq int64  `json:"through_seq"`
		AnchorHash string `json:"anchor_hash"`
	}
	if err := json.Unmarshal(lastPurge.Changes, &d); err != nil || d.ThroughSeq != r.AnchorSeq || d.AnchorHash != anchorHash {
		r.add(r.AnchorSeq, BreakAnchor, "the chain's anchor (seq %d) is not the one purge entry %d set (seq %d)", r.AnchorSeq, lastPurge.Seq, d.ThroughSeq)
	}
}

func span(from, to int64) string {
	if from == to {
		return fmt.Sprint(from)
	}
	return fmt.Sprintf("%d..%d", from, to)
}

// snapshot runs fn in a read-only transaction that sees one consistent state of the database.
func (s *Service) snapshot(ctx context.Context, fn func(q store.Querier) error) error {
	type beginner interface {
		BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
	}
	var db beginner
	var opts *sql.TxOptions
	if s.st.D.Name() == "postgres" {
		db, opts = s.st.Raw(), &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	} else if b, ok := s.st.DB(context.Background()).(beginner); ok {
		db = b // the read pool: a deferred transaction reads one WAL snapshot
	} else {
		return fn(s.st.DB(ctx))
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return fn(tx)
}

// scanEntry reads one row of entryColumns.
func (s *Service) scanEntry(rows *sql.Rows) (*Entry, error) {
	raw := make([]any, 17)
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	d := s.st.D
	str := func(i int) (string, error) {
		v, err := d.Decode(textAttr, raw[i])
		if v == nil || err != nil {
			return "", err
		}
		return v.(string), nil
	}
	num := func(i int) (int64, error) {
		v, err := d.Decode(intAttr, raw[i])
		if v == nil || err != nil {
			return 0, err
		}
		n, ok := v.(int64)
		if !ok {
			return 0, fmt.Errorf("column %d: %T is not an integer", i, v)
		}
		return n, nil
	}
	e := &Entry{}
	var err error
	strs := []*string{0: &e.TenantID, 2: &e.ID, 4: &e.Action, 5: &e.Entity, 6: &e.RecordID, 8: &e.UserID, 9: &e.UserName,
		10: &e.Method, 11: &e.IP, 12: &e.UserAgent, 13: &e.RequestID, 15: &e.PrevHash, 16: &e.Hash}
	for i, p := range strs {
		if p == nil {
			continue
		}
		if *p, err = str(i); err != nil {
			return nil, err
		}
	}
	if e.Seq, err = num(1); err != nil {
		return nil, err
	}
	if e.RecordVersion, err = num(7); err != nil {
		return nil, err
	}
	at, err := d.Decode(datetimeAttr, raw[3])
	if err != nil {
		return nil, err
	}
	if t, ok := at.(time.Time); ok {
		e.At = t
	}
	changes, err := str(14)
	if err != nil {
		return nil, err
	}
	if changes != "" {
		e.Changes = json.RawMessage(changes)
	}
	return e, nil
}

var (
	textAttr = &metadata.Attribute{Name: "text", Type: metadata.TypeString}
	intAttr  = &metadata.Attribute{Name: "integer", Type: metadata.TypeInteger}
)
