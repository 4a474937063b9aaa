package server

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

// Bad input gets a clear 4xx naming the field and the reason, and nothing
// is written: no user, no organisation, no audit event of a write.

// dataSnapshot counts what a refused request must not change.
type dataSnapshot struct {
	Users int
	Orgs  int
	Audit map[string]int // events per watched action
}

// watchedActions are the audit actions of every write the tests attempt.
var watchedActions = []string{
	"auth.login", "session.create",
	"user.create", "user.disable", "user.enable", "user.roles", "user.reset_password", "user.change_password", "user.reset_2fa",
	"org.create", "org.update",
	"token.create", "token.revoke",
	"2fa.enrol",
}

func snapshotOf(t testing.TB, e *testEnv) dataSnapshot {
	t.Helper()
	ctx := context.Background()
	n, err := e.db.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := e.db.ListOrgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := dataSnapshot{Users: n, Orgs: len(orgs), Audit: map[string]int{}}
	for _, a := range watchedActions {
		evs, err := e.db.ListAudit(ctx, greyline.AuditFilter{Action: a, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 500 {
			t.Fatalf("too many %s events to count with one ListAudit call", a)
		}
		s.Audit[a] = len(evs)
	}
	return s
}

// diff is empty when nothing changed since before.
func (s dataSnapshot) diff(before dataSnapshot) string { return cmp.Diff(before, s) }

// problemOf decodes a problem document, failing unless it is one.
func problemOf(t *testing.T, resp *http.Response, body []byte) Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, body)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem document: %v\n%s", err, body)
	}
	if p.Status != resp.StatusCode {
		t.Errorf("problem status %d, response status %d", p.Status, resp.StatusCode)
	}
	return p
}

// rawAPI sends body as is, with the given Content-Type ("" for none).
func rawAPI(t *testing.T, e *testEnv, method, path, token, ctype, body string, cookies ...*http.Cookie) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func fieldErr(field, reason string) greyline.FieldError {
	return greyline.FieldError{Field: field, Reason: reason}
}

func bodyErr(reason string) []greyline.FieldError {
	return []greyline.FieldError{fieldErr("body", reason)}
}

const ctJSON = "application/json"

// knownBug prefixes the failures of a case that fails because of a
// production bug, so that the lead sees why.
func knownBug(bug string) string {
	if bug == "" {
		return ""
	}
	return "KNOWN PRODUCTION BUG (" + bug + "): "
}

func TestBadInputJSON(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	target := e.user(nil, greyline.RoleApplicant)
	tok := "Bearer " + e.token(admin, greyline.ScopeRead, greyline.ScopeWrite)
	org := strconv.FormatInt(e.noTFA.ID, 10)
	// A body POST /api/v1/users accepts, for cases that spoil only one part.
	validUser := `{"org_id":` + org + `,"email":"new.user@example.pk","name":"New User","roles":["reviewer"],"password":"a long enough password"}`
	withField := func(extra string) string { return strings.TrimSuffix(validUser, "}") + "," + extra + "}" }
	users := "/api/v1/users"
	patch := "/api/v1/users/" + strconv.FormatInt(target.ID, 10)
	self := "/api/v1/users/" + strconv.FormatInt(admin.ID, 10)
	orgs := "/api/v1/orgs"

	cases := []struct {
		name         string
		method, path string
		ctype        string // Content-Type; "" sends none
		body         string
		status       int
		code         greyline.Code
		errors       []greyline.FieldError
		bug          string // non-empty: fails until the production bug is fixed
	}{
		// Not JSON, or not one JSON object.
		{name: "syntax error", method: "POST", path: users, ctype: ctJSON, body: `{"email": }`, status: 400, errors: bodyErr("is not valid JSON (at byte 11)")},
		{name: "single quotes", method: "POST", path: users, ctype: ctJSON, body: `{'email': 'x'}`, status: 400, errors: bodyErr("is not valid JSON (at byte 2)")},
		{name: "trailing comma", method: "POST", path: users, ctype: ctJSON, body: `{"email": "x",}`, status: 400, errors: bodyErr("is not valid JSON (at byte 15)")},
		{name: "truncated", method: "POST", path: users, ctype: ctJSON, body: validUser[:len(validUser)/2], status: 400, errors: bodyErr("is not valid JSON (it ends too early)")},
		{name: "truncated after brace", method: "POST", path: users, ctype: ctJSON, body: `{`, status: 400, errors: bodyErr("is not valid JSON (it ends too early)")},
		{name: "empty body", method: "POST", path: users, ctype: ctJSON, body: ``, status: 400, errors: bodyErr("is empty; a JSON object is required")},
		{name: "blank body", method: "POST", path: users, ctype: ctJSON, body: " \n\t ", status: 400, errors: bodyErr("is empty; a JSON object is required")},
		{name: "array", method: "POST", path: users, ctype: ctJSON, body: `[` + validUser + `]`, status: 400, errors: bodyErr("must be a JSON object")},
		{name: "string", method: "POST", path: users, ctype: ctJSON, body: `"admin"`, status: 400, errors: bodyErr("must be a JSON object")},
		{name: "number", method: "POST", path: users, ctype: ctJSON, body: `42`, status: 400, errors: bodyErr("must be a JSON object")},
		{name: "second object", method: "POST", path: users, ctype: ctJSON, body: validUser + ` {}`, status: 400, errors: bodyErr("has data after the JSON object")},
		{name: "trailing garbage", method: "POST", path: users, ctype: ctJSON, body: validUser + `x`, status: 400, errors: bodyErr("has data after the JSON object")},
		// json.Decoder.More() is false before ']' and '}': these were
		// accepted, and created the user, before 30d5de0.
		{name: "trailing bracket", method: "POST", path: users, ctype: ctJSON, body: strings.Replace(validUser, "new.user@", "trailing.bracket@", 1) + `]`, status: 400, errors: bodyErr("has data after the JSON object")},
		{name: "trailing brace and object", method: "POST", path: users, ctype: ctJSON, body: strings.Replace(validUser, "new.user@", "trailing.brace@", 1) + `}{"roles":["admin"]}`, status: 400, errors: bodyErr("has data after the JSON object")},

		// Unknown fields and wrong types name the field.
		{name: "unknown field", method: "POST", path: users, ctype: ctJSON, body: withField(`"is_admin":true`), status: 400, errors: []greyline.FieldError{fieldErr("is_admin", "is not a known field")}},
		// Found by FuzzDecodeJSON (testdata/fuzz/FuzzDecodeJSON/38669aa02134bd8a):
		// the unknown field "" gave a field error without a field name
		// before 30d5de0.
		{name: "unknown field with empty name", method: "POST", path: users, ctype: ctJSON, body: `{"":1}`, status: 400, errors: bodyErr("has a field that is not known")},
		// found by FuzzBodyOrgCreate: a blank or unprintable name is not echoed
		{name: "unknown field with a blank name", method: "POST", path: users, ctype: ctJSON, body: `{" ":1}`, status: 400, errors: bodyErr("has a field that is not known")},
		{name: "unknown field with a control character", method: "POST", path: users, ctype: ctJSON, body: `{"a\u0007":1}`, status: 400, errors: bodyErr("has a field that is not known")},
		{name: "unknown field with escapes", method: "POST", path: users, ctype: ctJSON, body: `{"a\"b":1}`, status: 400, errors: []greyline.FieldError{fieldErr(`a"b`, "is not a known field")}},
		{name: "org_id string", method: "POST", path: users, ctype: ctJSON, body: `{"org_id":"x"}`, status: 400, errors: []greyline.FieldError{fieldErr("org_id", "must be a whole number")}},
		{name: "org_id fraction", method: "POST", path: users, ctype: ctJSON, body: `{"org_id":1.5}`, status: 400, errors: []greyline.FieldError{fieldErr("org_id", "must be a whole number")}},
		{name: "org_id overflow", method: "POST", path: users, ctype: ctJSON, body: `{"org_id":99999999999999999999}`, status: 400, errors: []greyline.FieldError{fieldErr("org_id", "must be a whole number")}},
		{name: "roles string", method: "POST", path: users, ctype: ctJSON, body: `{"roles":"admin"}`, status: 400, errors: []greyline.FieldError{fieldErr("roles", "must be a list")}},
		{name: "roles element number", method: "POST", path: users, ctype: ctJSON, body: `{"roles":["admin",5]}`, status: 400, errors: []greyline.FieldError{fieldErr("roles", "must be a string")}},
		{name: "email number", method: "POST", path: users, ctype: ctJSON, body: `{"email":5}`, status: 400, errors: []greyline.FieldError{fieldErr("email", "must be a string")}},
		{name: "password object", method: "POST", path: users, ctype: ctJSON, body: `{"password":{}}`, status: 400, errors: []greyline.FieldError{fieldErr("password", "must be a string")}},

		// Content-Type.
		{name: "text/plain", method: "POST", path: users, ctype: "text/plain", body: validUser, status: 400, errors: []greyline.FieldError{fieldErr("Content-Type", "must be application/json")}},
		{name: "no Content-Type", method: "POST", path: users, ctype: "", body: validUser, status: 400, errors: []greyline.FieldError{fieldErr("Content-Type", "must be application/json")}},
		{name: "form Content-Type", method: "POST", path: users, ctype: "application/x-www-form-urlencoded", body: "email=new.user%40example.pk", status: 400, errors: []greyline.FieldError{fieldErr("Content-Type", "must be application/json")}},
		{name: "text/json", method: "POST", path: users, ctype: "text/json", body: validUser, status: 400, errors: []greyline.FieldError{fieldErr("Content-Type", "must be application/json")}},

		// Invalid values: POST /api/v1/users.
		{name: "user: every field wrong", method: "POST", path: users, ctype: ctJSON,
			body:   `{"org_id":0,"email":"bad","name":" ","roles":["wizard"],"password":"short"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("email", "is not a valid e-mail address"), fieldErr("name", "is required"), fieldErr("org_id", "is required"), fieldErr("password", "must be at least 12 characters"), fieldErr("roles", `unknown role "wizard"`)}},
		{name: "user: nothing given", method: "POST", path: users, ctype: ctJSON, body: `{}`,
			status: 400, errors: []greyline.FieldError{fieldErr("email", "is required"), fieldErr("name", "is required"), fieldErr("org_id", "is required"), fieldErr("password", "is required"), fieldErr("roles", "at least one role is required")}},
		{name: "user: no such organisation", method: "POST", path: users, ctype: ctJSON, body: strings.Replace(validUser, `"org_id":`+org, `"org_id":999999`, 1),
			status: 400, errors: []greyline.FieldError{fieldErr("org_id", "no such organisation")}},
		{name: "user: name too long", method: "POST", path: users, ctype: ctJSON, body: strings.Replace(validUser, `"New User"`, `"`+strings.Repeat("n", 201)+`"`, 1),
			status: 400, errors: []greyline.FieldError{fieldErr("name", "must be at most 200 characters")}},
		{name: "user: e-mail in use", method: "POST", path: users, ctype: ctJSON, body: strings.Replace(validUser, "new.user@example.pk", target.Email, 1),
			status: 409, code: greyline.ECONFLICT, errors: []greyline.FieldError{fieldErr("email", "is already in use")}},

		// Invalid values: POST /api/v1/orgs.
		{name: "org: every field wrong", method: "POST", path: orgs, ctype: ctJSON, body: `{"code":"x","name":"","kind":"castle"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("code", "must be 2 to 16 letters, digits or hyphens"), fieldErr("kind", "must be one of agency, bank, telco, exchange, business, other"), fieldErr("name", "is required")}},
		{name: "org: require_2fa string", method: "POST", path: orgs, ctype: ctJSON, body: `{"code":"NEWCO","name":"New Co","kind":"bank","require_2fa":"yes"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("require_2fa", "must be true or false")}},
		{name: "org: id given", method: "POST", path: orgs, ctype: ctJSON, body: `{"id":7,"code":"NEWCO","name":"New Co","kind":"bank"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("id", "is not a known field")}},
		{name: "org: code in use", method: "POST", path: orgs, ctype: ctJSON, body: `{"code":"testco","name":"Copy","kind":"bank"}`,
			status: 409, code: greyline.ECONFLICT, errors: []greyline.FieldError{fieldErr("code", "is already in use")}},
		{name: "org update: empty name", method: "PATCH", path: "/api/v1/orgs/" + org, ctype: ctJSON, body: `{"name":"  "}`,
			status: 400, errors: []greyline.FieldError{fieldErr("name", "is required")}},
		{name: "org update: require_2fa string", method: "PATCH", path: "/api/v1/orgs/" + org, ctype: ctJSON, body: `{"require_2fa":"on"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("require_2fa", "must be true or false")}},

		// Invalid values: PATCH /api/v1/users/{id}.
		{name: "patch: unknown role", method: "PATCH", path: patch, ctype: ctJSON, body: `{"roles":["admin","wizard"]}`,
			status: 400, errors: []greyline.FieldError{fieldErr("roles", `unknown role "wizard"`)}},
		{name: "patch: unknown role with disable", method: "PATCH", path: patch, ctype: ctJSON, body: `{"disabled":true,"roles":["wizard"]}`,
			status: 400, errors: []greyline.FieldError{fieldErr("roles", `unknown role "wizard"`)}},
		{name: "patch: no roles", method: "PATCH", path: patch, ctype: ctJSON, body: `{"roles":[]}`,
			status: 400, errors: []greyline.FieldError{fieldErr("roles", "at least one role is required")}},
		{name: "patch: nothing to change", method: "PATCH", path: patch, ctype: ctJSON, body: `{}`,
			status: 400, errors: bodyErr("must change disabled or roles")},
		{name: "patch: disabled string", method: "PATCH", path: patch, ctype: ctJSON, body: `{"disabled":"yes"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("disabled", "must be true or false")}},
		{name: "patch: roles string", method: "PATCH", path: patch, ctype: ctJSON, body: `{"roles":"admin"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("roles", "must be a list")}},
		{name: "patch: email", method: "PATCH", path: patch, ctype: ctJSON, body: `{"email":"x@example.pk"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("email", "is not a known field")}},
		{name: "patch: disable self", method: "PATCH", path: self, ctype: ctJSON, body: `{"disabled":true}`,
			status: 409, code: greyline.ECONFLICT},
		{name: "reset password: too short", method: "POST", path: patch + "/reset-password", ctype: ctJSON, body: `{"password":"short"}`,
			status: 400, errors: []greyline.FieldError{fieldErr("password", "must be at least 12 characters")}},

		// Bad query parameters.
		{name: "users: org_id not a number", method: "GET", path: users + "?org_id=abc", status: 400, errors: []greyline.FieldError{fieldErr("org_id", "must be a whole number")}},
		{name: "users: negative offset", method: "GET", path: users + "?offset=-1", status: 400, errors: []greyline.FieldError{fieldErr("offset", "must be a whole number")}},
		{name: "audit: limit zero", method: "GET", path: "/api/v1/audit?limit=0", status: 400, errors: []greyline.FieldError{fieldErr("limit", "must be a whole number from 1 to 500")}},
		{name: "audit: bad date", method: "GET", path: "/api/v1/audit?from=yesterday", status: 400, errors: []greyline.FieldError{fieldErr("from", "must be a date written YYYY-MM-DD")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bug := knownBug(tc.bug)
			code := tc.code
			if code == "" {
				code = greyline.EINVALID
			}
			before := snapshotOf(t, e)
			resp, body := rawAPI(t, e, tc.method, tc.path, tok, tc.ctype, tc.body)
			defer func() {
				if diff := snapshotOf(t, e).diff(before); diff != "" {
					t.Errorf("%srefused request changed data (-before +after):\n%s", bug, diff)
				}
			}()
			if resp.StatusCode != tc.status {
				t.Errorf("%sstatus %d, want %d\n%s", bug, resp.StatusCode, tc.status, body)
				return
			}
			p := problemOf(t, resp, body)
			if p.Code != code {
				t.Errorf("%scode %q, want %q", bug, p.Code, code)
			}
			if diff := cmp.Diff(tc.errors, p.Errors); diff != "" {
				t.Errorf("%serrors (-want +got):\n%s", bug, diff)
			}
		})
	}

	// The counts do notice a write: a valid request changes them.
	t.Run("control: valid request writes", func(t *testing.T) {
		before := snapshotOf(t, e)
		resp, body := rawAPI(t, e, "POST", users, tok, "application/json; charset=utf-8", validUser)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("status %d\n%s", resp.StatusCode, body)
		}
		after := snapshotOf(t, e)
		if after.Users != before.Users+1 || after.Audit["user.create"] != before.Audit["user.create"]+1 {
			t.Errorf("snapshot did not see the new user: before %+v after %+v", before, after)
		}
	})
}

func TestBadInputOversize(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{MaxBodyBytes: 4096}})
	admin := e.user(nil, greyline.RoleAdmin)
	tok := "Bearer " + e.token(admin, greyline.ScopeRead, greyline.ScopeWrite)
	big := strings.Repeat("x", 5000)
	tooLarge := bodyErr("is larger than the server accepts")

	t.Run("JSON", func(t *testing.T) {
		before := snapshotOf(t, e)
		body := `{"org_id":` + strconv.FormatInt(e.noTFA.ID, 10) + `,"email":"big@example.pk","name":"` + big + `","roles":["reviewer"],"password":"a long enough password"}`
		resp, b := rawAPI(t, e, "POST", "/api/v1/users", tok, ctJSON, body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413\n%s", resp.StatusCode, b)
		}
		p := problemOf(t, resp, b)
		if p.Code != greyline.EINVALID {
			t.Errorf("code %q, want invalid", p.Code)
		}
		if diff := cmp.Diff(tooLarge, p.Errors); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		if diff := snapshotOf(t, e).diff(before); diff != "" {
			t.Errorf("changed data (-before +after):\n%s", diff)
		}
	})

	t.Run("form", func(t *testing.T) {
		c := e.client()
		c.login(admin)
		form := url.Values{"csrf": {c.csrf("/admin/users/new")}, "org_id": {strconv.FormatInt(e.noTFA.ID, 10)}, "email": {"big@example.pk"},
			"name": {big}, "roles": {"reviewer"}, "password": {"a long enough password"}}
		before := snapshotOf(t, e)
		resp, body := c.post("/admin/users", form, "")
		// (parseForm once turned the *http.MaxBytesError into a 400.)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type %q, want the HTML error page", ct)
		}
		if diff := cmp.Diff(tooLarge, errorPageFields(body)); diff != "" {
			t.Errorf("error page fields (-want +got):\n%s", diff)
		}
		if diff := snapshotOf(t, e).diff(before); diff != "" {
			t.Errorf("changed data (-before +after):\n%s", diff)
		}
	})
}

func TestBadInputCredentials(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	valid := e.token(admin, greyline.ScopeRead, greyline.ScopeWrite)

	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: admin.ID, OrgID: admin.OrgID})
	revoked, rt, err := e.db.CreateAPIToken(ctx, admin.ID, greyline.NewAPIToken{Name: "revoked", Scopes: []string{"read", "write"}, ExpiresIn: 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.RevokeAPIToken(ctx, admin.ID, rt.ID); err != nil {
		t.Fatal(err)
	}
	gone := e.user(nil, greyline.RoleAdmin)
	goneTok := e.token(gone, greyline.ScopeRead, greyline.ScopeWrite)
	if err := e.db.SetUserDisabled(e.sys, gone.ID, true); err != nil {
		t.Fatal(err)
	}

	// Sanity: the valid token works, so failures below are the credential's.
	if resp, b := rawAPI(t, e, "GET", "/api/v1/me", "Bearer "+valid, "", ""); resp.StatusCode != 200 {
		t.Fatalf("valid token: %d %s", resp.StatusCode, b)
	}
	newOrg := `{"code":"CREDCO","name":"Cred Co","kind":"bank"}`
	cases := []struct {
		name, header string
	}{
		{"missing", ""},
		{"basic scheme", "Basic YWRtaW46cGFzc3dvcmQ="},
		{"scheme only", "Bearer"},
		{"scheme and space", "Bearer "},
		{"other scheme, valid secret", "Token " + valid},
		{"valid secret without scheme", valid},
		{"extra words", "Bearer " + valid + " please"},
		{"unknown token", "Bearer glt_0000000000000000000000000000000000000000"},
		{"not a token", "Bearer hunter2"},
		{"revoked token", "Bearer " + revoked},
		{"disabled user's token", "Bearer " + goneTok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotOf(t, e)
			for _, r := range []struct{ method, path, body string }{{"GET", "/api/v1/me", ""}, {"POST", "/api/v1/orgs", newOrg}} {
				ct := ""
				if r.body != "" {
					ct = ctJSON
				}
				resp, b := rawAPI(t, e, r.method, r.path, tc.header, ct, r.body)
				checkUnauthenticated(t, r.method+" "+r.path, resp, b)
			}
			if diff := snapshotOf(t, e).diff(before); diff != "" {
				t.Errorf("changed data (-before +after):\n%s", diff)
			}
		})
	}
}

// checkUnauthenticated expects a 401 problem document with a Bearer challenge.
func checkUnauthenticated(t *testing.T, what string, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("%s: status %d, want 401\n%s", what, resp.StatusCode, body)
		return
	}
	p := problemOf(t, resp, body)
	if p.Code != greyline.EUNAUTHENTICATED || len(p.Errors) != 0 {
		t.Errorf("%s: problem %+v, want code unauthenticated and no field errors", what, p)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="greyline"` {
		t.Errorf("%s: WWW-Authenticate %q", what, got)
	}
}

// TestBadInputExpiredCredentials moves the clock, so it has its own env.
func TestBadInputExpiredCredentials(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAdmin)
	ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
	secret, _, err := e.db.CreateAPIToken(ctx, u.ID, greyline.NewAPIToken{Name: "short", Scopes: []string{"read", "write"}, ExpiresIn: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login(u)
	base, _ := url.Parse(e.ts.URL)
	var sess *http.Cookie
	for _, ck := range c.http.Jar.Cookies(base) {
		if ck.Name == sessionCookie {
			sess = ck
		}
	}
	if sess == nil {
		t.Fatal("no session cookie after sign-in")
	}
	if resp, _ := c.get("/account"); resp.StatusCode != 200 {
		t.Fatalf("fresh session: /account %d", resp.StatusCode)
	}
	newOrg := `{"code":"LATECO","name":"Late Co","kind":"bank"}`

	t.Run("session idle for 31 minutes", func(t *testing.T) {
		e.clock.Add(31 * time.Minute)
		before := snapshotOf(t, e)
		// The API, with the session cookie, answers 401…
		resp, b := rawAPI(t, e, "GET", "/api/v1/me", "", "", "", sess)
		checkUnauthenticated(t, "GET /api/v1/me", resp, b)
		// …and the page sends the browser to sign in, clearing the cookie.
		resp, _ = c.get("/account")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Faccount" {
			t.Errorf("GET /account: %d %q, want 303 to /login?next=%%2Faccount", resp.StatusCode, resp.Header.Get("Location"))
		}
		cleared := false
		for _, ck := range resp.Cookies() {
			cleared = cleared || ck.Name == sessionCookie && ck.MaxAge < 0
		}
		if !cleared {
			t.Errorf("expired session cookie not cleared")
		}
		if diff := snapshotOf(t, e).diff(before); diff != "" {
			t.Errorf("changed data (-before +after):\n%s", diff)
		}
	})

	t.Run("token past expiry", func(t *testing.T) {
		if resp, b := rawAPI(t, e, "GET", "/api/v1/me", "Bearer "+secret, "", ""); resp.StatusCode != 200 {
			t.Fatalf("token before expiry: %d %s", resp.StatusCode, b)
		}
		e.clock.Add(24 * time.Hour)
		before := snapshotOf(t, e)
		resp, b := rawAPI(t, e, "GET", "/api/v1/me", "Bearer "+secret, "", "")
		checkUnauthenticated(t, "GET /api/v1/me", resp, b)
		resp, b = rawAPI(t, e, "POST", "/api/v1/orgs", "Bearer "+secret, ctJSON, newOrg)
		checkUnauthenticated(t, "POST /api/v1/orgs", resp, b)
		if diff := snapshotOf(t, e).diff(before); diff != "" {
			t.Errorf("changed data (-before +after):\n%s", diff)
		}
	})
}

var (
	// The error page lists field errors as "<li>field: reason</li>".
	errorPageFieldRE = regexp.MustCompile(`<li>([^<:]+): ([^<]*)</li>`)
	// A form's error summary lists them as links to the fields.
	formSummaryRE = regexp.MustCompile(`<li><a href="#f-([^"]+)">[^<]*</a>:? ([^<]*)</li>`)
)

func errorPageFields(body string) []greyline.FieldError {
	var out []greyline.FieldError
	for _, m := range errorPageFieldRE.FindAllStringSubmatch(body, -1) {
		out = append(out, greyline.FieldError{Field: html.UnescapeString(m[1]), Reason: html.UnescapeString(m[2])})
	}
	return out
}

// formErrors reads the error summary above a form shown again with errors.
func formErrors(body string) []greyline.FieldError {
	i := strings.Index(body, `id="form-errors"`)
	if i < 0 {
		return nil
	}
	summary := body[i:]
	if j := strings.Index(summary, "</div>"); j >= 0 {
		summary = summary[:j]
	}
	var out []greyline.FieldError
	for _, m := range formSummaryRE.FindAllStringSubmatch(summary, -1) {
		out = append(out, greyline.FieldError{Field: html.UnescapeString(m[1]), Reason: html.UnescapeString(m[2])})
	}
	return out
}

func TestBadInputCSRF(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	victim := e.user(nil, greyline.RoleApplicant)
	c := e.client()
	c.login(admin)
	good := c.csrf("/admin/users/new")
	otherAdmin := e.client()
	otherAdmin.login(e.user(nil, greyline.RoleAdmin))
	foreign := otherAdmin.csrf("/")
	anonC := e.client()
	anonTok := anonC.csrf("/login")

	newUser := func() url.Values {
		return url.Values{"org_id": {strconv.FormatInt(e.noTFA.ID, 10)}, "email": {"csrf.victim@example.pk"}, "name": {"Csrf"},
			"roles": {"admin"}, "password": {"a long enough password"}}
	}
	with := func(v url.Values, csrf string) url.Values { v.Set("csrf", csrf); return v }
	disable := "/admin/users/" + strconv.FormatInt(victim.ID, 10) + "/disable"
	newOrg := url.Values{"code": {"CSRFCO"}, "name": {"Csrf Co"}, "kind": {"bank"}}
	login := func() url.Values {
		return url.Values{"email": {victim.Email}, "password": {testPassword}, "next": {"/"}}
	}
	cases := []struct {
		name string
		c    *client
		path string
		form url.Values // sent as is: "csrf" only when set
	}{
		{"create user, no token", c, "/admin/users", newUser()},
		{"create user, empty token", c, "/admin/users", with(newUser(), "")},
		{"create user, wrong token", c, "/admin/users", with(newUser(), "not-the-token")},
		{"create user, token of another session", c, "/admin/users", with(newUser(), foreign)},
		{"create user, pre-sign-in token", c, "/admin/users", with(newUser(), anonTok)},
		{"create user, token with a byte changed", c, "/admin/users", with(newUser(), good[:len(good)-1]+string(good[len(good)-1]^1))},
		{"create org, no token", c, "/admin/orgs", newOrg},
		{"disable user, no token", c, disable, url.Values{}},
		{"disable user, wrong token", c, disable, url.Values{"csrf": {"x"}}},
		{"sign in, no token", anonC, "/login", login()},
		{"sign in, another browser's token", e.client(), "/login", with(login(), anonTok)},
	}
	want := template.HTMLEscapeString(greyline.ErrorMessage(errBadCSRF))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotOf(t, e)
			resp, err := tc.c.http.PostForm(e.ts.URL+tc.path, tc.form)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `<p class="lead">`+want+`</p>`) {
				t.Errorf("want the HTML error page with the CSRF message; got %q\n%s", ct, body)
			}
			if diff := snapshotOf(t, e).diff(before); diff != "" {
				t.Errorf("changed data (-before +after):\n%s", diff)
			}
		})
	}
	// The same requests with the right token do work.
	if resp, body := c.post("/admin/users", with(newUser(), good), ""); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("control: create user with the token: %d\n%s", resp.StatusCode, body)
	}
}

func TestBadInputForms(t *testing.T) {
	e := newEnv(t)
	admin := e.user(nil, greyline.RoleAdmin)
	target := e.user(nil, greyline.RoleApplicant)
	c := e.client()
	c.login(admin)
	csrf := c.csrf("/")
	org := strconv.FormatInt(e.noTFA.ID, 10)
	userForm := func(kv ...string) url.Values {
		v := url.Values{"org_id": {org}, "email": {"form.user@example.pk"}, "name": {"Form User"}, "roles": {"reviewer"}, "password": {"a long enough password"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	userPath := "/admin/users/" + strconv.FormatInt(target.ID, 10)
	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		errors []greyline.FieldError
	}{
		{"user: every field wrong", "/admin/users", url.Values{"org_id": {"x"}, "email": {"bad"}, "name": {""}, "roles": {"wizard"}, "password": {"short"}},
			400, []greyline.FieldError{fieldErr("email", "is not a valid e-mail address"), fieldErr("name", "is required"), fieldErr("org_id", "must be a valid choice"), fieldErr("password", "must be at least 12 characters"), fieldErr("roles", `unknown role "wizard"`)}},
		{"user: empty form", "/admin/users", url.Values{},
			400, []greyline.FieldError{fieldErr("email", "is required"), fieldErr("name", "is required"), fieldErr("org_id", "is required"), fieldErr("password", "is required"), fieldErr("roles", "at least one role is required")}},
		{"user: no organisation", "/admin/users", userForm("org_id", ""), 400, []greyline.FieldError{fieldErr("org_id", "is required")}},
		{"user: negative organisation", "/admin/users", userForm("org_id", "-3"), 400, []greyline.FieldError{fieldErr("org_id", "must be a valid choice")}},
		{"user: no such organisation", "/admin/users", userForm("org_id", "999999"), 400, []greyline.FieldError{fieldErr("org_id", "no such organisation")}},
		{"user: e-mail in use", "/admin/users", userForm("email", target.Email), 409, []greyline.FieldError{fieldErr("email", "is already in use")}},
		{"org: every field wrong", "/admin/orgs", url.Values{"code": {"x"}, "name": {""}, "kind": {"castle"}},
			400, []greyline.FieldError{fieldErr("code", "must be 2 to 16 letters, digits or hyphens"), fieldErr("kind", "must be one of agency, bank, telco, exchange, business, other"), fieldErr("name", "is required")}},
		{"org: code in use", "/admin/orgs", url.Values{"code": {"TESTCO"}, "name": {"Copy"}, "kind": {"bank"}}, 409, []greyline.FieldError{fieldErr("code", "is already in use")}},
		{"org update: empty name", "/admin/orgs/" + org, url.Values{"name": {" "}}, 400, []greyline.FieldError{fieldErr("name", "is required")}},
		{"roles: unknown", userPath + "/roles", url.Values{"roles": {"wizard"}}, 400, []greyline.FieldError{fieldErr("roles", "unknown role")}},
		{"roles: none", userPath + "/roles", url.Values{}, 400, []greyline.FieldError{fieldErr("roles", "at least one role is required")}},
		{"reset password: too short", userPath + "/reset-password", url.Values{"password": {"short"}}, 400, []greyline.FieldError{fieldErr("password", "must be at least 12 characters")}},
		{"token: every field wrong", "/account/tokens", url.Values{"name": {""}, "scopes": {"admin"}, "expires_in_days": {"400"}},
			400, []greyline.FieldError{fieldErr("expires_in_days", "must be between 1 and 365"), fieldErr("name", "is required"), fieldErr("scopes", `unknown scope "admin"`)}},
		{"token: expiry not a number", "/account/tokens", url.Values{"name": {"ci"}, "scopes": {"read"}, "expires_in_days": {"soon"}},
			400, []greyline.FieldError{fieldErr("expires_in_days", "must be a whole number")}},
		{"password: wrong current, short new", "/account/password", url.Values{"current_password": {"not my password"}, "new_password": {"short"}},
			400, []greyline.FieldError{fieldErr("current_password", "is not your current password"), fieldErr("new_password", "must be at least 12 characters")}},
		{"password: new same as current", "/account/password", url.Values{"current_password": {testPassword}, "new_password": {testPassword}},
			400, []greyline.FieldError{fieldErr("new_password", "must differ from the current password")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotOf(t, e)
			tc.form.Set("csrf", csrf)
			resp, body := c.post(tc.path, tc.form, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want the form again", ct)
			}
			if !strings.Contains(body, `<form method="post"`) {
				t.Errorf("the form was not shown again\n%s", body)
			}
			if diff := cmp.Diff(tc.errors, formErrors(body)); diff != "" {
				t.Errorf("form errors (-want +got):\n%s", diff)
			}
			// Every named field is marked next to its input, too.
			inline := regexp.MustCompile(`<p class="err"[^>]*>[^<]*</p>`).FindAllString(body, -1)
			for _, f := range tc.errors {
				if !slices.ContainsFunc(inline, func(p string) bool { return strings.HasSuffix(p, " "+template.HTMLEscapeString(f.Reason)+"</p>") }) {
					t.Errorf("field %s: reason %q not shown next to the input (inline errors: %q)", f.Field, f.Reason, inline)
				}
			}
			if diff := snapshotOf(t, e).diff(before); diff != "" {
				t.Errorf("changed data (-before +after):\n%s", diff)
			}
		})
	}
}

// decodeTargets are the request types the API decodes.
func decodeTargets() []any {
	return []any{&greyline.NewUser{}, &userPatch{}, &greyline.NewAPIToken{}}
}

func addDecodeSeeds(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `null`, `[]`, `"x"`, `0`, `{`, `}`, `{"`, `{} {}`, `{}x`, "\xef\xbb\xbf{}", "\xff",
		`{"org_id":1,"email":"a@example.pk","name":"A","roles":["admin"],"password":"a long enough password"}`,
		`{"org_id":"x"}`, `{"org_id":1e999}`, `{"org_id":-1}`, `{"roles":"admin"}`, `{"roles":[1]}`, `{"roles":[null]}`,
		`{"disabled":true}`, `{"disabled":"yes"}`, `{"roles":{"a":1}}`,
		`{"name":"ci","scopes":["read","write"],"expires_in_days":30}`, `{"scopes":[[]]}`, `{"expires_in_days":1.5}`,
		`{"unknown":1}`, `{"a\"b":1}`, `{"Org_ID":1}`, `{"email":"\ud800"}`, `[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecodeJSON: decoding never panics, and every refusal is an invalid
// greyline.Error naming at least one field and a reason.
func FuzzDecodeJSON(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range decodeTargets() {
			err := decodeJSONBytes(body, v)
			if err == nil {
				continue
			}
			ge, ok := err.(*greyline.Error)
			if !ok {
				t.Fatalf("%T: error %v is a %T, want *greyline.Error", v, err, err)
			}
			if ge.Code != greyline.EINVALID || len(ge.Fields) == 0 || ge.Message == "" {
				t.Fatalf("%T: error %#v, want code invalid with a message and at least one field", v, ge)
			}
			for _, fe := range ge.Fields {
				if fe.Field == "" || fe.Reason == "" {
					t.Fatalf("%T: field error %+v lacks a field or a reason", v, fe)
				}
			}
			if !errors.Is(err, greyline.ErrInvalid) || HTTPStatus(greyline.ErrorCode(err)) != http.StatusBadRequest {
				t.Fatalf("%T: %v does not map to 400", v, err)
			}
		}
	})
}

// FuzzDecodeJSONAcceptsOnlyJSON: what decodeJSONBytes accepts is one valid
// JSON document (with surrounding white space at most).
func FuzzDecodeJSONAcceptsOnlyJSON(f *testing.F) {
	addDecodeSeeds(f)
	// Data after the object starting with ']' or '}' was accepted before
	// 30d5de0 (json.Decoder.More is false there). The fuzzer found `{}]` by
	// itself (testdata/fuzz/FuzzDecodeJSONAcceptsOnlyJSON).
	f.Add([]byte(`{"disabled":true}}{"roles":["admin"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range decodeTargets() {
			if err := decodeJSONBytes(body, v); err == nil && !json.Valid(body) {
				t.Fatalf("decodeJSONBytes(%q) into %T accepted input that is not one JSON document", body, v)
			}
		}
	})
}

// TestBadInputTokensThroughSession: tokens are managed with a signed-in
// session (an API token may not mint tokens), and bad input still names
// the field.
func TestBadInputTokensThroughSession(t *testing.T) {
	e := newEnv(t)
	u := e.user(nil, greyline.RoleAnalyst)
	c := e.client()
	c.login(u)
	csrf := c.csrf("/")
	tests := []struct {
		name, body string
		want       []greyline.FieldError
	}{
		{"every field wrong", `{"name":"","scopes":["admin"],"expires_in_days":0}`,
			[]greyline.FieldError{fieldErr("expires_in_days", "must be between 1 and 365"), fieldErr("name", "is required"), fieldErr("scopes", `unknown scope "admin"`)}},
		{"no scopes, too long", `{"name":"ci","scopes":[],"expires_in_days":366}`,
			[]greyline.FieldError{fieldErr("expires_in_days", "must be between 1 and 365"), fieldErr("scopes", "at least one scope is required")}},
		{"scopes string", `{"name":"ci","scopes":"read","expires_in_days":30}`, []greyline.FieldError{fieldErr("scopes", "must be a list")}},
		{"expiry string", `{"name":"ci","scopes":["read"],"expires_in_days":"30"}`, []greyline.FieldError{fieldErr("expires_in_days", "must be a whole number")}},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/tokens", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(csrfHeader, csrf)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p Problem
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s: status %d", tt.name, resp.StatusCode)
		}
		if diff := cmp.Diff(tt.want, p.Errors); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if toks, _ := e.db.ListAPITokens(e.sys, u.ID); len(toks) != 0 {
		t.Errorf("refused requests created %d tokens", len(toks))
	}
	// A bearer token, even with the write scope, cannot mint another.
	resp, _ := e.api("POST", "/api/v1/tokens", e.token(u, "read", "write"), map[string]any{"name": "more", "scopes": []string{"read"}, "expires_in_days": 30})
	if resp.StatusCode != 403 {
		t.Errorf("token minted a token: %d, want 403", resp.StatusCode)
	}
}
