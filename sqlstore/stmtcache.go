package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps SQLite statements prepared, so that a query run again
// is not parsed again: parsing was a quarter of the single writer's time
// under load. Only single-row queries and statements without rows use it
// (their result is read at once), never a query whose rows stay open
// while the same text could run again.
//
// A statement cannot be prepared on the writer's one connection while a
// transaction holds it, so a query is prepared after the transaction that
// first ran it, in the background, and used from then on.
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	want    map[string]bool // run once, to be prepared
	closed  bool
	running sync.WaitGroup // preparations in the background
}

// maxCachedStmts bounds the cache: queries built for a number of values
// (IN lists) differ in their text.
const maxCachedStmts = 1000

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, want: map[string]bool{}}
}

// get returns the prepared statement for q, or nil, noting q to prepare.
func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[q]; ok {
		return s
	}
	if len(c.m)+len(c.want) < maxCachedStmts {
		c.want[q] = true
	}
	return nil
}

// prepareWanted prepares, in the background, the queries noted since the
// last call.
func (c *stmtCache) prepareWanted() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if len(c.want) == 0 || c.closed {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.want))
	for q := range c.want {
		qs = append(qs, q)
	}
	clear(c.want)
	c.running.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.running.Done()
		for _, q := range qs {
			s, err := c.pool.PrepareContext(context.Background(), q)
			if err != nil {
				continue // closed, or a query that only works in its transaction: run as before
			}
			c.mu.Lock()
			if _, ok := c.m[q]; ok {
				s.Close()
			} else {
				c.m[q] = s
			}
			c.mu.Unlock()
		}
	}()
}

// close waits for the preparations under way (a connection they hold
// would outlive the database's Close) and closes the statements.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.running.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	clear(c.m)
}
