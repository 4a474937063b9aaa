package sqlstore

// What the fraud-network engine is built from, analysts' decisions about
// networks, and identifiers' risk tiers with the partners' feed of changes.

import (
	"context"
	"database/sql"
	"encoding/json"
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

// ComplaintNetworkData reads some complaints with their links and the
// identifiers they name, for updating the engine after they changed
// (a full rebuild reads with ReadNetwork). Complaints filed before the
// city had its own column have it decrypted here.
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
		rows, err := t.query("SELECT id, reference, cnic_hash, phone_hash, loss_paisa, city, category, received_at, CASE WHEN city = '' THEN complainant END FROM complaints"+cond+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c greyline.NetworkComplaint
			var ref, cnic, phone string
			var sealed []byte
			if err := rows.Scan(&c.ID, &ref, &cnic, &phone, &c.LossPaisa, &c.City, &c.Category, &c.ReceivedAt, &sealed); err != nil {
				rows.Close()
				return err
			}
			switch {
			case cnic != "":
				c.Victim = "c" + cnic
			case phone != "":
				c.Victim = "p" + phone
			}
			if sealed != nil {
				var who greyline.Complainant
				if plain, err := t.db.opt.Keys.Open(sealed, complainantAD(ref)); err == nil && json.Unmarshal(plain, &who) == nil {
					c.City = greyline.CityName(who.City)
				}
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
// strings interned. It runs at start-up on a million complaints, so it
// keeps the driver's per-row work small (each column fetched costs
// modernc's SQLite two or three mutex round trips): links come one row
// per complaint, aggregated in SQL from the covering primary-key index;
// columns that are usually empty or derivable come back NULL.
//
// listed is asked about each identifier (the warninglist); saved is told
// each identifier's stored tier and reasons when the tier is not none, so
// that the caller can save only what changed. Both are called from one goroutine.
//
// Complaints, links and identifiers are read at the same time on
// separate connections, each in its own snapshot: the three need not be
// consistent with each other. A link to a complaint or identifier that
// committed after its read began is dropped here, and a complaint may come
// with only some of its links. That is safe because a server starts
// following the change log from a sequence number read before the rebuild
// (cmd/greyline serve, server.FollowFrom), so every complaint written
// meanwhile is applied again afterwards, and applying a complaint again
// brings its links in step (fraudnet.ComplaintsChanged is idempotent).
// Decisions are read first, so they name only what the reads see. Rows
// come in id order (free on SQLite, whose tables are kept in it).
func (db *DB) ReadNetwork(ctx context.Context, listed func(typ, key, value string) bool, saved func(id int64, tier, reasons string)) (
	cs []network.Complaint, ids []network.Identifier, links []network.Link, ds []greyline.NetworkDecision, err error) {
	err = db.read(ctx, func(t *tx) error {
		all, err := t.networkDecisions("revoked_at IS NULL", nil)
		for _, d := range all {
			ds = append(ds, *d)
		}
		return err
	})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var removed map[network.Link]bool
	var wg sync.WaitGroup
	errs := make([]error, 4)
	run := func(i int, fn func(*tx) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.read(ctx, fn)
		}()
	}
	run(0, func(t *tx) (err error) { cs, err = t.readNetworkComplaints(); return err })
	run(1, func(t *tx) (err error) { links, err = t.readNetworkLinks(); return err })
	run(2, func(t *tx) (err error) { removed, err = t.readRemovedLinks(); return err })
	run(3, func(t *tx) (err error) { ids, err = t.readNetworkIdentifiers(listed, saved); return err })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, nil, nil, err
	}
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

func (t *tx) readNetworkComplaints() ([]network.Complaint, error) {
	var size int // ids are dense: the largest bounds the count
	if err := t.queryRow("SELECT COALESCE(MAX(id), 0) FROM complaints").Scan(&size); err != nil {
		return nil, err
	}
	// The time as SQLite stores it (parsed here: the driver's parser tries
	// several layouts), or as PostgreSQL prints it in the same layout.
	at := "CAST(received_at AS TEXT)"
	if t.db.engine == Postgres {
		at = "to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00:00'"
	}
	// Four columns, the columns of the covering index complaints_network
	// only (migration 0012), so that SQLite reads that index in id order
	// rather than the table with its narratives and sealed complainants.
	// The category is an enum, never holding '|': it goes first; the time
	// never holds '|' either: the victim follows it.
	rows, err := t.query(`SELECT id, loss_paisa, category || '|' || city,
		` + at + ` || '|' || CASE WHEN cnic_hash <> '' THEN 'c' || cnic_hash WHEN phone_hash <> '' THEN 'p' || phone_hash ELSE '' END
		FROM complaints ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]network.Complaint, 0, size)
	in := interner{}
	var when timeCol
	var tv bytesCol
	var legacy []int // complaints filed before the city had its own column
	for rows.Next() {
		var c network.Complaint
		var place string
		if err := rows.Scan(&c.ID, &c.LossPaisa, &place, &tv); err != nil {
			return nil, err
		}
		place = in.get(place)
		c.Category, c.City, _ = strings.Cut(place, "|")
		i := slices.Index(tv.b, '|')
		if i < 0 {
			return nil, fmt.Errorf("complaint %d: malformed row", c.ID)
		}
		if err := when.Scan(tv.b[:i]); err != nil {
			return nil, fmt.Errorf("complaint %d: %w", c.ID, err)
		}
		c.ReceivedAt = when.t
		if len(tv.b) > i+1 {
			c.Victim = string(tv.b[i+1:])
		}
		if c.City == "" {
			legacy = append(legacy, len(out))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Their cities are decrypted once here, read a thousand complaints a
	// query by id (the rest of the table is not read).
	for len(legacy) > 0 {
		batch := legacy[:min(len(legacy), 1000)]
		legacy = legacy[len(batch):]
		args := make([]any, len(batch))
		index := make(map[int64]int, len(batch)) // id to its place in out
		for j, k := range batch {
			args[j], index[out[k].ID] = out[k].ID, k
		}
		rows, err := t.query("SELECT id, reference, complainant FROM complaints WHERE id IN "+inList(len(args)), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var ref string
			var sealed []byte
			if err := rows.Scan(&id, &ref, &sealed); err != nil {
				rows.Close()
				return nil, err
			}
			var who greyline.Complainant
			if plain, err := t.db.opt.Keys.Open(sealed, complainantAD(ref)); err == nil && json.Unmarshal(plain, &who) == nil {
				if k, ok := index[id]; ok {
					out[k].City = in.get(greyline.CityName(who.City))
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readNetworkLinks reads every link, removed ones included (the covering
// index has no status), one row per complaint, in complaint order.
func (t *tx) readNetworkLinks() ([]network.Link, error) {
	var size int
	if err := t.queryRow("SELECT COUNT(*) FROM complaint_identifiers").Scan(&size); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT complaint_id, string_agg(CAST(identifier_id AS TEXT), ',') FROM complaint_identifiers GROUP BY complaint_id ORDER BY complaint_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]network.Link, 0, size)
	var c int64
	var list bytesCol
	for rows.Next() {
		if err := rows.Scan(&c, &list); err != nil {
			return nil, err
		}
		n := int64(0)
		for i, b := range list.b {
			if b >= '0' && b <= '9' {
				n = n*10 + int64(b-'0')
			}
			if b == ',' || i == len(list.b)-1 {
				out = append(out, network.Link{Complaint: c, Identifier: n})
				n = 0
			}
		}
	}
	return out, rows.Err()
}

// readRemovedLinks lists the links analysts removed: a table scan, as no
// index holds the status, but few rows.
func (t *tx) readRemovedLinks() (map[network.Link]bool, error) {
	rows, err := t.query("SELECT complaint_id, identifier_id FROM complaint_identifiers WHERE status = 'removed'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[network.Link]bool{}
	for rows.Next() {
		var l network.Link
		if err := rows.Scan(&l.Complaint, &l.Identifier); err != nil {
			return nil, err
		}
		out[l] = true
	}
	return out, rows.Err()
}

// readNetworkIdentifiers reads every identifier. A match key is its type,
// a colon and, mostly, its value: then the type and the value are cut
// from the key rather than read and allocated again. What else an
// identifier may have (a type or value not so derived, a finding, a
// tier) comes in one column, NULL for most, each part prefixed with its
// length in bytes and the tier last: fewer columns, less driver work.
func (t *tx) readNetworkIdentifiers(listed func(typ, key, value string) bool, saved func(id int64, tier, reasons string)) ([]network.Identifier, error) {
	var size int
	if err := t.queryRow("SELECT COALESCE(MAX(id), 0) FROM identifiers").Scan(&size); err != nil {
		return nil, err
	}
	// The type is the key up to its first colon; the value, all after it.
	pos := "instr(match_key, ':')"
	if t.db.engine == Postgres {
		pos = "strpos(match_key, ':')"
	}
	typeDerived := "substr(match_key, 1, " + pos + ") = type || ':'"
	const valueDerived = "match_key = type || ':' || value"
	part := func(x string) string { return "CAST(octet_length(" + x + ") AS TEXT) || ':' || " + x }
	// The cheapest conditions first; a derived part is the constant '0:',
	// so that each condition is evaluated once more at most.
	rows, err := t.query(`SELECT id, match_key,
		CASE WHEN tier = 'none' AND finding = '' AND removal = '' AND ` + valueDerived + ` AND ` + typeDerived + ` THEN NULL ELSE
		CASE WHEN ` + typeDerived + ` THEN '0:' ELSE ` + part("type") + ` END ||
		CASE WHEN ` + valueDerived + ` THEN '0:' ELSE ` + part("value") + ` END || ` +
		part("finding") + ` || ` + part("removal") + ` || CASE WHEN tier = 'none' THEN '' ELSE tier || '|' || tier_reasons END END
		FROM identifiers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]network.Identifier, 0, size)
	in := interner{}
	var rest anyCol
	for rows.Next() {
		var x network.Identifier
		if err := rows.Scan(&x.ID, &x.Key, &rest); err != nil {
			return nil, err
		}
		var typ, value, tier string
		if r, ok := rest.v.(string); ok {
			var err error
			typ, r, err = cutPart(r)
			if err == nil {
				value, r, err = cutPart(r)
			}
			if err == nil {
				x.Finding, r, err = cutPart(r)
			}
			if err == nil {
				x.Removal, tier, err = cutPart(r)
			}
			if err != nil {
				return nil, fmt.Errorf("identifier %d: %w", x.ID, err)
			}
			// Kept by the engine: not as parts of a longer string.
			x.Finding, x.Removal, value = strings.Clone(x.Finding), strings.Clone(x.Removal), strings.Clone(value)
		}
		if typ != "" {
			x.Type = in.get(typ)
		} else {
			x.Type = in.get(x.Key[:strings.IndexByte(x.Key, ':')])
		}
		if value != "" {
			x.Value = value
		} else {
			x.Value = x.Key[len(x.Type)+1:]
		}
		if tier != "" {
			name, reasons, _ := strings.Cut(tier, "|")
			saved(x.ID, name, reasons)
		}
		x.Listed = listed(x.Type, x.Key, x.Value)
		out = append(out, x)
	}
	return out, rows.Err()
}

// cutPart cuts "length:text" from the front of s.
func cutPart(s string) (part, rest string, err error) {
	n, s, ok := strings.Cut(s, ":")
	size, err := strconv.Atoi(n)
	if !ok || err != nil || size < 0 || size > len(s) {
		return "", "", errors.New("malformed row")
	}
	return s[:size], s[size:], nil
}

// anyCol takes a column as the driver gives it: nil for NULL.
type anyCol struct{ v any }

func (c *anyCol) Scan(v any) error { c.v = v; return nil }

// bytesCol takes a text column without copying it to a string.
type bytesCol struct{ b []byte }

func (c *bytesCol) Scan(v any) error {
	switch x := v.(type) {
	case string:
		c.b = append(c.b[:0], x...)
	case []byte:
		c.b = append(c.b[:0], x...)
	case nil:
		c.b = c.b[:0]
	default:
		return fmt.Errorf("sqlstore: text expected, got %T", v)
	}
	return nil
}

// timeCol takes a time as PostgreSQL gives it, or as SQLite stores it
// (text in the driver's layout, 2006-01-02 15:04:05.999999999-07:00),
// parsed by hand in UTC.
type timeCol struct{ t time.Time }

func (c *timeCol) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		c.t = x.UTC()
		return nil
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("sqlstore: time expected, got %T", v)
	}
	if t, ok := parseSQLiteTime(s); ok {
		c.t = t
		return nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999 -0700 MST", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			c.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqlstore: cannot parse time %q", s)
}

// parseSQLiteTime parses 2006-01-02 15:04:05[.fraction](Z|±hh:mm); false
// for anything else.
func parseSQLiteTime(s string) (time.Time, bool) {
	num := func(s string) (int, bool) {
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
	case rest == "Z":
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
