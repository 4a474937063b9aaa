package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
	"github.com/greyline/greyline/watch"
)

// testEnv is a real server on a real database (SQLite by default), with
// helpers to create users and sign them in.
type testEnv struct {
	t      testing.TB
	db     *sqlstore.DB
	dsn    string // the database, for a second handle on it
	engine sqlstore.Engine
	srv    *Server
	ts     *httptest.Server
	clock  *testClock
	logs   *syncBuffer
	sys    context.Context
	noTFA  *greyline.Org // an organisation that does not require 2FA
	otherO *greyline.Org // a second such organisation, for cross-org checks
}

// testClock is a settable clock shared by the server and the database.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type envOptions struct {
	engine sqlstore.Engine
	cfg    Config
	// tune, if set, adjusts the store's options (e.g. the clearance policy).
	tune func(*sqlstore.Options)
	// networks configures the network engine (thresholds, warninglist).
	networks fraudnet.Options
}

func newEnv(t testing.TB) *testEnv { return newEnvWith(t, envOptions{}) }

func newEnvWith(t testing.TB, o envOptions) *testEnv {
	t.Helper()
	if o.engine == "" {
		o.engine = sqlstore.SQLite
	}
	clk := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	var srv *Server
	tune := func(opt *sqlstore.Options) {
		if o.tune != nil {
			o.tune(opt)
		}
		// Keep the lookup index in step, as cmd/greyline wires it.
		opt.OnLicencesChanged = func(id int64) {
			if srv != nil {
				srv.LicencesChanged(id)
			}
		}
		opt.OnComplaintsChanged = func(ids []int64) {
			if srv != nil {
				srv.ComplaintsChanged(ids)
			}
		}
	}
	dsn := sqlstoretest.DSN(t, o.engine)
	db := sqlstoretest.Open(t, o.engine, sqlstoretest.Options{Now: clk.Now, Tune: tune, DSN: dsn})
	signing, err := keys.LoadOrCreateKeyring(t.TempDir(), clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w, r := db.Pools()
	nets := fraudnet.New(db, o.networks)
	if _, err := nets.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err = New(o.cfg, Deps{Takedowns: db, Watch: mustWatch(t, db), Networks: nets, Enforcement: db, Changes: db, Reports: db, Users: db, Orgs: db, Auth: db, Audit: db, Health: db, Keys: sqlstoretest.TestKeys(t), Logger: logger, Now: clk.Now,
		Businesses: db, Applications: db, Clearance: db, Licences: db, Registry: db, Signing: signing, Complaints: db,
		Pools: map[string]*sql.DB{"writer": w, "reader": r}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &testEnv{t: t, db: db, dsn: dsn, engine: o.engine, srv: srv, ts: ts, clock: clk, logs: logs, sys: greyline.WithActor(context.Background(), greyline.Actor{System: true})}
	e.noTFA = e.org("TESTCO", greyline.OrgBusiness, false)
	e.otherO = e.org("OTHERCO", greyline.OrgBank, false)
	return e
}

func (e *testEnv) org(code string, kind greyline.OrgKind, require2FA bool) *greyline.Org {
	e.t.Helper()
	o := &greyline.Org{Code: code, Name: code + " Limited", Kind: kind, Require2FA: require2FA}
	if err := e.db.CreateOrg(e.sys, o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

const testPassword = "a long test password"

var userSeq struct {
	sync.Mutex
	n int
}

// user creates a user with the given roles in org (nil: the no-2FA org).
func (e *testEnv) user(org *greyline.Org, roles ...greyline.Role) *greyline.User {
	e.t.Helper()
	if org == nil {
		org = e.noTFA
	}
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	email := strings.ToLower(org.Code) + "-" + string(roles[0]) + "-" + itoa(n) + "@example.pk"
	u, err := e.db.CreateUser(e.sys, greyline.NewUser{OrgID: org.ID, Email: email, Name: "Test " + string(roles[0]), Roles: roles, Password: testPassword})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// client is a browser-like HTTP client with a cookie jar that does not
// follow redirects, so tests can see them.
type client struct {
	e    *testEnv
	http *http.Client
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path and returns the response with its body read.
func (c *client) get(path string) (*http.Response, string) {
	c.e.t.Helper()
	resp, err := c.http.Get(c.e.ts.URL + path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return resp, readBody(c.e.t, resp)
}

// csrf returns the CSRF token the page at path embeds.
func (c *client) csrf(path string) string {
	c.e.t.Helper()
	_, body := c.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// post submits a form. A "csrf" value is added from tokenPage unless the form has one.
func (c *client) post(path string, form url.Values, tokenPage string) (*http.Response, string) {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf(tokenPage))
	}
	resp, err := c.http.PostForm(c.e.ts.URL+path, form)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return resp, readBody(c.e.t, resp)
}

// login signs u in with the password (no second factor) and checks it worked.
func (c *client) login(u *greyline.User) {
	c.e.t.Helper()
	resp, body := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/"}}, "/login")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		c.e.t.Fatalf("login %s: %d %s\n%s", u.Email, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// token creates an API token for u with scopes and returns the secret.
func (e *testEnv) token(u *greyline.User, scopes ...string) string {
	e.t.Helper()
	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
	secret, _, err := e.db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Name: "test", Scopes: scopes, ExpiresIn: 30})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// api sends a JSON request with a bearer token ("" for none).
func (e *testEnv) api(method, path, token string, body any) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			j, _ := json.Marshal(b)
			rd = bytes.NewReader(j)
		}
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

func readBody(t testing.TB, resp *http.Response) string {
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// totpNow returns the current code for secret at the test clock's time.
func (e *testEnv) totpNow(secret string) string {
	code, err := auth.TOTPCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// mustWatch is the live watch, loaded; without Start it checks complaints
// as they are filed, so tests see alerts at once.
func mustWatch(t testing.TB, db *sqlstore.DB) *watch.Service {
	t.Helper()
	w := watch.New(db, nil)
	if err := w.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}
