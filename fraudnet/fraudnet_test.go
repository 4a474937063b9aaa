package fraudnet_test

import (
	"context"
	"fmt"
	"slices"
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

// feedLen reads the whole feed.
func feedLen(t *testing.T, svc *fraudnet.Service) []greyline.TierChange {
	t.Helper()
	feed, err := svc.Feed(sys, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return feed
}

// wallet is the value ring's complaints share.
const wallet = "jazzcash 03457771234"

// ring files n complaints from different victims sharing one wallet, so
// that the wallet's tier rises with them.
func ring(t *testing.T, db *sqlstore.DB, from, n int, wallet ...string) []int64 {
	t.Helper()
	w := "0345-7771234"
	if len(wallet) > 0 {
		w = wallet[0]
	}
	var ids []int64
	for i := range n {
		ids = append(ids, file(t, db, from+i, "Paid JazzCash "+w+" for a job that never came.").ID)
	}
	return ids
}

// TestRestartSavesNothing: a second rebuild over the tiers the first one
// saved finds nothing to save and feeds nothing.
func TestRestartSavesNothing(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ring(t, db, 1, 4)
		file(t, db, 10, "The caller 0321-5556667 wanted my OTP.")
		first, err := fraudnet.New(db, fraudnet.Options{}).Rebuild(sys)
		if err != nil || first.TiersChanged == 0 {
			t.Fatalf("first rebuild: %+v %v", first, err)
		}
		svc := fraudnet.New(db, fraudnet.Options{})
		n := len(feedLen(t, svc))
		again, err := svc.Rebuild(sys)
		if err != nil || again.TiersChanged != 0 {
			t.Fatalf("restart: %+v %v", again, err)
		}
		if m := len(feedLen(t, svc)); m != n {
			t.Errorf("restart fed %d changes", m-n)
		}
	})
}

// TestFlusherSavesInOrder: an update changes the tiers lookups answer at
// once; saving them and feeding partners waits for the flush, which saves
// them as the engine has them, in the order they changed.
func TestFlusherSavesInOrder(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		svc := fraudnet.New(db, fraudnet.Options{FlushEvery: time.Hour})
		if _, err := svc.Rebuild(sys); err != nil {
			t.Fatal(err)
		}
		before := len(feedLen(t, svc))
		ids := ring(t, db, 1, 3)
		for _, id := range ids {
			if err := svc.ComplaintsChanged(sys, []int64{id}); err != nil {
				t.Fatal(err)
			}
		}
		s := svc.Lookup(wallet)
		if s.Tier == "none" || s.Complaints != 3 {
			t.Fatalf("lookup before the flush: %+v", s)
		}
		if n := len(feedLen(t, svc)); n != before {
			t.Fatalf("%d changes fed before the flush", n-before)
		}
		queued := svc.QueuedTiers()
		if queued == 0 {
			t.Fatal("nothing queued")
		}
		if err := svc.Flush(sys); err != nil {
			t.Fatal(err)
		}
		feed := feedLen(t, svc)[before:]
		if len(feed) == 0 {
			t.Fatal("the flush fed nothing")
		}
		// Each identifier once, at the tier lookups give, in seq order.
		seen := map[string]bool{}
		for i, c := range feed {
			if seen[c.Key] {
				t.Errorf("%s fed twice in one flush", c.Key)
			}
			seen[c.Key] = true
			if i > 0 && c.Seq <= feed[i-1].Seq {
				t.Errorf("feed out of order: %+v", feed)
			}
			if l := svc.Lookup(c.Value); l.Tier != c.Tier {
				t.Errorf("fed %s at %s, lookup says %s", c.Key, c.Tier, l.Tier)
			}
		}
		if l := svc.Lookup(wallet); !seen[l.Type+":"+l.Value] && !slices.ContainsFunc(feed, func(c greyline.TierChange) bool { return c.Value == l.Value }) {
			t.Errorf("the wallet %s is not in the feed: %+v", l.Value, feed)
		}
		// A flush with nothing queued, and a restart, save nothing more.
		if err := svc.Flush(sys); err != nil {
			t.Fatal(err)
		}
		if st, err := fraudnet.New(db, fraudnet.Options{}).Rebuild(sys); err != nil || st.TiersChanged != 0 {
			t.Errorf("restart after the flush: %+v %v", st, err)
		}

		// The background flush does the same on its own.
		bg := fraudnet.New(db, fraudnet.Options{FlushEvery: 10 * time.Millisecond})
		if _, err := bg.Rebuild(sys); err != nil {
			t.Fatal(err)
		}
		n := len(feedLen(t, bg))
		for _, id := range ring(t, db, 20, 3, "0345-7772222") {
			if err := bg.ComplaintsChanged(sys, []int64{id}); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(feedLen(t, bg)) == n {
			if time.Now().After(deadline) {
				t.Fatal("the background flush saved nothing")
			}
			time.Sleep(5 * time.Millisecond)
		}
		// After Close, an update saves at once.
		if err := bg.Close(sys); err != nil {
			t.Fatal(err)
		}
		n = len(feedLen(t, bg))
		for _, id := range ring(t, db, 40, 3, "0345-7773333") {
			if err := bg.ComplaintsChanged(sys, []int64{id}); err != nil {
				t.Fatal(err)
			}
		}
		if len(feedLen(t, bg)) == n {
			t.Error("after Close an update's tiers were not saved")
		}
	})
}

// TestLostQueueRepairedByRebuild: tiers changed but never flushed (the
// server crashed) are found and saved by the next rebuild.
func TestLostQueueRepairedByRebuild(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		crashed := fraudnet.New(db, fraudnet.Options{FlushEvery: time.Hour, FlushAt: 1 << 30})
		if _, err := crashed.Rebuild(sys); err != nil {
			t.Fatal(err)
		}
		n := len(feedLen(t, crashed))
		for _, id := range ring(t, db, 1, 4) {
			if err := crashed.ComplaintsChanged(sys, []int64{id}); err != nil {
				t.Fatal(err)
			}
		}
		want := crashed.Lookup(wallet)
		if want.Tier == "none" || len(feedLen(t, crashed)) != n {
			t.Fatalf("tier %s, %d fed before any flush", want.Tier, len(feedLen(t, crashed))-n)
		}
		// No Flush, no Close: the queue is lost.
		next := fraudnet.New(db, fraudnet.Options{})
		st, err := next.Rebuild(sys)
		if err != nil || st.TiersChanged == 0 {
			t.Fatalf("rebuild after the crash: %+v %v", st, err)
		}
		feed := feedLen(t, next)
		if len(feed) != n+st.TiersChanged {
			t.Errorf("%d fed for %d changes", len(feed)-n, st.TiersChanged)
		}
		if !slices.ContainsFunc(feed[n:], func(c greyline.TierChange) bool { return c.Value == want.Value && c.Tier == want.Tier }) {
			t.Errorf("the wallet at %s is not in the feed: %+v", want.Tier, feed[n:])
		}
		if st, err := fraudnet.New(db, fraudnet.Options{}).Rebuild(sys); err != nil || st.TiersChanged != 0 {
			t.Errorf("a further restart: %+v %v", st, err)
		}
	})
}

// TestDecisionsOnWhatTheEngineHasNotSeen: a decision may name a complaint
// or identifier the store holds but the engine has not heard of yet (a
// complaint filed a moment ago; found by fuzzing, it answered 500). The
// service reads them in and applies the decision.
func TestDecisionsOnWhatTheEngineHasNotSeen(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		a := file(t, db, 1, "Paid JazzCash 0345-7770001.")
		svc := fraudnet.New(db, fraudnet.Options{})
		if _, err := svc.Rebuild(sys); err != nil {
			t.Fatal(err)
		}
		// Filed, but the service is not told.
		b := file(t, db, 2, "The caller was 0321-7770009.")
		c := file(t, db, 3, "The caller was 0333-7770008.")
		merge := &greyline.NetworkDecision{Kind: greyline.MergeNetworks, Complaints: []int64{a.ID, b.ID}, Note: "Same call centre."}
		if err := svc.Decide(sys, merge); err != nil {
			t.Fatalf("merge naming a complaint the engine has not seen: %v", err)
		}
		if n, _ := svc.Engine().NetworkOf(b.ID); n != a.ID {
			t.Errorf("b in network %d, want %d", n, a.ID)
		}
		reject := &greyline.NetworkDecision{Kind: greyline.RejectIdentifier, Identifier: c.Identifiers[0].ID, Note: "A bank's number."}
		if err := svc.Decide(sys, reject); err != nil {
			t.Fatalf("rejecting an identifier the engine has not seen: %v", err)
		}
		if _, ok := svc.Engine().Assess(c.Identifiers[0].ID); !ok {
			t.Error("the rejected identifier is still unknown to the engine")
		}
	})
}
