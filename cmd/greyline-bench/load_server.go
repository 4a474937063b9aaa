package main

// The database and the server of the load test, wired as
// cmd/greyline/serve.go wires them.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/server"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/watch"
)

// loadRaisedRate replaces the per-IP limits on sign-ins, public lookups and
// the public form for the run: every client comes from 127.0.0.1.
const loadRaisedRate = 1 << 30

// loadEnv is the database, its keys and the server's log of one run.
type loadEnv struct {
	dir     string
	db      *sqlstore.DB
	keys    *keys.Keys
	signing *keys.Keyring
	log     *logScanner
	srv     *server.Server // set by start; the commit hooks reach it
}

func openLoadEnv(ctx context.Context, dir, dsn string) (*loadEnv, error) {
	k, err := keys.New(bytes.Repeat([]byte{7}, keys.MasterSize))
	if err != nil {
		return nil, err
	}
	files, err := filestore.New(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cal := greyline.DefaultCalendar()
	env := &loadEnv{dir: dir, keys: k, log: &logScanner{file: logFile}}
	// As serve.go: the defaults of every licensing setting, and the commit
	// hooks that keep the server's indexes in step (nil until it starts,
	// as in serve.go, so the set-up's writes are read at start instead).
	env.db, err = sqlstore.Open(ctx, sqlstore.Options{DSN: dsn, DataDir: dir, Keys: k, Files: files, Calendar: &cal,
		OnLicencesChanged: func(id int64) {
			if env.srv != nil {
				env.srv.LicencesChanged(id)
			}
		},
		OnComplaintsChanged: func(ids []int64) {
			if env.srv != nil {
				env.srv.ComplaintsChanged(ids)
			}
		}})
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if _, err := env.db.Migrate(ctx); err != nil {
		env.close()
		return nil, err
	}
	if err := env.db.CheckSchema(ctx); err != nil {
		env.close()
		return nil, err
	}
	if err := env.db.Seed(ctx); err != nil {
		env.close()
		return nil, err
	}
	if env.signing, err = keys.LoadOrCreateKeyring(filepath.Join(dir, "signing-keys"), time.Now()); err != nil {
		env.close()
		return nil, err
	}
	return env, nil
}

func (e *loadEnv) close() {
	e.db.Close()
	e.log.file.Close()
}

// loadServer is the running server.
type loadServer struct {
	addr, base string
	cancel     context.CancelFunc
	done       chan error
	stopped    bool
	result     error
	closeFn    func()
	nets       *fraudnet.Service
}

// start builds the indexes and serves on 127.0.0.1:0, as "greyline serve"
// does after migrating: the change log's position, the network rebuild,
// the watch, server.New, the registry, following the change log, the
// maintenance jobs.
func (e *loadEnv) start(parent context.Context, networksNow bool) (*loadServer, error) {
	ctx, cancel := context.WithCancel(parent)
	cal := greyline.DefaultCalendar()
	log := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db := e.db
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	w, r := db.Pools()
	pools := map[string]*sql.DB{"writer": w}
	if r != w {
		pools["reader"] = r
	}
	seq, err := db.LatestChange(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	nets := fraudnet.New(db, fraudnet.Options{})
	st, err := nets.Rebuild(sys)
	if err != nil {
		cancel()
		return nil, err
	}
	log.Info("fraud networks built", "complaints", st.Complaints, "networks", st.Networks, "held", st.Held)
	watches := watch.New(db, log)
	if err := watches.Load(sys); err != nil {
		cancel()
		return nil, err
	}
	watches.Start()
	cfg := server.Config{Addr: "127.0.0.1:0", MaxBodyBytes: 1 << 20, MaxUploadBytes: 10 << 20, ShutdownTimeout: 15 * time.Second,
		LoginRate: loadRaisedRate, LookupRate: loadRaisedRate, ReportRate: loadRaisedRate, NetworksFromLog: !networksNow}
	srv, err := server.New(cfg, server.Deps{Takedowns: db, Watch: watches, Networks: nets, Changes: db, Enforcement: db, Reports: db, Users: db, Orgs: db, Auth: db, Audit: db, Health: db, Keys: e.keys, Logger: log, Pools: pools,
		Businesses: db, Applications: db, Clearance: db, Licences: db, Registry: db, Signing: e.signing, Complaints: db, Calendar: &cal, Circles: greyline.DefaultCircles()})
	if err != nil {
		watches.Close()
		cancel()
		return nil, err
	}
	if err := srv.RebuildRegistry(ctx); err != nil {
		watches.Close()
		cancel()
		return nil, err
	}
	e.srv = srv
	srv.FollowFrom(seq)
	var bg sync.WaitGroup
	bg.Add(3)
	go func() { defer bg.Done(); srv.Follow(ctx, 250*time.Millisecond) }()
	go func() { defer bg.Done(); loadMaintain(ctx, db, srv, log) }()
	go func() { defer bg.Done(); loadReloadWatch(ctx, watches, log) }()
	s := &loadServer{cancel: cancel, done: make(chan error, 1), nets: nets}
	addrc := make(chan string, 1)
	go func() { s.done <- srv.ListenAndServe(ctx, func(addr string) { addrc <- addr }) }()
	select {
	case s.addr = <-addrc:
	case err := <-s.done:
		cancel()
		bg.Wait()
		watches.Close()
		return nil, err
	}
	s.base = "http://" + s.addr
	s.closeFn = func() {
		bg.Wait()
		watches.Close()
		if err := nets.Close(context.Background()); err != nil {
			log.Error("saving changed tiers on shutdown", "err", err)
		}
	}
	return s, nil
}

// stop shuts the server down, draining requests in flight, and stops its
// background work.
func (s *loadServer) stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cancel()
	s.result = <-s.done
	s.closeFn()
}

func (s *loadServer) err() error { return s.result }

// loadMaintain is serve.go's maintain: licence expiry and pruning the
// change log under their advisory locks, and a registry rebuild, at start
// and every ten minutes.
func loadMaintain(ctx context.Context, db *sqlstore.DB, srv *server.Server, log *slog.Logger) {
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if _, err := db.Exclusive(sys, "licence-expiry", func(ctx context.Context) error {
			_, err := db.ExpireDue(ctx)
			return err
		}); err != nil && ctx.Err() == nil {
			log.Error("licence expiry failed", "err", err)
		}
		if _, err := db.Exclusive(sys, "change-log-prune", func(ctx context.Context) error {
			_, err := db.PruneChanges(ctx, time.Now().Add(-24*time.Hour))
			return err
		}); err != nil && ctx.Err() == nil {
			log.Error("pruning the change log failed", "err", err)
		}
		if err := srv.RebuildRegistry(ctx); err != nil && ctx.Err() == nil {
			log.Error("registry rebuild failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// loadReloadWatch is serve.go's reloadWatch: the takedowns, wallets and
// lending apps other servers changed, every minute.
func loadReloadWatch(ctx context.Context, w *watch.Service, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := w.Load(ctx); err != nil && ctx.Err() == nil {
			log.Error("reloading takedowns and the watchlist failed", "err", err)
		}
	}
}

// logScanner takes the server's slog output: it keeps it in a file and
// counts, as it goes, the records that say the database was locked and
// those logged at ERROR, with a few of each for the report.
type logScanner struct {
	mu      sync.Mutex
	file    *os.File
	lines   int
	locked  int
	errors  int
	samples []string
}

// lockedWords are how SQLite's "database is locked" shows in an error,
// whichever driver layer words it.
var lockedWords = []string{"database is locked", "SQLITE_BUSY", "database table is locked", "SQLITE_LOCKED"}

func (l *logScanner) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.file.Write(p)
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.lines++
		locked := false
		for _, w := range lockedWords {
			if strings.Contains(line, w) {
				locked = true
				break
			}
		}
		isErr := strings.Contains(line, "level=ERROR")
		if locked {
			l.locked++
		}
		if isErr {
			l.errors++
		}
		if (locked || isErr) && len(l.samples) < 5 {
			l.samples = append(l.samples, truncateLine(line, 400))
		}
	}
	return len(p), nil
}

func (l *logScanner) counts() (lines, locked, errors int, samples []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines, l.locked, l.errors, append([]string(nil), l.samples...)
}

func truncateLine(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
}
