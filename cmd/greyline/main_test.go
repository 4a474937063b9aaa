package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/demo"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
	_ "modernc.org/sqlite" // the "sqlite" driver, to tamper with the file directly
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the program in-process against its own temporary data
// directory, which it passes as GREYLINE_DATA_DIR. The process environment
// is never consulted: env is the whole environment the program sees.
type cli struct {
	t       *testing.T
	dataDir string
	env     map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	return &cli{t: t, dataDir: dir, env: map[string]string{"GREYLINE_DATA_DIR": dir}}
}

// on returns c bound to t, for use inside a subtest.
func (c *cli) on(t *testing.T) *cli {
	cc := *c
	cc.t = t
	return &cc
}

// main returns a Main wired to buffers and to c's environment.
func (c *cli) main(stdin string, stdout, stderr io.Writer) *Main {
	env := maps(c.env)
	return &Main{
		Stdin:  strings.NewReader(stdin),
		Stdout: stdout,
		Stderr: stderr,
		Getenv: func(k string) string { return env[k] },
		Now:    time.Now,
		Hasher: sqlstoretest.FastHasher,
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// run executes `greyline args...` and returns the exit status and output.
func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	return c.runStdin("", args...)
}

func (c *cli) runStdin(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb syncBuffer
	code = c.main(stdin, &out, &errb).Run(ctx, args)
	return code, out.String(), errb.String()
}

// mustRun runs a command that must succeed and returns its stdout.
func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != ExitOK {
		c.t.Fatalf("greyline %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func (c *cli) mustRunStdin(stdin string, args ...string) string {
	c.t.Helper()
	code, out, errs := c.runStdin(stdin, args...)
	if code != ExitOK {
		c.t.Fatalf("greyline %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// wantExit checks a command's status and that its stderr mentions each of want.
func (c *cli) wantExit(wantCode int, want []string, args ...string) (stdout, stderr string) {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != wantCode {
		c.t.Errorf("greyline %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, out, errs)
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			c.t.Errorf("greyline %s: stderr does not mention %q:\n%s", strings.Join(args, " "), w, errs)
		}
	}
	return out, errs
}

// migrated returns a cli whose data directory holds a migrated database.
func migrated(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	c.mustRun("migrate")
	return c
}

// openStore opens the CLI's database through sqlstore with the same key
// file, for checks the command line cannot make.
func (c *cli) openStore() *sqlstore.DB {
	c.t.Helper()
	k, err := keys.LoadFile(filepath.Join(c.dataDir, "secret.key"))
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sqlstore.Open(ctx, sqlstore.Options{DSN: c.env["GREYLINE_DATABASE"], DataDir: c.dataDir, Keys: k, Hasher: sqlstoretest.FastHasher})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	return db
}

// rawSQLite opens the CLI's SQLite file directly, bypassing sqlstore.
func (c *cli) rawSQLite() *sql.DB {
	c.t.Helper()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(c.dataDir, "greyline.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		c.t.Fatal(err)
	}
	raw.SetMaxOpenConns(1) // one connection: "the same connection" throughout
	if err := raw.Ping(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { raw.Close() })
	return raw
}

func sysCtx() context.Context {
	return greyline.WithActor(context.Background(), greyline.Actor{System: true})
}

// --- 1. Help and usage -------------------------------------------------------

var storeOptions = []string{"data-dir", "database", "log-format", "log-level", "secret-key"}

func with(base []string, more ...string) []string {
	out := append(slices.Clone(base), more...)
	slices.Sort(out)
	return out
}

// helpOption matches one option in a help text: "  --name ARG", its usage
// line, then "[GREYLINE_NAME]".
var helpOption = regexp.MustCompile(`(?m)^  --([a-z0-9-]+)(?: [^\n]*)?\n      [^\n]*\n      \[([A-Z0-9_]+)\]$`)

// optionLine matches any line that starts an option, to catch one without its variable.
var optionLine = regexp.MustCompile(`(?m)^  --([a-z0-9-]+)`)

func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		usage   string
		options []string
	}{
		{[]string{"--help"}, "Usage: greyline <command> [options]", nil},
		{[]string{"-h"}, "Usage: greyline <command> [options]", nil},
		{[]string{"help"}, "Usage: greyline <command> [options]", nil},
		{[]string{"serve", "--help"}, "Usage: greyline serve [options]", with(storeOptions,
			"addr", "demo", "login-rate", "max-body", "no-migrate", "secure-cookies", "session-idle", "session-max",
			"shutdown-timeout", "tls-cert", "tls-key", "trust-proxy", "public-url",
			"circles", "clearance", "clearance-days", "fee-branch", "fee-main-office", "holidays", "licence-days", "max-upload",
			"provisional-days", "signing-keys", "platforms", "warninglist", "hold-complaints", "hold-victims", "retention-complainant")},
		{[]string{"demo", "--help"}, "Usage: greyline demo [options]", with(storeOptions,
			"circles", "clearance", "clearance-days", "fee-branch", "fee-main-office", "holidays", "licence-days", "max-upload",
			"provisional-days", "signing-keys", "platforms")},
		{[]string{"migrate", "--help"}, "Usage: greyline migrate [options]", with(storeOptions)},
		{[]string{"user", "--help"}, "Usage: greyline user <subcommand> [options]", nil},
		{[]string{"user", "create", "--help"}, "Usage: greyline user create --email EMAIL", with(storeOptions,
			"admin", "email", "name", "org", "password-stdin", "role")},
		{[]string{"user", "list", "--help"}, "Usage: greyline user list [--org CODE] [options]", with(storeOptions, "org")},
		{[]string{"user", "disable", "--help"}, "Usage: greyline user disable EMAIL [options]", with(storeOptions)},
		{[]string{"user", "enable", "--help"}, "Usage: greyline user enable EMAIL [options]", with(storeOptions)},
		{[]string{"user", "reset-password", "--help"}, "Usage: greyline user reset-password EMAIL [options]", with(storeOptions, "password-stdin")},
		{[]string{"user", "reset-2fa", "--help"}, "Usage: greyline user reset-2fa EMAIL [options]", with(storeOptions)},
		{[]string{"audit", "--help"}, "Usage: greyline audit verify [options]", nil},
		{[]string{"audit", "verify", "--help"}, "Usage: greyline audit verify [options]", with(storeOptions)},
		{[]string{"version", "--help"}, "Usage: greyline version", nil},
		{[]string{"licences", "--help"}, "Usage: greyline licences expire [options]", nil},
		{[]string{"networks", "--help"}, "Usage: greyline networks rebuild [options]", nil},
		{[]string{"report", "--help"}, "Usage: greyline report committee --from DATE --to DATE [--city C] [--province P] [--format F] [options]", nil},
		{[]string{"report", "committee", "--help"}, "Usage: greyline report committee --from DATE --to DATE [--city C] [--province P] [--format F] [options]", with(storeOptions, "from", "to", "city", "province", "format")},
		{[]string{"networks", "rebuild", "--help"}, "Usage: greyline networks rebuild [options]", with(storeOptions, "warninglist", "hold-complaints", "hold-victims")},
		{[]string{"export", "stix", "--help"}, "Usage: greyline export stix", with(storeOptions, "since", "tlp", "out")},
		{[]string{"certificate", "--help"}, "Usage: greyline certificate verify [--keys FILE] FILE-OR-TOKEN", nil},
		{[]string{"serve", "-h"}, "Usage: greyline serve [options]", with(storeOptions,
			"addr", "demo", "login-rate", "max-body", "no-migrate", "secure-cookies", "session-idle", "session-max",
			"shutdown-timeout", "tls-cert", "tls-key", "trust-proxy", "public-url",
			"circles", "clearance", "clearance-days", "fee-branch", "fee-main-office", "holidays", "licence-days", "max-upload",
			"provisional-days", "signing-keys", "platforms", "warninglist", "hold-complaints", "hold-victims", "retention-complainant")},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			code, out, errs := c.run(tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d, want 0\nstderr:\n%s", code, errs)
			}
			if !strings.Contains(out, tt.usage) {
				t.Errorf("stdout lacks the usage line %q:\n%s", tt.usage, out)
			}
			var got []string
			for _, m := range helpOption.FindAllStringSubmatch(out, -1) {
				got = append(got, m[1])
				if want := envName(m[1]); m[2] != want {
					t.Errorf("--%s is documented with [%s], want [%s]", m[1], m[2], want)
				}
				if !strings.HasPrefix(m[2], "GREYLINE_") {
					t.Errorf("--%s: variable %s lacks the GREYLINE_ prefix", m[1], m[2])
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.options, got); diff != "" {
				t.Errorf("options documented with their variable (-want +got):\n%s\n%s", diff, out)
			}
			var all []string
			for _, m := range optionLine.FindAllStringSubmatch(out, -1) {
				all = append(all, m[1])
			}
			slices.Sort(all)
			if diff := cmp.Diff(got, all); diff != "" {
				t.Errorf("some options are listed without their variable (-with +all):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(c.dataDir, "greyline.db")); err == nil {
				t.Errorf("--help created a database")
			}
		})
	}
	t.Run("main help lists every command", func(t *testing.T) {
		_, out, _ := newCLI(t).run("--help")
		for _, cmd := range commands() {
			if !regexp.MustCompile(`(?m)^  ` + cmd.name + ` +\S`).MatchString(out) {
				t.Errorf("main help does not list %q:\n%s", cmd.name, out)
			}
		}
		if !strings.Contains(out, "GREYLINE_DATA_DIR") {
			t.Errorf("main help does not explain the GREYLINE_ variables:\n%s", out)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate"`, "greyline --help"}},
		{"unknown flag", []string{"migrate", "--frobnicate"}, []string{"not defined: -frobnicate"}},
		{"stray argument", []string{"migrate", "extra"}, []string{"arguments", "extra"}},
		{"user without subcommand", []string{"user"}, []string{"a subcommand is required"}},
		{"unknown user subcommand", []string{"user", "frobnicate"}, []string{`unknown subcommand "frobnicate"`}},
		{"audit without verify", []string{"audit"}, []string{`"verify"`}},
		{"user disable without e-mail", []string{"user", "disable"}, []string{"EMAIL"}},
		{"user disable with two e-mails", []string{"user", "disable", "a@example.pk", "b@example.pk"}, []string{"EMAIL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			newCLI(t).wantExit(ExitInvalid, tt.want, tt.args...)
		})
	}
	t.Run("no arguments", func(t *testing.T) {
		t.Parallel()
		code, out, _ := newCLI(t).run()
		if code != ExitInvalid {
			t.Errorf("exit %d, want %d", code, ExitInvalid)
		}
		if !strings.Contains(out, "Usage: greyline <command>") {
			t.Errorf("no usage printed:\n%s", out)
		}
	})
}

// --- 2. migrate --------------------------------------------------------------

func TestMigrate(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out := c.mustRun("migrate")
	want := "applied 0001_identity.sql\napplied 0002_licensing.sql\napplied 0003_licence_resources.sql\napplied 0004_complaints.sql\napplied 0005_licence_numbers.sql\napplied 0006_complaint_documents.sql\napplied 0007_short_lookup_hashes.sql\napplied 0008_networks.sql\napplied 0009_change_log.sql\napplied 0010_enforcement.sql\napplied 0011_complaint_province.sql\napplied 0012_network_read_index.sql\napplied 0013_takedowns.sql\napplied 0014_complainant_retention.sql\napplied 0015_retention_files.sql\napplied 0016_removed_links.sql\napplied 0017_complaint_places.sql\nsqlite database is at schema version 17\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("first migrate (-want +got):\n%s", diff)
	}
	for _, f := range []string{"greyline.db", "secret.key"} {
		if _, err := os.Stat(filepath.Join(c.dataDir, f)); err != nil {
			t.Errorf("migrate did not create %s: %v", f, err)
		}
	}
	out = c.mustRun("migrate")
	if diff := cmp.Diff("sqlite database is at schema version 17\n", out); diff != "" {
		t.Errorf("second migrate must apply nothing (-want +got):\n%s", diff)
	}
	db := c.openStore()
	if err := db.CheckSchema(context.Background()); err != nil {
		t.Errorf("schema after migrate: %v", err)
	}
	orgs, err := db.ListOrgs(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != len(greyline.SeedOrgs) {
		t.Errorf("migrate seeded %d organisations, want %d", len(orgs), len(greyline.SeedOrgs))
	}
}

// --- 3. user -----------------------------------------------------------------

// listed parses `user list` output into rows of columns keyed by e-mail.
func listed(t *testing.T, out string) map[string][]string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("user list has no header:\n%s", out)
	}
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 7 {
			t.Fatalf("short user list row %q", l)
		}
		// ID EMAIL NAME… ORG ROLES 2FA STATUS: the name may have spaces.
		rows[f[1]] = []string{f[len(f)-4], f[len(f)-3], f[len(f)-2], f[len(f)-1]}
	}
	return rows
}

var generatedPassword = regexp.MustCompile(`(?m)^password: (\S+)\n\(shown once`)

func TestUserCreate(t *testing.T) {
	t.Parallel()
	c := migrated(t)

	out := c.mustRun("user", "create", "--email", "Admin@Example.PK", "--name", "Ayesha Admin", "--admin")
	if !strings.HasPrefix(out, "created user 1: admin@example.pk (admin) at PTA\n") {
		t.Errorf("create --admin printed:\n%s", out)
	}
	m := generatedPassword.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no generated password printed:\n%s", out)
	}
	if n := strings.Count(out, m[1]); n != 1 {
		t.Errorf("the generated password is printed %d times, want once", n)
	}
	adminPW := m[1]
	if err := greyline.CheckPassword(adminPW); err != nil {
		t.Errorf("generated password %q fails the password rules: %v", adminPW, err)
	}

	out = c.mustRunStdin("a long enough password\n", "user", "create", "--email", "ana@example.pk", "--name", "Ana Lyst",
		"--org", "NCCIA", "--role", "analyst, reviewer", "--password-stdin")
	if diff := cmp.Diff("created user 2: ana@example.pk (analyst,reviewer) at NCCIA\n", out); diff != "" {
		t.Errorf("create --password-stdin (-want +got):\n%s", diff)
	}

	got := listed(t, c.mustRun("user", "list"))
	want := map[string][]string{
		"admin@example.pk": {"PTA", "admin", "off", "active"},
		"ana@example.pk":   {"NCCIA", "analyst,reviewer", "off", "active"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user list (-want +got):\n%s", diff)
	}
	got = listed(t, c.mustRun("user", "list", "--org", "NCCIA"))
	delete(want, "admin@example.pk")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user list --org NCCIA (-want +got):\n%s", diff)
	}
	c.wantExit(ExitInvalid, []string{"--org", "NOPE"}, "user", "list", "--org", "NOPE")

	db := c.openStore()
	for email, pw := range map[string]string{"admin@example.pk": adminPW, "ana@example.pk": "a long enough password"} {
		if _, err := db.Authenticate(sysCtx(), email, pw); err != nil {
			t.Errorf("%s cannot sign in with the password the CLI set: %v", email, err)
		}
	}
	if _, err := db.Authenticate(sysCtx(), "ana@example.pk", "a long enough password\n"); err == nil {
		t.Errorf("--password-stdin kept the newline in the password")
	}

	t.Run("duplicate e-mail is a conflict", func(t *testing.T) {
		c := c.on(t)
		c.wantExit(ExitConflict, []string{"already"}, "user", "create", "--email", "ADMIN@example.pk", "--name", "Again", "--role", "helpline")
	})
}

func TestUserCreateInvalid(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  []string // in stderr
	}{
		{"bad e-mail", "", []string{"--email", "not-an-address", "--name", "X", "--role", "analyst"}, []string{"--email", "not a valid e-mail"}},
		{"missing e-mail", "", []string{"--name", "X", "--role", "analyst"}, []string{"--email", "required"}},
		{"missing name", "", []string{"--email", "x@example.pk", "--role", "analyst"}, []string{"--name", "required"}},
		{"unknown role", "", []string{"--email", "x@example.pk", "--name", "X", "--role", "analyst,wizard"}, []string{"--role", `"wizard"`}},
		{"no role", "", []string{"--email", "x@example.pk", "--name", "X"}, []string{"--role", "at least one role"}},
		{"unknown org", "", []string{"--email", "x@example.pk", "--name", "X", "--role", "analyst", "--org", "NOPE"}, []string{"--org", `"NOPE"`}},
		{"short password", "short\n", []string{"--email", "x@example.pk", "--name", "X", "--role", "analyst", "--password-stdin"}, []string{"password", "12"}},
		{"empty stdin", "", []string{"--email", "x@example.pk", "--name", "X", "--role", "analyst", "--password-stdin"}, []string{"--password-stdin"}},
		{"bad boolean", "", []string{"--email", "x@example.pk", "--name", "X", "--admin=maybe"}, []string{"-admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c.on(t)
			code, out, errs := c.runStdin(tt.stdin, append([]string{"user", "create"}, tt.args...)...)
			if code != ExitInvalid {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitInvalid, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, errs)
				}
			}
		})
	}
	if out := c.mustRun("user", "list"); strings.Count(out, "\n") != 1 {
		t.Errorf("invalid input created users:\n%s", out)
	}
}

// enrolTOTP turns on a second factor for email, through the store.
func enrolTOTP(t *testing.T, db *sqlstore.DB, email string) {
	t.Helper()
	ctx := sysCtx()
	u, err := db.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	en, err := db.BeginTOTPEnrolment(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, err := auth.TOTPCode(en.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmTOTPEnrolment(ctx, u.ID, code); err != nil {
		t.Fatal(err)
	}
}

func TestUserChange(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	const pw = "the first password"
	c.mustRunStdin(pw+"\n", "user", "create", "--email", "ina@example.pk", "--name", "Ina Spector", "--role", "inspector", "--password-stdin")
	c.mustRunStdin(pw+"\n", "user", "create", "--email", "bob@example.pk", "--name", "Bob", "--role", "helpline", "--password-stdin")
	db := c.openStore()
	status := func(t *testing.T, email string) []string {
		t.Helper()
		return listed(t, c.on(t).mustRun("user", "list"))[email]
	}
	signIn := func(email, password string) error {
		_, err := db.Authenticate(sysCtx(), email, password)
		return err
	}

	t.Run("disable", func(t *testing.T) {
		c := c.on(t)
		if diff := cmp.Diff("disable: done for ina@example.pk\n", c.mustRun("user", "disable", "INA@example.pk")); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"PTA", "inspector", "off", "disabled"}, status(t, "ina@example.pk")); diff != "" {
			t.Errorf("list after disable (-want +got):\n%s", diff)
		}
		if err := signIn("ina@example.pk", pw); greyline.ErrorCode(err) != greyline.EUNAUTHENTICATED || !strings.Contains(greyline.ErrorMessage(err), "disabled") {
			t.Errorf("disabled user signs in: %v", err)
		}
		if err := signIn("bob@example.pk", pw); err != nil {
			t.Errorf("disabling one user affected another: %v", err)
		}
	})
	t.Run("enable", func(t *testing.T) {
		c := c.on(t)
		c.mustRun("user", "enable", "ina@example.pk")
		if diff := cmp.Diff([]string{"PTA", "inspector", "off", "active"}, status(t, "ina@example.pk")); diff != "" {
			t.Errorf("list after enable (-want +got):\n%s", diff)
		}
		if err := signIn("ina@example.pk", pw); err != nil {
			t.Errorf("re-enabled user cannot sign in: %v", err)
		}
	})
	t.Run("reset-password generated", func(t *testing.T) {
		c := c.on(t)
		out := c.mustRun("user", "reset-password", "ina@example.pk")
		m := regexp.MustCompile(`(?m)^new password: (\S+)$`).FindStringSubmatch(out)
		if m == nil || !strings.HasSuffix(out, "reset-password: done for ina@example.pk\n") {
			t.Fatalf("reset-password printed:\n%s", out)
		}
		if err := signIn("ina@example.pk", m[1]); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		if err := signIn("ina@example.pk", pw); greyline.ErrorCode(err) != greyline.EUNAUTHENTICATED {
			t.Errorf("the old password still works: %v", err)
		}
	})
	t.Run("reset-password stdin", func(t *testing.T) {
		c := c.on(t)
		out := c.mustRunStdin("the second password\n", "user", "reset-password", "--password-stdin", "ina@example.pk")
		if diff := cmp.Diff("reset-password: done for ina@example.pk\n", out); diff != "" {
			t.Errorf("a password read from stdin must not be echoed (-want +got):\n%s", diff)
		}
		if err := signIn("ina@example.pk", "the second password"); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		c.wantExit(ExitInvalid, []string{"password"}, "user", "reset-password", "--password-stdin", "ina@example.pk") // empty stdin
		code, _, errs := c.runStdin("short\n", "user", "reset-password", "--password-stdin", "ina@example.pk")
		if code != ExitInvalid || !strings.Contains(errs, "password") {
			t.Errorf("short password: exit %d, stderr %q", code, errs)
		}
		if err := signIn("ina@example.pk", "the second password"); err != nil {
			t.Errorf("a refused reset changed the password: %v", err)
		}
	})
	t.Run("reset-2fa", func(t *testing.T) {
		c := c.on(t)
		enrolTOTP(t, db, "bob@example.pk")
		if got := status(t, "bob@example.pk"); got[2] != "on" {
			t.Fatalf("list does not show 2FA on after enrolment: %v", got)
		}
		c.mustRun("user", "reset-2fa", "bob@example.pk")
		if diff := cmp.Diff([]string{"PTA", "helpline", "off", "active"}, status(t, "bob@example.pk")); diff != "" {
			t.Errorf("list after reset-2fa (-want +got):\n%s", diff)
		}
		u, err := db.FindUserByEmail(sysCtx(), "bob@example.pk")
		if err != nil {
			t.Fatal(err)
		}
		if u.TOTPEnabled {
			t.Errorf("store still has 2FA enabled")
		}
		if _, err := db.BeginTOTPEnrolment(sysCtx(), u.ID); err != nil {
			t.Errorf("cannot enrol again after reset-2fa: %v", err)
		}
	})
	t.Run("unknown e-mail is not found", func(t *testing.T) {
		c := c.on(t)
		for _, sub := range []string{"disable", "enable", "reset-password", "reset-2fa"} {
			c.wantExit(ExitNotFound, []string{"not found"}, "user", sub, "nobody@example.pk")
		}
	})
	t.Run("audited", func(t *testing.T) {
		evs, err := db.ListAudit(sysCtx(), greyline.AuditFilter{RecordType: "user", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			seen[e.Action] = true
		}
		for _, a := range []string{"user.create", "user.disable", "user.enable", "user.reset_password", "user.reset_2fa"} {
			if !seen[a] {
				t.Errorf("no %s audit event", a)
			}
		}
	})
}

func TestCommandsRefuseUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"user", "list"},
		{"user", "disable", "x@example.pk"},
		{"audit", "verify"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			newCLI(t).wantExit(ExitConflict, []string{"greyline migrate"}, args...)
		})
	}
}

// --- 4. Configuration --------------------------------------------------------

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigRefused(t *testing.T) {
	t.Parallel()
	cert := writeFile(t, "cert.pem", "not checked until serving")
	validKey := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string // in stderr
	}{
		{"addr", nil, []string{"serve", "--addr", "nonsense"}, []string{"--addr"}},
		{"addr without port", nil, []string{"serve", "--addr", "127.0.0.1:"}, []string{"--addr"}},
		{"log-format", nil, []string{"serve", "--log-format", "xml"}, []string{"--log-format"}},
		{"log-format on migrate", nil, []string{"migrate", "--log-format", "xml"}, []string{"--log-format"}},
		{"log-level from env", map[string]string{"GREYLINE_LOG_LEVEL": "loud"}, []string{"serve"}, []string{"--log-level"}},
		{"log-level from env on user list", map[string]string{"GREYLINE_LOG_LEVEL": "loud"}, []string{"user", "list"}, []string{"--log-level"}},
		{"secret-key too short", nil, []string{"serve", "--secret-key", "abcd"}, []string{"--secret-key", "64"}},
		{"secret-key too long", nil, []string{"migrate", "--secret-key", validKey + "00"}, []string{"--secret-key", "64"}},
		{"secret-key not hex", nil, []string{"migrate", "--secret-key", strings.Repeat("zz", 32)}, []string{"--secret-key"}},
		{"secret-key from env", map[string]string{"GREYLINE_SECRET_KEY": "abcd"}, []string{"migrate"}, []string{"--secret-key"}},
		{"tls-cert without tls-key", nil, []string{"serve", "--tls-cert", cert}, []string{"--tls-cert", "--tls-key"}},
		{"tls-key without tls-cert", nil, []string{"serve", "--tls-key", cert}, []string{"--tls-cert", "--tls-key"}},
		{"tls files missing", nil, []string{"serve", "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"}, []string{"--tls-cert", "--tls-key", "cannot be read"}},
		{"database scheme", nil, []string{"migrate", "--database", "mysql://x"}, []string{"--database"}},
		{"max-body", nil, []string{"serve", "--max-body", "10"}, []string{"--max-body"}},
		{"max-body not a number", map[string]string{"GREYLINE_MAX_BODY": "lots"}, []string{"serve"}, []string{"GREYLINE_MAX_BODY"}},
		{"session-max below idle", nil, []string{"serve", "--session-idle", "1h", "--session-max", "30m"}, []string{"--session-max"}},
		{"empty data-dir", nil, []string{"migrate", "--data-dir", ""}, []string{"--data-dir"}},
		{"secret key and file", map[string]string{"GREYLINE_SECRET_KEY": validKey, "GREYLINE_SECRET_KEY_FILE": writeFile(t, "k", validKey)},
			[]string{"migrate"}, []string{"GREYLINE_SECRET_KEY", "GREYLINE_SECRET_KEY_FILE", "not both"}},
		{"secret key file missing", map[string]string{"GREYLINE_SECRET_KEY_FILE": "/nonexistent/secret"}, []string{"migrate"}, []string{"GREYLINE_SECRET_KEY_FILE"}},
		{"database and file", map[string]string{"GREYLINE_DATABASE": "sqlite:/tmp/x.db", "GREYLINE_DATABASE_FILE": writeFile(t, "d", "sqlite:/tmp/x.db")},
			[]string{"migrate"}, []string{"GREYLINE_DATABASE", "not both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			for k, v := range tt.env {
				c.env[k] = v
			}
			c.wantExit(ExitInvalid, tt.want, tt.args...)
			if _, err := os.Stat(filepath.Join(c.dataDir, "greyline.db")); err == nil {
				t.Errorf("an invalid configuration still opened the database")
			}
		})
	}
	t.Run("secret is not echoed", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		secret := "0123456789abcdefXYZ"
		c.env["GREYLINE_DATABASE_FILE"] = writeFile(t, "db", secret)
		c.env["GREYLINE_DATABASE"] = secret
		_, errs := c.wantExit(ExitInvalid, nil, "migrate")
		if strings.Contains(errs, secret) {
			t.Errorf("stderr shows the secret:\n%s", errs)
		}
	})
}

func TestConfigSecretKeyFile(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["GREYLINE_SECRET_KEY_FILE"] = writeFile(t, "master.key", hex.EncodeToString(keys.Generate())+"\n")
	c.mustRun("migrate")
	c.mustRun("user", "create", "--email", "k@example.pk", "--name", "K", "--role", "analyst")
	if _, err := os.Stat(filepath.Join(c.dataDir, "secret.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("with GREYLINE_SECRET_KEY_FILE, DATA-DIR/secret.key must not be created (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "greyline.db")); err != nil {
		t.Errorf("no database: %v", err)
	}
}

func TestConfigFlagsOverrideEnv(t *testing.T) {
	t.Parallel()
	t.Run("data-dir", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		other := t.TempDir()
		c.mustRun("migrate", "--data-dir", other)
		if _, err := os.Stat(filepath.Join(other, "greyline.db")); err != nil {
			t.Errorf("--data-dir was not used: %v", err)
		}
		if _, err := os.Stat(filepath.Join(c.dataDir, "greyline.db")); err == nil {
			t.Errorf("GREYLINE_DATA_DIR won over --data-dir")
		}
	})
	t.Run("invalid env value overridden by a valid flag", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		c.env["GREYLINE_LOG_FORMAT"] = "xml"
		c.env["GREYLINE_LOG_LEVEL"] = "loud"
		c.mustRun("migrate", "--log-format", "json", "--log-level", "debug")
	})
	t.Run("secret-key", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		c.env["GREYLINE_SECRET_KEY"] = "abcd" // invalid, but the flag wins
		c.mustRun("migrate", "--secret-key", hex.EncodeToString(keys.Generate()))
		if _, err := os.Stat(filepath.Join(c.dataDir, "secret.key")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--secret-key given, yet secret.key was created (stat: %v)", err)
		}
	})
	t.Run("env applies without a flag", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		c.env["GREYLINE_DATABASE"] = "sqlite:" + filepath.Join(t.TempDir(), "elsewhere.db")
		c.mustRun("migrate")
		if _, err := os.Stat(strings.TrimPrefix(c.env["GREYLINE_DATABASE"], "sqlite:")); err != nil {
			t.Errorf("GREYLINE_DATABASE was not used: %v", err)
		}
		if _, err := os.Stat(filepath.Join(c.dataDir, "greyline.db")); err == nil {
			t.Errorf("GREYLINE_DATABASE was ignored")
		}
	})
}

// --- 5. audit verify ---------------------------------------------------------

func TestAuditVerifyIntact(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	out := c.mustRun("audit", "verify")
	want := fmt.Sprintf("audit log intact: %d events checked\n", len(greyline.SeedOrgs))
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// auditFixture is a migrated SQLite database with several audit events.
func auditFixture(t *testing.T) (c *cli, raw *sql.DB, n int64) {
	t.Helper()
	c = migrated(t)
	for _, who := range []string{"one", "two", "three"} {
		c.mustRun("user", "create", "--email", who+"@example.pk", "--name", who, "--role", "analyst")
	}
	c.mustRun("user", "disable", "two@example.pk")
	raw = c.rawSQLite()
	if err := raw.QueryRow("SELECT COUNT(*) FROM audit_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("only %d audit events", n)
	}
	var maxID int64
	raw.QueryRow("SELECT MAX(id) FROM audit_events").Scan(&maxID)
	if maxID != n {
		t.Fatalf("audit ids are not contiguous: %d events, max id %d", n, maxID)
	}
	return c, raw, n
}

func dropSQLiteTriggers(t *testing.T, raw *sql.DB) {
	t.Helper()
	for _, trg := range []string{"audit_events_no_update", "audit_events_no_delete"} {
		if _, err := raw.Exec("DROP TRIGGER " + trg); err != nil {
			t.Fatalf("drop %s: %v", trg, err)
		}
	}
}

func tampered(n int64, problems ...string) string {
	s := fmt.Sprintf("AUDIT LOG TAMPERED: %d problem(s) in %d events\n", len(problems), n)
	for _, p := range problems {
		s += "  " + p + "\n"
	}
	return s
}

const (
	changedDetail  = "changed: stored hash does not match the event's content"
	deletedDetail  = "deleted: event is missing from the chain"
	relinkedDetail = "relinked: event does not chain to event %d: that event was altered and re-hashed, or this one was inserted"
)

// verifyBroken runs audit verify, which must find want.
func verifyBroken(t *testing.T, c *cli, want string) {
	t.Helper()
	code, out, errs := c.run("audit", "verify")
	t.Logf("greyline audit verify → exit %d\n%s", code, out)
	if code != ExitAuditBroken {
		t.Errorf("exit %d, want %d (ExitAuditBroken)\nstderr:\n%s", code, ExitAuditBroken, errs)
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("audit verify output (-want +got):\n%s", diff)
	}
}

func TestAuditTamperSQLite(t *testing.T) {
	t.Parallel()
	t.Run("triggers refuse changes", func(t *testing.T) {
		t.Parallel()
		c, raw, n := auditFixture(t)
		mid := n / 2
		if _, err := raw.Exec("UPDATE audit_events SET detail = 'nothing to see' WHERE id = ?", mid); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("UPDATE of an audit event with the trigger in place: err = %v, want append-only", err)
		}
		if _, err := raw.Exec("DELETE FROM audit_events WHERE id = ?", mid); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("DELETE of an audit event with the trigger in place: err = %v, want append-only", err)
		}
		if out := c.mustRun("audit", "verify"); out != fmt.Sprintf("audit log intact: %d events checked\n", n) {
			t.Errorf("after refused changes: %s", out)
		}
	})
	t.Run("changed", func(t *testing.T) {
		t.Parallel()
		c, raw, n := auditFixture(t)
		mid := n / 2
		dropSQLiteTriggers(t, raw)
		res, err := raw.Exec("UPDATE audit_events SET detail = 'nothing to see' WHERE id = ?", mid)
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			t.Fatalf("updated %d rows", k)
		}
		verifyBroken(t, c, tampered(n, fmt.Sprintf("event %d: %s", mid, changedDetail)))
	})
	t.Run("changed action", func(t *testing.T) {
		t.Parallel()
		c, raw, n := auditFixture(t)
		mid := n/2 + 1
		dropSQLiteTriggers(t, raw)
		if _, err := raw.Exec("UPDATE audit_events SET action = 'user.enable' WHERE id = ?", mid); err != nil {
			t.Fatal(err)
		}
		verifyBroken(t, c, tampered(n, fmt.Sprintf("event %d: %s", mid, changedDetail)))
	})
	t.Run("deleted", func(t *testing.T) {
		t.Parallel()
		c, raw, n := auditFixture(t)
		mid := n / 2
		dropSQLiteTriggers(t, raw)
		if _, err := raw.Exec("DELETE FROM audit_events WHERE id = ?", mid); err != nil {
			t.Fatal(err)
		}
		verifyBroken(t, c, tampered(n-1, fmt.Sprintf("event %d: %s", mid, deletedDetail)))
	})
	t.Run("deleted first", func(t *testing.T) {
		t.Parallel()
		c, raw, n := auditFixture(t)
		dropSQLiteTriggers(t, raw)
		if _, err := raw.Exec("DELETE FROM audit_events WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		verifyBroken(t, c, tampered(n-1, "event 1: "+deletedDetail))
	})
	t.Run("deleted last", func(t *testing.T) {
		t.Skip("deleting the newest event leaves a valid, shorter chain: a hash chain alone cannot detect it")
	})
	t.Run("rehashed", func(t *testing.T) {
		t.Parallel()
		c, raw, n := auditFixture(t)
		mid := n / 2
		dropSQLiteTriggers(t, raw)
		if _, err := raw.Exec("UPDATE audit_events SET detail = 'nothing to see' WHERE id = ?", mid); err != nil {
			t.Fatal(err)
		}
		var e greyline.AuditEvent
		err := raw.QueryRow("SELECT "+"id, at, user_id, org_id, token_id, ip, request_id, action, record_type, record_id, outcome, detail, prev_hash, hash"+
			" FROM audit_events WHERE id = ?", mid).Scan(&e.ID, &e.At, &e.UserID, &e.OrgID, &e.TokenID, &e.IP, &e.RequestID, &e.Action,
			&e.RecordType, &e.RecordID, &e.Outcome, &e.Detail, &e.PrevHash, &e.Hash)
		if err != nil {
			t.Fatal(err)
		}
		old, fresh := e.Hash, e.ComputeHash()
		if old == fresh {
			t.Fatal("the change did not alter the hash")
		}
		if _, err := raw.Exec("UPDATE audit_events SET hash = ? WHERE id = ?", fresh, mid); err != nil {
			t.Fatal(err)
		}
		verifyBroken(t, c, tampered(n, fmt.Sprintf("event %d: "+relinkedDetail, mid+1, mid)))
	})
}

func TestAuditTamperEngines(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			dsn := sqlstoretest.DSN(t, engine)
			c.mustRun("migrate", "--database", dsn)
			for _, who := range []string{"one", "two", "three"} {
				c.mustRun("user", "create", "--database", dsn, "--email", who+"@example.pk", "--name", who, "--role", "reviewer")
			}
			driver, rawDSN, disable := "pgx", dsn, "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"
			if engine == sqlstore.SQLite {
				driver, rawDSN, disable = "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:"), "DROP TRIGGER audit_events_no_update"
			}
			raw, err := sql.Open(driver, rawDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			raw.SetMaxOpenConns(1)
			var n int64
			if err := raw.QueryRow("SELECT COUNT(*) FROM audit_events").Scan(&n); err != nil {
				t.Fatal(err)
			}
			mid := n / 2
			if _, err := raw.Exec(fmt.Sprintf("UPDATE audit_events SET detail = 'nothing to see' WHERE id = %d", mid)); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("UPDATE with the trigger in place: err = %v, want append-only", err)
			}
			if _, err := raw.Exec(disable); err != nil {
				t.Fatalf("%s: %v", disable, err)
			}
			if _, err := raw.Exec(fmt.Sprintf("UPDATE audit_events SET detail = 'nothing to see' WHERE id = %d", mid)); err != nil {
				t.Fatal(err)
			}
			code, out, errs := c.run("audit", "verify", "--database", dsn)
			t.Logf("greyline audit verify → exit %d\n%s", code, out)
			if code != ExitAuditBroken {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, ExitAuditBroken, errs)
			}
			if diff := cmp.Diff(tampered(n, fmt.Sprintf("event %d: %s", mid, changedDetail)), out); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// --- 6. Schema guards ----------------------------------------------------------

func TestSchemaGuards(t *testing.T) {
	t.Parallel()
	t.Run("serve --no-migrate on an empty database", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		code, out, errs := c.run("serve", "--no-migrate", "--addr", "127.0.0.1:0")
		if code == ExitOK {
			t.Fatalf("serve ran on an unmigrated database\nstdout:\n%s", out)
		}
		if strings.Contains(out, "greyline is running") {
			t.Errorf("serve started listening:\n%s", out)
		}
		if !strings.Contains(errs, "greyline migrate") {
			t.Errorf("the refusal does not tell the operator to run `greyline migrate`:\n%s", errs)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		t.Parallel()
		c := migrated(t)
		raw := c.rawSQLite()
		if _, err := raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', CURRENT_TIMESTAMP)"); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		for _, args := range [][]string{
			{"serve", "--addr", "127.0.0.1:0"},
			{"serve", "--no-migrate", "--addr", "127.0.0.1:0"},
			{"migrate"},
			{"user", "list"},
			{"audit", "verify"},
		} {
			code, out, errs := c.run(args...)
			if code == ExitOK || strings.Contains(out, "greyline is running") {
				t.Errorf("greyline %s ran on a newer schema (exit %d)\nstdout:\n%s", strings.Join(args, " "), code, out)
			}
			if !strings.Contains(errs, "newer") {
				t.Errorf("greyline %s: the refusal does not say the schema is newer:\n%s", strings.Join(args, " "), errs)
			}
		}
	})
}

// --- 7. serve ----------------------------------------------------------------

// running is a `greyline serve` in a goroutine.
type running struct {
	base   string
	stdout *syncBuffer
	stop   func() int // cancels the context and returns the exit status
}

func (c *cli) serve(args ...string) *running {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	m := c.main("", &out, &errb)
	ready := make(chan string, 1)
	m.Ready = func(addr string) { ready <- addr }
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	stopped := false
	var status int
	stop := func() int {
		if !stopped {
			stopped = true
			cancel()
			select {
			case status = <-done:
			case <-time.After(30 * time.Second):
				c.t.Fatalf("serve did not return 30s after its context was cancelled")
			}
		}
		return status
	}
	c.t.Cleanup(func() { stop() })
	select {
	case addr := <-ready:
		return &running{base: "http://" + addr, stdout: &out, stop: stop}
	case code := <-done:
		stopped = true
		c.t.Fatalf("serve exited with %d before listening\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	case <-time.After(60 * time.Second):
		c.t.Fatalf("serve did not become ready\nstdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
	return nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	t.Parallel()
	t.Run("setup link", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		s := c.serve()
		out := s.stdout.String()
		if !strings.HasPrefix(out, "greyline is running at "+s.base+" (sqlite database)\n") {
			t.Errorf("stdout does not start with the URL %s:\n%s", s.base, out)
		}
		m := regexp.MustCompile(`(?m)^  (` + regexp.QuoteMeta(s.base) + `/setup/\S+)$`).FindStringSubmatch(out)
		if m == nil || !strings.Contains(out, "No users yet") {
			t.Fatalf("no one-time /setup/ link:\n%s", out)
		}
		if strings.Contains(out, "Demo accounts") {
			t.Errorf("demo accounts mentioned without --demo:\n%s", out)
		}
		for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
			if code, body := get(t, s.base+path); code != http.StatusOK || body != want {
				t.Errorf("GET %s: %d %q, want 200 %q", path, code, body, want)
			}
		}
		if code, _ := get(t, m[1]); code != http.StatusOK {
			t.Errorf("GET the setup link: %d, want 200", code)
		}
		if code, _ := get(t, s.base+"/setup/not-the-token"); code == http.StatusOK {
			t.Errorf("GET a wrong setup link: 200")
		}
		if code := s.stop(); code != ExitOK {
			t.Errorf("serve returned %d after cancellation, want 0", code)
		}
		if _, err := http.Get(s.base + "/healthz"); err == nil {
			t.Errorf("still serving after shutdown")
		}
		// The migration and seeding happened at start.
		c.mustRun("audit", "verify")
	})
	t.Run("no setup link once users exist", func(t *testing.T) {
		t.Parallel()
		c := migrated(t)
		c.mustRun("user", "create", "--email", "a@example.pk", "--name", "A", "--admin")
		s := c.serve("--no-migrate")
		out := s.stdout.String()
		if strings.Contains(out, "/setup/") || strings.Contains(out, "No users yet") {
			t.Errorf("setup link printed although users exist:\n%s", out)
		}
		if code := s.stop(); code != ExitOK {
			t.Errorf("serve returned %d, want 0", code)
		}
	})
	t.Run("demo", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		s := c.serve("--demo")
		out := s.stdout.String()
		want := fmt.Sprintf("greyline is running at %s (sqlite database)\nDemo accounts (password %q; two-step verification is off for the demo):\n", s.base, demo.Password)
		for _, a := range append(demo.Accounts, demo.Account{Email: "owner@indus.demo.greyline.pk", Org: "INDUS", Role: greyline.RoleApplicant}) {
			want += fmt.Sprintf("  %-34s %s, %s\n", a.Email, a.Role.Label(), a.Org)
		}
		want += "Press Ctrl+C to stop.\n"
		if diff := cmp.Diff(want, out); diff != "" {
			t.Errorf("serve --demo stdout (-want +got):\n%s", diff)
		}
		if code, _ := get(t, s.base+"/readyz"); code != http.StatusOK {
			t.Errorf("GET /readyz: %d", code)
		}
		if code := s.stop(); code != ExitOK {
			t.Errorf("serve returned %d, want 0", code)
		}
		db := c.openStore()
		if _, err := db.Authenticate(sysCtx(), demo.Accounts[0].Email, demo.Password); err != nil {
			t.Errorf("demo account cannot sign in: %v", err)
		}
		// The complaint queues have something in each.
		for _, st := range []greyline.ComplaintStatus{greyline.ComplaintReceived, greyline.ComplaintTriaged, greyline.ComplaintAssigned, greyline.ComplaintCaseRegistered} {
			if cs, err := db.ListComplaints(sysCtx(), greyline.ComplaintFilter{Status: st}); err != nil || len(cs) == 0 {
				t.Errorf("no demo complaint %s: %v", st, err)
			}
		}
		// A second start with --demo adds nothing and says why.
		s = c.serve("--demo")
		if out := s.stdout.String(); !strings.Contains(out, "Demo accounts were not added") || strings.Contains(out, "/setup/") {
			t.Errorf("second --demo start:\n%s", out)
		}
		if code := s.stop(); code != ExitOK {
			t.Errorf("serve returned %d, want 0", code)
		}
	})
	t.Run("address in use", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t)
		s := c.serve()
		addr := strings.TrimPrefix(s.base, "http://")
		other := newCLI(t)
		code, _, errs := other.run("serve", "--addr", addr)
		if code == ExitOK || !strings.Contains(errs, addr) {
			t.Errorf("second server on %s: exit %d, stderr:\n%s", addr, code, errs)
		}
		s.stop()
	})
	t.Run("drains requests in flight", func(t *testing.T) {
		t.Skip("needs a slow endpoint; covered by the lead")
	})
}

// --- 8. version --------------------------------------------------------------

func TestVersion(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out := c.mustRun("version")
	if !strings.HasPrefix(out, "greyline ") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("version printed %q", out)
	}
	c.wantExit(ExitInvalid, []string{"-frobnicate"}, "version", "--frobnicate")
	// Every other command refuses stray arguments (checkArgs); version
	// ignores them. Production bug, see the report: this subtest fails.
	t.Run("refuses stray arguments", func(t *testing.T) {
		c := c.on(t)
		c.wantExit(ExitInvalid, []string{"extra"}, "version", "extra")
	})
}

// --- 9. ExitCode ---------------------------------------------------------------

func TestExitCode(t *testing.T) {
	t.Parallel()
	if got := ExitCode(nil); got != ExitOK {
		t.Errorf("ExitCode(nil) = %d, want 0", got)
	}
	seen := map[int]greyline.Code{}
	for _, code := range greyline.Codes {
		for _, err := range []error{
			&greyline.Error{Code: code},
			fmt.Errorf("wrapped: %w", greyline.Errorf(code, "message")),
		} {
			got := ExitCode(err)
			if got == ExitOK || got == ExitAuditBroken {
				t.Errorf("ExitCode(%s) = %d, which is reserved", code, got)
			}
			if prev, ok := seen[got]; ok && prev != code {
				t.Errorf("ExitCode(%s) = %d, the same as for %s", code, got, prev)
			}
			seen[got] = code
		}
	}
	if len(seen) != len(greyline.Codes) {
		t.Errorf("%d codes map to %d exit statuses", len(greyline.Codes), len(seen))
	}
	want := map[greyline.Code]int{
		greyline.EINVALID: ExitInvalid, greyline.ENOTFOUND: ExitNotFound, greyline.ECONFLICT: ExitConflict,
		greyline.EFORBIDDEN: ExitForbidden, greyline.EUNAUTHENTICATED: ExitUnauthenticated,
		greyline.ERATELIMITED: ExitRateLimited, greyline.EINTERNAL: ExitInternal,
	}
	got := map[greyline.Code]int{}
	for _, code := range greyline.Codes {
		got[code] = ExitCode(&greyline.Error{Code: code})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExitCode (-want +got):\n%s", diff)
	}
	if got := ExitCode(errors.New("foreign")); got != ExitInternal {
		t.Errorf("ExitCode(foreign error) = %d, want %d", got, ExitInternal)
	}
}
