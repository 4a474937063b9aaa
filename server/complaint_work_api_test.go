package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/greyline/greyline"
)

// TestComplaintWorkAPI: a partner sends a complaint and its evidence, an
// analyst removes an extracted identifier, and the history is readable by
// staff but not by the partner, whose view holds no internal notes.
func TestComplaintWorkAPI(t *testing.T) {
	e := newEnv(t)
	partner := e.token(e.user(e.org("BANKX", greyline.OrgBank, false), greyline.RolePartner), "read", "write")
	analyst := e.token(e.user(nil, greyline.RoleAnalyst), "read", "write")
	resp, body := e.api("POST", "/api/v1/complaints", partner, map[string]any{
		"external_ref": "BX-1", "complainant": map[string]any{"name": "Ali", "phone": "03001112223", "city": "Lahore"},
		"category": "phishing_otp", "contact_method": "call", "incident_at": e.clock.Now().Add(-48 * 3600e9).Format("2006-01-02T15:04:05Z"),
		"payment_method": "bank_transfer", "loss_paisa": 5_000_000, "narrative": "The caller said he was from the bank and used 0321-7654321. Money went to PK36SCBL0000001123456702."})
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var c greyline.Complaint
	json.Unmarshal(body, &c)
	cid := strconv.FormatInt(c.ID, 10)
	if len(c.Identifiers) != 2 {
		t.Fatalf("identifiers %+v", c.Identifiers)
	}

	// Evidence: a PNG is kept; a script named .png is refused, naming the field.
	if resp, body := e.upload("/api/v1/complaints/"+cid+"/documents", partner, "sms.png", pngBytes); resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	resp, body = e.upload("/api/v1/complaints/"+cid+"/documents", partner, "evil.png", []byte("<script>alert(1)</script>"))
	wantProblem(t, "script as png", resp, body, 400, greyline.EINVALID, "file")
	_, body = e.api("GET", "/api/v1/complaints/"+cid, partner, nil)
	json.Unmarshal(body, &c)
	if len(c.Documents) != 1 {
		t.Fatalf("documents %+v", c.Documents)
	}
	resp, body = e.api("GET", "/api/v1/complaints/"+cid+"/documents/"+strconv.FormatInt(c.Documents[0].ID, 10), analyst, nil)
	if resp.StatusCode != 200 || string(body) != string(pngBytes) || resp.Header.Get("Content-Disposition") == "" {
		t.Fatalf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}

	// Review: removing needs a known decision, then takes effect.
	iid := strconv.FormatInt(c.Identifiers[0].ID, 10)
	resp, body = e.api("POST", "/api/v1/complaints/"+cid+"/identifiers/"+iid, analyst, map[string]any{"status": "maybe"})
	wantProblem(t, "unknown decision", resp, body, 400, greyline.EINVALID, "status")
	resp, body = e.api("POST", "/api/v1/complaints/"+cid+"/identifiers/"+iid, analyst, map[string]any{"status": "removed"})
	json.Unmarshal(body, &c)
	if resp.StatusCode != 200 || c.Identifiers[0].Status != greyline.IdentifierRemoved {
		t.Fatalf("remove: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.api("POST", "/api/v1/complaints/"+cid+"/identifiers/999999", analyst, map[string]any{"status": "removed"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown identifier: %d", resp.StatusCode)
	}

	// A new tracking code, for a complaint whose complainant never had one.
	helpline := e.token(e.user(nil, greyline.RoleHelpline), "read", "write")
	resp, body = e.api("POST", "/api/v1/complaints/"+cid+"/tracking-code", helpline, nil)
	var tc struct {
		Code string `json:"tracking_code"`
	}
	json.Unmarshal(body, &tc)
	if resp.StatusCode != 200 || tc.Code == "" {
		t.Fatalf("tracking code: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.api("GET", "/api/v1/complaints/track?reference="+c.Reference+"&code="+tc.Code, "", nil); resp.StatusCode != 200 {
		t.Fatalf("track with the new code: %d %s", resp.StatusCode, body)
	}

	// History: for staff only.
	resp, body = e.api("GET", "/api/v1/complaints/"+cid+"/history", analyst, nil)
	var h struct {
		Items []greyline.ComplaintEvent `json:"items"`
	}
	json.Unmarshal(body, &h)
	if resp.StatusCode != 200 || len(h.Items) != 1 || h.Items[0].To != greyline.ComplaintReceived {
		t.Fatalf("history: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.api("GET", "/api/v1/complaints/"+cid+"/history", partner, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("partner reads history: %d", resp.StatusCode)
	}
}
