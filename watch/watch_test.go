package watch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
	"github.com/greyline/greyline/watch"
)

func TestLendingLookup(t *testing.T) {
	db := sqlstoretest.Open(t, "sqlite", sqlstoretest.Options{})
	ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
	if _, _, err := db.ImportLendingApps(ctx, []*greyline.LendingApp{
		{PackageID: "pk.sahulat.qarza", Name: "Sahulat Qarza", Lender: "Sahulat Finance Limited", Status: greyline.LendingApproved},
		{PackageID: "com.easy.cash.loan.pk", Name: "Easy Cash Loan", Status: greyline.LendingIllegal},
	}); err != nil {
		t.Fatal(err)
	}
	w := watch.New(db, nil)
	if err := w.Load(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, q := range []string{"pk.sahulat.qarza", "Sahulat Qarza", "sahulat  qarza", "Sahu1at Qarza", "com.easy.cash.loan.pk", "EASY CASH LOAN", "Quick Rupee"} {
		ans, err := w.LendingLookup(q)
		if err != nil {
			t.Fatal(err)
		}
		got[q] = ans.Verdict
	}
	want := map[string]string{
		"pk.sahulat.qarza": "approved", "Sahulat Qarza": "approved", "sahulat  qarza": "approved",
		"Sahu1at Qarza":         "unknown", // a look-alike is not approved
		"com.easy.cash.loan.pk": "illegal", "EASY CASH LOAN": "illegal", "Quick Rupee": "unknown",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := w.LendingLookup(" "); !errors.Is(err, greyline.ErrInvalid) {
		t.Errorf("empty query: %v", err)
	}
	if ans, _ := w.LendingLookup("Sahu1at Qarza"); len(ans.Matches) != 1 || ans.Matches[0].How != "similar name" {
		t.Errorf("look-alike: %+v", ans)
	}
}
