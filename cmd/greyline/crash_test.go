package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// The crash test builds the real binary, kills it with SIGKILL in the
// middle of a bulk import and of a burst of concurrent API writes, starts
// it again and proves that nothing acknowledged was lost and nothing was
// half-written. GREYLINE_CRASH_ROUNDS sets the rounds per engine and
// scenario (default 3), GREYLINE_CRASH_SEED replays the kill points of a
// run (each run logs its seed), GREYLINE_CRASH_IMPORT_ROWS the size of the
// import file.
const (
	crashRoundsEnv = "GREYLINE_CRASH_ROUNDS"
	crashSeedEnv   = "GREYLINE_CRASH_SEED"
	crashRowsEnv   = "GREYLINE_CRASH_IMPORT_ROWS"
)

// crashTally counts what the rounds of one engine verified.
type crashTally struct {
	importRounds, importCommitted, importRows        int
	apiRounds, complaints, documents, decisions      int
	inFlight, inFlightCommitted, applicationsChecked int
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped under -short: it builds greyline and kills it with SIGKILL mid-write (about a minute per engine)")
	}
	rounds := envInt(t, crashRoundsEnv, 3)
	seed := int64(envInt(t, crashSeedEnv, int(time.Now().UnixNano()%1e12)))
	t.Logf("%d rounds per engine and scenario; seed %d (%s=%d replays the kill points)", rounds, seed, crashSeedEnv, seed)
	bin := buildGreyline(t)
	for i, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			var tally crashTally
			rows := envInt(t, crashRowsEnv, map[sqlstore.Engine]int{sqlstore.SQLite: 52000, sqlstore.Postgres: 8000}[e])
			t.Run("import", func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(seed), uint64(2*i)))
				for r := range rounds {
					crashImport(t, bin, e, r, rows, rng, &tally)
				}
				if tally.importRounds == 0 {
					t.Errorf("no round killed the import before it finished: make the file larger (%s)", crashRowsEnv)
				}
			})
			t.Run("api", func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(seed), uint64(2*i+1)))
				for r := range rounds {
					crashAPI(t, bin, e, r, rng, &tally)
				}
			})
			t.Logf("%s: import: %d rounds killed mid-import, %d complaints committed before the kills, %d rows verified after the re-runs; "+
				"API: %d rounds, %d acknowledged complaints, %d documents and %d decisions verified present, %d writes in flight at the kills (%d had committed), %d applications checked consistent",
				e, tally.importRounds, tally.importCommitted, tally.importRows, tally.apiRounds, tally.complaints, tally.documents, tally.decisions,
				tally.inFlight, tally.inFlightCommitted, tally.applicationsChecked)
		})
	}
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// buildGreyline builds the command into a temporary directory.
func buildGreyline(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("crash test skipped: the go command is not on PATH to build greyline")
	}
	bin := filepath.Join(t.TempDir(), "greyline")
	start := time.Now()
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// proc is a running greyline process.
type proc struct {
	cmd       *exec.Cmd
	out, errb syncBuffer
	done      chan struct{}
	code      int
}

// binEnv is the environment of a greyline process: the test's, without
// any GREYLINE_ setting, plus the data directory and database.
func binEnv(dataDir, dsn string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	env = append(env, envPrefix+"DATA_DIR="+dataDir, envPrefix+"LOG_LEVEL=warn")
	if dsn != "" {
		env = append(env, envPrefix+"DATABASE="+dsn)
	}
	return env
}

func startProc(t *testing.T, env []string, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errb
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL: the process gets no chance to finish anything.
func (p *proc) kill() {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		p.kill()
		t.Fatalf("greyline %s did not finish within %s\nstdout:\n%s\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), d, p.out.String(), p.errb.String())
	}
	return 0
}

// mustBin runs greyline to the end and fails unless it exits 0.
func mustBin(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	p := startProc(t, env, bin, args...)
	if code := p.wait(t, 3*time.Minute); code != 0 {
		t.Fatalf("greyline %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, p.out.String(), p.errb.String())
	}
	return p.out.String()
}

// crashDB gives a round its own empty database: SQLite in the data
// directory, or a new PostgreSQL schema.
func crashDB(t *testing.T, e sqlstore.Engine) (dir, dsn string) {
	dir = t.TempDir()
	if e == sqlstore.Postgres {
		dsn = sqlstoretest.DSN(t, e)
	}
	return dir, dsn
}

// rawDB opens the round's database directly, for the checks.
func rawDB(t *testing.T, e sqlstore.Engine, dir, dsn string) *sql.DB {
	t.Helper()
	driver, src := "pgx", dsn
	if e == sqlstore.SQLite {
		driver, src = "sqlite", "file:"+filepath.Join(dir, "greyline.db")+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// laps times the steps of a round, for its log line.
type laps struct {
	at    time.Time
	parts []string
}

func (l *laps) lap(what string) {
	if !l.at.IsZero() {
		l.parts = append(l.parts, what+" "+time.Since(l.at).Round(time.Millisecond).String())
	}
	l.at = time.Now()
}

func (l *laps) String() string { return strings.Join(l.parts, ", ") }

// --- (a) a bulk import ----------------------------------------------------------

// writeCrashImport writes n rows, each with four identifiers: two in
// fields (one shared by every 40th row, so that identifiers' counts are
// raised across batches) and two in the narrative.
func writeCrashImport(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "external_ref,incident_at,category,contact_method,payment_method,loss_paisa,complainant_name,complainant_phone,complainant_city,narrative,identifiers")
	for i := range n {
		fmt.Fprintf(w, "IMP-%d,2026-01-05,phishing_otp,call,bank_transfer,%d,Imran %d,0300-%07d,Lahore,The caller on 0321-%07d sent http://crash-%d.pk and took the OTP.,0345-%07d;0311-00000%02d\n",
			i, 100*(i+1), i, i, i, i, i, i%40)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

var importSummary = regexp.MustCompile(`imported (\d+), skipped (\d+) \(already imported\), rejected (\d+)`)

// crashImport kills `greyline import` part-way, restarts greyline and
// checks what the import committed, then runs the import again.
func crashImport(t *testing.T, bin string, e sqlstore.Engine, round, rows int, rng *rand.Rand, tally *crashTally) {
	dir, dsn := crashDB(t, e)
	raw := rawDB(t, e, dir, dsn)
	// On PostgreSQL the greyline processes' sessions carry a name of the
	// round's own: a COMMIT the server had received when the client was
	// killed still completes, so what was committed is counted once they
	// have all ended.
	app := fmt.Sprintf("crash-import-%d-%d", round, rng.Int64())
	if e == sqlstore.Postgres {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("application_name", app)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	env := binEnv(dir, dsn)
	mustBin(t, env, bin, "migrate")
	file := filepath.Join(dir, "complaints.csv")
	writeCrashImport(t, file, rows)

	// Kill once some batches are committed, a random moment into the next;
	// on SQLite every third round as soon as the last row is committed,
	// while the dropped indexes are being built again.
	atEnd := e == sqlstore.SQLite && round%3 == 2
	target := 1 + rng.IntN(rows*3/4)
	pause := time.Duration(rng.IntN(300)) * time.Millisecond
	if e == sqlstore.Postgres { // it has no indexes to build at the end: keep clear of it
		target, pause = 1+rng.IntN(rows/2), pause/2
	}
	if atEnd {
		target, pause = rows, 0
	}
	// SQLite commits every 5,000 rows here (and drops three indexes for an
	// import of 50,000 or more); PostgreSQL every 1,000, being slower.
	batch := map[sqlstore.Engine]string{sqlstore.SQLite: "5000", sqlstore.Postgres: "1000"}[e]
	start := time.Now()
	p := startProc(t, env, bin, "import", "complaints", "--batch", batch, file)
	for !p.exited() && count(t, raw, "SELECT COUNT(*) FROM complaints") < target {
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-p.done:
	case <-time.After(pause):
	}
	if p.exited() {
		// Checked all the same, but not counted: TestCrash fails if no
		// round lands mid-import.
		t.Logf("round %d: the import finished (exit %d) before the kill at %d rows + %s; a larger file (%s) makes that rarer", round, p.code, target, pause, crashRowsEnv)
	} else {
		tally.importRounds++
	}
	p.kill()
	killedAt := time.Since(start)
	if e == sqlstore.Postgres {
		for deadline := time.Now().Add(30 * time.Second); count(t, raw, fmt.Sprintf("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '%s'", app)) > 0; {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the killed import's PostgreSQL sessions did not end", round)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	committed := count(t, raw, "SELECT COUNT(*) FROM complaints")
	dropped := ""
	if e == sqlstore.SQLite {
		n := count(t, raw, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('complaints_cnic', 'complaints_phone', 'complaint_identifiers_identifier')")
		dropped = fmt.Sprintf("; %d of the 3 indexes an import drops were missing", 3-n)
	}
	t.Logf("round %d: killed the import %s in, after %d of %d rows were committed (kill at %d rows + %s)%s", round, killedAt.Round(time.Millisecond), committed, rows, target, pause, dropped)
	tally.importCommitted += committed

	var laps laps
	laps.lap("")
	// Restart: opening the database recovers it (and builds any index the
	// import dropped); the audit chain verifies; what was committed is whole.
	mustBin(t, env, bin, "audit", "verify")
	laps.lap("audit verify")
	importExpect := func(ref string) (int, int, int, bool) { return 4, 0, 0, strings.HasPrefix(ref, "IMP-") }
	if n := checkComplete(t, raw, dir, importExpect); n != committed {
		t.Fatalf("%d complaints after the restart, %d before", n, committed)
	}
	checkSQLite(t, raw, e, atEnd)
	checkIdentifierCounts(t, raw, "after the restart")
	laps.lap("check")

	// The import again: it loads the rest, and nothing twice.
	out := mustBin(t, env, bin, "import", "complaints", "--batch", batch, file)
	laps.lap("rerun")
	m := importSummary.FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(rows-committed) || m[2] != strconv.Itoa(committed) || m[3] != "0" {
		t.Errorf("round %d: the re-run after %d committed of %d: %s", round, committed, rows, out)
	}
	if n := checkComplete(t, raw, dir, importExpect); n != rows {
		t.Errorf("round %d: %d complaints after the re-run, want %d", round, n, rows)
	}
	laps.lap("check")
	if dup := count(t, raw, "SELECT COUNT(*) FROM (SELECT external_ref FROM complaints GROUP BY source_org_id, external_ref HAVING COUNT(*) > 1) d"); dup != 0 {
		t.Errorf("round %d: %d external references imported twice", round, dup)
	}
	checkSQLite(t, raw, e, false)
	checkIdentifierCounts(t, raw, "after the re-run")
	mustBin(t, env, bin, "audit", "verify")
	tally.importRows += rows
	t.Logf("round %d: after the restart the %d committed complaints were whole; the re-run imported the other %d, nothing twice (%s in all: %s)", round, committed, rows-committed, time.Since(start).Round(time.Millisecond), &laps)
}

// checkIdentifierCounts checks that every identifier counts the links to
// it that are not removed: a large import on SQLite writes the counts of
// identifiers it met before at its end, and Open recounts them when it was
// killed first.
func checkIdentifierCounts(t *testing.T, raw *sql.DB, when string) {
	t.Helper()
	if n := count(t, raw, `SELECT COUNT(*) FROM identifiers i WHERE i.complaints <> (SELECT COUNT(*) FROM complaint_identifiers ci WHERE ci.identifier_id = i.id AND ci.status <> 'removed')`); n != 0 {
		t.Errorf("%s: %d identifiers count a wrong number of complaints", when, n)
	}
}

// checkSQLite checks that the indexes an import drops are there and that
// the file is sound: the quick check, or with full the complete one, which
// also compares every index with its table.
func checkSQLite(t *testing.T, raw *sql.DB, e sqlstore.Engine, full bool) {
	t.Helper()
	if e != sqlstore.SQLite {
		return
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('complaints_cnic', 'complaints_phone', 'complaint_identifiers_identifier')"); n != 3 {
		t.Errorf("%d of the 3 indexes an import drops are there", n)
	}
	check := "PRAGMA quick_check"
	if full {
		check = "PRAGMA integrity_check"
	}
	var ok string
	if err := raw.QueryRow(check).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("%s: %q %v", check, ok, err)
	}
}

// --- (b) concurrent API writes --------------------------------------------------

// apiFixture is what the burst needs: a partner's token, the agencies'
// reviewers' tokens, and the clearance tasks waiting for them.
type apiFixture struct {
	partner   string
	reviewers map[string]string // org code → token
	tasks     map[string][]taskRef
	apps      int
}

type taskRef struct {
	id      int64
	version int
}

// setupAPI creates, through the store, the accounts and submitted
// applications the burst works on, before the server starts.
func setupAPI(t *testing.T, dir, dsn string, apps int) *apiFixture {
	t.Helper()
	k, err := keys.LoadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filestore.New(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstore.Options{DSN: dsn, DataDir: dir, Keys: k, Hasher: sqlstoretest.FastHasher, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := sysCtx()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	user := func(orgID int64, email string, role greyline.Role) *greyline.User {
		u, err := db.CreateUser(sys, greyline.NewUser{OrgID: orgID, Email: email, Name: email, Roles: []greyline.Role{role}, Password: "a long crash-test password"})
		must(err)
		return u
	}
	token := func(u *greyline.User) string {
		s, _, err := db.CreateAPIToken(greyline.WithActor(ctx, greyline.Actor{UserID: u.ID, OrgID: u.OrgID}), u.ID, greyline.NewAPIToken{Name: "crash", Scopes: []string{"read", "write"}, ExpiresIn: 30})
		must(err)
		return s
	}
	fx := &apiFixture{reviewers: map[string]string{}, tasks: map[string][]taskRef{}, apps: apps}
	bank := &greyline.Org{Code: "BANKX", Name: "Bank X Limited", Kind: greyline.OrgBank}
	must(db.CreateOrg(sys, bank))
	fx.partner = token(user(bank.ID, "desk@bankx.pk", greyline.RolePartner))
	for _, code := range sqlstore.DefaultClearance {
		org, err := db.FindOrgByCode(sys, code)
		must(err)
		fx.reviewers[code] = token(user(org.ID, "reviewer@"+strings.ToLower(code)+".gov.pk", greyline.RoleReviewer))
	}
	for i := range apps {
		org := &greyline.Org{Code: fmt.Sprintf("CC%02d", i), Name: fmt.Sprintf("Crash Contact %02d", i), Kind: greyline.OrgBusiness}
		must(db.CreateOrg(sys, org))
		ap := user(org.ID, fmt.Sprintf("owner@cc%02d.pk", i), greyline.RoleApplicant)
		actx := greyline.WithActor(ctx, greyline.Actor{UserID: ap.ID, OrgID: ap.OrgID})
		biz := &greyline.Business{OrgID: org.ID, LegalName: org.Name, TradeName: org.Name + " Contact", Kind: greyline.CallCentre,
			LegalForm: greyline.SoleProprietor, NTN: fmt.Sprintf("%07d-0", 2000000+i), RegisteredAddress: "1 Blue Area, Islamabad"}
		must(db.CreateBusiness(actx, biz))
		person := &greyline.Person{BusinessID: biz.ID, Name: "Owner " + org.Code, Role: greyline.Proprietor, CNIC: fmt.Sprintf("35202-%07d-1", 3000000+i)}
		must(db.SavePerson(actx, person))
		must(db.SaveSite(actx, &greyline.Site{BusinessID: biz.ID, Address: "1 Blue Area", City: "Islamabad", Province: "Islamabad Capital Territory", Seats: 10, Staff: 10, MainOffice: true}))
		app, err := db.CreateApplication(actx, biz.ID, greyline.NewLicence, nil)
		must(err)
		for _, d := range []*greyline.Document{
			{ApplicationID: app.ID, Kind: greyline.DocCNIC, PersonID: person.ID, Filename: "cnic.pdf"},
			{ApplicationID: app.ID, Kind: greyline.DocNTN, Filename: "ntn.pdf"},
			{ApplicationID: app.ID, Kind: greyline.DocBankStatement, Filename: "bank.pdf"},
		} {
			must(db.AddDocument(actx, d, bytes.NewReader(fmt.Appendf(nil, "%%PDF-1.4\n%% %s %s\n%%%%EOF\n", org.Code, d.Kind))))
		}
		app, err = db.UpdatePayment(actx, app.ID, app.Version, "PSID-"+org.Code)
		must(err)
		_, err = db.Submit(actx, app.ID, app.Version)
		must(err)
		tasks, err := db.TasksOf(sys, app.ID)
		must(err)
		for _, tk := range tasks {
			fx.tasks[tk.OrgCode] = append(fx.tasks[tk.OrgCode], taskRef{tk.ID, tk.Version})
		}
	}
	return fx
}

var runningAt = regexp.MustCompile(`greyline is running at (http://\S+) `)

// startServer starts `greyline serve` and waits until it listens.
func startServer(t *testing.T, env []string, bin string) (*proc, string) {
	t.Helper()
	p := startProc(t, env, bin, "serve", "--addr", "127.0.0.1:0")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := runningAt.FindStringSubmatch(p.out.String()); m != nil {
			return p, m[1]
		}
		if p.exited() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("greyline serve did not start (exit %d)\nstdout:\n%s\nstderr:\n%s", p.code, p.out.String(), p.errb.String())
	return nil, ""
}

// apiClient sends JSON and uploads with a bearer token.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: base, http: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
}

// do sends a request; err is a transport error (the server is gone).
func (c *apiClient) do(method, path, token, contentType string, body []byte, headers ...string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err // cut off mid-answer: not acknowledged
	}
	return resp.StatusCode, b, nil
}

func (c *apiClient) postComplaint(token string, s *sentComplaint) (int, *greyline.Complaint, error) {
	code, b, err := c.do("POST", "/api/v1/complaints", token, "application/json", s.body, "Idempotency-Key", s.key)
	if err != nil {
		return 0, nil, err
	}
	var comp greyline.Complaint
	if code/100 == 2 {
		if err := json.Unmarshal(b, &comp); err != nil {
			return code, nil, fmt.Errorf("answer %s: %w", b, err)
		}
	}
	return code, &comp, nil
}

// sentComplaint is one complaint a partner sent, and what came back.
type sentComplaint struct {
	key, ref string
	body     []byte
	ackID    int64    // set when the server acknowledged it
	docsSent []string // SHA-256 of each upload attempted
	docsAck  []string // … and of each acknowledged
}

type sentDecision struct {
	task     int64
	org      string
	decision greyline.Decision
}

// burst is the concurrent writers of one round.
type burst struct {
	mu         sync.Mutex
	complaints []*sentComplaint
	decisions  []sentDecision // acknowledged
	failures   []string       // answers no client should get
}

func (b *burst) fail(format string, args ...any) {
	b.mu.Lock()
	b.failures = append(b.failures, fmt.Sprintf(format, args...))
	b.mu.Unlock()
}

func complaintBody(n int) []byte {
	body, _ := json.Marshal(map[string]any{
		"external_ref": fmt.Sprintf("API-%d", n),
		"complainant":  map[string]any{"name": "Api Client", "phone": fmt.Sprintf("0300-%07d", n), "city": "Karachi"},
		"category":     "phishing_otp", "contact_method": "call", "payment_method": "bank_transfer", "loss_paisa": 1000 + n,
		"incident_at": time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339),
		"narrative":   fmt.Sprintf("The caller on 0321-%07d sent http://api-crash-%d.pk and took the OTP.", n, n),
		"identifiers": []string{fmt.Sprintf("0345-%07d", n), fmt.Sprintf("0311-00000%02d", n%40)},
	})
	return body
}

func multipartFile(name string, content []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// complaintWriter files complaints until the server stops answering: a
// tenth are sent twice with the same key (a client's retry), a third get
// a document.
func (b *burst) complaintWriter(c *apiClient, token string, g int, rng *rand.Rand) {
	for i := 0; ; i++ {
		n := g*1_000_000 + i
		s := &sentComplaint{key: fmt.Sprintf("crash-%d", n), ref: fmt.Sprintf("API-%d", n), body: complaintBody(n)}
		b.mu.Lock()
		b.complaints = append(b.complaints, s)
		b.mu.Unlock()
		code, comp, err := c.postComplaint(token, s)
		if err != nil {
			return
		}
		if code != http.StatusCreated {
			b.fail("complaint %s: %d", s.key, code)
			return
		}
		b.mu.Lock()
		s.ackID = comp.ID
		b.mu.Unlock()
		if rng.IntN(10) == 0 {
			code, again, err := c.postComplaint(token, s)
			if err != nil {
				return
			}
			if code != http.StatusOK || again.ID != comp.ID {
				b.fail("retry of complaint %s: %d, id %d, want 200 and %d", s.key, code, again.ID, comp.ID)
			}
		}
		if rng.IntN(3) == 0 {
			name, content := evidence(s.ref, i)
			ct, body := multipartFile(name, content)
			b.mu.Lock()
			s.docsSent = append(s.docsSent, sha(content))
			b.mu.Unlock()
			code, _, err := c.do("POST", "/api/v1/complaints/"+strconv.FormatInt(comp.ID, 10)+"/documents", token, ct, body)
			if err != nil {
				return
			}
			if code != http.StatusCreated {
				b.fail("document for %s: %d", s.key, code)
				return
			}
			b.mu.Lock()
			s.docsAck = append(s.docsAck, sha(content))
			b.mu.Unlock()
		}
	}
}

// decider is one agency's reviewer deciding its tasks in a random order,
// at a reviewer's pace: mostly clearances, some objections and refusals.
func (b *burst) decider(c *apiClient, org, token string, tasks []taskRef, rng *rand.Rand) {
	order := rng.Perm(len(tasks))
	for _, i := range order {
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		tk := tasks[i]
		d, reason := greyline.DecideClear, ""
		switch x := rng.IntN(20); {
		case x < 3:
			d, reason = greyline.DecideObject, "The bank statement is not legible."
		case x < 5:
			d, reason = greyline.DecideRefuse, "The proprietor is named in an FIR."
		}
		body, _ := json.Marshal(map[string]any{"decision": d, "reason": reason, "version": tk.version})
		code, ans, err := c.do("POST", "/api/v1/tasks/"+strconv.FormatInt(tk.id, 10)+"/decision", token, "application/json", body)
		if err != nil {
			return
		}
		switch code {
		case http.StatusOK:
			b.mu.Lock()
			b.decisions = append(b.decisions, sentDecision{tk.id, org, d})
			b.mu.Unlock()
		case http.StatusConflict: // another agency refused first: the task is closed
		default:
			b.fail("decision on task %d: %d %s", tk.id, code, ans)
			return
		}
	}
}

// crashAPI kills `greyline serve` during a burst of complaints, documents
// and clearance decisions, restarts it and checks every acknowledged write.
func crashAPI(t *testing.T, bin string, e sqlstore.Engine, round int, rng *rand.Rand, tally *crashTally) {
	dir, dsn := crashDB(t, e)
	env := binEnv(dir, dsn)
	mustBin(t, env, bin, "migrate")
	var laps laps
	laps.lap("")
	fx := setupAPI(t, dir, dsn, 20)
	laps.lap("setup")
	srv, base := startServer(t, env, bin)
	laps.lap("start")

	var b burst
	var wg sync.WaitGroup
	client := newAPIClient(base)
	for g := range 4 {
		r := rand.New(rand.NewPCG(rng.Uint64(), uint64(g)))
		wg.Go(func() { b.complaintWriter(client, fx.partner, g+1, r) })
	}
	for _, org := range sqlstore.DefaultClearance {
		r := rand.New(rand.NewPCG(rng.Uint64(), 99))
		wg.Go(func() { b.decider(client, org, fx.reviewers[org], fx.tasks[org], r) })
	}
	delay := 200*time.Millisecond + time.Duration(rng.IntN(1300))*time.Millisecond
	time.Sleep(delay)
	srv.kill()
	wg.Wait()
	for _, f := range b.failures {
		t.Errorf("round %d: %s", round, f)
	}

	laps.lap("burst")
	// Restart, and ask for every acknowledged write.
	srv, base = startServer(t, env, bin)
	laps.lap("restart")
	client = newAPIClient(base)
	acked, docs, inFlight, committed := 0, 0, 0, 0
	ids := map[string]int64{} // external ref → id, after the retries
	for _, s := range b.complaints {
		if s.ackID != 0 {
			acked++
			code, body, err := client.do("GET", "/api/v1/complaints/"+strconv.FormatInt(s.ackID, 10), fx.partner, "", nil)
			var comp greyline.Complaint
			if err == nil && code == http.StatusOK {
				err = json.Unmarshal(body, &comp)
			}
			if err != nil || code != http.StatusOK || comp.ExternalRef != s.ref || len(comp.Identifiers) != 4 {
				t.Errorf("round %d: acknowledged complaint %d (%s) after the restart: %d %v %+v", round, s.ackID, s.ref, code, err, comp)
				continue
			}
			have := map[string]bool{}
			for _, d := range comp.Documents {
				have[d.SHA256] = true
			}
			for _, d := range s.docsAck {
				docs++
				if !have[d] {
					t.Errorf("round %d: acknowledged document %s of complaint %d is missing", round, d, s.ackID)
				}
			}
		}
		// The partner's retry after the outage: the same complaint for an
		// acknowledged one; for one in flight, the one that committed or a
		// new one, never two.
		code, comp, err := client.postComplaint(fx.partner, s)
		switch {
		case err != nil:
			t.Fatalf("round %d: retrying %s after the restart: %v", round, s.key, err)
		case s.ackID != 0 && (code != http.StatusOK || comp.ID != s.ackID):
			t.Errorf("round %d: retry of acknowledged %s: %d, id %d, want 200 and %d", round, s.key, code, comp.ID, s.ackID)
		case s.ackID == 0 && code != http.StatusOK && code != http.StatusCreated:
			t.Errorf("round %d: retry of %s, in flight at the kill: %d", round, s.key, code)
		case s.ackID == 0:
			inFlight++
			if code == http.StatusOK {
				committed++
			}
		}
		ids[s.ref] = comp.ID
	}
	decisions := 0
	for _, d := range b.decisions {
		decisions++
		code, body, err := client.do("GET", "/api/v1/tasks/"+strconv.FormatInt(d.task, 10), fx.reviewers[d.org], "", nil)
		var tk greyline.ClearanceTask
		if err == nil && code == http.StatusOK {
			err = json.Unmarshal(body, &tk)
		}
		want := map[greyline.Decision]greyline.TaskStatus{greyline.DecideClear: greyline.TaskCleared, greyline.DecideObject: greyline.TaskObjection, greyline.DecideRefuse: greyline.TaskRefused}[d.decision]
		// An objection is closed when another agency refuses afterwards.
		if err != nil || code != http.StatusOK || (tk.Status != want && !(want == greyline.TaskObjection && tk.Status == greyline.TaskClosed)) {
			t.Errorf("round %d: acknowledged %s of task %d after the restart: %d %v status %q", round, d.decision, d.task, code, err, tk.Status)
		}
	}
	laps.lap("verify")
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := srv.wait(t, 60*time.Second); code != 0 {
		t.Errorf("round %d: serve exited %d on SIGTERM\n%s", round, code, srv.errb.String())
	}

	// No record is half-written; the audit chain verifies.
	raw := rawDB(t, e, dir, dsn)
	sent := map[string]*sentComplaint{}
	for _, s := range b.complaints {
		sent[s.ref] = s
	}
	n := checkComplete(t, raw, dir, func(ref string) (int, int, int, bool) {
		s, ok := sent[ref]
		if !ok {
			return 0, 0, 0, false
		}
		return 4, len(s.docsAck), len(s.docsSent), true
	})
	if n != len(ids) {
		t.Errorf("round %d: %d complaints stored for %d sent", round, n, len(ids))
	}
	apps := checkApplications(t, raw)
	if apps != fx.apps {
		t.Errorf("round %d: %d applications checked, want %d", round, apps, fx.apps)
	}
	laps.lap("checks")
	mustBin(t, env, bin, "audit", "verify")
	laps.lap("audit")
	t.Logf("round %d: killed the server %s into the burst: %d complaints, %d documents and %d decisions acknowledged, all present after the restart; %d complaints in flight, %d of them had committed; %d complaints and %d applications whole (%s)",
		round, delay, acked, docs, decisions, inFlight, committed, n, apps, &laps)
	tally.apiRounds++
	tally.complaints += acked
	tally.documents += docs
	tally.decisions += decisions
	tally.inFlight += inFlight
	tally.inFlightCommitted += committed
	tally.applicationsChecked += apps
}

// checkApplications proves that every application is consistent with its
// clearance tasks, their audit events and its licences, and returns how
// many it checked.
func checkApplications(t *testing.T, raw *sql.DB) int {
	t.Helper()
	type task struct {
		status    greyline.TaskStatus
		decided   bool
		audited   []string // task.* actions
		objection int
	}
	tasks := map[int64]map[int64]*task{} // application → task id → task
	rows, err := raw.Query(`SELECT t.application_id, t.id, t.status, t.decided_at IS NOT NULL,
		(SELECT COUNT(*) FROM objections o WHERE o.task_id = t.id) FROM clearance_tasks t`)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*task{}
	for rows.Next() {
		var app, id int64
		tk := &task{}
		if err := rows.Scan(&app, &id, &tk.status, &tk.decided, &tk.objection); err != nil {
			t.Fatal(err)
		}
		if tasks[app] == nil {
			tasks[app] = map[int64]*task{}
		}
		tasks[app][id] = tk
		byID[strconv.FormatInt(id, 10)] = tk
	}
	rows.Close()
	ev, err := raw.Query("SELECT action, record_id FROM audit_events WHERE record_type = 'clearance_task' AND action IN ('task.clear', 'task.object', 'task.refuse')")
	if err != nil {
		t.Fatal(err)
	}
	for ev.Next() {
		var action, id string
		ev.Scan(&action, &id)
		if tk := byID[id]; tk != nil {
			tk.audited = append(tk.audited, action)
		} else {
			t.Errorf("audit %s of task %s, which does not exist", action, id)
		}
	}
	ev.Close()
	appAudit := map[string][]string{}
	ev, err = raw.Query("SELECT action, record_id FROM audit_events WHERE record_type = 'application' AND action IN ('application.granted', 'application.refused')")
	if err != nil {
		t.Fatal(err)
	}
	for ev.Next() {
		var action, id string
		ev.Scan(&action, &id)
		appAudit[id] = append(appAudit[id], action)
	}
	ev.Close()
	rows, err = raw.Query(`SELECT a.id, a.status, a.decided_at IS NOT NULL,
		(SELECT COUNT(*) FROM licences l WHERE l.application_id = a.id),
		(SELECT COUNT(*) FROM licence_events le JOIN licences l ON l.id = le.licence_id WHERE l.application_id = a.id),
		(SELECT COUNT(*) FROM audit_events ae JOIN licences l ON ae.record_id = CAST(l.id AS TEXT) WHERE ae.action = 'licence.issue' AND l.application_id = a.id)
		FROM applications a ORDER BY a.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var status greyline.ApplicationStatus
		var decided bool
		var licences, licenceEvents, issued int
		if err := rows.Scan(&id, &status, &decided, &licences, &licenceEvents, &issued); err != nil {
			t.Fatal(err)
		}
		n++
		var statuses []greyline.TaskStatus
		for tid, tk := range tasks[id] {
			statuses = append(statuses, tk.status)
			want := map[string]greyline.TaskStatus{"task.clear": greyline.TaskCleared, "task.object": greyline.TaskObjection, "task.refuse": greyline.TaskRefused}
			switch {
			case len(tk.audited) > 1:
				t.Errorf("task %d decided %v: more than once", tid, tk.audited)
			case len(tk.audited) == 0 && tk.status != greyline.TaskPending && tk.status != greyline.TaskClosed:
				t.Errorf("task %d is %s with no decision audited", tid, tk.status)
			case len(tk.audited) == 1 && tk.status != want[tk.audited[0]] && !(tk.audited[0] == "task.object" && tk.status == greyline.TaskClosed):
				t.Errorf("task %d is %s but %s was audited", tid, tk.status, tk.audited[0])
			case tk.decided != (len(tk.audited) == 1):
				t.Errorf("task %d: decided_at set %v, decision audited %v", tid, tk.decided, tk.audited)
			case (tk.objection == 1) != (len(tk.audited) == 1 && tk.audited[0] == "task.object") || tk.objection > 1:
				t.Errorf("task %d: %d objections recorded, decisions audited %v", tid, tk.objection, tk.audited)
			}
		}
		if len(statuses) != len(sqlstore.DefaultClearance) {
			t.Errorf("application %d has %d clearance tasks", id, len(statuses))
		}
		if want := greyline.ClearanceOutcome(statuses); status != want {
			t.Errorf("application %d is %s but its tasks %v make it %s", id, status, statuses, want)
		}
		audited := appAudit[strconv.FormatInt(id, 10)]
		switch status {
		case greyline.AppGranted, greyline.AppRefused:
			if len(audited) != 1 || audited[0] != "application."+string(status) || !decided {
				t.Errorf("application %d is %s: audited %v, decided_at set %v", id, status, audited, decided)
			}
		default:
			if len(audited) != 0 || decided {
				t.Errorf("application %d is %s: audited %v, decided_at set %v", id, status, audited, decided)
			}
		}
		for _, tk := range tasks[id] {
			if tk.status == greyline.TaskClosed && status != greyline.AppRefused {
				t.Errorf("application %d is %s with a closed task", id, status)
			}
		}
		wantLicences := 0
		if status == greyline.AppGranted {
			wantLicences = 1
		}
		if licences != wantLicences || licenceEvents != wantLicences || issued != wantLicences {
			t.Errorf("application %d is %s: %d licences, %d licence events, %d audited issues; want %d each", id, status, licences, licenceEvents, issued, wantLicences)
		}
	}
	return n
}
