package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// A minimal valid PNG, recognised by its content.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func identifierCount(t *testing.T, db *sqlstore.DB, ctx context.Context, complaintID int64, key string) (int64, greyline.IdentifierStatus) {
	t.Helper()
	c, err := db.FindComplaint(ctx, complaintID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range c.Identifiers {
		if ci.Key == key {
			return ci.ID, ci.Status
		}
	}
	t.Fatalf("complaint %d has no identifier %s: %+v", complaintID, key, c.Identifiers)
	return 0, ""
}

func TestReviewIdentifier(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		analyst := mustUser(t, db, "analyst@nccia.gov.pk", greyline.RoleAnalyst)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: analyst.ID, OrgID: analyst.OrgID})
		c, _, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil {
			t.Fatal(err)
		}
		const key = "url:bit.ly/abc123"
		id, status := identifierCount(t, db, ctx, c.ID, key)
		if status != greyline.IdentifierPending {
			t.Fatalf("extracted identifier starts %s", status)
		}
		statuses := func(c *greyline.Complaint) map[string]greyline.IdentifierStatus {
			m := map[string]greyline.IdentifierStatus{}
			for _, ci := range c.Identifiers {
				m[ci.Key] = ci.Status
			}
			return m
		}
		// Remove, remove again (no change, no second audit row), restore.
		for _, step := range []struct {
			to   greyline.IdentifierStatus
			want greyline.IdentifierStatus
		}{{greyline.IdentifierRemoved, greyline.IdentifierRemoved}, {greyline.IdentifierRemoved, greyline.IdentifierRemoved}, {greyline.IdentifierConfirmed, greyline.IdentifierConfirmed}} {
			got, err := db.ReviewIdentifier(ctx, c.ID, id, step.to)
			if err != nil {
				t.Fatalf("review %s: %v", step.to, err)
			}
			if s := statuses(got)[key]; s != step.want {
				t.Errorf("after %s: %s", step.to, s)
			}
		}
		removed, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "complaint.identifier_removed"})
		confirmed, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "complaint.identifier_confirmed"})
		if len(removed) != 1 || len(confirmed) != 1 {
			t.Errorf("audited reviews: %d removed, %d confirmed", len(removed), len(confirmed))
		}

		// Bad input: an unknown decision names the field; another
		// complaint's identifier, or a missing one, is not found.
		if _, err := db.ReviewIdentifier(ctx, c.ID, id, "pending"); !errors.Is(err, greyline.ErrInvalid) || greyline.ErrorFields(err)[0].Field != "status" {
			t.Errorf("pending: %v", err)
		}
		other, _, _, err := db.CreateComplaint(ctx, greyline.NewComplaint{Channel: greyline.ChannelHelpline, Complainant: greyline.Complainant{Name: "B", City: "Karachi", Phone: "03001112223"},
			Category: "other", ContactMethod: "call", IncidentAt: now.Add(-time.Hour), PaymentMethod: "none", Narrative: "A call."}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReviewIdentifier(ctx, other.ID, id, greyline.IdentifierRemoved); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("other complaint's identifier: %v", err)
		}
	})
}

func TestComplaintDocuments(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		op := mustUser(t, db, "op@nccia.gov.pk", greyline.RoleHelpline)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: op.ID, OrgID: op.OrgID})

		// Sent with the public form: no uploader, in the complaint's transaction.
		n := sampleComplaint(now)
		n.Channel = greyline.ChannelWeb
		n.Attachments = []greyline.Attachment{{Filename: `C:\Users\me\chat.png`, Content: bytes.NewReader(pngBytes)}}
		c, _, _, err := db.CreateComplaint(context.Background(), n, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Documents) != 1 || c.Documents[0].Filename != "chat.png" || c.Documents[0].ContentType != "image/png" || c.Documents[0].UploadedBy != 0 {
			t.Fatalf("documents %+v", c.Documents)
		}

		// A file that is not a PDF, JPEG or PNG is refused, naming the
		// field, and the complaint is not written.
		before, _ := db.ListComplaints(ctx, greyline.ComplaintFilter{})
		bad := sampleComplaint(now)
		bad.Attachments = []greyline.Attachment{{Filename: "evil.png", Content: bytes.NewReader([]byte("<script>alert(1)</script>"))}}
		if _, _, _, err := db.CreateComplaint(ctx, bad, ""); !errors.Is(err, greyline.ErrInvalid) || greyline.ErrorFields(err)[0].Field != "file" {
			t.Errorf("polyglot: %v", err)
		}
		after, _ := db.ListComplaints(ctx, greyline.ComplaintFilter{})
		if len(after) != len(before) {
			t.Errorf("a refused complaint was written: %d → %d", len(before), len(after))
		}

		// Added later by staff, then downloaded: audited.
		d, err := db.AddComplaintDocument(ctx, c.ID, greyline.Attachment{Filename: "receipt.png", Content: bytes.NewReader(pngBytes)})
		if err != nil || d.ComplaintID != c.ID || d.UploadedBy != op.ID {
			t.Fatalf("add: %v %+v", err, d)
		}
		got, rc, err := db.OpenComplaintDocument(ctx, c.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, pngBytes) || got.Filename != "receipt.png" {
			t.Errorf("download %q %d bytes", got.Filename, len(b))
		}
		if evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "document.download"}); len(evs) != 1 {
			t.Errorf("downloads audited: %d", len(evs))
		}
		// Another complaint's route cannot reach this document.
		other, _, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.OpenComplaintDocument(ctx, other.ID, d.ID); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("cross-complaint download: %v", err)
		}
		if _, err := db.AddComplaintDocument(ctx, 999999, greyline.Attachment{Filename: "x.png", Content: bytes.NewReader(pngBytes)}); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("missing complaint: %v", err)
		}
		// At most MaxAttachments.
		for i := len(c.Documents) + 1; i < greyline.MaxAttachments; i++ {
			if _, err := db.AddComplaintDocument(ctx, c.ID, greyline.Attachment{Filename: "x.png", Content: bytes.NewReader(pngBytes)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.AddComplaintDocument(ctx, c.ID, greyline.Attachment{Filename: "x.png", Content: bytes.NewReader(pngBytes)}); !errors.Is(err, greyline.ErrInvalid) {
			t.Errorf("over the limit: %v", err)
		}
	})
}

func TestComplaintHistoryAndCircles(t *testing.T) {
	circles, err := greyline.NewCircleTable(greyline.CirclesConfig{Default: "North", Circles: map[string][]string{"North": {"Islamabad"}, "South": {"Karachi", "Hyderabad"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Tune: func(o *sqlstore.Options) { o.Circles = circles }})
			analyst := mustUser(t, db, "analyst@nccia.gov.pk", greyline.RoleAnalyst)
			ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: analyst.ID, OrgID: analyst.OrgID})
			n := sampleComplaint(time.Now().UTC())
			n.Complainant.City = "hyderabad"
			c, _, _, err := db.CreateComplaint(ctx, n, "")
			if err != nil {
				t.Fatal(err)
			}
			// Today's circles are not this configuration's.
			if _, err := db.ChangeComplaint(ctx, c.ID, greyline.ComplaintChange{To: greyline.ComplaintTriaged, Version: c.Version, Priority: "high", Circle: "Lahore"}); !errors.Is(err, greyline.ErrInvalid) {
				t.Errorf("circle not configured: %v", err)
			}
			got, err := db.ChangeComplaint(ctx, c.ID, greyline.ComplaintChange{To: greyline.ComplaintTriaged, Version: c.Version, Priority: "high", Note: "checked"})
			if err != nil || got.Circle != "South" {
				t.Fatalf("routed to %q: %v", got.Circle, err)
			}
			h, err := db.ComplaintHistory(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			type step struct{ From, To, By, Note string }
			var steps []step
			for _, e := range h {
				steps = append(steps, step{string(e.From), string(e.To), e.UserName, e.Note})
			}
			want := []step{{"", "received", "Test User", ""}, {"received", "triaged", "Test User", "checked"}}
			if diff := cmp.Diff(want, steps); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			if _, err := db.ComplaintHistory(ctx, 999999); !errors.Is(err, greyline.ErrNotFound) {
				t.Errorf("missing complaint: %v", err)
			}
		})
	}
}

func TestReissueTrackingCode(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		op := mustUser(t, db, "op@nccia.gov.pk", greyline.RoleHelpline)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: op.ID, OrgID: op.OrgID})
		c, old, _, err := db.CreateComplaint(ctx, sampleComplaint(time.Now().UTC()), "")
		if err != nil {
			t.Fatal(err)
		}
		code, err := db.ReissueTrackingCode(ctx, c.ID)
		if err != nil || code == "" || code == old {
			t.Fatalf("reissue: %q %v", code, err)
		}
		if _, err := db.TrackComplaint(context.Background(), c.Reference, old); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("the old code still works: %v", err)
		}
		if _, err := db.TrackComplaint(context.Background(), c.Reference, code); err != nil {
			t.Errorf("the new code: %v", err)
		}
		if evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "complaint.tracking_code"}); len(evs) != 1 {
			t.Errorf("reissues audited: %d", len(evs))
		}
		if _, err := db.ReissueTrackingCode(ctx, 999999); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("missing complaint: %v", err)
		}
	})
}
