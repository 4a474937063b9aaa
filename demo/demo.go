// Package demo loads demonstration data into an empty greyline, so that a
// newcomer can sign in as each kind of user and see a licence go through
// its lifecycle. It is for trying greyline out, never for a real deployment.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/greyline/greyline"
)

// Password is the password of every demo account.
const Password = "greyline-demo-password"

// Account is a demo sign-in.
type Account struct {
	Email string
	Org   string
	Role  greyline.Role
}

// Accounts lists the demo users: one per role, agency staff in their agencies.
var Accounts = []Account{
	{"admin@demo.greyline.pk", "PTA", greyline.RoleAdmin},
	{"applicant@demo.greyline.pk", "MARGALLA", greyline.RoleApplicant},
	{"pta.reviewer@demo.greyline.pk", "PTA", greyline.RoleReviewer},
	{"nccia.reviewer@demo.greyline.pk", "NCCIA", greyline.RoleReviewer},
	{"sa.reviewer@demo.greyline.pk", "SA", greyline.RoleReviewer},
	{"inspector@demo.greyline.pk", "PSEB", greyline.RoleInspector},
	{"investigator@demo.greyline.pk", "NCCIA", greyline.RoleInvestigator},
	{"helpline@demo.greyline.pk", "NCCIA", greyline.RoleHelpline},
	{"analyst@demo.greyline.pk", "NCCIA", greyline.RoleAnalyst},
	{"partner@demo.greyline.pk", "DEMOBANK", greyline.RolePartner},
	{"secp.reviewer@demo.greyline.pk", "SECP", greyline.RoleReviewer},
}

// Services are what the demo writes through: the same services as the app,
// so demo data obeys every rule real data does.
type Services struct {
	Orgs         greyline.OrgService
	Users        greyline.UserService
	Businesses   greyline.BusinessService
	Applications greyline.ApplicationService
	Clearance    greyline.ClearanceService
	Licences     greyline.LicenceService
	Complaints   greyline.ComplaintService
	Enforcement  greyline.EnforcementService
	Takedowns    greyline.TakedownService
	Now          greyline.Clock
}

// Seed makes the generated data: the same seed, the same data.
const Seed uint64 = 20250831

// ErrNotEmpty means users exist already, so no demo data was added.
var ErrNotEmpty = errors.New("demo: the database already has users")

// minimalPDF is a valid, tiny PDF used as every demo document.
var minimalPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// Load creates the demo organisations and users, turns off the agencies'
// 2FA requirement (demo only) and fills greyline through its services:
//   - licensing at every stage: Margalla Contact ends with an active
//     licence, Indus Callers with an application waiting on NCCIA's
//     objection, and seven more businesses from draft to revoked (see
//     moreBusinesses);
//   - the 2,000 complaints of January to August 2025 (60% cyber-enabled
//     fraud, over Rs 3 billion reported lost), some of them forming fraud
//     networks, and a few recent ones in the staff queues;
//   - Operation Grey as NCCIA briefed the Senate: 63 raids, 450 arrests,
//     507 accused, 54 FIRs, Rs 720 million uncovered and Rs 40 million
//     recovered; and a later raid on a licensed centre that suspends it;
//   - takedowns by SECP, PTA and NCCIA, SECP's lending-app lists, a
//     watched wallet, and two complaints that the server's watch turns
//     into alerts (the removed app back, the wallet paid again).
//
// It refuses a database that has users, so it never mixes with real accounts.
func Load(ctx context.Context, s Services) ([]Account, error) {
	n, err := s.Users.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	orgs := map[string]*greyline.Org{}
	for _, o := range []*greyline.Org{
		{Code: "MARGALLA", Name: "Margalla Contact Solutions", Kind: greyline.OrgBusiness},
		{Code: "INDUS", Name: "Indus Callers", Kind: greyline.OrgBusiness},
		{Code: "DEMOBANK", Name: "Demo Bank Limited", Kind: greyline.OrgBank},
	} {
		if err := s.Orgs.CreateOrg(ctx, o); err != nil {
			return nil, err
		}
	}
	all, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	off := false
	for _, o := range all {
		orgs[o.Code] = o
		if o.Require2FA {
			if _, err := s.Orgs.UpdateOrg(ctx, o.ID, greyline.OrgUpdate{Require2FA: &off}); err != nil {
				return nil, err
			}
		}
	}
	users := map[string]context.Context{}
	for _, a := range Accounts {
		u, err := s.Users.CreateUser(ctx, greyline.NewUser{OrgID: orgs[a.Org].ID, Email: a.Email, Name: "Demo " + a.Role.Label() + " (" + a.Org + ")", Roles: []greyline.Role{a.Role}, Password: Password})
		if err != nil {
			return nil, err
		}
		users[a.Email] = greyline.WithActor(ctx, greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
	}
	indus, err := s.Users.CreateUser(ctx, greyline.NewUser{OrgID: orgs["INDUS"].ID, Email: "owner@indus.demo.greyline.pk", Name: "Demo Indus owner", Roles: []greyline.Role{greyline.RoleApplicant}, Password: Password})
	if err != nil {
		return nil, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	d := loader{s: s, users: users, now: now()}
	if err := d.licensed(orgs["MARGALLA"].ID); err != nil {
		return nil, fmt.Errorf("demo licence: %w", err)
	}
	if err := d.objected(greyline.WithActor(ctx, greyline.Actor{UserID: indus.ID, OrgID: indus.OrgID}), orgs["INDUS"].ID); err != nil {
		return nil, fmt.Errorf("demo application: %w", err)
	}
	// The generated half of the demo: one generator, used in a fixed
	// order, so that the same seed gives the same data.
	r := rand.New(rand.NewPCG(Seed, Seed^0x6772_6579_6c69_6e65))
	ravi, err := d.businesses(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo businesses: %w", err)
	}
	if s.Complaints != nil {
		ns := networks(r)
		cs := periodComplaints(r, ns)
		if err := d.importPeriodComplaints(ctx, cs, orgs["DEMOBANK"].ID); err != nil {
			return nil, fmt.Errorf("demo complaints of 2025: %w", err)
		}
		if s.Enforcement != nil {
			if err := d.operationGrey(r, ns, cs); err != nil {
				return nil, fmt.Errorf("demo Operation Grey: %w", err)
			}
			// Read the clock again: the raid must come after the licence
			// was issued a moment ago.
			if err := d.raidLicensed(now(), ravi, ns, cs); err != nil {
				return nil, fmt.Errorf("demo raid on a licensed centre: %w", err)
			}
		}
	}
	if err := d.complaints(ctx, now()); err != nil {
		return nil, fmt.Errorf("demo complaints: %w", err)
	}
	if err := d.takedowns(ctx); err != nil {
		return nil, fmt.Errorf("demo takedowns: %w", err)
	}
	return append(Accounts, Account{indus.Email, "INDUS", greyline.RoleApplicant}), nil
}

type loader struct {
	s     Services
	users map[string]context.Context
	now   time.Time // when the load began
}

// application builds a complete, submitted application for a new business.
func (d loader) application(ctx context.Context, orgID int64, b *greyline.Business, person *greyline.Person, site *greyline.Site) (*greyline.Application, error) {
	s := d.s
	b.OrgID = orgID
	if err := s.Businesses.CreateBusiness(ctx, b); err != nil {
		return nil, err
	}
	person.BusinessID, site.BusinessID = b.ID, b.ID
	if err := s.Businesses.SavePerson(ctx, person); err != nil {
		return nil, err
	}
	if err := s.Businesses.SaveSite(ctx, site); err != nil {
		return nil, err
	}
	app, err := s.Applications.CreateApplication(ctx, b.ID, greyline.NewLicence, nil)
	if err != nil {
		return nil, err
	}
	kinds := []greyline.DocumentKind{greyline.DocNTN, greyline.DocBankStatement, greyline.DocCNIC}
	switch b.LegalForm {
	case greyline.Company:
		kinds = append(kinds, greyline.DocIncorporation, greyline.DocMoAAoA, greyline.DocForm29)
	case greyline.Partnership:
		kinds = append(kinds, greyline.DocPartnershipDeed)
	}
	for _, k := range kinds {
		doc := &greyline.Document{ApplicationID: app.ID, Kind: k, Filename: string(k) + ".pdf"}
		if k == greyline.DocCNIC {
			doc.PersonID = person.ID
		}
		if err := s.Applications.AddDocument(ctx, doc, bytes.NewReader(minimalPDF)); err != nil {
			return nil, err
		}
	}
	if app, err = s.Applications.UpdatePayment(ctx, app.ID, app.Version, "PSID-DEMO-"+fmt.Sprint(app.ID)); err != nil {
		return nil, err
	}
	return s.Applications.Submit(ctx, app.ID, app.Version)
}

func (d loader) reviewer(code string) context.Context {
	return d.users[map[string]string{"PTA": "pta.reviewer@demo.greyline.pk", "NCCIA": "nccia.reviewer@demo.greyline.pk", "SA": "sa.reviewer@demo.greyline.pk"}[code]]
}

func (d loader) licensed(orgID int64) error {
	ctx := d.users["applicant@demo.greyline.pk"]
	app, err := d.application(ctx, orgID,
		&greyline.Business{LegalName: "Margalla Contact Solutions (Private) Limited", TradeName: "Margalla Contact", Kind: greyline.CallCentre, LegalForm: greyline.Company,
			SECPNumber: "0123456", NTN: "1234567-8", RegisteredAddress: "Plot 12, Street 7, I-9/2, Islamabad", InboundPercent: 70, ClientCountries: []string{"US", "GB", "AE"}},
		&greyline.Person{Name: "Ayesha Khan", Role: greyline.Director, CNIC: "61101-1234567-2"},
		&greyline.Site{Address: "Plot 12, Street 7, I-9/2", City: "Islamabad", Province: "Islamabad Capital Territory", Seats: 240, Staff: 260, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92518434000"}, Ranges: []greyline.NumberRange{{Start: "+92518435000", End: "+92518435999"}},
				IPRanges: []string{"203.0.113.0/24"}, Domains: []string{"margallacontact.pk"}, SIPProviders: []string{"Nayatel SIP"}}})
	if err != nil {
		return err
	}
	tasks, err := d.s.Clearance.TasksOf(ctx, app.ID)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if _, err := d.s.Clearance.Decide(d.reviewer(t.OrgCode), t.ID, t.Version, greyline.DecideClear, ""); err != nil {
			return err
		}
	}
	lics, err := d.s.Licences.ListLicences(ctx, greyline.LicenceFilter{BusinessID: app.BusinessID})
	if err != nil || len(lics) == 0 {
		return errors.Join(err, errors.New("no licence issued"))
	}
	_, err = d.s.Licences.RecordInspection(d.users["inspector@demo.greyline.pk"], &greyline.Inspection{LicenceID: lics[0].ID, Date: time.Now(),
		Findings: "240 seats as declared; numbers and IP range match the declaration.", Passed: true})
	return err
}

func (d loader) objected(ctx context.Context, orgID int64) error {
	app, err := d.application(ctx, orgID,
		&greyline.Business{LegalName: "Indus Callers", TradeName: "Indus Callers", Kind: greyline.CallCentre, LegalForm: greyline.Company,
			SECPNumber: "0654321", NTN: "7654321-0", RegisteredAddress: "Shahrah-e-Faisal, Karachi", InboundPercent: 20, ClientCountries: []string{"CA"}},
		&greyline.Person{Name: "Bilal Ahmed", Role: greyline.Director, CNIC: "42101-7654321-3"},
		&greyline.Site{Address: "Office 4, Shahrah-e-Faisal", City: "Karachi", Province: "Sindh", Seats: 80, Staff: 85,
			Resources: greyline.Resources{Numbers: []string{"+922134560000"}}})
	if err != nil {
		return err
	}
	tasks, err := d.s.Clearance.TasksOf(ctx, app.ID)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		switch t.OrgCode {
		case "PTA":
			_, err = d.s.Clearance.Decide(d.reviewer("PTA"), t.ID, t.Version, greyline.DecideClear, "")
		case "NCCIA":
			_, err = d.s.Clearance.Decide(d.reviewer("NCCIA"), t.ID, t.Version, greyline.DecideObject, "Provide the lease agreement for the Karachi site and the list of client contracts.")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
