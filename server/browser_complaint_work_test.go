package server

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/greyline/greyline"
)

// TestBrowserComplaintWorkflow follows a complaint from the public form,
// with a screenshot attached, through the analyst's triage queue (an
// extracted identifier removed, the complaint triaged and assigned) to the
// investigator's queue (complainant revealed, enquiry, FIR), and back to
// the complainant's tracking page.
func TestBrowserComplaintWorkflow(t *testing.T) {
	e := newEnv(t)
	analyst := e.user(e.noTFA, greyline.RoleAnalyst)
	investigator := e.user(e.noTFA, greyline.RoleInvestigator)
	shot := filepath.Join(t.TempDir(), "chat.png")
	if err := os.WriteFile(shot, pngBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	// The victim reports, attaching a screenshot.
	b := newTab(t, e)
	b.expectPage(b.open("/report"), 200, "/report", "Report a fraud")
	q := regexp.MustCompile(`What is (\d) plus (\d)\?`).FindStringSubmatch(b.text(`label[for="f-challenge"]`))
	x, _ := strconv.Atoi(q[1])
	y, _ := strconv.Atoi(q[2])
	b.fill("#f-name", "Sana Tariq")
	b.fill("#f-phone", "0300-1234567")
	b.fill("#f-cnic", "35202-1234567-1")
	b.fill("#f-city", "Karachi")
	b.setValue("#f-category", "impersonation_family")
	b.setValue("#f-contact_method", "whatsapp")
	b.setValue("#f-payment_method", "mobile_wallet")
	b.setValue("#f-incident_date", "2026-11-20")
	b.fill("#f-loss", "75,000")
	b.fill("#f-narrative", "A man on WhatsApp +92 321 7654321 said he was my brother. I sent Rs 75,000 to JazzCash 0345-1112223. My own number is 0300-1234567.")
	b.do("attach", chromedp.SetUploadFiles(chromedp.CSS("#f-attachments"), []string{shot}))
	b.fill("#f-challenge", strconv.Itoa(x+y))
	b.expectPage(b.click("#submit-complaint"), 201, "/report", "Complaint received")
	ref, code := b.text("#complaint-reference"), b.text("#tracking-code")

	// The analyst finds it in the triage queue.
	a := newTab(t, e)
	a.signInFully(analyst)
	a.expectPage(a.open("/complaints"), 200, "/complaints", "Complaints")
	if !strings.Contains(a.text("#complaints"), ref) {
		t.Fatalf("%s not in the triage queue:\n%s", ref, a.text("#complaints"))
	}
	a.expectPage(a.click(`#complaints a[href^="/complaints/"]`), 200, a.location().Path, "Complaint "+ref)
	page := a.location().Path
	if got := a.text("#complainant"); strings.Contains(got, "1234567") {
		t.Fatalf("the analyst sees the complainant unmasked:\n%s", got)
	}
	if n := eval[int](a, `document.querySelectorAll('#reveal').length`); n != 0 {
		t.Fatal("the analyst is offered the complainant's full details")
	}
	if got := a.text("#narrative mark"); got == "" {
		t.Fatal("no identifier is marked in the narrative")
	}
	if got := a.text("#evidence"); !strings.Contains(got, "chat.png") {
		t.Fatalf("evidence: %q", got)
	}
	// The complainant's own number was picked out of the text: remove it.
	row := eval[string](a, `[...document.querySelectorAll('#identifiers tbody tr')].find(r => r.innerText.includes('+923001234567')).id`)
	iid := strings.TrimPrefix(row, "ident-")
	a.expectPage(a.click("#remove-"+iid), 200, page, "Complaint "+ref)
	if got := a.text("#" + row); !strings.Contains(strings.ToLower(got), "removed") {
		t.Fatalf("identifier row after removal: %q", got)
	}
	a.setValue("#f-priority", "high")
	a.expectPage(a.click("#triage"), 200, page, "Complaint "+ref)
	if got := strings.ToLower(a.text("main .lead")); !strings.Contains(got, "triaged") || !strings.Contains(got, "karachi circle") {
		t.Fatalf("after triage: %q", got)
	}
	a.setValue("#f-assign_to", strconv.FormatInt(investigator.ID, 10))
	a.expectPage(a.click("#assign"), 200, page, "Complaint "+ref)
	if got := a.text("main .lead"); !strings.Contains(strings.ToLower(got), "assigned") || !strings.Contains(got, investigator.Name) {
		t.Fatalf("after assignment: %q", got)
	}

	// The investigator takes it from "Assigned to me".
	v := newTab(t, e)
	v.signInFully(investigator)
	v.expectPage(v.open("/complaints?view=mine"), 200, "/complaints", "Complaints")
	v.expectPage(v.click(`#complaints a[href="`+page+`"]`), 200, page, "Complaint "+ref)
	v.expectPage(v.click("#reveal"), 200, page+"/complainant", "Complaint "+ref)
	if got := v.text("#complainant"); !strings.Contains(got, "35202-1234567-1") || !strings.Contains(got, "Sana Tariq") {
		t.Fatalf("revealed complainant: %q", got)
	}
	v.expectPage(v.open(page), 200, page, "Complaint "+ref)
	v.expectPage(v.click("#progress"), 200, page, "Complaint "+ref) // enquiry is the default step
	// A missing FIR number is named and nothing changes.
	v.expectPage(v.click("#progress"), 400, page+"/progress", "Complaint "+ref)
	if got := v.text(`.field.invalid .err`); !strings.Contains(got, "FIR") {
		t.Fatalf("missing FIR: %q", got)
	}
	v.expectPage(v.open(page), 200, page, "Complaint "+ref)
	v.fill("#f-fir", "54/2026")
	v.expectPage(v.click("#progress"), 200, page, "Complaint "+ref)
	if got := strings.ToLower(v.text("#complaint-status")); got != "case registered" {
		t.Fatalf("status %q", got)
	}
	if got := v.text("#history"); !strings.Contains(got, "FIR 54/2026") || !strings.Contains(got, analyst.Name) {
		t.Fatalf("history:\n%s", got)
	}

	// The complainant lost the code: the investigator issues a new one.
	v.expectPage(v.click("#reissue"), 200, page+"/tracking-code", "Complaint "+ref)
	oldCode := code
	code = v.text("#new-tracking-code")
	if code == "" || code == oldCode {
		t.Fatalf("new tracking code %q", code)
	}
	b.open("/track?reference=" + url.QueryEscape(ref) + "&code=" + url.QueryEscape(oldCode))
	if n := eval[int](b, `document.querySelectorAll('#tracking').length`); n != 0 {
		t.Fatal("the old tracking code still works")
	}

	// The complainant sees the case registered, and nothing internal.
	b.expectPage(b.open("/track?reference="+url.QueryEscape(ref)+"&code="+url.QueryEscape(code)), 200, "/track", "Track your complaint")
	if got := b.text("#tracking"); !strings.Contains(strings.ToLower(got), "case registered") || !strings.Contains(got, "FIR 54/2026") {
		t.Fatalf("tracking:\n%s", got)
	}
}
