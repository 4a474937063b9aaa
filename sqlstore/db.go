// Package sqlstore implements the greyline services on embedded SQLite
// (modernc.org/sqlite) and on PostgreSQL (pgx). SQL is written once with "?"
// placeholders; the differences between the engines live in dialect.go.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
)

// Engine names a storage engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Options configure a DB. Zero values get sensible defaults.
type Options struct {
	// DSN is "" for SQLite in DataDir, "sqlite:PATH" for a SQLite file
	// elsewhere, or a postgres:// URL.
	DSN     string
	DataDir string

	Keys   *keys.Keys
	Hasher auth.Hasher
	Now    greyline.Clock

	SessionIdle      time.Duration // default 30 minutes
	SessionMax       time.Duration // default 12 hours
	LockoutThreshold int           // failed attempts before lockout; default 5
	LockoutDuration  time.Duration // default 15 minutes
	MaxReaders       int           // SQLite reader pool; default 2×CPUs, at least 4
	TOTPIssuer       string

	// Licensing settings; zero values take the defaults.
	Files     *filestore.Store // uploaded documents
	MaxUpload int64            // bytes; default 10 MB
	Fees      greyline.FeeSchedule
	Licences  greyline.LicenceSettings
	Calendar  *greyline.Calendar
	// OnLicencesChanged, if set, is called after a commit that changed a
	// business's licences or declarations, to keep in-memory indexes in step.
	OnLicencesChanged func(businessID int64)
	// OnComplaintsChanged, if set, is called after a commit that filed
	// complaints or changed which identifiers they link, to keep the
	// network engine in step.
	OnComplaintsChanged func(complaintIDs []int64)
	// Clearance names, for each application kind, the organisations (by
	// code) that must all clear it; default PTA, NCCIA and SA for every kind.
	Clearance map[greyline.ApplicationKind][]string
	// Circles route complaints by the complainant's city; default
	// greyline.DefaultCircles().
	Circles *greyline.CircleTable
	// Platforms take takedown requests, each with its deadline; default
	// greyline.DefaultPlatforms().
	Platforms *greyline.PlatformTable
}

func (db *DB) circles() *greyline.CircleTable {
	if db.opt.Circles == nil {
		return defaultCircles
	}
	return db.opt.Circles
}

var defaultCircles = greyline.DefaultCircles()

func (db *DB) maxUpload() int64 {
	if db.opt.MaxUpload > 0 {
		return db.opt.MaxUpload
	}
	return 10 << 20
}

func (db *DB) fees() greyline.FeeSchedule {
	if db.opt.Fees == (greyline.FeeSchedule{}) {
		return greyline.DefaultFees
	}
	return db.opt.Fees
}

func (db *DB) lic() greyline.LicenceSettings {
	l := db.opt.Licences
	d := greyline.DefaultLicenceSettings
	if l.ProvisionalDays <= 0 {
		l.ProvisionalDays = d.ProvisionalDays
	}
	if l.ValidityDays <= 0 {
		l.ValidityDays = d.ValidityDays
	}
	if l.RenewalOpenDays <= 0 {
		l.RenewalOpenDays = d.RenewalOpenDays
	}
	if l.ClearanceDays <= 0 {
		l.ClearanceDays = d.ClearanceDays
	}
	return l
}

func (db *DB) calendar() greyline.Calendar {
	if db.opt.Calendar == nil {
		return greyline.DefaultCalendar()
	}
	return *db.opt.Calendar
}

// DefaultClearance is the default policy: every kind of application needs
// PTA, NCCIA and the Security Agency.
var DefaultClearance = []string{"PTA", "NCCIA", "SA"}

func (db *DB) policy(k greyline.ApplicationKind) []string {
	if p, ok := db.opt.Clearance[k]; ok && len(p) > 0 {
		return p
	}
	return DefaultClearance
}

// DB is an open database. It implements greyline.OrgService, UserService,
// AuthService and AuditService.
type DB struct {
	engine Engine
	w      *sql.DB // writes; a single connection on SQLite
	r      *sql.DB // reads; the same pool as w on PostgreSQL
	opt    Options
	now    greyline.Clock
	path   string // SQLite file, for messages
	// gate queues the transactions on w in arrival order (SQLite's one
	// writer, PostgreSQL's whole pool): database/sql hands a freed
	// connection to a random waiter, which under load left some requests
	// waiting many times longer than the rest. SQLite's readers do not
	// queue.
	gate chan struct{}
	// wStmts and rStmts keep SQLite's statements prepared, by pool.
	wStmts, rStmts *stmtCache
}

var (
	_ greyline.OrgService         = (*DB)(nil)
	_ greyline.UserService        = (*DB)(nil)
	_ greyline.AuthService        = (*DB)(nil)
	_ greyline.AuditService       = (*DB)(nil)
	_ greyline.BusinessService    = (*DB)(nil)
	_ greyline.ApplicationService = (*DB)(nil)
	_ greyline.ClearanceService   = (*DB)(nil)
	_ greyline.LicenceService     = (*DB)(nil)
)

// Open connects to the database. It does not migrate; see Migrate and CheckSchema.
func Open(ctx context.Context, opt Options) (*DB, error) {
	if opt.Keys == nil {
		return nil, errors.New("sqlstore: Options.Keys is required")
	}
	if opt.Hasher == (auth.Hasher{}) {
		opt.Hasher = auth.DefaultHasher
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.SessionIdle == 0 {
		opt.SessionIdle = 30 * time.Minute
	}
	if opt.SessionMax == 0 {
		opt.SessionMax = 12 * time.Hour
	}
	if opt.LockoutThreshold == 0 {
		opt.LockoutThreshold = 5
	}
	if opt.LockoutDuration == 0 {
		opt.LockoutDuration = 15 * time.Minute
	}
	if opt.MaxReaders == 0 {
		opt.MaxReaders = max(4, 2*runtime.NumCPU())
	}
	if opt.TOTPIssuer == "" {
		opt.TOTPIssuer = "greyline"
	}
	db := &DB{opt: opt, now: func() time.Time { return opt.Now().UTC() }}
	var err error
	switch {
	case strings.HasPrefix(opt.DSN, "postgres://"), strings.HasPrefix(opt.DSN, "postgresql://"):
		err = db.openPostgres(opt.DSN)
	case opt.DSN == "" || strings.HasPrefix(opt.DSN, "sqlite:"):
		path := strings.TrimPrefix(opt.DSN, "sqlite:")
		if path == "" {
			if opt.DataDir == "" {
				return nil, errors.New("sqlstore: DataDir is required for the default SQLite database")
			}
			path = filepath.Join(opt.DataDir, "greyline.db")
		}
		err = db.openSQLite(path)
	default:
		return nil, fmt.Errorf("unsupported database %q: use postgres://… or sqlite:PATH", redactDSN(opt.DSN))
	}
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.w.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.engine, err)
	}
	// An import that died while its indexes were dropped (see
	// ImportWriter.DeferIndexes) leaves them to be built here: one query
	// when they exist.
	if err := db.restoreImportIndexes(ctx, false); err != nil {
		db.Close()
		return nil, fmt.Errorf("building the indexes an interrupted import dropped: %w", err)
	}
	return db, nil
}

func (db *DB) openSQLite(path string) error {
	db.engine, db.path = SQLite, path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// WAL lets readers proceed while the single writer commits; the busy
	// timeout covers other processes (the CLI) writing at the same time.
	// A new database gets 8 KiB pages: its big indexes are written at random
	// keys (keyed hashes, identifier keys), so a transaction dirties most of
	// their leaves whatever the page size, and larger pages mean half the
	// pages to find, write and checkpoint (a bulk import's writer spends 15%
	// less). page_size must come before the switch to WAL, which fixes it:
	// the driver runs _journal_mode after the _pragma list (which it sorts).
	pragmas := "_pragma=page_size(8192)&_journal_mode=WAL&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db.gate = make(chan struct{}, 1)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return err
	}
	r.SetMaxOpenConns(db.opt.MaxReaders)
	r.SetMaxIdleConns(db.opt.MaxReaders)
	db.w, db.r = w, r
	db.wStmts, db.rStmts = newStmtCache(w), newStmtCache(r)
	return nil
}

func (db *DB) openPostgres(dsn string) error {
	db.engine = Postgres
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	conns := max(10, 4*runtime.NumCPU())
	p.SetMaxOpenConns(conns)
	p.SetMaxIdleConns(conns)
	// Two connections stay outside the queue, for the change-log follower
	// and the sessions that hold advisory locks (Exclusive).
	db.gate = make(chan struct{}, conns-2)
	p.SetConnMaxIdleTime(5 * time.Minute)
	db.w, db.r = p, p
	return nil
}

// Engine reports which engine is in use.
func (db *DB) Engine() Engine { return db.engine }

// Pools returns the connection pools, for metrics. On PostgreSQL both are the same pool.
func (db *DB) Pools() (writer, reader *sql.DB) { return db.w, db.r }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Close closes all connections.
func (db *DB) Close() error {
	db.wStmts.close()
	db.rStmts.close()
	var err error
	if db.r != nil && db.r != db.w {
		err = db.r.Close()
	}
	if db.w != nil {
		err = errors.Join(err, db.w.Close())
	}
	return err
}

// redactDSN hides a password in a connection string so that it can be shown.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			cred := rest[:at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return dsn[:i+3] + cred[:c] + ":xxxxx" + rest[at:]
			}
		}
	}
	return dsn
}

// tx is one transaction. Its methods rebind placeholders and translate
// driver errors, so service code never sees engine details.
type tx struct {
	tx  *sql.Tx
	db  *DB
	ctx context.Context
	// stmts holds the pool's prepared statements (SQLite; nil otherwise).
	stmts *stmtCache
	// afterCommit lists businesses whose licences changed, for OnChange.
	afterCommit []int64
	// complaintsChanged lists complaints written, for OnComplaintsChanged.
	complaintsChanged []int64
	// changes are other change-log entries (decisions, identifiers).
	changes []greyline.Change
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	q = t.db.rebind(q)
	var res sql.Result
	var err error
	if s := t.stmts.get(q); s != nil {
		res, err = t.tx.StmtContext(t.ctx, s).ExecContext(t.ctx, args...)
	} else {
		res, err = t.tx.ExecContext(t.ctx, q, args...)
	}
	return res, t.db.translate(err)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(t.ctx, t.db.rebind(q), args...)
	return rows, t.db.translate(err)
}

func (t *tx) queryRow(q string, args ...any) *row {
	q = t.db.rebind(q)
	if s := t.stmts.get(q); s != nil {
		return &row{r: t.tx.StmtContext(t.ctx, s).QueryRowContext(t.ctx, args...), db: t.db}
	}
	return &row{r: t.tx.QueryRowContext(t.ctx, q, args...), db: t.db}
}

type row struct {
	r  *sql.Row
	db *DB
}

func (r *row) Scan(dest ...any) error { return r.db.translate(r.r.Scan(dest...)) }

// maxAttempts bounds retries of a transaction that lost a serialization race.
const maxAttempts = 5

// write runs fn in one read-write transaction, retrying it when the engine
// reports a serialization failure or a busy database.
func (db *DB) write(ctx context.Context, fn func(*tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = db.runTx(ctx, db.w, false, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return greyline.Internal(fmt.Errorf("transaction kept conflicting: %w", err))
}

// read runs fn in a read-only transaction on the reader pool, giving it a
// consistent snapshot.
func (db *DB) read(ctx context.Context, fn func(*tx) error) error {
	return db.runTx(ctx, db.r, true, fn)
}

func (db *DB) runTx(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*tx) error) (err error) {
	var opts *sql.TxOptions
	if readOnly && db.engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	release := func() {}
	if gate := db.gate; gate != nil && pool == db.w {
		// Blocked senders on a channel are served first come, first served.
		select {
		case gate <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		var once sync.Once
		release = func() { once.Do(func() { <-gate }) }
		defer release()
	}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return db.translate(err)
	}
	t := &tx{tx: stx, db: db, ctx: ctx, stmts: db.rStmts}
	if pool == db.w {
		t.stmts = db.wStmts
	}
	defer t.stmts.prepareWanted()
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			release()
			panic(p)
		}
		if err != nil {
			stx.Rollback()
			return
		}
		err = db.translate(stx.Commit())
		release() // the hooks below may write
		if err != nil {
			return
		}
		if db.opt.OnLicencesChanged != nil {
			for _, id := range t.afterCommit {
				db.opt.OnLicencesChanged(id)
			}
		}
		if db.opt.OnComplaintsChanged != nil && len(t.complaintsChanged) > 0 {
			db.opt.OnComplaintsChanged(t.complaintsChanged)
		}
	}()
	if err = fn(t); err == nil && !readOnly {
		err = t.writeChangeLog()
	}
	return err
}

// notFound converts sql.ErrNoRows into a user-facing not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return greyline.Errorf(greyline.ENOTFOUND, "%s not found.", what)
	}
	return err
}
