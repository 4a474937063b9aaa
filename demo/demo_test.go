package demo_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/demo"
	"github.com/greyline/greyline/report"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
	"github.com/greyline/greyline/watch"
)

func load(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
	start := time.Now()
	if _, err := demo.Load(ctx, demo.Services{Orgs: db, Users: db, Businesses: db, Applications: db, Clearance: db, Licences: db, Complaints: db, Enforcement: db, Takedowns: db}); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	t.Logf("demo.Load on %s took %v", db.Engine(), time.Since(start).Round(time.Millisecond))
}

// inPeriod reports whether t falls on a day of the briefing's period in
// Asia/Karachi.
func inPeriod(t time.Time) bool {
	k := t.In(greyline.Karachi)
	return !k.Before(demo.PeriodFrom) && k.Before(demo.PeriodTo.AddDate(0, 0, 1))
}

// figures are the briefing's numbers as counted straight from the tables.
type figures struct {
	RaidsByCity               map[string]int
	ArrestsPK, ArrestsForeign int
	AccusedPK, AccusedForeign int
	AccusedByCity             map[string][2]int
	FIRs                      int
	Scam, Recovered           int64
	Complaints, Cyber         int
	CyberLoss                 int64
	Stages                    map[string]int
}

func count(t *testing.T, db *sqlstore.DB) figures {
	t.Helper()
	_, rd := db.Pools()
	f := figures{RaidsByCity: map[string]int{}, AccusedByCity: map[string][2]int{}, Stages: map[string]int{}}
	each := func(q string, scan func(*sql.Rows) error) {
		t.Helper()
		rows, err := rd.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	each("SELECT at, city, scam_paisa, recovered_paisa FROM raids", func(rows *sql.Rows) error {
		var at time.Time
		var city string
		var scam, rec int64
		if err := rows.Scan(&at, &city, &scam, &rec); err != nil {
			return err
		}
		if inPeriod(at) {
			f.RaidsByCity[city]++
			f.Scam += scam
			f.Recovered += rec
		}
		return nil
	})
	each("SELECT a.at, s.nationality FROM arrests a JOIN suspects s ON s.id = a.suspect_id", func(rows *sql.Rows) error {
		var at time.Time
		var nat string
		if err := rows.Scan(&at, &nat); err != nil {
			return err
		}
		if inPeriod(at) {
			if nat == "PK" {
				f.ArrestsPK++
			} else {
				f.ArrestsForeign++
			}
		}
		return nil
	})
	each("SELECT registered_on, stage FROM firs", func(rows *sql.Rows) error {
		var at time.Time
		var stage string
		if err := rows.Scan(&at, &stage); err != nil {
			return err
		}
		if inPeriod(at) {
			f.FIRs++
			f.Stages[stage]++
		}
		return nil
	})
	each("SELECT f.registered_on, f.city, s.nationality FROM fir_accused fa JOIN firs f ON f.id = fa.fir_id JOIN suspects s ON s.id = fa.suspect_id", func(rows *sql.Rows) error {
		var at time.Time
		var city, nat string
		if err := rows.Scan(&at, &city, &nat); err != nil {
			return err
		}
		if inPeriod(at) {
			c := f.AccusedByCity[city]
			if nat == "PK" {
				f.AccusedPK++
				c[0]++
			} else {
				f.AccusedForeign++
				c[1]++
			}
			f.AccusedByCity[city] = c
		}
		return nil
	})
	each("SELECT received_at, category, loss_paisa FROM complaints", func(rows *sql.Rows) error {
		var at time.Time
		var cat string
		var loss int64
		if err := rows.Scan(&at, &cat, &loss); err != nil {
			return err
		}
		if inPeriod(at) {
			f.Complaints++
			if c, _ := greyline.CategoryByCode(cat); c.CyberFraud {
				f.Cyber++
				f.CyberLoss += loss
			}
		}
		return nil
	})
	return f
}

func TestLoadReproducesTheBriefing(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		load(t, db)
		got := count(t, db)
		want := map[string]int{"Karachi": 19, "Islamabad": 17, "Lahore": 11, "Rawalpindi": 8, "Faisalabad": 7, "Multan": 1}
		if diff := cmp.Diff(want, got.RaidsByCity); diff != "" {
			t.Errorf("raids by city (-want +got):\n%s", diff)
		}
		check := func(what string, got, want int64) {
			t.Helper()
			if got != want {
				t.Errorf("%s = %d, want %d", what, got, want)
			}
		}
		check("arrests, Pakistani", int64(got.ArrestsPK), 195)
		check("arrests, foreign", int64(got.ArrestsForeign), 255)
		check("accused, Pakistani", int64(got.AccusedPK), 248)
		check("accused, foreign", int64(got.AccusedForeign), 259)
		check("FIRs", int64(got.FIRs), 54)
		check("scam value (paisa)", got.Scam, 720_000_000_00)
		check("recovered (paisa)", got.Recovered, 40_000_000_00)
		check("complaints", int64(got.Complaints), demo.ComplaintsInPeriod)
		if share := float64(got.Cyber) / float64(got.Complaints); share != 0.6 {
			t.Errorf("cyber-enabled fraud share = %v, want 0.6", share)
		}
		if got.CyberLoss <= 3_000_000_000_00 {
			t.Errorf("cyber-enabled fraud losses = Rs %d, want over Rs 3 billion", got.CyberLoss/100)
		}
		// Islamabad and Faisalabad have the most accused of both kinds;
		// Karachi and Rawalpindi more Pakistani than foreign; Multan few.
		acc := got.AccusedByCity
		for _, city := range []string{"Karachi", "Lahore", "Rawalpindi", "Multan"} {
			for k := range 2 {
				if acc[city][k] >= min(acc["Islamabad"][k], acc["Faisalabad"][k]) {
					t.Errorf("%s has %v accused, not fewer than Islamabad %v and Faisalabad %v", city, acc[city], acc["Islamabad"], acc["Faisalabad"])
				}
			}
		}
		for _, city := range []string{"Karachi", "Rawalpindi"} {
			if acc[city][0] <= acc[city][1] {
				t.Errorf("%s accused %v: want more Pakistani than foreign", city, acc[city])
			}
		}
		if n := acc["Multan"][0] + acc["Multan"][1]; n > 5 {
			t.Errorf("Multan has %d accused, want very few", n)
		}
		for _, s := range greyline.CourtStages {
			if got.Stages[string(s)] == 0 {
				t.Errorf("no FIR at court stage %s", s)
			}
		}
		checkLinks(t, db)
	})
}

// checkLinks checks what the briefing does not count: the suspension of the
// raided licence, the seized wallets' tiers, complaints made case
// registered by FIRs, and licensing at every stage.
func checkLinks(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
	statuses := map[greyline.LicenceStatus]int{}
	lics, err := db.ListLicences(ctx, greyline.LicenceFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lics {
		statuses[l.Status]++
	}
	for _, s := range []greyline.LicenceStatus{greyline.LicenceActive, greyline.LicenceProvisional, greyline.LicenceSuspended, greyline.LicenceRevoked, greyline.LicenceSurrendered} {
		if statuses[s] == 0 {
			t.Errorf("no licence %s: %v", s, statuses)
		}
	}
	apps := map[greyline.ApplicationStatus]int{}
	for _, st := range []greyline.ApplicationStatus{greyline.AppDraft, greyline.AppSubmitted, greyline.AppGranted, greyline.AppRefused} {
		as, err := db.ListApplications(ctx, greyline.ApplicationFilter{Status: st})
		if err != nil {
			t.Fatal(err)
		}
		if apps[st] = len(as); len(as) == 0 {
			t.Errorf("no application %s", st)
		}
	}
	open, err := db.SuspensionReviews(ctx, 0, 0)
	if err != nil || len(open) != 1 || open[0].OrgCode != "PTA" {
		t.Errorf("open suspension decisions: %v, %v; want PTA's", open, err)
	}
	cs, err := db.ListComplaints(ctx, greyline.ComplaintFilter{Status: greyline.ComplaintCaseRegistered, Limit: 500})
	if err != nil || len(cs) < 150 {
		t.Errorf("%d complaints case registered (%v); want the networks' behind FIRs", len(cs), err)
	}
	_, rd := db.Pools()
	var seized int
	if err := rd.QueryRow("SELECT COUNT(*) FROM identifiers WHERE finding <> '' AND complaints > 0").Scan(&seized); err != nil || seized < 3 {
		t.Errorf("%d seized wallets named in complaints (%v), want at least 3", seized, err)
	}

	// Takedowns in every state but one; the watch turns the last two
	// complaints into alerts once it has read them.
	tds, err := db.ListTakedowns(ctx, greyline.TakedownFilter{})
	if err != nil || len(tds) != 5 {
		t.Fatalf("takedowns: %d %v", len(tds), err)
	}
	w := watch.New(db, nil)
	if err := w.Load(ctx); err != nil {
		t.Fatal(err)
	}
	recent, _ := db.ListComplaints(ctx, greyline.ComplaintFilter{Limit: 2, Newest: true})
	if err := w.CheckComplaints(ctx, []int64{recent[0].ID, recent[1].ID}); err != nil {
		t.Fatal(err)
	}
	alerts, err := db.ListAlerts(ctx, greyline.AlertFilter{})
	kinds := map[greyline.AlertKind]int{}
	for _, a := range alerts {
		kinds[a.Kind]++
	}
	if diff := cmp.Diff(map[greyline.AlertKind]int{greyline.AlertReappearance: 1, greyline.AlertWallet: 1}, kinds); err != nil || diff != "" {
		t.Errorf("alerts (-want +got):\n%s %v", diff, err)
	}
}

func TestLoadIsDeterministic(t *testing.T) {
	type snapshot struct {
		Figures    figures
		Raids      []greyline.Raid
		FIRs       []greyline.FIR
		Suspects   []greyline.Suspect
		Narratives []string
	}
	take := func() snapshot {
		db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{})
		load(t, db)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
		s := snapshot{Figures: count(t, db)}
		raids, err := db.ListRaids(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range raids[len(raids)-5:] {
			s.Raids = append(s.Raids, *r) // the oldest: dated in 2025, not today
		}
		for id := int64(1); id <= 3; id++ {
			f, err := db.FindFIR(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			f.StageChanged = time.Time{} // when the demo ran
			s.FIRs = append(s.FIRs, *f)
			p, err := db.RevealSuspect(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			s.Suspects = append(s.Suspects, *p)
		}
		cs, err := db.ListComplaints(ctx, greyline.ComplaintFilter{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			s.Narratives = append(s.Narratives, c.ReceivedAt.String()+" "+c.Narrative)
		}
		return s
	}
	a, b := take(), take()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two loads differ (-first +second):\n%s", diff)
	}
}

func TestLoadRefusesADatabaseWithUsers(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{})
	load(t, db)
	ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
	if _, err := demo.Load(ctx, demo.Services{Orgs: db, Users: db, Businesses: db, Applications: db, Clearance: db, Licences: db, Complaints: db, Enforcement: db}); err != demo.ErrNotEmpty {
		t.Errorf("second Load: %v, want ErrNotEmpty", err)
	}
}

// TestCommitteeReport builds the committee report for January to August
// 2025 from the demo database and checks every figure of NCCIA's briefing,
// and that the tables equal those of report.BriefingExample, the hand-made
// input with the same split.
func TestCommitteeReport(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		load(t, db)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
		from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 8, 31, 0, 0, 0, 0, time.UTC)
		in, err := db.CommitteeInput(ctx, from, to, "", "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := report.Build(in)
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, got, want any) {
			t.Helper()
			if got != want {
				t.Errorf("%s = %v, want %v", what, got, want)
			}
		}
		check("raids", got.Raids, 63)
		check("arrests", got.Arrests, report.Split{Pakistani: 195, Foreign: 255, Total: 450})
		check("accused", got.Accused, report.Split{Pakistani: 248, Foreign: 259, Total: 507})
		check("FIRs", got.FIRs, 54)
		check("scam value", got.ScamValuePaisa, int64(720_000_000_00))
		check("recovered", got.RecoveredPaisa, int64(40_000_000_00))
		check("complaints", got.Complaints.Total, 2000)
		check("cyber-enabled fraud share", got.Complaints.CyberFraudShare, 0.6)
		if got.Complaints.CyberFraudLossPaisa <= 3_000_000_000_00 {
			t.Errorf("cyber-enabled fraud losses Rs %d, want over Rs 3 billion", got.Complaints.CyberFraudLossPaisa/100)
		}
		raids := map[string]int{}
		for _, c := range got.ByCity {
			raids[c.City] = c.Raids
		}
		if diff := cmp.Diff(map[string]int{"Karachi": 19, "Islamabad": 17, "Lahore": 11, "Rawalpindi": 8, "Faisalabad": 7, "Multan": 1}, raids); diff != "" {
			t.Errorf("raids by city (-want +got):\n%s", diff)
		}

		ex, err := report.Build(report.BriefingExample())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"by_city", got.ByCity, ex.ByCity},
			{"accused_by_nationality", got.AccusedByNationality, ex.AccusedByNationality},
			{"accused_by_country", got.AccusedByCountry, ex.AccusedByCountry},
			{"accused_arrested", got.AccusedArrested, ex.AccusedArrested},
			{"returned_paisa", got.ReturnedPaisa, ex.ReturnedPaisa},
			{"recovery_rate", got.RecoveryRate, ex.RecoveryRate},
			{"complaints", got.Complaints, ex.Complaints},
		} {
			if diff := cmp.Diff(c.want, c.got); diff != "" {
				t.Errorf("%s differs from report.BriefingExample's (-example +demo):\n%s", c.name, diff)
			}
		}
	})
}
