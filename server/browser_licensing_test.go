package server

// The licensing lifecycle in headless Chromium (issue 3, part 7): a business
// applies through the web pages, NCCIA objects and the applicant answers,
// PTA, NCCIA and the Security Agency clear it, an inspector confirms the
// provisional licence, NCCIA suspends it, and the public verify pages show
// the suspension.
//
// Every person has a tab of their own in one Chromium, each in a separate
// browser context (its own cookie jar), so each signs in once and keeps
// their session, as people at different desks would.
//
// Run it with: go test ./server -run BrowserLicensing -count=1 -v
// Set GREYLINE_SHOTS=1 to keep copies of its screenshots in /tmp/greyline-shots.

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/certificate"
)

// personTab opens a tab in a fresh browser context of the shared browser:
// a person with their own cookies, signed out.
func personTab(t *testing.T, e *testEnv, browser context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: t, e: e, ctx: ctx}
}

// tableRows returns the text, as shown (statuses are capitalised by the
// style sheet), of each body row's cells of the first table
// matching sel (nil if there is no such table).
func (b *tab) tableRows(sel string) [][]string {
	b.t.Helper()
	js, _ := json.Marshal(sel)
	return eval[[][]string](b, `(() => {
		const t = document.querySelector(`+string(js)+`);
		if (!t) return null;
		return [...t.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.innerText.trim()));
	})()`)
}

// texts returns the rendered text of every element matching sel.
func (b *tab) texts(sel string) []string {
	b.t.Helper()
	js, _ := json.Marshal(sel)
	return eval[[]string](b, `[...document.querySelectorAll(`+string(js)+`)].map(el => el.innerText.trim())`)
}

// count returns how many elements match sel.
func (b *tab) count(sel string) int {
	b.t.Helper()
	js, _ := json.Marshal(sel)
	return eval[int](b, `document.querySelectorAll(`+string(js)+`).length`)
}

// linkTo returns the href of the link under scope whose text is label, or
// fails the test.
func (b *tab) linkTo(scope, label string) string {
	b.t.Helper()
	js, _ := json.Marshal([]string{scope, label})
	href := eval[string](b, `(([scope, label]) => {
		const a = [...document.querySelectorAll(scope + ' a')].find(a => a.textContent.trim() === label);
		return a ? a.getAttribute('href') : '';
	})(`+string(js)+`)`)
	if href == "" {
		b.t.Fatalf("no link %q in %s at %s; the page reads:\n%s", label, scope, b.url(), b.bodyText())
	}
	return href
}

// nav follows the header's navigation link labelled label.
func (b *tab) nav(label string) int64 {
	b.t.Helper()
	return b.click(`header nav[aria-label="Main"] a[href="` + b.linkTo(`header nav[aria-label="Main"]`, label) + `"]`)
}

// flashIs checks the confirmation shown above the page.
func (b *tab) flashIs(want string) {
	b.t.Helper()
	if got := b.text(`main > .alert.ok[role="status"]`); got != want {
		b.t.Fatalf("flash at %s: %q, want %q", b.url(), got, want)
	}
}

// radiosDrawnRight checks that the radio buttons under scope are drawn as
// small controls beside their labels, as a person expects to see them.
func (b *tab) radiosDrawnRight(scope string) {
	b.t.Helper()
	js, _ := json.Marshal(scope)
	got := eval[[]map[string]any](b, `[...document.querySelectorAll(`+string(js)+` + ' input[type="radio"]')].map(r => ({value: r.value, width: r.getBoundingClientRect().width}))`)
	if len(got) == 0 {
		b.t.Fatalf("no radio buttons in %s at %s", scope, b.url())
	}
	for _, r := range got {
		if w := r["width"].(float64); w > 24 {
			b.t.Errorf("at %s the radio button %q of %s is drawn in a box %.0fpx wide, its circle far from its label: "+
				"the style sheet's rule for inputs (width: 100%%) stretches radio buttons too (server/static/app.css)", b.url(), r["value"], scope, w)
		}
	}
}

// saveShot takes a full-page screenshot into dir, and into shotsDir too
// when GREYLINE_SHOTS is set.
func (b *tab) saveShot(dir, name string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		b.t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, img, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s (%dx%d)", p, cfg.Width, cfg.Height)
	if os.Getenv("GREYLINE_SHOTS") == "" {
		return
	}
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	cp := filepath.Join(shotsDir, name)
	if err := os.WriteFile(cp, img, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("copied to %s", cp)
}

// httpClient returns an HTTP client carrying the tab's cookies for the
// test server, to fetch what the browser would download.
func (b *tab) httpClient() *http.Client {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.e.ts.URL + "/"}})
	})
	if err != nil {
		b.t.Fatalf("reading the browser's cookies: %v", err)
	}
	jar := &fixedCookies{}
	for _, c := range res.Cookies {
		jar.cookies = append(jar.cookies, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	if !slices.ContainsFunc(jar.cookies, func(c *http.Cookie) bool { return c.Name == sessionCookie }) {
		b.t.Fatalf("the browser holds no %s cookie", sessionCookie)
	}
	return &http.Client{Jar: jar, Timeout: stepTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fixedCookies is a cookie jar that sends the same cookies everywhere.
type fixedCookies struct{ cookies []*http.Cookie }

func (j *fixedCookies) SetCookies(*url.URL, []*http.Cookie) {}
func (j *fixedCookies) Cookies(*url.URL) []*http.Cookie     { return j.cookies }

func TestBrowserLicensingLifecycle(t *testing.T) {
	start := time.Now()
	e := newEnv(t)
	shots := t.TempDir()

	// The people. The agencies' organisations require two-step verification
	// at sign-in; the enrolment is tested in TestBrowserLoginWithTwoFactorEnrolment,
	// so here the requirement is switched off for them.
	off := false
	for _, code := range []string{"PTA", "NCCIA", "SA", "PSEB"} {
		if _, err := e.db.UpdateOrg(e.sys, e.seeded(code).ID, greyline.OrgUpdate{Require2FA: &off}); err != nil {
			t.Fatal(err)
		}
	}
	applicant := e.user(e.org("MARGALLA", greyline.OrgBusiness, false), greyline.RoleApplicant)
	reviewer := map[string]*greyline.User{}
	for _, code := range []string{"PTA", "NCCIA", "SA"} {
		reviewer[code] = e.user(e.seeded(code), greyline.RoleReviewer)
	}
	inspector := e.user(e.seeded("PSEB"), greyline.RoleInspector)

	browser := newBrowser(t)
	app := personTab(t, e, browser)
	app.signInFully(applicant)

	// ---- 1. The applicant registers the business and applies. ----
	app.expectPage(app.nav("My business"), 200, "/business", "Register your business")
	const (
		legalName = "Margalla Contact Solutions (Private) Limited"
		tradeName = "Margalla Contact"
		director  = "Ayesha Khan"
		declared  = "+92 51 2345678" // the site's telephone number, as declared
		dialled   = "051-2345678"    // the same number, as the public writes it
	)
	app.fill("#f-legal_name", legalName)
	app.fill("#f-trade_name", tradeName)
	app.setValue("#f-kind", string(greyline.CallCentre))
	app.setValue("#f-legal_form", string(greyline.Company))
	app.fill("#f-ntn", "1234567-8")
	app.fill("#f-secp_number", "0123456")
	app.fill("#f-registered_address", "Plot 12, I-9/2, Islamabad")
	app.expectPage(app.click(`form[action="/business"] button[type="submit"]`), 200, "/business", tradeName)
	app.flashIs("The business record was saved.")

	app.fill("#f-name", director)
	app.setValue("#f-role", string(greyline.Director))
	app.fill("#f-cnic", "35202-1234567-1")
	app.expectPage(app.click(`form[action="/business/persons"] button[type="submit"]`), 200, "/business", tradeName)
	app.flashIs("The person was saved.")
	if rows := app.tableRows("main section.panel:has(#f-cnic) table"); len(rows) != 1 || rows[0][0] != director || rows[0][2] != "*****-****567-1" {
		t.Fatalf("people table: %q, want %s with the CNIC masked", rows, director)
	}

	app.fill("#f-address", "Plot 12, Street 7, I-9/2")
	app.fill("#f-city", "Islamabad")
	app.setValue("#f-province", "Islamabad Capital Territory")
	app.fill("#f-seats", "120")
	app.fill("#f-staff", "150")
	app.do("tick main office", chromedp.Click(chromedp.CSS(`input[name="main_office"]`)))
	app.fill("#f-numbers", declared)
	app.fill("#f-ip_ranges", "203.0.113.0/24")
	app.expectPage(app.click(`form[action="/business/sites"] button[type="submit"]`), 200, "/business", tradeName)
	app.flashIs("The site was saved.")
	if site := app.text("main .site"); !strings.Contains(site, "Islamabad") || !strings.Contains(site, "+92512345678") || !strings.Contains(site, "203.0.113.0/24") {
		t.Fatalf("the site as listed:\n%s", site)
	}

	st := app.click(`form[action="/business/applications"] button[type="submit"]`)
	appPath := app.location().Path
	if !regexp.MustCompile(`^/applications/\d+$`).MatchString(appPath) {
		t.Fatalf("starting an application led to %s (status %d)\n%s", app.url(), st, app.bodyText())
	}
	app.expectPage(st, 200, appPath, "Application ")
	ref := strings.TrimPrefix(app.text("main h1"), "Application ")
	if lead := app.text("main .lead"); !strings.Contains(lead, "Draft") {
		t.Fatalf("new application: %q, want a draft", lead)
	}
	// Everything still needed is listed at once.
	wantMissing := []string{
		"record the fee payment reference",
		"upload Form 29",
		"upload a bank statement or bank letter",
		"upload the CNIC of " + director,
		"upload the NTN certificate",
		"upload the certificate of incorporation",
		"upload the memorandum and articles of association",
	}
	missing := func() []string {
		got := app.texts("#missing li")
		slices.Sort(got)
		return got
	}
	if got := missing(); !slices.Equal(got, wantMissing) {
		t.Fatalf("#missing on the new application:\n got %q\nwant %q", got, wantMissing)
	}

	// Submitting now is refused, naming every missing item at once, each
	// linked to where it can be put right.
	app.expectPage(app.click("#submit-application"), 400, appPath+"/submit", "Application "+ref)
	if msg := app.text("#form-errors strong"); msg != "The application is not complete yet." {
		t.Fatalf("early submission: %q", msg)
	}
	type summaryItem struct {
		Label, Text, Href string
		Target            bool
	}
	summary := eval[[]summaryItem](app, `[...document.querySelectorAll('#form-errors li')].map(li => {
		const a = li.querySelector('a'), href = a ? a.getAttribute('href') : '';
		return {Label: a ? a.textContent.trim() : '', Text: li.textContent.trim(), Href: href, Target: href.startsWith('#') && !!document.getElementById(href.slice(1))};
	})`)
	if len(summary) != len(wantMissing) {
		t.Fatalf("early submission lists %d problems, want %d: %+v", len(summary), len(wantMissing), summary)
	}
	for _, it := range summary {
		if !it.Target || strings.ContainsAny(it.Label, "._[") {
			t.Errorf("early submission: the error summary reads %q, linking to %q, which is %s: "+
				"it names an internal field code instead of the document or field (server/render.go fieldLabel, server/templates/layout.html \"errors\")",
				it.Text, it.Href, map[bool]string{true: "on the page", false: "nowhere on the page"}[it.Target])
		}
	}
	app.expectPage(app.open(appPath), 200, appPath, "Application "+ref)
	if lead := app.text("main .lead"); !strings.Contains(lead, "Draft") {
		t.Fatalf("after the refused submission the application reads %q, want a draft still", lead)
	}

	// The documents, as small real PDF files.
	dir := t.TempDir()
	personID := eval[string](app, `(() => { const o = [...document.querySelectorAll('#f-person_id option')].find(o => o.textContent.trim() === `+strconv.Quote(director)+`); return o ? o.value : '' })()`)
	if personID == "" {
		t.Fatalf("the upload form offers no %s in #f-person_id", director)
	}
	uploads := []struct {
		kind   greyline.DocumentKind
		person string
		file   string
	}{
		{greyline.DocNTN, "", "ntn-certificate.pdf"},
		{greyline.DocBankStatement, "", "bank-letter.pdf"},
		{greyline.DocCNIC, personID, "cnic-ayesha-khan.pdf"},
		{greyline.DocIncorporation, "", "incorporation.pdf"},
		{greyline.DocMoAAoA, "", "moa-aoa.pdf"},
		{greyline.DocForm29, "", "form-29.pdf"},
	}
	for i, u := range uploads {
		p := filepath.Join(dir, u.file)
		if err := os.WriteFile(p, testPDF(u.file), 0o644); err != nil {
			t.Fatal(err)
		}
		app.setValue("#f-kind", string(u.kind))
		app.setValue("#f-person_id", u.person)
		app.do("choose "+u.file, chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{p}))
		app.expectPage(app.click(`form[enctype="multipart/form-data"] button[type="submit"]`), 200, appPath, "Application "+ref)
		app.flashIs("The document was uploaded.")
		if n := app.count(`main table code.hash`); n != i+1 {
			t.Fatalf("after uploading %s the page lists %d documents, want %d\n%s", u.file, n, i+1, app.bodyText())
		}
	}
	if got := missing(); !slices.Equal(got, []string{"record the fee payment reference"}) {
		t.Fatalf("#missing after the uploads: %q, want only the payment reference", got)
	}
	hashes := app.texts("main table code.hash")
	if want := sha256Hex(testPDF("form-29.pdf")); !slices.Contains(hashes, want) {
		t.Fatalf("document hashes shown %q, want one of them %s", hashes, want)
	}

	app.fill("#f-payment_ref", "PSID-2026-0001")
	app.expectPage(app.click(`form[action$="/payment"] button[type="submit"]`), 200, appPath, "Application "+ref)
	app.flashIs("The payment reference was saved.")
	if n := app.count("#missing"); n != 0 {
		t.Fatalf("#missing after the payment reference: %q", app.texts("#missing li"))
	}

	app.expectPage(app.click("#submit-application"), 200, appPath, "Application "+ref)
	app.flashIs("The application was submitted. The agencies listed below now review it in parallel.")
	clearance := func(tb *tab) map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, r := range tb.tableRows("#clearance") {
			if len(r) < 2 {
				t.Fatalf("#clearance row %q", r)
			}
			out[r[0]] = r[1]
		}
		return out
	}
	wantClearance := func(tb *tab, want map[string]string) {
		t.Helper()
		if got := clearance(tb); !maps.Equal(got, want) {
			t.Fatalf("#clearance at %s: %v, want %v\n%s", tb.url(), got, want, tb.bodyText())
		}
	}
	wantClearance(app, map[string]string{"PTA": "Pending", "NCCIA": "Pending", "SA": "Pending"})
	if lead := app.text("main .lead"); !strings.Contains(lead, "Submitted") {
		t.Fatalf("after submission: %q", lead)
	}
	if n := app.count(`#submit-application, form[enctype="multipart/form-data"]`); n != 0 {
		t.Fatal("a submitted application still offers the upload or submit forms")
	}
	app.saveShot(shots, "licensing-application-submitted.png")

	// ---- 2. Joint clearance, with an objection from NCCIA. ----
	rev := map[string]*tab{}
	for _, code := range []string{"PTA", "NCCIA", "SA"} {
		rb := personTab(t, e, browser)
		rb.signInFully(reviewer[code])
		rb.expectPage(rb.nav("Clearance queue"), 200, "/queue", code+" clearance queue")
		rev[code] = rb
	}
	// queueStatus returns the status the reviewer's queue shows for the application.
	queueStatus := func(rb *tab) string {
		t.Helper()
		for _, r := range rb.tableRows("#queue") {
			if len(r) == 6 && r[0] == ref {
				if r[1] != tradeName || r[2] != greyline.CallCentre.Label() {
					t.Fatalf("queue row %q", r)
				}
				return r[3]
			}
		}
		t.Fatalf("application %s is not in the queue at %s:\n%s", ref, rb.url(), rb.bodyText())
		return ""
	}
	openTask := func(code string) {
		t.Helper()
		rb := rev[code]
		if rb.location().Path != "/queue" {
			rb.expectPage(rb.nav("Clearance queue"), 200, "/queue", code+" clearance queue")
		}
		href := rb.linkTo("#queue", ref)
		rb.expectPage(rb.click(`#queue a[href="`+href+`"]`), 200, href, code+" clearance of "+ref)
	}
	decide := func(code, decision, reason string) {
		t.Helper()
		rb := rev[code]
		rb.do("choose "+decision, chromedp.Click(chromedp.CSS(`input[name="decision"][value="`+decision+`"]`)))
		if reason != "" {
			rb.fill("#f-reason", reason)
		}
		path := rb.location().Path
		rb.expectPage(rb.click("#decide"), 200, path, code+" clearance of "+ref)
		rb.flashIs("Your decision was recorded.")
	}
	for code, rb := range rev {
		if s := queueStatus(rb); s != "Pending" {
			t.Fatalf("%s queue: status %q, want pending", code, s)
		}
	}

	const objection = "Provide the lease agreement for the Islamabad site."
	const answer = "The lease with the CDA is attached as another document; it runs to 2031."
	openTask("NCCIA")
	rev["NCCIA"].radiosDrawnRight(`form[action$="/decision"]`)
	decide("NCCIA", "object", objection)
	if lead := rev["NCCIA"].text("main .lead"); !strings.Contains(lead, "Objection") {
		t.Fatalf("NCCIA task after objecting: %q", lead)
	}

	// The applicant sees the objection and answers it.
	app.expectPage(app.open(appPath), 200, appPath, "Application "+ref)
	wantClearance(app, map[string]string{"PTA": "Pending", "NCCIA": "Objection", "SA": "Pending"})
	obj := app.text(".objection")
	if !strings.Contains(obj, "NCCIA") || !strings.Contains(obj, objection) {
		t.Fatalf("the applicant's view of the objection:\n%s", obj)
	}
	answerID := eval[string](app, `(document.querySelector('.objection textarea[name="answer"]') || {}).id || ''`)
	if answerID == "" {
		t.Fatalf("the objection offers no answer form:\n%s", app.bodyText())
	}
	app.fill("#"+answerID, answer)
	app.expectPage(app.click(`.objection form button[type="submit"]`), 200, appPath, "Application "+ref)
	app.flashIs("Your answer was sent to the agency that raised the objection.")
	if obj := app.text(".objection"); !strings.Contains(obj, answer) || app.count(".objection form") != 0 {
		t.Fatalf("the objection after answering:\n%s", obj)
	}
	wantClearance(app, map[string]string{"PTA": "Pending", "NCCIA": "Answered", "SA": "Pending"})

	// It is back in NCCIA's queue, answered; the other agencies are untouched.
	nccia := rev["NCCIA"]
	nccia.expectPage(nccia.nav("Clearance queue"), 200, "/queue", "NCCIA clearance queue")
	if s := queueStatus(nccia); s != "Answered" {
		t.Fatalf("NCCIA queue after the answer: status %q, want answered", s)
	}
	openTask("NCCIA")
	if own := nccia.text("main section.panel"); !strings.Contains(own, objection) || !strings.Contains(own, answer) {
		t.Fatalf("NCCIA's task page does not show its objection and the answer:\n%s", own)
	}
	nccia.saveShot(shots, "licensing-nccia-task.png")
	for _, code := range []string{"PTA", "NCCIA", "SA"} {
		if code != "NCCIA" {
			openTask(code)
		}
		decide(code, "clear", "")
		if lead := rev[code].text("main .lead"); !strings.Contains(lead, "Cleared") {
			t.Fatalf("%s task after clearing: %q", code, lead)
		}
	}

	// ---- 3. Granted: a provisional licence. ----
	app.expectPage(app.open(appPath), 200, appPath, "Application "+ref)
	if lead := app.text("main .lead"); !strings.Contains(lead, "Granted") {
		t.Fatalf("after three clearances the application reads %q, want granted\n%s", lead, app.bodyText())
	}
	wantClearance(app, map[string]string{"PTA": "Cleared", "NCCIA": "Cleared", "SA": "Cleared"})
	app.expectPage(app.click(`main a[href="/business"]`), 200, "/business", tradeName)
	year := e.clock.Now().In(greyline.Karachi).Year()
	number := greyline.LicenceNumber(greyline.CallCentre, "Islamabad", year, 1)
	if want := "CC-ISB-" + strconv.Itoa(year) + "-000001"; number != want {
		t.Fatalf("licence number %q, want %q", number, want)
	}
	lics := app.tableRows("main table")
	if len(lics) != 1 || lics[0][0] != number || lics[0][1] != "Islamabad" || lics[0][2] != "Provisional" {
		t.Fatalf("licences on My business: %q, want %s in Islamabad, provisional", lics, number)
	}
	licPath := app.linkTo("main table", number)
	if !regexp.MustCompile(`^/licences/\d+$`).MatchString(licPath) {
		t.Fatalf("licence link %q", licPath)
	}
	app.expectPage(app.click(`main table a[href="`+licPath+`"]`), 200, licPath, "Licence "+number)
	if s := app.text("#licence-status"); s != "Provisional" {
		t.Fatalf("licence status %q, want Provisional", s)
	}

	// ---- 7 (first half). The applicant downloads the certificate while
	// the licence is provisional, with the browser's session. ----
	hc := app.httpClient()
	resp, err := hc.Get(e.ts.URL + licPath + "/certificate.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("certificate: %d %s, starts %q", resp.StatusCode, resp.Header.Get("Content-Type"), pdf[:min(len(pdf), 40)])
	}
	token, err := certificate.TokenFromPDF(pdf)
	if err != nil {
		t.Fatalf("token from the certificate: %v", err)
	}

	// ---- 4. The inspector confirms the site: the licence is active. ----
	insp := personTab(t, e, browser)
	insp.signInFully(inspector)
	insp.expectPage(insp.nav("Inspections"), 200, "/inspections", "Site inspections due")
	if href := insp.linkTo("main table", number); href != licPath {
		t.Fatalf("inspections list links %s to %s, want %s", number, href, licPath)
	}
	insp.expectPage(insp.click(`main table a[href="`+licPath+`"]`), 200, licPath, "Licence "+number)
	if d := eval[string](insp, `document.querySelector('#f-date').value`); d != e.clock.Now().In(greyline.Karachi).Format("2006-01-02") {
		t.Fatalf("inspection date defaults to %q, want today", d)
	}
	insp.radiosDrawnRight(`form[action$="/inspection"]`)
	insp.fill("#f-findings", "120 seats as declared; numbers and IP range match the declaration.")
	insp.do("choose pass", chromedp.Click(chromedp.CSS(`input[name="result"][value="pass"]`)))
	insp.expectPage(insp.click("#record-inspection"), 200, licPath, "Licence "+number)
	insp.flashIs("The inspection was recorded.")
	if s := insp.text("#licence-status"); s != "Active" {
		t.Fatalf("after a passed inspection the licence is %q, want Active", s)
	}
	if n := insp.count("#record-inspection"); n != 0 {
		t.Fatal("an active licence still offers the inspection form")
	}

	// ---- 5. NCCIA suspends the licence. ----
	const suspendReason = "Raid found a fraudulent outbound campaign run from the site."
	const orderNo = "NCCIA/ISB/2026/17"
	nccia.expectPage(nccia.open(licPath), 200, licPath, "Licence "+number)
	if s := nccia.text("#licence-status"); s != "Active" {
		t.Fatalf("NCCIA sees the licence as %q, want Active", s)
	}
	nccia.setValue("#f-status", string(greyline.LicenceSuspended))
	nccia.fill("#f-reason", suspendReason)
	nccia.fill("#f-order_no", orderNo)
	nccia.expectPage(nccia.click("#change-status"), 200, licPath, "Licence "+number)
	nccia.flashIs("The licence status was changed.")
	if s := nccia.text("#licence-status"); s != "Suspended" {
		t.Fatalf("after suspension the licence is %q, want Suspended", s)
	}
	hist := nccia.tableRows("#history")
	var changes []string
	for _, h := range hist {
		if len(h) != 5 || h[0] == "" || h[4] == "" {
			t.Fatalf("history row %q", h)
		}
		changes = append(changes, h[1])
	}
	if want := []string{"provisional", "provisional → active", "active → suspended"}; !slices.Equal(changes, want) {
		t.Fatalf("#history changes %q, want %q", changes, want)
	}
	if last := hist[2]; last[2] != suspendReason || last[3] != orderNo {
		t.Fatalf("the suspension in #history: %q, want reason %q and order %q", last, suspendReason, orderNo)
	}
	if !strings.Contains(hist[0][2], ref) || hist[1][2] != "Site inspection passed" {
		t.Fatalf("#history reasons: %q / %q", hist[0][2], hist[1][2])
	}
	nccia.saveShot(shots, "licensing-licence-suspended.png")
	// A suspended licence has no certificate to download.
	if resp, err := hc.Get(e.ts.URL + licPath + "/certificate.pdf"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusConflict {
		t.Fatalf("certificate of a suspended licence: status %d, want 409", resp.StatusCode)
	}

	// ---- 6. The public checks the licence number and the telephone number. ----
	pub := personTab(t, e, browser)
	pub.expectPage(pub.open("/verify"), 200, "/verify", "Check a licence")
	if n := pub.count("header form.signout"); n != 0 {
		t.Fatal("the public tab is signed in")
	}
	check := func(q string) {
		t.Helper()
		pub.fill("#f-q", q)
		pub.expectPage(pub.click(`form[action="/verify"] button[type="submit"]`), 200, "/verify", "Check a licence")
		if got := pub.location().Query().Get("q"); got != q {
			t.Fatalf("the search went to %s, want q=%q", pub.url(), q)
		}
		if alert := pub.text("#verify-result .alert"); !strings.HasPrefix(alert, "Not currently licensed.") {
			t.Fatalf("verify %q: %q, want Not currently licensed\n%s", q, alert, pub.bodyText())
		}
		rows := pub.tableRows("#verify-result table")
		if len(rows) != 1 || rows[0][0] != number || rows[0][1] != tradeName || rows[0][3] != "Islamabad" || rows[0][4] != "Suspended" {
			t.Fatalf("verify %q: %q, want %s of %s in Islamabad, suspended", q, rows, number, tradeName)
		}
		if kind := rows[0][2]; kind != greyline.CallCentre.Label() {
			t.Errorf("verify %q: the Kind column reads %q, want %q: the public page shows the internal code (server/templates/verify.html)", q, kind, greyline.CallCentre.Label())
		}
	}
	check(number)
	check(dialled)
	pub.saveShot(shots, "licensing-verify-suspended.png")
	// No personal data on the public page.
	if body := pub.bodyText(); strings.Contains(body, director) || strings.Contains(body, "567-1") || strings.Contains(body, legalName) {
		t.Fatalf("the public verify page shows personal or internal data:\n%s", body)
	}

	// ---- 7 (second half). The certificate's QR link, after the suspension. ----
	certPath := "/verify/certificate?t=" + url.QueryEscape(token)
	pub.expectPage(pub.open(certPath), 200, "/verify/certificate", "Check a licence certificate")
	res := pub.text("#certificate-result")
	if !strings.Contains(res, "signature is valid") || !strings.Contains(res, number) {
		t.Fatalf("certificate check: the signature is not shown as valid:\n%s", res)
	}
	if got := pub.text("#in-force"); !strings.Contains(got, "not in force") || !strings.Contains(got, "suspended") {
		t.Fatalf("certificate check #in-force: %q, want not in force, suspended", got)
	}
	pub.saveShot(shots, "licensing-certificate-suspended.png")

	t.Logf("the lifecycle took %v", time.Since(start).Round(time.Millisecond))
}
