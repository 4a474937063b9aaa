package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// TestSubjectAccessAPI: an admin posts a CNIC and gets the person's
// complaints in full; the CNIC reaches neither the logs nor the audit log.
func TestSubjectAccessAPI(t *testing.T) {
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnvWith(t, envOptions{engine: engine})
			helpline := e.token(e.user(nil, greyline.RoleHelpline), "read", "write")
			admin := e.user(nil, greyline.RoleAdmin)
			adminToken := e.token(admin, "read")
			resp, body := e.api("POST", "/api/v1/complaints", helpline, map[string]any{
				"complainant": map[string]any{"name": "Nadia Khan", "cnic": "61101-2345678-2", "city": "Islamabad"},
				"category":    "phishing_otp", "contact_method": "call", "incident_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339),
				"payment_method": "bank_transfer", "narrative": "A caller from 0321-7654321 asked for my OTP."})
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", resp.StatusCode, body)
			}

			resp, body = e.api("POST", "/api/v1/subject-access", adminToken, map[string]any{"cnic": "6110123456782"})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("export: %d %s", resp.StatusCode, body)
			}
			var exp greyline.SubjectExport
			if err := json.Unmarshal(body, &exp); err != nil {
				t.Fatal(err)
			}
			if len(exp.Complaints) != 1 || exp.Complaints[0].Complaint.Complainant.CNIC != "61101-2345678-2" || exp.Complaints[0].Complaint.Complainant.Name != "Nadia Khan" {
				t.Fatalf("export %s", body)
			}
			resp, body = e.api("POST", "/api/v1/subject-access", adminToken, map[string]any{"cnic": "61101-9999999-1"})
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"complaints":[]`) {
				t.Errorf("unknown CNIC: %d %s", resp.StatusCode, body)
			}
			resp, body = e.api("POST", "/api/v1/subject-access", adminToken, map[string]any{"cnic": "not a cnic"})
			wantProblem(t, "bad CNIC", resp, body, 400, greyline.EINVALID, "cnic")

			evs, err := e.db.ListAudit(e.sys, greyline.AuditFilter{Action: "subject.export"})
			if err != nil || len(evs) != 2 || evs[0].UserID != admin.ID || evs[0].TokenID == 0 {
				t.Fatalf("audit: %v %+v", err, evs)
			}
			for _, ev := range evs {
				if strings.Contains(ev.RecordID+ev.Detail, "2345678") {
					t.Errorf("audit event holds the CNIC: %+v", ev)
				}
			}
			if strings.Contains(strings.ReplaceAll(e.logs.String(), "-", ""), "6110123456782") {
				t.Error("the CNIC reached the logs")
			}
		})
	}
}

// TestRetainedComplainantShown: a complaint whose complainant was
// pseudonymised says so, on its page and in the API.
func TestRetainedComplainantShown(t *testing.T) {
	e := newEnv(t)
	inv := e.user(nil, greyline.RoleInvestigator)
	ctx := greyline.WithActor(e.sys, greyline.Actor{UserID: inv.ID, OrgID: inv.OrgID})
	n := greyline.NewComplaint{Channel: greyline.ChannelHelpline, Category: "phishing_otp", ContactMethod: "call", IncidentAt: e.clock.Now().Add(-time.Hour),
		PaymentMethod: "bank_transfer", Narrative: "A caller asked for my OTP.",
		Complainant: greyline.Complainant{Name: "Nadia Khan", Phone: "0300-1112223", City: "Islamabad", Gender: "female"},
		Attachments: []greyline.Attachment{{Filename: "nadia-khan-statement.pdf", Content: strings.NewReader("%PDF-1.4\n% statement\n%%EOF\n")}}}
	c, _, _, err := e.db.CreateComplaint(ctx, n, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ChangeComplaint(ctx, c.ID, greyline.ComplaintChange{To: greyline.ComplaintClosed, Reason: "resolved", Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * 366 * 24 * time.Hour)
	if res, err := e.db.ApplyRetention(e.sys, greyline.RetentionPeriod{Years: 2}, false); err != nil || res.Pseudonymised != 1 {
		t.Fatalf("retention: %v %+v", err, res)
	}
	when := e.clock.Now().In(greyline.Karachi).Format("2 Jan 2006")

	cl := e.client()
	cl.login(inv)
	resp, page := cl.get("/complaints/" + strconv.FormatInt(c.ID, 10))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "removed under the retention policy on "+when) || strings.Contains(page, "Nadia") {
		t.Errorf("complaint page: %d\n%s", resp.StatusCode, page)
	}
	if strings.Contains(page, `id="reveal"`) {
		t.Error("the page offers to reveal details that are gone")
	}
	doc := "/complaints/" + strconv.FormatInt(c.ID, 10) + "/documents/" + strconv.FormatInt(c.Documents[0].ID, 10)
	if !strings.Contains(page, "A file sent") || strings.Contains(page, doc) {
		t.Errorf("the page does not say the file was removed, or still links it:\n%s", page)
	}
	if resp, _ := cl.get(doc); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed file: %d, want 404", resp.StatusCode)
	}
	tok := e.token(inv, "read")
	resp, body := e.api("GET", "/api/v1/complaints/"+strconv.FormatInt(c.ID, 10), tok, nil)
	var got greyline.Complaint
	json.Unmarshal(body, &got)
	if resp.StatusCode != http.StatusOK || got.ComplainantRemovedAt == nil || got.Complainant.Name != "" || got.Complainant.City != "Islamabad" || got.Complainant.Gender != "female" {
		t.Errorf("API: %d %s", resp.StatusCode, body)
	}
}

// TestFormsSurviveKeyRotation: a form rendered, or a question asked,
// before the server loaded a new key still submits afterwards.
func TestFormsSurviveKeyRotation(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "secret.key")
	k, err := keys.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.keys = k
	cl := e.client()
	cl.login(e.user(nil, greyline.RoleAnalyst))
	token := cl.csrf("/account")
	ch := e.srv.newChallenge()
	var a, b int
	fmt.Sscanf(ch.Question, "What is %d plus %d?", &a, &b)

	r, _, _ := k.Ring().Add(false)
	if err := keys.WriteRingFile(path, r); err != nil {
		t.Fatal(err)
	}
	if err := k.Reload(); err != nil || k.SealingID() != 2 {
		t.Fatalf("reload: %v, sealing %d", err, k.SealingID())
	}
	if token == cl.csrf("/account") {
		t.Fatal("the new key makes the same token: the test proves nothing")
	}
	if err := e.srv.checkChallenge(ch.Token, strconv.Itoa(a+b)); err != nil {
		t.Errorf("a question asked before the rotation: %v", err)
	}
	if err := e.srv.checkChallenge(ch.Token, strconv.Itoa(a+b+1)); err == nil {
		t.Error("a wrong answer passed")
	}
	resp, body := cl.post("/logout", url.Values{"csrf": {token}}, "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-out with a form from before the rotation: %d %s", resp.StatusCode, body)
	}
}
