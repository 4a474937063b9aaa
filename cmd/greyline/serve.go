package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/demo"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/server"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/watch"
)

func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve", args)
	var sf storeFlags
	sf.register(fs)
	var cfg server.Config
	var noMigrate, loadDemo bool
	var sessionIdle, sessionMax time.Duration
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	fs.BoolVar(&noMigrate, "no-migrate", false, "do not apply migrations at start; refuse to run on an older schema")
	fs.BoolVar(&loadDemo, "demo", false, "on an empty database, create demo accounts (one per role) and print how to sign in")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate `file` (PEM); serves HTTPS when set with --tls-key")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (automatic with TLS; set it behind an HTTPS proxy)")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "take the client IP from X-Forwarded-For (only behind your own proxy)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", 1<<20, "largest request body in `bytes`")
	fs.IntVar(&cfg.LoginRate, "login-rate", 10, "sign-in attempts allowed per client IP per minute")
	fs.DurationVar(&sessionIdle, "session-idle", 30*time.Minute, "sign out after this long without activity")
	fs.DurationVar(&sessionMax, "session-max", 12*time.Hour, "sign out this long after sign-in, however active")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to let requests in flight finish on SIGINT/SIGTERM")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "`URL` where the public reaches greyline; certificate QR codes point there (default http://ADDR)")
	var lf licensingFlags
	lf.register(fs)
	var nf networkFlags
	nf.register(fs)
	var rf retentionFlags
	rf.register(fs)
	if err := m.parse(fs, args, secretFlags); err != nil {
		return err
	}
	var v greyline.Validation
	sf.validate(&v)
	if _, port, err := net.SplitHostPort(cfg.Addr); err != nil || port == "" {
		v.Add("--addr", "must be host:port, e.g. 127.0.0.1:8080")
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		v.Add("--tls-cert", "and --tls-key must be given together")
	}
	for name, path := range map[string]string{"--tls-cert": cfg.TLSCert, "--tls-key": cfg.TLSKey} {
		if path != "" {
			if _, err := os.Stat(path); err != nil {
				v.Add(name, "cannot be read: "+err.Error())
			}
		}
	}
	v.Check(cfg.MaxBodyBytes >= 1024, "--max-body", "must be at least 1024")
	v.Check(cfg.LoginRate >= 1, "--login-rate", "must be at least 1")
	v.Check(sessionIdle >= time.Minute, "--session-idle", "must be at least 1m")
	v.Check(sessionMax >= sessionIdle, "--session-max", "must be at least --session-idle")
	v.Check(cfg.ShutdownTimeout > 0, "--shutdown-timeout", "must be positive")
	lf.validate(&v)
	nf.validate(&v)
	rf.validate(&v)
	if fs.NArg() > 0 {
		v.Add("arguments", fmt.Sprintf("unexpected %q", fs.Args()))
	}
	if err := v.Err(); err != nil {
		return err
	}
	cfg.MaxUploadBytes = lf.maxUpload
	// Networks follow new complaints through the change log (every
	// followEvery), so filing a complaint never waits on the engine.
	cfg.NetworksFromLog = true
	log := sf.logger(m.Stderr)

	var srv *server.Server
	db, k, err := m.openWith(ctx, &sf, func(o *sqlstore.Options) {
		o.SessionIdle, o.SessionMax = sessionIdle, sessionMax
		lf.apply(o)
		o.OnLicencesChanged = func(id int64) {
			if srv != nil {
				srv.LicencesChanged(id)
			}
		}
		o.OnComplaintsChanged = func(ids []int64) {
			if srv != nil {
				srv.ComplaintsChanged(ids)
			}
		}
	})
	if err != nil {
		return err
	}
	defer db.Close()
	signing, err := m.keyring(&sf, &lf)
	if err != nil {
		return err
	}
	if !noMigrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		for _, a := range applied {
			log.Info("applied migration", "name", a)
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if err := db.Seed(ctx); err != nil {
		return err
	}

	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	var demoAccts []demo.Account
	if loadDemo {
		demoAccts, err = demo.Load(sys, demo.Services{Orgs: db, Users: db, Businesses: db, Applications: db, Clearance: db, Licences: db, Complaints: db, Enforcement: db, Takedowns: db, Now: m.Now})
		if err != nil && !errors.Is(err, demo.ErrNotEmpty) {
			return err
		}
	}
	var setupPath string
	if n, err := db.CountUsers(ctx); err != nil {
		return err
	} else if n == 0 {
		tok, err := db.CreateSetupToken(sys)
		if err != nil {
			return err
		}
		setupPath = "/setup/" + tok
	}

	w, r := db.Pools()
	pools := map[string]*sql.DB{"writer": w}
	if r != w {
		pools["reader"] = r
	}
	// Where following the other servers' writes starts: read before the
	// indexes are built, so that nothing written meanwhile is missed.
	seq, err := db.LatestChange(ctx)
	if err != nil {
		return err
	}
	nets := fraudnet.New(db, nf.options())
	st, err := nets.Rebuild(sys)
	if err != nil {
		return err
	}
	// Changed tiers wait up to a fraction of a second to be saved: save
	// them before the database closes (a crash instead loses nothing, the
	// next start saves what differs).
	defer func() {
		if err := nets.Close(context.Background()); err != nil {
			log.Error("saving changed tiers on shutdown", "err", err)
		}
	}()
	log.Info("fraud networks built", "complaints", st.Complaints, "networks", st.Networks, "held", st.Held, "took", round(st.Read+st.Build+st.Save))
	watches := watch.New(db, log)
	if err := watches.Load(sys); err != nil {
		return err
	}
	if len(demoAccts) > 0 {
		// The demo's last complaints came before the watch: check them now.
		recent, err := db.ListComplaints(sys, greyline.ComplaintFilter{Limit: 20, Newest: true})
		if err != nil {
			return err
		}
		ids := make([]int64, len(recent))
		for i, c := range recent {
			ids[i] = c.ID
		}
		if err := watches.CheckComplaints(sys, ids); err != nil {
			return err
		}
	}
	watches.Start()
	defer watches.Close()
	srv, err = server.New(cfg, server.Deps{Takedowns: db, Watch: watches, Networks: nets, Changes: db, Enforcement: db, Reports: db, Users: db, Orgs: db, Auth: db, Audit: db, Health: db, Keys: k, Logger: log, Now: m.Now, Pools: pools,
		Businesses: db, Applications: db, Clearance: db, Licences: db, Registry: db, Signing: signing, Complaints: db, Calendar: &lf.calendar, Circles: lf.circles,
		DataProtection: db})
	if err != nil {
		return err
	}
	if err := srv.RebuildRegistry(ctx); err != nil {
		return err
	}
	srv.FollowFrom(seq)
	go srv.Follow(ctx, followEvery)
	go maintain(ctx, db, srv, log, rf.period)
	go reloadWatch(ctx, watches, log)
	go watchKeys(ctx, k, log)
	log.Info("starting", "engine", db.Engine(), "addr", cfg.Addr)
	return srv.ListenAndServe(ctx, func(addr string) {
		base := baseURL(addr, cfg.TLSCert != "")
		fmt.Fprintf(m.Stdout, "greyline is running at %s (%s database)\n", base, db.Engine())
		if setupPath != "" {
			fmt.Fprintf(m.Stdout, "No users yet. Create the first administrator here (the link works once):\n  %s%s\n", base, setupPath)
		}
		if len(demoAccts) > 0 {
			fmt.Fprintf(m.Stdout, "Demo accounts (password %q; two-step verification is off for the demo):\n", demo.Password)
			for _, a := range demoAccts {
				fmt.Fprintf(m.Stdout, "  %-34s %s, %s\n", a.Email, a.Role.Label(), a.Org)
			}
		} else if loadDemo {
			fmt.Fprintf(m.Stdout, "Demo accounts were not added: the database already has users. Demo sign-ins use the password %q.\n", demo.Password)
		}
		fmt.Fprintf(m.Stdout, "Press Ctrl+C to stop.\n")
		if m.Ready != nil {
			m.Ready(addr)
		}
	})
}

func baseURL(addr string, tls bool) string {
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	} else if ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	return scheme + "://" + host + ":" + port
}

// maintain expires licences past their validity every ten minutes while the
// server runs (`greyline licences expire` does the same from cron), and
// rebuilds the lookup index, so that changes made by another process (the
// cron command, a second server on PostgreSQL) reach it within that time.
// followEvery is how often a server reads the change log: answers are never
// more than about this stale after another server's write.
const followEvery = 250 * time.Millisecond

// reloadWatch picks up the takedowns, wallets and lending apps other
// servers changed; the lists are short, so it reads them whole.
func reloadWatch(ctx context.Context, w *watch.Service, log *slog.Logger) {
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

func maintain(ctx context.Context, db *sqlstore.DB, srv *server.Server, log *slog.Logger, retention greyline.RetentionPeriod) {
	sys := greyline.WithActor(ctx, greyline.Actor{System: true})
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	var retained time.Time
	for {
		if time.Since(retained) >= 24*time.Hour {
			retained = time.Now()
			applyRetention(sys, db, log, retention)
		}
		// With several servers on one database, each job runs on one of them.
		if _, err := db.Exclusive(sys, "licence-expiry", func(ctx context.Context) error {
			n, err := db.ExpireDue(ctx)
			if n > 0 {
				log.Info("licences expired", "count", n)
			}
			return err
		}); err != nil {
			log.Error("licence expiry failed", "err", err)
		}
		if _, err := db.Exclusive(sys, "change-log-prune", func(ctx context.Context) error {
			_, err := db.PruneChanges(ctx, time.Now().Add(-24*time.Hour))
			return err
		}); err != nil {
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
