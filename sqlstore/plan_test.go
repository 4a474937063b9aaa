package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// TestLookupsUseTheirIndexes: SQLite uses a partial index only when the
// query repeats its condition; without it, finding a partner's complaint
// by its Idempotency-Key read every complaint (over a second at a
// million).
func TestLookupsUseTheirIndexes(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{})
	_, r := db.Pools()
	for q, index := range sqlstore.IndexedLookups() {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := r.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := fmt.Sprint(plan); !strings.Contains(p, "INDEX "+index) {
			t.Errorf("%s\nplan %s, want a search of index %s", q, p, index)
		}
	}
}
