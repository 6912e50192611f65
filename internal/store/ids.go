package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// guid decodes id columns.
var guid = &metadata.Attribute{Name: "id", Type: metadata.TypeGUID}

// QueryIDs runs q, which selects one id (UUID) column, and returns the ids as canonical text
// (SQLite stores them as text, PostgreSQL as uuid).
func (s *Store) QueryIDs(ctx context.Context, q string, args ...any) ([]string, error) {
	return s.queryColumn(ctx, q, args, func(raw any) (string, error) {
		v, err := s.D.Decode(guid, raw)
		if err != nil {
			return "", err
		}
		id, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("store: id %v is not text", v)
		}
		return id, nil
	})
}

// QueryStrings runs q, which selects one column, and returns its values as text.
func (s *Store) QueryStrings(ctx context.Context, q string, args ...any) ([]string, error) {
	return s.queryColumn(ctx, q, args, func(raw any) (string, error) {
		switch v := raw.(type) {
		case string:
			return v, nil
		case []byte:
			return string(v), nil
		case int64:
			return strconv.FormatInt(v, 10), nil
		case nil:
			return "", nil
		}
		return fmt.Sprint(raw), nil
	})
}

// queryColumn runs q, which selects one column, and converts each value with conv.
func (s *Store) queryColumn(ctx context.Context, q string, args []any, conv func(any) (string, error)) ([]string, error) {
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
		v, err := conv(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
