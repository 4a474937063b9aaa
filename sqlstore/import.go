package sqlstore

// Bulk import of complaints (greyline import complaints). It does the work
// of CreateComplaint for many complaints at once: the same validation, the
// same reference counter, the same sealing and keyed hashes, the same
// identifier table with its counts and the same links and 'received'
// event. What differs is how it reaches the database:
//
//   - the CPU work (validation, identifier parsing and extraction, hashes)
//     is done by PrepareImport on the other cores while WriteImport writes
//     the previous batch; sealing, which needs the reference, is done in
//     parallel inside the transaction;
//   - a batch is one transaction, written with multi-row INSERT statements
//     prepared once per table per transaction; on SQLite with settings for
//     bulk writes (see importPragmas);
//   - identifiers are upserted once per distinct key per batch, their
//     count raised by the number of complaints in the batch that name them;
//   - ONE audit event records each batch (action complaint.import, with the
//     count and the range of references), instead of one per complaint as
//     CreateComplaint writes: a million audit rows would say nothing more;
//   - rows whose (source organisation, external reference) already exists
//     are skipped, so that running the same file again imports nothing
//     twice (INSERT … ON CONFLICT DO NOTHING on both engines, after a
//     look-up that keeps reference numbers free of gaps).
//
// Shared with CreateComplaint (complaints.go): complaintIdentifiers,
// complainantAD, lookupHash, truncateRaw. Duplicated, because complaints.go
// is not to be edited here: the three lines computing the CNIC and phone
// hashes, and the counter upsert (reserveCounter takes n numbers at once
// where nextCounter takes one).

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
)

// ImportRow is one complaint of a bulk import.
type ImportRow struct {
	greyline.NewComplaint
	// ReceivedAt is when the complaint was first received, for complaints
	// collected elsewhere; zero means the time of the import.
	ReceivedAt time.Time
}

// ImportReject is a row that was refused, with the reason.
type ImportReject struct {
	Index int   // position in the batch given to PrepareImport
	Err   error // a *greyline.Error naming the fields
}

// ImportResult counts what a batch did.
type ImportResult struct {
	Imported int
	// Skipped counts rows already imported: their source organisation and
	// external reference exist, or an earlier row of the batch had them.
	Skipped  int
	Rejected []ImportReject
	// First and Last are the references given to the imported rows, in
	// order; empty when none was imported.
	First, Last string
}

// PreparedImport is a batch whose CPU work is done: validated, identifiers
// parsed and extracted, hashes computed. WriteImport stores it.
type PreparedImport struct {
	src     int64
	now     time.Time
	rows    []*importComplaint
	skipped int
	rejects []ImportReject
}

// Rejected lists the rows refused by validation; WriteImport reports them too.
func (p *PreparedImport) Rejected() []ImportReject { return p.rejects }

type importComplaint struct {
	n            greyline.NewComplaint
	received     time.Time
	plain        []byte // the complainant as JSON, sealed once the reference is known
	cnicHash     string
	phoneHash    string
	trackingHash string
	ids          []importLink
	// cols are the complaint's columns that depend on nothing the writer
	// decides, boxed for database/sql by PrepareImport on another core:
	// boxing them in the writer cost it 4% of its time.
	cols []any

	// Set by WriteImport.
	ref    string
	sealed []byte
	id     int64
}

// importLink is an identifier to link to an imported complaint.
type importLink struct {
	typ, key, value, raw, source string
	start, end                   int
}

// Statement sizes: rows per multi-row INSERT, and external references per
// look-up. Both stay well under SQLite's 32,766 and PostgreSQL's 65,535
// parameters.
const (
	importChunk  = 100
	importLookup = 500
)

// ImportComplaints validates and writes a batch of complaints from one
// source organisation (0 for none) in one transaction. Every row needs an
// external reference: it is what makes a second run skip the row. Invalid
// rows are returned in the result, not as an error; the error is for the
// batch as a whole (the database refused, or ctx ended), and then nothing
// of the batch was written.
func (db *DB) ImportComplaints(ctx context.Context, sourceOrgID int64, rows []ImportRow) (ImportResult, error) {
	return db.WriteImport(ctx, db.prepareImport(sourceOrgID, rows, runtime.GOMAXPROCS(0)))
}

// PrepareImport does the CPU work of a batch without touching the
// database, so that a caller can prepare the next batch while WriteImport
// writes this one: it runs on every core but one, which it leaves to the
// writer. It is safe for concurrent use.
func (db *DB) PrepareImport(sourceOrgID int64, rows []ImportRow) *PreparedImport {
	return db.prepareImport(sourceOrgID, rows, max(1, runtime.GOMAXPROCS(0)-1))
}

func (db *DB) prepareImport(sourceOrgID int64, rows []ImportRow, workers int) *PreparedImport {
	now := db.now()
	prepared := make([]*importComplaint, len(rows))
	errs := make([]error, len(rows))
	parallelN(workers, len(rows), func(i int) {
		prepared[i], errs[i] = db.prepareImportRow(&rows[i], now)
	})
	p := &PreparedImport{src: sourceOrgID, now: now, rows: make([]*importComplaint, 0, len(rows))}
	seen := make(map[string]bool, len(rows))
	for i, c := range prepared {
		switch {
		case errs[i] != nil:
			p.rejects = append(p.rejects, ImportReject{Index: i, Err: errs[i]})
		case seen[c.n.ExternalRef]:
			p.skipped++
		default:
			seen[c.n.ExternalRef] = true
			p.rows = append(p.rows, c)
		}
	}
	return p
}

func (db *DB) prepareImportRow(r *ImportRow, now time.Time) (*importComplaint, error) {
	c := &importComplaint{n: r.NewComplaint, received: r.ReceivedAt.UTC()}
	if c.n.Channel == "" {
		c.n.Channel = greyline.ChannelImport
	}
	if c.received.IsZero() {
		c.received = now
	}
	if c.n.ExternalRef == "" {
		return nil, greyline.Invalid("external_ref", "is required: it identifies the row when the file is imported again")
	}
	if err := c.n.Validate(c.received); err != nil {
		return nil, err
	}
	if c.received.After(now.Add(time.Hour)) {
		return nil, greyline.Invalid("received_at", "must not be in the future")
	}
	ids, err := complaintIdentifiers(&c.n)
	if err != nil {
		return nil, err
	}
	// Only what is stored is kept: a batch holds thousands of these.
	c.ids = make([]importLink, len(ids))
	for i, li := range ids {
		c.ids[i] = importLink{typ: string(li.id.Type), key: li.id.Key, value: li.id.Value, raw: truncateRaw(li.id.Raw), source: li.source, start: li.start, end: li.end}
	}
	if c.plain, err = json.Marshal(c.n.Complainant); err != nil {
		return nil, greyline.Internal(err)
	}
	c.cnicHash, c.phoneHash = db.complainantHashes(c.n.Complainant)
	// Every complaint has a tracking secret. An imported complainant was
	// never shown one, so it is random and thrown away: tracking online
	// needs a new one to be issued.
	_, c.trackingHash = auth.NewSecret("")
	n := &c.n
	c.cols = []any{n.Channel, n.ExternalRef, c.cnicHash, c.phoneHash, n.Category, n.ContactMethod, db.timeArg(n.IncidentAt.UTC()), db.timeArg(c.received),
		n.LossPaisa, n.Currency, n.PaymentMethod, n.Narrative, c.trackingHash, greyline.CityName(n.Complainant.City), n.Complainant.Province}
	return c, nil
}

// WriteImport writes a prepared batch in one transaction and reports what
// it did, including the rows PrepareImport rejected.
func (db *DB) WriteImport(ctx context.Context, p *PreparedImport) (ImportResult, error) {
	return db.writeImportBatch(ctx, p, newImportIdents())
}

// writeImportBatch is WriteImport with the run's identifier cache.
func (db *DB) writeImportBatch(ctx context.Context, p *PreparedImport, ids *importIdents) (ImportResult, error) {
	res := ImportResult{Rejected: p.rejects, Skipped: p.skipped}
	if len(p.rows) == 0 {
		return res, nil
	}
	var written ImportResult
	err := db.writeImport(ctx, func(t *tx) error {
		ids.rollback() // run again from scratch on a retry
		var err error
		if written, err = t.importBatch(p, ids); err != nil {
			return err
		}
		return ids.flush(t)
	})
	if err != nil {
		ids.rollback()
		return ImportResult{}, err
	}
	ids.commit()
	res.Imported, res.First, res.Last = written.Imported, written.First, written.Last
	res.Skipped += written.Skipped
	return res, nil
}

func (t *tx) importBatch(p *PreparedImport, ids *importIdents) (ImportResult, error) {
	var res ImportResult
	exists, err := t.existingRefs(p.src, p.rows)
	if err != nil {
		return res, err
	}
	fresh := make([]*importComplaint, 0, len(p.rows))
	for _, c := range p.rows {
		if exists[c.n.ExternalRef] {
			res.Skipped++
			continue
		}
		fresh = append(fresh, c)
	}
	if len(fresh) == 0 {
		return res, nil
	}

	// References from the same counter as CreateComplaint, taken in one go.
	year := p.now.In(greyline.Karachi).Year()
	last, err := t.reserveCounter("complaint:"+itoa(year), int64(len(fresh)))
	if err != nil {
		return res, err
	}
	first := last - int64(len(fresh)) + 1
	for i, c := range fresh {
		c.ref = greyline.ComplaintReference(year, first+int64(i))
		c.id = 0
	}
	keys := t.db.opt.Keys
	parallel(len(fresh), func(i int) {
		fresh[i].sealed = keys.Seal(fresh[i].plain, complainantAD(fresh[i].ref))
	})

	// The complaints. A row that lost a race with another import of the
	// same file (possible on PostgreSQL) is skipped by ON CONFLICT and
	// leaves a gap in the references.
	var byRef map[string]*importComplaint // for RETURNING's rows
	if t.db.engine != SQLite {
		byRef = make(map[string]*importComplaint, len(fresh))
		for _, c := range fresh {
			byRef[c.ref] = c
		}
	}
	const columns = `reference, complainant, channel, external_ref, cnic_hash, phone_hash, category, contact_method, incident_at, received_at,
		loss_paisa, currency, payment_method, narrative, tracking_hash, city, province, idempotency_key, status`
	const values = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 'received'"
	conflict := " ON CONFLICT (source_org_id, external_ref) WHERE external_ref <> '' DO NOTHING" + t.returning("id, reference")
	src, now := any(p.src), t.db.timeArg(p.now) // boxed once for the batch
	var ins *bulkStmt
	if t.db.engine == SQLite {
		// The batch's source and time are bound once a statement, as ?1
		// and ?2, not in every row; they come first in each row, so that
		// the plain ? after them are numbered from 3 on.
		ins = t.bulk("INSERT OR FAIL INTO complaints (source_org_id, created_at, updated_at, "+columns+") VALUES ", "(?1, ?2, ?2, "+values+")", conflict)
		ins.lead = []any{src, now}
	} else {
		ins = t.bulk("INSERT INTO complaints (source_org_id, created_at, updated_at, "+columns+") VALUES ", "(?, ?, ?, "+values+")", conflict)
	}
	defer ins.close()
	err = ins.each(len(fresh), func(i int, args []any) []any {
		c := fresh[i]
		if ins.lead == nil {
			args = append(args, src, now, now)
		}
		return append(append(args, c.ref, c.sealed), c.cols...)
	}, func(rows *sql.Rows) error {
		var id int64
		var ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return err
		}
		if c := byRef[ref]; c != nil {
			c.id = id
		}
		return nil
	}, func(start, end int, r insertedRange) error {
		// existingRefs looked in this transaction, under SQLite's one
		// writer, and the batch's external references are distinct: no
		// row can have been skipped.
		if !r.all(start, end) {
			return greyline.Internal(fmt.Errorf("sqlstore: import inserted %d of %d complaints", r.n, end-start))
		}
		for i := start; i < end; i++ {
			fresh[i].id = r.first + int64(i-start)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	done := fresh[:0:0]
	for _, c := range fresh {
		if c.id == 0 {
			res.Skipped++
			continue
		}
		done = append(done, c)
	}
	if len(done) == 0 {
		return res, nil
	}

	// Identifiers: those the run has met before take their id from its
	// cache and have their count raised once per transaction (see
	// importIdents); the others are upserted once per distinct key, in key
	// order so that concurrent imports on PostgreSQL lock them in the same
	// order.
	type idCount struct {
		typ, key, value string
		n               int
		id              int64
		h               identKey
	}
	counts := map[string]*idCount{}
	for _, c := range done {
		for _, li := range c.ids {
			if ic := counts[li.key]; ic != nil {
				ic.n++
			} else {
				counts[li.key] = &idCount{typ: li.typ, key: li.key, value: li.value, n: 1}
			}
		}
	}
	misses := make([]*idCount, 0, len(counts))
	for _, ic := range counts {
		ic.h = ids.hash(ic.key)
		if id, ok := ids.ids[ic.h]; ok {
			ic.id = int64(id)
			ids.count(ic.id, ic.n, p.now)
		} else {
			misses = append(misses, ic)
		}
	}
	slices.SortFunc(misses, func(a, b *idCount) int { return strings.Compare(a.key, b.key) })
	// On SQLite, new identifiers are inserted and those that exist are
	// left alone, then counted like known ones (see insertedRange).
	upsert := " ON CONFLICT (match_key) DO UPDATE SET last_seen = excluded.last_seen, complaints = identifiers.complaints + excluded.complaints RETURNING id, match_key"
	if t.db.engine == SQLite {
		upsert = " ON CONFLICT (match_key) DO NOTHING"
	}
	up := t.bulk("INSERT INTO identifiers (first_seen, last_seen, type, match_key, value, complaints) VALUES ", "(?, ?, ?, ?, ?, ?)", upsert)
	if t.db.engine == SQLite {
		up.row, up.lead = "(?1, ?1, ?, ?, ?, ?)", []any{now} // as for the complaints
	}
	defer up.close()
	err = up.each(len(misses), func(i int, args []any) []any {
		ic := misses[i]
		if up.lead == nil {
			args = append(args, now, now)
		}
		return append(args, ic.typ, ic.key, ic.value, ic.n)
	}, func(rows *sql.Rows) error {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		if ic := counts[key]; ic != nil {
			ic.id = id
			ids.remember(ic.h, id)
		}
		return nil
	}, func(start, end int, r insertedRange) error {
		if r.all(start, end) {
			for i := start; i < end; i++ {
				misses[i].id = r.first + int64(i-start)
				ids.remember(misses[i].h, misses[i].id)
			}
			return nil
		}
		keys := make([]any, 0, end-start)
		for _, ic := range misses[start:end] {
			keys = append(keys, ic.key)
		}
		return t.scanEach("SELECT id, match_key FROM identifiers WHERE match_key IN "+inList(len(keys)), keys, func(scan func(...any) error) error {
			var id int64
			var key string
			if err := scan(&id, &key); err != nil {
				return err
			}
			ic := counts[key]
			if ic == nil {
				return nil
			}
			ic.id = id
			ids.remember(ic.h, id)
			if !r.has(id) {
				ids.count(id, ic.n, p.now)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}

	// Links, as CreateComplaint writes them.
	type link struct {
		c  *importComplaint
		li *importLink
	}
	var links []link
	for _, c := range done {
		for j := range c.ids {
			links = append(links, link{c, &c.ids[j]})
		}
	}
	ln := t.bulk("INSERT INTO complaint_identifiers (complaint_id, identifier_id, source, raw, start_pos, end_pos, status) VALUES ", "(?, ?, ?, ?, ?, ?, ?)", "")
	if t.db.engine == SQLite {
		// The source and the status follow from whether the link was
		// extracted, bound as a number: six million text arguments fewer
		// at a million complaints.
		ln.head = `INSERT OR FAIL INTO complaint_identifiers (complaint_id, identifier_id, source, raw, start_pos, end_pos, status)
			SELECT column1, column2, CASE column3 WHEN 1 THEN 'extracted' ELSE 'field' END, column4, column5, column6,
			CASE column3 WHEN 1 THEN 'pending' ELSE 'confirmed' END FROM (VALUES `
		ln.row, ln.tail = "(?, ?, ?, ?, ?, ?)", ")"
	}
	defer ln.close()
	err = ln.each(len(links), func(i int, args []any) []any {
		l := links[i]
		if t.db.engine == SQLite {
			extracted := int64(0)
			if l.li.source == "extracted" {
				extracted = 1
			}
			return append(args, l.c.id, counts[l.li.key].id, extracted, l.li.raw, l.li.start, l.li.end)
		}
		status := "confirmed"
		if l.li.source == "extracted" {
			status = "pending"
		}
		return append(args, l.c.id, counts[l.li.key].id, l.li.source, l.li.raw, l.li.start, l.li.end, status)
	}, nil, nil)
	if err != nil {
		return res, err
	}

	// The 'received' event, dated when the complaint was received. On
	// SQLite, whose one writer gave this batch's complaints consecutive ids,
	// the events are copied from those rows in one statement rather than
	// bound a value at a time.
	user := greyline.ActorFrom(t.ctx).UserID
	lo, hi := done[0].id, done[0].id
	for _, c := range done {
		lo, hi = min(lo, c.id), max(hi, c.id)
	}
	if t.db.engine == SQLite && hi-lo+1 == int64(len(done)) { // distinct ids: exactly the range
		_, err := t.exec(`INSERT OR FAIL INTO complaint_events (complaint_id, at, user_id, from_status, to_status, public_message)
			SELECT id, received_at, ?, '', 'received', 'Your complaint was received.' FROM complaints WHERE id BETWEEN ? AND ? ORDER BY id`, user, lo, hi)
		if err != nil {
			return res, err
		}
		return t.finishImportBatch(p, done, res)
	}
	ev := t.bulk("INSERT "+t.orFail()+"INTO complaint_events (complaint_id, at, user_id, from_status, to_status, public_message) VALUES ",
		"(?, ?, ?, '', 'received', 'Your complaint was received.')", "")
	defer ev.close()
	err = ev.each(len(done), func(i int, args []any) []any {
		return append(args, done[i].id, done[i].received, user)
	}, nil, nil)
	if err != nil {
		return res, err
	}
	return t.finishImportBatch(p, done, res)
}

// finishImportBatch notes the batch's complaints for the commit hook and
// audits the batch.
func (t *tx) finishImportBatch(p *PreparedImport, done []*importComplaint, res ImportResult) (ImportResult, error) {
	for _, c := range done {
		t.complaintsChanged = append(t.complaintsChanged, c.id)
	}
	res.Imported, res.First, res.Last = len(done), done[0].ref, done[len(done)-1].ref
	detail := fmt.Sprintf("imported %d complaints, %s to %s; source_org_id=%d", res.Imported, res.First, res.Last, p.src)
	if res.Skipped > 0 {
		detail += fmt.Sprintf("; %d already imported", res.Skipped)
	}
	return res, t.audit(greyline.AuditEvent{Action: "complaint.import", RecordType: "complaint", RecordID: idString(done[0].id), Detail: detail})
}

// SQLite settings for the writer connection during an import batch.
//
// Kept afterwards, as they only cost memory: a 16 MiB page cache (a batch
// dirties pages all over the indexes on random keys, such as
// identifiers.match_key; with the default 2 MB SQLite spills them to the
// WAL in the middle of the transaction and reads them back; more than 16
// MiB gained nothing once a large import stopped rewriting identifiers'
// counts in every transaction, and its memory is better left to the
// batches) and statement journals, which every multi-row INSERT needs, in
// memory rather than in temporary files.
//
// Restored after each batch: checkpoints every 20,000 pages rather than
// 1,000, so that an index page changed by many batches is copied into the
// database once rather than every few batches; and no foreign-key checks,
// which are a fifth of the writer's time and cannot fail here: the batch
// links only ids that its own INSERTs handed back in the same
// transaction. Neither changes durability (synchronous stays NORMAL).
const (
	importPragmas  = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 20000; PRAGMA foreign_keys = OFF"
	restorePragmas = "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 1000"
)

// writeImport is db.write for an import batch. On SQLite it holds the
// writer connection from the settings through the commit to their
// restoration, so that no other transaction runs with them.
func (db *DB) writeImport(ctx context.Context, fn func(*tx) error) error {
	if db.engine != SQLite {
		return db.write(ctx, fn)
	}
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = db.importTx(ctx, fn)
		if !errors.Is(err, errRetry) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return greyline.Internal(fmt.Errorf("transaction kept conflicting: %w", err))
}

func (db *DB) importTx(ctx context.Context, fn func(*tx) error) (err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return db.translate(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, importPragmas); err != nil {
		return db.translate(err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), restorePragmas); rerr != nil {
			// Drop the connection: its successor opens with the usual settings.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, db.translate(rerr))
		}
	}()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return db.translate(err)
	}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
	}()
	t := &tx{tx: stx, db: db, ctx: ctx}
	if err := fn(t); err != nil {
		stx.Rollback()
		return err
	}
	if err := t.writeChangeLog(); err != nil {
		stx.Rollback()
		return err
	}
	if err := db.translate(stx.Commit()); err != nil {
		return err
	}
	db.complaintsWritten(t.complaintsChanged)
	return nil
}

// complaintsWritten calls the OnComplaintsChanged hook after a commit.
func (db *DB) complaintsWritten(ids []int64) {
	if db.opt.OnComplaintsChanged != nil && len(ids) > 0 {
		db.opt.OnComplaintsChanged(ids)
	}
}

// orFail is "OR FAIL " on SQLite. A multi-row INSERT that may ABORT (the
// default for NOT NULL and UNIQUE) makes SQLite copy every page it touches
// into a statement journal, to undo that statement alone; an import undoes
// the whole transaction on any error, so FAIL, which keeps no such journal,
// loses nothing and saves a page copy per index entry written.
func (t *tx) orFail() string {
	if t.db.engine == SQLite {
		return "OR FAIL "
	}
	return ""
}

// importIndexes are the non-unique indexes that a large import on SQLite
// drops before it writes and builds again at its end (see
// ImportWriter.DeferIndexes), with their definitions exactly as the
// migrations create them: SQLite keeps that text in sqlite_master, and a
// test checks that it is the same. Each is written at random keys by every
// imported row, so that inserting into it costs a descent and a dirty page
// per row, where CREATE INDEX sorts the keys once and writes the pages in
// order. The unique indexes stay: they are what keeps references,
// external references and identifier keys unique while the import runs.
// Queries run correctly without these, only slower.
var importIndexes = []struct{ name, table, create string }{
	{"complaints_cnic", "complaints", "CREATE INDEX complaints_cnic ON complaints(cnic_hash)"},
	{"complaints_phone", "complaints", "CREATE INDEX complaints_phone ON complaints(phone_hash)"},
	{"complaint_identifiers_identifier", "complaint_identifiers", "CREATE INDEX complaint_identifiers_identifier ON complaint_identifiers(identifier_id)"},
}

// importDeferMin is the fewest rows for which an import drops the indexes.
const importDeferMin = 50000

// importRecount names the counters row that marks a large import whose
// identifiers' counts are not all written yet (see keepCounts). Its value
// is the highest complaint id before the import: only identifiers linked
// from later complaints can be short. The import deletes it in the
// transaction that writes the counts; if it is still there when the
// database is opened, the import died, and Open counts those identifiers'
// links again.
const importRecount = "import:recount"

// restoreImportIndexes builds those of importIndexes that are missing, as
// the migrations define them, and recounts identifiers if an import left
// its marker (importRecount): after a large import, which holds the import
// lock (held), and when a database is opened, should an import have died
// before doing so; not while a live import holds the lock. Two queries
// when there is nothing to do; each index built is its own statement, so
// that other writers wait for one index at most.
func (db *DB) restoreImportIndexes(ctx context.Context, held bool) error {
	if db.engine != SQLite {
		return nil
	}
	names := make([]any, 0, 2*len(importIndexes)+1)
	for _, ix := range importIndexes {
		names = append(names, ix.name, ix.table)
	}
	names = append(names, "counters")
	rows, err := db.w.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name IN (?"+strings.Repeat(", ?", len(names)-1)+")", names...)
	if err != nil {
		return db.translate(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return db.translate(err)
		}
		have[name] = true
	}
	if err := errors.Join(rows.Close(), rows.Err()); err != nil {
		return db.translate(err)
	}
	var build []string
	for _, ix := range importIndexes {
		if !have[ix.name] && have[ix.table] { // a table not yet migrated gets it from its migration
			build = append(build, strings.Replace(ix.create, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
		}
	}
	marked := 0
	if have["counters"] {
		if err := db.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM counters WHERE name = ?", importRecount).Scan(&marked); err != nil {
			return db.translate(err)
		}
	}
	if len(build) == 0 && marked == 0 {
		return nil
	}
	if !held {
		lock, ok, err := lockImport(db.path)
		if err != nil {
			return fmt.Errorf("checking for a running import: %w", err)
		}
		if !ok {
			return nil // a large import is running: it does this at its end
		}
		defer lock.release()
	}
	if err := db.buildIndexes(ctx, build); err != nil {
		return err
	}
	if marked == 0 {
		return nil
	}
	return db.recountImported(ctx)
}

// recountImported corrects the counts of identifiers that an import which
// died before writing them left short (see importRecount): their
// complaints are their links not removed, and their last_seen the latest
// of its own and their imported complaints' creation.
func (db *DB) recountImported(ctx context.Context) error {
	return db.write(ctx, func(t *tx) error {
		var marked int
		var after int64
		if err := t.queryRow("SELECT COUNT(*), COALESCE(MAX(value), 0) FROM counters WHERE name = ?", importRecount).Scan(&marked, &after); err != nil || marked == 0 {
			return err
		}
		_, err := t.exec(`UPDATE identifiers SET
			complaints = (SELECT COUNT(*) FROM complaint_identifiers ci WHERE ci.identifier_id = identifiers.id AND ci.status <> 'removed'),
			last_seen = max(last_seen, COALESCE((SELECT MAX(c.created_at) FROM complaint_identifiers ci JOIN complaints c ON c.id = ci.complaint_id
				WHERE ci.identifier_id = identifiers.id AND ci.complaint_id > ?), last_seen))
			WHERE id IN (SELECT identifier_id FROM complaint_identifiers WHERE complaint_id > ?)`, after, after)
		if err != nil {
			return err
		}
		_, err = t.exec("DELETE FROM counters WHERE name = ?", importRecount)
		return err
	})
}

// buildIndexes runs CREATE INDEX statements for restoreImportIndexes.
func (db *DB) buildIndexes(ctx context.Context, build []string) error {
	if len(build) == 0 {
		return nil
	}
	// CREATE INDEX sorts the keys in runs of the page cache's size, which
	// it merges through temporary files: those go to disk (the OS caches
	// them), not to memory as importPragmas sets, which would hold the
	// whole index in the process a second time.
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return db.translate(err)
	}
	defer conn.Close()
	var temp int
	if err := conn.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
		return db.translate(err)
	}
	// Sorting on every core (SQLite's worker threads), too.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = FILE; PRAGMA threads = "+strconv.Itoa(runtime.GOMAXPROCS(0))); err != nil {
		return db.translate(err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA threads = 0; PRAGMA temp_store = "+strconv.Itoa(temp))
	for _, q := range build {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("building index %s: %w", strings.Fields(q)[5], db.translate(err))
		}
	}
	return nil
}

// ImportWriter writes prepared batches in order. On SQLite several batches
// share one transaction, committed once it holds TxRows rows or has been
// open for importTxTime: each transaction rewrites, in the WAL and again at
// the checkpoint, every page of the random-key indexes it touched (the
// keyed hashes, identifiers.match_key, the identifiers themselves, the
// links by identifier), and a batch of 10,000 rows touches most of them,
// so fewer, larger transactions write far less. Batches stay small, so
// that memory stays flat: a batch is let go of once written, and each
// keeps its own audit event. On PostgreSQL each batch is one transaction.
type ImportWriter struct {
	db     *DB
	ctx    context.Context
	txRows int

	// SQLite: the open transaction and the batches written in it.
	conn    *sql.Conn
	stx     *sql.Tx
	began   time.Time
	rows    int
	pending []pendingImport
	changed []int64 // complaints written in the open transaction
	err     error

	ids *importIdents // the run's identifiers

	deferred bool        // the indexes are dropped; Close builds them again
	lock     *importLock // held while deferred
}

type pendingImport struct {
	res  ImportResult
	done func(ImportResult)
}

// importTxTime bounds how long an import holds SQLite's write lock, well
// under the busy timeout other writers wait (10 s, see openSQLite).
const importTxTime = 3 * time.Second

// NewImportWriter returns a writer whose transactions hold about txRows
// rows; txRows <= 0 makes each batch its own transaction. Call Close.
func (db *DB) NewImportWriter(ctx context.Context, txRows int) *ImportWriter {
	return &ImportWriter{db: db, ctx: ctx, txRows: txRows, ids: newImportIdents()}
}

// Write writes a batch. done is called with the batch's result once the
// transaction holding it has committed, during this Write, a later one or
// Close. After an error nothing since the last commit is in the database,
// done is not called for it, and the writer refuses further batches.
func (w *ImportWriter) Write(p *PreparedImport, done func(ImportResult)) error {
	if w.err != nil {
		return w.err
	}
	if w.db.engine != SQLite || (w.stx == nil && len(p.rows) >= w.txRows) {
		ids := w.ids
		if w.db.engine != SQLite {
			// Each batch upserts its identifiers itself, in key order:
			// count updates in id order besides would let two imports
			// take row locks in different orders.
			ids = newImportIdents()
		}
		res, err := w.db.writeImportBatch(w.ctx, p, ids)
		if err != nil {
			w.err = err
			return err
		}
		done(res)
		return nil
	}
	res := ImportResult{Rejected: p.rejects, Skipped: p.skipped}
	if len(p.rows) > 0 {
		if w.stx == nil {
			if err := w.begin(); err != nil {
				w.err = err
				return err
			}
		}
		written, err := func() (res ImportResult, err error) {
			defer func() {
				if p := recover(); p != nil {
					w.rollback()
					panic(p)
				}
			}()
			t := &tx{tx: w.stx, db: w.db, ctx: w.ctx}
			res, err = t.importBatch(p, w.ids)
			w.changed = append(w.changed, t.complaintsChanged...)
			return res, err
		}()
		if err != nil {
			w.rollback()
			w.err = err
			return err
		}
		res.Imported, res.First, res.Last = written.Imported, written.First, written.Last
		res.Skipped += written.Skipped
		w.rows += len(p.rows)
	}
	w.pending = append(w.pending, pendingImport{res, done})
	if w.stx == nil || w.rows >= w.txRows || time.Since(w.began) >= importTxTime {
		return w.commit()
	}
	return nil
}

// DeferIndexes tells the writer that about rows complaints are coming,
// before the first Write. On SQLite, when they are at least importDeferMin
// and at least as many as the complaints already stored, it drops the
// non-unique indexes the import would write at random keys
// (importIndexes) and Close builds them again, which takes far less time
// than keeping them up to date row by row; it reports whether it did. A
// server beside the import meanwhile answers the same, only slower. Should
// the process die before Close, the next Open builds them; one opened
// while the import runs leaves them to it (importLock). Only one large
// import at a time defers: another keeps its indexes up to date.
func (w *ImportWriter) DeferIndexes(rows int64) (bool, error) {
	db := w.db
	if db.engine != SQLite || w.deferred || w.stx != nil || w.err != nil || rows < importDeferMin {
		return false, nil
	}
	var stored int64 // ids are never reused: the highest is about the count, at once
	if err := db.w.QueryRowContext(w.ctx, "SELECT COALESCE(MAX(id), 0) FROM complaints").Scan(&stored); err != nil {
		return false, db.translate(err)
	}
	if rows < stored {
		return false, nil
	}
	lock, ok, err := lockImport(db.path)
	if err != nil {
		return false, fmt.Errorf("taking the import lock: %w", err)
	}
	if !ok {
		return false, nil // another large import is running: this one keeps the indexes
	}
	w.lock = lock
	w.deferred = true // from here on Close restores them, whatever happens
	err = db.write(w.ctx, func(t *tx) error {
		for _, ix := range importIndexes {
			if _, err := t.exec("DROP INDEX IF EXISTS " + ix.name); err != nil {
				return err
			}
		}
		_, err := t.exec("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = min(counters.value, excluded.value)", importRecount, stored)
		return err
	})
	if err != nil {
		w.err = err
		return false, err
	}
	w.ids.keepCounts()
	return true, nil
}

// Close commits the open transaction, if any; if ctx has ended, it rolls
// it back instead. Then it builds the indexes DeferIndexes dropped, even
// after an error or once ctx has ended.
func (w *ImportWriter) Close() error {
	err := w.close()
	if w.deferred {
		w.deferred = false
		// The counts of what was committed, whether or not all of it was.
		if cerr := w.db.write(context.WithoutCancel(w.ctx), w.ids.writeRun); cerr != nil {
			err = errors.Join(err, cerr)
			if w.err == nil {
				w.err = cerr
			}
		}
		// The batches are written: give their memory back before SQLite
		// takes its own to sort the indexes' keys.
		w.ids = newImportIdents()
		debug.FreeOSMemory()
		if rerr := w.db.restoreImportIndexes(context.WithoutCancel(w.ctx), true); rerr != nil {
			err = errors.Join(err, rerr)
			if w.err == nil {
				w.err = rerr
			}
		}
		w.lock.release()
		w.lock = nil
	}
	return err
}

func (w *ImportWriter) close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.ctx.Err(); err != nil {
		w.rollback()
		w.err = err
		return err
	}
	return w.commit()
}

func (w *ImportWriter) begin() error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if err = w.tryBegin(); !errors.Is(err, errRetry) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return greyline.Internal(fmt.Errorf("transaction kept conflicting: %w", err))
}

func (w *ImportWriter) tryBegin() error {
	db := w.db
	conn, err := db.w.Conn(w.ctx)
	if err != nil {
		return db.translate(err)
	}
	if _, err := conn.ExecContext(w.ctx, importPragmas); err != nil {
		conn.Close()
		return db.translate(err)
	}
	stx, err := conn.BeginTx(w.ctx, nil)
	if err != nil {
		w.conn = conn
		w.release()
		return db.translate(err)
	}
	w.conn, w.stx, w.began, w.rows = conn, stx, time.Now(), 0
	return nil
}

func (w *ImportWriter) commit() error {
	var err error
	changed := w.changed
	w.changed = nil
	if w.stx != nil {
		// The counts of known identifiers and the change log go in the
		// transaction they describe.
		t := &tx{tx: w.stx, db: w.db, ctx: w.ctx, complaintsChanged: changed}
		err = w.ids.flush(t)
		if err == nil {
			err = t.writeChangeLog()
		}
		if err != nil {
			w.stx.Rollback()
		} else {
			err = w.db.translate(w.stx.Commit())
		}
		w.stx = nil
		err = errors.Join(err, w.release())
	}
	if err != nil {
		w.ids.rollback()
		w.err, w.pending = err, nil
		return err
	}
	w.ids.commit()
	w.db.complaintsWritten(changed)
	for _, p := range w.pending {
		p.done(p.res)
	}
	w.pending = nil
	return nil
}

func (w *ImportWriter) rollback() {
	if w.stx != nil {
		w.stx.Rollback()
		w.stx = nil
		w.release()
	}
	w.ids.rollback()
	w.pending, w.changed = nil, nil
}

// release restores the connection's settings and hands it back.
func (w *ImportWriter) release() error {
	conn := w.conn
	w.conn = nil
	defer conn.Close()
	if _, err := conn.ExecContext(context.WithoutCancel(w.ctx), restorePragmas); err != nil {
		// Drop the connection: its successor opens with the usual settings.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		return w.db.translate(err)
	}
	return nil
}

// importIdents is an import run's map from identifier match key to id.
//
// Most identifiers of an import are named by many complaints (a fraud
// network's numbers), and upserting each once per batch costs a descent of
// the match_key index, at random, for each; it was the writer's largest
// cost. With the map, an identifier the run has already met is linked by
// the id it remembers, and the complaints naming it are counted and added
// to identifiers.complaints once per transaction, in id order (flush).
// Correct beside other writers: identifiers are never deleted, so an id
// once known stays right; counts are raised by deltas inside the
// transaction, never written absolutely; and an identifier someone else
// created meanwhile is simply a miss, upserted as before.
//
// Keys are stored as 96 bits of hashes with independent random seeds (a
// false match among millions of keys is a 2^-50 chance), and ids as 32
// bits (larger ids are not remembered), so that an entry costs about 20
// bytes whatever the key's length: 16 MB for the 800,000 identifiers of a
// million generated complaints. The map is emptied when it reaches
// importIdentsMax, which bounds its memory.
type importIdents struct {
	seeds [2]maphash.Seed
	ids   map[identKey]uint32
	// Of the open transaction: entries added (forgotten on rollback), and
	// complaints to add and last_seen to set per id (written by flush).
	added  []identKey
	deltas map[int64]identDelta
	// The run's deltas, in a large import (see keepCounts): those of each
	// committed transaction, added up and written once at its end.
	run map[int64]runDelta
}

// runDelta is an identDelta kept for the whole run, in 16 bytes.
type runDelta struct {
	n    uint32
	last int64 // Unix nanoseconds
}

type identKey struct {
	a uint64
	b uint32
}

type identDelta struct {
	n    int
	last time.Time
}

// importIdentsMax bounds the cache to some 40 MB.
const importIdentsMax = 2 << 20

func newImportIdents() *importIdents {
	return &importIdents{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, ids: map[identKey]uint32{}, deltas: map[int64]identDelta{}}
}

// keepCounts makes the run keep the counts of known identifiers until its
// end (writeRun), rather than write them with each transaction. Each
// transaction's counts touch tens of thousands of identifiers all over
// their table, and rewriting those pages, in the WAL and again at the
// checkpoint, was a fifth of a large import's writer. Only for an import
// with its indexes deferred: the recount marker (importRecount) it sets
// lets Open correct the counts should the run die first.
func (c *importIdents) keepCounts() {
	if c.run == nil {
		c.run = map[int64]runDelta{}
	}
}

func (c *importIdents) hash(key string) identKey {
	return identKey{maphash.String(c.seeds[0], key), uint32(maphash.String(c.seeds[1], key))}
}

// remember records an identifier written in the open transaction.
func (c *importIdents) remember(h identKey, id int64) {
	if id <= 0 || id > math.MaxUint32 {
		return
	}
	if len(c.ids) >= importIdentsMax {
		clear(c.ids)
	}
	c.ids[h] = uint32(id)
	c.added = append(c.added, h)
}

// count notes n more complaints naming a known identifier.
func (c *importIdents) count(id int64, n int, at time.Time) {
	d := c.deltas[id]
	d.n += n
	d.last = at
	c.deltas[id] = d
}

// flush adds the transaction's counted complaints to their identifiers,
// unless the run keeps them.
func (c *importIdents) flush(t *tx) error {
	if len(c.deltas) == 0 || c.run != nil {
		return nil
	}
	order := make([]int64, 0, len(c.deltas))
	for id := range c.deltas {
		order = append(order, id)
	}
	err := addCounts(t, order, func(id int64) (int, time.Time) {
		d := c.deltas[id]
		return d.n, d.last
	})
	clear(c.deltas)
	return err
}

// writeRun adds the run's kept counts to their identifiers and clears the
// recount marker, in t.
func (c *importIdents) writeRun(t *tx) error {
	order := make([]int64, 0, len(c.run))
	for id := range c.run {
		order = append(order, id)
	}
	err := addCounts(t, order, func(id int64) (int, time.Time) {
		d := c.run[id]
		return int(d.n), time.Unix(0, d.last).UTC()
	})
	if err != nil {
		return err
	}
	_, err = t.exec("DELETE FROM counters WHERE name = ?", importRecount)
	return err
}

// addCounts adds to each identifier of ids (in any order) the complaints
// delta gives and sets its last_seen, in id order.
func addCounts(t *tx, ids []int64, delta func(id int64) (int, time.Time)) error {
	slices.Sort(ids)
	add := func(i int, args []any) []any {
		n, last := delta(ids[i])
		return append(args, ids[i], n, t.db.timeArg(last))
	}
	if t.db.engine == SQLite {
		up := t.bulk("UPDATE identifiers SET complaints = identifiers.complaints + d.column2, last_seen = d.column3 FROM (VALUES ", "(?, ?, ?)", ") AS d WHERE identifiers.id = d.column1")
		defer up.close()
		return up.each(len(ids), add, nil, nil)
	}
	for i := range ids {
		args := add(i, nil)
		if _, err := t.exec("UPDATE identifiers SET complaints = complaints + ?, last_seen = ? WHERE id = ?", args[1], args[2], args[0]); err != nil {
			return err
		}
	}
	return nil
}

// commit keeps what the transaction added, and its counts if the run
// keeps them.
func (c *importIdents) commit() {
	c.added = c.added[:0]
	if c.run != nil {
		for id, d := range c.deltas {
			r := c.run[id]
			r.n += uint32(d.n)
			r.last = d.last.UnixNano()
			c.run[id] = r
		}
	}
	clear(c.deltas)
}

// rollback forgets what the transaction added: those rows are gone.
func (c *importIdents) rollback() {
	for _, h := range c.added {
		delete(c.ids, h)
	}
	c.added = c.added[:0]
	clear(c.deltas)
}

// existingRefs returns which of the rows' external references the source
// organisation has already used.
func (t *tx) existingRefs(src int64, rows []*importComplaint) (map[string]bool, error) {
	out := map[string]bool{}
	q := t.bulk("SELECT external_ref FROM complaints WHERE source_org_id = ? AND external_ref <> '' AND external_ref IN (", "?", ")")
	q.sep, q.lead = ", ", []any{src}
	q.chunk = importLookup
	defer q.close()
	err := q.each(len(rows), func(i int, args []any) []any {
		return append(args, rows[i].n.ExternalRef)
	}, func(r *sql.Rows) error {
		var ref string
		if err := r.Scan(&ref); err != nil {
			return err
		}
		out[ref] = true
		return nil
	}, nil)
	return out, err
}

// reserveCounter takes n consecutive numbers from a named counter and
// returns the last of them (nextCounter, for n numbers at once).
func (t *tx) reserveCounter(name string, n int64) (int64, error) {
	var v int64
	err := t.queryRow("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value", name, n).Scan(&v)
	return v, err
}

// bulkStmt writes or reads many rows with one statement per chunk:
// head, then the row group repeated, then tail. The statement for a full
// chunk is prepared once and reused; a last, shorter chunk gets its own.
type bulkStmt struct {
	t               *tx
	head, row, tail string
	sep             string
	lead            []any // arguments before the rows'
	chunk           int
	full            *sql.Stmt
	args            []any
}

func (t *tx) bulk(head, row, tail string) *bulkStmt {
	return &bulkStmt{t: t, head: head, row: row, tail: tail, sep: ",\n", chunk: importChunk}
}

func (b *bulkStmt) prepare(n int) (*sql.Stmt, error) {
	var sb strings.Builder
	sb.Grow(len(b.head) + n*(len(b.row)+len(b.sep)) + len(b.tail))
	sb.WriteString(b.head)
	for i := range n {
		if i > 0 {
			sb.WriteString(b.sep)
		}
		sb.WriteString(b.row)
	}
	sb.WriteString(b.tail)
	st, err := b.t.tx.PrepareContext(b.t.ctx, b.t.db.rebind(sb.String()))
	return st, b.t.db.translate(err)
}

// insertedRange is what one INSERT statement inserted on SQLite: n rows,
// given the consecutive ids first, first+1, … in the order of its VALUES
// (SQLite's one writer allocates each new rowid as the highest plus one).
type insertedRange struct{ first, n int64 }

// all reports whether every row of the chunk start…end-1 was inserted, so
// that row i got id first+i-start.
func (r insertedRange) all(start, end int) bool { return r.n == int64(end-start) }

// has reports whether the statement inserted the row with this id.
func (r insertedRange) has(id int64) bool { return r.n > 0 && id >= r.first && id < r.first+r.n }

// returning is a RETURNING clause where the engine needs it. On SQLite an
// import reads the ids of what it inserted from the statement's result
// (insertedRange), which spares RETURNING's temporary table and a scan of
// every row through database/sql: 3 s of the writer at a million
// complaints.
func (t *tx) returning(cols string) string {
	if t.db.engine == SQLite {
		return ""
	}
	return " RETURNING " + cols
}

// each runs the statement over rows 0…n-1 in chunks; add appends row i's
// arguments. On SQLite, when inserted is set, it is called with each
// chunk's insertedRange; otherwise scan, if set, reads each row the
// statement returns.
func (b *bulkStmt) each(n int, add func(i int, args []any) []any, scan func(*sql.Rows) error, inserted func(start, end int, r insertedRange) error) error {
	for start := 0; start < n; start += b.chunk {
		end := min(start+b.chunk, n)
		var st *sql.Stmt
		var err error
		if end-start == b.chunk {
			if b.full == nil {
				if b.full, err = b.prepare(b.chunk); err != nil {
					return err
				}
			}
			st = b.full
		} else {
			if st, err = b.prepare(end - start); err != nil {
				return err
			}
			defer st.Close()
		}
		b.args = append(b.args[:0], b.lead...)
		for i := start; i < end; i++ {
			b.args = add(i, b.args)
		}
		if inserted != nil && b.t.db.engine == SQLite {
			res, err := st.ExecContext(b.t.ctx, b.args...)
			if err != nil {
				return b.t.db.translate(err)
			}
			r, err := insertedBy(res)
			if err != nil {
				return b.t.db.translate(err)
			}
			if err := inserted(start, end, r); err != nil {
				return err
			}
			continue
		}
		if scan == nil {
			if _, err := st.ExecContext(b.t.ctx, b.args...); err != nil {
				return b.t.db.translate(err)
			}
			continue
		}
		rows, err := st.QueryContext(b.t.ctx, b.args...)
		if err != nil {
			return b.t.db.translate(err)
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return b.t.db.translate(err)
			}
		}
		if err := rows.Close(); err != nil {
			return b.t.db.translate(err)
		}
		if err := rows.Err(); err != nil {
			return b.t.db.translate(err)
		}
	}
	clear(b.args) // let the rows' values be collected
	return nil
}

// insertedBy reads an insertedRange from an INSERT's result.
func insertedBy(res sql.Result) (insertedRange, error) {
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return insertedRange{}, err
	}
	last, err := res.LastInsertId()
	return insertedRange{first: last - n + 1, n: n}, err
}

func (b *bulkStmt) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// parallel calls fn(0…n-1) on every core, in blocks of rows.
func parallel(n int, fn func(i int)) { parallelN(runtime.GOMAXPROCS(0), n, fn) }

// parallelN calls fn(0…n-1) on up to workers goroutines, in blocks of rows.
func parallelN(workers, n int, fn func(i int)) {
	const block = 32
	workers = min(workers, (n+block-1)/block)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(block)) - block
				if start >= n {
					return
				}
				for i := start; i < min(start+block, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}
