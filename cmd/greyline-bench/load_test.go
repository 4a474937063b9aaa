package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLoad runs the load test briefly (20 clients for 3 s) on SQLite, and
// on PostgreSQL when GREYLINE_TEST_POSTGRES is set, and asserts its
// checks: no 5xx answer, no "database is locked" in the server's log, no
// lost write, and every kind of traffic sent.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test sets up a database and sends traffic for seconds; skipped under -short")
	}
	engines := []string{"sqlite"}
	dsn := os.Getenv("GREYLINE_TEST_POSTGRES")
	if dsn != "" {
		engines = append(engines, "postgres")
	} else {
		t.Log("GREYLINE_TEST_POSTGRES is not set: SQLite only")
	}
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			var out strings.Builder
			res, err := loadRun(context.Background(), loadConfig{Engine: engine, DSN: dsn, Duration: 3 * time.Second, Clients: 20, Seed: 1, Licensed: 20, Out: &out})
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if len(res.Failures) > 0 {
				t.Fatalf("checks failed: %s\n%s", strings.Join(res.Failures, "; "), out.String())
			}
			groups := map[string]int{}
			for _, k := range res.Kinds {
				groups[k.Group] += k.Count
				for status, n := range k.Status {
					if status >= 500 {
						t.Errorf("%s: %d answers %d", k.Name, n, status)
					}
				}
			}
			for _, g := range []string{"public lookups", "partner suspect lookups", "complaint submissions", "staff page views", "sign-ins", "reviewer decisions"} {
				if groups[g] == 0 {
					t.Errorf("no %s were sent", g)
				}
			}
			if res.Checked.Locked != 0 {
				t.Errorf("%d log records say the database was locked", res.Checked.Locked)
			}
			if res.Checked.Complaints == 0 || res.Checked.Decisions == 0 {
				t.Errorf("the checks counted %d acknowledged complaints and %d decisions; the traffic wrote nothing", res.Checked.Complaints, res.Checked.Decisions)
			}
			if t.Failed() {
				t.Log(out.String())
			}
		})
	}
}
