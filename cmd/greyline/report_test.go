package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

func TestReportCommittee(t *testing.T) {
	t.Parallel()
	c := migrated(t)
	db := c.openStore()
	now := time.Now()
	op := &greyline.Operation{Name: "Operation Grey", StartsOn: now.Add(-72 * time.Hour)}
	if err := db.CreateOperation(sysCtx(), op); err != nil {
		t.Fatal(err)
	}
	for _, city := range []string{"Karachi", "Karachi", "Multan"} {
		r := &greyline.Raid{OperationID: op.ID, At: now.Add(-time.Hour), City: city, Province: map[string]greyline.Province{"Karachi": "Sindh", "Multan": "Punjab"}[city],
			Address: "Somewhere", Outcome: greyline.RaidCentreFound, ScamPaisa: 100_000_000, RecoveredPaisa: 10_000_000}
		if err := db.RecordRaid(sysCtx(), r); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	day := now.In(greyline.Karachi).Format("2006-01-02")
	out := c.mustRun("report", "committee", "--from", day, "--to", day, "--format", "json")
	var got struct {
		Raids  int   `json:"raids"`
		Scam   int64 `json:"scam_value_paisa"`
		ByCity []struct {
			City  string `json:"city"`
			Raids int    `json:"raids"`
		} `json:"by_city"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if got.Raids != 3 || got.Scam != 300_000_000 || len(got.ByCity) != 2 || got.ByCity[0].City != "Karachi" || got.ByCity[0].Raids != 2 {
		t.Errorf("report: %+v", got)
	}
	if out := c.mustRun("report", "committee", "--from", day, "--to", day, "--city", "Multan"); !strings.Contains(out, "Multan") {
		t.Errorf("text:\n%s", out)
	}
	if out := c.mustRun("report", "committee", "--from", day, "--to", day, "--format", "csv"); !strings.Contains(out, "# actions-by-city") {
		t.Errorf("csv:\n%s", out)
	}
	if out := c.mustRun("report", "committee", "--from", day, "--to", day, "--format", "pdf"); !strings.HasPrefix(out, "%PDF-") {
		t.Errorf("pdf starts %q", out[:min(len(out), 20)])
	}
	c.wantExit(ExitInvalid, []string{"--from", "--format"}, "report", "committee", "--from", "yesterday", "--to", day, "--format", "xls")
	c.wantExit(ExitInvalid, []string{"to"}, "report", "committee", "--from", day, "--to", "2001-01-01")
}
