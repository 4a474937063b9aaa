package demo_test

import (
	"testing"
	"time"

	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// TestDemoHasOverdueClearances: the application handed in on paper weeks
// ago has every agency's clearance overdue.
func TestDemoHasOverdueClearances(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{})
	load(t, db)
	_, rd := db.Pools()
	var n int
	if err := rd.QueryRow("SELECT COUNT(*) FROM clearance_tasks WHERE status = 'pending' AND deadline < ?", time.Now().UTC()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Errorf("%d overdue clearance tasks, want PTA's, NCCIA's and SA's of one application at least", n)
	}
}

// TestDemoHasAnExpiredLicence: a paper licence whose validity ran out.
func TestDemoHasAnExpiredLicence(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{})
	load(t, db)
	_, rd := db.Pools()
	var n int
	if err := rd.QueryRow("SELECT COUNT(*) FROM licences WHERE status = 'expired'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d expired licences, want Sutlej's", n)
	}
}
