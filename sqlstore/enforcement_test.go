package sqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/report"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	if !errors.Is(err, greyline.ErrInvalid) {
		t.Errorf("%s: %v, want invalid %s", what, err, field)
		return
	}
	if fs := greyline.ErrorFields(err); len(fs) == 0 || fs[0].Field != field {
		t.Errorf("%s: fields %+v, want %s", what, fs, field)
	}
}

func TestOperationGrey(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			l.site("Islamabad", "+92512345678")
			l.grantDirectly(t)
			db := l.db
			l.clk.Add(48 * time.Hour)
			now := l.clk.Now()
			inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
			n := sampleComplaint(now)
			c, secret, _, err := db.CreateComplaint(inv, n, "")
			if err != nil {
				t.Fatal(err)
			}

			grey := &greyline.Operation{Name: "Operation Grey", StartsOn: now.Add(-72 * time.Hour), Scope: "Illegal call centres"}
			if err := db.CreateOperation(inv, grey); err != nil {
				t.Fatal(err)
			}
			other := &greyline.Operation{Name: "Operation Blue", StartsOn: now.Add(-72 * time.Hour)}
			if err := db.CreateOperation(inv, other); err != nil {
				t.Fatal(err)
			}
			wantField(t, "same name", db.CreateOperation(inv, &greyline.Operation{Name: "Operation Grey", StartsOn: now}), "name")

			// A raid on the licensed business: suspension decisions for PTA and NCCIA.
			raid := &greyline.Raid{OperationID: grey.ID, At: now.Add(-time.Hour), City: "islamabad", Province: "Islamabad Capital Territory",
				Address: "Plot 12, Street 7, I-9/2", BusinessID: l.biz.ID, Outcome: greyline.RaidCentreFound, Team: "NCCIA Islamabad",
				ScamPaisa: 72_000_000_000, RecoveredPaisa: 4_000_000_000, Complaints: []int64{c.ID}}
			if err := db.RecordRaid(inv, raid); err != nil {
				t.Fatal(err)
			}
			if !raid.Licensed || raid.LicenceID == 0 || raid.City != "Islamabad" {
				t.Fatalf("raid %+v", raid)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM suspension_reviews WHERE status = 'open'"); n != 2 {
				t.Errorf("%d suspension decisions opened, want PTA's and NCCIA's", n)
			}
			reviews, err := db.SuspensionReviews(inv, raid.LicenceID, 0)
			if err != nil || len(reviews) != 2 || reviews[0].OrgCode != "PTA" || reviews[1].OrgCode != "NCCIA" {
				t.Fatalf("reviews: %v %+v", err, reviews)
			}
			_, err = db.DecideSuspension(l.reviewers["PTA"], reviews[0].ID, true, "Illegal operation found.", "")
			wantField(t, "suspend without an order", err, "order_no")
			if r, err := db.DecideSuspension(l.reviewers["PTA"], reviews[0].ID, true, "Illegal operation found.", "PTA/2026/77"); err != nil || r.Status != "suspended" {
				t.Fatalf("PTA suspends: %v %+v", err, r)
			}
			if lic, _ := db.FindLicence(inv, raid.LicenceID); lic.Status != greyline.LicenceSuspended {
				t.Fatalf("licence %s after PTA's decision", lic.Status)
			}
			if r, err := db.DecideSuspension(l.reviewers["NCCIA"], reviews[1].ID, true, "Agreed.", "NCCIA/2026/5"); err != nil || r.Status != "suspended" {
				t.Fatalf("NCCIA suspends an already suspended licence: %v %+v", err, r)
			}
			if _, err := db.DecideSuspension(l.reviewers["NCCIA"], reviews[1].ID, false, "Changed my mind.", ""); !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("second decision: %v", err)
			}
			if open, _ := db.SuspensionReviews(inv, 0, 0); len(open) != 0 {
				t.Errorf("open reviews left: %+v", open)
			}
			unlicensed := &greyline.Raid{OperationID: other.ID, At: now.Add(-2 * time.Hour), City: "Karachi", Province: "Sindh", Address: "Shahrah-e-Faisal", Outcome: greyline.RaidCentreFound}
			if err := db.RecordRaid(inv, unlicensed); err != nil || unlicensed.Licensed {
				t.Fatalf("unlicensed raid: %v %+v", err, unlicensed)
			}
			bad := *unlicensed
			bad.ID, bad.At = 0, now.Add(-30*24*time.Hour)
			wantField(t, "raid before the operation", db.RecordRaid(inv, &bad), "at")
			bad.At, bad.Complaints = now.Add(-time.Hour), []int64{999999}
			wantField(t, "unknown complaint", db.RecordRaid(inv, &bad), "complaints")

			// People: masked unless revealed, and the reveal is audited.
			li := &greyline.Suspect{Name: "Li Wei", Passport: "E12345678", Nationality: "CN", Gender: "male", Role: greyline.CentreManager}
			ali := &greyline.Suspect{Name: "Ali Raza", CNIC: "3520212345671", Gender: "male", Role: greyline.CentreCaller}
			for _, p := range []*greyline.Suspect{li, ali} {
				if err := db.AddSuspect(inv, p); err != nil {
					t.Fatal(err)
				}
			}
			wantField(t, "arrest in another operation's raid", db.RecordArrest(inv, &greyline.Arrest{OperationID: other.ID, RaidID: raid.ID, SuspectID: li.ID, At: now}), "raid_id")
			wantField(t, "arrest in the future", db.RecordArrest(inv, &greyline.Arrest{OperationID: grey.ID, RaidID: raid.ID, SuspectID: li.ID, At: now.Add(time.Hour)}), "at")
			for _, p := range []*greyline.Suspect{li, ali} {
				if err := db.RecordArrest(inv, &greyline.Arrest{OperationID: grey.ID, RaidID: raid.ID, SuspectID: p.ID, At: now.Add(-30 * time.Minute)}); err != nil {
					t.Fatal(err)
				}
			}
			wantField(t, "arrested twice", db.RecordArrest(inv, &greyline.Arrest{OperationID: grey.ID, RaidID: raid.ID, SuspectID: li.ID, At: now}), "suspect_id")
			rec, err := db.FindRaid(inv, raid.ID)
			if err != nil || len(rec.Arrests) != 2 {
				t.Fatalf("raid record: %v %+v", err, rec)
			}
			for _, a := range rec.Arrests {
				if strings.Contains(a.Suspect.Passport, "12345") || strings.Contains(a.Suspect.CNIC, "1234567") {
					t.Errorf("unmasked in the raid record: %+v", a.Suspect)
				}
			}
			full, err := db.RevealSuspect(inv, ali.ID)
			if err != nil || full.CNIC != "35202-1234567-1" || full.Nationality != "PK" {
				t.Fatalf("reveal: %v %+v", err, full)
			}
			if evs, _ := db.ListAudit(inv, greyline.AuditFilter{Action: "suspect.reveal"}); len(evs) != 1 {
				t.Errorf("reveals audited: %d", len(evs))
			}

			// FIRs: a section PECA does not have is refused and nothing written.
			fir := &greyline.FIR{Number: "54/2026", RegisteredOn: now.Add(-10 * time.Minute), Station: "NCCIA Islamabad", City: "Islamabad", Province: "Islamabad Capital Territory",
				PECASections: []string{"14", "99"}, OtherLaws: []string{"PPC 420"}, RaidID: raid.ID, Accused: []int64{li.ID, ali.ID}, Complaints: []int64{c.ID}}
			wantField(t, "no such section", db.RegisterFIR(inv, fir), "peca_sections[1]")
			if n := count(t, db, "SELECT COUNT(*) FROM firs"); n != 0 {
				t.Fatalf("a refused FIR was written")
			}
			fir.PECASections = []string{"14", "16"}
			if err := db.RegisterFIR(inv, fir); err != nil {
				t.Fatal(err)
			}
			// The complainant sees "case registered".
			tr, err := db.TrackComplaint(inv, c.Reference, secret)
			if err != nil || tr.Status != greyline.ComplaintCaseRegistered || !strings.Contains(tr.Messages[len(tr.Messages)-1].Message, "FIR 54/2026") {
				t.Fatalf("tracking after the FIR: %v %+v", err, tr)
			}
			if _, err := db.SetCourtStage(inv, fir.ID, fir.Version+1, greyline.StageChallan, ""); !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("stale version: %v", err)
			}
			f, err := db.SetCourtStage(inv, fir.ID, fir.Version, greyline.StageChallan, "Challan submitted to the court.")
			if err != nil || f.Stage != greyline.StageChallan || f.Version != 2 {
				t.Fatalf("court stage: %v %+v", err, f)
			}

			// A seized wallet carries the finding that raises its tier.
			seizure := &greyline.Seizure{RaidID: raid.ID, Kind: greyline.SeizeCrypto, Wallet: "TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr", Amount: "15200.5"}
			if err := db.RecordSeizure(inv, seizure); err != nil {
				t.Fatal(err)
			}
			wantField(t, "not a wallet", db.RecordSeizure(inv, &greyline.Seizure{RaidID: raid.ID, Kind: greyline.SeizeCrypto, Wallet: "not-a-wallet"}), "wallet")
			wantField(t, "negative cash", db.RecordSeizure(inv, &greyline.Seizure{RaidID: raid.ID, Kind: greyline.SeizeCash, CashPaisa: -1}), "cash_paisa")
			found := false
			for _, i := range readNetwork(t, db).identifiers {
				if i.Value == "TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr" {
					found = strings.HasPrefix(i.Finding, "seized in raid")
				}
			}
			if !found {
				t.Error("the seized wallet has no finding")
			}
			raids, firs, err := db.CasesOf(inv, []int64{c.ID, 999999})
			if err != nil || len(raids) != 1 || raids[0].ID != raid.ID || len(firs) != 1 || firs[0].ID != fir.ID {
				t.Errorf("cases of the complaint: %v %+v %+v", err, raids, firs)
			}
			rec, _ = db.FindRaid(inv, raid.ID)
			if len(rec.Seizures) != 1 || len(rec.FIRs) != 1 || len(rec.Complaints) != 1 {
				t.Errorf("raid record: %+v", rec)
			}
		})
	}
}

// TestCommitteeInput: the facts read for the committee report give the
// figures recorded, and the period and place filters apply.
func TestCommitteeInput(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
		op := &greyline.Operation{Name: "Operation Grey", StartsOn: now.Add(-72 * time.Hour)}
		if err := db.CreateOperation(inv, op); err != nil {
			t.Fatal(err)
		}
		raid := func(city string, province greyline.Province, scam int64) *greyline.Raid {
			r := &greyline.Raid{OperationID: op.ID, At: now.Add(-time.Hour), City: city, Province: province, Address: "Somewhere", Outcome: greyline.RaidCentreFound, ScamPaisa: scam, RecoveredPaisa: scam / 10}
			if err := db.RecordRaid(inv, r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		khi, lhr := raid("Karachi", "Sindh", 1_000_000), raid("Lahore", "Punjab", 500_000)
		people := []*greyline.Suspect{
			{Name: "A", CNIC: "4210112345671", Gender: "male", Role: greyline.CentreCaller},
			{Name: "B", Passport: "EA1234567", Nationality: "CN", Gender: "male", Role: greyline.CentreManager},
			{Name: "C", Passport: "A12345678", Nationality: "NG", Gender: "female", Role: greyline.CentreCaller},
		}
		for _, p := range people {
			if err := db.AddSuspect(inv, p); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range people[:2] {
			if err := db.RecordArrest(inv, &greyline.Arrest{OperationID: op.ID, RaidID: khi.ID, SuspectID: p.ID, At: now.Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		fir := &greyline.FIR{Number: "1/2026", RegisteredOn: now.Add(-time.Minute), Station: "NCCIA Karachi", City: "Karachi", Province: "Sindh",
			PECASections: []string{"14"}, RaidID: khi.ID, Accused: []int64{people[0].ID, people[1].ID, people[2].ID}}
		if err := db.RegisterFIR(inv, fir); err != nil {
			t.Fatal(err)
		}
		n := sampleComplaint(now) // Lahore, impersonation of a family member: cyber-enabled fraud
		if _, _, _, err := db.CreateComplaint(inv, n, ""); err != nil {
			t.Fatal(err)
		}
		n.Category, n.Complainant.City, n.Complainant.Province = "harassment", "Karachi", "Sindh"
		if _, _, _, err := db.CreateComplaint(inv, n, ""); err != nil {
			t.Fatal(err)
		}
		day := now.In(greyline.Karachi)
		for _, tt := range []struct {
			province                               string
			raids, arrestsPK, arrestsForeign, firs int
			accusedPK, accusedForeign, complaints  int
			scam                                   int64
			share                                  float64
		}{
			{"", 2, 1, 1, 1, 1, 2, 2, 1_500_000, 0.5},
			{"Sindh", 1, 1, 1, 1, 1, 2, 1, 1_000_000, 0},
			{"Punjab", 1, 0, 0, 0, 0, 0, 1, 500_000, 1},
		} {
			in, err := db.CommitteeInput(inv, day, day, "", tt.province)
			if err != nil {
				t.Fatal(err)
			}
			c, err := report.Build(in)
			if err != nil {
				t.Fatal(err)
			}
			got := []any{c.Raids, c.Arrests.Pakistani, c.Arrests.Foreign, c.FIRs, c.Accused.Pakistani, c.Accused.Foreign, c.Complaints.Total, c.ScamValuePaisa, c.Complaints.CyberFraudShare}
			want := []any{tt.raids, tt.arrestsPK, tt.arrestsForeign, tt.firs, tt.accusedPK, tt.accusedForeign, tt.complaints, tt.scam, tt.share}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("province %q (-want +got):\n%s", tt.province, diff)
			}
		}
		// Another period holds nothing.
		in, _ := db.CommitteeInput(inv, day.AddDate(0, -2, 0), day.AddDate(0, -1, 0), "", "")
		if c, err := report.Build(in); err != nil || c.Raids != 0 || c.Complaints.Total != 0 {
			t.Errorf("an empty period: %v %+v", err, c)
		}
		_ = lhr
	})
}

// TestDatePaperSubmission: an application handed in on paper weeks ago
// gets that date, and the agencies' deadlines count from it.
func TestDatePaperSubmission(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			l.site("Islamabad", "+92512345678")
			db, ctx := l.db, l.applicant
			p := &greyline.Person{BusinessID: l.biz.ID, Name: "Ayesha", Role: greyline.Director, CNIC: "3520212345671"}
			if err := db.SavePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			app, err := db.CreateApplication(ctx, l.biz.ID, greyline.NewLicence, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29} {
				l.doc(app.ID, k, 0)
			}
			l.doc(app.ID, greyline.DocCNIC, p.ID)
			app, _ = db.UpdatePayment(ctx, app.ID, app.Version, "PSID-1")
			if _, err := db.Submit(ctx, app.ID, app.Version); err != nil {
				t.Fatal(err)
			}
			now := l.clk.Now()
			if _, err := db.DatePaperSubmission(sys(), app.ID, now.Add(24*time.Hour)); !errors.Is(err, greyline.ErrInvalid) {
				t.Errorf("a future date: %v", err)
			}
			a, err := db.DatePaperSubmission(sys(), app.ID, now.AddDate(0, 0, -40))
			if err != nil || a.SubmittedAt == nil || !a.SubmittedAt.Equal(now.AddDate(0, 0, -40)) {
				t.Fatalf("dated: %v %+v", err, a)
			}
			tasks, _ := db.TasksOf(ctx, app.ID)
			for _, tk := range tasks {
				if !tk.Deadline.Before(now) {
					t.Errorf("%s's deadline %s is not past", tk.OrgCode, tk.Deadline)
				}
			}
			if _, err := db.Decide(l.reviewers[tasks[0].OrgCode], tasks[0].ID, tasks[0].Version, greyline.DecideClear, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DatePaperSubmission(sys(), app.ID, now.AddDate(0, 0, -50)); !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("after an agency acted: %v", err)
			}
		})
	}
}

// TestDatePaperLicence: a licence granted today for a paper one keeps the
// paper's date; once its validity has run out it expires.
func TestDatePaperLicence(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			l.site("Islamabad", "+92512345678")
			l.grantDirectly(t)
			db := l.db
			lics, _ := db.ListLicences(sys(), greyline.LicenceFilter{BusinessID: l.biz.ID})
			now := l.clk.Now()
			if _, err := db.DatePaperLicence(sys(), lics[0].ID, now.Add(time.Hour)); !errors.Is(err, greyline.ErrInvalid) {
				t.Errorf("a future date: %v", err)
			}
			lic, err := db.DatePaperLicence(sys(), lics[0].ID, now.AddDate(0, -7, 0))
			if err != nil || !lic.ValidUntil.Before(now) {
				t.Fatalf("dated: %v %+v", err, lic)
			}
			if n, err := db.ExpireDue(sys()); err != nil || n != 1 {
				t.Fatalf("expire: %d %v", n, err)
			}
			if lic, _ = db.FindLicence(sys(), lic.ID); lic.Status != greyline.LicenceExpired {
				t.Errorf("status %s", lic.Status)
			}
			if _, err := db.DatePaperLicence(sys(), lic.ID, now.AddDate(0, -8, 0)); !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("an expired licence dated again: %v", err)
			}
		})
	}
}
