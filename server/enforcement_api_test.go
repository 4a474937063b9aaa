package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

// TestEnforcementAPI: an investigator records an operation, a raid, the
// people found, their arrests, an FIR and a seizure through the API; bad
// input is refused naming the field.
func TestEnforcementAPI(t *testing.T) {
	e := newEnv(t)
	inv := e.token(e.user(nil, greyline.RoleInvestigator), "read", "write")
	analyst := e.token(e.user(nil, greyline.RoleAnalyst), "read", "write")
	now := e.clock.Now()
	do := func(tok, method, path string, body any, status int, out any) {
		t.Helper()
		resp, b := e.api(method, path, tok, body)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, resp.StatusCode, status, b)
		}
		if out != nil {
			json.Unmarshal(b, out)
		}
	}
	var op greyline.Operation
	do(inv, "POST", "/api/v1/operations", map[string]any{"name": "Operation Grey", "starts_on": now.Add(-72 * time.Hour), "scope": "Illegal call centres"}, 201, &op)
	led := fileComplaint(t, e, 9, 100_000, "A caller 0321-1110009 sold me a fake job.")
	var raid greyline.Raid
	do(inv, "POST", fmt.Sprintf("/api/v1/operations/%d/raids", op.ID), map[string]any{"at": now.Add(-2 * time.Hour), "city": "Faisalabad", "province": "Punjab",
		"address": "Susan Road", "outcome": "centre_found", "scam_value_paisa": 5_000_000_000, "recovered_paisa": 100_000_000, "complaints": []int64{led.ID}}, 201, &raid)
	// The raid shows on the complaint that led to it.
	pc := e.client()
	pc.login(e.user(nil, greyline.RoleInvestigator))
	if resp, page := pc.get(fmt.Sprintf("/complaints/%d", led.ID)); resp.StatusCode != 200 || !strings.Contains(page, `id="cases"`) || !strings.Contains(page, "Raid in Faisalabad") {
		t.Fatalf("complaint page: %d", resp.StatusCode)
	}
	if resp, page := pc.get(fmt.Sprintf("/raids/%d", raid.ID)); resp.StatusCode != 200 || !strings.Contains(page, fmt.Sprintf(`href="/networks/%d"`, led.ID)) {
		t.Fatalf("raid page lacks the complaint's network: %d", resp.StatusCode)
	}
	if resp, page := pc.get(fmt.Sprintf("/networks/%d", led.ID)); resp.StatusCode != 200 || !strings.Contains(page, `id="cases"`) || !strings.Contains(page, "Raid in Faisalabad") {
		t.Fatalf("network page lacks the raid: %d", resp.StatusCode)
	}
	resp, body := e.api("POST", fmt.Sprintf("/api/v1/operations/%d/raids", op.ID), inv, map[string]any{"at": now.Add(time.Hour), "city": "Faisalabad", "province": "Punjab",
		"address": "x", "outcome": "centre_found", "scam_value_paisa": -1})
	wantProblem(t, "future raid with negative money", resp, body, 400, greyline.EINVALID, "at", "scam_value_paisa")

	var person greyline.Suspect
	do(inv, "POST", "/api/v1/persons", map[string]any{"name": "Chen Hao", "passport": "EA1234567", "nationality": "CN", "gender": "male", "role": "manager"}, 201, &person)
	if strings.Contains(person.Passport, "1234") {
		t.Errorf("the answer to a new person is not masked: %+v", person)
	}
	do(inv, "POST", fmt.Sprintf("/api/v1/operations/%d/arrests", op.ID), map[string]any{"raid_id": raid.ID, "suspect_id": person.ID, "at": now.Add(-time.Hour)}, 201, nil)
	var other greyline.Operation
	do(inv, "POST", "/api/v1/operations", map[string]any{"name": "Operation Blue", "starts_on": now.Add(-72 * time.Hour)}, 201, &other)
	resp, body = e.api("POST", fmt.Sprintf("/api/v1/operations/%d/arrests", other.ID), inv, map[string]any{"raid_id": raid.ID, "suspect_id": person.ID, "at": now.Add(-time.Hour)})
	wantProblem(t, "arrest in another operation's raid", resp, body, 400, greyline.EINVALID, "raid_id")

	resp, body = e.api("POST", "/api/v1/firs", inv, map[string]any{"number": "7/2026", "registered_on": now.Add(-time.Minute), "station": "NCCIA Faisalabad",
		"city": "Faisalabad", "province": "Punjab", "peca_sections": []string{"14", "77"}, "accused": []int64{person.ID}, "raid_id": raid.ID})
	wantProblem(t, "unknown PECA section", resp, body, 400, greyline.EINVALID, "peca_sections[1]")
	var fir greyline.FIR
	do(inv, "POST", "/api/v1/firs", map[string]any{"number": "7/2026", "registered_on": now.Add(-time.Minute), "station": "NCCIA Faisalabad",
		"city": "Faisalabad", "province": "Punjab", "peca_sections": []string{"14", "16"}, "other_laws": []string{"Foreigners Act 1946 s.14"}, "accused": []int64{person.ID}, "raid_id": raid.ID}, 201, &fir)
	do(inv, "POST", fmt.Sprintf("/api/v1/firs/%d/stage", fir.ID), map[string]any{"stage": "on_trial", "version": fir.Version}, 200, &fir)
	if fir.Stage != greyline.StageTrial {
		t.Errorf("stage %s", fir.Stage)
	}
	do(inv, "POST", fmt.Sprintf("/api/v1/raids/%d/seizures", raid.ID), map[string]any{"kind": "device", "quantity": 42, "description": "Laptops and phones"}, 201, nil)

	// A wallet from a complaint is seized: its tier becomes very high once
	// the server follows the change.
	e.srv.FollowFrom(0)
	fileComplaint(t, e, 1, 100_000, "I paid USDT to TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr for a job.")
	if s := e.srv.nets.Lookup("TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr"); s.Tier == "very high" {
		t.Fatalf("before the seizure: %+v", s)
	}
	do(inv, "POST", fmt.Sprintf("/api/v1/raids/%d/seizures", raid.ID), map[string]any{"kind": "crypto", "wallet": "TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr", "crypto_amount": "1520.5"}, 201, nil)
	if err := e.srv.FollowOnce(e.sys); err != nil {
		t.Fatal(err)
	}

	if s := e.srv.nets.Lookup("TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr"); s.Tier != "very high" || !strings.Contains(strings.Join(s.Reasons, " "), "seized in raid") {
		t.Fatalf("after the seizure: %+v", s)
	}

	// The analyst reads the raid with the person masked, and may not reveal.
	var rec greyline.RaidRecord
	do(analyst, "GET", fmt.Sprintf("/api/v1/raids/%d", raid.ID), nil, 200, &rec)
	if len(rec.Arrests) != 1 || len(rec.FIRs) != 1 || len(rec.Seizures) != 2 || strings.Contains(rec.Arrests[0].Suspect.Passport, "1234") {
		t.Fatalf("raid record: %+v", rec)
	}
	do(analyst, "GET", fmt.Sprintf("/api/v1/persons/%d", person.ID), nil, 403, nil)
	var full greyline.Suspect
	do(inv, "GET", fmt.Sprintf("/api/v1/persons/%d", person.ID), nil, 200, &full)
	if full.Passport != "EA1234567" {
		t.Errorf("revealed %+v", full)
	}
	if strings.Contains(e.logs.String(), "EA1234567") {
		t.Error("a passport number reached the logs")
	}
}

// TestRaidOnLicensedBusiness: the raid opens PTA's and NCCIA's decisions;
// each agency decides only its own; a suspension shows in lookups.
func TestRaidOnLicensedBusiness(t *testing.T) {
	e := newEnv(t)
	ravi := vtRegistryFixture(t, e)[2]
	inv := e.token(e.user(nil, greyline.RoleInvestigator), "read", "write")
	now := e.clock.Now()
	var op greyline.Operation
	resp, body := e.api("POST", "/api/v1/operations", inv, map[string]any{"name": "Operation Grey", "starts_on": now.Add(-72 * time.Hour)})
	json.Unmarshal(body, &op)
	var raid greyline.Raid
	resp, body = e.api("POST", fmt.Sprintf("/api/v1/operations/%d/raids", op.ID), inv, map[string]any{"at": now, "city": "Lahore", "province": "Punjab",
		"address": "Arfa Software Technology Park", "outcome": "centre_found", "business_id": ravi.biz.ID})
	json.Unmarshal(body, &raid)
	if resp.StatusCode != 201 || !raid.Licensed || raid.LicenceID != ravi.lic.ID {
		t.Fatalf("raid: %d %s", resp.StatusCode, body)
	}
	var revs struct{ Items []greyline.SuspensionReview }
	_, body = e.api("GET", fmt.Sprintf("/api/v1/licences/%d/suspensions", ravi.lic.ID), inv, nil)
	json.Unmarshal(body, &revs)
	if len(revs.Items) != 2 {
		t.Fatalf("reviews: %s", body)
	}
	pta := e.token(e.user(e.seeded("PTA"), greyline.RoleReviewer), "read", "write")
	nccia := revs.Items[1]
	if resp, _ := e.api("POST", fmt.Sprintf("/api/v1/suspension-reviews/%d", nccia.ID), pta, map[string]any{"suspend": true, "reason": "x", "order_no": "1"}); resp.StatusCode != 404 {
		t.Errorf("PTA decided NCCIA's review: %d", resp.StatusCode)
	}
	resp, body = e.api("POST", fmt.Sprintf("/api/v1/suspension-reviews/%d", revs.Items[0].ID), pta, map[string]any{"suspend": true, "reason": "Raided.", "order_no": "PTA/2026/9"})
	if resp.StatusCode != 200 {
		t.Fatalf("PTA suspends: %d %s", resp.StatusCode, body)
	}
	_, body = e.api("GET", "/api/v1/verify?q=%2B924235761234", "", nil)
	var l Lookup
	json.Unmarshal(body, &l)
	if l.Licensed || len(l.Licences) != 1 || l.Licences[0].Status != "suspended" {
		t.Fatalf("lookup after the suspension: %s", body)
	}
}
