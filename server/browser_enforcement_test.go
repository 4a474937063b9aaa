package server

import (
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

// TestBrowserOperationGrey: an investigator starts an operation, records a
// raid (a bad amount is named first), and moves an FIR's court stage.
func TestBrowserOperationGrey(t *testing.T) {
	e := newEnv(t)
	inv := e.user(e.noTFA, greyline.RoleInvestigator)
	b := newTab(t, e)
	b.signInFully(inv)
	b.expectPage(b.open("/operations"), 200, "/operations", "Operations")
	b.fill("#f-name", "Operation Grey")
	b.setValue("#f-starts_on", e.clock.Now().Add(-48*time.Hour).In(greyline.Karachi).Format("2006-01-02"))
	st := b.click("#create-operation")
	page := b.location().Path
	b.expectPage(st, 200, page, "Operation Grey")
	if !strings.HasPrefix(page, "/operations/") {
		t.Fatalf("after starting: %s", page)
	}
	b.fill("#f-city", "Karachi")
	b.setValue("#f-province", "Sindh")
	b.fill("#f-address", "Plot 12, Shahrah-e-Faisal")
	b.fill("#f-scam_value", "-500")
	b.expectPage(b.click("#record-raid"), 400, page+"/raids", "Operation Grey")
	if got := b.text(".field.invalid .err"); !strings.Contains(got, "Amount") {
		t.Fatalf("bad amount: %q", got)
	}
	b.expectPage(b.open(page), 200, page, "Operation Grey")
	b.fill("#f-city", "Karachi")
	b.setValue("#f-province", "Sindh")
	b.fill("#f-address", "Plot 12, Shahrah-e-Faisal")
	b.fill("#f-scam_value", "2,50,00,000")
	b.fill("#f-recovered", "10,00,000")
	st = b.click("#record-raid")
	raidPage := b.location().Path
	b.expectPage(st, 200, raidPage, "Raid in Karachi")
	if got := b.text("#raid-licensed"); !strings.Contains(got, "unlicensed") {
		t.Fatalf("licence line: %q", got)
	}

	// An FIR, recorded through the store, then moved on through the page.
	raids, _ := e.db.ListRaids(e.sys, 0)
	ctx := actorCtx(inv)
	p := &greyline.Suspect{Name: "Chen Hao", Passport: "EA1234567", Nationality: "CN", Gender: "male", Role: greyline.CentreManager}
	if err := e.db.AddSuspect(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := e.db.RecordArrest(ctx, &greyline.Arrest{OperationID: raids[0].OperationID, RaidID: raids[0].ID, SuspectID: p.ID, At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	fir := &greyline.FIR{Number: "54/2026", RegisteredOn: e.clock.Now(), Station: "NCCIA Karachi", City: "Karachi", Province: "Sindh", PECASections: []string{"14"}, RaidID: raids[0].ID, Accused: []int64{p.ID}}
	if err := e.db.RegisterFIR(ctx, fir); err != nil {
		t.Fatal(err)
	}
	b.expectPage(b.open(raidPage), 200, raidPage, "Raid in Karachi")
	if got := b.text("#arrests"); !strings.Contains(got, "Chen Hao") || strings.Contains(got, "1234") {
		t.Fatalf("arrests (the passport must be masked): %q", got)
	}
	b.setValue("#f-stage-1", "challan_submitted")
	b.expectPage(b.click("#stage-1"), 200, raidPage, "Raid in Karachi")
	if got := b.text("#fir-1 .fir-stage"); !strings.EqualFold(got, "challan submitted") {
		t.Fatalf("court stage: %q", got)
	}

	// The person in full, audited; the FIR on the FIRs page.
	b.expectPage(b.click(`#arrests a[href^="/persons/"]`), 200, b.location().Path, "Chen Hao")
	if got := b.text("#person"); !strings.Contains(got, "EA1234567") {
		t.Fatalf("person: %q", got)
	}
	if evs, _ := e.db.ListAudit(e.sys, greyline.AuditFilter{Action: "suspect.reveal"}); len(evs) != 1 {
		t.Errorf("reveals audited: %d", len(evs))
	}
	b.expectPage(b.open("/firs"), 200, "/firs", "FIRs and court stages")
	b.setValue(`#fir-1 select[name="stage"]`, "on_trial")
	b.expectPage(b.click(`#fir-1 button[type="submit"]`), 200, "/firs", "FIRs and court stages")
	if f, _ := e.db.FindFIR(e.sys, 1); f.Stage != greyline.StageTrial {
		t.Errorf("stage after the FIRs page: %s", f.Stage)
	}
}
