package sqlstore

// Whole-table reads of millions of rows (the fraud-network rebuild). On
// SQLite they bypass database/sql and the driver: for each row the driver
// asks SQLite for every column's name and type, copies each value into a
// new Go value, boxes it, and database/sql converts it again, all under
// two mutexes. At a million complaints that was three times SQLite's own
// work: reading complaints, identifiers and links took 10.7 s of CPU
// through the driver and takes about 4 s on a connection of its own, used
// through SQLite's C API as modernc.org/sqlite/lib exports it. On
// PostgreSQL the same queries run through database/sql.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/greyline/greyline"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// scanRow is the current row of a scan. What Text returns is valid only
// until the row function returns.
type scanRow interface {
	Int64(col int) int64
	Text(col int) []byte
}

// scan runs a read-only query and calls row for each row, in its own
// snapshot. An error from row stops the scan and is returned.
func (db *DB) scan(ctx context.Context, query string, row func(scanRow) error) error {
	if db.engine == SQLite {
		return db.scanSQLite(ctx, query, row)
	}
	return db.read(ctx, func(t *tx) error {
		rows, err := t.query(query)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return db.translate(err)
		}
		r := make(rawBytesRow, len(cols))
		dest := make([]any, len(cols))
		for i := range r {
			dest[i] = &r[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return db.translate(err)
			}
			if err := row(r); err != nil {
				return err
			}
		}
		return db.translate(rows.Err())
	})
}

// rawBytesRow is a row as database/sql gives it in text form.
type rawBytesRow []sql.RawBytes

func (r rawBytesRow) Int64(col int) int64 {
	n, _ := strconv.ParseInt(string(r[col]), 10, 64)
	return n
}

func (r rawBytesRow) Text(col int) []byte { return r[col] }

// sqliteRow is the current row of a statement on a raw connection.
type sqliteRow struct {
	tls  *libc.TLS
	stmt uintptr
}

func (r sqliteRow) Int64(col int) int64 {
	return sqlite3.Xsqlite3_column_int64(r.tls, r.stmt, int32(col))
}

func (r sqliteRow) Text(col int) []byte {
	p := sqlite3.Xsqlite3_column_text(r.tls, r.stmt, int32(col))
	if p == 0 {
		return nil // NULL
	}
	n := sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, int32(col))
	return unsafe.Slice((*byte)(cptr(p)), n)
}

// cptr turns an address in SQLite's memory, which libc allocates outside
// Go's heap, into a pointer. (Written so, not as unsafe.Pointer(p), which
// go vet rightly flags for addresses of Go memory.)
func cptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// scanSQLite runs the query on a connection of its own, opened for it and
// closed after, with the read pool's settings: read-only, and waiting for
// a lock as long as the pools do. SQLite shares its file locks between all
// the connections of a process, so this one cannot break theirs.
func (db *DB) scanSQLite(ctx context.Context, query string, row func(scanRow) error) (err error) {
	tls := libc.NewTLS()
	defer tls.Close()
	fail := func(h uintptr, rc int32) error {
		msg := ""
		if h != 0 {
			msg = libc.GoString(sqlite3.Xsqlite3_errmsg(tls, h))
		} else {
			msg = libc.GoString(sqlite3.Xsqlite3_errstr(tls, rc))
		}
		return greyline.Internal(fmt.Errorf("sqlstore: reading %s: %s (SQLite code %d)", db.path, msg, rc))
	}
	name, err := libc.CString(db.path)
	if err != nil {
		return err
	}
	defer libc.Xfree(tls, name)
	out := tls.Alloc(8) // the sqlite3* or sqlite3_stmt* a call hands back
	defer tls.Free(8)
	rc := sqlite3.Xsqlite3_open_v2(tls, name, out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	h := *(*uintptr)(cptr(out))
	if h != 0 {
		defer sqlite3.Xsqlite3_close_v2(tls, h)
	}
	if rc != sqlite3.SQLITE_OK {
		return fail(h, rc)
	}
	sqlite3.Xsqlite3_busy_timeout(tls, h, 10000)
	setup, err := libc.CString("PRAGMA query_only = 1")
	if err != nil {
		return err
	}
	defer libc.Xfree(tls, setup)
	if rc := sqlite3.Xsqlite3_exec(tls, h, setup, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return fail(h, rc)
	}

	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(tls, q)
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, h, q, -1, out, 0); rc != sqlite3.SQLITE_OK {
		return fail(h, rc)
	}
	stmt := *(*uintptr)(cptr(out))
	defer sqlite3.Xsqlite3_finalize(tls, stmt)

	// A cancelled ctx interrupts the statement from another goroutine (the
	// one call SQLite allows across threads), with a TLS of its own; the
	// connection is closed only once that call has returned.
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(interrupted)
		itls := libc.NewTLS()
		defer itls.Close()
		sqlite3.Xsqlite3_interrupt(itls, h)
	})
	defer func() {
		if !stop() {
			<-interrupted
		}
	}()
	r := sqliteRow{tls: tls, stmt: stmt}
	for {
		switch rc := sqlite3.Xsqlite3_step(tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
			if err := row(r); err != nil {
				return err
			}
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			if cerr := ctx.Err(); cerr != nil {
				return errors.Join(cerr, fail(h, rc))
			}
			return fail(h, rc)
		}
	}
}
