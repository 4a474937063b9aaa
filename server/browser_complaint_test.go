package server

import (
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

// TestBrowserPublicComplaint files a complaint through the public form in
// Chromium, answering the challenge as a person would, then tracks it.
func TestBrowserPublicComplaint(t *testing.T) {
	e := newEnv(t)
	b := newTab(t, e)
	b.expectPage(b.open("/report"), 200, "/report", "Report a fraud")
	q := regexp.MustCompile(`What is (\d) plus (\d)\?`).FindStringSubmatch(b.text(`label[for="f-challenge"]`))
	if q == nil {
		t.Fatal("no challenge question on the form")
	}
	x, _ := strconv.Atoi(q[1])
	y, _ := strconv.Atoi(q[2])
	b.fill("#f-name", "Sana Tariq")
	b.fill("#f-phone", "0300-1234567")
	b.fill("#f-city", "Multan")
	b.setValue("#f-category", "whatsapp_hijack")
	b.setValue("#f-contact_method", "whatsapp")
	b.setValue("#f-payment_method", "mobile_wallet")
	b.setValue("#f-incident_date", "2026-11-20")
	b.fill("#f-loss", "25,000")
	b.fill("#f-narrative", "My WhatsApp was taken over and messages went to my family asking for money on JazzCash 0345-1112223.")
	b.fill("#f-challenge", strconv.Itoa(x+y))
	b.expectPage(b.click("#submit-complaint"), 201, "/report", "Complaint received")
	ref, code := b.text("#complaint-reference"), b.text("#tracking-code")
	if ref == "" || code == "" {
		t.Fatal("no reference or tracking code shown")
	}
	b.expectPage(b.open("/track?reference="+url.QueryEscape(ref)+"&code="+url.QueryEscape(code)), 200, "/track", "Track your complaint")
	if got := b.text("#tracking h2"); got != ref+": received" {
		t.Fatalf("tracking shows %q", got)
	}
}
