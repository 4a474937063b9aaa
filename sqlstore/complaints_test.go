package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

func sampleComplaint(now time.Time) greyline.NewComplaint {
	return greyline.NewComplaint{
		Channel:     greyline.ChannelHelpline,
		Complainant: greyline.Complainant{Name: "Sana Tariq", CNIC: "35202-1234567-1", Phone: "0300-1234567", Email: "sana@example.pk", City: "Lahore", Province: "Punjab", Gender: "female", AgeBand: "26_35"},
		Category:    "impersonation_family", ContactMethod: "whatsapp", IncidentAt: now.Add(-2 * time.Hour),
		LossPaisa: 7_500_000, PaymentMethod: "mobile_wallet",
		Narrative:   "Someone on WhatsApp +92 321 7654321 said he was my brother and asked me to send Rs 75,000 to JazzCash 0345-1112223. He also sent the link bit.ly/abc123.",
		Identifiers: []string{"+923217654321"},
	}
}

func TestComplaintIntake(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		org := mustOrg(t, db, "NCCIA")
		op, _ := db.CreateUser(sys(), greyline.NewUser{OrgID: org.ID, Email: "op@nccia.gov.pk", Name: "Operator", Roles: []greyline.Role{"helpline"}, Password: "long enough password"})
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: op.ID, OrgID: op.OrgID})
		c, secret, existing, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil || existing || secret == "" {
			t.Fatalf("create: %v %v %q", err, existing, secret)
		}
		if !strings.HasPrefix(c.Reference, "CMP-") || c.Status != greyline.ComplaintReceived {
			t.Errorf("complaint %+v", c)
		}
		// The complainant is masked unless revealed, and the reveal is audited.
		if c.Complainant.Name != "S***" || c.Complainant.CNIC != "*****-****567-1" || strings.Contains(c.Complainant.Phone, "1234") {
			t.Errorf("masked complainant %+v", c.Complainant)
		}
		full, err := db.RevealComplaint(ctx, c.ID)
		if err != nil || full.Complainant.CNIC != "35202-1234567-1" {
			t.Fatalf("reveal: %v %+v", err, full)
		}
		if evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "complaint.reveal"}); len(evs) != 1 {
			t.Errorf("reveals audited: %d", len(evs))
		}
		var keys []string
		for _, ci := range c.Identifiers {
			keys = append(keys, ci.Source+" "+ci.Key+" "+string(ci.Status))
		}
		want := []string{"field phone:+923217654321 confirmed", "extracted url:bit.ly/abc123 pending", "extracted wallet:jazzcash:+923451112223 pending"}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("identifiers (-want +got):\n%s", diff)
		}
		// Found by the complainant's CNIC or phone through keyed hashes.
		for _, q := range []string{"3520212345671", "+92 300 1234567"} {
			ids, err := db.ComplaintsByComplainant(ctx, q)
			if err != nil || len(ids) != 1 || ids[0] != c.ID {
				t.Errorf("by %q: %v %v", q, ids, err)
			}
		}
		// Tracking with the secret; a wrong secret looks like no complaint.
		tr, err := db.TrackComplaint(context.Background(), c.Reference, secret)
		if err != nil || tr.Status != greyline.ComplaintReceived || len(tr.Messages) != 1 {
			t.Fatalf("track: %v %+v", err, tr)
		}
		if _, err := db.TrackComplaint(context.Background(), c.Reference, "wrong"); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("wrong secret: %v", err)
		}
		// Bad input names the field and writes nothing.
		bad := sampleComplaint(now)
		bad.Identifiers = []string{"not an identifier at all"}
		if _, _, _, err := db.CreateComplaint(ctx, bad, ""); !errors.Is(err, greyline.ErrInvalid) || greyline.ErrorFields(err)[0].Field != "identifiers[0]" {
			t.Errorf("bad identifier: %v", err)
		}
		if ids, _ := db.ComplaintsByComplainant(ctx, "3520212345671"); len(ids) != 1 {
			t.Errorf("a refused complaint was written: %d", len(ids))
		}
	})
}

func TestComplaintIdempotency(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		bank := &greyline.Org{Code: "HBL", Name: "Habib Bank", Kind: greyline.OrgBank}
		db.CreateOrg(sys(), bank)
		u, _ := db.CreateUser(sys(), greyline.NewUser{OrgID: bank.ID, Email: "api@hbl.pk", Name: "HBL API", Roles: []greyline.Role{"partner"}, Password: "long enough password"})
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: u.ID, OrgID: u.OrgID})
		n := sampleComplaint(now)
		n.Channel = greyline.ChannelBank
		var wg sync.WaitGroup
		refs := make([]string, 5)
		for i := range refs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c, _, _, err := db.CreateComplaint(ctx, n, "retry-key-1")
				if err != nil {
					t.Error(err)
					return
				}
				refs[i] = c.Reference
			}(i)
		}
		wg.Wait()
		for _, r := range refs[1:] {
			if r != refs[0] {
				t.Fatalf("retries created different complaints: %v", refs)
			}
		}
		n.ExternalRef = "HBL-CASE-77"
		a, _, _, err := db.CreateComplaint(ctx, n, "")
		if err != nil {
			t.Fatal(err)
		}
		b, _, existing, err := db.CreateComplaint(ctx, n, "")
		if err != nil || !existing || b.ID != a.ID {
			t.Fatalf("external reference not idempotent: %v %v", err, existing)
		}
		// One identifier row per distinct key, one link per complaint.
		ids, _ := db.ComplaintsByComplainant(ctx, "03001234567")
		if len(ids) != 2 {
			t.Errorf("complaints stored: %d, want 2", len(ids))
		}
	})
}

func TestComplaintWorkflow(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		org := mustOrg(t, db, "NCCIA")
		inv, _ := db.CreateUser(sys(), greyline.NewUser{OrgID: org.ID, Email: "inv@nccia.gov.pk", Name: "Investigator", Roles: []greyline.Role{"investigator"}, Password: "long enough password"})
		an, _ := db.CreateUser(sys(), greyline.NewUser{OrgID: org.ID, Email: "an@nccia.gov.pk", Name: "Analyst", Roles: []greyline.Role{"analyst"}, Password: "long enough password"})
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: inv.ID, OrgID: org.ID})
		c, secret, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil {
			t.Fatal(err)
		}
		step := func(ch greyline.ComplaintChange) *greyline.Complaint {
			t.Helper()
			ch.Version = c.Version
			next, err := db.ChangeComplaint(ctx, c.ID, ch)
			if err != nil {
				t.Fatalf("%s: %v", ch.To, err)
			}
			c = next
			return next
		}
		if _, err := db.ChangeComplaint(ctx, c.ID, greyline.ComplaintChange{To: greyline.ComplaintCaseRegistered, Version: c.Version, FIR: "1/2026"}); !errors.Is(err, greyline.ErrConflict) {
			t.Fatalf("skipping to a case: %v", err)
		}
		if got := step(greyline.ComplaintChange{To: greyline.ComplaintTriaged, Priority: "high"}); got.Circle != "Lahore" {
			t.Errorf("routed to %q, want Lahore (the complainant's city)", got.Circle)
		}
		if _, err := db.ChangeComplaint(ctx, c.ID, greyline.ComplaintChange{To: greyline.ComplaintAssigned, Version: c.Version, AssignTo: an.ID}); !errors.Is(err, greyline.ErrInvalid) {
			t.Fatalf("assigned to an analyst: %v", err)
		}
		step(greyline.ComplaintChange{To: greyline.ComplaintAssigned, AssignTo: inv.ID})
		if _, err := db.ChangeComplaint(ctx, c.ID, greyline.ComplaintChange{To: greyline.ComplaintEnquiry, Version: c.Version - 1}); !errors.Is(err, greyline.ErrConflict) {
			t.Fatalf("stale version: %v", err)
		}
		step(greyline.ComplaintChange{To: greyline.ComplaintEnquiry, Note: "internal: call the bank"})
		step(greyline.ComplaintChange{To: greyline.ComplaintCaseRegistered, FIR: "17/2026 Cyber Crime Circle Lahore"})
		tr, err := db.TrackComplaint(context.Background(), c.Reference, secret)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, m := range tr.Messages {
			msgs = append(msgs, m.Message)
		}
		want := []string{"Your complaint was received.", "Your complaint was sent to the NCCIA Lahore circle.", "An investigator is handling your complaint.",
			"A case has been registered (FIR 17/2026 Cyber Crime Circle Lahore)."}
		if diff := cmp.Diff(want, msgs); diff != "" {
			t.Errorf("complainant's messages (-want +got):\n%s", diff)
		}
		if tr.Status != greyline.ComplaintCaseRegistered {
			t.Errorf("status %s", tr.Status)
		}
		q, _ := db.ListComplaints(ctx, greyline.ComplaintFilter{Circle: "Lahore"})
		if len(q) != 1 || q[0].Complainant.Name != "S***" {
			t.Errorf("queue: %+v", q)
		}
	})
}
