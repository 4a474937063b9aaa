package server

// Fuzzing of every JSON request body the API decodes. Each body has its own
// Fuzz target (so that `.ci/fuzz` gives each its own time), which sends
// arbitrary bytes through the real handler of an in-process server on
// SQLite, authenticated as a role the route allows, on a real record of the
// caller's own organisation. Every answer must be:
//
//   - below 500 (the server recovers panics as 500, so no panic either);
//   - for an error, a problem document, and for 400 one naming the field
//     and the reason;
//   - for a 4xx, without any write: no row added or removed, no version
//     bumped, no audit event.
//
// TestFuzzBodiesCoverEveryJSONRoute fails when a route whose handler decodes
// JSON has no target here.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
)

// bodyCaller is who sends a fuzzed body.
type bodyCaller struct {
	role greyline.Role
	org  string // a seeded organisation's code; "" for the fixture's own (TESTCO)
	// session: through a signed-in session with the CSRF header, for routes
	// that API tokens may not use.
	session bool
}

// bodyRoute is one JSON body to fuzz.
type bodyRoute struct {
	caller bodyCaller
	// target is the record the path addresses (tOwn, or tPeer for users).
	target string
	seeds  []string
	// importer: a route that reads a whole file as its body (a STIX
	// bundle, SECP's CSV) rather than decoding JSON into a struct; ctype
	// is the body's Content-Type.
	importer bool
	ctype    string
}

var (
	asAdmin        = bodyCaller{role: greyline.RoleAdmin}
	asApplicant    = bodyCaller{role: greyline.RoleApplicant}
	asReviewer     = bodyCaller{role: greyline.RoleReviewer}
	asPTAReviewer  = bodyCaller{role: greyline.RoleReviewer, org: "PTA"}
	asInspector    = bodyCaller{role: greyline.RoleInspector}
	asInvestigator = bodyCaller{role: greyline.RoleInvestigator}
	asAnalyst      = bodyCaller{role: greyline.RoleAnalyst}
	asPartner      = bodyCaller{role: greyline.RolePartner}
	asNCCIAAnalyst = bodyCaller{role: greyline.RoleAnalyst, org: "NCCIA"} // the takedown fixture's requester
)

// bodyRoutes is keyed like authzTable ("METHOD PATH" as in Server.Routes()).
var bodyRoutes = map[string]bodyRoute{
	"POST /api/v1/users": {caller: asAdmin, seeds: []string{
		`{"org_id":1,"email":"fuzz@example.pk","name":"Fuzz","roles":["analyst"],"password":"a long enough password"}`,
		`{"org_id":-1,"email":"x","roles":["wizard"],"password":"short"}`}},
	"PATCH /api/v1/users/{id}":               {caller: asAdmin, target: tPeer, seeds: []string{`{"roles":["reviewer"]}`, `{"disabled":false}`, `{"roles":[]}`}},
	"POST /api/v1/users/{id}/reset-password": {caller: asAdmin, target: tPeer, seeds: []string{`{"password":"another long password"}`, `{"password":""}`}},
	"POST /api/v1/orgs":                      {caller: asAdmin, seeds: []string{`{"code":"FUZZCO","name":"Fuzz Co","kind":"bank"}`, `{"code":"x","kind":"castle"}`}},
	"PATCH /api/v1/orgs/{id}":                {caller: asAdmin, target: tOwn, seeds: []string{`{"name":"Renamed"}`, `{"require_2fa":false}`, `{"name":""}`}},
	"POST /api/v1/tokens":                    {caller: bodyCaller{role: greyline.RoleAnalyst, session: true}, seeds: []string{`{"name":"ci","scopes":["read"],"expires_in_days":30}`, `{"scopes":["admin"],"expires_in_days":0}`}},

	"POST /api/v1/businesses": {caller: asApplicant, seeds: []string{
		`{"legal_name":"Fuzz (Private) Limited","trade_name":"Fuzz","kind":"call_centre","legal_form":"private_limited","secp_number":"0123456","ntn":"1234567-8","registered_address":"1 Mall Road, Lahore","inbound_percent":50,"client_countries":["US"]}`,
		`{"org_id":999999,"kind":"bakery","inbound_percent":101}`}},
	"PUT /api/v1/businesses/{id}":               {caller: asApplicant, target: tOwn, seeds: []string{`{"legal_name":"Renamed (Private) Limited","trade_name":"Renamed","kind":"call_centre","version":1}`, `{"version":-1}`}},
	"POST /api/v1/businesses/{id}/persons":      {caller: asApplicant, target: tOwn, seeds: []string{`{"name":"Ayesha Khan","role":"director","cnic":"35202-1234567-1"}`, `{"name":"Li Wei","role":"director","passport":"e1234567","nationality":"cn"}`, `{"cnic":"1"}`}},
	"PUT /api/v1/businesses/{id}/persons/{pid}": {caller: asApplicant, target: tOwn, seeds: []string{`{"name":"Ayesha Khan","role":"director","cnic":"35202-1234567-1"}`, `{"role":"king"}`}},
	"POST /api/v1/businesses/{id}/sites": {caller: asApplicant, target: tOwn, seeds: []string{
		`{"address":"2 Blue Area","city":"Islamabad","province":"Islamabad Capital Territory","seats":10,"staff":12,"resources":{"numbers":["0511234567"],"ranges":[{"start":"0511230000","end":"0511230099"}],"sip_providers":["PTCL"]}}`,
		`{"resources":{"ranges":[{"start":"+1","end":"x"}]},"seats":-1}`}},
	"PUT /api/v1/businesses/{id}/sites/{sid}":   {caller: asApplicant, target: tOwn, seeds: []string{`{"address":"Moved","city":"Lahore","province":"Punjab","seats":1}`}},
	"POST /api/v1/businesses/{id}/applications": {caller: asApplicant, target: tOwn, seeds: []string{`{"kind":"new"}`, `{"kind":"renewal","licence_ids":[1,2]}`, `{"kind":"amendment","licence_ids":[-1]}`}},
	"PATCH /api/v1/applications/{id}":           {caller: asApplicant, target: tOwn, seeds: []string{`{"payment_ref":"PSID-2026-0001","version":1}`}},
	"POST /api/v1/applications/{id}/submit":     {caller: asApplicant, target: tOwn, seeds: []string{`{"version":1}`, `{"version":"1"}`}},
	"POST /api/v1/objections/{id}/answer":       {caller: asApplicant, target: tOwn, seeds: []string{`{"answer":"The new site is in Blue Area."}`, `{"answer":"  "}`}},
	"POST /api/v1/tasks/{id}/decision":          {caller: asReviewer, target: tOwn, seeds: []string{`{"decision":"clear","version":2}`, `{"decision":"object","reason":"Explain.","version":2}`, `{"decision":"maybe"}`}},
	"POST /api/v1/tasks/{id}/notes":             {caller: asReviewer, target: tOwn, seeds: []string{`{"body":"Checked with SECP."}`, `{"body":""}`}},
	"POST /api/v1/licences/{id}/inspection":     {caller: asInspector, target: tOwn, seeds: []string{`{"date":"2026-01-05","findings":"As declared.","passed":true}`, `{"date":"yesterday"}`}},
	"POST /api/v1/licences/{id}/status":         {caller: asPTAReviewer, target: tOwn, seeds: []string{`{"status":"suspended","reason":"Raid","order_no":"PTA/1","version":1}`, `{"status":"surrendered"}`}},
	"POST /api/v1/licences/{id}/surrender":      {caller: asApplicant, target: tOwn, seeds: []string{`{"reason":"Closing","version":1}`}},

	"POST /api/v1/verify":   {caller: asPartner, seeds: []string{`{"values":["03001234567","example.com","CC-2026-000001-ISB"]}`, `{"values":[]}`}},
	"POST /api/v1/suspects": {caller: asPartner, seeds: []string{`{"values":["03217654321","PK36SCBL0000001123456702"]}`, `{"values":[""]}`}},
	"POST /api/v1/networks/decisions": {caller: asAnalyst, seeds: []string{
		`{"kind":"merge","complaints":[1,2],"note":"Same caller."}`, `{"kind":"split","complaint_id":1,"note":"x"}`, `{"kind":"reject_identifier","identifier_id":1,"note":"noise"}`, `{"kind":"nothing"}`}},

	"POST /api/v1/suspension-reviews/{id}": {caller: asReviewer, target: tOwn, seeds: []string{`{"suspend":true,"reason":"Raided.","order_no":"TESTCO/1"}`, `{"suspend":false}`}},
	"POST /api/v1/operations":              {caller: asInvestigator, seeds: []string{`{"name":"Operation Blue","starts_on":"2026-01-01T00:00:00Z","scope":"Call centres"}`, `{"starts_on":"not a time"}`}},
	"POST /api/v1/operations/{id}/raids": {caller: asInvestigator, target: tOwn, seeds: []string{
		`{"at":"2026-01-02T10:00:00Z","city":"Faisalabad","province":"Punjab","address":"Plot 9","outcome":"centre_found","persons_found":12}`, `{"outcome":"party"}`}},
	"POST /api/v1/operations/{id}/arrests": {caller: asInvestigator, target: tOwn, seeds: []string{`{"raid_id":1,"suspect_id":1,"at":"2026-01-02T11:00:00Z"}`, `{"raid_id":-5}`}},
	"POST /api/v1/raids/{id}/seizures":     {caller: asInvestigator, target: tOwn, seeds: []string{`{"kind":"device","quantity":42,"description":"Laptops"}`, `{"kind":"crypto","wallet":"TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr","crypto_amount":"1520.5"}`, `{"kind":"cash","amount_paisa":-1}`}},
	"POST /api/v1/persons":                 {caller: asInvestigator, seeds: []string{`{"name":"Chen Hao","passport":"EA1234567","nationality":"CN","gender":"male","role":"manager"}`, `{"cnic":"35202-1234567-1","role":"boss"}`}},
	"POST /api/v1/firs": {caller: asInvestigator, seeds: []string{
		`{"number":"8/2026","registered_on":"2026-01-02T00:00:00Z","station":"NCCIA Lahore","city":"Lahore","province":"Punjab","peca_sections":["14","16"],"accused":[1]}`, `{"peca_sections":["999"]}`}},
	"POST /api/v1/firs/{id}/stage": {caller: asInvestigator, target: tOwn, seeds: []string{`{"stage":"on_trial","version":1}`, `{"stage":"pardoned"}`}},

	"POST /api/v1/complaints": {caller: asPartner, seeds: []string{
		`{"external_ref":"FZ-1","complainant":{"name":"Ali","phone":"03001112223","city":"Lahore"},"category":"other","contact_method":"call","incident_at":"2026-01-01T10:00:00Z","payment_method":"none","narrative":"A call from 0321-7654321."}`,
		`{"complainant":{"cnic":"1","email":"x"},"loss_paisa":-1,"currency":"XYZ","identifiers":["http://[::1"]}`}},
	"POST /api/v1/complaints/{id}/triage":            {caller: asAnalyst, target: tOwn, seeds: []string{`{"to":"triaged","version":1,"category":"other","priority":"high"}`, `{"to":"closed"}`}},
	"POST /api/v1/complaints/{id}/progress":          {caller: asInvestigator, target: tOwn, seeds: []string{`{"to":"enquiry","version":1}`, `{"to":"case_registered","fir":"1/2026","version":1}`}},
	"POST /api/v1/complaints/{id}/identifiers/{iid}": {caller: asAnalyst, target: tOwn, seeds: []string{`{"status":"confirmed"}`, `{"status":"removed"}`, `{"status":"maybe"}`}},

	"POST /api/v1/takedowns": {caller: asNCCIAAnalyst, seeds: []string{
		`{"target":"app","platform":"google_play","value":"com.qistkar.loan","name":"Qistkar Loan","legal_basis":"PECA 2016 s.37"}`,
		`{"target":"url","platform":"isp_blocking","value":"https://easy-loan-pk.com/apply"}`, `{"target":"app","platform":"jazz","value":"not a package"}`}},
	"POST /api/v1/takedowns/{id}/status": {caller: asNCCIAAnalyst, target: tOwn, seeds: []string{`{"status":"removed","version":1,"note":"Blocked"}`, `{"status":"sent","version":1}`, `{"status":"gone"}`}},
	"POST /api/v1/lending-apps": {caller: asAdmin, seeds: []string{`{"package_id":"com.qistkar.loan","name":"Qistkar Loan","status":"illegal"}`,
		`{"package_id":"pk.barwaqt.app","name":"Barwaqt","lender":"Barwaqt Ltd","status":"approved"}`, `{"package_id":"x","status":"maybe"}`}},
	"POST /api/v1/watchlist":             {caller: asAnalyst, seeds: []string{`{"address":"TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU8","reason":"Extortion payments"}`, `{"address":"not-a-wallet"}`}},
	"POST /api/v1/watchlist/{id}/remove": {caller: asAnalyst, target: tOwn, seeds: []string{`{"version":1,"reason":"Cleared"}`, `{"version":-1}`}},
	"POST /api/v1/alerts/{id}/resolve":   {caller: asAnalyst, target: tOwn, seeds: []string{`{"status":"confirmed","note":"Same gang"}`, `{"status":"dismissed"}`, `{"status":"maybe"}`}},

	"POST /api/v1/subject-access": {caller: asAdmin, seeds: []string{`{"cnic":"35202-1234567-1"}`, `{"cnic":"3520212345671"}`, `{"cnic":"1"}`, `{"cnic":""}`}},

	// Importers: whole files as bodies.
	"POST /api/v1/share/stix": {caller: asAnalyst, importer: true, seeds: []string{
		`{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator"}]}`, `{"type":"bundle","id":"bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8","objects":[]}`}},
	"POST /api/v1/lending-apps/import": {caller: asAdmin, importer: true, ctype: "text/csv", seeds: []string{
		"package_id,name,lender,status\ncom.qistkar.loan,Qistkar Loan,,illegal\n", "package_id,name\n\"unterminated\n", "a,b,c\n1,2\n"}},
}

// bodyFuzz is the environment of one body's fuzzing.
type bodyFuzz struct {
	e       *testEnv
	method  string
	path    string
	header  http.Header
	printer func(testing.TB) string
}

// newBodyFuzz builds the records the API addresses (as the authorization
// matrix does) and a caller for the route.
func newBodyFuzz(tb testing.TB, key string) *bodyFuzz {
	tb.Helper()
	spec, ok := bodyRoutes[key]
	if !ok {
		tb.Fatalf("no bodyRoutes entry for %q", key)
	}
	method, pattern, _ := strings.Cut(key, " ")
	e := newEnvWith(tb, envOptions{tune: func(o *sqlstore.Options) { o.Clearance = authzClearance }})
	f := &authzFixture{e: e}
	f.addLicensing(tb)
	f.addNetwork(tb)
	f.addEnforcement(tb)
	f.addTakedowns(tb)
	f.peer = e.user(e.noTFA, greyline.RoleApplicant)
	f.other = e.user(e.otherO, greyline.RoleApplicant)

	org := e.noTFA
	if spec.caller.org != "" {
		org = e.seeded(spec.caller.org)
	}
	if key == "POST /api/v1/businesses" {
		// An organisation without a business yet, so that creating one can succeed.
		org = e.org("FUZZBIZ", greyline.OrgBusiness, false)
	}
	u := e.user(org, spec.caller.role)
	b := &bodyFuzz{e: e, method: method, header: http.Header{}}
	ctype := spec.ctype
	if ctype == "" {
		ctype = "application/json"
	}
	b.header.Set("Content-Type", ctype)
	if spec.caller.session {
		tok, sess, err := e.db.CreateSession(e.sys, u.ID, greyline.SessionFull)
		if err != nil {
			tb.Fatal(err)
		}
		b.header.Set("Cookie", sessionCookie+"="+tok)
		b.header.Set(csrfHeader, encodeMAC(e.srv.keys.MAC("csrf-session", sess.CSRF)))
	} else {
		b.header.Set("Authorization", "Bearer "+e.token(u, greyline.ScopeRead, greyline.ScopeWrite))
	}
	var id int64
	if strings.Contains(pattern, "{id}") {
		id = f.recordID(tb, pattern, spec.target, &authzCaller{apiUser: u, apiTokID: 0}, true)
	}
	b.path = concretePath(f.subIDs(pattern, spec.target), id)
	b.printer = writePrinter(tb, e)
	return b
}

// writePrinter returns a function summarising everything a write changes:
// the rows of every table, the versions of versioned records, and the
// newest audit event.
func writePrinter(tb testing.TB, e *testEnv) func(testing.TB) string {
	tb.Helper()
	if e.engine != sqlstore.SQLite {
		tb.Fatalf("writePrinter reads SQLite's catalogue")
	}
	w, _ := e.db.Pools()
	tables, err := sqliteTables(w)
	if err != nil {
		tb.Fatal(err)
	}
	var parts []string
	for _, t := range tables {
		parts = append(parts, "(SELECT count(*) FROM "+t.name+")")
		if t.versioned {
			parts = append(parts, "(SELECT coalesce(sum(version), 0) FROM "+t.name+")")
		}
	}
	parts = append(parts, "(SELECT coalesce(max(id), 0) FROM audit_events)")
	q := "SELECT " + strings.Join(parts, " || ',' || ")
	return func(tb testing.TB) string {
		var s string
		if err := w.QueryRow(q).Scan(&s); err != nil {
			tb.Fatal(err)
		}
		return s
	}
}

type sqliteTable struct {
	name      string
	versioned bool
}

func sqliteTables(db *sql.DB) ([]sqliteTable, error) {
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var out []sqliteTable
	for _, n := range names {
		var versioned bool
		if err := db.QueryRow("SELECT count(*) > 0 FROM pragma_table_info(?) WHERE name = 'version'", n).Scan(&versioned); err != nil {
			return nil, err
		}
		out = append(out, sqliteTable{n, versioned})
	}
	return out, nil
}

// send posts body through the server's handler, in process.
func (b *bodyFuzz) send(body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(b.method, b.path, bytes.NewReader(body))
	for k, v := range b.header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	b.e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// check sends body and fails unless the answer keeps the rules above.
func (b *bodyFuzz) check(t *testing.T, body []byte) int {
	t.Helper()
	before := b.printer(t)
	rec := b.send(body)
	status := rec.Code
	if status >= 500 {
		t.Fatalf("%s %s with body %q: status %d\n%s\nlogs:\n%s", b.method, b.path, body, status, rec.Body, lastLines(b.e.logs.String(), 5))
	}
	if status == http.StatusUnauthorized {
		t.Fatalf("%s %s: 401, the caller's credential no longer works\n%s", b.method, b.path, rec.Body)
	}
	if status < 400 {
		return status
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s %s with body %q: %d with Content-Type %q, want a problem document\n%s", b.method, b.path, body, status, ct, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("%s %s with body %q: %d, not a problem document: %v\n%s", b.method, b.path, body, status, err, rec.Body)
	}
	if p.Status != status || p.Code == "" || p.Detail == "" {
		t.Fatalf("%s %s with body %q: problem %+v for status %d", b.method, b.path, body, p, status)
	}
	if status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge {
		if len(p.Errors) == 0 {
			t.Fatalf("%s %s with body %q: %d names no field: %+v", b.method, b.path, body, status, p)
		}
		for _, fe := range p.Errors {
			if strings.TrimSpace(fe.Field) == "" || strings.TrimSpace(fe.Reason) == "" {
				t.Fatalf("%s %s with body %q: field error %+v lacks a field or a reason", b.method, b.path, body, fe)
			}
		}
	}
	if after := b.printer(t); after != before {
		t.Fatalf("%s %s with body %q: refused with %d, but the database changed:\nbefore %s\nafter  %s", b.method, b.path, body, status, before, after)
	}
	return status
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// genericBodySeeds are shapes every body is tried with.
var genericBodySeeds = []string{
	``, ` `, `{}`, `null`, `[]`, `"x"`, `0`, `{`, `}`, `{} {}`, `{}]`, "\xef\xbb\xbf{}", "\xff",
	`{"version":1e999}`, `{"id":1}`, `{"a\"b":1}`, `{"":1}`, `[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`,
}

// fuzzBody is the body of every Fuzz target below.
func fuzzBody(f *testing.F, key string) {
	for _, s := range genericBodySeeds {
		f.Add([]byte(s))
	}
	for _, s := range bodyRoutes[key].seeds {
		f.Add([]byte(s))
	}
	b := newBodyFuzz(f, key)
	// The caller must get past authentication and authorization, or the
	// fuzzing would only ever see the refusal.
	if bodyRoutes[key].importer {
		if rec := b.send([]byte(`x`)); rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden || rec.Code == http.StatusNotFound {
			f.Fatalf("%s %s: the probe got %d, the caller is refused\n%s", b.method, b.path, rec.Code, rec.Body)
		}
	} else if rec := b.send([]byte(`{"zz_fuzz_probe":1}`)); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "zz_fuzz_probe") {
		f.Fatalf("%s %s: the probe got %d, want 400 naming the unknown field\n%s", b.method, b.path, rec.Code, rec.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) { b.check(t, body) })
}

func FuzzBodyUserCreate(f *testing.F)        { fuzzBody(f, "POST /api/v1/users") }
func FuzzBodyUserUpdate(f *testing.F)        { fuzzBody(f, "PATCH /api/v1/users/{id}") }
func FuzzBodyUserResetPassword(f *testing.F) { fuzzBody(f, "POST /api/v1/users/{id}/reset-password") }
func FuzzBodyOrgCreate(f *testing.F)         { fuzzBody(f, "POST /api/v1/orgs") }
func FuzzBodyOrgUpdate(f *testing.F)         { fuzzBody(f, "PATCH /api/v1/orgs/{id}") }
func FuzzBodyTokenCreate(f *testing.F)       { fuzzBody(f, "POST /api/v1/tokens") }
func FuzzBodyBusinessCreate(f *testing.F)    { fuzzBody(f, "POST /api/v1/businesses") }
func FuzzBodyBusinessUpdate(f *testing.F)    { fuzzBody(f, "PUT /api/v1/businesses/{id}") }
func FuzzBodyPersonCreate(f *testing.F)      { fuzzBody(f, "POST /api/v1/businesses/{id}/persons") }
func FuzzBodyPersonUpdate(f *testing.F)      { fuzzBody(f, "PUT /api/v1/businesses/{id}/persons/{pid}") }
func FuzzBodySiteCreate(f *testing.F)        { fuzzBody(f, "POST /api/v1/businesses/{id}/sites") }
func FuzzBodySiteUpdate(f *testing.F)        { fuzzBody(f, "PUT /api/v1/businesses/{id}/sites/{sid}") }
func FuzzBodyApplicationCreate(f *testing.F) {
	fuzzBody(f, "POST /api/v1/businesses/{id}/applications")
}
func FuzzBodyApplicationUpdate(f *testing.F) { fuzzBody(f, "PATCH /api/v1/applications/{id}") }
func FuzzBodyApplicationSubmit(f *testing.F) { fuzzBody(f, "POST /api/v1/applications/{id}/submit") }
func FuzzBodyObjectionAnswer(f *testing.F)   { fuzzBody(f, "POST /api/v1/objections/{id}/answer") }
func FuzzBodyTaskDecision(f *testing.F)      { fuzzBody(f, "POST /api/v1/tasks/{id}/decision") }
func FuzzBodyTaskNote(f *testing.F)          { fuzzBody(f, "POST /api/v1/tasks/{id}/notes") }
func FuzzBodyInspection(f *testing.F)        { fuzzBody(f, "POST /api/v1/licences/{id}/inspection") }
func FuzzBodyLicenceStatus(f *testing.F)     { fuzzBody(f, "POST /api/v1/licences/{id}/status") }
func FuzzBodyLicenceSurrender(f *testing.F)  { fuzzBody(f, "POST /api/v1/licences/{id}/surrender") }
func FuzzBodyVerifyBatch(f *testing.F)       { fuzzBody(f, "POST /api/v1/verify") }
func FuzzBodySuspectBatch(f *testing.F)      { fuzzBody(f, "POST /api/v1/suspects") }
func FuzzBodyNetworkDecision(f *testing.F)   { fuzzBody(f, "POST /api/v1/networks/decisions") }
func FuzzBodySuspensionDecide(f *testing.F)  { fuzzBody(f, "POST /api/v1/suspension-reviews/{id}") }
func FuzzBodyOperationCreate(f *testing.F)   { fuzzBody(f, "POST /api/v1/operations") }
func FuzzBodyRaidCreate(f *testing.F)        { fuzzBody(f, "POST /api/v1/operations/{id}/raids") }
func FuzzBodyArrestCreate(f *testing.F)      { fuzzBody(f, "POST /api/v1/operations/{id}/arrests") }
func FuzzBodySeizureCreate(f *testing.F)     { fuzzBody(f, "POST /api/v1/raids/{id}/seizures") }
func FuzzBodySuspectCreate(f *testing.F)     { fuzzBody(f, "POST /api/v1/persons") }
func FuzzBodyFIRCreate(f *testing.F)         { fuzzBody(f, "POST /api/v1/firs") }
func FuzzBodyFIRStage(f *testing.F)          { fuzzBody(f, "POST /api/v1/firs/{id}/stage") }
func FuzzBodyComplaintCreate(f *testing.F)   { fuzzBody(f, "POST /api/v1/complaints") }
func FuzzBodyComplaintTriage(f *testing.F)   { fuzzBody(f, "POST /api/v1/complaints/{id}/triage") }
func FuzzBodyComplaintProgress(f *testing.F) { fuzzBody(f, "POST /api/v1/complaints/{id}/progress") }
func FuzzBodyComplaintIdentifier(f *testing.F) {
	fuzzBody(f, "POST /api/v1/complaints/{id}/identifiers/{iid}")
}
func FuzzBodyTakedownCreate(f *testing.F) { fuzzBody(f, "POST /api/v1/takedowns") }
func FuzzBodyTakedownStatus(f *testing.F) { fuzzBody(f, "POST /api/v1/takedowns/{id}/status") }
func FuzzBodyLendingAppSave(f *testing.F) { fuzzBody(f, "POST /api/v1/lending-apps") }
func FuzzBodyWatchAdd(f *testing.F)       { fuzzBody(f, "POST /api/v1/watchlist") }
func FuzzBodyWatchRemove(f *testing.F)    { fuzzBody(f, "POST /api/v1/watchlist/{id}/remove") }
func FuzzBodyAlertResolve(f *testing.F)   { fuzzBody(f, "POST /api/v1/alerts/{id}/resolve") }
func FuzzBodyStixImport(f *testing.F)     { fuzzBody(f, "POST /api/v1/share/stix") }
func FuzzBodyLendingImport(f *testing.F)  { fuzzBody(f, "POST /api/v1/lending-apps/import") }
func FuzzBodySubjectAccess(f *testing.F)  { fuzzBody(f, "POST /api/v1/subject-access") }

// TestFuzzBodiesCoverEveryJSONRoute finds, in the server's source, every
// function that decodes a JSON body (directly or through a helper), and
// checks that each route whose handler is one of them has a Fuzz target
// above, and that every target's route exists.
func TestFuzzBodiesCoverEveryJSONRoute(t *testing.T) {
	decoders := jsonDecodingFuncs(t)
	if !decoders["apiUserCreate"] || !decoders["apiComplaintTriage"] {
		t.Fatalf("the source scan missed known decoders: %v", decoders)
	}
	e := newEnv(t)
	var got []string
	for _, rt := range e.srv.routes {
		if decoders[handlerName(rt.h)] {
			got = append(got, routeKey(RouteInfo{Method: rt.Method, Path: rt.Path}))
		}
	}
	slices.Sort(got)
	var want []string
	routes := map[string]bool{}
	for _, ri := range e.srv.Routes() {
		routes[routeKey(ri)] = true
	}
	for key, br := range bodyRoutes {
		if !br.importer {
			want = append(want, key)
		} else if !routes[key] {
			t.Errorf("bodyRoutes has importer %q, which is not a route", key)
		}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes decoding JSON (-fuzzed +decoding): add a bodyRoutes entry and a FuzzBody target for each route on the + side\n%s", diff)
	}
	// Every entry has its Fuzz target.
	targets := fuzzTargetsIn(t, "fuzz_body_test.go")
	for _, key := range slices.Sorted(maps.Keys(bodyRoutes)) {
		if !targets[key] {
			t.Errorf("bodyRoutes has %q but no Fuzz function calls fuzzBody(f, %q)", key, key)
		}
	}
}

// handlerName is the method name of a route handler ("apiUserCreate").
func handlerName(h handlerFunc) string {
	n := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	n = strings.TrimSuffix(n, "-fm")
	return n[strings.LastIndex(n, ".")+1:]
}

// jsonDecodingFuncs parses the package's non-test files and returns the
// functions and methods that call decodeJSON, directly or through others.
func jsonDecodingFuncs(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := map[string]map[string]bool{} // function → names it calls
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			called := map[string]bool{}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					switch fn := x.Fun.(type) {
					case *ast.Ident:
						called[fn.Name] = true
					case *ast.SelectorExpr:
						called[fn.Sel.Name] = true
					}
				}
				return true
			})
			calls[fd.Name.Name] = called
		}
	}
	decodes := map[string]bool{"decodeJSON": true}
	for changed := true; changed; {
		changed = false
		for fn, called := range calls {
			if decodes[fn] {
				continue
			}
			for c := range called {
				if decodes[c] {
					decodes[fn], changed = true, true
					break
				}
			}
		}
	}
	delete(decodes, "decodeJSON")
	return decodes
}

// fuzzTargetsIn returns the route keys passed to fuzzBody by Fuzz functions of file.
func fuzzTargetsIn(t *testing.T, file string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fd.Name.Name, "Fuzz") {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "fuzzBody" && len(call.Args) == 2 {
				if lit, ok := call.Args[1].(*ast.BasicLit); ok {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						out[s] = true
					}
				}
			}
			return true
		})
	}
	return out
}

// TestFuzzBodyHarnessSeesWrites: the harness's checks can fail. A valid body
// writes and the write summary notices; a refused one leaves it alone.
func TestFuzzBodyHarnessSeesWrites(t *testing.T) {
	b := newBodyFuzz(t, "POST /api/v1/orgs")
	before := b.printer(t)
	if st := b.check(t, []byte(`{"code":"x","name":"","kind":"castle"}`)); st != http.StatusBadRequest {
		t.Fatalf("invalid organisation: %d, want 400", st)
	}
	if b.printer(t) != before {
		t.Fatal("a refused body changed the write summary")
	}
	if st := b.check(t, []byte(`{"code":"HARNESS","name":"Harness Co","kind":"bank"}`)); st != http.StatusCreated {
		t.Fatalf("valid organisation: %d, want 201", st)
	}
	if b.printer(t) == before {
		t.Fatal("the write summary did not notice a new organisation")
	}
	// An update that adds no row is noticed through its audit event.
	u := newBodyFuzz(t, "PATCH /api/v1/users/{id}")
	before = u.printer(t)
	if st := u.check(t, []byte(`{"roles":["reviewer"]}`)); st != http.StatusOK {
		t.Fatalf("role change: %d, want 200", st)
	}
	if u.printer(t) == before {
		t.Fatal("the write summary did not notice a role change")
	}
}
