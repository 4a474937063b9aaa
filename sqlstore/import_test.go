package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/sqlstore/sqlstoretest"
)

// importRow is a valid row whose identifiers repeat every few rows, as
// those of a fraud network do.
func importRow(i int, now time.Time) sqlstore.ImportRow {
	n := sampleComplaint(now)
	n.Channel = ""
	n.ExternalRef = fmt.Sprintf("ROW-%05d", i)
	n.Complainant.CNIC = fmt.Sprintf("35202-%07d-1", i)
	n.Narrative = fmt.Sprintf("Caller from 0301-%07d said I won a prize and took Rs %d via Easypaisa.", 1000000+i%7, 1000+i)
	n.Identifiers = []string{fmt.Sprintf("0345-%07d", 2000000+i%5)}
	return sqlstore.ImportRow{NewComplaint: n, ReceivedAt: now.Add(-time.Hour)}
}

// count runs a query that takes no parameters and returns one number.
func count(t *testing.T, db *sqlstore.DB, q string) int {
	t.Helper()
	_, r := db.Pools()
	var n int
	if err := r.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestImportComplaints(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		ctx := sys()
		// One complaint through the ordinary path first: the import takes
		// its references from the same counter and shares its identifiers.
		first, _, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil {
			t.Fatal(err)
		}
		var rows []sqlstore.ImportRow
		for i := range 250 { // more than one multi-row statement
			rows = append(rows, importRow(i, now))
		}
		rows[3].Category = "no_such_category"
		rows[7].ExternalRef = ""
		rows[9].ExternalRef = rows[8].ExternalRef // repeated within the batch
		rows[11].ReceivedAt = now.Add(48 * time.Hour)
		res, err := db.ImportComplaints(ctx, 0, rows)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 246 || res.Skipped != 1 || len(res.Rejected) != 3 {
			t.Fatalf("imported %d, skipped %d, rejected %+v", res.Imported, res.Skipped, res.Rejected)
		}
		var why []string
		for _, r := range res.Rejected {
			why = append(why, fmt.Sprintf("%d %s", r.Index, greyline.ErrorFields(r.Err)[0].Field))
		}
		if got := strings.Join(why, ", "); got != "3 category, 7 external_ref, 11 received_at" {
			t.Errorf("rejected: %s", got)
		}
		year := strings.Split(first.Reference, "-")[1]
		if want := "CMP-" + year + "-000002"; res.First != want || res.Last != "CMP-"+year+"-000247" {
			t.Errorf("references %s to %s, want %s to …247", res.First, res.Last, want)
		}
		// An imported complaint reads back like any other.
		ids, err := db.ComplaintsByComplainant(ctx, "35202-0000000-1")
		if err != nil || len(ids) != 1 {
			t.Fatalf("by CNIC: %v %v", ids, err)
		}
		c, err := db.RevealComplaint(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if c.Channel != greyline.ChannelImport || c.ExternalRef != "ROW-00000" || c.Complainant.Name != "Sana Tariq" || c.Status != greyline.ComplaintReceived ||
			!c.ReceivedAt.Equal(now.Add(-time.Hour).Truncate(time.Microsecond)) && !c.ReceivedAt.Equal(now.Add(-time.Hour)) {
			t.Errorf("imported complaint %+v", c)
		}
		var keys []string
		for _, ci := range c.Identifiers {
			keys = append(keys, ci.Source+" "+ci.Key+" "+string(ci.Status))
		}
		if got, want := strings.Join(keys, ", "), "field phone:+923452000000 confirmed, extracted phone:+923011000000 pending"; got != want {
			t.Errorf("identifiers: %s, want %s", got, want)
		}
		// Identifier counts add up across both paths: the sample's phone is
		// in CreateComplaint's narrative and in no import row; 0345-2000000
		// is in every fifth of the 246 imported rows.
		if n := count(t, db, "SELECT complaints FROM identifiers WHERE match_key = 'phone:+923452000000'"); n != 50 {
			t.Errorf("0345-2000000 in %d complaints, want 50", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaint_identifiers WHERE identifier_id = (SELECT id FROM identifiers WHERE match_key = 'phone:+923452000000')"); n != 50 {
			t.Errorf("0345-2000000 linked %d times, want 50", n)
		}
		checkImportedLinks(t, db)
		if n := count(t, db, wrongCounts); n != 0 {
			t.Errorf("%d identifiers with a wrong count or last_seen", n)
		}
		// One 'received' event per complaint, dated when it was received.
		if n := count(t, db, `SELECT COUNT(DISTINCT e.complaint_id) FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
			WHERE e.to_status = 'received' AND e.from_status = '' AND e.at = c.received_at AND e.public_message = 'Your complaint was received.'`); n != 247 {
			t.Errorf("complaints with their received event: %d", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaint_events WHERE to_status = 'received'"); n != 247 {
			t.Errorf("received events: %d", n)
		}
		if evs, _ := db.ListAudit(ctx, greyline.AuditFilter{Action: "complaint.import"}); len(evs) != 1 || !strings.Contains(evs[0].Detail, "imported 246 complaints") {
			t.Errorf("import audited as %+v", evs)
		}

		// The same file again imports nothing; another source may reuse the
		// references.
		again, err := db.ImportComplaints(ctx, 0, rows)
		if err != nil || again.Imported != 0 || again.Skipped != 247 || len(again.Rejected) != 3 {
			t.Fatalf("second run: %+v %v", again, err)
		}
		if n := count(t, db, "SELECT complaints FROM identifiers WHERE match_key = 'phone:+923452000000'"); n != 50 {
			t.Errorf("a second run changed the counts: %d", n)
		}
		bank := &greyline.Org{Code: "HBL", Name: "Habib Bank", Kind: greyline.OrgBank}
		if err := db.CreateOrg(ctx, bank); err != nil {
			t.Fatal(err)
		}
		other, err := db.ImportComplaints(ctx, bank.ID, rows[:2])
		if err != nil || other.Imported != 2 {
			t.Fatalf("another source: %+v %v", other, err)
		}
		// CreateComplaint continues the counter after the imports.
		next, _, _, err := db.CreateComplaint(ctx, sampleComplaint(now), "")
		if err != nil || next.Reference != "CMP-"+year+"-000250" {
			t.Errorf("next reference %v, %v", next, err)
		}
		if _, problems, err := db.VerifyAudit(ctx); err != nil || len(problems) > 0 {
			t.Errorf("audit chain: %v %v", problems, err)
		}
	})
}

// A batch with nothing to write does nothing, and a cancelled context
// writes nothing.
func TestImportComplaintsEmptyAndCancelled(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		res, err := db.ImportComplaints(sys(), 0, nil)
		if err != nil || res.Imported != 0 {
			t.Fatalf("empty batch: %+v %v", res, err)
		}
		ctx, cancel := context.WithCancel(sys())
		cancel()
		if _, err := db.ImportComplaints(ctx, 0, []sqlstore.ImportRow{importRow(1, now)}); err == nil {
			t.Fatal("a cancelled import succeeded")
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaints"); n != 0 {
			t.Errorf("a cancelled import wrote %d complaints", n)
		}
	})
}

// Two imports of the same rows at once write each row once.
func TestImportComplaintsConcurrent(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		var rows []sqlstore.ImportRow
		for i := range 120 {
			rows = append(rows, importRow(i, now))
		}
		type out struct {
			res sqlstore.ImportResult
			err error
		}
		ch := make(chan out, 2)
		for range 2 {
			go func() {
				res, err := db.ImportComplaints(sys(), 0, rows)
				ch <- out{res, err}
			}()
		}
		total := 0
		for range 2 {
			o := <-ch
			if o.err != nil {
				t.Fatal(o.err)
			}
			if o.res.Imported+o.res.Skipped != 120 {
				t.Errorf("result %+v", o.res)
			}
			total += o.res.Imported
		}
		if total != 120 || count(t, db, "SELECT COUNT(*) FROM complaints") != 120 {
			t.Errorf("imported %d in all", total)
		}
		if n := count(t, db, "SELECT SUM(complaints) FROM identifiers"); n != count(t, db, "SELECT COUNT(*) FROM complaint_identifiers") {
			t.Errorf("identifier counts %d do not match the links", n)
		}
	})
}

// Batches written through an ImportWriter share transactions: a batch is
// reported only once its transaction committed, a row repeated in a later
// batch of the same transaction is skipped, references stay gap-free and
// each batch keeps its audit event.
func TestImportWriter(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		ctx := sys()
		w := db.NewImportWriter(ctx, 1000)
		var results []sqlstore.ImportResult
		done := func(r sqlstore.ImportResult) { results = append(results, r) }
		var rows []sqlstore.ImportRow
		for i := range 90 {
			rows = append(rows, importRow(i, now))
		}
		for b := range 3 {
			batch := rows[b*30 : b*30+30]
			if b == 2 {
				batch = append(batch, rows[0]) // written by the first batch
			}
			if err := w.Write(db.PrepareImport(0, batch), done); err != nil {
				t.Fatal(err)
			}
		}
		if db.Engine() == sqlstore.SQLite && len(results) != 0 {
			t.Errorf("%d batches reported before the commit", len(results))
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if len(results) != 3 || results[2].Imported != 30 || results[2].Skipped != 1 {
			t.Fatalf("results %+v", results)
		}
		year := now.In(greyline.Karachi).Year()
		if results[0].First != greyline.ComplaintReference(year, 1) || results[2].Last != greyline.ComplaintReference(year, 90) {
			t.Errorf("references %s to %s", results[0].First, results[2].Last)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaints"); n != 90 {
			t.Errorf("%d complaints, want 90", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_events WHERE action = 'complaint.import'"); n != 3 {
			t.Errorf("%d import audit events, want 3", n)
		}
		if n := count(t, db, "SELECT SUM(complaints) FROM identifiers"); n != count(t, db, "SELECT COUNT(*) FROM complaint_identifiers") {
			t.Errorf("identifier counts %d do not match the links", n)
		}
		// Searching by the complainant's CNIC finds the imported rows through the shorter keyed hash.
		if ids, err := db.ComplaintsByComplainant(ctx, "35202-0000005-1"); err != nil || len(ids) != 1 {
			t.Errorf("search by CNIC: %v %v", ids, err)
		}
	})
}

// The writer links identifiers it has already written by the id it
// remembers and adds to their counts once per transaction; complaints
// filed meanwhile through CreateComplaint, naming the same identifiers and
// ones the import meets only later, leave every count equal to its links
// and every link on the right identifier.
func TestImportWriterIdentifierCache(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		ctx := sys()
		stop := make(chan struct{})
		filed := make(chan int)
		go func() { // a server filing complaints all along
			n := 0
			defer func() { filed <- n }()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c := sampleComplaint(now)
				c.Identifiers = []string{fmt.Sprintf("0345-%07d", 2000000+i%5), fmt.Sprintf("0333-%07d", 3000000+i%4)}
				if _, _, _, err := db.CreateComplaint(ctx, c, ""); err != nil {
					t.Error(err)
					return
				}
				n++
			}
		}()
		imported := 0
		done := func(r sqlstore.ImportResult) { imported += r.Imported }
		batch := func(b int) []sqlstore.ImportRow {
			var rows []sqlstore.ImportRow
			for i := b * 30; i < b*30+30; i++ {
				r := importRow(i, now)
				if b >= 4 { // numbers the server filed first
					r.Identifiers = append(r.Identifiers, fmt.Sprintf("0333-%07d", 3000000+i%4))
				}
				rows = append(rows, r)
			}
			return rows
		}
		// A transaction every two batches, then one a batch (a batch as
		// large as the transaction is written on its own).
		for _, run := range []struct{ txRows, from, to int }{{60, 0, 8}, {1, 8, 11}} {
			w := db.NewImportWriter(ctx, run.txRows)
			for b := run.from; b < run.to; b++ {
				if err := w.Write(db.PrepareImport(0, batch(b)), done); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Millisecond) // let the server in between transactions
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		close(stop)
		n := <-filed
		if imported != 330 || n == 0 {
			t.Fatalf("imported %d, filed %d meanwhile", imported, n)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM complaints"); got != 330+n {
			t.Errorf("%d complaints, want %d", got, 330+n)
		}
		if bad := count(t, db, "SELECT COUNT(*) FROM identifiers i WHERE complaints <> (SELECT COUNT(*) FROM complaint_identifiers ci WHERE ci.identifier_id = i.id)"); bad != 0 {
			t.Errorf("%d identifiers' counts differ from their links", bad)
		}
		q := "SELECT COUNT(*) FROM complaint_identifiers ci JOIN identifiers i ON i.id = ci.identifier_id WHERE ci.raw LIKE '03__-_______' AND i.type = 'phone' AND i.match_key %s 'phone:+92' || replace(substr(ci.raw, 2), '-', '')"
		if bad, good := count(t, db, fmt.Sprintf(q, "<>")), count(t, db, fmt.Sprintf(q, "=")); bad != 0 || good < 330*2+210 {
			t.Errorf("%d links on the wrong identifier, %d on the right one", bad, good)
		}
		if n := count(t, db, "SELECT complaints FROM identifiers WHERE match_key = 'phone:+923333000001'"); n < 53 { // imported rows 121, 125, … 329, and the server's
			t.Errorf("0333-3000001 in %d complaints", n)
		}
	})
}

// indexSQL returns the definitions of the database's indexes by name, as
// sqlite_master holds them.
func indexSQL(t *testing.T, db *sqlstore.DB) map[string]string {
	t.Helper()
	_, r := db.Pools()
	rows, err := r.Query("SELECT name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, table, def string
		if err := rows.Scan(&name, &table, &def); err != nil {
			t.Fatal(err)
		}
		out[name] = table + ": " + def
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The indexes a large import drops (sqlstore's importIndexes).
var deferredIndexes = []string{"complaints_cnic", "complaints_phone", "complaint_identifiers_identifier"}

// A large import on SQLite drops the non-unique indexes it would write at
// random keys, answers queries correctly without them, and builds them
// again on Close exactly as the migrations define them; a small one, or
// one smaller than what is stored, keeps them.
func TestImportWriterDeferIndexes(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC()
		ctx := sys()
		w := db.NewImportWriter(ctx, 30) // each batch of 30 commits at once
		if ok, err := w.DeferIndexes(100); ok || err != nil {
			t.Errorf("DeferIndexes(100) = %v, %v: a small import keeps the indexes", ok, err)
		}
		ok, err := w.DeferIndexes(60000)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (db.Engine() == sqlstore.SQLite) {
			t.Fatalf("DeferIndexes(60000) = %v on %s", ok, db.Engine())
		}
		if db.Engine() != sqlstore.SQLite {
			return
		}
		before := indexSQL(t, sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{}))
		for _, name := range deferredIndexes {
			if before[name] == "" {
				t.Fatalf("a fresh database lacks index %s", name)
			}
		}
		dropped := indexSQL(t, db)
		for _, name := range deferredIndexes {
			if _, ok := dropped[name]; ok {
				t.Errorf("index %s still there during the import", name)
			}
		}
		for _, name := range []string{"sqlite_autoindex_complaints_1", "complaints_external_ref", "complaints_idempotency", "sqlite_autoindex_identifiers_1"} {
			if dropped[name] != before[name] {
				t.Errorf("unique index %s: %q during the import, want %q", name, dropped[name], before[name])
			}
		}
		var rows []sqlstore.ImportRow
		for i := range 90 {
			rows = append(rows, importRow(i, now))
		}
		done := func(sqlstore.ImportResult) {}
		for b := range 3 {
			if err := w.Write(db.PrepareImport(0, rows[b*30:b*30+30]), done); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Write(db.PrepareImport(0, rows[:10]), done); err != nil { // already imported: the unique index holds
			t.Fatal(err)
		}
		// Queries are right without the indexes, only slower.
		if ids, err := db.ComplaintsByComplainant(ctx, "35202-0000005-1"); err != nil || len(ids) != 1 {
			t.Errorf("search by CNIC without its index: %v %v", ids, err)
		}
		// The counts of identifiers met again are kept until Close, with
		// the marker that lets Open recount them should the import die.
		if n := count(t, db, "SELECT COUNT(*) FROM counters WHERE name = '"+sqlstore.ImportRecount+"'"); n != 1 {
			t.Errorf("%d recount markers during the import, want 1", n)
		}
		if n := count(t, db, wrongCounts); n == 0 {
			t.Errorf("every identifier's count is written during the import: the test no longer covers kept counts")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, wrongCounts); n != 0 {
			t.Errorf("%d identifiers with a wrong count or last_seen after Close", n)
		}
		checkImportedLinks(t, db)
		if n := count(t, db, "SELECT COUNT(*) FROM counters WHERE name = '"+sqlstore.ImportRecount+"'"); n != 0 {
			t.Errorf("the recount marker is left after Close")
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaints"); n != 90 {
			t.Errorf("%d complaints, want 90", n)
		}
		if diff := cmp.Diff(before, indexSQL(t, db)); diff != "" {
			t.Errorf("indexes after the import differ from a fresh database's (-fresh +after):\n%s", diff)
		}
		if ids, err := db.ComplaintsByComplainant(ctx, "35202-0000005-1"); err != nil || len(ids) != 1 {
			t.Errorf("search by CNIC: %v %v", ids, err)
		}

		// More stored than coming: the indexes stay.
		w = db.NewImportWriter(ctx, 1000)
		if err := w.Write(db.PrepareImport(0, rows), done); err != nil {
			t.Fatal(err)
		}
		if ok, err := w.DeferIndexes(89); ok || err != nil {
			t.Errorf("DeferIndexes below what is stored = %v, %v", ok, err)
		}
		w.Close()
	})
}

// An import that dies with its indexes dropped leaves them to the next
// Open, which builds them exactly as the migrations define them.
func TestImportIndexesRestoredOnOpen(t *testing.T) {
	dsn := sqlstoretest.DSN(t, sqlstore.SQLite)
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: dsn})
	before := indexSQL(t, db)
	ctx := sys()
	w := db.NewImportWriter(ctx, 1) // every batch commits at once
	if ok, err := w.DeferIndexes(1 << 20); !ok || err != nil {
		t.Fatalf("DeferIndexes = %v, %v", ok, err)
	}
	now := time.Now().UTC()
	// Rows 6 and 7 name the identifiers of rows 1 and 2: the import keeps
	// their counts for its end.
	for _, batch := range [][]int{{1, 2}, {6, 7}} {
		if err := w.Write(db.PrepareImport(0, []sqlstore.ImportRow{importRow(batch[0], now), importRow(batch[1], now)}), func(sqlstore.ImportResult) {}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, wrongCounts); n == 0 {
		t.Fatalf("no identifier's count is kept for the end of the import: the test covers nothing")
	}
	during := indexSQL(t, db)
	for _, name := range deferredIndexes {
		if _, ok := during[name]; ok {
			t.Fatalf("index %s was not dropped", name)
		}
	}
	// Opened while the import runs, the database is left to it.
	beside := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: dsn})
	if diff := cmp.Diff(during, indexSQL(t, beside)); diff != "" {
		t.Errorf("indexes changed by an Open beside a running import (-during +after):\n%s", diff)
	}
	if n := count(t, beside, "SELECT COUNT(*) FROM counters WHERE name = '"+sqlstore.ImportRecount+"'"); n != 1 {
		t.Errorf("an Open beside a running import took its recount marker")
	}
	// The process dies here: no Close.
	w.Abandon()
	again := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: dsn})
	if diff := cmp.Diff(before, indexSQL(t, again)); diff != "" {
		t.Errorf("indexes after reopening (-before +after):\n%s", diff)
	}
	if ids, err := again.ComplaintsByComplainant(ctx, "35202-0000002-1"); err != nil || len(ids) != 1 {
		t.Errorf("search by CNIC: %v %v", ids, err)
	}
	if n := count(t, again, wrongCounts); n != 0 {
		t.Errorf("%d identifiers with a wrong count or last_seen after reopening", n)
	}
	if n := count(t, again, "SELECT COUNT(*) FROM counters WHERE name = '"+sqlstore.ImportRecount+"'"); n != 0 {
		t.Errorf("the recount marker is left after reopening")
	}
}

// A server or command that opens the database while a large import runs
// neither builds the import's indexes nor recounts its identifiers: the
// import does both at its end, and a recount under it would have its kept
// counts added twice. A second large import meanwhile keeps its indexes.
func TestOpenBesideImport(t *testing.T) {
	dsn := sqlstoretest.DSN(t, sqlstore.SQLite)
	db := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: dsn})
	ctx := sys()
	now := time.Now().UTC()
	w := db.NewImportWriter(ctx, 1)
	if ok, err := w.DeferIndexes(1 << 20); !ok || err != nil {
		t.Fatalf("DeferIndexes = %v, %v", ok, err)
	}
	done := func(sqlstore.ImportResult) {}
	for _, batch := range [][]int{{1, 2}, {6, 7}, {11, 12}} {
		if err := w.Write(db.PrepareImport(0, []sqlstore.ImportRow{importRow(batch[0], now), importRow(batch[1], now)}), done); err != nil {
			t.Fatal(err)
		}
	}
	other := sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: dsn})
	second := other.NewImportWriter(ctx, 1)
	if ok, err := second.DeferIndexes(1 << 20); ok || err != nil {
		t.Errorf("a second large import beside the first: DeferIndexes = %v, %v", ok, err)
	}
	if err := second.Write(other.PrepareImport(0, []sqlstore.ImportRow{importRow(16, now), importRow(17, now)}), done); err != nil {
		t.Fatal(err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(db.PrepareImport(0, []sqlstore.ImportRow{importRow(21, now), importRow(22, now)}), done); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, wrongCounts); n != 0 {
		t.Errorf("%d identifiers with a wrong count or last_seen after the import", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM complaints"); n != 10 {
		t.Errorf("%d complaints, want 10", n)
	}
	checkImportedLinks(t, db)
	// The import is over: an Open may repair again, and finds nothing to.
	if n := count(t, sqlstoretest.Open(t, sqlstore.SQLite, sqlstoretest.Options{DSN: dsn}), wrongCounts); n != 0 {
		t.Errorf("%d identifiers with a wrong count after reopening", n)
	}
}

// checkImportedLinks checks that every complaint imported from importRow
// rows is linked to exactly the identifiers its own row names: the
// writer's ids for complaints and identifiers went to the right rows.
func checkImportedLinks(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	_, r := db.Pools()
	rows, err := r.Query(`SELECT c.external_ref, i.match_key FROM complaints c JOIN complaint_identifiers ci ON ci.complaint_id = c.id
		JOIN identifiers i ON i.id = ci.identifier_id WHERE c.external_ref LIKE 'ROW-%' ORDER BY c.external_ref, i.match_key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][]string{}
	for rows.Next() {
		var ref, key string
		if err := rows.Scan(&ref, &key); err != nil {
			t.Fatal(err)
		}
		got[ref] = append(got[ref], key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no imported complaint has links")
	}
	for ref, keys := range got {
		var i int
		if _, err := fmt.Sscanf(ref, "ROW-%05d", &i); err != nil {
			t.Fatalf("external reference %q: %v", ref, err)
		}
		want := []string{fmt.Sprintf("phone:+92301%07d", 1000000+i%7), fmt.Sprintf("phone:+92345%07d", 2000000+i%5)}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("complaint %s is linked to other identifiers than its row's (-want +got):\n%s", ref, diff)
		}
	}
}

// wrongCounts counts the identifiers whose complaints are not their links
// not removed, or whose last_seen is before a linked complaint's creation.
const wrongCounts = `SELECT COUNT(*) FROM identifiers i WHERE i.complaints <> (SELECT COUNT(*) FROM complaint_identifiers ci WHERE ci.identifier_id = i.id AND ci.status <> 'removed')
	OR i.last_seen < (SELECT MAX(c.created_at) FROM complaint_identifiers ci JOIN complaints c ON c.id = ci.complaint_id WHERE ci.identifier_id = i.id)`

// Times a bulk import formats itself are stored exactly as the driver
// stores a time.Time, so that they compare and sort with every other.
func TestTimeArg(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		w, _ := db.Pools()
		conn, err := w.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		typ := "TIMESTAMP"
		if db.Engine() == sqlstore.Postgres {
			typ = "TIMESTAMPTZ"
		}
		if _, err := conn.ExecContext(context.Background(), "CREATE TEMPORARY TABLE time_args (a "+typ+", b "+typ+")"); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{
			time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC),
			time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
			time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC),
			time.Date(2026, 6, 30, 23, 59, 59, 1000, greyline.Karachi),
		} {
			if _, err := conn.ExecContext(context.Background(), db.Rebind("INSERT INTO time_args (a, b) VALUES (?, ?)"), at, db.TimeArg(at)); err != nil {
				t.Fatal(err)
			}
		}
		var differ int
		if err := conn.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM time_args WHERE a <> b OR a IS NULL OR b IS NULL").Scan(&differ); err != nil {
			t.Fatal(err)
		}
		if differ != 0 {
			t.Errorf("%d of 4 times stored differently from the driver's", differ)
		}
	})
}
