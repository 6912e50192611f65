package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestConcurrentWritersLoseNothing runs transactions that update the same two rows in opposite
// orders. SQLite serialises them on its single writer; PostgreSQL deadlocks some of them, and
// WithTx must retry those so that every transaction lands exactly once.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	if _, err := s.Raw().ExecContext(ctx, `CREATE TABLE counter (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Raw().ExecContext(ctx, `INSERT INTO counter (k, v) VALUES (1, 0), (2, 0)`); err != nil {
		t.Fatal(err)
	}
	ph := s.D.Placeholder
	const perWorker = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*perWorker)
	for w, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				errs <- s.WithTx(ctx, func(ctx context.Context) error {
					if s.D.Name() == "postgres" { // detect deadlocks quickly in this test
						if _, err := s.Exec(ctx, `SET LOCAL deadlock_timeout = '20ms'`); err != nil {
							return err
						}
					}
					for j, k := range order {
						if _, err := s.Exec(ctx, `UPDATE counter SET v = v + 1 WHERE k = `+ph(1), k); err != nil {
							return err
						}
						if j == 0 {
							time.Sleep(time.Duration(5+w) * time.Millisecond) // let the other worker take its first row
						}
					}
					return nil
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a transaction failed instead of being retried: %v", err)
		}
	}
	for _, k := range []int{1, 2} {
		var v int
		if err := s.DB(ctx).QueryRowContext(ctx, `SELECT v FROM counter WHERE k = `+ph(1), k).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != 2*perWorker {
			t.Fatalf("row %d = %d, want %d: a transaction was lost or applied twice", k, v, 2*perWorker)
		}
	}
}

// TestAfterCommit: callbacks run after the outermost commit, never after a rollback, and at
// once outside a transaction.
func TestAfterCommit(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	var ran []string
	store.AfterCommit(ctx, func() { ran = append(ran, "outside") })
	err := s.WithTx(ctx, func(ctx context.Context) error {
		store.AfterCommit(ctx, func() { ran = append(ran, "outer") })
		return s.WithTx(ctx, func(ctx context.Context) error { // joins the outer transaction
			store.AfterCommit(ctx, func() { ran = append(ran, "nested") })
			if len(ran) != 1 {
				t.Errorf("callbacks ran before the commit: %v", ran)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.WithTx(ctx, func(ctx context.Context) error {
		store.AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
		return context.Canceled
	})
	if got := strings.Join(ran, ","); got != "outside,outer,nested" {
		t.Fatalf("ran %s", got)
	}
}

// TestTxMemo: a value is computed once per transaction, again in the next one and after
// TxForget, and every time outside a transaction.
func TestTxMemo(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	calls := 0
	get := func(ctx context.Context) int {
		v, err := store.TxMemo(ctx, "k", func() (int, error) { calls++; return calls, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if a, b := get(ctx), get(ctx); a != 1 || b != 1 {
			t.Errorf("in one transaction: %d then %d, want 1 twice", a, b)
		}
		store.TxForget(ctx, "k")
		if c := get(ctx); c != 2 {
			t.Errorf("after TxForget: %d, want 2", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithTx(ctx, func(ctx context.Context) error {
		if v := get(ctx); v != 3 {
			t.Errorf("next transaction: %d, want 3", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if a, b := get(ctx), get(ctx); a != 4 || b != 5 {
		t.Errorf("outside a transaction: %d then %d, want 4 and 5", a, b)
	}
}
