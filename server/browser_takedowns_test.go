package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/stix"
)

// TestBrowserTakedowns: SECP imports its lending-app lists and a citizen
// checks an app; SECP requests a takedown (a bad request is named first),
// attaches the notice and records the removal; the app comes back in a
// complaint and the investigator sees and confirms the alert; an analyst
// watches a wallet and finds the sharing page with its feeds.
func TestBrowserTakedowns(t *testing.T) {
	e := newEnv(t)
	// The agencies require a second factor; this test is about takedowns.
	off := false
	for _, code := range []string{"SECP", "NCCIA"} {
		if _, err := e.db.UpdateOrg(e.sys, e.seeded(code).ID, greyline.OrgUpdate{Require2FA: &off}); err != nil {
			t.Fatal(err)
		}
	}
	secp := e.user(e.seeded("SECP"), greyline.RoleReviewer)
	inv := e.user(e.seeded("NCCIA"), greyline.RoleInvestigator)
	analyst := e.user(e.seeded("NCCIA"), greyline.RoleAnalyst)
	dir := t.TempDir()

	b := newTab(t, e)
	b.signInFully(secp)
	b.expectPage(b.open("/loan-apps"), 200, "/loan-apps", "Is this loan app approved?")
	list := filepath.Join(dir, "secp-lists.csv")
	os.WriteFile(list, []byte("name,package_id,lender,status\nBarwaqt,com.barwaqt.app,Seedcred Financial Services,approved\nEasyLoan Cash,com.easyloan.cash,,illegal\nBad Row,,,maybe\n"), 0o600)
	b.do("choose list", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{list}))
	b.expectPage(b.click("#import-apps"), 400, "/loan-apps/import", "Is this loan app approved?")
	if got := b.text(".alert.error"); !strings.Contains(got, "Row 3, status must be approved or illegal") {
		t.Fatalf("bad row not named: %q", got)
	}
	os.WriteFile(list, []byte("name,package_id,lender,status\nBarwaqt,com.barwaqt.app,Seedcred Financial Services,approved\nEasyLoan Cash,com.easyloan.cash,,illegal\n"), 0o600)
	b.expectPage(b.open("/loan-apps"), 200, "/loan-apps", "Is this loan app approved?")
	b.do("choose list", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{list}))
	b.expectPage(b.click("#import-apps"), 200, "/loan-apps", "Is this loan app approved?")
	if got := b.text("#illegal-apps"); !strings.Contains(got, "com.easyloan.cash") {
		t.Fatalf("illegal list: %q", got)
	}

	// A citizen, signed out, checks two apps.
	pub := newTab(t, e)
	pub.expectPage(pub.open("/loan-apps"), 200, "/loan-apps", "Is this loan app approved?")
	pub.fill("#f-q", "barwaqt")
	pub.expectPage(pub.click("#check-app"), 200, "/loan-apps", "Is this loan app approved?")
	if got := pub.text("#loan-answer"); !strings.Contains(got, "Approved") || !strings.Contains(got, "Seedcred") {
		t.Fatalf("approved app: %q", got)
	}
	pub.fill("#f-q", "com.easyloan.cash")
	pub.click("#check-app")
	if got := pub.text("#loan-answer"); !strings.Contains(got, "Illegal") {
		t.Fatalf("illegal app: %q", got)
	}

	// SECP asks Google Play to remove the app.
	b.expectPage(b.open("/takedowns"), 200, "/takedowns", "Takedowns")
	b.setValue("#f-target", "app")
	b.setValue("#f-platform", "google_play")
	b.fill("#f-value", "com.easyloan.cash")
	b.fill("#f-name", "EasyLoan Cash")
	b.expectPage(b.click("#request-takedown"), 400, "/takedowns", "Takedowns")
	if got := b.text(".field.invalid .err"); !strings.Contains(got, "legal basis") {
		t.Fatalf("missing legal basis: %q", got)
	}
	b.setValue("#f-target", "app")
	b.setValue("#f-platform", "google_play")
	b.fill("#f-value", "com.easyloan.cash")
	b.fill("#f-name", "EasyLoan Cash")
	b.fill("#f-developer", "Quick Fin Tech")
	b.fill("#f-legal_basis", "PECA 2016 s.37; SECP NBFC Regulations")
	st := b.click("#request-takedown")
	tdPage := b.location().Path
	b.expectPage(st, 200, tdPage, "Takedown TD-")
	shot := filepath.Join(dir, "notice.png")
	os.WriteFile(shot, pngBytes, 0o600)
	b.do("attach notice", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{shot}))
	b.expectPage(b.click("#upload-evidence"), 200, tdPage, "Takedown TD-")
	if got := b.text("#evidence"); !strings.Contains(got, "notice.png") {
		t.Fatalf("evidence: %q", got)
	}
	b.setValue("#f-status", "removed")
	b.fill("#f-note", "Google removed the listing")
	b.expectPage(b.click("#record-answer"), 200, tdPage, "Takedown TD-")
	if got := b.text("#takedown-status"); !strings.EqualFold(got, "removed") {
		t.Fatalf("status: %q", got)
	}

	// It comes back in a complaint under the same package id; the alert
	// reaches the investigator.
	fileComplaint(t, e, 7, 2_000_000, "EasyLoan Cash com.easyloan.cash is back on Play and harassing my family.")
	ib := newTab(t, e)
	ib.signInFully(inv)
	ib.expectPage(ib.open("/alerts?status=open"), 200, "/alerts", "Alerts")
	if got := ib.text("#alerts"); !strings.Contains(got, "looks like TD-") {
		t.Fatalf("alerts: %q", got)
	}
	ib.click(`#alerts button[value="confirmed"]`)
	if got := ib.text("#alerts"); !strings.Contains(strings.ToLower(got), "confirmed") {
		t.Fatalf("after confirming: %q", got)
	}

	// An analyst watches a wallet (an unknown chain is refused first) and
	// finds it shared.
	ab := newTab(t, e)
	ab.signInFully(analyst)
	ab.expectPage(ab.open("/watchlist"), 200, "/watchlist", "Crypto wallet watchlist")
	ab.fill("#f-address", "ltc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")
	ab.fill("#f-reason", "Victims paid here")
	ab.expectPage(ab.click("#watch-wallet"), 400, "/watchlist", "Crypto wallet watchlist")
	if got := ab.text(".field.invalid .err"); !strings.Contains(got, "chain") && !strings.Contains(got, "address") {
		t.Fatalf("unknown chain: %q", got)
	}
	ab.fill("#f-address", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7")
	ab.fill("#f-reason", "Victims paid USDT here")
	ab.expectPage(ab.click("#watch-wallet"), 200, "/watchlist", "Crypto wallet watchlist")
	if got := ab.text("#watchlist"); !strings.Contains(got, "TRON") {
		t.Fatalf("watchlist: %q", got)
	}
	ab.expectPage(ab.open("/share"), 200, "/share", "Sharing with partners")
	if got := ab.text("#shared"); !strings.Contains(got, "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7") {
		t.Fatalf("shared: %q", got)
	}
	if got := ab.text("#feeds"); !strings.Contains(got, "exchange") || !strings.Contains(got, "STIX") {
		t.Fatalf("feeds: %q", got)
	}

	// A partner's STIX bundle: a malformed one is refused whole, a good one
	// lands in the feeds.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"bundle","id":"bundle--x","objects":[{"type":"indicator"}]}`), 0o600)
	ab.do("choose bundle", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{bad}))
	ab.expectPage(ab.click("#import-stix"), 400, "/share/stix", "Sharing with partners")
	var bundle strings.Builder
	if err := stix.Write(&bundle, stix.Producer{Name: "A partner CERT"}, []stix.Record{{Kind: stix.Domain, Value: "fake-invest.pk", TLP: stix.TLPGreen, Description: "Fake investment site"}}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(bundle.String()), 0o600)
	ab.expectPage(ab.open("/share"), 200, "/share", "Sharing with partners")
	ab.do("choose bundle", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{good}))
	ab.expectPage(ab.click("#import-stix"), 200, "/share", "Sharing with partners")
	if got := ab.text("#shared"); !strings.Contains(got, "fake-invest.pk") || !strings.Contains(got, "STIX from NCCIA") {
		t.Fatalf("after the import: %q", got)
	}
}
