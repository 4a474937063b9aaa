package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// mustBusiness creates a business with its owner, and returns the owner's context.
func mustBusiness(t *testing.T, db *sqlstore.DB) (context.Context, *greyline.Business) {
	t.Helper()
	org := &greyline.Org{Code: "MARGALLA", Name: "Margalla Contact Solutions", Kind: greyline.OrgBusiness}
	if err := db.CreateOrg(sys(), org); err != nil {
		t.Fatal(err)
	}
	owner, err := db.CreateUser(sys(), greyline.NewUser{OrgID: org.ID, Email: "owner@margalla.pk", Name: "Owner", Roles: []greyline.Role{greyline.RoleApplicant}, Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	biz := &greyline.Business{OrgID: org.ID, LegalName: "Margalla Contact Solutions (Private) Limited", TradeName: "Margalla Contact", Kind: greyline.CallCentre,
		LegalForm: greyline.Company, SECPNumber: "0123456", NTN: "1234567-8", RegisteredAddress: "Plot 12, I-9/2, Islamabad", InboundPercent: 70}
	if err := db.CreateBusiness(actorCtx(owner), biz); err != nil {
		t.Fatal(err)
	}
	return actorCtx(owner), biz
}

// TestSubjectAccess: everything held about a CNIC, found by its keyed
// hash: complaints, business people, enforcement records, and the audit
// events about them; the export is audited without the CNIC in clear.
func TestSubjectAccess(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
		admin := mustUser(t, db, "admin@nccia.gov.pk", greyline.RoleAdmin)
		const cnic, dashed = "3520212345671", "35202-1234567-1"

		n := sampleComplaint(now) // Sana, CNIC 35202-1234567-1
		mine1, _, _, err := db.CreateComplaint(inv, n, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ChangeComplaint(inv, mine1.ID, greyline.ComplaintChange{To: greyline.ComplaintTriaged, Priority: "high", Version: mine1.Version, Note: "internal note"}); err != nil {
			t.Fatal(err)
		}
		n.Complainant.Phone = ""
		mine2, _, _, err := db.CreateComplaint(inv, n, "")
		if err != nil {
			t.Fatal(err)
		}
		n.Complainant = greyline.Complainant{Name: "Someone Else", CNIC: "42101-7654321-3", City: "Karachi"}
		other, _, _, err := db.CreateComplaint(inv, n, "")
		if err != nil {
			t.Fatal(err)
		}

		ownerCtx, biz := mustBusiness(t, db)
		director := &greyline.Person{BusinessID: biz.ID, Name: "Sana Tariq", Role: greyline.Director, CNIC: dashed}
		if err := db.SavePerson(ownerCtx, director); err != nil {
			t.Fatal(err)
		}
		if err := db.SavePerson(ownerCtx, &greyline.Person{BusinessID: biz.ID, Name: "Kamran Malik", Role: greyline.Director, CNIC: "61101-1111111-1"}); err != nil {
			t.Fatal(err)
		}

		op := &greyline.Operation{Name: "Operation Grey", StartsOn: now.Add(-72 * time.Hour)}
		if err := db.CreateOperation(inv, op); err != nil {
			t.Fatal(err)
		}
		raid := &greyline.Raid{OperationID: op.ID, At: now.Add(-2 * time.Hour), City: "Lahore", Province: "Punjab", Address: "Gulberg", Outcome: greyline.RaidCentreFound}
		if err := db.RecordRaid(inv, raid); err != nil {
			t.Fatal(err)
		}
		found := &greyline.Suspect{Name: "Sana Tariq", CNIC: cnic, Gender: "female", Role: greyline.CentreCaller}
		if err := db.AddSuspect(inv, found); err != nil {
			t.Fatal(err)
		}
		if err := db.AddSuspect(inv, &greyline.Suspect{Name: "Li Wei", Passport: "E12345678", Nationality: "CN", Gender: "male", Role: greyline.CentreManager}); err != nil {
			t.Fatal(err)
		}
		arrest := &greyline.Arrest{OperationID: op.ID, RaidID: raid.ID, SuspectID: found.ID, At: now.Add(-time.Hour)}
		if err := db.RecordArrest(inv, arrest); err != nil {
			t.Fatal(err)
		}
		fir := &greyline.FIR{Number: "9/2026", RegisteredOn: now.Add(-time.Minute), Station: "NCCIA Lahore", City: "Lahore", Province: "Punjab",
			PECASections: []string{"14"}, RaidID: raid.ID, Accused: []int64{found.ID}}
		if err := db.RegisterFIR(inv, fir); err != nil {
			t.Fatal(err)
		}

		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: admin.ID, OrgID: admin.OrgID, IP: "203.0.113.9"})
		exp, err := db.SubjectAccess(ctx, dashed)
		if err != nil {
			t.Fatal(err)
		}
		type summary struct {
			Complaints []string
			Messages   []int
			Names      []string
			People     []string
			Suspects   []string
			Arrests    []int64
			FIRs       []string
			Audit      []string
		}
		var got summary
		for _, c := range exp.Complaints {
			got.Complaints = append(got.Complaints, c.Complaint.Reference)
			got.Messages = append(got.Messages, len(c.Messages))
			got.Names = append(got.Names, c.Complaint.Complainant.Name+" "+c.Complaint.Complainant.CNIC)
		}
		for _, p := range exp.BusinessPeople {
			got.People = append(got.People, p.BusinessName+": "+p.Person.Name+" "+p.Person.CNIC)
		}
		for _, s := range exp.EnforcementPersons {
			got.Suspects = append(got.Suspects, s.Person.Name+" "+s.Person.CNIC)
			for _, a := range s.Arrests {
				got.Arrests = append(got.Arrests, a.RaidID)
			}
			for _, f := range s.FIRs {
				got.FIRs = append(got.FIRs, f.Number)
			}
		}
		for _, e := range exp.AuditEvents {
			got.Audit = append(got.Audit, e.Action+" "+e.RecordType+" "+e.RecordID)
		}
		want := summary{
			Complaints: []string{mine1.Reference, mine2.Reference},
			Messages:   []int{2, 1},
			Names:      []string{"Sana Tariq " + dashed, "Sana Tariq " + dashed},
			People:     []string{"Margalla Contact: Sana Tariq " + dashed},
			Suspects:   []string{"Sana Tariq " + dashed},
			Arrests:    []int64{raid.ID},
			FIRs:       []string{"9/2026"},
			Audit: []string{
				"complaint.create complaint " + idStr(mine1.ID), "complaint.triaged complaint " + idStr(mine1.ID), "complaint.create complaint " + idStr(mine2.ID),
				"person.create person " + idStr(director.ID), "suspect.create suspect " + idStr(found.ID), "arrest.record arrest " + idStr(arrest.ID),
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("export (-want +got):\n%s", diff)
		}
		for _, c := range exp.Complaints {
			if c.Complaint.ID == other.ID || c.Complaint.Narrative == "" {
				t.Errorf("complaint %+v", c.Complaint)
			}
		}

		// The export is audited: who asked, about which CNIC by its hash only.
		evs, err := db.ListAudit(sys(), greyline.AuditFilter{Action: "subject.export"})
		if err != nil || len(evs) != 1 || evs[0].UserID != admin.ID || evs[0].IP != "203.0.113.9" || len(evs[0].RecordID) != 32 ||
			evs[0].Detail != "complaints=2 business_people=1 enforcement_persons=1 audit_events=6" {
			t.Fatalf("export audit: %v %+v", err, evs)
		}
		all, _ := db.ListAudit(sys(), greyline.AuditFilter{Limit: 500})
		for _, e := range all {
			for _, s := range []string{e.RecordID, e.Detail} {
				if strings.Contains(strings.ReplaceAll(s, "-", ""), cnic) {
					t.Errorf("audit event %d holds the CNIC: %q", e.ID, s)
				}
			}
		}

		// A CNIC greyline does not hold finds nothing, and is audited too.
		none, err := db.SubjectAccess(ctx, "61101-9999999-9")
		if err != nil || len(none.Complaints)+len(none.BusinessPeople)+len(none.EnforcementPersons)+len(none.AuditEvents) != 0 {
			t.Errorf("unknown CNIC: %v %+v", err, none)
		}
		if evs, _ := db.ListAudit(sys(), greyline.AuditFilter{Action: "subject.export"}); len(evs) != 2 || evs[0].RecordID == evs[1].RecordID {
			t.Errorf("second export audit: %+v", evs)
		}
		// Not a CNIC: refused, naming the field, nothing written.
		before := count(t, db, "SELECT COUNT(*) FROM audit_events")
		if _, err := db.SubjectAccess(ctx, "12345"); !errors.Is(err, greyline.ErrInvalid) || greyline.ErrorFields(err)[0].Field != "cnic" {
			t.Errorf("bad CNIC: %v", err)
		}
		if count(t, db, "SELECT COUNT(*) FROM audit_events") != before {
			t.Error("a refused export wrote an audit event")
		}
	})
}

// TestRetentionBatches: many complainants, a few per transaction, each
// batch that changed something audited once.
func TestRetentionBatches(t *testing.T) {
	defer sqlstore.SetRetentionBatch(3)()
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
			inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
			for i := range 7 {
				n := sampleComplaint(clk.Now())
				n.Complainant.CNIC, n.Complainant.Phone = "35202-123456"+string(rune('0'+i))+"-1", ""
				if _, _, _, err := db.CreateComplaint(inv, n, ""); err != nil {
					t.Fatal(err)
				}
				clk.Add(time.Minute)
			}
			p := greyline.RetentionPeriod{Days: 30}
			if got, err := db.ApplyRetention(sys(), p, false); err != nil || got.Pseudonymised != 0 {
				t.Fatalf("nothing is due yet: %v %+v", err, got)
			}
			clk.Add(31 * 24 * time.Hour)
			got, err := db.ApplyRetention(sys(), p, false)
			if err != nil || got.Pseudonymised != 7 || got.Complainants != 7 {
				t.Fatalf("%v %+v", err, got)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM audit_events WHERE action = 'retention.apply'"); n != 3 {
				t.Errorf("%d audit events for 7 complaints in batches of 3, want 3", n)
			}
			if n := count(t, db, "SELECT COUNT(DISTINCT cnic_hash) FROM complaints WHERE cnic_hash LIKE '~%'"); n != 7 {
				t.Errorf("%d pseudonyms for 7 complainants", n)
			}
		})
	}
}
