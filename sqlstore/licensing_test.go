package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// licensing builds the parties of the licensing flow on one database.
type licensing struct {
	t         *testing.T
	db        *sqlstore.DB
	clk       *clock
	applicant context.Context
	reviewers map[string]context.Context // by org code
	inspector context.Context
	biz       *greyline.Business
}

func actorCtx(u *greyline.User) context.Context {
	return greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
}

func newLicensing(t *testing.T, e sqlstore.Engine) *licensing {
	clk := newClock()
	db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
	l := &licensing{t: t, db: db, clk: clk, reviewers: map[string]context.Context{}}
	org := &greyline.Org{Code: "MARGALLA", Name: "Margalla Contact Solutions", Kind: greyline.OrgBusiness}
	if err := db.CreateOrg(sys(), org); err != nil {
		t.Fatal(err)
	}
	mk := func(orgID int64, email string, role greyline.Role) *greyline.User {
		u, err := db.CreateUser(sys(), greyline.NewUser{OrgID: orgID, Email: email, Name: email, Roles: []greyline.Role{role}, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	l.applicant = actorCtx(mk(org.ID, "owner@margalla.pk", greyline.RoleApplicant))
	for _, code := range []string{"PTA", "NCCIA", "SA"} {
		l.reviewers[code] = actorCtx(mk(mustOrg(t, db, code).ID, "reviewer@"+code+".gov.pk", greyline.RoleReviewer))
	}
	l.inspector = actorCtx(mk(mustOrg(t, db, "PSEB").ID, "inspector@pseb.gov.pk", greyline.RoleInspector))
	l.biz = &greyline.Business{OrgID: org.ID, LegalName: "Margalla Contact Solutions (Private) Limited", TradeName: "Margalla Contact", Kind: greyline.CallCentre,
		LegalForm: greyline.Company, SECPNumber: "0123456", NTN: "1234567-8", RegisteredAddress: "Plot 12, I-9/2, Islamabad", InboundPercent: 70, ClientCountries: []string{"us", "GB"}}
	if err := db.CreateBusiness(l.applicant, l.biz); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *licensing) site(city string, numbers ...string) *greyline.Site {
	s := &greyline.Site{BusinessID: l.biz.ID, Address: "Plot 12, Street 7", City: city, Province: "Islamabad Capital Territory", Seats: 120, Staff: 150, MainOffice: true,
		Resources: greyline.Resources{Numbers: numbers, Domains: []string{"margalla.pk"}, IPRanges: []string{"203.0.113.0/24"}}}
	if err := l.db.SaveSite(l.applicant, s); err != nil {
		l.t.Fatal(err)
	}
	return s
}

func (l *licensing) doc(appID int64, kind greyline.DocumentKind, personID int64) {
	d := &greyline.Document{ApplicationID: appID, Kind: kind, PersonID: personID, Filename: string(kind) + ".pdf"}
	if err := l.db.AddDocument(l.applicant, d, bytes.NewReader(pdfBytes)); err != nil {
		l.t.Fatal(err)
	}
}

func TestLicensingLifecycle(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			db, ctx := l.db, l.applicant
			dir := &greyline.Person{BusinessID: l.biz.ID, Name: "Ayesha Khan", Role: greyline.Director, CNIC: "3520212345671"}
			foreign := &greyline.Person{BusinessID: l.biz.ID, Name: "Li Wei", Role: greyline.Director, Passport: "e1234567", Nationality: "cn"}
			for _, p := range []*greyline.Person{dir, foreign} {
				if err := db.SavePerson(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			l.site("Islamabad", "+92512345678")
			app, err := db.CreateApplication(ctx, l.biz.ID, greyline.NewLicence, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Submitting too early lists everything missing at once and writes nothing.
			_, err = db.Submit(ctx, app.ID, app.Version)
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("incomplete submit: %v", err)
			}
			var missing []string
			for _, f := range greyline.ErrorFields(err) {
				missing = append(missing, f.Field)
			}
			want := []string{"documents.bank_statement", "documents.cnic[" + idStr(dir.ID) + "]", "documents.form_29", "documents.incorporation_certificate",
				"documents.moa_aoa", "documents.ntn_certificate", "documents.passport[" + idStr(foreign.ID) + "]", "payment_ref"}
			if diff := cmp.Diff(want, missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
			if a, _ := db.FindApplication(ctx, app.ID); a.Status != greyline.AppDraft {
				t.Fatalf("incomplete submit changed status to %s", a.Status)
			}
			for _, k := range []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29} {
				l.doc(app.ID, k, 0)
			}
			l.doc(app.ID, greyline.DocCNIC, dir.ID)
			l.doc(app.ID, greyline.DocPassport, foreign.ID)
			app, err = db.UpdatePayment(ctx, app.ID, app.Version, "PSID-2026-0001")
			if err != nil {
				t.Fatal(err)
			}
			// A document that is not a PDF, JPEG or PNG is refused by content.
			err = db.AddDocument(ctx, &greyline.Document{ApplicationID: app.ID, Kind: greyline.DocOther, Filename: "fake.pdf"}, bytes.NewReader([]byte("MZ\x90\x00 not a pdf")))
			if diff := cmp.Diff(fields("file", "must be a PDF, JPEG or PNG file"), greyline.ErrorFields(err)); diff != "" {
				t.Error(diff)
			}
			app, err = db.Submit(ctx, app.ID, app.Version)
			if err != nil {
				t.Fatalf("submit: %v", err)
			}
			if app.Status != greyline.AppSubmitted || app.FeePaisa != greyline.DefaultFees.MainOfficePaisa {
				t.Fatalf("submitted app = %+v", app)
			}
			if _, err := db.Submit(ctx, app.ID, app.Version); !errors.Is(err, greyline.ErrConflict) {
				t.Fatalf("second submission: %v", err)
			}
			tasks, _ := db.TasksOf(ctx, app.ID)
			byOrg := map[string]*greyline.ClearanceTask{}
			for _, tk := range tasks {
				byOrg[tk.OrgCode] = tk
				if wantDL := greyline.DefaultCalendar().Deadline(l.clk.Now(), 15); !tk.Deadline.Equal(wantDL) {
					t.Errorf("%s deadline %v, want %v", tk.OrgCode, tk.Deadline, wantDL)
				}
			}
			if len(byOrg) != 3 {
				t.Fatalf("tasks: %d", len(tasks))
			}
			// NCCIA objects; the applicant answers; it returns to NCCIA only.
			if _, err := db.Decide(l.reviewers["NCCIA"], byOrg["NCCIA"].ID, byOrg["NCCIA"].Version, greyline.DecideObject, ""); !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("objection without reason: %v", err)
			}
			nccia, err := db.Decide(l.reviewers["NCCIA"], byOrg["NCCIA"].ID, byOrg["NCCIA"].Version, greyline.DecideObject, "Provide the lease of the Islamabad site.")
			if err != nil || nccia.Status != greyline.TaskObjection {
				t.Fatalf("object: %v", err)
			}
			if err := db.AddNote(l.reviewers["NCCIA"], nccia.ID, "Internal: director previously flagged?"); err != nil {
				t.Fatal(err)
			}
			objs, _ := db.Objections(ctx, app.ID)
			if len(objs) != 1 || objs[0].OrgCode != "NCCIA" {
				t.Fatalf("objections: %+v", objs)
			}
			if err := db.Answer(ctx, objs[0].ID, "Lease uploaded as other document."); err != nil {
				t.Fatal(err)
			}
			tasks, _ = db.TasksOf(ctx, app.ID)
			for _, tk := range tasks {
				want := greyline.TaskPending
				if tk.OrgCode == "NCCIA" {
					want = greyline.TaskAnswered
				}
				if tk.Status != want {
					t.Errorf("%s: %s, want %s", tk.OrgCode, tk.Status, want)
				}
				byOrg[tk.OrgCode] = tk
			}
			// Two PTA reviewers deciding at once: one wins, the other gets a conflict.
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = db.Decide(l.reviewers["PTA"], byOrg["PTA"].ID, byOrg["PTA"].Version, greyline.DecideClear, "")
				}(i)
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], greyline.ErrConflict) || errors.Is(errs[1], greyline.ErrConflict)) {
				t.Fatalf("concurrent decisions: %v / %v", errs[0], errs[1])
			}
			for _, code := range []string{"NCCIA", "SA"} {
				if _, err := db.Decide(l.reviewers[code], byOrg[code].ID, byOrg[code].Version, greyline.DecideClear, ""); err != nil {
					t.Fatalf("%s clear: %v", code, err)
				}
			}
			app, _ = db.FindApplication(ctx, app.ID)
			if app.Status != greyline.AppGranted {
				t.Fatalf("after three clearances: %s", app.Status)
			}
			lics, _ := db.ListLicences(ctx, greyline.LicenceFilter{BusinessID: l.biz.ID})
			year := l.clk.Now().In(greyline.Karachi).Year()
			if len(lics) != 1 || lics[0].Number != greyline.LicenceNumber(greyline.CallCentre, "Islamabad", year, 1) || lics[0].Status != greyline.LicenceProvisional {
				t.Fatalf("licences: %+v", lics)
			}
			lic := lics[0]
			if d := lic.ValidUntil.Sub(lic.ValidFrom); d != 90*24*time.Hour {
				t.Errorf("provisional validity %v", d)
			}
			// Inspection passes: active for a year.
			lic, err = db.RecordInspection(l.inspector, &greyline.Inspection{LicenceID: lic.ID, Date: l.clk.Now(), Findings: "Site matches the declaration.", Passed: true})
			if err != nil || lic.Status != greyline.LicenceActive {
				t.Fatalf("inspection: %v %+v", err, lic)
			}
			// Suspension needs a reason and an order number.
			if _, err := db.ChangeStatus(l.reviewers["NCCIA"], lic.ID, lic.Version, greyline.LicenceSuspended, "Raid found fraud", ""); !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("suspend without order: %v", err)
			}
			lic, err = db.ChangeStatus(l.reviewers["NCCIA"], lic.ID, lic.Version, greyline.LicenceSuspended, "Raid found fraud", "NCCIA/ISB/2026/17")
			if err != nil || lic.Status != greyline.LicenceSuspended {
				t.Fatalf("suspend: %v", err)
			}
			if _, err := db.ChangeStatus(l.reviewers["PTA"], lic.ID, lic.Version-1, greyline.LicenceRevoked, "x", "y"); !errors.Is(err, greyline.ErrConflict) {
				t.Fatalf("stale version: %v", err)
			}
			lic, err = db.ChangeStatus(l.reviewers["PTA"], lic.ID, lic.Version, greyline.LicenceActive, "Court order", "IHC WP 123/2026")
			if err != nil || lic.Status != greyline.LicenceActive {
				t.Fatalf("reinstate: %v", err)
			}
			hist, _ := db.History(ctx, lic.ID)
			var steps []string
			for _, h := range hist {
				steps = append(steps, string(h.From)+">"+string(h.To))
			}
			if diff := cmp.Diff([]string{">provisional", "provisional>active", "active>suspended", "suspended>active"}, steps); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			// Expiry on its own after a year.
			l.clk.Add(366 * 24 * time.Hour)
			if n, err := db.ExpireDue(ctx); err != nil || n != 1 {
				t.Fatalf("expire: %d %v", n, err)
			}
			lic, _ = db.FindLicence(ctx, lic.ID)
			if lic.Status != greyline.LicenceExpired {
				t.Fatalf("after expiry: %s", lic.Status)
			}
			// Documents download only through OpenDocument, which audits.
			docs, _ := db.ListDocuments(ctx, app.ID)
			d, rc, err := db.OpenDocument(l.reviewers["SA"], docs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, pdfBytes) || d.ContentType != "application/pdf" || len(d.SHA256) != 64 {
				t.Errorf("document: %+v", d)
			}
			evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "document.download"})
			if len(evs) != 1 {
				t.Errorf("downloads audited: %d", len(evs))
			}
			if _, problems, err := db.VerifyAudit(ctx); err != nil || len(problems) > 0 {
				t.Fatalf("audit chain: %v %v", problems, err)
			}
		})
	}
}

func TestPersonalDataMaskedAndAudited(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		org := &greyline.Org{Code: "BIZ", Name: "Biz", Kind: greyline.OrgBusiness}
		db.CreateOrg(ctx, org)
		b := &greyline.Business{OrgID: org.ID, LegalName: "Biz", TradeName: "Biz", Kind: greyline.SoftwareHouse, LegalForm: greyline.SoleProprietor, NTN: "12345678", RegisteredAddress: "Lahore"}
		if err := db.CreateBusiness(ctx, b); err != nil {
			t.Fatal(err)
		}
		p := &greyline.Person{BusinessID: b.ID, Name: "Owner", Role: greyline.Proprietor, CNIC: "35202-1234567-1"}
		if err := db.SavePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		ps, _ := db.ListPersons(ctx, b.ID)
		if ps[0].CNIC != "*****-****567-1" {
			t.Errorf("listed CNIC %q is not masked", ps[0].CNIC)
		}
		full, err := db.RevealPerson(ctx, b.ID, p.ID)
		if err != nil || full.CNIC != "35202-1234567-1" {
			t.Fatalf("reveal: %v %q", err, full.CNIC)
		}
		evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "person.reveal"})
		if len(evs) != 1 || evs[0].RecordID != idStr(p.ID) {
			t.Errorf("reveal not audited: %+v", evs)
		}
		bad := &greyline.Person{BusinessID: b.ID, Name: "X", Role: greyline.Director, CNIC: "1234"}
		if err := db.SavePerson(ctx, bad); !errors.Is(err, greyline.ErrInvalid) || greyline.ErrorFields(err)[0].Field != "cnic" {
			t.Errorf("bad CNIC: %v", err)
		}
	})
}

func TestNumberBelongsToOneLicensee(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			// Give Margalla an active licence holding a range.
			s := &greyline.Site{BusinessID: l.biz.ID, Address: "A", City: "Lahore", Province: "Punjab",
				Resources: greyline.Resources{Ranges: []greyline.NumberRange{{Start: "042-35760000", End: "042-35769999"}}}}
			if err := l.db.SaveSite(l.applicant, s); err != nil {
				t.Fatal(err)
			}
			l.grantDirectly(t)
			org := &greyline.Org{Code: "OTHER", Name: "Other", Kind: greyline.OrgBusiness}
			l.db.CreateOrg(sys(), org)
			other := &greyline.Business{OrgID: org.ID, LegalName: "Other", TradeName: "Other", Kind: greyline.CallCentre, LegalForm: greyline.SoleProprietor, NTN: "7654321-0", RegisteredAddress: "Lahore"}
			if err := l.db.CreateBusiness(sys(), other); err != nil {
				t.Fatal(err)
			}
			clash := &greyline.Site{BusinessID: other.ID, Address: "B", City: "Lahore", Province: "Punjab", Resources: greyline.Resources{Numbers: []string{"+92 42 35761234"}}}
			err := l.db.SaveSite(sys(), clash)
			if !errors.Is(err, greyline.ErrConflict) || greyline.ErrorFields(err)[0].Field != "resources.numbers[0]" {
				t.Fatalf("overlapping number: %v", err)
			}
			clash.Resources.Numbers = []string{"+924235770000"}
			if err := l.db.SaveSite(sys(), clash); err != nil {
				t.Fatalf("free number refused: %v", err)
			}
			bad := &greyline.Site{BusinessID: other.ID, Address: "B", City: "Lahore", Province: "Punjab",
				Resources: greyline.Resources{Numbers: []string{"12"}, IPRanges: []string{"10.0.0.0/8", "nonsense"}, Domains: []string{"not a domain"}}}
			err = l.db.SaveSite(sys(), bad)
			var got []string
			for _, f := range greyline.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if diff := cmp.Diff([]string{"resources.domains[0]", "resources.ip_ranges[0]", "resources.ip_ranges[1]", "resources.numbers[0]"}, got); diff != "" {
				t.Errorf("invalid resources (-want +got):\n%s", diff)
			}
		})
	}
}

// grantDirectly takes the business's sites through clearance with the
// minimum dossier (a sole proprietor would need less; this is a company).
func (l *licensing) grantDirectly(t *testing.T) {
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
	tasks, _ := db.TasksOf(ctx, app.ID)
	for _, tk := range tasks {
		if _, err := db.Decide(l.reviewers[tk.OrgCode], tk.ID, tk.Version, greyline.DecideClear, ""); err != nil {
			t.Fatal(err)
		}
	}
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func TestRenewalKeepsTheNumber(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			l.site("Islamabad", "+92512345678")
			l.grantDirectly(t)
			db, ctx := l.db, l.applicant
			lics, _ := db.ListLicences(ctx, greyline.LicenceFilter{BusinessID: l.biz.ID})
			lic, err := db.RecordInspection(l.inspector, &greyline.Inspection{LicenceID: lics[0].ID, Date: l.clk.Now(), Findings: "ok", Passed: true})
			if err != nil {
				t.Fatal(err)
			}
			// Renewal opens 60 days before expiry, not earlier.
			l.clk.Add(300 * 24 * time.Hour)
			if _, err := db.CreateApplication(ctx, l.biz.ID, greyline.Renewal, []int64{lic.ID}); !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("renewal 65 days before expiry: %v", err)
			}
			l.clk.Add(10 * 24 * time.Hour)
			app, err := db.CreateApplication(ctx, l.biz.ID, greyline.Renewal, []int64{lic.ID})
			if err != nil {
				t.Fatalf("renewal 55 days before expiry: %v", err)
			}
			persons, _ := db.ListPersons(ctx, l.biz.ID)
			for _, k := range []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29} {
				l.doc(app.ID, k, 0)
			}
			l.doc(app.ID, greyline.DocCNIC, persons[0].ID)
			app, _ = db.UpdatePayment(ctx, app.ID, app.Version, "PSID-RENEW")
			if app, err = db.Submit(ctx, app.ID, app.Version); err != nil {
				t.Fatal(err)
			}
			tasks, _ := db.TasksOf(ctx, app.ID)
			for _, tk := range tasks {
				if _, err := db.Decide(l.reviewers[tk.OrgCode], tk.ID, tk.Version, greyline.DecideClear, ""); err != nil {
					t.Fatal(err)
				}
			}
			renewed, _ := db.FindLicence(ctx, lic.ID)
			if renewed.Number != lic.Number || renewed.Status != greyline.LicenceActive {
				t.Fatalf("renewed licence %+v", renewed)
			}
			if want := lic.ValidUntil.AddDate(0, 0, 365); !renewed.ValidUntil.Equal(want) {
				t.Errorf("valid until %v, want %v", renewed.ValidUntil, want)
			}
			all, _ := db.ListLicences(ctx, greyline.LicenceFilter{BusinessID: l.biz.ID})
			if len(all) != 1 {
				t.Errorf("renewal issued a new licence: %d licences", len(all))
			}
		})
	}
}

// TestRegistryPublishesClearedDeclarations checks that editing a licensed
// site changes what the registry publishes only once an amendment is granted.
func TestRegistryPublishesClearedDeclarations(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			l := newLicensing(t, e)
			site := l.site("Islamabad", "+92512345678")
			l.grantDirectly(t)
			db, ctx := l.db, l.applicant
			published := func() []string {
				entries, err := db.RegistryEntries(ctx, l.biz.ID)
				if err != nil || len(entries) != 1 {
					t.Fatalf("registry: %v %d", err, len(entries))
				}
				return entries[0].Site.Resources.Numbers
			}
			site.Resources.Numbers = []string{"+92512345679"}
			if err := db.SaveSite(ctx, site); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"+92512345678"}, published()); diff != "" {
				t.Fatalf("an uncleared edit reached the registry (-want +got):\n%s", diff)
			}
			persons, _ := db.ListPersons(ctx, l.biz.ID)
			app, err := db.CreateApplication(ctx, l.biz.ID, greyline.Amendment, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29} {
				l.doc(app.ID, k, 0)
			}
			l.doc(app.ID, greyline.DocCNIC, persons[0].ID)
			app, _ = db.UpdatePayment(ctx, app.ID, app.Version, "PSID-AMEND")
			if _, err := db.Submit(ctx, app.ID, app.Version); err != nil {
				t.Fatal(err)
			}
			tasks, _ := db.TasksOf(ctx, app.ID)
			for _, tk := range tasks {
				if _, err := db.Decide(l.reviewers[tk.OrgCode], tk.ID, tk.Version, greyline.DecideClear, ""); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff([]string{"+92512345679"}, published()); diff != "" {
				t.Fatalf("the granted amendment is not published (-want +got):\n%s", diff)
			}
		})
	}
}
