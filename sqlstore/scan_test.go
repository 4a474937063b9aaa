package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// TestScan covers the whole-table reads of the network rebuild: every row
// comes through, an error from the row function stops the read and is
// returned, a cancelled context interrupts a long read, and bad SQL is an
// error.
func TestScan(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const count = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) SELECT x FROM n"
		var sum, rows int64
		if err := db.ScanInts(ctx, count, func(x int64) error { sum += x; rows++; return nil }); err != nil {
			t.Fatal(err)
		}
		if rows != 1000 || sum != 500500 {
			t.Errorf("read %d rows summing to %d, want 1000 and 500500", rows, sum)
		}

		stop := errors.New("stop")
		rows = 0
		if err := db.ScanInts(ctx, count, func(int64) error { rows++; return stop }); !errors.Is(err, stop) || rows != 1 {
			t.Errorf("after the row function's error: %v, %d rows", err, rows)
		}

		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		const endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n"
		rows = 0
		err := db.ScanInts(cctx, endless, func(int64) error {
			if rows++; rows == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled read: %v after %d rows", err, rows)
		}

		if err := db.ScanInts(ctx, "SELECT nothing FROM nowhere", func(int64) error { return nil }); err == nil {
			t.Error("bad SQL read without an error")
		}
	})
}
