package server

// Browser tests: the real app (newEnv) driven by headless Chromium through
// chromedp. They check what a person sees: pages, URLs, status codes, text.
//
// Run them with: go test ./server -run Browser -count=1 -v
// They need Debian's chromium package; without it they skip (or fail when
// CI=true). Set GREYLINE_SHOTS=1 to keep copies of the screenshots in
// /tmp/greyline-shots.

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/greyline/greyline"
)

const (
	chromiumPath   = "/usr/bin/chromium"
	browserTimeout = 60 * time.Second // the whole test's browser session
	stepTimeout    = 10 * time.Second // one action: a missing element fails fast
	shotsDir       = "/tmp/greyline-shots"
)

// findChromium returns the Chromium binary, or skips the test (fails it on CI).
func findChromium(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat(chromiumPath); err == nil && !fi.IsDir() {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "browser tests need Chromium at " + chromiumPath + " or on PATH: install Debian's chromium package (apt-get install chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts a fresh headless Chromium with its own profile and
// returns a chromedp context (one tab) that ends after browserTimeout.
// Everything is torn down when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := findChromium(t)
	profile, err := os.MkdirTemp("", "greyline-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{} // Chromium's own output, shown if it fails to start
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Without these Chromium hangs on a closed network.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(out),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	stop := func() {
		browserCancel()
		allocCancel() // waits for the browser process to exit
		os.RemoveAll(profile)
	}
	// Start the browser now, on a context without a timeout, so that a
	// browser that cannot start is reported here and clearly.
	if err := chromedp.Do(browserCtx); err != nil {
		stop()
		t.Fatalf("starting %s: %v\n%s", exe, err, out.String())
	}
	ctx, cancel := context.WithTimeout(browserCtx, browserTimeout)
	t.Cleanup(func() { cancel(); stop() })
	return ctx
}

// tab drives one browser tab against a test environment; every helper
// fails the test on error.
type tab struct {
	t   *testing.T
	e   *testEnv
	ctx context.Context
}

func newTab(t *testing.T, e *testEnv) *tab {
	t.Helper()
	return &tab{t: t, e: e, ctx: newBrowser(t)}
}

func (b *tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// do runs actions that return nothing.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.url())
	}
}

// open loads path and returns the HTTP status of the page finally shown.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.e.ts.URL+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// click clicks sel, waits for the page it leads to, and returns its status.
func (b *tab) click(sel string) int64 {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v (at %s)", sel, err, b.url())
	}
	return resp.Status
}

// setValue sets the value of a form control directly, as a script would.
// (chromedp.SetValue cannot set an empty value: it sets "undefined".)
func (b *tab) setValue(sel, value string) {
	b.t.Helper()
	js, _ := json.Marshal([]string{sel, value})
	got := eval[string](b, `(([sel, v]) => {
		const el = document.querySelector(sel);
		el.value = v;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return el.value;
	})(`+string(js)+`)`)
	if got != value {
		b.t.Fatalf("set %s to %q: it holds %q", sel, value, got)
	}
}

// fill empties an input and types value into it.
func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.setValue(sel, "")
	b.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// text returns the rendered text of the first element matching sel. The
// pages are server-rendered and loaded by the time it is called, so a
// missing element fails at once instead of being waited for.
func (b *tab) text(sel string) string {
	b.t.Helper()
	js, _ := json.Marshal(sel)
	s := eval[*string](b, `(() => { const el = document.querySelector(`+string(js)+`); return el ? el.innerText : null })()`)
	if s == nil {
		b.t.Fatalf("no element %s at %s; the page reads:\n%s", sel, b.url(), b.bodyText())
	}
	return strings.TrimSpace(*s)
}

// eval evaluates a JavaScript expression through DevTools (the page's CSP
// does not apply) and decodes its value.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *tab) bodyText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

// url returns the address of the page shown ("" if unknown).
func (b *tab) url() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Location())
	return s
}

// location returns the parsed address of the page shown.
func (b *tab) location() *url.URL {
	b.t.Helper()
	u, err := url.Parse(b.url())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// expectPage checks the status, the path and the main heading of the page shown.
func (b *tab) expectPage(status, wantStatus int64, wantPath, wantH1 string) {
	b.t.Helper()
	loc := b.location()
	if status != wantStatus || loc.Path != wantPath {
		b.t.Fatalf("got %d at %s, want %d at %s\n%s", status, loc, wantStatus, wantPath, b.bodyText())
	}
	if h1 := b.text("main h1"); !strings.HasPrefix(h1, wantH1) {
		b.t.Fatalf("heading at %s: got %q, want %q...\n%s", loc, h1, wantH1, b.bodyText())
	}
}

// navLabels lists the links of the main navigation in the header.
func (b *tab) navLabels() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('header nav[aria-label="Main"] a')].map(a => a.textContent.trim())`)
}

// signIn fills the sign-in form, submits it and returns the status of the
// page it leads to.
func (b *tab) signIn(email string) int64 {
	b.t.Helper()
	if st := b.open("/login"); st != 200 {
		b.t.Fatalf("/login: status %d", st)
	}
	b.fill("#f-email", email)
	b.fill("#f-password", testPassword)
	return b.click(`form[action="/login"] button[type="submit"]`)
}

// signInFully signs in a user with no second factor and checks the home page.
func (b *tab) signInFully(u *greyline.User) {
	b.t.Helper()
	b.expectPage(b.signIn(u.Email), 200, "/", "Welcome, "+u.Name)
}

// signOut uses the header's Sign out button.
func (b *tab) signOut() {
	b.t.Helper()
	st := b.click(`header form.signout button[type="submit"]`)
	b.expectPage(st, 200, "/login", "Sign in")
	if got := b.text(`main .alert.ok`); got != "You are signed out." {
		b.t.Fatalf("after sign-out: flash %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('header form.signout').length`); n != 0 {
		b.t.Fatal("after sign-out the header still offers Sign out")
	}
}

// userCount returns how many users the database holds.
func userCount(t *testing.T, e *testEnv) int {
	t.Helper()
	_, n, err := e.db.ListUsers(e.sys, greyline.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// expectNoUser checks that no user has the address.
func expectNoUser(t *testing.T, e *testEnv, email string) {
	t.Helper()
	u, err := e.db.FindUserByEmail(e.sys, email)
	if err == nil {
		t.Fatalf("user %s was created (id %d), want none", email, u.ID)
	}
	if greyline.ErrorCode(err) != greyline.ENOTFOUND {
		t.Fatalf("find %s: %v", email, err)
	}
}

func TestBrowserLoginWithTwoFactorEnrolment(t *testing.T) {
	e := newEnv(t)
	org := e.org("SECURE", greyline.OrgAgency, true)
	u := e.user(org, greyline.RoleAnalyst)
	b := newTab(t, e)

	// The password is accepted, and the organisation's rule sends the user
	// to set up a second factor.
	b.expectPage(b.signIn(u.Email), 200, "/login/enrol", "Set up two-step verification")
	if got := b.navLabels(); len(got) != 0 {
		t.Fatalf("navigation shown before the second factor is set up: %v", got)
	}
	if n := eval[int](b, `document.querySelectorAll('header .who').length`); n != 0 {
		t.Fatal("the header shows a signed-in user before the second factor is set up")
	}
	if got := eval[string](b, `(document.querySelector('header form.signout button') || {}).textContent || ''`); got != "Cancel sign-in" {
		t.Fatalf("no way to abandon the sign-in: %q", got)
	}
	// A signed-in-only page is out of reach part-way through sign-in.
	if st := b.open("/account"); st != 200 || b.location().Path != "/login/enrol" {
		t.Fatalf("/account during enrolment: %d at %s, want a redirect to /login/enrol", st, b.location())
	}

	secret := b.text("#totp-secret")
	if !regexp.MustCompile(`^[A-Z2-7]{16,}=*$`).MatchString(secret) {
		t.Fatalf("manual key %q is not a base32 secret", secret)
	}
	qr := eval[map[string]any](b, `(() => {
		const img = document.querySelector('figure.qr img');
		if (!img) return {found: false};
		return {found: true, complete: img.complete, w: img.naturalWidth, h: img.naturalHeight, src: img.getAttribute('src').slice(0, 22)};
	})()`)
	if qr["found"] != true || qr["complete"] != true || qr["w"].(float64) <= 0 || qr["h"].(float64) <= 0 {
		t.Fatalf("QR code image missing or not loaded: %v", qr)
	}
	if qr["src"] != "data:image/png;base64," {
		t.Fatalf("QR code src starts %q, want an inline PNG", qr["src"])
	}

	// Enter the code the authenticator app would show now.
	code := e.totpNow(secret)
	b.fill("#f-code", code)
	st := b.click(`main form button[type="submit"]`)
	b.expectPage(st, 200, "/login/enrol", "Save your recovery codes")
	codes := eval[[]string](b, `[...document.querySelectorAll('#recovery-codes li')].map(li => li.textContent.trim())`)
	if len(codes) != 10 {
		t.Fatalf("recovery codes: got %d, want 10: %q", len(codes), codes)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) < 8 || seen[c] {
			t.Fatalf("recovery codes are not 10 distinct codes: %q", codes)
		}
		seen[c] = true
	}
	// The page already belongs to the full session: the header shows the user.
	if who := b.text("header .who"); !strings.Contains(who, u.Name) {
		t.Fatalf("recovery codes page header: %q, want %q", who, u.Name)
	}
	if got, err := e.db.FindUserByID(e.sys, u.ID); err != nil || !got.TOTPEnabled {
		t.Fatalf("after enrolment TOTPEnabled = %v (err %v), want true", got != nil && got.TOTPEnabled, err)
	}

	b.expectPage(b.click("#continue"), 200, "/", "Welcome, "+u.Name)
	if nav := b.navLabels(); !slices.Contains(nav, "My account") {
		t.Fatalf("navigation after sign-in: %v", nav)
	}

	// Sign out and in again: now the code is asked for at every sign-in.
	b.signOut()
	b.expectPage(b.signIn(u.Email), 200, "/login/2fa", "Two-step verification")

	// The code already used at enrolment cannot be used again.
	b.fill("#f-code", code)
	b.expectPage(b.click(`form[action="/login/2fa"] button[type="submit"]`), 400, "/login/2fa", "Two-step verification")
	if got := b.text("#e-code"); !strings.Contains(got, "is not correct") {
		t.Fatalf("replayed code: error %q", got)
	}

	// The next 30-second step gives a fresh code, which is accepted.
	e.clock.Add(30 * time.Second)
	b.fill("#f-code", e.totpNow(secret))
	b.expectPage(b.click(`form[action="/login/2fa"] button[type="submit"]`), 200, "/", "Welcome, "+u.Name)
	if who := b.text("header .who"); !strings.Contains(who, u.Name) || !strings.Contains(who, "SECURE") {
		t.Fatalf("header after second sign-in: %q", who)
	}
}

func TestBrowserAdminCreatesUser(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	b := newTab(t, e)
	b.signInFully(admin)

	b.expectPage(b.open("/admin/users/new"), 200, "/admin/users/new", "New user")
	before := userCount(t, e)
	orgID := strconv.FormatInt(e.otherO.ID, 10)
	const name, badEmail, email = "Ayesha Khan", "ayesha.khan@", "ayesha.khan@example.pk"
	const form = `form[action="/admin/users"]`
	const role = `input[name="roles"][value="investigator"]`

	// First with an invalid e-mail address: the form comes back with the error.
	b.setValue("#f-org_id", orgID)
	b.fill("#f-name", name)
	b.fill("#f-email", badEmail)
	b.do("tick role", chromedp.Click(chromedp.CSS(role)))
	b.fill("#f-password", "a brand new password")
	b.expectPage(b.click(form+` button[type="submit"]`), 400, "/admin/users", "New user")
	if got := b.text(`#f-email ~ .err`); got != "E-mail address is not a valid e-mail address" {
		t.Fatalf("inline e-mail error: %q\n%s", got, b.bodyText())
	}
	// The summary above the form names the problem and links to the field.
	if got := b.text("#form-errors"); !strings.Contains(got, "is not a valid e-mail address") {
		t.Fatalf("error summary: %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('#form-errors a[href="#f-email"]').length`); n != 1 {
		t.Fatalf("error summary has %d links to the e-mail field, want 1", n)
	}
	expectNoUser(t, e, badEmail)
	if n := userCount(t, e); n != before {
		t.Fatalf("users after the invalid form: %d, want %d", n, before)
	}
	// What was entered is kept, except the password.
	kept := eval[map[string]any](b, `(() => ({
		org: document.querySelector('#f-org_id').value,
		name: document.querySelector('#f-name').value,
		email: document.querySelector('#f-email').value,
		role: document.querySelector('`+role+`').checked,
		password: document.querySelector('#f-password').value,
	}))()`)
	if kept["org"] != orgID || kept["name"] != name || kept["email"] != badEmail || kept["role"] != true || kept["password"] != "" {
		t.Fatalf("form after the error: %v", kept)
	}

	// Correct the address and submit again.
	b.fill("#f-email", email)
	b.fill("#f-password", "a brand new password")
	st := b.click(form + ` button[type="submit"]`)
	loc := b.location()
	m := regexp.MustCompile(`^/admin/users/(\d+)$`).FindStringSubmatch(loc.Path)
	if st != 200 || m == nil || loc.Query().Get("done") != "user-created" {
		t.Fatalf("after creating: %d at %s\n%s", st, loc, b.bodyText())
	}
	if got := b.text("main .alert.ok"); got != "The user was created." {
		t.Fatalf("flash: %q", got)
	}
	if got := b.text("main h1"); got != name {
		t.Fatalf("user page heading: %q", got)
	}
	if got := b.text("main .facts"); !strings.Contains(got, email) || !strings.Contains(got, e.otherO.Name) {
		t.Fatalf("user page facts: %q", got)
	}

	u, err := e.db.FindUserByEmail(e.sys, email)
	if err != nil {
		t.Fatalf("created user not found: %v", err)
	}
	if strconv.FormatInt(u.ID, 10) != m[1] || u.Name != name || u.OrgID != e.otherO.ID || !slices.Equal(u.Roles, []greyline.Role{greyline.RoleInvestigator}) || u.Disabled {
		t.Fatalf("created user: %+v (page id %s)", u, m[1])
	}
	if n := userCount(t, e); n != before+1 {
		t.Fatalf("users: %d, want %d", n, before+1)
	}
}

func TestBrowserNonAdminRefusedAdminPages(t *testing.T) {
	e := newEnv(t)
	analyst := e.user(nil, greyline.RoleAnalyst)
	applicant := e.user(e.otherO, greyline.RoleApplicant)
	b := newTab(t, e)

	b.signInFully(analyst)
	nav := b.navLabels()
	if slices.Contains(nav, "Users") || slices.Contains(nav, "Organisations") || !slices.Contains(nav, "Audit log") || !slices.Contains(nav, "My account") {
		t.Fatalf("analyst navigation: %v, want Audit log and My account but no admin links", nav)
	}
	for _, path := range []string{"/admin/users", "/admin/users/new"} {
		b.expectPage(b.open(path), 403, path, "Forbidden")
		if got := b.text("main .lead"); got != "You do not have permission to do that." {
			t.Fatalf("%s as analyst: %q", path, got)
		}
		if n := eval[int](b, `document.querySelectorAll('main table, main form').length`); n != 0 {
			t.Fatalf("%s as analyst shows %d tables or forms", path, n)
		}
		if nav := b.navLabels(); slices.Contains(nav, "Users") || !slices.Contains(nav, "Audit log") {
			t.Fatalf("navigation on the refusal page: %v", nav)
		}
	}
	// The analyst's own pages still work: the refusal is about the role.
	b.expectPage(b.open("/audit"), 200, "/audit", "Audit log")

	b.signOut()
	b.signInFully(applicant)
	if nav := b.navLabels(); !slices.Equal(nav, []string{"My business", "My account", "Check a licence", "Loan apps"}) {
		t.Fatalf("applicant navigation: %v, want My business and My account", nav)
	}
	b.expectPage(b.open("/audit"), 403, "/audit", "Forbidden")
	if got := b.text("main .lead"); got != "You do not have permission to do that." {
		t.Fatalf("/audit as applicant: %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('main table').length`); n != 0 {
		t.Fatal("/audit as applicant shows a table")
	}
}

func TestBrowserWrongCSRFTokenRefused(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	b := newTab(t, e)
	b.signInFully(admin)
	before := userCount(t, e)
	const form = `form[action="/admin/users"]`
	fillForm := func(email string) {
		b.expectPage(b.open("/admin/users/new"), 200, "/admin/users/new", "New user")
		b.setValue("#f-org_id", strconv.FormatInt(e.noTFA.ID, 10))
		b.fill("#f-name", "Mallory Forged")
		b.fill("#f-email", email)
		b.do("tick role", chromedp.Click(chromedp.CSS(`input[name="roles"][value="admin"]`)))
		b.fill("#f-password", "a brand new password")
	}

	fillForm("mallory@example.pk")
	token := eval[string](b, `document.querySelector('`+form+` input[name="csrf"]').value`)
	if len(token) < 20 {
		t.Fatalf("form CSRF token %q", token)
	}
	forged := "x" + token[1:]
	if token[0] == 'x' {
		forged = "y" + token[1:]
	}
	b.setValue(form+` input[name="csrf"]`, forged)
	b.expectPage(b.click(form+` button[type="submit"]`), 403, "/admin/users", "Forbidden")
	if got := b.text("main .lead"); !strings.Contains(got, "This form has expired or did not come from greyline") {
		t.Fatalf("forged token: %q", got)
	}
	expectNoUser(t, e, "mallory@example.pk")
	if n := userCount(t, e); n != before {
		t.Fatalf("users after a forged form: %d, want %d", n, before)
	}
	if !strings.Contains(e.logs.String(), "csrf check failed") {
		t.Fatal("the refused form was not logged")
	}

	// A form with no token at all is refused too.
	fillForm("mallory2@example.pk")
	if n := eval[int](b, `(() => { const f = document.querySelector('`+form+` input[name="csrf"]'); f.remove(); return document.querySelectorAll('`+form+` input[name="csrf"]').length })()`); n != 0 {
		t.Fatal("could not remove the CSRF field")
	}
	b.expectPage(b.click(form+` button[type="submit"]`), 403, "/admin/users", "Forbidden")
	expectNoUser(t, e, "mallory2@example.pk")

	// Control: the same form with its own token goes through, so the refusal
	// above came from the token alone.
	fillForm("mallory3@example.pk")
	st := b.click(form + ` button[type="submit"]`)
	if loc := b.location(); st != 200 || loc.Query().Get("done") != "user-created" {
		t.Fatalf("genuine form: %d at %s\n%s", st, loc, b.bodyText())
	}
	if _, err := e.db.FindUserByEmail(e.sys, "mallory3@example.pk"); err != nil {
		t.Fatalf("genuine form did not create the user: %v", err)
	}
}

func TestBrowserPhoneWidth(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	// Enough users, with long names and addresses, to make the table wide.
	for i := range 6 {
		long := e.org("LONGNAME-"+strconv.Itoa(i), greyline.OrgBusiness, false)
		if _, err := e.db.CreateUser(e.sys, greyline.NewUser{OrgID: long.ID, Email: "a.rather.long.mailbox.name." + strconv.Itoa(i) + "@a-long-subdomain.example-company.com.pk",
			Name: "Muhammad Abdul Rehman Siddiqui " + strconv.Itoa(i), Roles: []greyline.Role{greyline.RoleReviewer, greyline.RoleInspector, greyline.RoleHelpline}, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
	}
	b := newTab(t, e)
	shots := t.TempDir()

	overflow := func(what string, width int) {
		t.Helper()
		m := eval[map[string]float64](b, `({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`)
		if int(m["inner"]) != width {
			t.Fatalf("%s: innerWidth %v, want %d", what, m["inner"], width)
		}
		if m["scroll"] > m["inner"]+1 {
			t.Errorf("%s at %dpx: page scrolls sideways (scrollWidth %v > innerWidth %v)", what, width, m["scroll"], m["inner"])
		}
	}
	shot := func(name string, width int) {
		t.Helper()
		ctx, cancel := b.step()
		defer cancel()
		img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", name, err)
		}
		if cfg.Width != width || cfg.Height < 200 {
			t.Errorf("screenshot %s is %dx%d, want %d wide", name, cfg.Width, cfg.Height, width)
		}
		p := filepath.Join(shots, name)
		if err := os.WriteFile(p, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s (%dx%d)", p, cfg.Width, cfg.Height)
		if os.Getenv("GREYLINE_SHOTS") == "" {
			return
		}
		if err := os.MkdirAll(shotsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(shotsDir, name)
		if err := os.WriteFile(cp, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("copied to %s", cp)
	}

	b.do("phone viewport", chromedp.EmulateViewport(375, 740))
	b.expectPage(b.open("/login"), 200, "/login", "Sign in")
	overflow("/login", 375)
	shot("login-phone.png", 375)

	b.signInFully(admin)
	overflow("home", 375)
	b.expectPage(b.open("/admin/users"), 200, "/admin/users", "Users")
	if got := b.text("main p.muted"); got != strconv.Itoa(userCount(t, e))+" users." {
		t.Fatalf("users page count: %q", got)
	}
	overflow("/admin/users", 375)
	// The wide table scrolls inside its own box, not the page.
	tw := eval[map[string]any](b, `(() => {
		const w = document.querySelector('main .table-wrap');
		if (!w || !w.querySelector('table')) return {found: false};
		return {found: true, overflowX: getComputedStyle(w).overflowX, scroll: w.scrollWidth, client: w.clientWidth};
	})()`)
	if tw["found"] != true || tw["overflowX"] != "auto" {
		t.Fatalf("users table wrapper: %v", tw)
	}
	t.Logf("users table at 375px: wrapper scrollWidth %v, clientWidth %v", tw["scroll"], tw["client"])
	shot("users-phone.png", 375)
	b.expectPage(b.open("/admin/users/new"), 200, "/admin/users/new", "New user")
	overflow("/admin/users/new", 375)

	b.do("desktop viewport", chromedp.EmulateViewport(1280, 800))
	b.expectPage(b.open("/admin/users"), 200, "/admin/users", "Users")
	overflow("/admin/users", 1280)
	shot("users-desktop.png", 1280)
}
