package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// put writes (or replaces) the document of one record, unless the index already holds a newer
// version of it (two nodes catching up at once). fresh says the record is known not to be in
// the index (a rebuild after clearing it), which saves a look-up on SQLite.
func (x *Index) put(ctx context.Context, tenant string, d document, fresh bool) error {
	ph := x.st.D.Placeholder
	if x.st.D.Name() == "postgres" {
		_, err := x.st.Exec(ctx, `INSERT INTO search_doc (tenant_id, entity, record_id, version, tsv) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`,`+
			` setweight(to_tsvector('simple', `+ph(5)+`), 'A') || setweight(to_tsvector('simple', `+ph(6)+`), 'B'))`+
			` ON CONFLICT (tenant_id, entity, record_id) DO UPDATE SET version = excluded.version, tsv = excluded.tsv WHERE search_doc.version <= excluded.version`,
			tenant, d.entity, d.id, d.version, d.title, d.body)
		if err != nil {
			return fmt.Errorf("search: index %s %s: %w", d.entity, d.id, err)
		}
		return nil
	}
	var docID, version int64
	err := sql.ErrNoRows
	if !fresh {
		err = x.st.QueryRow(ctx, `SELECT doc_id, version FROM search_doc WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3),
			tenant, d.entity, d.id).Scan(&docID, &version)
	}
	switch {
	case isNoRows(err):
		if err := x.st.QueryRow(ctx, `INSERT INTO search_doc (tenant_id, entity, record_id, version) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`) RETURNING doc_id`,
			tenant, d.entity, d.id, d.version).Scan(&docID); err != nil {
			return fmt.Errorf("search: index %s %s: %w", d.entity, d.id, err)
		}
	case err != nil:
		return fmt.Errorf("search: index %s %s: %w", d.entity, d.id, err)
	default:
		if version > d.version {
			return nil
		}
		if _, err := x.st.Exec(ctx, `DELETE FROM search_fts WHERE rowid = `+ph(1), docID); err != nil {
			return fmt.Errorf("search: index %s %s: %w", d.entity, d.id, err)
		}
		if _, err := x.st.Exec(ctx, `UPDATE search_doc SET version = `+ph(1)+` WHERE doc_id = `+ph(2), d.version, docID); err != nil {
			return fmt.Errorf("search: index %s %s: %w", d.entity, d.id, err)
		}
	}
	if _, err := x.st.Exec(ctx, `INSERT INTO search_fts (rowid, title, body) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`)`, docID, d.title, d.body); err != nil {
		return fmt.Errorf("search: index %s %s: %w", d.entity, d.id, err)
	}
	return nil
}

// remove takes one record out of the index.
func (x *Index) remove(ctx context.Context, tenant, entity, id string) error {
	ph := x.st.D.Placeholder
	if x.st.D.Name() == "sqlite" {
		if _, err := x.st.Exec(ctx, `DELETE FROM search_fts WHERE rowid IN (SELECT doc_id FROM search_doc WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3)+`)`,
			tenant, entity, id); err != nil {
			return fmt.Errorf("search: remove %s %s: %w", entity, id, err)
		}
	}
	if _, err := x.st.Exec(ctx, `DELETE FROM search_doc WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3), tenant, entity, id); err != nil {
		return fmt.Errorf("search: remove %s %s: %w", entity, id, err)
	}
	return nil
}

// clear removes every document of tenant.
func (x *Index) clear(ctx context.Context, tenant string) error {
	ph := x.st.D.Placeholder
	if x.st.D.Name() == "sqlite" {
		if _, err := x.st.Exec(ctx, `DELETE FROM search_fts WHERE rowid IN (SELECT doc_id FROM search_doc WHERE tenant_id = `+ph(1)+`)`, tenant); err != nil {
			return fmt.Errorf("search: clear: %w", err)
		}
	}
	if _, err := x.st.Exec(ctx, `DELETE FROM search_doc WHERE tenant_id = `+ph(1), tenant); err != nil {
		return fmt.Errorf("search: clear: %w", err)
	}
	return nil
}
