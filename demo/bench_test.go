package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/demo"
	"github.com/greyline/greyline/report"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// BenchmarkCommitteeReport builds the committee report for a year of demo
// data on embedded SQLite, as the server and the command do: reading the
// facts from the database, then report.Build (target: under 1 s).
//
//	go test ./demo -run XXX -bench CommitteeReport
func BenchmarkCommitteeReport(b *testing.B) {
	db := sqlstoretest.Open(b, sqlstore.SQLite, sqlstoretest.Options{})
	ctx := greyline.WithActor(context.Background(), greyline.Actor{System: true})
	if _, err := demo.Load(ctx, demo.Services{Orgs: db, Users: db, Businesses: db, Applications: db, Clearance: db, Licences: db, Complaints: db, Enforcement: db}); err != nil {
		b.Fatal(err)
	}
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, greyline.Karachi), time.Date(2025, 12, 31, 0, 0, 0, 0, greyline.Karachi)
	b.ResetTimer()
	for b.Loop() {
		in, err := db.CommitteeInput(ctx, from, to, "", "")
		if err != nil {
			b.Fatal(err)
		}
		c, err := report.Build(in)
		if err != nil {
			b.Fatal(err)
		}
		if c.Raids != 63 {
			b.Fatalf("%d raids", c.Raids)
		}
	}
}
