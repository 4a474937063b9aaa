package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/greyline/greyline"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The database side of `greyline backup` and `greyline restore`: a
// consistent copy of a live SQLite database, what a copy holds, and a lock
// that tells whether a server has the database open. PostgreSQL is backed
// up with its own tools (pg_dump), which the command explains.

// LatestSchema is the schema version this binary's migrations reach on e.
func LatestSchema(e Engine) int {
	ms, err := migrations(e)
	if err != nil {
		panic(err) // embedded files are checked by tests
	}
	return len(ms)
}

// Snapshot writes a consistent copy of the SQLite database to dst, which
// must not exist, while other connections and processes go on writing.
// VACUUM INTO reads the whole database in one read transaction, so the
// copy is the database as of one commit: no complaint without its links,
// no audit chain cut mid-way. It uses a connection of its own, because the
// readers are query-only (VACUUM INTO writes, if only to dst) and the
// writer must stay free for the server.
func (db *DB) Snapshot(ctx context.Context, dst string) error {
	if db.engine != SQLite {
		return greyline.Errorf(greyline.EINVALID, "Snapshot copies SQLite databases only: back up PostgreSQL with pg_dump.")
	}
	if _, err := os.Stat(dst); err == nil {
		return greyline.Errorf(greyline.ECONFLICT, "%s already exists.", dst)
	}
	c, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		os.Remove(dst)
		return fmt.Errorf("copying the database: %w", db.translate(err))
	}
	return nil
}

// Contents is what a database holds, to describe a backup and to compare a
// restored copy with its original.
type Contents struct {
	SchemaVersion int              `json:"schema_version"`
	Counts        map[string]int64 `json:"counts"` // rows per table, schema_migrations included
	// Documents are the SHA-256 of every file the documents table names,
	// distinct and sorted: the files a copy of the database needs.
	Documents []string `json:"-"`
}

// Contents counts every table's rows and lists the documents' files, all
// as of one moment (one read transaction; REPEATABLE READ on PostgreSQL).
func (db *DB) Contents(ctx context.Context) (*Contents, error) {
	var opts *sql.TxOptions
	if db.engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	tx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return nil, db.translate(err)
	}
	defer tx.Rollback()
	c, err := contents(ctx, tx, db.engine)
	return c, db.translate(err)
}

// InspectSQLite describes the SQLite database file at path (a snapshot),
// opened read-only.
func InspectSQLite(ctx context.Context, path string) (*Contents, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return contents(ctx, tx, SQLite)
}

func contents(ctx context.Context, tx *sql.Tx, e Engine) (*Contents, error) {
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if e == Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
	}
	tables, err := strings1(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	out := &Contents{Counts: make(map[string]int64, len(tables))}
	for _, t := range tables {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", t, err)
		}
		out.Counts[t] = n
	}
	if _, ok := out.Counts["schema_migrations"]; ok {
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&out.SchemaVersion); err != nil {
			return nil, err
		}
	}
	if _, ok := out.Counts["documents"]; ok {
		// Files removed under retention (migration 15) are no longer held.
		q := "SELECT DISTINCT sha256 FROM documents ORDER BY sha256"
		if out.SchemaVersion >= 15 {
			q = "SELECT DISTINCT sha256 FROM documents WHERE removed_at IS NULL ORDER BY sha256"
		}
		if out.Documents, err = strings1(ctx, tx, q); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// strings1 returns the one text column of a query's rows.
func strings1(ctx context.Context, tx *sql.Tx, q string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ErrInUse is wrapped by LockSQLite's error when another connection (a
// running server, a command) has the database open.
var ErrInUse = errors.New("the database is in use")

// SQLiteLock holds a SQLite database file exclusively. In WAL mode every
// open connection keeps a shared lock on the file for as long as it is
// open, so an exclusive lock is granted only when no server or command has
// the database open, and while it is held none can open it.
type SQLiteLock struct {
	c    *sql.DB
	conn *sql.Conn
}

// LockSQLite takes the exclusive lock on the SQLite database at path,
// failing at once with ECONFLICT wrapping ErrInUse if anything has it
// open. A path with no file gets no lock (nil, nil): there is nothing to
// protect, and opening it would create it.
func LockSQLite(ctx context.Context, path string) (*SQLiteLock, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=locking_mode(EXCLUSIVE)&_pragma=busy_timeout(0)")
	if err != nil {
		return nil, err
	}
	c.SetMaxOpenConns(1)
	conn, err := c.Conn(ctx)
	if err == nil {
		// The first write transaction takes the exclusive lock and, in
		// this locking mode, keeps it until the connection closes.
		if _, err = conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err == nil {
			_, err = conn.ExecContext(ctx, "COMMIT")
		}
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		c.Close()
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
			return nil, &greyline.Error{Code: greyline.ECONFLICT, Err: ErrInUse,
				Message: fmt.Sprintf("%s is in use: stop the greyline server (and any other greyline command) using it first.", path)}
		}
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return &SQLiteLock{c: c, conn: conn}, nil
}

// Contents describes the locked database.
func (l *SQLiteLock) Contents(ctx context.Context) (*Contents, error) {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return contents(ctx, tx, SQLite)
}

// Release closes the connection, giving the lock up. A nil or released
// lock is released.
func (l *SQLiteLock) Release() error {
	if l == nil || l.c == nil {
		return nil
	}
	err := errors.Join(l.conn.Close(), l.c.Close())
	l.c, l.conn = nil, nil
	return err
}
