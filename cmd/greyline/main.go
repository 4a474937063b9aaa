// Command greyline runs the greyline server and its administration tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Exit codes: one per error code, so scripts can tell failures apart.
const (
	ExitOK              = 0
	ExitInternal        = 1
	ExitInvalid         = 2 // bad input or usage
	ExitNotFound        = 3
	ExitConflict        = 4
	ExitForbidden       = 5
	ExitUnauthenticated = 6
	ExitRateLimited     = 7
	ExitAuditBroken     = 8 // `audit verify` found tampering
)

// ExitCode maps an error to the process exit code. It is the only such mapping.
func ExitCode(err error) int {
	switch greyline.ErrorCode(err) {
	case "":
		return ExitOK
	case greyline.EINVALID:
		return ExitInvalid
	case greyline.ENOTFOUND:
		return ExitNotFound
	case greyline.ECONFLICT:
		return ExitConflict
	case greyline.EFORBIDDEN:
		return ExitForbidden
	case greyline.EUNAUTHENTICATED:
		return ExitUnauthenticated
	case greyline.ERATELIMITED:
		return ExitRateLimited
	}
	return ExitInternal
}

// Main is the program, with its environment injected so tests can run it.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            greyline.Clock
	// Hasher overrides the password hash cost (tests).
	Hasher auth.Hasher
	// Ready, if set, is called with the address once serve is listening.
	Ready func(addr string)
}

type command struct {
	name, synopsis, about string
	run                   func(m *Main, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "greyline serve [options]", "Run the web server and API. With no options it uses the embedded database in ./greyline-data/,\napplies pending migrations, and listens on http://127.0.0.1:8080.", (*Main).serve},
		{"demo", "greyline demo [options]", demoAbout, (*Main).demoCmd},
		{"migrate", "greyline migrate [options]", "Apply pending database migrations and print the schema version.", (*Main).migrate},
		{"user", "greyline user <create|list|disable|enable|reset-password|reset-2fa> [options]", "Manage user accounts from the command line.", (*Main).user},
		{"identifiers", "greyline identifiers <parse|extract> [options]", "Parse and normalise identifiers (phones, CNICs, IBANs, wallets, crypto addresses,\nlinks, …), or extract them from a message on standard input.", (*Main).identifiers},
		{"import", importSynopsis, importAbout, (*Main).importCmd},
		{"networks", "greyline networks rebuild [options]", "Rebuild the fraud networks and risk tiers from the database and print how long it took.", (*Main).networksCmd},
		{"export", "greyline export stix [--since CURSOR|DATE] [--tlp LEVEL] [--out FILE]", "Write the indicators shared with partners as a STIX 2.1 bundle (for MISP and OpenCTI).", (*Main).exportCmd},
		{"report", "greyline report committee --from DATE --to DATE [--city C] [--province P] [--format F] [options]", "Print the committee briefing on Operation Grey and licensing for a period (text, JSON, CSV or PDF).", (*Main).reportCmd},
		{"audit", "greyline audit verify [options]", "Check the audit log's hash chain. Reports each changed, deleted or inserted\nevent by id and exits with status 8 if any is found.", (*Main).audit},
		{"backup", backupSynopsis, backupAbout, (*Main).backupCmd},
		{"restore", restoreSynopsis, restoreAbout, (*Main).restoreCmd},
		{"licences", "greyline licences expire [options]", "Expire licences whose validity has ended (for cron; the server also does it).", (*Main).licencesCmd},
		{"certificate", "greyline certificate verify [--keys FILE] FILE-OR-TOKEN", "Check a licence certificate's signature offline.", (*Main).certificateCmd},
		{"retention", "greyline retention apply [--dry-run] [options]", "Pseudonymise complainants whose complaints are past the retention period (the server does it daily).", (*Main).retentionCmd},
		{"subject", "greyline subject export --cnic CNIC [options]", "Print as JSON everything greyline holds about the person with a CNIC (audited).", (*Main).subjectCmd},
		{"keys", "greyline keys <rotate|new|status> [options]", "Rotate the master keys that seal personal data, with no downtime.", (*Main).keysCmd},
		{"version", "greyline version", "Print the version and build information.", (*Main).version},
	}
}

const mainHelp = `greyline — licensing registry, complaints, fraud networks and enforcement for
Pakistan's call centres and software houses.

Usage: greyline <command> [options]

Commands:
%s
Run "greyline <command> --help" for a command's options. Every option can also
be set with an environment variable GREYLINE_<OPTION>, e.g. --data-dir is
GREYLINE_DATA_DIR. Secrets (--database, --secret-key) may instead be read from
a file named by GREYLINE_DATABASE_FILE or GREYLINE_SECRET_KEY_FILE.

Exit status: 0 ok, 1 internal error, 2 invalid input, 3 not found, 4 conflict,
5 forbidden, 6 unauthenticated, 7 rate limited, 8 audit chain broken.
`

// Run executes one command and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if m.Getenv == nil {
		m.Getenv = func(string) string { return "" }
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		var list string
		for _, c := range cmds {
			list += fmt.Sprintf("  %-8s %s\n", c.name, firstLine(c.about))
		}
		fmt.Fprintf(m.Stdout, mainHelp, list)
		if len(args) == 0 {
			return ExitInvalid
		}
		return ExitOK
	}
	for _, c := range cmds {
		if c.name == args[0] {
			err := c.run(m, ctx, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			if err != nil {
				if errors.Is(err, errAuditBroken) {
					return ExitAuditBroken
				}
				fmt.Fprintf(m.Stderr, "greyline %s: %s\n", c.name, describe(err))
				return ExitCode(err)
			}
			return ExitOK
		}
	}
	fmt.Fprintf(m.Stderr, "greyline: unknown command %q. Run \"greyline --help\" for the list.\n", args[0])
	return ExitInvalid
}

// describe renders an error for the terminal, listing invalid fields.
func describe(err error) string {
	var e *greyline.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	s := e.Message
	if e.Code == greyline.EINTERNAL && e.Err != nil {
		s = e.Err.Error() // the operator is the one to see internals
	}
	for _, f := range e.Fields {
		s += fmt.Sprintf("\n  %s: %s", f.Field, f.Reason)
	}
	return s
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

func (m *Main) version(ctx context.Context, args []string) error {
	fs := m.flags("version", args)
	if err := m.parse(fs, args, nil); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return greyline.Invalid("arguments", fmt.Sprintf("unexpected %q", fs.Args()))
	}
	v, rev, dirty := "devel", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " (modified)"
				}
			}
		}
	}
	fmt.Fprintf(m.Stdout, "greyline %s", v)
	if rev != "" {
		fmt.Fprintf(m.Stdout, " %s%s", rev, dirty)
	}
	fmt.Fprintf(m.Stdout, "\n")
	return nil
}

// only checks that a command with a single subcommand (or report, or
// format: what) was given it: help asked for goes to standard output as
// flag.ErrHelp, anything else is refused with the help on standard error.
func (m *Main) only(args []string, sub, what, help string) error {
	switch {
	case len(args) > 0 && args[0] == sub:
		return nil
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(m.Stdout, help)
		return flag.ErrHelp
	}
	fmt.Fprint(m.Stderr, help)
	return greyline.Errorf(greyline.EINVALID, "the only %s is %q", what, sub)
}

// flags returns a FlagSet for a command, printing help to stdout.
func (m *Main) flags(name string, args []string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	for _, c := range commands() {
		if c.name == name {
			fs.Usage = usageFunc(fs, c.synopsis, c.about)
		}
	}
	return fs
}

// parse applies the environment, then the arguments. Usage errors are EINVALID.
func (m *Main) parse(fs *flag.FlagSet, args []string, secrets map[string]bool) error {
	if err := applyEnv(fs, m.Getenv, secrets); err != nil {
		return greyline.Errorf(greyline.EINVALID, "%v", err)
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(m.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return greyline.Errorf(greyline.EINVALID, "%v", err)
	}
	return nil
}

// storeFlags are the options every database command takes.
type storeFlags struct {
	dataDir   string
	database  string
	secretKey string
	logFormat string
	logLevel  string
}

var secretFlags = map[string]bool{"database": true, "secret-key": true}

func (sf *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&sf.dataDir, "data-dir", "greyline-data", "`directory` for the embedded database, the key file and uploaded files")
	fs.StringVar(&sf.database, "database", "", "PostgreSQL `URL` (postgres://user:pass@host/db); empty uses embedded SQLite in the data directory")
	fs.StringVar(&sf.secretKey, "secret-key", "", "master secret as 64 hex digits, or a keyring (ID:HEX,ID:HEX); empty reads or creates DATA-DIR/secret.key")
	fs.StringVar(&sf.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&sf.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

func (sf *storeFlags) validate(v *greyline.Validation) {
	v.Check(sf.dataDir != "", "--data-dir", "must not be empty")
	v.Check(sf.logFormat == "text" || sf.logFormat == "json", "--log-format", "must be text or json")
	var l slog.Level
	v.Check(l.UnmarshalText([]byte(sf.logLevel)) == nil, "--log-level", "must be debug, info, warn or error")
	if sf.database != "" && !hasPrefix(sf.database, "postgres://", "postgresql://", "sqlite:") {
		v.Add("--database", "must be a postgres:// URL or sqlite:PATH")
	}
	if sf.secretKey != "" {
		if _, err := keys.ParseRing(sf.secretKey); err != nil {
			v.Add("--secret-key", err.Error())
		}
	}
}

func hasPrefix(s string, ps ...string) bool {
	for _, p := range ps {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}

func (sf *storeFlags) logger(w io.Writer) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(sf.logLevel))
	opts := &slog.HandlerOptions{Level: l}
	if sf.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// keys loads the keyring: from --secret-key when given (never reloaded),
// else from DATA-DIR/secret.key, created on first use.
func (sf *storeFlags) keys() (*keys.Keys, error) {
	var k *keys.Keys
	var err error
	if sf.secretKey != "" {
		var r keys.Ring
		if r, err = keys.ParseRing(sf.secretKey); err == nil {
			k, err = keys.FromRing(r)
		}
	} else {
		k, err = keys.LoadFile(sf.keyFile())
	}
	if err != nil {
		return nil, greyline.Errorf(greyline.EINVALID, "secret key: %v", err)
	}
	return k, nil
}

// keyFile is where the keyring lives when --secret-key is not given.
func (sf *storeFlags) keyFile() string { return filepath.Join(sf.dataDir, "secret.key") }

// open connects to the database named by the flags and loads the keys.
func (m *Main) open(ctx context.Context, sf *storeFlags) (*sqlstore.DB, *keys.Keys, error) {
	return m.openWith(ctx, sf, nil)
}

func (m *Main) openWith(ctx context.Context, sf *storeFlags, tune func(*sqlstore.Options)) (*sqlstore.DB, *keys.Keys, error) {
	k, err := sf.keys()
	if err != nil {
		return nil, nil, err
	}
	opt := sqlstore.Options{DSN: sf.database, DataDir: sf.dataDir, Keys: k, Hasher: m.Hasher, Now: m.Now}
	if tune != nil {
		tune(&opt)
	}
	db, err := sqlstore.Open(ctx, opt)
	if err != nil {
		return nil, nil, err
	}
	return db, k, nil
}

// openCurrent opens the database and refuses a schema that is not current.
func (m *Main) openCurrent(ctx context.Context, sf *storeFlags) (*sqlstore.DB, error) {
	db, _, err := m.open(ctx, sf)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	fs := m.flags("migrate", args)
	var sf storeFlags
	sf.register(fs)
	if err := m.parse(fs, args, secretFlags); err != nil {
		return err
	}
	if err := checkArgs(fs, &sf); err != nil {
		return err
	}
	db, _, err := m.open(ctx, &sf)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, a := range applied {
		fmt.Fprintf(m.Stdout, "applied %s\n", a)
	}
	if err := db.Seed(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s database is at schema version %d\n", db.Engine(), db.LatestVersion())
	return nil
}

// checkArgs validates the store flags and refuses stray arguments.
func checkArgs(fs *flag.FlagSet, sf *storeFlags) error {
	var v greyline.Validation
	sf.validate(&v)
	if fs.NArg() > 0 {
		v.Add("arguments", fmt.Sprintf("unexpected %q", fs.Args()))
	}
	return v.Err()
}
