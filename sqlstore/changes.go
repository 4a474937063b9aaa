package sqlstore

// The change log: written in the transaction of every change that the
// servers' in-memory indexes follow, read by each server's follower.

import (
	"context"
	"slices"
	"time"

	"github.com/greyline/greyline"
)

// logChange adds an entry to the transaction's change log.
func (t *tx) logChange(kind greyline.ChangeKind, id int64) {
	t.changes = append(t.changes, greyline.Change{Kind: kind, First: id, Last: id})
}

// writeChangeLog writes the transaction's changes just before it commits:
// complaints as ranges of consecutive ids (a bulk import is a few rows),
// everything else one row per id.
func (t *tx) writeChangeLog() error {
	entries := slices.Clone(t.changes)
	for _, b := range t.afterCommit {
		entries = append(entries, greyline.Change{Kind: greyline.ChangeBusiness, First: b, Last: b})
	}
	if len(t.complaintsChanged) > 0 {
		ids := slices.Clone(t.complaintsChanged)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		first := ids[0]
		for i := 1; i <= len(ids); i++ {
			if i == len(ids) || ids[i] != ids[i-1]+1 {
				entries = append(entries, greyline.Change{Kind: greyline.ChangeComplaints, First: first, Last: ids[i-1]})
				if i < len(ids) {
					first = ids[i]
				}
			}
		}
	}
	if len(entries) == 0 {
		return nil
	}
	now := t.db.now()
	for _, e := range entries {
		if _, err := t.exec("INSERT INTO change_log (kind, first_id, last_id, at) VALUES (?, ?, ?, ?)", e.Kind, e.First, e.Last, now); err != nil {
			return err
		}
	}
	return nil
}

// LatestChange is the newest change-log sequence number.
func (db *DB) LatestChange(ctx context.Context) (int64, error) {
	var n int64
	err := db.read(ctx, func(t *tx) error {
		return t.queryRow("SELECT COALESCE(MAX(seq), 0) FROM change_log").Scan(&n)
	})
	return n, err
}

// ChangesSince lists the entries after seq and those written within
// lookback, oldest first. On PostgreSQL a sequence number is taken before
// commit, so an entry can appear after one with a higher number; readers
// look back a few seconds and skip what they have applied.
func (db *DB) ChangesSince(ctx context.Context, seq int64, lookback time.Duration) ([]greyline.Change, error) {
	var out []greyline.Change
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query(`SELECT seq, kind, first_id, last_id, at FROM change_log WHERE seq > ?
			UNION SELECT seq, kind, first_id, last_id, at FROM change_log WHERE at > ? ORDER BY 1 LIMIT 10000`, seq, db.now().Add(-lookback))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c greyline.Change
			if err := rows.Scan(&c.Seq, &c.Kind, &c.First, &c.Last, &c.At); err != nil {
				return err
			}
			c.At = c.At.UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// PruneChanges deletes change-log entries older than before.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(t *tx) error {
		res, err := t.exec("DELETE FROM change_log WHERE at < ?", before)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// Exclusive runs fn only if no other server holds the job named name, so
// that background jobs run once across servers sharing one PostgreSQL
// database (a session advisory lock, held while fn runs). It reports
// whether fn ran. On SQLite there is one server, and fn always runs.
func (db *DB) Exclusive(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	if db.engine != Postgres {
		return true, fn(ctx)
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return false, db.translate(err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(hashtext($1))", "greyline:"+name).Scan(&got); err != nil {
		return false, db.translate(err)
	}
	if !got {
		return false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", "greyline:"+name)
	return true, fn(ctx)
}
