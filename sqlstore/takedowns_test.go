package sqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

func mustOrgUser(t *testing.T, db *sqlstore.DB, org, email string, roles ...greyline.Role) *greyline.User {
	t.Helper()
	u, err := db.CreateUser(sys(), greyline.NewUser{OrgID: mustOrg(t, db, org).ID, Email: email, Name: email, Roles: roles, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTakedowns(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			clk := newClock()
			db := sqlstoretest.Open(t, e, sqlstoretest.Options{Now: clk.Now})
			secp := actorCtx(mustOrgUser(t, db, "SECP", "reviewer@secp.gov.pk", greyline.RoleReviewer))
			nccia := actorCtx(mustOrgUser(t, db, "NCCIA", "analyst@nccia.gov.pk", greyline.RoleAnalyst))
			c, _, _, err := db.CreateComplaint(nccia, sampleComplaint(clk.Now()), "")
			if err != nil {
				t.Fatal(err)
			}

			// Bad input names the field and writes nothing.
			bad := []struct {
				name  string
				td    greyline.Takedown
				field string
			}{
				{"platform for another kind", greyline.Takedown{Target: greyline.TargetApp, Platform: "jazz", Value: "com.easy.loan", LegalBasis: "PECA s.37"}, "platform"},
				{"unknown platform", greyline.Takedown{Target: greyline.TargetApp, Platform: "nowhere", Value: "com.easy.loan", LegalBasis: "PECA s.37"}, "platform"},
				{"no legal basis", greyline.Takedown{Target: greyline.TargetApp, Platform: "google_play", Value: "com.easy.loan"}, "legal_basis"},
				{"not a number", greyline.Takedown{Target: greyline.TargetPhone, Platform: "jazz", Value: "call me", LegalBasis: "PECA s.37"}, "value"},
				{"bad marking", greyline.Takedown{Target: greyline.TargetURL, Platform: "isp_blocking", Value: "https://easy-loan.pk", LegalBasis: "PECA s.37", TLP: "purple"}, "tlp"},
				{"bad contact", greyline.Takedown{Target: greyline.TargetApp, Platform: "google_play", Value: "com.easy.loan", LegalBasis: "PECA s.37", Contacts: []string{"nobody"}}, "contacts[0]"},
				{"missing complaint", greyline.Takedown{Target: greyline.TargetApp, Platform: "google_play", Value: "com.easy.loan", LegalBasis: "PECA s.37", Complaints: []int64{c.ID + 99}}, "complaints"},
			}
			for _, b := range bad {
				td := b.td
				wantField(t, b.name, db.CreateTakedown(secp, &td), b.field)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM takedowns"); n != 0 {
				t.Fatalf("%d takedowns written by refused requests", n)
			}

			app := &greyline.Takedown{Target: greyline.TargetApp, Platform: "google_play", Value: "com.easyloan.cash", Name: "EasyLoan Cash",
				Developer: "Quick Fin Tech", DeveloperEmail: "Support@QuickFin.com.pk", Contacts: []string{"0345-1112223"},
				LegalBasis: "PECA 2016 s.37; SECP NBFC Regulations", Complaints: []int64{c.ID}, Networks: []int64{c.ID}}
			if err := db.CreateTakedown(secp, app); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(app.Reference, "TD-2026-") || app.Status != greyline.TakedownRequested || app.TLP != greyline.TLPAmber ||
				!app.DueAt.Equal(clk.Now().Add(48*time.Hour)) || app.DeveloperEmail != "support@quickfin.com.pk" {
				t.Fatalf("created %+v", app)
			}
			num := &greyline.Takedown{Target: greyline.TargetWhatsApp, Platform: "jazz", Value: "wa.me/923217654321", LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPGreen}
			if err := db.CreateTakedown(nccia, num); err != nil {
				t.Fatal(err)
			}
			if num.Key != "phone:+923217654321" {
				t.Errorf("WhatsApp target key %q", num.Key)
			}

			got, err := db.FindTakedown(secp, app.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]int64{c.ID}, got.Complaints); diff != "" || got.Org != "SECP" || len(got.Events) != 1 || len(got.Contacts) != 1 {
				t.Errorf("found %+v (complaints %s)", got, diff)
			}

			// Overdue once the platform's deadline passes without an answer.
			clk.Add(25 * time.Hour)
			over, _ := db.ListTakedowns(secp, greyline.TakedownFilter{Overdue: true, Now: clk.Now()})
			if len(over) != 1 || over[0].ID != num.ID {
				t.Errorf("overdue after 25 h: %d, want the operator's 24-hour request only", len(over))
			}
			mine, _ := db.ListTakedowns(secp, greyline.TakedownFilter{OrgID: mustOrg(t, db, "SECP").ID})
			if len(mine) != 1 || mine[0].ID != app.ID {
				t.Errorf("SECP's queue holds %d", len(mine))
			}

			// The workflow, with optimistic versions.
			if _, err := db.MoveTakedown(secp, app.ID, app.Version, greyline.TakedownReappeared, time.Time{}, ""); !errors.Is(err, greyline.ErrInvalid) {
				t.Errorf("requested to reappeared: %v", err)
			}
			_, err = db.MoveTakedown(secp, app.ID, app.Version, greyline.TakedownRejected, time.Time{}, "")
			wantField(t, "rejected without a reason", err, "note")
			ack, err := db.MoveTakedown(secp, app.ID, app.Version, greyline.TakedownAcknowledged, time.Time{}, "Google acknowledged: case 4-1123")
			if err != nil || ack.Status != greyline.TakedownAcknowledged || ack.AcknowledgedAt.IsZero() {
				t.Fatalf("acknowledge: %v %+v", err, ack)
			}
			if _, err := db.MoveTakedown(secp, app.ID, app.Version, greyline.TakedownRemoved, time.Time{}, ""); !errors.Is(err, greyline.ErrConflict) {
				t.Errorf("stale version: %v", err)
			}
			rem, err := db.MoveTakedown(secp, app.ID, ack.Version, greyline.TakedownRemoved, time.Time{}, "Listing removed")
			if err != nil || rem.Status != greyline.TakedownRemoved {
				t.Fatalf("remove: %v", err)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM identifiers WHERE match_key = 'app:com.easyloan.cash' AND removal LIKE 'taken down on %'"); n != 1 {
				t.Errorf("the removed app's identifier carries no removal")
			}
			if _, err := db.MoveTakedown(nccia, num.ID, num.Version, greyline.TakedownRemoved, time.Time{}, "SIM blocked"); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM identifiers WHERE match_key = 'phone:+923217654321' AND removal LIKE 'closed: %'"); n != 1 {
				t.Errorf("a blocked number's removal does not close it")
			}
			back, err := db.MoveTakedown(secp, app.ID, rem.Version, greyline.TakedownReappeared, time.Time{}, "Back as com.easyloan.cash2")
			if err != nil || back.ReappearedAt.IsZero() {
				t.Fatalf("reappeared: %v", err)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM identifiers WHERE match_key = 'app:com.easyloan.cash' AND removal = ''"); n != 1 {
				t.Errorf("a reappeared app still counts as removed")
			}

			// The number was shared (a telco feed entry), under its marking.
			feed, cur, err := db.SharedFeed(nccia, greyline.FeedCursor{}, greyline.FeedTelco, 100)
			if err != nil {
				t.Fatal(err)
			}
			var shared []string
			for _, in := range feed {
				if in.Source != "" && strings.HasPrefix(in.Source, "takedown") {
					shared = append(shared, in.Key+" "+string(in.TLP))
				}
			}
			if diff := cmp.Diff([]string{"phone:+923217654321 green"}, shared); diff != "" {
				t.Errorf("telco feed (-want +got):\n%s", diff)
			}
			again, _, _ := db.SharedFeed(nccia, cur, greyline.FeedTelco, 100)
			if len(again) != 0 {
				t.Errorf("%d entries after the cursor, want none", len(again))
			}
		})
	}
}

func TestLendingAppsAndWatchlist(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		secp := actorCtx(mustOrgUser(t, db, "SECP", "lists@secp.gov.pk", greyline.RoleReviewer))
		apps := []*greyline.LendingApp{
			{PackageID: "com.barwaqt.app", Name: "Barwaqt", Lender: "Seedcred Financial Services", Status: greyline.LendingApproved},
			{PackageID: "com.easyloan.cash", Name: "EasyLoan Cash", Status: greyline.LendingIllegal},
			{Name: "Loan Express", Status: greyline.LendingApproved}, // no lender
		}
		_, _, err := db.ImportLendingApps(secp, apps)
		wantField(t, "row without a lender", err, "rows[3].lender")
		if n := count(t, db, "SELECT COUNT(*) FROM lending_apps"); n != 0 {
			t.Fatalf("a refused import wrote %d entries", n)
		}
		apps[2].Lender = "Express Finance Ltd"
		added, updated, err := db.ImportLendingApps(secp, apps)
		if err != nil || added != 3 || updated != 0 {
			t.Fatalf("import: %d %d %v", added, updated, err)
		}
		// A second file updates by package id.
		added, updated, err = db.ImportLendingApps(secp, []*greyline.LendingApp{{PackageID: "com.easyloan.cash", Name: "EasyLoan Cash", Status: greyline.LendingIllegal, Notes: "Blocked by PTA"}})
		if err != nil || added != 0 || updated != 1 {
			t.Fatalf("re-import: %d %d %v", added, updated, err)
		}
		illegal, _ := db.ListLendingApps(secp, greyline.LendingIllegal)
		if len(illegal) != 1 || illegal[0].Notes != "Blocked by PTA" || illegal[0].Version != 2 {
			t.Errorf("illegal list %+v", illegal)
		}
		stale := *illegal[0]
		stale.Version = 1
		if err := db.SaveLendingApp(secp, &stale); !errors.Is(err, greyline.ErrConflict) {
			t.Errorf("stale edit: %v", err)
		}

		nccia := actorCtx(mustOrgUser(t, db, "NCCIA", "inv@nccia.gov.pk", greyline.RoleInvestigator))
		wantField(t, "unknown chain", db.WatchWallet(nccia, &greyline.WatchedWallet{Address: "ltc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", Reason: "x"}), "address")
		wantField(t, "bad checksum", db.WatchWallet(nccia, &greyline.WatchedWallet{Address: "0x52908400098527886e0F7030069857D2E4169EE7", Reason: "x"}), "address")
		wantField(t, "no reason", db.WatchWallet(nccia, &greyline.WatchedWallet{Address: "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"}), "reason")
		w := &greyline.WatchedWallet{Address: "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", Reason: "Received victims' USDT in a loan-app case", TLP: greyline.TLPGreen}
		if err := db.WatchWallet(nccia, w); err != nil {
			t.Fatal(err)
		}
		if w.Chain != "TRON" || !w.Active {
			t.Errorf("watched %+v", w)
		}
		if err := db.WatchWallet(nccia, &greyline.WatchedWallet{Address: w.Address, Reason: "again"}); !errors.Is(err, greyline.ErrConflict) {
			t.Errorf("the same wallet twice: %v", err)
		}
		feed, cur, _ := db.SharedFeed(nccia, greyline.FeedCursor{}, greyline.FeedExchange, 10)
		if len(feed) != 1 || !feed[0].Active || feed[0].Chain != "TRON" {
			t.Fatalf("exchange feed %+v", feed)
		}
		if _, err := db.UnwatchWallet(nccia, w.ID, w.Version, "Funds frozen by the exchange"); err != nil {
			t.Fatal(err)
		}
		feed, _, _ = db.SharedFeed(nccia, cur, greyline.FeedExchange, 10)
		if len(feed) != 1 || feed[0].Active {
			t.Fatalf("after removal the feed says %+v, want a withdrawal", feed)
		}

		// Alerts are raised once per source.
		a := &greyline.Alert{Kind: greyline.AlertWallet, WalletID: w.ID, SourceKind: "complaint", SourceID: 7, Subject: "TRON wallet", Score: 100,
			Reasons: []string{"on the watchlist"}, Investigators: []int64{41, 42}}
		if ok, err := db.RaiseAlert(nccia, a); !ok || err != nil {
			t.Fatalf("raise: %v %v", ok, err)
		}
		if ok, err := db.RaiseAlert(nccia, &greyline.Alert{Kind: greyline.AlertWallet, WalletID: w.ID, SourceKind: "complaint", SourceID: 7, Subject: "x"}); ok || err != nil {
			t.Errorf("the same alert again: %v %v", ok, err)
		}
		for user, want := range map[int64]int{41: 1, 42: 1, 4: 0} {
			if got, _ := db.ListAlerts(nccia, greyline.AlertFilter{ForUser: user}); len(got) != want {
				t.Errorf("alerts for user %d: %d, want %d", user, len(got), want)
			}
		}
		if r, err := db.ResolveAlert(nccia, a.ID, greyline.AlertConfirmed, "Same operation"); err != nil || r.Status != greyline.AlertConfirmed {
			t.Fatalf("resolve: %v", err)
		}
		if _, err := db.ResolveAlert(nccia, a.ID, greyline.AlertDismissed, ""); !errors.Is(err, greyline.ErrInvalid) {
			t.Errorf("resolve twice: %v", err)
		}

		// A partner's bundle is stored whole or not at all.
		_, err = db.ImportIndicators(nccia, "STIX from test", []*greyline.Indicator{
			{Type: "domain", Value: "easy-loan.pk", Key: "domain:easy-loan.pk", TLP: greyline.TLPGreen, Active: true},
			{Type: "domain", Value: "x.pk", Key: "domain:x.pk", TLP: "blue", Active: true},
		})
		wantField(t, "bad marking", err, "indicators[1].tlp")
		if n := count(t, db, "SELECT COUNT(*) FROM indicators WHERE source = 'STIX from test'"); n != 0 {
			t.Errorf("a refused bundle wrote %d indicators", n)
		}
	})
}
