package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/greyline/greyline"
)

var (
	challengeRE = regexp.MustCompile(`What is (\d) plus (\d)\?`)
	tokenRE     = regexp.MustCompile(`name="challenge_token" value="([^"]+)"`)
	refRE       = regexp.MustCompile(`id="complaint-reference">([^<]+)<`)
	codeRE      = regexp.MustCompile(`id="tracking-code">([^<]+)<`)
)

// solve reads the challenge on the form page and answers it.
func solve(t *testing.T, c *client) url.Values {
	t.Helper()
	_, body := c.get("/report")
	q, tok := challengeRE.FindStringSubmatch(body), tokenRE.FindStringSubmatch(body)
	if q == nil || tok == nil {
		t.Fatalf("no challenge on the form:\n%s", body)
	}
	a, _ := strconv.Atoi(q[1])
	b, _ := strconv.Atoi(q[2])
	return url.Values{"challenge": {strconv.Itoa(a + b)}, "challenge_token": {tok[1]}, "csrf": {csrfRE.FindStringSubmatch(body)[1]}}
}

func complaintFormValues(v url.Values) url.Values {
	for k, x := range map[string]string{"name": "Sana Tariq", "phone": "0300-1234567", "city": "Multan", "category": "impersonation_official",
		"contact_method": "call", "payment_method": "mobile_wallet", "incident_date": "2026-11-20", "loss": "75,000",
		"narrative": "A caller from 0321-7654321 said he was from FIA and made me send money to Easypaisa 0345-1112223."} {
		v.Set(k, x)
	}
	return v
}

func TestPublicComplaintForm(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: Config{ReportRate: 3}})
	c := e.client()

	// A wrong answer to the challenge writes nothing.
	v := complaintFormValues(solve(t, c))
	v.Set("challenge", "99")
	resp, body := c.post("/report", v, "")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "the answer is not right") {
		t.Fatalf("wrong answer: %d", resp.StatusCode)
	}
	// Bad fields are named, and nothing is written either.
	v = complaintFormValues(solve(t, c))
	v.Set("loss", "a lot")
	v.Set("category", "")
	resp, body = c.post("/report", v, "")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Amount must be an amount in rupees") || !strings.Contains(body, "Kind of fraud is not a known category") {
		t.Fatalf("bad fields: %d\n%s", resp.StatusCode, body)
	}
	if list, _ := e.db.ListComplaints(e.sys, greyline.ComplaintFilter{}); len(list) != 0 {
		t.Fatalf("refused forms wrote %d complaints", len(list))
	}

	resp, body = c.post("/report", complaintFormValues(solve(t, c)), "")
	ref, code := refRE.FindStringSubmatch(body), codeRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusCreated || ref == nil || code == nil {
		t.Fatalf("submit: %d\n%s", resp.StatusCode, body)
	}
	list, _ := e.db.ListComplaints(e.sys, greyline.ComplaintFilter{})
	if len(list) != 1 || list[0].Channel != greyline.ChannelWeb || list[0].LossPaisa != 7_500_000 || len(list[0].Identifiers) < 2 {
		t.Fatalf("stored complaint: %+v", list)
	}

	// The complainant tracks it with the reference and code, and only so.
	resp, body = c.get("/track?reference=" + url.QueryEscape(ref[1]) + "&code=" + url.QueryEscape(code[1]))
	if resp.StatusCode != 200 || !strings.Contains(body, "Your complaint was received.") {
		t.Fatalf("track: %d\n%s", resp.StatusCode, body)
	}
	resp, body = c.get("/track?reference=" + url.QueryEscape(ref[1]) + "&code=wrong")
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "received.") {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}

	// The third submission in a minute from one address is refused.
	resp, _ = c.post("/report", complaintFormValues(solve(t, c)), "")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("rate limit: %d, want 429", resp.StatusCode)
	}
}

func TestHelplineComplaintForm(t *testing.T) {
	e := newEnv(t)
	op := e.user(nil, greyline.RoleHelpline)
	c := e.client()
	c.login(op)
	v := complaintFormValues(url.Values{})
	v.Set("channel", "walk_in")
	resp, body := c.post("/complaints", v, "/complaints/new")
	if resp.StatusCode != http.StatusCreated || refRE.FindStringSubmatch(body) == nil {
		t.Fatalf("helpline submit: %d\n%s", resp.StatusCode, body)
	}
	list, _ := e.db.ListComplaints(e.sys, greyline.ComplaintFilter{})
	if len(list) != 1 || list[0].Channel != greyline.ChannelWalkIn {
		t.Fatalf("stored: %+v", list)
	}
	// Other roles may not use the operator's form.
	analyst := e.client()
	analyst.login(e.user(nil, greyline.RoleAnalyst))
	if resp, _ := analyst.get("/complaints/new"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("analyst on the helpline form: %d", resp.StatusCode)
	}
}
