package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/keys"
	"github.com/greyline/greyline/report"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// victimGroups is how the fraud networks partition complaints into
// victims, from both ways the store serves them: sorted groups of ids.
func victimGroups(t *testing.T, db *sqlstore.DB) [][]int64 {
	t.Helper()
	cs, _, _, _, err := db.ReadNetwork(sys(), func(string, string, string) bool { return false }, func(int64, []byte, []byte) {})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	data, err := db.ComplaintNetworkData(sys(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Complaints) != len(cs) {
		t.Fatalf("ComplaintNetworkData has %d complaints, ReadNetwork %d", len(data.Complaints), len(cs))
	}
	groups := map[string][]int64{}
	for i, c := range cs {
		if data.Complaints[i].Victim != c.Victim {
			t.Errorf("complaint %d: ComplaintNetworkData's victim %q, ReadNetwork's %q", c.ID, data.Complaints[i].Victim, c.Victim)
		}
		v := c.Victim
		if v == "" {
			v = fmt.Sprint("alone ", c.ID)
		}
		groups[v] = append(groups[v], c.ID)
	}
	var out [][]int64
	for _, g := range groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func committee(t *testing.T, db *sqlstore.DB, from, to time.Time) *report.Committee {
	t.Helper()
	in, err := db.CommitteeInput(sys(), from, to, "", "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := report.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetention(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			var files *filestore.Store
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now, Tune: func(o *sqlstore.Options) { files = o.Files }})
			inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
			start := clk.Now()
			file := func(mod func(n *greyline.NewComplaint)) *greyline.Complaint {
				t.Helper()
				n := sampleComplaint(clk.Now())
				mod(&n)
				c, _, _, err := db.CreateComplaint(inv, n, "")
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			closeIt := func(c *greyline.Complaint) {
				t.Helper()
				ch := greyline.ComplaintChange{To: greyline.ComplaintClosed, Reason: "resolved", Version: c.Version}
				if c.Narrative[:9] == "I am Sana" {
					ch.Note, ch.Message = "Called Sana on 0300 1234567; CNIC 35202-1234567-1 checked.", "Dear Sana, the money was returned."
				}
				if _, err := db.ChangeComplaint(inv, c.ID, ch); err != nil {
					t.Fatal(err)
				}
			}
			// Sana (one CNIC) filed twice; her own phone and name are in the
			// first narrative, and in the note and message that closed it.
			// She sent a scan of her CNIC and a screenshot that Bilal sent too.
			scan := []byte("%PDF-1.4\n% Sana's CNIC\n%%EOF\n")
			a := file(func(n *greyline.NewComplaint) {
				n.Narrative = "I am Sana, call me back on 0300-1234567. " + n.Narrative
				n.Attachments = []greyline.Attachment{{Filename: "sana-cnic.pdf", Content: bytes.NewReader(scan)}, {Filename: "chat.png", Content: bytes.NewReader(pngBytes)}}
			})
			b := file(func(n *greyline.NewComplaint) { n.Complainant.Phone = "0300-7654321" })
			// Bilal filed once now and once four years later.
			bilal := func(n *greyline.NewComplaint) {
				n.Complainant = greyline.Complainant{Name: "Bilal Ahmed", CNIC: "42101-7654321-3", City: "Karachi", Province: "Sindh", Gender: "male", AgeBand: "36_50"}
			}
			c1 := file(func(n *greyline.NewComplaint) {
				bilal(n)
				n.Attachments = []greyline.Attachment{{Filename: "chat.png", Content: bytes.NewReader(pngBytes)}}
			})
			// Erum (phone only): her complaint became a case.
			erum := file(func(n *greyline.NewComplaint) {
				n.Complainant = greyline.Complainant{Name: "Erum Shah", Phone: "0333-5556667", City: "Quetta", Gender: "female"}
			})
			// Farhan's complaint was never worked.
			farhan := file(func(n *greyline.NewComplaint) {
				n.Complainant = greyline.Complainant{Name: "Farhan Ali", Email: "farhan@example.pk", City: "Peshawar", Province: "Khyber Pakhtunkhwa"}
			})
			for _, c := range []*greyline.Complaint{a, b, c1} {
				closeIt(c)
			}
			fir := &greyline.FIR{Number: "7/2026", RegisteredOn: clk.Now().Add(-time.Minute), Station: "NCCIA Quetta", City: "Quetta", Province: "Balochistan",
				PECASections: []string{"14"}, Complaints: []int64{erum.ID}}
			if err := db.RegisterFIR(inv, fir); err != nil {
				t.Fatal(err)
			}
			clk.Add(4 * 365 * 24 * time.Hour)
			c2 := file(bilal)
			closeIt(c2)
			clk.Add(366 * 24 * time.Hour)

			five := greyline.RetentionPeriod{Years: 5}
			from, to := start.AddDate(0, 0, -1), clk.Now()
			statsBefore, victimsBefore := committee(t, db, from, to), victimGroups(t, db)
			if statsBefore.Complaints.Total != 6 {
				t.Fatalf("committee report counts %d complaints, want 6", statsBefore.Complaints.Total)
			}
			want := greyline.RetentionResult{Period: five, Cutoff: five.Cutoff(clk.Now()), DryRun: true, Pseudonymised: 3, Complainants: 2, HeldForCase: 1, HeldWithRecent: 1, FilesRemoved: 2}
			dry, err := db.ApplyRetention(sys(), five, true)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, dry); diff != "" {
				t.Fatalf("dry run (-want +got):\n%s", diff)
			}
			if ids, _ := db.ComplaintsByComplainant(inv, "35202-1234567-1"); len(ids) != 2 {
				t.Fatalf("a dry run changed something: Sana's complaints %v", ids)
			}
			auditBefore := count(t, db, "SELECT COUNT(*) FROM audit_events")

			want.DryRun = false
			got, err := db.ApplyRetention(sys(), five, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("run (-want +got):\n%s", diff)
			}
			evs, err := db.ListAudit(sys(), greyline.AuditFilter{Action: "retention.apply"})
			if err != nil || len(evs) != 1 || !strings.Contains(evs[0].Detail, "pseudonymised=3 complainants=2 files_removed=2") {
				t.Fatalf("audit: %v %+v", err, evs)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM audit_events"); n != auditBefore+1 {
				t.Errorf("%d audit events written, want 1", n-auditBefore)
			}

			// The statistics are unchanged, and so is who counts as one victim.
			if diff := cmp.Diff(statsBefore, committee(t, db, from, to)); diff != "" {
				t.Errorf("committee report changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(victimsBefore, victimGroups(t, db)); diff != "" {
				t.Errorf("victims changed (-before +after):\n%s", diff)
			}

			// Sana and Farhan are gone: not found, not revealed, and what the
			// statistics need is left.
			for _, q := range []string{"35202-1234567-1", "0300-1234567", "0300-7654321"} {
				if ids, err := db.ComplaintsByComplainant(inv, q); err != nil || len(ids) != 0 {
					t.Errorf("found by %s after retention: %v %v", q, ids, err)
				}
			}
			for _, c := range []*greyline.Complaint{a, b, farhan} {
				full, err := db.RevealComplaint(inv, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if full.ComplainantRemovedAt == nil || !full.ComplainantRemovedAt.Equal(clk.Now()) {
					t.Errorf("%s: removed at %v", c.Reference, full.ComplainantRemovedAt)
				}
				kept := c.Complainant
				kept.Name, kept.CNIC, kept.Phone, kept.Email = "", "", "", ""
				if diff := cmp.Diff(kept, full.Complainant); diff != "" {
					t.Errorf("%s: complainant after retention (-want +got):\n%s", c.Reference, diff)
				}
				if full.Category != c.Category || full.LossPaisa != c.LossPaisa || !full.ReceivedAt.Equal(c.ReceivedAt) {
					t.Errorf("%s: facts changed: %+v", c.Reference, full)
				}
			}
			full, _ := db.RevealComplaint(inv, a.ID)
			if strings.Contains(full.Narrative, "Sana") || strings.Contains(full.Narrative, "1234567") || len(full.Narrative) != len(a.Narrative) {
				t.Errorf("narrative keeps the complainant's details, or changed length: %q", full.Narrative)
			}
			// The link to her own phone, picked out of the narrative, went
			// with her details; the fraudster's stay where they were.
			var keys, wantKeys []string
			for _, ci := range a.Identifiers {
				if ci.Key != "phone:+923001234567" {
					wantKeys = append(wantKeys, ci.Key)
				}
			}
			for _, ci := range full.Identifiers {
				keys = append(keys, ci.Key)
				if ci.Start >= 0 && full.Narrative[ci.Start:ci.End] != a.Narrative[ci.Start:ci.End] {
					t.Errorf("identifier %s no longer at its place in the narrative", ci.Key)
				}
			}
			if len(wantKeys) == len(a.Identifiers) || !cmp.Equal(wantKeys, keys) {
				t.Errorf("identifiers after retention %v, want %v", keys, wantKeys)
			}
			if n := count(t, db, "SELECT complaints FROM identifiers WHERE match_key = 'phone:+923001234567'"); n != 0 {
				t.Errorf("Sana's own phone still counts %d complaints", n)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM complaints WHERE pseudonymised_at IS NOT NULL AND length(complainant) > 0"); n != 0 {
				t.Errorf("%d pseudonymised complaints keep their sealed details", n)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM complaint_events WHERE note LIKE '%Sana%' OR note LIKE '%1234567%' OR public_message LIKE '%Sana%'"); n != 0 {
				t.Errorf("%d notes or messages keep Sana's details", n)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM complaint_events WHERE note LIKE 'Called **** on ************;%'"); n != 1 {
				t.Errorf("the closing note is not redacted in place (%d found)", n)
			}

			// Her files are gone: their names, and the scan's bytes; the
			// screenshot Bilal also sent stays for him.
			if len(full.Documents) != 2 {
				t.Fatalf("Sana's complaint has %d documents, want its 2 records kept", len(full.Documents))
			}
			for _, d := range full.Documents {
				if d.RemovedAt == nil || !d.RemovedAt.Equal(clk.Now()) || d.Filename != "" {
					t.Errorf("document %d after retention: removed %v, name %q", d.ID, d.RemovedAt, d.Filename)
				}
				if _, _, err := db.OpenComplaintDocument(inv, a.ID, d.ID); !errors.Is(err, greyline.ErrNotFound) {
					t.Errorf("document %d of a pseudonymised complaint opens: %v", d.ID, err)
				}
			}
			opens := func(sum string) bool {
				f, err := files.Open(sum)
				if err == nil {
					f.Close()
				}
				return err == nil
			}
			scanSum, chatSum := a.Documents[0].SHA256, a.Documents[1].SHA256
			if opens(scanSum) || !opens(chatSum) {
				t.Errorf("file store after retention: scan kept %v (want false), screenshot kept %v (want true)", opens(scanSum), opens(chatSum))
			}
			if _, f, err := db.OpenComplaintDocument(inv, c1.ID, c1.Documents[0].ID); err != nil {
				t.Errorf("Bilal's screenshot: %v", err)
			} else {
				f.Close()
			}

			// Bilal (recent complaint) and Erum (open case) keep theirs.
			if ids, _ := db.ComplaintsByComplainant(inv, "42101-7654321-3"); !slices.Equal(ids, []int64{c1.ID, c2.ID}) {
				t.Errorf("Bilal's complaints %v", ids)
			}
			if ids, _ := db.ComplaintsByComplainant(inv, "0333-5556667"); !slices.Equal(ids, []int64{erum.ID}) {
				t.Errorf("Erum's complaints %v", ids)
			}

			// Again: nothing to do, nothing audited.
			again, err := db.ApplyRetention(sys(), five, false)
			if err != nil || again.Pseudonymised != 0 {
				t.Errorf("second run: %v %+v", err, again)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM audit_events WHERE action = 'retention.apply'"); n != 1 {
				t.Errorf("%d retention audit events after an idle run, want 1", n)
			}

			// The case ends: the clock restarts from its conclusion.
			if _, err := db.SetCourtStage(inv, fir.ID, fir.Version, greyline.StageConvicted, ""); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.ApplyRetention(sys(), five, false); got.Pseudonymised != 0 || got.HeldForCase != 0 {
				t.Errorf("just after the conviction: %+v", got)
			}
			clk.Add(5*366*24*time.Hour + time.Hour)
			statsBefore, victimsBefore = committee(t, db, from, to), victimGroups(t, db)
			got, err = db.ApplyRetention(sys(), five, false)
			if err != nil || got.Pseudonymised != 3 || got.Complainants != 2 {
				t.Errorf("five years on: %v %+v", err, got)
			}
			if diff := cmp.Diff(statsBefore, committee(t, db, from, to)); diff != "" {
				t.Errorf("committee report changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(victimsBefore, victimGroups(t, db)); diff != "" {
				t.Errorf("victims changed (-before +after):\n%s", diff)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM complaints WHERE pseudonymised_at IS NULL"); n != 0 {
				t.Errorf("%d complaints keep details", n)
			}
			if got.FilesRemoved != 1 || opens(chatSum) {
				t.Errorf("five years on: %d files removed, screenshot kept %v; want 1 and false", got.FilesRemoved, opens(chatSum))
			}
			if _, err := db.ApplyRetention(context.Background(), greyline.RetentionPeriod{Forever: true}, false); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRetentionDuringRotation: a person's complaints hashed under the old
// and the new key (a rotation not yet finished) are still one complainant.
func TestRetentionDuringRotation(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secret.key")
			k, err := keys.LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now, Tune: func(o *sqlstore.Options) { o.Keys = k }})
			inv := actorCtx(mustUser(t, db, "investigator@nccia.gov.pk", greyline.RoleInvestigator))
			file := func() {
				t.Helper()
				c, _, _, err := db.CreateComplaint(inv, sampleComplaint(clk.Now()), "")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.ChangeComplaint(inv, c.ID, greyline.ComplaintChange{To: greyline.ComplaintClosed, Reason: "resolved", Version: c.Version}); err != nil {
					t.Fatal(err)
				}
			}
			file()
			r, _, _ := k.Ring().Add(false)
			if err := keys.WriteRingFile(path, r); err != nil {
				t.Fatal(err)
			}
			if err := k.Reload(); err != nil {
				t.Fatal(err)
			}
			file()
			if n := count(t, db, "SELECT COUNT(DISTINCT cnic_hash) FROM complaints"); n != 2 {
				t.Fatalf("%d CNIC hashes, want one under each key", n)
			}
			clk.Add(2 * 366 * 24 * time.Hour)
			got, err := db.ApplyRetention(sys(), greyline.RetentionPeriod{Years: 2}, false)
			if err != nil || got.Pseudonymised != 2 || got.Complainants != 1 {
				t.Fatalf("%v %+v", err, got)
			}
			if n := count(t, db, "SELECT COUNT(DISTINCT cnic_hash) FROM complaints"); n != 1 {
				t.Errorf("%d pseudonyms for one complainant", n)
			}
		})
	}
}
