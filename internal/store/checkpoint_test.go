package store_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store"
)

// TestWALIsCheckpointedInTheBackground writes 16 MiB through the store and checks that the
// write-ahead log reaches the database file while the store stays open. The writer's own
// automatic checkpoint starts only at 256 MiB of log, so without the background checkpointer the
// database file would stay at its initial size until the store closes.
func TestWALIsCheckpointedInTheBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Exec(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 4000)
	const rows = 4096
	for tx := 0; tx < 16; tx++ {
		err := s.WithTx(ctx, func(ctx context.Context) error {
			for i := 0; i < rows/16; i++ {
				rand.Read(blob)
				if _, err := s.Exec(ctx, `INSERT INTO blobs (b) VALUES (?)`, blob); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	want := int64(rows * 4000)
	var size int64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if size = fi.Size(); size >= want {
			break
		}
	}
	if size < want {
		t.Fatalf("database file is %d bytes after writing %d: the log was not checkpointed", size, want)
	}
	// Every row reads back.
	var n int
	if err := s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil || n != rows {
		t.Fatalf("%d rows, %v", n, err)
	}
}
