package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite in WAL mode appends every commit to the write-ahead log and, by default, copies the log
// back into the database file (a checkpoint) inside the commit that takes the log past 1,000
// pages. That copy and its fsyncs then run on the writer, which every other writer waits for: in a
// large import it was a fifth of the time. The store instead runs checkpoints on a connection of
// their own, in the background, after commits: PASSIVE checkpoints never block the writer or the
// readers, and the writer only checkpoints by itself (as before) if the log ever grows past
// writerCheckpointPages because the background checkpoints could not keep up.

// writerCheckpointPages is the writer's own automatic checkpoint threshold (about 256 MiB of log
// at 4 KiB pages): a safety net, not the normal path.
const writerCheckpointPages = 65536

// checkpointGap is the least time between two background checkpoints, so that a stream of small
// commits (single-record API writes) shares checkpoints instead of paying one each.
const checkpointGap = 50 * time.Millisecond

// checkpointer copies the write-ahead log into the database file in the background.
type checkpointer struct {
	db   *sql.DB
	poke chan struct{}
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
	// runs counts the checkpoints that ran (for tests).
	runs atomic.Int64
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, poke: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c
}

// committed tells the checkpointer that the log has grown. It never blocks.
func (c *checkpointer) committed() {
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.poke:
		}
		c.checkpoint()
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointGap):
		}
	}
}

// checkpoint runs one PASSIVE checkpoint. A failure is left for the next one (or the writer's own
// threshold) to make up: nothing is lost by a checkpoint that did not run.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, log, done int64
	if err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		return
	}
	c.runs.Add(1)
	// Frames a reader still needs stay in the log; try again soon rather than at the next commit.
	if done < log {
		c.committed()
	}
}

// close stops the checkpoints (a second close does nothing: a store may be closed twice).
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		c.done.Wait()
		c.db.Close()
	})
}
