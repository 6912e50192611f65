package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/store"
)

// TestSQLiteSynchronous: a SQLite DSN may ask for synchronous=full (a commit survives a power
// loss); the default is NORMAL; anything else is refused, naming the option.
func TestSQLiteSynchronous(t *testing.T) {
	ctx := context.Background()
	for dsn, want := range map[string]int{"m.db": 1, "m.db?synchronous=full": 2, "m.db?synchronous=NORMAL": 1} {
		s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), dsn))
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		var got int
		err = s.WithTx(ctx, func(ctx context.Context) error {
			return s.QueryRow(ctx, `PRAGMA synchronous`).Scan(&got)
		})
		s.Close()
		if err != nil || got != want {
			t.Errorf("%s: synchronous %d (%v), want %d", dsn, got, err, want)
		}
	}
	for _, bad := range []string{"m.db?synchronous=off", "m.db?journal_mode=delete"} {
		if s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), bad)); err == nil || !strings.Contains(err.Error(), "synchronous") {
			if s != nil {
				s.Close()
			}
			t.Errorf("%s: %v", bad, err)
		}
	}
}
