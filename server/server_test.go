package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

func TestLoginFlowAndLogout(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAnalyst)
	c := e.client()
	resp, _ := c.get("/audit")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous /audit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.login(u)
	resp, body := c.get("/audit")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "auth.login") {
		t.Fatalf("analyst /audit: %d", resp.StatusCode)
	}
	resp, _ = c.post("/logout", nil, "/")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = c.get("/audit")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout /audit: %d", resp.StatusCode)
	}
}

func TestLoginErrorsNameTheProblem(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAnalyst)
	c := e.client()
	resp, body := c.post("/login", url.Values{"email": {u.Email}, "password": {"wrong password"}}, "/login")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "The e-mail address or password is incorrect.") {
		t.Fatalf("wrong password: %d\n%s", resp.StatusCode, body)
	}
	resp, body = c.post("/login", url.Values{"email": {""}, "password": {""}}, "/login")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "E-mail address is required") || !strings.Contains(body, "Password is required") {
		t.Fatalf("empty form: %d\n%s", resp.StatusCode, body)
	}
}

func TestSessionRenewedAtLogin(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAnalyst)
	// An attacker's session token planted before sign-in must not survive it.
	planted, _, err := e.db.CreateSession(e.sys, u.ID, greyline.SessionNeeds2FA)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	base, _ := url.Parse(e.ts.URL)
	c.http.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
	c.login(u)
	var got string
	for _, ck := range c.http.Jar.Cookies(base) {
		if ck.Name == sessionCookie {
			got = ck.Value
		}
	}
	if got == "" || got == planted {
		t.Fatalf("session not renewed at login")
	}
}

func TestProblemJSON(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	tok := e.token(admin, "read", "write")
	resp, body := e.api("POST", "/api/v1/users", tok, map[string]any{"email": "bad", "roles": []string{"admin"}, "org_id": e.noTFA.ID})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	want := []greyline.FieldError{{Field: "email", Reason: "is not a valid e-mail address"}, {Field: "name", Reason: "is required"}, {Field: "password", Reason: "is required"}}
	if diff := cmp.Diff(want, p.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if p.Code != greyline.EINVALID || p.Status != 400 || p.RequestID == "" {
		t.Errorf("problem = %+v", p)
	}
}

func TestHTTPStatusCoversEveryCode(t *testing.T) {
	seen := map[int]greyline.Code{}
	for _, c := range greyline.Codes {
		s := HTTPStatus(c)
		if prev, dup := seen[s]; dup {
			t.Errorf("codes %s and %s share status %d", prev, c, s)
		}
		seen[s] = c
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get(e.ts.URL + path)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("%s: %v %v", path, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	e.client().get("/login")
	resp, err := http.Get(e.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	for _, want := range []string{`greyline_http_requests_total{method="GET",route="GET /login",status="200"}`, "go_sql_open_connections", `db_name="writer"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.client().get("/login")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent without TLS")
	}
	for _, ck := range resp.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly=%v SameSite=%v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{LoginRate: 3}})
	c := e.client()
	token := c.csrf("/login")
	var last int
	var body string
	for i := 0; i < 4; i++ {
		// Different unknown accounts: only the per-IP limit can stop these.
		var resp *http.Response
		resp, body = c.post("/login", url.Values{"csrf": {token}, "email": {"nobody" + itoa(i) + "@example.pk"}, "password": {"whatever it is"}}, "")
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts from your network") {
		t.Fatalf("4th attempt: %d\n%s", last, body)
	}
	e.clock.Add(time.Minute)
	resp, _ := c.post("/login", url.Values{"csrf": {token}, "email": {"x@example.pk"}, "password": {"whatever it is"}}, "")
	if resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("limit did not refill after a minute")
	}
}

func TestLoginLockoutPerAccount(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAnalyst)
	var resp *http.Response
	var body string
	for i := 0; i < 5; i++ {
		// A fresh client each time stands for attempts from many addresses.
		c := e.client()
		resp, body = c.post("/login", url.Values{"email": {u.Email}, "password": {"not the password"}}, "/login")
	}
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "This account is locked after too many failed attempts. Try again after") {
		t.Fatalf("5th wrong password: %d\n%s", resp.StatusCode, body)
	}
	c := e.client()
	resp, _ = c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}}, "/login")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password during lockout: %d", resp.StatusCode)
	}
	e.clock.Add(16 * time.Minute)
	c.login(u)
}
