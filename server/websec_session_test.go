package server

// Sessions cannot be fixed, and every state-changing route checks CSRF.

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/greyline/greyline"
)

// inproc sends a request through the server's handler in process, from ip.
func inproc(e *testEnv, ip, method, path string, body []byte, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ip != "" {
		req.RemoteAddr = ip + ":40000"
	}
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// sessionFor creates a session at state for u, and returns the header that
// carries its cookie and the CSRF token its forms hold.
func sessionFor(tb testing.TB, e *testEnv, u *greyline.User, state greyline.SessionState) (http.Header, string) {
	tb.Helper()
	tok, sess, err := e.db.CreateSession(e.sys, u.ID, state)
	if err != nil {
		tb.Fatal(err)
	}
	return http.Header{"Cookie": {sessionCookie + "=" + tok}}, encodeMAC(e.srv.keys.MAC("csrf-session", sess.CSRF))
}

// anonCSRF returns the header of a browser holding a pre-sign-in CSRF
// cookie, and the token its forms hold.
func anonCSRF(e *testEnv, seed string) (http.Header, string) {
	v := strings.Repeat(seed, 40/len(seed)+1)[:40]
	return http.Header{"Cookie": {csrfCookie + "=" + v}}, encodeMAC(e.srv.keys.MAC("csrf-anon", v))
}

// sessionCookieOf returns the value of the session cookie c holds.
func sessionCookieOf(c *client) string {
	base, _ := url.Parse(c.e.ts.URL)
	for _, ck := range c.http.Jar.Cookies(base) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

// whoIs returns the id of the user whose session tok is, or 0 if tok
// signs no one in.
func whoIs(t *testing.T, e *testEnv, tok string) int64 {
	t.Helper()
	rec := inproc(e, "", "GET", "/api/v1/me", nil, http.Header{"Cookie": {sessionCookie + "=" + tok}})
	if rec.Code == http.StatusUnauthorized {
		return 0
	}
	var u greyline.User
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &u) != nil {
		t.Fatalf("GET /api/v1/me: %d %s", rec.Code, rec.Body)
	}
	return u.ID
}

// TestSessionFixation: whatever session cookie a browser holds before
// sign-in (one an attacker chose, the attacker's own, a half sign-in of the
// victim), sign-in and each later step (second factor, enrolment) issue a
// new session, and the one held before no longer signs the victim in.
func TestSessionFixation(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{LoginRate: 1000}})
	victim := e.user(nil, greyline.RoleAnalyst)
	attacker := e.user(nil, greyline.RoleAnalyst)
	attackerSession, _, err := e.db.CreateSession(e.sys, attacker.ID, greyline.SessionFull)
	if err != nil {
		t.Fatal(err)
	}
	victimHalf, _, err := e.db.CreateSession(e.sys, victim.ID, greyline.SessionNeeds2FA)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(e.ts.URL)
	for _, tc := range []struct{ name, planted string }{
		{"a value the attacker chose", "attacker-chosen-session-0123456789abcdefABCDEF"},
		{"the attacker's own session", attackerSession},
		{"a half sign-in of the victim", victimHalf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client()
			c.http.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: tc.planted, Path: "/"}})
			// A signed-in browser is sent home from /login; its forms
			// hold the session's token.
			tokenPage := "/login"
			if tc.planted == attackerSession {
				tokenPage = "/"
			}
			resp, body := c.post("/login", url.Values{"email": {victim.Email}, "password": {testPassword}, "next": {"/"}}, tokenPage)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
				t.Fatalf("sign-in: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			got := sessionCookieOf(c)
			if got == "" || got == tc.planted {
				t.Fatalf("the session cookie after sign-in is %q, the one planted %q", got, tc.planted)
			}
			if id := whoIs(t, e, got); id != victim.ID {
				t.Errorf("the new session signs in user %d, want the victim %d", id, victim.ID)
			}
			if id := whoIs(t, e, tc.planted); id == victim.ID {
				t.Errorf("the planted session signs the victim in")
			}
		})
	}

	// With a second factor: the password step's session is replaced again
	// when the code is accepted.
	t.Run("second factor", func(t *testing.T) {
		u := e.user(nil, greyline.RoleAnalyst)
		en, err := e.db.BeginTOTPEnrolment(actorCtx(u), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.ConfirmTOTPEnrolment(actorCtx(u), u.ID, e.totpNow(en.Secret)); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(30 * 1e9) // the next step's code
		c := e.client()
		resp, body := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/"}}, "/login")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login/2fa") {
			t.Fatalf("password step: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		half := sessionCookieOf(c)
		resp, body = c.post("/login/2fa", url.Values{"code": {e.totpNow(en.Secret)}, "next": {"/"}}, "/login/2fa")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("code step: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		full := sessionCookieOf(c)
		if full == "" || full == half {
			t.Fatalf("the session was not renewed when the code was accepted")
		}
		if whoIs(t, e, full) != u.ID || whoIs(t, e, half) != 0 {
			t.Errorf("after the code: the new session is user %d, the old one user %d", whoIs(t, e, full), whoIs(t, e, half))
		}
		if _, err := e.db.FindSession(e.sys, half); err == nil {
			t.Error("the password step's session still exists")
		}
	})

	// With enrolment required: the same at enrolment.
	t.Run("enrolment", func(t *testing.T) {
		u := e.user(e.org("ENROLCO", greyline.OrgAgency, true), greyline.RoleAnalyst)
		c := e.client()
		resp, _ := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/"}}, "/login")
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login/enrol") {
			t.Fatalf("password step: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		half := sessionCookieOf(c)
		_, page := c.get("/login/enrol")
		m := regexp.MustCompile(`id="totp-secret">([A-Z2-7=]+)<`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no secret on the enrolment page:\n%s", page)
		}
		resp, body := c.post("/login/enrol", url.Values{"code": {e.totpNow(m[1])}, "next": {"/"}}, "/login/enrol")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "recovery") {
			t.Fatalf("enrolment: %d\n%s", resp.StatusCode, body)
		}
		full := sessionCookieOf(c)
		if full == "" || full == half || whoIs(t, e, full) != u.ID || whoIs(t, e, half) != 0 {
			t.Errorf("enrolment did not renew the session: before %q, after %q", half, full)
		}
	})

	// Signing out ends the session on the server, not just in the browser.
	t.Run("sign-out", func(t *testing.T) {
		c := e.client()
		c.login(victim)
		tok := sessionCookieOf(c)
		if resp, _ := c.post("/logout", nil, "/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", resp.StatusCode)
		}
		if whoIs(t, e, tok) != 0 {
			t.Error("the session still signs in after sign-out")
		}
	})
}

// concreteAny fills every path parameter: CSRF is checked before the
// record is looked up, so any id will do.
func concreteAny(pattern string) string {
	return regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllStringFunc(pattern, func(p string) string {
		switch p {
		case "{token}":
			return "not-a-setup-token"
		case "{format}":
			return "csv"
		}
		return "999999" // no such record: a request let through changes nothing
	})
}

// TestCSRFOnEveryStateChangingRoute: every route that is not GET or HEAD,
// from the routes table, refuses a form without the CSRF token, with a
// wrong one and with another session's, and an API call riding on the
// session cookie without the header; nothing is written. The same request
// with the right token is not refused for CSRF.
func TestCSRFOnEveryStateChangingRoute(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{LoginRate: 1 << 20, ReportRate: 1 << 20}})
	admin := e.user(nil, greyline.RoleAdmin, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleHelpline)
	_, foreign := sessionFor(t, e, e.user(nil, greyline.RoleAdmin), greyline.SessionFull)
	printer := writePrinter(t, e)
	refusal := template.HTMLEscapeString(greyline.ErrorMessage(errBadCSRF))
	form := func(csrf string, set bool) []byte {
		v := url.Values{"name": {"x"}, "email": {"x@example.pk"}, "password": {"a long enough password"}}
		if set {
			v.Set(csrfField, csrf)
		}
		return []byte(v.Encode())
	}
	checked := 0
	for _, rt := range e.srv.routes {
		if rt.Method == "" || safeMethod(rt.Method) || rt.Surface == surfaceSys {
			continue
		}
		key := rt.Method + " " + rt.Path
		path := concreteAny(rt.Path)
		// A session at the route's stage, fresh for each request so that
		// a request let through (sign-out, reset-2fa) cannot spoil the next.
		state := map[stage]greyline.SessionState{stageNeeds2FA: greyline.SessionNeeds2FA, stageNeedsEnrol: greyline.SessionNeedsEnrolment}[rt.Stage]
		if state == "" {
			state = greyline.SessionFull
		}
		session := func() (http.Header, string) { return sessionFor(t, e, admin, state) }
		type attempt struct {
			what   string
			header http.Header
			body   []byte
		}
		var attempts []attempt
		var control attempt
		if rt.Surface == surfacePage {
			withType := func(h http.Header) http.Header {
				h.Set("Content-Type", "application/x-www-form-urlencoded")
				return h
			}
			h, tok := session()
			attempts = append(attempts,
				attempt{"a form without the token", withType(h.Clone()), form("", false)},
				attempt{"a form with an empty token", withType(h.Clone()), form("", true)},
				attempt{"a form with a wrong token", withType(h.Clone()), form(spoil(tok), true)},
				attempt{"a form with another session's token", withType(h.Clone()), form(foreign, true)},
				attempt{"the token in a header instead of the form's field, wrong", withType(http.Header{"Cookie": h["Cookie"], csrfHeader: {"wrong"}}), form("", false)},
			)
			h2, tok2 := session()
			control = attempt{"the right token", withType(h2), form(tok2, true)}
			if rt.Stage == stageFull {
				ah, atok := anonCSRF(e, "a")
				attempts = append(attempts,
					attempt{"an anonymous form without the token", withType(ah.Clone()), form("", false)},
					attempt{"an anonymous form with another browser's token", withType(http.Header{}), form(atok, true)},
				)
				if rt.Action == "public" || rt.Action == "sign_in" {
					ah2, atok2 := anonCSRF(e, "b")
					control = attempt{"the right anonymous token", withType(ah2), form(atok2, true)}
				}
			}
		} else {
			h, tok := session()
			h.Set("Content-Type", "application/json")
			wrong := h.Clone()
			wrong.Set(csrfHeader, spoil(tok))
			other := h.Clone()
			other.Set(csrfHeader, foreign)
			simple := http.Header{"Cookie": h["Cookie"], "Content-Type": {"text/plain"}}
			attempts = append(attempts,
				attempt{"the session cookie without the CSRF header", h, []byte(`{}`)},
				attempt{"the session cookie with a wrong CSRF header", wrong, []byte(`{}`)},
				attempt{"the session cookie with another session's CSRF header", other, []byte(`{}`)},
				attempt{"a cross-site text/plain post with the session cookie", simple, []byte(`{"name":"x"}`)},
			)
			h2, tok2 := session()
			h2.Set("Content-Type", "application/json")
			h2.Set(csrfHeader, tok2)
			control = attempt{"the right CSRF header", h2, []byte(`{}`)}
		}
		for _, a := range attempts {
			before := printer(t)
			rec := inproc(e, "192.0.2.10", rt.Method, path, a.body, a.header)
			body := rec.Body.String()
			refused := rec.Code == http.StatusForbidden && (strings.Contains(body, refusal) || strings.Contains(body, `"code":"forbidden"`))
			// A page step that needs a session sends an anonymous caller to sign in first; that is a refusal too.
			signIn := rec.Code == http.StatusUnauthorized && a.header.Get("Cookie") == ""
			if !refused && !signIn {
				t.Errorf("%s with %s: %d, want 403 for CSRF\n%.300s", key, a.what, rec.Code, body)
			}
			if after := printer(t); after != before {
				t.Errorf("%s with %s: refused, but the database changed", key, a.what)
			}
			checked++
		}
		rec := inproc(e, "192.0.2.11", rt.Method, path, control.body, control.header)
		if rec.Code == http.StatusForbidden && (strings.Contains(rec.Body.String(), refusal) || strings.Contains(rec.Body.String(), errBadCSRF.Error())) {
			t.Errorf("%s with %s: refused for CSRF\n%.300s", key, control.what, rec.Body)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d refusals checked; the routes table was not walked", checked)
	}
	t.Logf("%d refused requests checked", checked)

	// API tokens are exempt by design: a bearer token is never sent by a
	// browser on its own. But they are accepted only under /api/v1, so a
	// token cannot stand in for a page's session and its CSRF check.
	tok := e.token(admin, greyline.ScopeRead, greyline.ScopeWrite)
	bearer := http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
	if rec := inproc(e, "192.0.2.12", "POST", "/api/v1/orgs", []byte(`{"code":"BEARERCO","name":"Bearer Co","kind":"bank"}`), bearer); rec.Code != http.StatusCreated {
		t.Errorf("POST /api/v1/orgs with a bearer token and no CSRF header: %d, want 201\n%s", rec.Code, rec.Body)
	}
	before := printer(t)
	formBearer := http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/x-www-form-urlencoded"}}
	if rec := inproc(e, "192.0.2.12", "POST", "/admin/orgs", []byte("code=PAGECO&name=Page+Co&kind=bank"), formBearer); rec.Code != http.StatusUnauthorized {
		t.Errorf("POST /admin/orgs with a bearer token: %d, want 401", rec.Code)
	}
	if printer(t) != before {
		t.Error("a page form with a bearer token changed the database")
	}
	// The session cookie is SameSite=Lax and HttpOnly, so other sites'
	// posts do not carry it at all in current browsers.
	login := loginResponse(t, e, admin)
	found := false
	for _, ck := range login.Result().Cookies() {
		if ck.Name == sessionCookie {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie: HttpOnly %v, SameSite %v", ck.HttpOnly, ck.SameSite)
			}
		}
	}
	if !found {
		t.Error("sign-in set no session cookie")
	}
}

// loginResponse signs u in through the form, in process.
func loginResponse(t *testing.T, e *testEnv, u *greyline.User) *httptest.ResponseRecorder {
	t.Helper()
	h, tok := anonCSRF(e, "login")
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := inproc(e, "", "POST", "/login", []byte(url.Values{"email": {u.Email}, "password": {testPassword}, csrfField: {tok}, "next": {"/"}}.Encode()), h)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d\n%s", rec.Code, rec.Body)
	}
	return rec
}

// spoil changes the first character of a token.
func spoil(tok string) string {
	if tok[0] == 'x' {
		return "y" + tok[1:]
	}
	return "x" + tok[1:]
}
