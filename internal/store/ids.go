package store

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// guid decodes id columns.
var guid = &metadata.Attribute{Name: "id", Type: metadata.TypeGUID}

// QueryIDs runs q, which selects one id (UUID) column, and returns the ids as canonical text
// (SQLite stores them as text, PostgreSQL as uuid).
func (s *Store) QueryIDs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		v, err := s.D.Decode(guid, raw)
		if err != nil {
			return nil, err
		}
		id, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("store: id %v is not text", v)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
