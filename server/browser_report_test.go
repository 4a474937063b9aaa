package server

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/greyline/greyline"
)

// fetchText fetches a same-site address from the page, with its cookies.
func fetchText(b *tab, path string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	js, _ := json.Marshal(path)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+string(js)+`).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("fetch %s: %v", path, err)
	}
	return v
}

// TestBrowserCommitteeReport: the report page shows the same figures as the
// JSON report, draws its charts, and offers the downloads.
func TestBrowserCommitteeReport(t *testing.T) {
	e := newEnv(t)
	inv := actorCtx(e.user(e.noTFA, greyline.RoleInvestigator))
	now := e.clock.Now()
	op := &greyline.Operation{Name: "Operation Grey", StartsOn: now.Add(-72 * time.Hour)}
	if err := e.db.CreateOperation(inv, op); err != nil {
		t.Fatal(err)
	}
	for i, city := range []string{"Karachi", "Karachi", "Islamabad"} {
		prov := greyline.Province("Sindh")
		if city == "Islamabad" {
			prov = "Islamabad Capital Territory"
		}
		r := &greyline.Raid{OperationID: op.ID, At: now.Add(-time.Hour), City: city, Province: prov, Address: "Somewhere", Outcome: greyline.RaidCentreFound,
			ScamPaisa: int64(i+1) * 100_000_000, RecoveredPaisa: 10_000_000}
		if err := e.db.RecordRaid(inv, r); err != nil {
			t.Fatal(err)
		}
		p := &greyline.Suspect{Name: "P", Passport: "EA123456" + strconv.Itoa(i), Nationality: "CN", Gender: "male", Role: greyline.CentreCaller}
		if err := e.db.AddSuspect(inv, p); err != nil {
			t.Fatal(err)
		}
		if err := e.db.RecordArrest(inv, &greyline.Arrest{OperationID: op.ID, RaidID: r.ID, SuspectID: p.ID, At: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	fileComplaint(t, e, 1, 5_000_000, "A caller 0321-7654321 took my money.")

	b := newTab(t, e)
	b.signInFully(e.user(e.noTFA, greyline.RoleAnalyst))
	day := now.In(greyline.Karachi).Format("2006-01-02")
	q := "?from=" + day + "&to=" + day
	b.expectPage(b.open("/reports/committee"+q), 200, "/reports/committee", "Operation Grey and licensing")
	var rep struct {
		Raids   int `json:"raids"`
		Arrests struct {
			Pakistani int `json:"pakistani"`
			Foreign   int `json:"foreign"`
		} `json:"arrests"`
		Scam       int64 `json:"scam_value_paisa"`
		Complaints struct {
			Total int `json:"total"`
		} `json:"complaints"`
	}
	body := fetchText(b, "/reports/committee/json"+q)
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, body)
	}
	if rep.Raids != 3 || rep.Arrests.Foreign != 3 || rep.Complaints.Total != 1 {
		t.Fatalf("json report: %+v", rep)
	}
	for sel, want := range map[string]string{"#t-raids": strconv.Itoa(rep.Raids), "#t-arrests-pk": strconv.Itoa(rep.Arrests.Pakistani),
		"#t-arrests-foreign": strconv.Itoa(rep.Arrests.Foreign), "#t-complaints": strconv.Itoa(rep.Complaints.Total), "#t-scam": greyline.FormatPaisa(rep.Scam)} {
		if got := b.text(sel); got != want {
			t.Errorf("%s shows %q, the JSON says %q", sel, got, want)
		}
	}
	if n := eval[int](b, `document.querySelectorAll('.report-chart svg').length`); n < 4 {
		t.Errorf("%d charts drawn", n)
	}
	if got := b.text("#table-actions-by-city"); !strings.Contains(got, "Karachi") || !strings.Contains(got, "Islamabad") {
		t.Errorf("actions by city:\n%s", got)
	}
	csv := fetchText(b, "/reports/committee/csv"+q+"&table=actions-by-city")
	if !strings.Contains(csv, "Karachi") {
		t.Errorf("csv: %q", csv)
	}
	pdf := fetchText(b, "/reports/committee/pdf"+q)[:5]
	if pdf != "%PDF-" {
		t.Errorf("pdf starts %q", pdf)
	}
}
