package server

// TestBrowserHostileRecords stores hostile text (hostileInputs) in every
// record a person can name or describe, then opens every page that shows
// those records in Chromium. Nothing may run: no dialog, no Content
// Security Policy violation (an injected handler or script would cause
// one), no script, event handler, zzx* element or attribute, or code URL in
// the DOM; and the hostile text must be on the page, as text.

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/greyline/greyline"
)

// xssHooks runs before any script of each page: it records dialogs and CSP
// violations in window.__xss instead of letting them block the page.
const xssHooks = `(() => {
	window.__xss = [];
	for (const f of ['alert', 'confirm', 'prompt', 'print']) {
		window[f] = (...a) => { window.__xss.push(f + '(' + a.join(',') + ')'); };
	}
	document.addEventListener('securitypolicyviolation', e => window.__xss.push('CSP ' + e.violatedDirective + ' ' + (e.sample || '')));
})()`

// xssDOMCheck lists what in the DOM did not come from the templates.
const xssDOMCheck = `(() => {
	const bad = [];
	for (const el of document.querySelectorAll('*')) {
		const tag = el.tagName.toLowerCase();
		if (['script', 'iframe', 'object', 'embed', 'base'].includes(tag) || tag.startsWith('zzx')) bad.push('element <' + tag + '>');
		for (const a of el.attributes) {
			const n = a.name.toLowerCase();
			if (n.startsWith('on') || n.startsWith('zzx')) bad.push('attribute ' + n + ' on <' + tag + '>');
			const v = a.value.toLowerCase().replace(/[\x00-\x20]/g, '');
			if (['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'data'].includes(n) &&
				/^(javascript|vbscript|data):/.test(v) && !(tag === 'img' && v.startsWith('data:image/png;base64,'))) bad.push(n + '="' + a.value + '" on <' + tag + '>');
		}
	}
	return bad.concat(window.__xss || ['the hooks did not run']);
})()`

// hostile returns hostileInputs[i] marked with its number, so that a
// failure names the record it came from and the page check finds it.
func hostile(i int) string {
	return hostileInputs[i%len(hostileInputs)] + " xss-" + strconv.Itoa(i)
}

type hostileRecords struct {
	staff, applicant *greyline.User
	org              *greyline.Org
	business         int64
	application      int64
	task             int64
	licence          int64
	complaint        int64
	complaintRef     string
	trackingCode     string
	network          int64
	operation, raid  int64
	suspect          int64
	takedown         int64
}

// addHostileRecords fills a database with hostile records through the
// services, as the API and pages would.
func addHostileRecords(t *testing.T, e *testEnv) *hostileRecords {
	h := &hostileRecords{}
	n := 0
	next := func() string { n++; return hostile(n) }
	ctx := e.sys

	h.org = &greyline.Org{Code: "EVILCO", Name: next(), Kind: greyline.OrgBusiness}
	if err := e.db.CreateOrg(ctx, h.org); err != nil {
		t.Fatal(err)
	}
	mk := func(org *greyline.Org, email string, roles ...greyline.Role) *greyline.User {
		u, err := e.db.CreateUser(ctx, greyline.NewUser{OrgID: org.ID, Email: email, Name: next(), Roles: roles, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	h.applicant = mk(h.org, "applicant@evil.example", greyline.RoleApplicant)
	// One member of staff holds every role that reads these records, in
	// PTA, so that PTA's clearance task is theirs too.
	h.staff = mk(e.seeded("PTA"), "staff@pta.example", greyline.RoleAdmin, greyline.RoleReviewer, greyline.RoleInspector,
		greyline.RoleInvestigator, greyline.RoleAnalyst, greyline.RoleHelpline)
	nccia := mk(e.seeded("NCCIA"), "reviewer@nccia.example", greyline.RoleReviewer)
	sa := mk(e.seeded("SA"), "reviewer@sa.example", greyline.RoleReviewer)
	staff, app := actorCtx(h.staff), actorCtx(h.applicant)
	// The browser signs the staff member in with a password only.
	no := false
	if _, err := e.db.UpdateOrg(ctx, h.staff.OrgID, greyline.OrgUpdate{Require2FA: &no}); err != nil {
		t.Fatal(err)
	}

	// Licensing: a business, its person and site, an application with
	// documents, an objection and its answer, a note, the licence.
	biz := &greyline.Business{OrgID: h.org.ID, LegalName: next(), TradeName: next(), Kind: greyline.CallCentre, LegalForm: greyline.SoleProprietor,
		NTN: "7654321-0", RegisteredAddress: next(), PSEBNumber: next()}
	if err := e.db.CreateBusiness(app, biz); err != nil {
		t.Fatal(err)
	}
	h.business = biz.ID
	person := &greyline.Person{BusinessID: biz.ID, Name: next(), Role: greyline.Proprietor, CNIC: "35202-7654321-1"}
	if err := e.db.SavePerson(app, person); err != nil {
		t.Fatal(err)
	}
	site := &greyline.Site{BusinessID: biz.ID, Address: next(), City: "Islamabad", Province: "Islamabad Capital Territory", Seats: 10, Staff: 10, MainOffice: true,
		Resources: greyline.Resources{Numbers: []string{"+92512223399"}, SIPProviders: []string{next()}}}
	if err := e.db.SaveSite(app, site); err != nil {
		t.Fatal(err)
	}
	a, err := e.db.CreateApplication(app, biz.ID, greyline.NewLicence, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []*greyline.Document{
		{ApplicationID: a.ID, Kind: greyline.DocCNIC, PersonID: person.ID, Filename: next() + ".pdf"},
		{ApplicationID: a.ID, Kind: greyline.DocNTN, Filename: next() + ".pdf"},
		{ApplicationID: a.ID, Kind: greyline.DocBankStatement, Filename: next() + ".pdf"},
	} {
		if err := e.db.AddDocument(app, d, bytes.NewReader(testPDF("evil-"+strconv.Itoa(i)))); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = e.db.UpdatePayment(app, a.ID, a.Version, "PSID-EVIL"); err != nil {
		t.Fatal(err)
	}
	if a, err = e.db.Submit(app, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	h.application = a.ID
	tasks, err := e.db.TasksOf(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tasks {
		if tk.OrgCode == "PTA" {
			h.task = tk.ID
			if err := e.db.AddNote(staff, tk.ID, next()); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.Decide(staff, tk.ID, tk.Version, greyline.DecideObject, next()); err != nil {
				t.Fatal(err)
			}
		}
	}
	objs, err := e.db.Objections(ctx, a.ID)
	if err != nil || len(objs) != 1 {
		t.Fatalf("objections: %v %+v", err, objs)
	}
	if err := e.db.Answer(app, objs[0].ID, next()); err != nil {
		t.Fatal(err)
	}
	decideAll(t, e, a.ID, h.staff, greyline.DecideClear, "")
	decideAll(t, e, a.ID, nccia, greyline.DecideClear, "")
	decideAll(t, e, a.ID, sa, greyline.DecideClear, "")
	lics, err := e.db.ListLicences(ctx, greyline.LicenceFilter{BusinessID: biz.ID})
	if err != nil || len(lics) != 1 {
		t.Fatalf("licences: %v %+v", err, lics)
	}
	h.licence = lics[0].ID
	if _, err := e.db.RecordInspection(staff, &greyline.Inspection{LicenceID: h.licence, Date: e.clock.Now(), Findings: next(), Passed: true},
		greyline.Upload{Filename: next() + ".png", Content: bytes.NewReader(pngBytes)}); err != nil {
		t.Fatal(err)
	}

	// Complaints: two sharing a number form a network; hostile text in the
	// complainant, the narrative, the identifiers, a file name, notes and
	// the message shown to the complainant.
	var ids []int64
	for i := range 2 {
		c, code, _, err := e.db.CreateComplaint(staff, greyline.NewComplaint{Channel: greyline.ChannelHelpline,
			Complainant: greyline.Complainant{Name: next(), City: next(), Phone: "03001234567", Email: "victim" + strconv.Itoa(i) + "@example.pk"},
			Category:    "other", ContactMethod: "call", IncidentAt: e.clock.Now().Add(-time.Hour), PaymentMethod: "none",
			Narrative:   next() + " They called from 0321-7654321 and sent https://evil.com.pk/\"><zzxel onmouseover=alert(1)> and " + next(),
			Identifiers: []string{"0321-7654321", `https://evil.com.pk/?q="><zzxel onmouseover=alert(2)>`},
			Attachments: []greyline.Attachment{{Filename: next() + ".png", Content: bytes.NewReader(pngBytes)}}}, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if i == 0 {
			h.complaint, h.complaintRef, h.trackingCode = c.ID, c.Reference, code
			if _, err := e.db.ChangeComplaint(staff, c.ID, greyline.ComplaintChange{To: greyline.ComplaintTriaged, Version: c.Version, Category: "other",
				Priority: "high", Note: next(), Message: next()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	d := &greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: ids, Note: next()}
	if err := e.srv.nets.Decide(staff, d); err != nil {
		t.Fatal(err)
	}
	nw, ok := e.srv.nets.Engine().NetworkOf(ids[0])
	if !ok {
		t.Fatal("the complaints form no network")
	}
	h.network = nw

	// Operation Grey: an operation, a raid on the licensed business, a
	// person, an arrest, a seizure and an FIR.
	op := &greyline.Operation{Name: next(), StartsOn: e.clock.Now().Add(-48 * time.Hour), Scope: next()}
	if err := e.db.CreateOperation(staff, op); err != nil {
		t.Fatal(err)
	}
	raid := &greyline.Raid{OperationID: op.ID, At: e.clock.Now().Add(-time.Hour), City: "Islamabad", Province: "Islamabad Capital Territory", Address: next(),
		Team: next(), Notes: next(), Outcome: greyline.RaidCentreFound, BusinessID: biz.ID, Complaints: ids}
	if err := e.db.RecordRaid(staff, raid); err != nil {
		t.Fatal(err)
	}
	p := &greyline.Suspect{Name: next(), Passport: "E12345678", Nationality: "CN", Gender: "male", Role: greyline.CentreManager}
	if err := e.db.AddSuspect(staff, p); err != nil {
		t.Fatal(err)
	}
	if err := e.db.RecordArrest(staff, &greyline.Arrest{OperationID: op.ID, RaidID: raid.ID, SuspectID: p.ID, At: e.clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.RecordSeizure(staff, &greyline.Seizure{RaidID: raid.ID, Kind: greyline.SeizeDevice, Quantity: 3, Description: next()}); err != nil {
		t.Fatal(err)
	}
	fir := &greyline.FIR{Number: "9/2026", RegisteredOn: e.clock.Now().Add(-time.Minute), Station: next(), City: "Islamabad", Province: "Islamabad Capital Territory",
		PECASections: []string{"14"}, OtherLaws: []string{next()}, RaidID: raid.ID, Accused: []int64{p.ID}, Complaints: ids[:1]}
	if err := e.db.RegisterFIR(staff, fir); err != nil {
		t.Fatal(err)
	}
	h.operation, h.raid, h.suspect = op.ID, raid.ID, p.ID

	// Takedowns, the watchlist, an alert, SECP's list.
	td := &greyline.Takedown{Target: greyline.TargetApp, Platform: "google_play", Value: "com.hostile.loan", Name: next(), Developer: next(),
		Contacts: []string{`https://evil.com.pk/?q="><zzxel onmouseover=alert(3)>`}, LegalBasis: next(), Notes: next()}
	if err := e.db.CreateTakedown(staff, td); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTakedownDocument(staff, td.ID, &greyline.Document{Filename: next() + ".png"}, bytes.NewReader(cat(pngBytes, []byte("td")))); err != nil {
		t.Fatal(err)
	}
	w := &greyline.WatchedWallet{Address: "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", Reason: next()}
	if err := e.db.WatchWallet(staff, w); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.RaiseAlert(staff, &greyline.Alert{Kind: greyline.AlertWallet, WalletID: w.ID, SourceKind: "complaint", SourceID: h.complaint,
		Subject: next(), Reasons: []string{next()}, Score: 90}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SaveLendingApp(ctx, &greyline.LendingApp{PackageID: "com.hostile.cash", Name: next(), Lender: next(), Developer: next(),
		Status: greyline.LendingIllegal, Notes: next()}); err != nil {
		t.Fatal(err)
	}
	h.takedown = td.ID
	return h
}

// hostileTab is a browser tab whose pages record what runs.
type hostileTab struct {
	*tab
	mu      sync.Mutex
	dialogs []string
}

func newHostileTab(t *testing.T, e *testEnv) *hostileTab {
	b := &hostileTab{tab: newTab(t, e)}
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (page.AddScriptToEvaluateOnNewDocumentResult, error) {
		return cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: xssHooks})
	}); err != nil {
		t.Fatal(err)
	}
	// A dialog the hooks missed would block the page: note it and close it.
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			b.mu.Lock()
			b.dialogs = append(b.dialogs, string(d.Type)+": "+d.Message)
			b.mu.Unlock()
			go chromedp.Run(b.ctx, func(ctx context.Context, tg *chromedp.Target) (cdp.Empty, error) {
				return cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			})
		}
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

// check fails if anything ran or was injected on the page shown, or if
// wantText is set and the hostile text is not on it.
func (b *hostileTab) check(what string, wantText bool) {
	b.t.Helper()
	if bad := eval[[]string](b.tab, xssDOMCheck); len(bad) > 0 {
		b.t.Errorf("%s: %q", what, bad)
	}
	b.mu.Lock()
	dialogs := b.dialogs
	b.dialogs = nil
	b.mu.Unlock()
	if len(dialogs) > 0 {
		b.t.Errorf("%s: dialogs opened: %q", what, dialogs)
	}
	if wantText && !strings.Contains(b.bodyText(), "xss-") && !eval[bool](b.tab, `[...document.querySelectorAll('input, textarea')].some(e => e.value.includes('xss-'))`) {
		b.t.Errorf("%s: none of the hostile text is on the page:\n%s", what, b.bodyText())
	}
}

// visit opens path and checks it.
func (b *hostileTab) visit(path string, wantText bool) {
	b.t.Helper()
	if st := b.open(path); st >= 500 || st == 403 || st == 404 {
		b.t.Errorf("%s: status %d\n%s", path, st, b.bodyText())
		return
	}
	b.check(path, wantText)
}

func TestBrowserHostileRecords(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{LookupRate: 100000, ReportRate: 100000, LoginRate: 100000}})
	h := addHostileRecords(t, e)
	b := newHostileTab(t, e)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }

	// Control: the checks see an injected element, attribute, handler and
	// dialog (and, as it happens, the CSP violation of the handler).
	b.visit("/verify", false)
	eval[bool](b.tab, `(document.body.insertAdjacentHTML('beforeend', '<b zzxattr onmouseover="x"></b><zzxel></zzxel>'), alert('control'), true)`)
	if bad := eval[[]string](b.tab, xssDOMCheck); len(bad) < 4 {
		t.Fatalf("the DOM check found %q in a page with 4 injections", bad)
	}
	b.open("/verify")
	b.check("/verify after the control", false)

	// The public pages, with hostile queries.
	q := url.QueryEscape(hostile(100))
	for _, p := range []string{"/verify?q=" + q, "/verify/certificate?t=" + q, "/track?reference=" + q + "&code=" + q, "/login?next=" + q,
		"/track?reference=" + url.QueryEscape(h.complaintRef) + "&code=" + url.QueryEscape(h.trackingCode)} {
		b.visit(p, !strings.HasPrefix(p, "/login") && !strings.HasPrefix(p, "/verify/certificate"))
	}
	b.open("/no-such-page/" + url.PathEscape(hostile(101)))
	b.check("the not-found page", false)

	// The public form shown again with its errors keeps what was typed, as text.
	b.visit("/report", false)
	for i, field := range []string{"#f-name", "#f-city", "#f-email", "#f-narrative", "#f-identifiers", "#f-loss"} {
		b.setValue(field, hostile(110+i))
	}
	b.setValue(`input[name="challenge"]`, "999")
	if st := b.click(`form[action="/report"] button[type="submit"]`); st != 400 {
		t.Errorf("the public form with a wrong answer: %d, want 400", st)
	}
	b.check("/report shown again", true)
	if got := eval[string](b.tab, `document.querySelector('#f-narrative').value`); got != hostile(113) {
		t.Errorf("the narrative shown again is %q, want %q", got, hostile(113))
	}

	// The staff member's pages.
	b.signInFully(h.staff)
	b.check("home", true)
	for _, p := range []string{
		"/admin/users", "/admin/users/" + id(h.applicant.ID), "/admin/orgs", "/admin/orgs/" + id(h.org.ID), "/audit",
		"/queue", "/tasks/" + id(h.task), "/businesses/" + id(h.business), "/applications/" + id(h.application),
		"/licences", "/licences/" + id(h.licence), "/inspections",
		"/complaints", "/complaints/" + id(h.complaint), "/complaints/" + id(h.complaint) + "/complainant",
		"/networks", "/networks/review", "/networks/" + id(h.network),
		"/operations", "/operations/" + id(h.operation), "/raids/" + id(h.raid), "/firs", "/persons/" + id(h.suspect),
		"/reports/committee?from=2020-01-01", "/account",
		"/takedowns?queue=all", "/takedowns/" + id(h.takedown), "/watchlist", "/alerts", "/loan-apps", "/loan-apps?q=" + url.QueryEscape(hostile(130)), "/share",
	} {
		b.visit(p, p != "/inspections" && p != "/networks/review" && p != "/account" && p != "/share")
	}
	// A form shown again with errors: a new user with a hostile name.
	b.visit("/admin/users/new", false)
	b.setValue("#f-name", hostile(120))
	b.setValue("#f-email", hostile(121))
	if st := b.click(`form[action="/admin/users"] button[type="submit"]`); st != 400 {
		t.Errorf("new user with a hostile e-mail: %d, want 400", st)
	}
	b.check("/admin/users/new shown again", true)
	b.signOut()

	// The applicant's own pages.
	b.signInFully(h.applicant)
	b.check("the applicant's home", true)
	for _, p := range []string{"/business", "/applications/" + id(h.application), "/licences/" + id(h.licence)} {
		b.visit(p, true)
	}
}
