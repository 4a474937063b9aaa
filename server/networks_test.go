package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/network"
	"github.com/greyline/greyline/warninglist"
)

// networkEnv is an environment whose guards trip early: a value in more
// than 5 complaints from more than 3 victims is held, and one helpline is
// on the warninglist.
func networkEnv(t *testing.T) *testEnv {
	t.Helper()
	list, err := warninglist.Parse("test", strings.NewReader("phone 021-111-222-333 # Test Bank helpline\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := network.DefaultConfig()
	cfg.Default = network.Threshold{Complaints: 5, Victims: 3}
	cfg.ByType = nil
	return newEnvWith(t, envOptions{networks: fraudnet.Options{Warninglist: list, Engine: cfg}})
}

// fileComplaint files a complaint from a distinct victim naming values.
func fileComplaint(t *testing.T, e *testEnv, victim int, loss int64, narrative string, values ...string) *greyline.Complaint {
	t.Helper()
	c, _, _, err := e.db.CreateComplaint(e.sys, greyline.NewComplaint{Channel: greyline.ChannelHelpline,
		Complainant: greyline.Complainant{Name: "Victim", Phone: fmt.Sprintf("0300-%07d", 1000000+victim), City: "Karachi"},
		Category:    "investment_scheme", ContactMethod: "whatsapp", IncidentAt: e.clock.Now().Add(-time.Hour), LossPaisa: loss,
		PaymentMethod: "mobile_wallet", Narrative: narrative, Identifiers: values}, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func networkOf(t *testing.T, e *testEnv, c *greyline.Complaint) int64 {
	t.Helper()
	n, ok := e.srv.nets.Engine().NetworkOf(c.ID)
	if !ok {
		t.Fatalf("complaint %d is in no network", c.ID)
	}
	return n
}

// TestNetworkGuards: two unrelated networks that share a warninglisted
// helpline, or a value over the threshold, stay apart until an analyst
// confirms the value.
func TestNetworkGuards(t *testing.T) {
	e := networkEnv(t)
	// Network A: three victims of one caller. Network B: two victims of
	// another caller's wallet. Everyone mentions the bank's helpline.
	a1 := fileComplaint(t, e, 1, 5_000_000, "I called the bank helpline 021-111-222-333 after the call.", "0321-7654321")
	a2 := fileComplaint(t, e, 2, 2_000_000, "Same helpline 021-111-222-333.", "0321-7654321")
	a3 := fileComplaint(t, e, 3, 1_000_000, "They called twice.", "0321-7654321", "0333-9990001")
	b1 := fileComplaint(t, e, 4, 300_000, "Bank helpline 021-111-222-333 said to report.", "jazzcash 0345-5556667")
	b2 := fileComplaint(t, e, 5, 300_000, "I paid the wallet.", "jazzcash 0345-5556667")
	if networkOf(t, e, a1) != a1.ID || networkOf(t, e, a3) != a1.ID || networkOf(t, e, b2) != b1.ID {
		t.Fatalf("networks: a %d %d %d, b %d %d", networkOf(t, e, a1), networkOf(t, e, a2), networkOf(t, e, a3), networkOf(t, e, b1), networkOf(t, e, b2))
	}
	// Six victims then name one shop: A and B would share it, but it is
	// held (over 5 complaints from over 3 victims) and links nothing.
	shared := "popular-deals.pk"
	fileComplaint(t, e, 1, 0, "Found them on a shopping site.", shared)
	c2 := fileComplaint(t, e, 4, 0, "Also bought there.", shared, "jazzcash 0345-5556667")
	fileComplaint(t, e, 6, 0, "Same site again.", shared)
	fileComplaint(t, e, 8, 0, "Same site.", shared)
	fileComplaint(t, e, 9, 0, "Same site.", shared)
	c4 := fileComplaint(t, e, 7, 0, "That site here too.", shared, "0321-7654321")
	if networkOf(t, e, c2) == networkOf(t, e, c4) {
		t.Fatalf("a value over the threshold glued networks %d and %d", networkOf(t, e, c2), networkOf(t, e, c4))
	}
	held := e.srv.nets.Engine().Held()
	if len(held) != 1 || !strings.Contains(held[0].Value, "popular-deals.pk") {
		t.Fatalf("held: %+v", held)
	}
	// The analyst confirms it: the networks join.
	analyst := e.token(e.user(nil, greyline.RoleAnalyst), "read", "write")
	resp, body := e.api("POST", "/api/v1/networks/decisions", analyst, map[string]any{"kind": "confirm_identifier", "identifier_id": held[0].ID, "note": "Their own shop front."})
	if resp.StatusCode != 201 {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	var d greyline.NetworkDecision
	json.Unmarshal(body, &d)
	if networkOf(t, e, c2) != networkOf(t, e, c4) || networkOf(t, e, a1) != networkOf(t, e, b1) {
		t.Fatal("a confirmed value does not link")
	}
	// B is now part of A, named after A's first complaint: a saved link to
	// B leads there, on the page and in the API.
	cl := e.client()
	cl.login(e.user(nil, greyline.RoleAnalyst))
	if resp, _ := cl.get(fmt.Sprintf("/networks/%d", b1.ID)); resp.StatusCode != 302 || resp.Header.Get("Location") != fmt.Sprintf("/networks/%d", a1.ID) {
		t.Errorf("old link to network B: %d to %q, want 302 to network %d", resp.StatusCode, resp.Header.Get("Location"), a1.ID)
	}
	resp, body = e.api("GET", fmt.Sprintf("/api/v1/networks/%d", b1.ID), analyst, nil)
	var joined struct{ ID int64 }
	if json.Unmarshal(body, &joined); resp.StatusCode != 200 || joined.ID != a1.ID {
		t.Errorf("API, old id of network B: %d, network %d; want network %d", resp.StatusCode, joined.ID, a1.ID)
	}
	if resp, _ := cl.get("/networks/999999"); resp.StatusCode != 404 {
		t.Errorf("unknown network: %d, want 404", resp.StatusCode)
	}
	// Revoked, they part again; the warninglisted helpline never joins them.
	if resp, body := e.api("POST", fmt.Sprintf("/api/v1/networks/decisions/%d/revoke", d.ID), analyst, nil); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	if networkOf(t, e, a1) == networkOf(t, e, b1) {
		t.Fatal("after the revocation the networks are still joined")
	}
	// Rejecting a2's link to the caller takes a2 out of network A.
	phone := a2.Identifiers[0].ID
	resp, body = e.api("POST", "/api/v1/networks/decisions", analyst, map[string]any{"kind": "reject_link", "identifier_id": phone, "complaint_id": a2.ID, "note": "She only mentioned the number."})
	if resp.StatusCode != 201 || networkOf(t, e, a2) == networkOf(t, e, a1) {
		t.Fatalf("reject link: %d %s; networks %d %d", resp.StatusCode, body, networkOf(t, e, a2), networkOf(t, e, a1))
	}
	// A bad decision names the field and records nothing.
	resp, body = e.api("POST", "/api/v1/networks/decisions", analyst, map[string]any{"kind": "merge", "complaints": []int64{a1.ID}, "note": "x"})
	wantProblem(t, "merge of one", resp, body, 400, greyline.EINVALID, "complaints")
}

// TestSuspectRegistry: partners look values up one at a time and in
// batches, follow the feed of tier changes, and the public verify answer
// warns about a reported number.
func TestSuspectRegistry(t *testing.T) {
	e := networkEnv(t)
	for i := range 3 {
		fileComplaint(t, e, i, 1_000_000_00, "The caller 0321-7654321 sold me a fake scheme.")
	}
	partner := e.token(e.user(e.org("BANKY", greyline.OrgBank, false), greyline.RolePartner), "read")
	resp, body := e.api("GET", "/api/v1/suspects?q="+url.QueryEscape("+92 321 765 4321"), partner, nil)
	var s fraudnet.Suspect
	json.Unmarshal(body, &s)
	if resp.StatusCode != 200 || s.Tier == "none" || s.Complaints != 3 || s.Victims != 3 || len(s.Reasons) == 0 || s.Value != "+923217654321" {
		t.Fatalf("lookup: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "0300") || strings.Contains(string(body), "Victim") {
		t.Errorf("the answer holds personal data: %s", body)
	}
	resp, body = e.api("POST", "/api/v1/suspects", partner, map[string]any{"values": []string{"03217654321", "0300-0000000", "not an identifier", "021-111-222-333"}})
	var batch struct{ Items []fraudnet.Suspect }
	json.Unmarshal(body, &batch)
	if resp.StatusCode != 200 || len(batch.Items) != 4 || batch.Items[0].Tier != s.Tier || batch.Items[1].Tier != "none" || batch.Items[2].Error == "" || batch.Items[3].Listed == "" {
		t.Fatalf("batch: %d %s", resp.StatusCode, body)
	}
	resp, body = e.api("POST", "/api/v1/suspects", partner, map[string]any{"values": make([]string, 1001)})
	wantProblem(t, "batch too big", resp, body, 400, greyline.EINVALID, "values")

	// The feed: the changes so far, then nothing after the cursor.
	if err := e.srv.nets.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, body = e.api("GET", "/api/v1/suspects/feed", partner, nil)
	var feed feedPage
	json.Unmarshal(body, &feed)
	if resp.StatusCode != 200 || len(feed.Items) == 0 || feed.Next != feed.Items[len(feed.Items)-1].Seq {
		t.Fatalf("feed: %d %s", resp.StatusCode, body)
	}
	last := feed.Items[len(feed.Items)-1]
	if last.Value != "+923217654321" || last.Tier != s.Tier {
		t.Errorf("last change %+v, want the number at %s", last, s.Tier)
	}
	_, body = e.api("GET", fmt.Sprintf("/api/v1/suspects/feed?since=%d", feed.Next), partner, nil)
	json.Unmarshal(body, &feed)
	if len(feed.Items) != 0 {
		t.Errorf("after the cursor: %s", body)
	}
	resp, body = e.api("GET", "/api/v1/suspects/feed?format=csv", partner, nil)
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || resp.StatusCode != 200 || rows[0][0] != "seq" || len(rows) < 2 {
		t.Fatalf("csv feed: %d %v %s", resp.StatusCode, err, body)
	}
	resp, body = e.api("GET", "/api/v1/suspects/feed?format=xml", partner, nil)
	wantProblem(t, "feed format", resp, body, 400, greyline.EINVALID, "format")

	// Anyone checking the number is warned.
	resp, body = e.api("GET", "/api/v1/verify?q=03217654321", "", nil)
	var l Lookup
	json.Unmarshal(body, &l)
	if resp.StatusCode != 200 || l.Risk == nil || l.Risk.Tier != s.Tier {
		t.Fatalf("verify: %d %s", resp.StatusCode, body)
	}
}

// TestLicenceFlag: a network that includes a licensed business's declared
// number names the licence, and the licence's page flags it for NCCIA and
// PTA; a network of undeclared values is a suspected unlicensed operation.
func TestLicenceFlag(t *testing.T) {
	e := newEnv(t)
	ls := vtRegistryFixture(t, e)
	ravi := ls[2]
	a := fileComplaint(t, e, 1, 1_000_000, "They called from 042-35761234 about a prize.")
	fileComplaint(t, e, 2, 1_000_000, "A call from +92 42 35761234.")
	u := fileComplaint(t, e, 3, 0, "Caller 0321-4440001 again.")
	fileComplaint(t, e, 4, 0, "Caller 0321-4440001.")
	analyst := e.token(e.user(nil, greyline.RoleAnalyst), "read")
	var d networkDetail
	_, body := e.api("GET", fmt.Sprintf("/api/v1/networks/%d", a.ID), analyst, nil)
	json.Unmarshal(body, &d)
	if d.Unlicensed || len(d.Licences) != 1 || d.Licences[0].Number != ravi.lic.Number {
		t.Fatalf("licensed network: %s", body)
	}
	_, body = e.api("GET", fmt.Sprintf("/api/v1/networks/%d", u.ID), analyst, nil)
	json.Unmarshal(body, &d)
	if !d.Unlicensed || len(d.Licences) != 0 {
		t.Fatalf("unlicensed network: %s", body)
	}
	// The licence's page, for an NCCIA reviewer.
	off := false
	if _, err := e.db.UpdateOrg(e.sys, e.seeded("NCCIA").ID, greyline.OrgUpdate{Require2FA: &off}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login(e.user(e.seeded("NCCIA"), greyline.RoleReviewer))
	resp, page := c.get(fmt.Sprintf("/licences/%d", ravi.lic.ID))
	if resp.StatusCode != 200 || !strings.Contains(page, `id="licence-flags"`) || !strings.Contains(page, "924235761234") {
		t.Fatalf("licence page: %d\n%s", resp.StatusCode, page)
	}
}
