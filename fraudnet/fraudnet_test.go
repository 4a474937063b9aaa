package fraudnet_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

var sys = greyline.WithActor(context.Background(), greyline.Actor{System: true})

func file(t *testing.T, db *sqlstore.DB, victim int, narrative string) *greyline.Complaint {
	t.Helper()
	c, _, _, err := db.CreateComplaint(sys, greyline.NewComplaint{Channel: greyline.ChannelHelpline,
		Complainant: greyline.Complainant{Name: "V", Phone: fmt.Sprintf("0300-%07d", 1000000+victim), City: "Quetta"},
		Category:    "job_task", ContactMethod: "whatsapp", IncidentAt: time.Now().Add(-time.Hour), LossPaisa: 50_000_000,
		PaymentMethod: "mobile_wallet", Narrative: narrative}, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFollowsTheDatabase: the service builds the engine from the database,
// saves the tiers it computed (they feed partners), and follows complaints
// filed and identifiers removed and restored afterwards.
func TestFollowsTheDatabase(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		a := file(t, db, 1, "Task scam: paid JazzCash 0345-7770001 and the boss on 0321-7770002.")
		b := file(t, db, 2, "They took my money on JazzCash 0345-7770001.")
		svc := fraudnet.New(db, fraudnet.Options{})
		st, err := svc.Rebuild(sys)
		if err != nil {
			t.Fatal(err)
		}
		if st.Complaints != 2 || st.Networks != 1 || st.TiersChanged == 0 {
			t.Fatalf("rebuild: %+v", st)
		}
		feed, err := svc.Feed(sys, 0, 100)
		if err != nil || len(feed) != st.TiersChanged {
			t.Fatalf("feed: %v, %d entries for %d changes", err, len(feed), st.TiersChanged)
		}
		eng := svc.Engine()
		if n, _ := eng.NetworkOf(b.ID); n != a.ID {
			t.Fatalf("b in network %d, want %d", n, a.ID)
		}

		// Filed later: linked once the service hears of it.
		c := file(t, db, 3, "The boss 0321-7770002 again.")
		if err := svc.ComplaintsChanged(sys, []int64{c.ID}); err != nil {
			t.Fatal(err)
		}
		if n, _ := eng.NetworkOf(c.ID); n != a.ID {
			t.Fatalf("c in network %d, want %d", n, a.ID)
		}
		// The wallet removed from b: b leaves; restored: b is back.
		var wallet int64
		for _, ci := range b.Identifiers {
			wallet = ci.ID
		}
		for _, step := range []struct {
			to   greyline.IdentifierStatus
			want int64
		}{{greyline.IdentifierRemoved, b.ID}, {greyline.IdentifierConfirmed, a.ID}} {
			if _, err := db.ReviewIdentifier(sys, b.ID, wallet, step.to); err != nil {
				t.Fatal(err)
			}
			if err := svc.ComplaintsChanged(sys, []int64{b.ID}); err != nil {
				t.Fatal(err)
			}
			if n, _ := eng.NetworkOf(b.ID); n != step.want {
				t.Errorf("after %s, b is in network %d, want %d", step.to, n, step.want)
			}
		}
		// Hearing of a complaint twice changes nothing.
		if err := svc.ComplaintsChanged(sys, []int64{a.ID, b.ID, c.ID}); err != nil {
			t.Fatal(err)
		}
		if s := eng.Stats(); s.Complaints != 3 || s.Links != 4 || s.Networks != 1 {
			t.Errorf("stats after repeats: %+v", s)
		}

		// Lookups: any way of writing the wallet; a helpline is named as such.
		s := svc.Lookup("jazzcash 03457770001")
		if s.Error != "" || s.Complaints != 2 || s.Tier == "none" {
			t.Errorf("wallet lookup: %+v", s)
		}
		if s := svc.Lookup("021-111-124-444"); s.Listed == "" {
			t.Errorf("helpline lookup: %+v", s)
		}
		if s := svc.Lookup(""); s.Error == "" {
			t.Errorf("empty lookup: %+v", s)
		}

		// A decision is stored and applied; revoked, it is undone.
		d := &greyline.NetworkDecision{Kind: greyline.SplitNetwork, Complaints: []int64{c.ID}, Note: "A different boss."}
		if err := svc.Decide(sys, d); err != nil {
			t.Fatal(err)
		}
		if n, _ := eng.NetworkOf(c.ID); n != c.ID {
			t.Errorf("after the split c is in network %d", n)
		}
		if _, err := svc.Revoke(sys, d.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := eng.NetworkOf(c.ID); n != a.ID {
			t.Errorf("after the revocation c is in network %d", n)
		}
		// Another server's view of the same decision: applying it again is harmless.
		if err := svc.SyncDecision(sys, d.ID); err != nil {
			t.Fatal(err)
		}
	})
}
