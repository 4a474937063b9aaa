package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/greyline/greyline"
)

// TestBrowserNetworks: an analyst ranks networks, opens one (its picture,
// its licence flag), rejects an identifier, which splits it, then confirms
// a value held for review, which joins networks, and revokes a decision.
func TestBrowserNetworks(t *testing.T) {
	e := networkEnv(t)
	a1 := fileComplaint(t, e, 1, 5_000_000, "He called from 0321-7654321.", "0333-9990001")
	fileComplaint(t, e, 2, 2_000_000, "The same caller 0321-7654321.")
	fileComplaint(t, e, 3, 1_000_000, "Caller 0321-7654321 again.")
	for _, v := range []int{4, 5, 6, 7, 8, 9} {
		fileComplaint(t, e, v, 0, "Bought on a shopping site.", "popular-deals.pk")
	}
	analyst := e.user(e.noTFA, greyline.RoleAnalyst)
	b := newTab(t, e)
	b.signInFully(analyst)
	b.expectPage(b.open("/networks"), 200, "/networks", "Fraud networks")
	if got := b.text("#networks"); !strings.Contains(got, "N-"+strconv.FormatInt(a1.ID, 10)) {
		t.Fatalf("network list:\n%s", got)
	}
	if got := b.text("#held-note"); !strings.Contains(got, "1 identifier is held") {
		t.Fatalf("held note: %q", got)
	}
	page := "/networks/" + strconv.FormatInt(a1.ID, 10)
	b.expectPage(b.click(`#networks a[href="`+page+`"]`), 200, page, "Fraud network N-")
	if n := eval[int](b, `document.querySelectorAll('#picture svg circle, #picture svg rect, #picture svg path').length`); n < 4 {
		t.Fatalf("the picture has %d shapes", n)
	}
	if got := b.text("#licence-flag"); !strings.Contains(got, "Suspected unlicensed operation") {
		t.Fatalf("licence flag: %q", got)
	}
	if got := b.text("main .lead"); !strings.HasPrefix(got, "3 complaints") {
		t.Fatalf("summary: %q", got)
	}
	// Reject the caller's number: the network falls apart.
	row := eval[string](b, `[...document.querySelectorAll('tr[id^="nid-"]')].find(r => r.innerText.includes('+923217654321')).id`)
	b.fill("#"+row+` input[name="note"]`, "A spoofed caller ID used by many.")
	b.expectPage(b.click("#"+row+` button[value="reject_identifier"]`), 200, page, "Fraud network N-")
	if got := b.text("main .alert.ok"); !strings.Contains(got, "recomputed") {
		t.Fatalf("flash: %q", got)
	}
	if got := b.text("main .lead"); !strings.HasPrefix(got, "1 complaints") && !strings.HasPrefix(got, "1 complaint") {
		t.Fatalf("after the rejection: %q", got)
	}
	if got := b.text("#decisions"); !strings.Contains(got, "Identifier rejected") {
		t.Fatalf("decisions: %q", got)
	}
	// Revoke it: the network is whole again.
	b.expectPage(b.click(`#decisions button[id^="revoke-"]`), 200, page, "Fraud network N-")
	if got := b.text("main .lead"); !strings.HasPrefix(got, "3 complaints") {
		t.Fatalf("after the revocation: %q", got)
	}

	// The held shop: a note is required; then confirmed, it links six complaints.
	b.expectPage(b.open("/networks/review"), 200, "/networks/review", "Identifiers held for review")
	b.expectPage(b.click(`#held button[value="confirm_identifier"]`), 400, "/networks/decisions", "Identifiers held for review")
	if got := b.text(".field.invalid .err, .alert.error"); got == "" {
		t.Fatal("no error shown for a missing note")
	}
	b.expectPage(b.open("/networks/review"), 200, "/networks/review", "Identifiers held for review")
	b.fill(`#held input[name="note"]`, "Their own shop front.")
	b.expectPage(b.click(`#held button[value="confirm_identifier"]`), 200, "/networks/review", "Identifiers held for review")
	if got := b.text("#held"); !strings.Contains(got, "Nothing is held") {
		t.Fatalf("held after confirming: %q", got)
	}
	b.expectPage(b.open("/networks"), 200, "/networks", "Fraud networks")
	if got := b.text("#networks tbody tr"); !strings.Contains(got, "\t6\t") {
		t.Fatalf("the largest network after confirming: %q", got)
	}
}
