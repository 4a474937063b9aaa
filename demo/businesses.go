package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/greyline/greyline"
)

// More businesses, so that the registry and the agencies' queues show every
// stage. They have no accounts of their own: PTA's administrator entered
// their applications, as PTA does for applications made on paper.

// licensing is one business and how far its application goes.
type licensing struct {
	org    *greyline.Org
	b      greyline.Business
	person greyline.Person
	site   greyline.Site
	// end is where it stops: draft, submitted, refused, provisional,
	// expired, active, revoked or surrendered.
	end string
}

var moreBusinesses = []licensing{
	{&greyline.Org{Code: "RAVI", Name: "Ravi Teleservices", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Ravi Teleservices (Private) Limited", TradeName: "Ravi Teleservices", Kind: greyline.CallCentre, LegalForm: greyline.Company,
			SECPNumber: "0234567", NTN: "2345678-9", RegisteredAddress: "45-B, Main Boulevard, Gulberg III, Lahore", InboundPercent: 30, ClientCountries: []string{"US", "AU"}},
		greyline.Person{Name: "Kamran Yousaf", Role: greyline.Director, CNIC: "35202-2345678-1"},
		greyline.Site{Address: "45-B, Main Boulevard, Gulberg III", City: "Lahore", Province: "Punjab", Seats: 120, Staff: 130, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+924235761020"}, Domains: []string{"ravitele.pk"}}},
		"active"},
	{&greyline.Org{Code: "QUAID", Name: "Quaid Soft", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Quaid Soft (Private) Limited", TradeName: "Quaid Soft", Kind: greyline.SoftwareHouse, LegalForm: greyline.Company,
			SECPNumber: "0345678", NTN: "3456789-0", RegisteredAddress: "Office 9, Tipu Sultan Road, PECHS, Karachi", InboundPercent: 0, ClientCountries: []string{"AE", "GB"}},
		greyline.Person{Name: "Sadia Farooq", Role: greyline.Director, CNIC: "42201-3456789-2"},
		greyline.Site{Address: "Office 9, Tipu Sultan Road, PECHS", City: "Karachi", Province: "Sindh", Seats: 40, Staff: 45, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+922134380000"}, Domains: []string{"quaidsoft.pk"}}},
		"provisional"},
	{&greyline.Org{Code: "CHENAB", Name: "Chenab Contact Centre", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Chenab Contact Centre", TradeName: "Chenab Contact", Kind: greyline.CallCentre, LegalForm: greyline.Partnership,
			NTN: "4567890-1", RegisteredAddress: "P-12, Kohinoor City, Jaranwala Road, Faisalabad", InboundPercent: 60, ClientCountries: []string{"US"}},
		greyline.Person{Name: "Naveed Aslam", Role: greyline.Partner, CNIC: "33100-4567890-3"},
		greyline.Site{Address: "P-12, Kohinoor City, Jaranwala Road", City: "Faisalabad", Province: "Punjab", Seats: 60, Staff: 64, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92418712000"}}},
		"submitted"},
	{&greyline.Org{Code: "BOLAN", Name: "Bolan BPO", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Bolan BPO (Private) Limited", TradeName: "Bolan BPO", Kind: greyline.CallCentre, LegalForm: greyline.Company,
			SECPNumber: "0456789", NTN: "5678901-2", RegisteredAddress: "Jinnah Road, Quetta", InboundPercent: 10, ClientCountries: []string{"CA", "US"}},
		greyline.Person{Name: "Abdul Wahid Kakar", Role: greyline.Director, CNIC: "54400-5678901-5"},
		greyline.Site{Address: "First floor, Jinnah Road", City: "Quetta", Province: "Balochistan", Seats: 50, Staff: 52, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92812830000"}}},
		"refused"},
	{&greyline.Org{Code: "KHYBER", Name: "Khyber Callers", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Khyber Callers", TradeName: "Khyber Callers", Kind: greyline.CallCentre, LegalForm: greyline.SoleProprietor,
			NTN: "6789012-3", RegisteredAddress: "University Road, Peshawar", InboundPercent: 50, ClientCountries: []string{"GB"}},
		greyline.Person{Name: "Gul Zaman", Role: greyline.Proprietor, CNIC: "17301-6789012-7"},
		greyline.Site{Address: "University Road", City: "Peshawar", Province: "Khyber Pakhtunkhwa", Seats: 25, Staff: 26, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92915840000"}}},
		"draft"},
	{&greyline.Org{Code: "MEHRAN", Name: "Mehran Dialers", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Mehran Dialers (Private) Limited", TradeName: "Mehran Dialers", Kind: greyline.CallCentre, LegalForm: greyline.Company,
			SECPNumber: "0567890", NTN: "7890123-4", RegisteredAddress: "Auto Bhan Road, Hyderabad", InboundPercent: 5, ClientCountries: []string{"US"}},
		greyline.Person{Name: "Ghulam Mustafa Soomro", Role: greyline.Director, CNIC: "41303-7890123-9"},
		greyline.Site{Address: "Auto Bhan Road", City: "Hyderabad", Province: "Sindh", Seats: 70, Staff: 75, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92222780000"}}},
		"revoked"},
	{&greyline.Org{Code: "POTOHAR", Name: "Potohar Tech", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Potohar Tech (Private) Limited", TradeName: "Potohar Tech", Kind: greyline.SoftwareHouse, LegalForm: greyline.Company,
			SECPNumber: "0678901", NTN: "8901234-5", RegisteredAddress: "Plot 3, Bahria Town Phase 7, Rawalpindi", InboundPercent: 0, ClientCountries: []string{"DE", "US"}},
		greyline.Person{Name: "Hira Abbasi", Role: greyline.Director, CNIC: "37405-8901234-6"},
		greyline.Site{Address: "Plot 3, Bahria Town Phase 7", City: "Rawalpindi", Province: "Punjab", Seats: 30, Staff: 34, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92515730000"}, Domains: []string{"potohartech.pk"}}},
		"surrendered"},
	{&greyline.Org{Code: "SUTLEJ", Name: "Sutlej Solutions", Kind: greyline.OrgBusiness},
		greyline.Business{LegalName: "Sutlej Solutions (Private) Limited", TradeName: "Sutlej Solutions", Kind: greyline.SoftwareHouse, LegalForm: greyline.Company,
			SECPNumber: "0789012", NTN: "9012345-6", RegisteredAddress: "Abdali Road, Multan", InboundPercent: 0, ClientCountries: []string{"GB"}},
		greyline.Person{Name: "Tariq Bosan", Role: greyline.Director, CNIC: "36302-9012345-7"},
		greyline.Site{Address: "Abdali Road", City: "Multan", Province: "Punjab", Seats: 12, Staff: 14, MainOffice: true,
			Resources: greyline.Resources{Numbers: []string{"+92614570000"}, Domains: []string{"sutlejsolutions.pk"}}},
		"expired"},
}

// businesses takes each of moreBusinesses as far as it goes, and returns
// the licence of the one left active (Ravi Teleservices, raided later).
func (d loader) businesses(ctx context.Context) (ravi *greyline.Licence, err error) {
	admin := d.users["admin@demo.greyline.pk"]
	for _, l := range moreBusinesses {
		l := l
		org := *l.org
		if err := d.s.Orgs.CreateOrg(ctx, &org); err != nil {
			return nil, err
		}
		lic, err := d.license(admin, org.ID, &l)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.b.TradeName, err)
		}
		if org.Code == "RAVI" {
			ravi = lic
		}
	}
	return ravi, nil
}

func (d loader) license(ctx context.Context, orgID int64, l *licensing) (*greyline.Licence, error) {
	s := d.s
	if l.end == "draft" {
		// Filled in, not yet paid for or submitted.
		l.b.OrgID = orgID
		if err := s.Businesses.CreateBusiness(ctx, &l.b); err != nil {
			return nil, err
		}
		l.person.BusinessID, l.site.BusinessID = l.b.ID, l.b.ID
		if err := s.Businesses.SavePerson(ctx, &l.person); err != nil {
			return nil, err
		}
		if err := s.Businesses.SaveSite(ctx, &l.site); err != nil {
			return nil, err
		}
		_, err := s.Applications.CreateApplication(ctx, l.b.ID, greyline.NewLicence, nil)
		return nil, err
	}
	app, err := d.application(ctx, orgID, &l.b, &l.person, &l.site)
	if err != nil {
		return nil, err
	}
	if l.end == "submitted" {
		// Handed in on paper five weeks before greyline took it: every
		// agency's clearance is overdue, as some are in real life.
		_, err := s.Applications.DatePaperSubmission(ctx, app.ID, d.now.AddDate(0, 0, -35))
		return nil, err
	}
	tasks, err := s.Clearance.TasksOf(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		dec, why := greyline.DecideClear, ""
		if l.end == "refused" && t.OrgCode == "SA" {
			dec, why = greyline.DecideRefuse, "The security agency's verification of the director and the premises was adverse."
		}
		if _, err := s.Clearance.Decide(d.reviewer(t.OrgCode), t.ID, t.Version, dec, why); err != nil {
			return nil, err
		}
	}
	if l.end == "refused" {
		return nil, nil
	}
	lics, err := s.Licences.ListLicences(ctx, greyline.LicenceFilter{BusinessID: app.BusinessID})
	if err != nil || len(lics) == 0 {
		return nil, errors.Join(err, errors.New("no licence issued"))
	}
	lic := lics[0]
	if l.end == "provisional" {
		return lic, nil
	}
	if l.end == "expired" {
		// A provisional licence issued on paper seven months ago, whose
		// site inspection never happened: it has run out.
		if _, err := s.Licences.DatePaperLicence(ctx, lic.ID, d.now.AddDate(0, -7, 0)); err != nil {
			return nil, err
		}
		_, err := s.Licences.ExpireDue(greyline.WithActor(ctx, greyline.Actor{System: true}))
		return nil, err
	}
	if lic, err = s.Licences.RecordInspection(d.users["inspector@demo.greyline.pk"], &greyline.Inspection{LicenceID: lic.ID, Date: time.Now(),
		Findings: fmt.Sprintf("%d seats as declared; numbers match the declaration.", l.site.Seats), Passed: true}); err != nil {
		return nil, err
	}
	switch l.end {
	case "revoked":
		return s.Licences.ChangeStatus(ctx, lic.ID, lic.Version, greyline.LicenceRevoked, "Calls to US numbers from unlicensed ranges found in PTA's traffic audit.", "PTA/CC/2026/014")
	case "surrendered":
		return s.Licences.ChangeStatus(ctx, lic.ID, lic.Version, greyline.LicenceSurrendered, "The company closed its Rawalpindi office and surrendered the licence.", "")
	}
	return lic, nil
}

// raidLicensed is Operation Grey's second phase: a raid on Ravi
// Teleservices, licensed at the time, after complaints named its declared
// number. The raid opens suspension decisions for PTA and NCCIA; NCCIA
// suspends the licence and PTA's decision is left open in its queue.
func (d loader) raidLicensed(now time.Time, lic *greyline.Licence, ns []*network, cs []*periodComplaint) error {
	e, ctx := d.s.Enforcement, d.users["investigator@demo.greyline.pk"]
	y, m, day := now.In(greyline.Karachi).Date()
	op := &greyline.Operation{Name: "Operation Grey II", StartsOn: time.Date(y, m, day, 0, 0, 0, 0, greyline.Karachi),
		Scope: "Licensed centres named in fraud complaints after the first phase."}
	if err := e.CreateOperation(ctx, op); err != nil {
		return err
	}
	rd := &greyline.Raid{OperationID: op.ID, At: now, City: "Lahore", Province: "Punjab", Address: "45-B, Main Boulevard, Gulberg III, Lahore",
		BusinessID: lic.BusinessID, Team: "NCCIA Cyber Crime Circle Lahore", Outcome: greyline.RaidCentreFound,
		Notes: "Prize calls to Pakistani numbers from the licensed range, beside the declared outbound campaigns."}
	for _, n := range ns {
		if n.name == "Ravi Teleservices callers" {
			for _, k := range n.complaints {
				rd.Complaints = append(rd.Complaints, cs[k].id)
			}
		}
	}
	if err := e.RecordRaid(ctx, rd); err != nil {
		return err
	}
	if !rd.Licensed {
		return errors.New("the raid on Ravi Teleservices did not find its licence in force")
	}
	reviews, err := e.SuspensionReviews(ctx, rd.LicenceID, 0)
	if err != nil {
		return err
	}
	for _, rv := range reviews {
		if rv.OrgCode == "NCCIA" {
			if _, err := e.DecideSuspension(d.reviewer("NCCIA"), rv.ID, true, "Calls from the licensed range defrauded 6 complainants; suspended pending inquiry.", "NCCIA/LHR/2026/07"); err != nil {
				return err
			}
		}
	}
	return nil
}
