package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/network"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

func TestNetworkData(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		analyst := mustUser(t, db, "analyst@nccia.gov.pk", greyline.RoleAnalyst)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: analyst.ID, OrgID: analyst.OrgID})
		a, _, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil {
			t.Fatal(err)
		}
		n := sampleComplaint(now)
		n.Complainant = greyline.Complainant{Name: "Other", Phone: "0333-1112223", City: "  dera ghazi KHAN"}
		n.LossPaisa = 100
		b, _, _, err := db.CreateComplaint(ctx, n, "")
		if err != nil {
			t.Fatal(err)
		}
		// An analyst removes one of b's extracted identifiers: it links nothing.
		var removed int64
		for _, ci := range b.Identifiers {
			if ci.Source == "extracted" && ci.Type == "url" {
				removed = ci.ID
			}
		}
		if _, err := db.ReviewIdentifier(ctx, b.ID, removed, greyline.IdentifierRemoved); err != nil {
			t.Fatal(err)
		}
		data, err := db.ComplaintNetworkData(ctx, []int64{a.ID, b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(data.Complaints) != 2 || data.Complaints[0].City != "Lahore" || data.Complaints[1].City != "Dera Ghazi Khan" ||
			data.Complaints[0].Victim == "" || data.Complaints[0].Victim == data.Complaints[1].Victim || data.Complaints[1].LossPaisa != 100 {
			t.Fatalf("complaints %+v", data.Complaints)
		}
		if len(data.Links) != 5 {
			t.Errorf("links %+v (want a's 3 and b's 2)", data.Links)
		}
		for _, l := range data.Links {
			if l.Complaint == b.ID && l.Identifier == removed {
				t.Error("a removed link is given to the engine")
			}
		}
		if len(data.Identifiers) != 3 {
			t.Errorf("identifiers %+v", data.Identifiers)
		}
		// Only b: its row, its two links, the two identifiers they name.
		part, err := db.ComplaintNetworkData(ctx, []int64{b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(part.Complaints) != 1 || len(part.Links) != 2 || len(part.Identifiers) != 2 {
			t.Errorf("b's data: %d complaints, %d links, %d identifiers", len(part.Complaints), len(part.Links), len(part.Identifiers))
		}

		// A complaint filed before the city and province had columns gets
		// them from its sealed details in migration 17.
		w, _ := db.Pools()
		if _, err := w.ExecContext(ctx, "UPDATE complaints SET city = '', province = '' WHERE id = "+fmt.Sprint(b.ID)); err != nil {
			t.Fatal(err)
		}
		if err := db.FillPlaces(ctx); err != nil {
			t.Fatal(err)
		}
		var city, province string
		if err := w.QueryRowContext(ctx, db.Rebind("SELECT city, province FROM complaints WHERE id = ?"), b.ID).Scan(&city, &province); err != nil {
			t.Fatal(err)
		}
		if want := n.Complainant; city != "Dera Ghazi Khan" || province != want.Province {
			t.Errorf("filled in %q, %q; want %q, %q", city, province, "Dera Ghazi Khan", want.Province)
		}

		// The rebuild's fast read gives the same, straight in the engine's
		// types: b's removed link left out, times to the nanosecond.
		if _, err := db.SaveTiers(ctx, []greyline.TierUpdate{{Identifier: data.Identifiers[0].ID, Tier: "high", Reasons: []string{"one", "two | three"}}}); err != nil {
			t.Fatal(err)
		}
		type tier struct{ tier, reasons string }
		saved := map[int64]tier{}
		cs, ids, links, ds, err := db.ReadNetwork(ctx, func(typ, key, value string) bool { return value == data.Identifiers[1].Value },
			func(id int64, t, reasons []byte) { saved[id] = tier{string(t), string(reasons)} })
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != len(data.Complaints) || len(ids) != len(data.Identifiers) || len(links) != len(data.Links) || len(ds) != 0 {
			t.Fatalf("read %d complaints, %d identifiers, %d links, %d decisions", len(cs), len(ids), len(links), len(ds))
		}
		for i, c := range cs {
			w := data.Complaints[i]
			if c.ID != w.ID || c.Victim != w.Victim || c.LossPaisa != w.LossPaisa || c.City != w.City || c.Category != w.Category || !c.ReceivedAt.Equal(w.ReceivedAt) || c.ReceivedAt.Location() != time.UTC {
				t.Errorf("complaint %+v, want %+v", c, w)
			}
		}
		for i, x := range ids {
			w := data.Identifiers[i]
			if x.ID != w.ID || x.Type != w.Type || x.Key != w.Key || x.Value != w.Value || x.Finding != w.Finding || x.Listed != (i == 1) {
				t.Errorf("identifier %+v, want %+v", x, w)
			}
		}
		for i, l := range links {
			if l.Complaint != data.Links[i].Complaint || l.Identifier != data.Links[i].Identifier {
				t.Errorf("link %+v, want %+v", l, data.Links[i])
			}
		}
		if want := map[int64]tier{data.Identifiers[0].ID: {"high", "one\ntwo | three"}}; !cmp.Equal(saved, want, cmp.AllowUnexported(tier{})) {
			t.Errorf("saved tiers %v, want %v", saved, want)
		}
	})
}

func TestNetworkDecisions(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		analyst := mustUser(t, db, "analyst@nccia.gov.pk", greyline.RoleAnalyst)
		ctx := greyline.WithActor(context.Background(), greyline.Actor{UserID: analyst.ID, OrgID: analyst.OrgID})
		a, _, _, _ := db.CreateComplaint(ctx, sampleComplaint(now), "")
		b, _, _, _ := db.CreateComplaint(ctx, sampleComplaint(now), "")
		ident := a.Identifiers[0].ID

		bad := []struct {
			d     greyline.NetworkDecision
			field string
		}{
			{greyline.NetworkDecision{Kind: "shrug", Note: "x"}, "kind"},
			{greyline.NetworkDecision{Kind: greyline.RejectIdentifier, Note: "x"}, "identifier_id"},
			{greyline.NetworkDecision{Kind: greyline.RejectIdentifier, Identifier: 999999, Note: "x"}, "identifier_id"},
			{greyline.NetworkDecision{Kind: greyline.RejectLink, Identifier: ident, Note: "x"}, "complaint_id"},
			{greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: []int64{a.ID}, Note: "x"}, "complaints"},
			{greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: []int64{a.ID, a.ID}, Note: "x"}, "complaints"},
			{greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: []int64{a.ID, 999999}, Note: "x"}, "complaints"},
			{greyline.NetworkDecision{Kind: greyline.RejectIdentifier, Identifier: ident}, "note"},
		}
		for _, tt := range bad {
			d := tt.d
			err := db.RecordNetworkDecision(ctx, &d)
			if !errors.Is(err, greyline.ErrInvalid) || greyline.ErrorFields(err)[0].Field != tt.field {
				t.Errorf("%+v: %v, want %s named", tt.d, err, tt.field)
			}
		}
		if ds, _ := db.ListNetworkDecisions(ctx, nil); len(ds) != 0 {
			t.Fatalf("refused decisions were written: %d", len(ds))
		}

		merge := &greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: []int64{b.ID, a.ID}, Note: "Same script, same caller ID."}
		if err := db.RecordNetworkDecision(ctx, merge); err != nil {
			t.Fatal(err)
		}
		reject := &greyline.NetworkDecision{Kind: greyline.RejectIdentifier, Identifier: ident, Note: "A bank's helpline."}
		if err := db.RecordNetworkDecision(ctx, reject); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevokeNetworkDecision(ctx, reject.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevokeNetworkDecision(ctx, reject.ID); !errors.Is(err, greyline.ErrConflict) {
			t.Errorf("second revoke: %v", err)
		}
		if _, err := db.RevokeNetworkDecision(ctx, 999999); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("unknown decision: %v", err)
		}
		if ds := readNetwork(t, db).decisions; len(ds) != 1 || ds[0].ID != merge.ID || !cmp.Equal(ds[0].Complaints, []int64{a.ID, b.ID}) {
			t.Errorf("active decisions %+v", ds)
		}
		all, _ := db.ListNetworkDecisions(ctx, []int64{reject.ID})
		if len(all) != 1 || all[0].RevokedAt == nil || all[0].RevokedBy != analyst.ID {
			t.Errorf("revoked decision %+v", all)
		}
		for _, action := range []string{"network.merge", "network.reject_identifier", "network.revoke"} {
			if evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: action}); len(evs) != 1 {
				t.Errorf("%s audited %d times", action, len(evs))
			}
		}
	})
}

func TestTiersAndFeed(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		c, _, _, err := db.CreateComplaint(ctx, sampleComplaint(time.Now().UTC()), "")
		if err != nil {
			t.Fatal(err)
		}
		x, y := c.Identifiers[0].ID, c.Identifiers[1].ID
		n, err := db.SaveTiers(ctx, []greyline.TierUpdate{{Identifier: x, Tier: "high", Reasons: []string{"reported in 7 complaints", "Rs 1,000,000 reported lost"}}, {Identifier: y, Tier: "none"}})
		if err != nil || n != 1 {
			t.Fatalf("save: %d %v (an unchanged tier is not a change)", n, err)
		}
		// The same again changes nothing; a new reason is a change.
		if n, _ := db.SaveTiers(ctx, []greyline.TierUpdate{{Identifier: x, Tier: "high", Reasons: []string{"reported in 7 complaints", "Rs 1,000,000 reported lost"}}}); n != 0 {
			t.Errorf("unchanged: %d", n)
		}
		if n, _ := db.SaveTiers(ctx, []greyline.TierUpdate{{Identifier: x, Tier: "very high", Reasons: []string{"seized in raid RD-1"}}}); n != 1 {
			t.Errorf("changed: %d", n)
		}
		feed, err := db.TierFeed(ctx, 0, 10)
		if err != nil || len(feed) != 2 {
			t.Fatalf("feed: %v %+v", err, feed)
		}
		if feed[0].Tier != "high" || len(feed[0].Reasons) != 2 || feed[1].Tier != "very high" || feed[0].Key != c.Identifiers[0].Key || feed[1].Seq <= feed[0].Seq {
			t.Errorf("feed %+v", feed)
		}
		if rest, _ := db.TierFeed(ctx, feed[1].Seq, 10); len(rest) != 0 {
			t.Errorf("after the last seq: %+v", rest)
		}
		if err := db.SetIdentifierFinding(ctx, x, "Seized in raid RD-1"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetIdentifierFinding(ctx, 999999, "x"); !errors.Is(err, greyline.ErrNotFound) {
			t.Errorf("unknown identifier: %v", err)
		}
		r := readNetwork(t, db)
		for _, i := range r.identifiers {
			if i.ID == x && (i.Finding != "Seized in raid RD-1" || r.tiers[x] != "very high") {
				t.Errorf("identifier %+v, tier %q", i, r.tiers[x])
			}
		}
	})
}

// TestLinearStorage: complaints that all share one identifier (the worst
// case for a store of correlated pairs, which grows with the square) add
// a fixed number of rows each: one complaint, its links, one event.
func TestLinearStorage(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		rows := func(from, n int) []sqlstore.ImportRow {
			var out []sqlstore.ImportRow
			for i := from; i < from+n; i++ {
				r := importRow(i, now)
				r.Identifiers = []string{"0345-2000000"}                                            // shared by every complaint
				r.Narrative = fmt.Sprintf("Called from 0301-%07d and asked for an OTP.", 1000000+i) // one of its own
				out = append(out, r)
			}
			return out
		}
		total := func() int {
			n := 0
			for _, tb := range []string{"complaints", "identifiers", "complaint_identifiers", "complaint_events"} {
				n += count(t, db, "SELECT COUNT(*) FROM "+tb)
			}
			return n
		}
		var sizes []int
		done := 0
		for _, n := range []int{100, 200, 400} {
			if _, err := db.ImportComplaints(sys(), 0, rows(done, n-done)); err != nil {
				t.Fatal(err)
			}
			done = n
			sizes = append(sizes, total())
		}
		// Each complaint adds 1 complaint + 2 links + 1 event + 1 identifier
		// of its own; the shared identifier is one row for all of them.
		want := []int{100*5 + 1, 200*5 + 1, 400*5 + 1}
		if diff := cmp.Diff(want, sizes); diff != "" {
			t.Errorf("rows after 100, 200, 400 complaints (-want +got):\n%s", diff)
		}
		if links := count(t, db, "SELECT complaints FROM identifiers WHERE match_key = 'phone:+923452000000'"); links != 400 {
			t.Errorf("the shared identifier counts %d complaints", links)
		}
	})
}

// TestChangeLog: each write that the servers' indexes follow leaves an
// entry in its own transaction; an import is one range per batch.
func TestChangeLog(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := sys()
		start, err := db.LatestChange(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		var rows []sqlstore.ImportRow
		for i := range 5 {
			rows = append(rows, importRow(i, now))
		}
		if _, err := db.ImportComplaints(ctx, 0, rows); err != nil {
			t.Fatal(err)
		}
		c, _, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil {
			t.Fatal(err)
		}
		d := &greyline.NetworkDecision{Kind: greyline.RejectIdentifier, Identifier: c.Identifiers[0].ID, Note: "A helpline."}
		if err := db.RecordNetworkDecision(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := db.SetIdentifierFinding(ctx, c.Identifiers[0].ID, "Seized."); err != nil {
			t.Fatal(err)
		}
		// A refused write leaves nothing.
		bad := sampleComplaint(now)
		bad.Category = "nonsense"
		db.CreateComplaint(ctx, bad, "")
		got, err := db.ChangesSince(ctx, start, 0)
		if err != nil {
			t.Fatal(err)
		}
		type entry struct {
			Kind        greyline.ChangeKind
			First, Last int64
		}
		var entries []entry
		for _, g := range got {
			entries = append(entries, entry{g.Kind, g.First, g.Last})
		}
		want := []entry{{greyline.ChangeComplaints, 1, 5}, {greyline.ChangeComplaints, c.ID, c.ID},
			{greyline.ChangeDecision, d.ID, d.ID}, {greyline.ChangeIdentifier, c.Identifiers[0].ID, c.Identifiers[0].ID}}
		if diff := cmp.Diff(want, entries); diff != "" {
			t.Errorf("change log (-want +got):\n%s", diff)
		}
		// The look-back returns recent entries again, whatever the cursor.
		again, _ := db.ChangesSince(ctx, got[len(got)-1].Seq, time.Hour)
		if len(again) != len(got) {
			t.Errorf("look-back: %d entries, want %d", len(again), len(got))
		}
		if n, err := db.PruneChanges(ctx, time.Now().Add(time.Hour)); err != nil || n != int64(len(got)) {
			t.Errorf("prune: %d %v", n, err)
		}
	})
}

// networkRead is what ReadNetwork gives, with the saved tiers.
type networkRead struct {
	complaints  []network.Complaint
	identifiers []network.Identifier
	links       []network.Link
	decisions   []greyline.NetworkDecision
	tiers       map[int64]string // saved tiers other than none
}

func readNetwork(t testing.TB, db *sqlstore.DB) networkRead {
	t.Helper()
	r := networkRead{tiers: map[int64]string{}}
	var err error
	r.complaints, r.identifiers, r.links, r.decisions, err = db.ReadNetwork(sys(), func(string, string, string) bool { return false },
		func(id int64, tier, _ []byte) { r.tiers[id] = string(tier) })
	if err != nil {
		t.Fatal(err)
	}
	return r
}
