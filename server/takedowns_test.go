package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
	"github.com/greyline/greyline/stix"
)

// TestTakedownAgencies: SECP, PTA and NCCIA staff each see every request
// but answer only their own agency's (another's answers 404); a removed
// app that comes back, in a complaint or as a new request, raises an
// alert for the investigator of the linked case; a watched wallet in a new
// complaint does too.
func TestTakedownAgencies(t *testing.T) {
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnvWith(t, envOptions{engine: engine})
			secp := e.token(e.user(e.seeded("SECP"), greyline.RoleReviewer), "read", "write")
			pta := e.token(e.user(e.seeded("PTA"), greyline.RoleReviewer), "read", "write")
			invUser := e.user(e.seeded("NCCIA"), greyline.RoleInvestigator)
			inv := e.token(invUser, "read", "write")
			do := func(tok, method, path string, body any, status int, out any) {
				t.Helper()
				resp, b := e.api(method, path, tok, body)
				if resp.StatusCode != status {
					t.Fatalf("%s %s: %d, want %d\n%s", method, path, resp.StatusCode, status, b)
				}
				if out != nil {
					if err := json.Unmarshal(b, out); err != nil {
						t.Fatal(err)
					}
				}
			}

			// A case: a complaint about a loan app, assigned to the investigator.
			c := fileComplaint(t, e, 1, 5_000_000, "The Qistkar Loan app com.qistkar.loan threatened to send my photos to my contacts.")
			tri, err := e.db.ChangeComplaint(e.sys, c.ID, greyline.ComplaintChange{To: greyline.ComplaintTriaged, Version: c.Version, Category: "loan_app", Circle: "Karachi", Priority: "high"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.ChangeComplaint(e.sys, c.ID, greyline.ComplaintChange{To: greyline.ComplaintAssigned, Version: tri.Version, AssignTo: invUser.ID}); err != nil {
				t.Fatal(err)
			}

			resp, body := e.api("POST", "/api/v1/takedowns", secp, map[string]any{"target": "app", "platform": "jazz", "value": "not a package"})
			wantProblem(t, "bad request", resp, body, 400, greyline.EINVALID, "legal_basis", "platform")
			var td greyline.Takedown
			do(secp, "POST", "/api/v1/takedowns", map[string]any{"target": "app", "platform": "google_play", "value": "com.qistkar.loan", "name": "Qistkar Loan",
				"developer": "Quick Fin Tech", "legal_basis": "PECA 2016 s.37", "complaints": []int64{c.ID}, "tlp": "green"}, 201, &td)

			// Every agency sees it; only SECP answers it.
			var seen greyline.Takedown
			do(pta, "GET", fmt.Sprintf("/api/v1/takedowns/%d", td.ID), nil, 200, &seen)
			resp, body = e.api("POST", fmt.Sprintf("/api/v1/takedowns/%d/status", td.ID), pta, map[string]any{"status": "removed", "version": td.Version})
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("PTA answers SECP's request: %d %s", resp.StatusCode, body)
			}
			var list struct{ Items []*greyline.Takedown }
			do(pta, "GET", "/api/v1/takedowns", nil, 200, &list)
			if len(list.Items) != 0 {
				t.Errorf("PTA's own queue holds %d", len(list.Items))
			}
			do(pta, "GET", "/api/v1/takedowns?queue=all", nil, 200, &list)
			if len(list.Items) != 1 {
				t.Errorf("every agency's queue holds %d", len(list.Items))
			}
			var removed greyline.Takedown
			do(secp, "POST", fmt.Sprintf("/api/v1/takedowns/%d/status", td.ID), map[string]any{"status": "removed", "version": td.Version, "note": "Google removed it"}, 200, &removed)

			// It comes back under a new package id, named in a new complaint.
			back := fileComplaint(t, e, 2, 1_000_000, "Installed Qistkar Loan again from com.qistkar.loan2 and now they call my family.")
			var alerts struct{ Items []*greyline.Alert }
			do(inv, "GET", "/api/v1/alerts?mine=1", nil, 200, &alerts)
			if len(alerts.Items) != 1 || alerts.Items[0].TakedownID != td.ID || alerts.Items[0].ComplaintID != back.ID || alerts.Items[0].Score < 60 {
				t.Fatalf("alerts for the investigator: %+v", alerts.Items)
			}
			if !strings.Contains(strings.Join(alerts.Items[0].Reasons, " "), "com.qistkar") {
				t.Errorf("reasons %q do not name the package", alerts.Items[0].Reasons)
			}
			// As a new request too.
			var again greyline.Takedown
			do(pta, "POST", "/api/v1/takedowns", map[string]any{"target": "app", "platform": "apk_site", "value": "com.qistkar.loanpk", "name": "Qistkar Loan",
				"legal_basis": "PECA 2016 s.37"}, 201, &again)
			do(inv, "GET", "/api/v1/alerts", nil, 200, &alerts)
			if len(alerts.Items) != 2 || alerts.Items[0].SourceKind != "takedown" || alerts.Items[0].SourceID != again.ID {
				t.Fatalf("alerts after the new request: %+v", alerts.Items)
			}
			// An unrelated app does not alert.
			fileComplaint(t, e, 3, 0, "Daraz app com.daraz.android sent me a fake parcel message.")
			do(inv, "GET", "/api/v1/alerts", nil, 200, &alerts)
			if len(alerts.Items) != 2 {
				t.Errorf("an unrelated app raised an alert: %+v", alerts.Items[0])
			}

			// The wallet watchlist.
			resp, body = e.api("POST", "/api/v1/watchlist", inv, map[string]any{"address": "not-a-wallet", "reason": "x"})
			wantProblem(t, "bad address", resp, body, 400, greyline.EINVALID, "address")
			var w greyline.WatchedWallet
			do(inv, "POST", "/api/v1/watchlist", map[string]any{"address": "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "reason": "Received loan-app extortion payments",
				"complaints": []int64{c.ID}}, 201, &w)
			paid := fileComplaint(t, e, 4, 300_000, "They made me pay USDT to TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7 to delete my photos.")
			do(inv, "GET", "/api/v1/alerts?mine=1&status=open", nil, 200, &alerts)
			var walletAlert *greyline.Alert
			for _, a := range alerts.Items {
				if a.Kind == greyline.AlertWallet {
					walletAlert = a
				}
			}
			if walletAlert == nil || walletAlert.ComplaintID != paid.ID || walletAlert.WalletID != w.ID {
				t.Fatalf("no wallet alert for the investigator: %+v", alerts.Items)
			}
			do(inv, "POST", fmt.Sprintf("/api/v1/alerts/%d/resolve", walletAlert.ID), map[string]any{"status": "confirmed", "note": "Same gang"}, 200, nil)

			// A partner's bundle naming the wallet and the removed app's
			// package alerts too.
			var bundle strings.Builder
			if err := stix.Write(&bundle, stix.Producer{Name: "An exchange"}, []stix.Record{
				{Kind: stix.Crypto, Value: "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", Chain: "tron", TLP: stix.TLPAmber},
			}, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			analyst := e.token(e.user(e.seeded("NCCIA"), greyline.RoleAnalyst), "read", "write")
			do(analyst, "POST", "/api/v1/share/stix", bundle.String(), 200, nil)
			do(inv, "GET", "/api/v1/alerts?status=open", nil, 200, &alerts)
			if len(alerts.Items) == 0 || alerts.Items[0].SourceKind != "indicator" || alerts.Items[0].WalletID != w.ID {
				t.Fatalf("no alert for the partner's wallet: %+v", alerts.Items)
			}
		})
	}
}

// TestSharingTLP: the partner feeds and the STIX export give each
// organisation only what its marking allows; a partner's STIX bundle is
// imported whole or not at all.
func TestSharingTLP(t *testing.T) {
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnvWith(t, envOptions{engine: engine})
			nccia := actorCtx(e.user(e.seeded("NCCIA"), greyline.RoleAnalyst))
			for _, x := range []struct {
				value string
				tlp   greyline.TLP
			}{{"0301-1111111", greyline.TLPGreen}, {"0302-2222222", greyline.TLPAmber}, {"0303-3333333", greyline.TLPAmberStrict}, {"0304-4444444", greyline.TLPRed}} {
				if err := e.db.CreateTakedown(nccia, &greyline.Takedown{Target: greyline.TargetPhone, Platform: "jazz", Value: x.value, LegalBasis: "PECA 2016 s.37", TLP: x.tlp}); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.db.CreateTakedown(nccia, &greyline.Takedown{Target: greyline.TargetURL, Platform: "isp_blocking", Value: "https://easy-loan-pk.com/apply", LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPClear}); err != nil {
				t.Fatal(err)
			}
			telco := e.token(e.user(e.org("JAZZ", greyline.OrgTelco, false), greyline.RolePartner), "read", "write")
			bank := e.token(e.user(e.org("HBL", greyline.OrgBank, false), greyline.RolePartner), "read", "write")
			analyst := e.token(e.user(e.seeded("PTA"), greyline.RoleAnalyst), "read", "write")
			feed := func(tok string) []string {
				t.Helper()
				resp, b := e.api("GET", "/api/v1/share/feeds/telco", tok, nil)
				var page sharedPage
				if resp.StatusCode != 200 || json.Unmarshal(b, &page) != nil {
					t.Fatalf("feed: %d %s", resp.StatusCode, b)
				}
				var out []string
				for _, in := range page.Items {
					out = append(out, in.Value+" "+string(in.TLP))
				}
				return out
			}
			if diff := cmp.Diff([]string{"+923011111111 green", "+923022222222 amber"}, feed(telco)); diff != "" {
				t.Errorf("telco (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"+923011111111 green"}, feed(bank)); diff != "" {
				t.Errorf("bank (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"+923011111111 green", "+923022222222 amber", "+923033333333 amber+strict"}, feed(analyst)); diff != "" {
				t.Errorf("another agency (-want +got):\n%s", diff)
			}
			resp, b := e.api("GET", "/api/v1/share/feeds/telco?format=csv", telco, nil)
			if resp.StatusCode != 200 || !strings.Contains(string(b), "phone,+923022222222,phone:+923022222222,,block,TLP:AMBER") || resp.Header.Get("X-Next-Cursor") == "" {
				t.Errorf("CSV feed: %d\n%s", resp.StatusCode, b)
			}
			resp, b = e.api("GET", "/api/v1/share/feeds/telco?since=bogus", telco, nil)
			wantProblem(t, "bad cursor", resp, b, 400, greyline.EINVALID, "since")

			// STIX: the telco's bundle has what it may receive and validates.
			resp, b = e.api("GET", "/api/v1/share/stix", telco, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("stix: %d %s", resp.StatusCode, b)
			}
			recs, err := stix.Parse(b)
			if err != nil {
				t.Fatalf("our own bundle does not parse: %v", err)
			}
			var got []string
			for _, r := range recs {
				got = append(got, string(r.Kind)+" "+r.Value+" "+string(r.TLP))
			}
			want := []string{"phone +923011111111 green", "phone +923022222222 amber", "url https://easy-loan-pk.com/apply clear"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stix for the telco (-want +got):\n%s", diff)
			}
			resp, b = e.api("GET", "/api/v1/share/stix?since=yesterday", telco, nil)
			wantProblem(t, "bad since", resp, b, 400, greyline.EINVALID, "since")

			// Import: the analyst's own export, re-marked, comes back as indicators.
			before := countRows(t, e, "SELECT COUNT(*) FROM indicators")
			resp, b = e.api("POST", "/api/v1/share/stix", analyst, `{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator"}]}`)
			if resp.StatusCode != 400 {
				t.Errorf("malformed bundle: %d %s", resp.StatusCode, b)
			}
			if n := countRows(t, e, "SELECT COUNT(*) FROM indicators"); n != before {
				t.Errorf("a refused bundle wrote %d indicators", n-before)
			}
			var bundle strings.Builder
			if err := stix.Write(&bundle, stix.Producer{Name: "FIA partner"}, []stix.Record{
				{Kind: stix.Domain, Value: "fake-invest.pk", TLP: stix.TLPGreen, Description: "Fake investment site"},
				{Kind: stix.Crypto, Value: "0x52908400098527886E0F7030069857D2E4169EE7", Chain: "eth", TLP: stix.TLPAmber},
			}, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			var imported map[string]int
			resp, b = e.api("POST", "/api/v1/share/stix", analyst, bundle.String())
			if resp.StatusCode != 200 || json.Unmarshal(b, &imported) != nil || imported["imported"] != 2 {
				t.Fatalf("import: %d %s", resp.StatusCode, b)
			}
			if as, _ := e.db.ListAlerts(e.sys, greyline.AlertFilter{}); len(as) != 0 {
				t.Errorf("nothing was taken down or watched, yet %d alerts", len(as))
			}
			resp, b = e.api("GET", "/api/v1/share/feeds/exchange", e.token(e.user(e.org("BINANCEPK", greyline.OrgExchange, false), greyline.RolePartner), "read"), nil)
			if resp.StatusCode != 200 || !strings.Contains(string(b), "0x52908400098527886e0f7030069857d2e4169ee7") {
				t.Errorf("the imported wallet is not in the exchanges' feed: %s", b)
			}
		})
	}
}

func countRows(t *testing.T, e *testEnv, q string) int {
	t.Helper()
	_, r := e.db.Pools()
	var n int
	if err := r.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMayReceive(t *testing.T) {
	agency := access.Subject{UserID: 1, OrgID: 10, OrgKind: greyline.OrgAgency}
	telco := access.Subject{UserID: 2, OrgID: 20, OrgKind: greyline.OrgTelco}
	bank := access.Subject{UserID: 3, OrgID: 30, OrgKind: greyline.OrgBank}
	got := map[string]string{}
	for _, tlp := range greyline.TLPs {
		for name, s := range map[string]access.Subject{"agency": agency, "telco": telco, "bank": bank, "anonymous": {}} {
			got[string(tlp)+" "+name] = fmt.Sprint(access.MayReceive(s, tlp, greyline.FeedTelco, 99))
		}
		got[string(tlp)+" source bank"] = fmt.Sprint(access.MayReceive(bank, tlp, greyline.FeedTelco, 30))
	}
	want := map[string]string{}
	for _, tlp := range greyline.TLPs {
		want[string(tlp)+" anonymous"] = "false"
		want[string(tlp)+" source bank"] = "true"
	}
	for k, v := range map[string]string{
		"clear agency": "true", "clear telco": "true", "clear bank": "true",
		"green agency": "true", "green telco": "true", "green bank": "true",
		"amber agency": "true", "amber telco": "true", "amber bank": "false",
		"amber+strict agency": "true", "amber+strict telco": "false", "amber+strict bank": "false",
		"red agency": "false", "red telco": "false", "red bank": "false",
	} {
		want[k] = v
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
