package server

// Known secrets and personal data, sent through every path that logs
// (requests carrying them in bodies, query strings and headers; refusals;
// internal errors; panics), never reach the logs.

import (
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore"
)

func TestLogsHoldNoSecretsOrPersonalData(t *testing.T) {
	master := keys.Generate()
	dbKeys, err := keys.New(master)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, envOptions{cfg: Config{LookupRate: 1000, LoginRate: 1000, ReportRate: 1000}, tune: func(o *sqlstore.Options) { o.Keys = dbKeys }})
	// The server's handlers, as `serve --log-format json|text --log-level debug` builds them.
	text := &syncBuffer{}
	e.srv.log = slog.New(slog.NewMultiHandler(
		slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewTextHandler(text, &slog.HandlerOptions{Level: slog.LevelDebug})))

	const (
		cnic, cnicDigits   = "35202-9876543-1", "3520298765431"
		phone, phoneE164   = "03219876543", "+923219876543"
		name, email        = "Zarmeena Logtest-Qureshi", "zarmeena.logtest@example.pk"
		passport           = "XK9876543"
		wrongPassword      = "Wrong-Password-Logtest-1"
		createdPassword    = "Created-Password-Logtest-3"
		resetPassword      = "Reset-Password-Logtest-2"
		changedPassword    = "Changed-Password-Logtest-4"
		bogusToken         = "glt_BogusTokenLogtest0123456789abcdefABCDEF"
		otherSecretInQuery = "QuerySecretLogtest-5"
	)
	secrets := map[string]string{
		"CNIC": cnic, "CNIC digits": cnicDigits, "phone": phone, "phone E.164": phoneE164, "complainant name": name, "complainant e-mail": email,
		"passport": passport, "password": testPassword, "wrong password": wrongPassword, "created password": createdPassword,
		"reset password": resetPassword, "changed password": changedPassword, "bogus token": bogusToken, "query secret": otherSecretInQuery,
		"master secret": hex.EncodeToString(master),
	}
	add := func(what, v string) {
		if v == "" {
			t.Fatalf("no %s to look for", what)
		}
		secrets[what] = v
	}

	admin := e.user(nil, greyline.RoleAdmin)
	inv := e.user(nil, greyline.RoleInvestigator, greyline.RoleAnalyst)
	partner := e.user(e.otherO, greyline.RolePartner)
	adminTok, invTok, partnerTok := e.token(admin, "read", "write"), e.token(inv, "read", "write"), e.token(partner, "read", "write")
	add("admin token", adminTok)
	add("investigator token", invTok)
	add("partner token", partnerTok)
	jsonReq := func(method, path, tok, body string, extra http.Header) *http.Response {
		h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + tok}}
		for k, v := range extra {
			h[k] = v
		}
		return inproc(e, "", method, path, []byte(body), h).Result()
	}

	// Signing in: a wrong password, the right one, a session, CSRF tokens.
	c := e.client()
	c.post("/login", url.Values{"email": {admin.Email}, "password": {wrongPassword}}, "/login")
	c.login(admin)
	add("session", sessionCookieOf(c))
	add("CSRF token", c.csrf("/"))
	// A second factor: the secret shown at enrolment and the recovery codes.
	_, page := c.get("/account/2fa")
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7=]+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no TOTP secret on /account/2fa")
	}
	add("TOTP secret", m[1])
	_, page = c.post("/account/2fa", url.Values{"code": {e.totpNow(m[1])}}, "/account/2fa")
	codes := regexp.MustCompile(`<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})</code></li>`).FindAllStringSubmatch(page, -1)
	if len(codes) == 0 {
		t.Fatalf("no recovery codes shown:\n%s", page)
	}
	add("recovery code", codes[0][1])
	// An API token made on the account page, shown once.
	_, page = c.post("/account/tokens", url.Values{"name": {"ci"}, "scopes": {"read"}, "expires_in_days": {"30"}}, "/account")
	m = regexp.MustCompile(`(glt_[A-Za-z0-9_-]{20,})`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no new token on the account page:\n%s", page)
	}
	add("token made on the page", m[1])

	// Users and passwords through the API; a bogus token; secrets in the
	// query string and in headers.
	jsonReq("POST", "/api/v1/users", adminTok, `{"org_id":`+strconv.FormatInt(e.noTFA.ID, 10)+`,"email":"`+email+`","name":"`+name+`","roles":["analyst"],"password":"`+createdPassword+`"}`, nil)
	jsonReq("POST", "/api/v1/users/"+strconv.FormatInt(inv.ID, 10)+"/reset-password", adminTok, `{"password":"`+resetPassword+`"}`, nil)
	jsonReq("GET", "/api/v1/me?access_token="+otherSecretInQuery+"&cnic="+cnic, bogusToken, "", nil)
	jsonReq("GET", "/api/v1/me", adminTok, "", http.Header{"X-Api-Key": {otherSecretInQuery}, "X-Forwarded-For": {phone}, "X-Complainant": {name}})
	c.post("/account/password", url.Values{"current_password": {wrongPassword}, "new_password": {changedPassword}}, "/account")

	// A complaint with the complainant's details, read back in full; its
	// tracking code; lookups of the CNIC and phone.
	resp := jsonReq("POST", "/api/v1/complaints", partnerTok, `{"external_ref":"LOG-1","complainant":{"name":"`+name+`","cnic":"`+cnic+`","phone":"`+phone+`","email":"`+email+`","city":"Lahore"},`+
		`"category":"other","contact_method":"call","incident_at":"2026-01-01T10:00:00Z","payment_method":"none","narrative":"`+name+` (CNIC `+cnic+`) was called from `+phone+`."}`,
		http.Header{"Idempotency-Key": {"key-" + cnicDigits}})
	var created createdComplaint
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || created.Complaint == nil {
		t.Fatalf("complaint: %d %v", resp.StatusCode, err)
	}
	add("tracking code", created.TrackingCode)
	cid := strconv.FormatInt(created.ID, 10)
	jsonReq("GET", "/api/v1/complaints/"+cid+"/complainant", invTok, "", nil)
	jsonReq("POST", "/api/v1/complaints", partnerTok, `{"complainant":{"name":"`+name+`","cnic":"`+cnic+`x","email":"`+email+`@"}}`, nil)
	for _, p := range []string{"/verify?q=" + url.QueryEscape(cnic), "/api/v1/verify?q=" + url.QueryEscape(phoneE164),
		"/track?reference=" + url.QueryEscape(created.Reference) + "&code=" + url.QueryEscape(created.TrackingCode),
		"/api/v1/complaints/track?reference=" + url.QueryEscape(created.Reference) + "&code=" + url.QueryEscape(created.TrackingCode),
		"/login?next=" + url.QueryEscape("/complaints?cnic="+cnic)} {
		inproc(e, "", "GET", p, nil, nil)
	}
	jsonReq("GET", "/api/v1/suspects?q="+url.QueryEscape(cnic), partnerTok, "", nil)
	jsonReq("POST", "/api/v1/suspects", partnerTok, `{"values":["`+phone+`","`+cnic+`"]}`, nil)

	// A subject access request for the complainant's CNIC.
	jsonReq("POST", "/api/v1/subject-access", adminTok, `{"cnic":"`+cnic+`"}`, nil)

	// A person found in a raid, by passport and CNIC, read back in full.
	resp = jsonReq("POST", "/api/v1/persons", invTok, `{"name":"`+name+`","passport":"`+passport+`","nationality":"CN","gender":"female","role":"manager"}`, nil)
	var person greyline.Suspect
	json.NewDecoder(resp.Body).Decode(&person)
	jsonReq("GET", "/api/v1/persons/"+strconv.FormatInt(person.ID, 10), invTok, "", nil)
	jsonReq("POST", "/api/v1/persons", invTok, `{"name":"`+name+`","cnic":"`+cnic+`","role":"boss"}`, nil)

	// Refusals: a form without its CSRF token, carrying personal data.
	c.http.PostForm(e.ts.URL+"/admin/users", url.Values{"email": {email}, "name": {name}, "password": {createdPassword}})

	// A panic in a handler, on a request carrying secrets everywhere.
	h := e.srv.buildHandlerWith(func(mux *http.ServeMux) {
		mux.HandleFunc("POST /boom", func(http.ResponseWriter, *http.Request) { panic("handler failed") })
	})
	req := jsonRequest("POST", "/boom?cnic="+cnic+"&password="+url.QueryEscape(testPassword), `{"email":"`+email+`","phone":"`+phone+`"}`)
	req.Header.Set("Authorization", "Bearer "+adminTok)
	req.Header.Set("Cookie", sessionCookie+"="+secrets["session"])
	h.ServeHTTP(httptest.NewRecorder(), req)

	// Internal errors: the database stops taking writes while requests
	// with personal data and passwords arrive.
	w, _ := e.db.Pools()
	w.Close()
	jsonReq("POST", "/api/v1/complaints", partnerTok, `{"external_ref":"LOG-2","complainant":{"name":"`+name+`","cnic":"`+cnic+`","phone":"`+phone+`","email":"`+email+`","city":"Lahore"},`+
		`"category":"other","contact_method":"call","incident_at":"2026-01-01T10:00:00Z","payment_method":"none","narrative":"`+cnic+`"}`, nil)
	e.client().post("/login", url.Values{"email": {admin.Email}, "password": {testPassword}}, "/login")

	for handler, logs := range map[string]string{"JSON": e.logs.String(), "text": text.String()} {
		for _, want := range []string{"request", "panic", "internal error", "csrf check failed"} {
			if !strings.Contains(logs, want) {
				t.Errorf("%s logs: no %q line; the path was not exercised", handler, want)
			}
		}
		if n := strings.Count(logs, "msg=request") + strings.Count(logs, `"msg":"request"`); n < 25 {
			t.Errorf("%s logs: %d request lines", handler, n)
		}
		for what, s := range secrets {
			if strings.Contains(logs, s) {
				i := strings.Index(logs, s)
				t.Errorf("%s logs hold the %s (%q): …%s…", handler, what, s, logs[max(0, i-150):min(len(logs), i+len(s)+50)])
			}
		}
	}
}

func jsonRequest(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}
