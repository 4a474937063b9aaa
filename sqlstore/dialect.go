package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errRetry marks a transaction that lost a race and may be run again.
var errRetry = errors.New("sqlstore: transaction must be retried")

// errUnique is wrapped by errors from a unique-constraint violation.
var errUnique = errors.New("sqlstore: unique constraint violated")

// errForeignKey is wrapped by errors from a foreign-key violation.
var errForeignKey = errors.New("sqlstore: foreign key violated")

// sqliteTimeLayout is how the SQLite driver writes a time.Time, given the
// DSN's _time_format=sqlite (see openSQLite).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// timeArg is t as an argument, stored exactly as the driver would store
// it. On SQLite it is that text, formatted by the caller: a bulk import
// formats a batch's shared times once, and the rest on the cores that
// prepare rows, where the driver formatted every one on the writer.
func (db *DB) timeArg(t time.Time) any {
	if db.engine == SQLite {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// rebind turns "?" placeholders into "$1", "$2"… for PostgreSQL. SQL in this
// package never puts a literal "?" inside a string.
func (db *DB) rebind(q string) string {
	if db.engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// translate maps driver errors onto greyline errors, once per engine.
func (db *DB) translate(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var ge *greyline.Error
	if errors.As(err, &ge) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &greyline.Error{Code: greyline.ECONFLICT, Message: "That record already exists.", Err: errors.Join(errUnique, err)}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &greyline.Error{Code: greyline.EINVALID, Message: "A referenced record does not exist.", Err: errors.Join(errForeignKey, err)}
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return errors.Join(errRetry, err)
		}
		return greyline.Internal(err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &greyline.Error{Code: greyline.ECONFLICT, Message: "That record already exists.", Err: errors.Join(errUnique, err)}
		case "23503":
			return &greyline.Error{Code: greyline.EINVALID, Message: "A referenced record does not exist.", Err: errors.Join(errForeignKey, err)}
		case "40001", "40P01": // serialization failure, deadlock
			return errors.Join(errRetry, err)
		}
		return greyline.Internal(err)
	}
	return err
}

// isUnique reports whether err came from a unique-constraint violation.
func isUnique(err error) bool { return errors.Is(err, errUnique) }

// lockAuditChain serialises appends to the audit chain. SQLite has a single
// writer already; PostgreSQL takes a transaction-scoped advisory lock.
func (t *tx) lockAuditChain() error {
	if t.db.engine != Postgres {
		return nil
	}
	_, err := t.exec("SELECT pg_advisory_xact_lock(7336801)")
	return err
}
