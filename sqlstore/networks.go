package sqlstore

// What the fraud-network engine is built from, analysts' decisions about
// networks, and identifiers' risk tiers with the partners' feed of changes.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/network"
)

// interner keeps one copy of the strings that repeat across a million rows
// (cities, categories, identifier types).
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// bytes is get for a value still in the driver's memory: copied once.
func (in interner) bytes(b []byte) string {
	if v, ok := in[string(b)]; ok {
		return v
	}
	s := string(b)
	in[s] = s
	return s
}

// ComplaintNetworkData reads some complaints with their links and the
// identifiers they name, for updating the engine after they changed
// (a full rebuild reads with ReadNetwork).
func (db *DB) ComplaintNetworkData(ctx context.Context, complaintIDs []int64) (*greyline.NetworkData, error) {
	out := &greyline.NetworkData{}
	if len(complaintIDs) == 0 {
		return out, nil
	}
	err := db.read(ctx, func(t *tx) error {
		in := interner{}
		list := inList(len(complaintIDs))
		args := make([]any, len(complaintIDs))
		for i, id := range complaintIDs {
			args[i] = id
		}
		cond := " WHERE id IN " + list
		linkCond := " AND complaint_id IN " + list
		identCond := " WHERE id IN (SELECT identifier_id FROM complaint_identifiers WHERE status <> 'removed' AND complaint_id IN " + list + ")"
		rows, err := t.query("SELECT id, cnic_hash, phone_hash, loss_paisa, city, category, received_at FROM complaints"+cond+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c greyline.NetworkComplaint
			var cnic, phone string
			if err := rows.Scan(&c.ID, &cnic, &phone, &c.LossPaisa, &c.City, &c.Category, &c.ReceivedAt); err != nil {
				rows.Close()
				return err
			}
			switch {
			case cnic != "":
				c.Victim = "c" + cnic
			case phone != "":
				c.Victim = "p" + phone
			}
			c.City, c.Category, c.ReceivedAt = in.get(c.City), in.get(c.Category), c.ReceivedAt.UTC()
			out.Complaints = append(out.Complaints, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = t.query("SELECT complaint_id, identifier_id FROM complaint_identifiers WHERE status <> 'removed'"+linkCond+" ORDER BY complaint_id, identifier_id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var l greyline.NetworkLink
			if err := rows.Scan(&l.Complaint, &l.Identifier); err != nil {
				rows.Close()
				return err
			}
			out.Links = append(out.Links, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rows, err = t.query("SELECT id, type, match_key, value, finding, removal, tier FROM identifiers"+identCond+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var i greyline.NetworkIdentifier
			if err := rows.Scan(&i.ID, &i.Type, &i.Key, &i.Value, &i.Finding, &i.Removal, &i.Tier); err != nil {
				rows.Close()
				return err
			}
			i.Type, i.Tier = in.get(i.Type), in.get(i.Tier)
			out.Identifiers = append(out.Identifiers, i)
		}
		rows.Close()
		return rows.Err()
	})
	return out, err
}

// ReadNetwork reads everything a full rebuild needs, straight into the
// engine's input types: no intermediate rows, one string per identifier
// for its key and value together where they share it, the repeating
// strings interned. It runs at start-up on a million complaints: on
// SQLite each table is read outside database/sql (see scan.go).
//
// listed is asked about each identifier (the warninglist), from several
// goroutines at once; saved is told each identifier's stored tier and
// reasons when the tier is not none, so that the caller can save only what
// changed, from one goroutine at a time, in bytes valid only during the
// call (a million strings made to be hashed once were a fifth of the
// read's garbage).
//
// Complaints, links and the two halves of the identifiers are read at the
// same time on separate connections, each in its own snapshot: they need
// not be consistent with each other. A link to a complaint or identifier that
// committed after its read began is dropped here, and a complaint may come
// with only some of its links. That is safe because a server starts
// following the change log from a sequence number read before the rebuild
// (cmd/greyline serve, server.FollowFrom), so every complaint written
// meanwhile is applied again afterwards, and applying a complaint again
// brings its links in step (fraudnet.ComplaintsChanged is idempotent).
// Decisions are read first, so they name only what the reads see. Rows
// come in id order (free on SQLite, whose tables are kept in it).
func (db *DB) ReadNetwork(ctx context.Context, listed func(typ, key, value string) bool, saved func(id int64, tier, reasons []byte)) (
	cs []network.Complaint, ids []network.Identifier, links []network.Link, ds []greyline.NetworkDecision, err error) {
	var maxComplaint, maxIdent int64 // ids are dense: the largest bounds the count
	err = db.read(ctx, func(t *tx) error {
		all, err := t.networkDecisions("revoked_at IS NULL", nil)
		for _, d := range all {
			ds = append(ds, *d)
		}
		if err != nil {
			return err
		}
		return t.queryRow("SELECT (SELECT COALESCE(MAX(id), 0) FROM complaints), (SELECT COALESCE(MAX(id), 0) FROM identifiers)").Scan(&maxComplaint, &maxIdent)
	})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var removed map[network.Link]bool
	var wg sync.WaitGroup
	errs := make([]error, 5)
	run := func(i int, fn func() error) {
		wg.Go(func() { errs[i] = fn() })
	}
	// The identifiers are the longest read: each half of them goes into
	// its own part of one slice, by id (see readNetworkIdentifiers).
	ids = make([]network.Identifier, maxIdent)
	var savedMu sync.Mutex
	savedOne := func(id int64, tier, reasons []byte) {
		savedMu.Lock()
		defer savedMu.Unlock()
		saved(id, tier, reasons)
	}
	run(0, func() (err error) { cs, err = db.readNetworkComplaints(ctx, int(maxComplaint)); return err })
	// Complaints name about three identifiers each; room beyond that costs
	// address space, not memory, until it is used.
	run(1, func() (err error) { links, err = db.readNetworkLinks(ctx, 4*int(maxComplaint)); return err })
	run(2, func() (err error) { removed, err = db.readRemovedLinks(ctx); return err })
	run(3, func() error { return db.readNetworkIdentifiers(ctx, ids, 1, maxIdent/2, listed, savedOne) })
	run(4, func() error { return db.readNetworkIdentifiers(ctx, ids, maxIdent/2+1, maxIdent, listed, savedOne) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, nil, nil, err
	}
	// Ids deleted or never committed leave holes: closed up in place.
	ids = slices.DeleteFunc(ids, func(x network.Identifier) bool { return x.ID == 0 })
	links = keepLinks(links, cs, ids, removed)
	return cs, ids, links, ds, nil
}

// keepLinks drops, in place, links an analyst removed and links to what
// the other reads did not see (see ReadNetwork).
func keepLinks(links []network.Link, cs []network.Complaint, ids []network.Identifier, removed map[network.Link]bool) []network.Link {
	set := func(n int, id func(int) int64) []uint64 {
		var b []uint64
		for i := range n {
			x := id(i)
			for int(x/64) >= len(b) {
				b = append(b, make([]uint64, max(1024, len(b)))...)
			}
			b[x/64] |= 1 << (x % 64)
		}
		return b
	}
	cset := set(len(cs), func(i int) int64 { return cs[i].ID })
	iset := set(len(ids), func(i int) int64 { return ids[i].ID })
	in := func(b []uint64, x int64) bool { return x >= 0 && int(x/64) < len(b) && b[x/64]&(1<<(x%64)) != 0 }
	out := links[:0]
	for _, l := range links {
		if in(cset, l.Complaint) && in(iset, l.Identifier) && !removed[l] {
			out = append(out, l)
		}
	}
	return out
}

// readNetworkComplaints reads every complaint; size is about how many.
// The columns are those of the covering index complaints_network
// (migration 0012), so that SQLite reads that index in id order rather
// than the table with its narratives and sealed complainants.
func (db *DB) readNetworkComplaints(ctx context.Context, size int) ([]network.Complaint, error) {
	out := make([]network.Complaint, 0, size)
	in := interner{}
	var victim []byte
	err := db.scan(ctx, networkComplaintsQuery, func(r scanRow) error {
		c := network.Complaint{ID: r.Int64(0), LossPaisa: r.Int64(1), Category: in.bytes(r.Text(2)), City: in.bytes(r.Text(3))}
		at, ok := parseStoredTime(r.Text(4))
		if !ok {
			return fmt.Errorf("complaint %d: cannot read the time received %q", c.ID, r.Text(4))
		}
		c.ReceivedAt = at
		// The victim, as victimKey (retention.go) has it.
		if cnic := r.Text(5); len(cnic) > 0 {
			victim = append(append(victim[:0], 'c'), cnic...)
			c.Victim = string(victim)
		} else if phone := r.Text(6); len(phone) > 0 {
			victim = append(append(victim[:0], 'p'), phone...)
			c.Victim = string(victim)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// readNetworkLinks reads every link, removed ones included (the covering
// primary-key index has no status), in complaint order; size is about how
// many. PostgreSQL's driver sends one row per complaint, its identifiers
// aggregated: a third of the rows.
func (db *DB) readNetworkLinks(ctx context.Context, size int) ([]network.Link, error) {
	out := make([]network.Link, 0, size)
	if db.engine == SQLite {
		err := db.scan(ctx, "SELECT complaint_id, identifier_id FROM complaint_identifiers ORDER BY complaint_id", func(r scanRow) error {
			out = append(out, network.Link{Complaint: r.Int64(0), Identifier: r.Int64(1)})
			return nil
		})
		return out, err
	}
	err := db.scan(ctx, "SELECT complaint_id, string_agg(CAST(identifier_id AS TEXT), ',') FROM complaint_identifiers GROUP BY complaint_id ORDER BY complaint_id", func(r scanRow) error {
		c, list := r.Int64(0), r.Text(1)
		n := int64(0)
		for i, b := range list {
			if b >= '0' && b <= '9' {
				n = n*10 + int64(b-'0')
			}
			if b == ',' || i == len(list)-1 {
				out = append(out, network.Link{Complaint: c, Identifier: n})
				n = 0
			}
		}
		return nil
	})
	return out, err
}

// Whole-table reads of ReadNetwork that must use an index, named for the
// test of query plans.
const (
	networkComplaintsQuery = "SELECT id, loss_paisa, category, city, received_at, cnic_hash, phone_hash FROM complaints ORDER BY id"
	removedLinksQuery      = "SELECT complaint_id, identifier_id FROM complaint_identifiers WHERE status = 'removed'"
)

// readRemovedLinks lists the links analysts removed, from their partial
// index (migration 0016).
func (db *DB) readRemovedLinks(ctx context.Context) (map[network.Link]bool, error) {
	out := map[network.Link]bool{}
	err := db.scan(ctx, removedLinksQuery, func(r scanRow) error {
		out[network.Link{Complaint: r.Int64(0), Identifier: r.Int64(1)}] = true
		return nil
	})
	return out, err
}

// readNetworkIdentifiers reads the identifiers from id lo to hi into
// out[id-1], which must hold hi. A match key is its type, a colon and,
// mostly, its value: then the value shares the key's string rather than
// having one of its own.
func (db *DB) readNetworkIdentifiers(ctx context.Context, out []network.Identifier, lo, hi int64, listed func(typ, key, value string) bool, saved func(id int64, tier, reasons []byte)) error {
	in := interner{}
	q := fmt.Sprintf("SELECT id, type, match_key, value, finding, removal, tier, tier_reasons FROM identifiers WHERE id BETWEEN %d AND %d ORDER BY id", lo, hi)
	return db.scan(ctx, q, func(r scanRow) error {
		x := network.Identifier{ID: r.Int64(0), Type: in.bytes(r.Text(1)), Key: string(r.Text(2))}
		if v := r.Text(3); len(x.Key) == len(x.Type)+1+len(v) && x.Key[len(x.Type)] == ':' && x.Key[:len(x.Type)] == x.Type && x.Key[len(x.Type)+1:] == string(v) {
			x.Value = x.Key[len(x.Type)+1:]
		} else {
			x.Value = string(v)
		}
		x.Finding, x.Removal = string(r.Text(4)), string(r.Text(5))
		if tier := r.Text(6); string(tier) != "none" {
			saved(x.ID, tier, r.Text(7))
		}
		x.Listed = listed(x.Type, x.Key, x.Value)
		out[x.ID-1] = x
		return nil
	})
}

// parseStoredTime parses a time as SQLite stores it (sqliteTimeLayout,
// 2006-01-02 15:04:05.999999999-07:00) or as PostgreSQL's comes through
// database/sql as text (RFC 3339), in UTC.
func parseStoredTime(b []byte) (time.Time, bool) {
	if t, ok := parseSQLiteTime(b); ok {
		return t, true
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", time.RFC3339Nano} {
		if t, err := time.Parse(layout, string(b)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseSQLiteTime parses 2006-01-02 15:04:05[.fraction](Z|±hh:mm); false
// for anything else.
func parseSQLiteTime(s []byte) (time.Time, bool) {
	num := func(s []byte) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	y, ok1 := num(s[:4])
	mo, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	h, ok4 := num(s[11:13])
	mi, ok5 := num(s[14:16])
	sec, ok6 := num(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest, nsec := s[19:], 0
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 || i > 10 {
			return time.Time{}, false
		}
		f, _ := num(rest[1:i])
		for range 10 - i {
			f *= 10
		}
		rest, nsec = rest[i:], f
	}
	off := 0
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(rest[1:3])
		om, ok2 := num(rest[4:6])
		if !ok1 || !ok2 {
			return time.Time{}, false
		}
		off = (oh*60 + om) * 60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	if t.Day() != d { // 31 February and the like
		return time.Time{}, false
	}
	return t.Add(-time.Duration(off) * time.Second), true
}

const networkDecisionColumns = "id, kind, identifier_id, complaint_id, complaints, note, created_by, created_at, revoked_by, revoked_at"

func (t *tx) networkDecisions(cond string, args []any) ([]*greyline.NetworkDecision, error) {
	rows, err := t.query("SELECT "+networkDecisionColumns+" FROM network_decisions WHERE "+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.NetworkDecision
	for rows.Next() {
		var d greyline.NetworkDecision
		var list string
		var revoked sql.NullTime
		if err := rows.Scan(&d.ID, &d.Kind, &d.Identifier, &d.Complaint, &list, &d.Note, &d.CreatedBy, &d.CreatedAt, &d.RevokedBy, &revoked); err != nil {
			return nil, err
		}
		d.CreatedAt = d.CreatedAt.UTC()
		if revoked.Valid {
			at := revoked.Time.UTC()
			d.RevokedAt = &at
		}
		for _, f := range strings.Split(list, ",") {
			if n, err := strconv.ParseInt(f, 10, 64); err == nil {
				d.Complaints = append(d.Complaints, n)
			}
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}

// RecordNetworkDecision stores an analyst's decision after checking that
// what it names exists; the decision and its audit row are one write.
func (db *DB) RecordNetworkDecision(ctx context.Context, d *greyline.NetworkDecision) error {
	if err := d.Validate(); err != nil {
		return err
	}
	slices.Sort(d.Complaints)
	return db.write(ctx, func(t *tx) error {
		var n int
		if d.Identifier != 0 {
			if err := t.queryRow("SELECT COUNT(*) FROM identifiers WHERE id = ?", d.Identifier).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return greyline.Invalid("identifier_id", "is not a known identifier")
			}
		}
		if d.Complaint != 0 {
			if err := t.queryRow("SELECT COUNT(*) FROM complaint_identifiers WHERE complaint_id = ? AND identifier_id = ?", d.Complaint, d.Identifier).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return greyline.Invalid("complaint_id", "does not name that identifier")
			}
		}
		if len(d.Complaints) > 0 {
			args := make([]any, len(d.Complaints))
			for i, c := range d.Complaints {
				args[i] = c
			}
			if err := t.queryRow("SELECT COUNT(*) FROM complaints WHERE id IN "+inList(len(args)), args...).Scan(&n); err != nil {
				return err
			}
			if n != len(d.Complaints) {
				return greyline.Invalid("complaints", "names a complaint that does not exist")
			}
		}
		ids := make([]string, len(d.Complaints))
		for i, c := range d.Complaints {
			ids[i] = strconv.FormatInt(c, 10)
		}
		d.CreatedBy, d.CreatedAt, d.RevokedBy, d.RevokedAt = greyline.ActorFrom(ctx).UserID, db.now(), 0, nil
		if err := t.queryRow(`INSERT INTO network_decisions (kind, identifier_id, complaint_id, complaints, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.Kind, d.Identifier, d.Complaint, strings.Join(ids, ","), d.Note, d.CreatedBy, d.CreatedAt).Scan(&d.ID); err != nil {
			return err
		}
		t.logChange(greyline.ChangeDecision, d.ID)
		return t.audit(greyline.AuditEvent{Action: "network." + string(d.Kind), RecordType: "network_decision", RecordID: idString(d.ID),
			Detail: decisionDetail(d)})
	})
}

func decisionDetail(d *greyline.NetworkDecision) string {
	parts := []string{}
	if d.Identifier != 0 {
		parts = append(parts, fmt.Sprintf("identifier_id=%d", d.Identifier))
	}
	if d.Complaint != 0 {
		parts = append(parts, fmt.Sprintf("complaint_id=%d", d.Complaint))
	}
	if len(d.Complaints) > 0 {
		parts = append(parts, fmt.Sprintf("complaints=%d", len(d.Complaints)))
	}
	return strings.Join(parts, " ")
}

// RevokeNetworkDecision withdraws a decision; the engine then computes as
// if it had not been taken.
func (db *DB) RevokeNetworkDecision(ctx context.Context, id int64) (*greyline.NetworkDecision, error) {
	var out *greyline.NetworkDecision
	err := db.write(ctx, func(t *tx) error {
		ds, err := t.networkDecisions("id = ?", []any{id})
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return notFound(sql.ErrNoRows, "Decision")
		}
		if ds[0].RevokedAt != nil {
			return greyline.Errorf(greyline.ECONFLICT, "The decision was already revoked.")
		}
		now := db.now()
		by := greyline.ActorFrom(ctx).UserID
		if _, err := t.exec("UPDATE network_decisions SET revoked_by = ?, revoked_at = ? WHERE id = ? AND revoked_at IS NULL", by, now, id); err != nil {
			return err
		}
		out = ds[0]
		out.RevokedBy, out.RevokedAt = by, &now
		t.logChange(greyline.ChangeDecision, id)
		return t.audit(greyline.AuditEvent{Action: "network.revoke", RecordType: "network_decision", RecordID: idString(id), Detail: string(out.Kind) + " " + decisionDetail(out)})
	})
	return out, err
}

// ListNetworkDecisions returns decisions by id, revoked ones included;
// nil ids lists every decision.
func (db *DB) ListNetworkDecisions(ctx context.Context, ids []int64) ([]*greyline.NetworkDecision, error) {
	var out []*greyline.NetworkDecision
	err := db.read(ctx, func(t *tx) (err error) {
		if ids == nil {
			out, err = t.networkDecisions("1 = 1", nil)
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		out, err = t.networkDecisions("id IN "+inList(len(ids)), args)
		return err
	})
	return out, err
}

// SaveTiers stores the tiers that changed and appends them to the feed,
// in the order given. Both statements are prepared once per transaction:
// a first rebuild saves hundreds of thousands.
func (db *DB) SaveTiers(ctx context.Context, ups []greyline.TierUpdate) (int, error) {
	changed := 0
	if len(ups) == 0 {
		return 0, nil
	}
	err := db.write(ctx, func(t *tx) error {
		changed = 0
		now := db.now()
		update, err := t.prepare("UPDATE identifiers SET tier = ?, tier_reasons = ? WHERE id = ? AND (tier <> ? OR tier_reasons <> ?)")
		if err != nil {
			return err
		}
		defer update.Close()
		insert, err := t.prepare("INSERT INTO tier_changes (identifier_id, tier, reasons, at) VALUES (?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, u := range ups {
			reasons := strings.Join(u.Reasons, "\n")
			res, err := update.ExecContext(t.ctx, u.Tier, reasons, u.Identifier, u.Tier, reasons)
			if err != nil {
				return db.translate(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			changed++
			if _, err := insert.ExecContext(t.ctx, u.Identifier, u.Tier, reasons, now); err != nil {
				return db.translate(err)
			}
		}
		return nil
	})
	return changed, err
}

func (t *tx) prepare(q string) (*sql.Stmt, error) {
	st, err := t.tx.PrepareContext(t.ctx, t.db.rebind(q))
	return st, t.db.translate(err)
}

// TierFeed lists tier changes after the sequence number since, oldest
// first; a partner passes the last seq it saw to get the next page.
func (db *DB) TierFeed(ctx context.Context, since int64, limit int) ([]greyline.TierChange, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	var out []greyline.TierChange
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query(`SELECT c.seq, i.type, i.value, i.match_key, c.tier, c.reasons, c.at FROM tier_changes c JOIN identifiers i ON i.id = c.identifier_id
			WHERE c.seq > ? ORDER BY c.seq LIMIT ?`, since, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c greyline.TierChange
			var reasons string
			if err := rows.Scan(&c.Seq, &c.Type, &c.Value, &c.Key, &c.Tier, &reasons, &c.At); err != nil {
				return err
			}
			c.At = c.At.UTC()
			c.Reasons = []string{}
			if reasons != "" {
				c.Reasons = strings.Split(reasons, "\n")
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// SetIdentifierFinding records (or clears, with "") an enforcement finding
// on an identifier, such as a wallet seized in a raid.
func (db *DB) SetIdentifierFinding(ctx context.Context, identifierID int64, finding string) error {
	if len(finding) > 500 {
		return greyline.Invalid("finding", "must be at most 500 characters")
	}
	return db.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE identifiers SET finding = ? WHERE id = ?", finding, identifierID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(sql.ErrNoRows, "Identifier")
		}
		t.logChange(greyline.ChangeIdentifier, identifierID)
		return t.audit(greyline.AuditEvent{Action: "identifier.finding", RecordType: "identifier", RecordID: idString(identifierID), Detail: finding})
	})
}

// IdentifierData reads identifiers by id, for bringing the engine in step
// after another server changed them.
func (db *DB) IdentifierData(ctx context.Context, ids []int64) ([]greyline.NetworkIdentifier, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []greyline.NetworkIdentifier
	err := db.read(ctx, func(t *tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := t.query("SELECT id, type, match_key, value, finding, removal, tier FROM identifiers WHERE id IN "+inList(len(ids))+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i greyline.NetworkIdentifier
			if err := rows.Scan(&i.ID, &i.Type, &i.Key, &i.Value, &i.Finding, &i.Removal, &i.Tier); err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, err
}
