package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestGroupCommit: concurrent grouped writes queued while the writer is busy run as one group
// commit, each in its savepoint. A write that fails or panics is rolled back alone — its rows
// gone, its AfterCommit functions never run — and answered with its error; its neighbours
// commit, each having seen only its own TxMemo values, and their AfterCommit functions run
// after the commit.
func TestGroupCommit(t *testing.T) {
	st := storetest.Open(t)
	st.GroupCommit = true
	ctx := context.Background()
	if _, err := st.Exec(ctx, `CREATE TABLE grouped_write (id integer PRIMARY KEY, note text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	release, err := st.HoldWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var mu sync.Mutex
	committed := map[int]bool{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.WithTx(store.Grouped(ctx), func(ctx context.Context) error {
				if _, err := st.Exec(ctx, `INSERT INTO grouped_write (id, note) VALUES (`+st.D.Placeholder(1)+`, 'x')`, i); err != nil {
					return err
				}
				own, _ := store.TxMemo(ctx, "memo", func() (int, error) { return i, nil })
				if own != i {
					return fmt.Errorf("write %d saw the TxMemo value of write %d", i, own)
				}
				store.AfterCommit(ctx, func() {
					mu.Lock()
					committed[i] = true
					mu.Unlock()
				})
				switch i {
				case 5:
					return errors.New("refused")
				case 7:
					panic("write 7 panics")
				}
				return nil
			})
		}()
	}
	for deadline := time.Now().Add(30 * time.Second); st.GroupQueued("") < n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writes queued", st.GroupQueued(""), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := st.GroupStats()
	release()
	wg.Wait()
	if got := st.GroupStats(); got.Transactions-before.Transactions != 1 || got.Writes-before.Writes != n {
		t.Errorf("group commits: %+v after %+v; want one transaction of %d writes", got, before, n)
	}
	for i, err := range errs {
		switch i {
		case 5, 7:
			if err == nil {
				t.Errorf("write %d: no error", i)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	var rows int
	if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM grouped_write WHERE id NOT IN (5, 7)`).Scan(&rows); err != nil || rows != n-2 {
		t.Errorf("%d rows of the good writes (%v), want %d", rows, err, n-2)
	}
	if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM grouped_write WHERE id IN (5, 7)`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d rows of the failed writes (%v)", rows, err)
	}
	if len(committed) != n-2 || committed[5] || committed[7] {
		t.Errorf("AfterCommit ran for %v", committed)
	}
}
