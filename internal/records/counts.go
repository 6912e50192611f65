package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Row counts per tenant and entity are kept in entity_count by the write path, in the same
// transaction as the rows, so an unfiltered $count over a million records is one key lookup
// instead of a scan. A missing counter is initialised from COUNT(*) inside the writing
// transaction, which holds the tenant's version lock, so no other write can race it.

// addCount changes the record count of e in tenant by delta.
func (s *Service) addCount(ctx context.Context, tenant string, e *metadata.Entity, delta int) error {
	entity := e.Name
	ph := s.st.D.Placeholder
	res, err := s.st.Exec(ctx, `UPDATE entity_count SET n = n + `+ph(1)+` WHERE tenant_id = `+ph(2)+` AND entity = `+ph(3), delta, tenant, entity)
	if err != nil {
		return fmt.Errorf("records: count: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	// The rows are already written: the scan includes this change.
	_, err = s.st.Exec(ctx, `INSERT INTO entity_count (tenant_id, entity, n) SELECT `+ph(1)+`, `+ph(2)+`, COUNT(*) FROM `+
		store.Quote(e.Table())+` WHERE "tenant_id" = `+ph(3), tenant, entity, tenant)
	if err != nil {
		return fmt.Errorf("records: count: %w", err)
	}
	return nil
}

// storedCount returns the maintained count of entity, and false when there is none yet.
func (s *Service) storedCount(ctx context.Context, tenant, entity string) (int64, bool, error) {
	ph := s.st.D.Placeholder
	var n int64
	err := s.st.QueryRow(ctx, `SELECT n FROM entity_count WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), tenant, entity).Scan(&n)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return n, true, nil
}
