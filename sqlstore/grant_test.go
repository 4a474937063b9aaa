package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// submitApp builds a complete application for biz as applicant ctx and submits it.
func submitReviewed(t *testing.T, db *sqlstore.DB, ctx context.Context, biz *greyline.Business, kind greyline.ApplicationKind) *greyline.Application {
	t.Helper()
	p := &greyline.Person{BusinessID: biz.ID, Name: "Ayesha", Role: greyline.Director, CNIC: "3520212345671"}
	ps, _ := db.ListPersons(ctx, biz.ID)
	if len(ps) == 0 {
		if err := db.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	} else {
		p = ps[0]
	}
	app, err := db.CreateApplication(ctx, biz.ID, kind, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29}
	for _, k := range kinds {
		if err := db.AddDocument(ctx, &greyline.Document{ApplicationID: app.ID, Kind: k, Filename: "x.pdf"}, bytes.NewReader(pdfBytes)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddDocument(ctx, &greyline.Document{ApplicationID: app.ID, Kind: greyline.DocCNIC, PersonID: p.ID, Filename: "x.pdf"}, bytes.NewReader(pdfBytes)); err != nil {
		t.Fatal(err)
	}
	app, _ = db.UpdatePayment(ctx, app.ID, app.Version, "PSID-1")
	app, err = db.Submit(ctx, app.ID, app.Version)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func clearEvery(t *testing.T, l *licensing, appID int64) {
	tasks, _ := l.db.TasksOf(context.Background(), appID)
	for _, tk := range tasks {
		if _, err := l.db.Decide(l.reviewers[tk.OrgCode], tk.ID, tk.Version, greyline.DecideClear, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGrantUsesTheReviewedDossier: edits after submission (new numbers, a
// new site) do not reach the licence the agencies cleared.
func TestGrantUsesTheReviewedDossier(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			site := l.site("Islamabad", "+92512345678")
			app := submitReviewed(t, l.db, l.applicant, l.biz, greyline.NewLicence)
			site.Resources.Numbers = []string{"+92512345679"}
			if err := l.db.SaveSite(l.applicant, site); err != nil {
				t.Fatal(err)
			}
			extra := &greyline.Site{BusinessID: l.biz.ID, Address: "Z", City: "Karachi", Province: "Sindh", Resources: greyline.Resources{Numbers: []string{"+922134567890"}}}
			if err := l.db.SaveSite(l.applicant, extra); err != nil {
				t.Fatal(err)
			}
			clearEvery(t, l, app.ID)
			entries, _ := l.db.RegistryEntries(context.Background(), l.biz.ID)
			if len(entries) != 1 || entries[0].Licence.City != "Islamabad" {
				t.Fatalf("licences: %d (a site nobody reviewed was licensed?)", len(entries))
			}
			if got := entries[0].Site.Resources.Numbers; len(got) != 1 || got[0] != "+92512345678" {
				t.Errorf("licensed numbers %v, want the reviewed +92512345678", got)
			}
		})
	}
}

// TestNumberGrantedOnce: two businesses declaring one number cannot both
// be licensed for it; the second grant is refused at the last clearance.
func TestNumberGrantedOnce(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			l.site("Islamabad", "+92512345678")
			org := &greyline.Org{Code: "OTHER", Name: "Other", Kind: greyline.OrgBusiness}
			if err := l.db.CreateOrg(sys(), org); err != nil {
				t.Fatal(err)
			}
			u, err := l.db.CreateUser(sys(), greyline.NewUser{OrgID: org.ID, Email: "o@o.pk", Name: "o", Roles: []greyline.Role{greyline.RoleApplicant}, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			octx := actorCtx(u)
			other := &greyline.Business{OrgID: org.ID, LegalName: "Other Ltd", TradeName: "Other", Kind: greyline.CallCentre, LegalForm: greyline.Company, SECPNumber: "0123457", NTN: "7654321-0", RegisteredAddress: "Lahore"}
			if err := l.db.CreateBusiness(octx, other); err != nil {
				t.Fatal(err)
			}
			if err := l.db.SaveSite(octx, &greyline.Site{BusinessID: other.ID, Address: "B", City: "Lahore", Province: "Punjab", Resources: greyline.Resources{Numbers: []string{"+92512345678"}}}); err != nil {
				t.Fatal(err)
			}
			a1 := submitReviewed(t, l.db, l.applicant, l.biz, greyline.NewLicence)
			a2 := submitReviewed(t, l.db, octx, other, greyline.NewLicence)
			clearEvery(t, l, a1.ID)
			tasks, _ := l.db.TasksOf(context.Background(), a2.ID)
			var last error
			for _, tk := range tasks {
				_, last = l.db.Decide(l.reviewers[tk.OrgCode], tk.ID, tk.Version, greyline.DecideClear, "")
			}
			if !errors.Is(last, greyline.ErrConflict) {
				t.Fatalf("last clearance of the second holder: %v, want a conflict", last)
			}
			if a, _ := l.db.FindApplication(context.Background(), a2.ID); a.Status != greyline.AppSubmitted {
				t.Errorf("second application %s, want still submitted", a.Status)
			}
			entries, _ := l.db.RegistryEntries(context.Background(), 0)
			if len(entries) != 1 {
				t.Errorf("%d licences publish the number, want 1", len(entries))
			}
			// And a number still published under a licence cannot be declared
			// by another business, even after an uncleared edit frees the site.
			err = l.db.SaveSite(octx, &greyline.Site{BusinessID: other.ID, Address: "C", City: "Lahore", Province: "Punjab", Resources: greyline.Resources{Numbers: []string{"+92512345678"}}})
			if !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("declaring a licensed number: %v", err)
			}
		})
	}
}

// TestRenewalGrantedAfterExpiry: a renewal cleared after the licence
// lapsed during review brings it back, keeping its number.
func TestRenewalGrantedAfterExpiry(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			l.site("Islamabad", "+92512345678")
			a1 := submitReviewed(t, l.db, l.applicant, l.biz, greyline.NewLicence)
			clearEvery(t, l, a1.ID)
			lics, _ := l.db.ListLicences(l.applicant, greyline.LicenceFilter{BusinessID: l.biz.ID})
			lic, err := l.db.RecordInspection(l.inspector, &greyline.Inspection{LicenceID: lics[0].ID, Date: l.clk.Now(), Findings: "ok", Passed: true})
			if err != nil {
				t.Fatal(err)
			}
			l.clk.Add(340 * 24 * time.Hour)
			app, err := l.db.CreateApplication(l.applicant, l.biz.ID, greyline.Renewal, []int64{lic.ID})
			if err != nil {
				t.Fatal(err)
			}
			ps, _ := l.db.ListPersons(l.applicant, l.biz.ID)
			for _, k := range []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29} {
				l.doc(app.ID, k, 0)
			}
			l.doc(app.ID, greyline.DocCNIC, ps[0].ID)
			app, _ = l.db.UpdatePayment(l.applicant, app.ID, app.Version, "P")
			if _, err := l.db.Submit(l.applicant, app.ID, app.Version); err != nil {
				t.Fatal(err)
			}
			l.clk.Add(30 * 24 * time.Hour)
			if n, _ := l.db.ExpireDue(sys()); n != 1 {
				t.Fatalf("expired %d, want 1", n)
			}
			clearEvery(t, l, app.ID)
			got, _ := l.db.FindLicence(l.applicant, lic.ID)
			if got.Status != greyline.LicenceActive || !got.ValidUntil.After(l.clk.Now()) || got.Number != lic.Number {
				t.Fatalf("after the renewal: %s until %v (now %v)", got.Status, got.ValidUntil, l.clk.Now())
			}
		})
	}
}

// TestGrantBesideSiteSaves: granting a licence (which locks the audit
// chain, then the declared numbers) while other applicants save sites
// (which lock the numbers, then the audit chain) neither deadlocks nor
// fails: the locks are always taken in the same order. On PostgreSQL the
// load test found the deadlock, and the retry that followed saving the
// site answered "Site not found".
func TestGrantBesideSiteSaves(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			const rounds = 12
			var pending []*greyline.ClearanceTask // SA's task, the last one of each application
			for i := range rounds {
				org := &greyline.Org{Code: "GRANT" + strconv.Itoa(i), Name: "Grant " + strconv.Itoa(i), Kind: greyline.OrgBusiness}
				if err := l.db.CreateOrg(sys(), org); err != nil {
					t.Fatal(err)
				}
				biz := &greyline.Business{OrgID: org.ID, LegalName: org.Name + " (Private) Limited", TradeName: org.Name, Kind: greyline.CallCentre,
					LegalForm: greyline.Company, SECPNumber: "0123456", NTN: "1234567-8", RegisteredAddress: "Blue Area, Islamabad"}
				if err := l.db.CreateBusiness(l.applicant, biz); err != nil {
					t.Fatal(err)
				}
				site := &greyline.Site{BusinessID: biz.ID, Address: "Blue Area", City: "Islamabad", Province: "Islamabad Capital Territory", Seats: 10, Staff: 10, MainOffice: true,
					Resources: greyline.Resources{Numbers: []string{"+9251" + strconv.Itoa(2000000+i)}}}
				if err := l.db.SaveSite(l.applicant, site); err != nil {
					t.Fatal(err)
				}
				app := submitReviewed(t, l.db, l.applicant, biz, greyline.NewLicence)
				tasks, err := l.db.TasksOf(l.applicant, app.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range tasks {
					if tk.OrgCode == "SA" {
						pending = append(pending, tk)
					} else if _, err := l.db.Decide(l.reviewers[tk.OrgCode], tk.ID, tk.Version, greyline.DecideClear, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
			errs := make(chan error, 2*rounds)
			var wg sync.WaitGroup
			for i, tk := range pending {
				wg.Add(2)
				go func() {
					defer wg.Done()
					_, err := l.db.Decide(l.reviewers["SA"], tk.ID, tk.Version, greyline.DecideClear, "")
					errs <- err
				}()
				go func() {
					defer wg.Done()
					s := &greyline.Site{BusinessID: l.biz.ID, Address: "Branch " + strconv.Itoa(i), City: "Lahore", Province: "Punjab",
						Resources: greyline.Resources{Numbers: []string{"+9242" + strconv.Itoa(30000000+i)}}}
					errs <- l.db.SaveSite(l.applicant, s)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			lics, err := l.db.ListLicences(sys(), greyline.LicenceFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(lics) != rounds {
				t.Errorf("%d licences granted, want %d", len(lics), rounds)
			}
			sites, err := l.db.ListSites(l.applicant, l.biz.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(sites) != rounds {
				t.Errorf("%d sites saved, want %d", len(sites), rounds)
			}
		})
	}
}
