package main

// The load test (issue #8, part 2):
//
//	go run ./cmd/greyline-bench load [--engine sqlite|postgres] [--dsn …] [--duration 60s] [--clients 200] [--seed N]
//
// It sets up a fresh database (SQLite in a temporary directory, or a new
// PostgreSQL schema dropped afterwards) with realistic data written through
// the services: the demo's organisations, accounts for every role, 2,000
// complaints forming fraud networks, Operation Grey and takedowns; more
// staff accounts; partner banks and telcos with API tokens; licensed
// businesses that declared numbers, ranges and domains; and submitted
// applications whose clearance tasks wait in PTA's, NCCIA's and the
// security agency's queues. It starts the real server, wired as
// "greyline serve" wires it, on 127.0.0.1:0, and drives it over loopback
// with N concurrent clients sending mixed traffic (loadMix) for the given
// time. It prints, per kind of request, the count, throughput, p50 and p99
// latency and the status codes, and then checks that there was no 5xx, no
// "database is locked" in the server's log, and no lost write: every
// complaint acknowledged with 201 is stored exactly once, and every
// decision acknowledged with 200 is recorded. It exits non-zero, naming
// the check, if one fails.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

const loadUsage = `Usage: greyline-bench load [options]

Sets up a fresh database with realistic data, starts the real server on
loopback and sends it mixed traffic from concurrent clients: public lookups,
partners' suspect lookups, complaints (API with Idempotency-Key, and the
public form), staff page views, sign-ins and clearance decisions. Prints
throughput and p50/p99 latency per kind of request, then checks for 5xx
answers, "database is locked" in the server's log and lost writes.

Options:
`

// loadConfig is one run of the load test.
type loadConfig struct {
	Engine   string // "sqlite" or "postgres"
	DSN      string // PostgreSQL server to create the run's schema on
	Duration time.Duration
	Clients  int
	Seed     uint64
	// Licensed is how many licensed businesses with declared numbers are
	// set up; Applications how many submitted applications wait for
	// decisions (0: enough for the run, from Clients and Duration).
	Licensed     int
	Applications int
	// NetworksNow applies each complaint to the networks before the
	// request answers, instead of through the change log as serve does.
	NetworksNow bool
	Keep        bool      // keep the temporary directory (and log)
	CPUProfile  string    // write a CPU profile of the traffic phase here
	Out         io.Writer // where the figures go
}

func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, loadUsage); fs.PrintDefaults() }
	cfg := loadConfig{Out: os.Stdout}
	fs.StringVar(&cfg.Engine, "engine", "sqlite", "database engine: sqlite (embedded, in a temporary directory) or postgres")
	fs.StringVar(&cfg.DSN, "dsn", "postgres://postgres@127.0.0.1:5432/postgres", "PostgreSQL `URL` on which a schema is created for the run and dropped afterwards (with --engine postgres)")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long the traffic lasts")
	fs.IntVar(&cfg.Clients, "clients", 200, "concurrent clients")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the data and of the clients' choices")
	fs.IntVar(&cfg.Licensed, "licensed", 200, "licensed businesses with declared numbers")
	fs.IntVar(&cfg.Applications, "applications", 0, "submitted applications waiting for decisions (0: enough for the run)")
	fs.BoolVar(&cfg.NetworksNow, "networks-now", false, "apply each new complaint to the networks before answering (serve leaves it to the change-log follower)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the temporary directory (database, server log) and print its name")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the traffic phase (server and clients) to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	res, err := loadRun(context.Background(), cfg)
	if err != nil {
		return err
	}
	if len(res.Failures) > 0 {
		return fmt.Errorf("load test failed: %s", strings.Join(res.Failures, "; "))
	}
	return nil
}

func (c *loadConfig) validate() error {
	var errs []error
	if c.Engine != "sqlite" && c.Engine != "postgres" {
		errs = append(errs, errors.New("--engine must be sqlite or postgres"))
	}
	if c.Engine == "postgres" && c.DSN == "" {
		errs = append(errs, errors.New("--dsn is required with --engine postgres"))
	}
	if c.Duration < time.Second {
		errs = append(errs, errors.New("--duration must be at least 1s"))
	}
	if c.Clients < 1 {
		errs = append(errs, errors.New("--clients must be at least 1"))
	}
	if c.Licensed < 1 || c.Licensed > 5000 {
		errs = append(errs, errors.New("--licensed must be between 1 and 5000"))
	}
	if c.Applications < 0 {
		errs = append(errs, errors.New("--applications must not be negative"))
	}
	return errors.Join(errs...)
}

// loadRunResult is what a run measured and found.
type loadRunResult struct {
	Kinds    []*kindStats // in the order of loadKinds, those with requests
	Elapsed  time.Duration
	Failures []string // the checks that failed, each with its reason
	Checked  loadChecked
}

// loadChecked counts what the checks after the run looked at.
type loadChecked struct {
	Complaints, PublicComplaints, Decisions, Licences int
	Locked, LogErrors                                 int
	AuditEvents                                       int64
}

func loadRun(ctx context.Context, cfg loadConfig) (*loadRunResult, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	out := cfg.Out
	dir, err := os.MkdirTemp("", "greyline-bench-load-")
	if err != nil {
		return nil, err
	}
	if cfg.Keep {
		fmt.Fprintf(out, "working directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	engine := "embedded SQLite"
	if cfg.Engine == "postgres" {
		engine = "PostgreSQL"
	}
	fmt.Fprintf(out, "greyline-bench load: %d clients for %s, %s, seed %d, %d CPUs (GOMAXPROCS %d), %s, load average %s\n",
		cfg.Clients, cfg.Duration, engine, cfg.Seed, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())

	base := ""
	if cfg.Engine == "postgres" {
		base = cfg.DSN
	}
	dsn, drop, err := freshDatabase(ctx, base, dir, "load")
	if err != nil {
		return nil, fmt.Errorf("fresh database: %w", err)
	}
	defer drop()

	env, err := openLoadEnv(ctx, dir, dsn)
	if err != nil {
		return nil, err
	}
	defer env.close()

	t0 := time.Now()
	fmt.Fprintf(out, "\nset-up (through the services, not measured):\n")
	fx, err := setUpLoad(ctx, env, cfg, out)
	if err != nil {
		return nil, fmt.Errorf("set-up: %w", err)
	}
	fmt.Fprintf(out, "  set-up took %s; load average %s\n", time.Since(t0).Round(time.Millisecond), loadAverage())

	srv, err := env.start(ctx, cfg.NetworksNow)
	if err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	if fx.networkIDs = networkIDs(srv.nets.Engine()); len(fx.networkIDs) == 0 {
		srv.stop()
		return nil, errors.New("the set-up built no fraud networks")
	}
	fmt.Fprintf(out, "\nserver: the real server (server.New, wired as \"greyline serve\": fraud networks, watch, change log), listening on %s\n", srv.addr)
	fmt.Fprintf(out, "  rate limits raised out of the way for the run, since every client comes from 127.0.0.1: server.Config LoginRate (sign-ins per IP, default 10 a minute), LookupRate (public lookups per IP, default 120) and ReportRate (public complaints per IP, default 5) set to 2^30 a minute (the per-account lockout counts failed sign-ins only, and none fail here)\n")

	tr, err := newTraffic(ctx, srv.base, fx, cfg)
	if err != nil {
		srv.stop()
		return nil, fmt.Errorf("signing the staff in: %w", err)
	}
	fmt.Fprintf(out, "  %d staff sessions opened by signing in over HTTP (not measured)\n", tr.sessionCount())

	fmt.Fprintf(out, "\ntraffic: %d clients for %s, each repeating one action at a time, drawn at random with these weights:\n", cfg.Clients, cfg.Duration)
	for _, a := range loadMix {
		fmt.Fprintf(out, "  %4.1f%%  %s\n", a.percent, a.what)
	}
	fmt.Fprintf(out, "  load average before: %s\n", loadAverage())
	stopProfile := startProfile(cfg.CPUProfile)
	elapsed := tr.run(cfg.Duration)
	stopProfile()
	loadAfter := loadAverage()
	srv.stop()
	if err := srv.err(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}

	res := &loadRunResult{Elapsed: elapsed, Kinds: tr.stats()}
	printLoad(out, res, cfg, loadAfter)

	fmt.Fprintf(out, "\nchecks:\n")
	res.Failures = checkLoad(ctx, env, tr, res, out)
	if len(res.Failures) == 0 {
		fmt.Fprintf(out, "  all checks passed\n")
	} else {
		for _, f := range res.Failures {
			fmt.Fprintf(out, "  FAILED: %s\n", f)
		}
	}
	return res, nil
}
