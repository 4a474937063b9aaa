package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
	"github.com/greyline/greyline/identifier"
)

// complainantAD binds a sealed complainant to its complaint's reference.
func complainantAD(ref string) string { return "complainant:" + ref }

// linkedIdentifier is one identifier to link, deduplicated by key.
type linkedIdentifier struct {
	id     identifier.ID
	source string
	start  int
	end    int
}

// complainantHashes are the keyed hashes complaints are found by.
func (db *DB) complainantHashes(c greyline.Complainant) (cnic, phone string) {
	if x := identifier.Parse(identifier.CNIC, c.CNIC); x.Valid {
		cnic = lookupHash(db, "cnic", x.Value)
	}
	if x := identifier.Parse(identifier.Phone, c.Phone); x.Valid {
		phone = lookupHash(db, "phone", x.Value)
	}
	return cnic, phone
}

// complaintIdentifiers parses the identifiers given in fields and extracts
// those in the narrative. A field wins over the same key extracted;
// extracted ones wait for an analyst to confirm them.
func complaintIdentifiers(n *greyline.NewComplaint) ([]linkedIdentifier, error) {
	// Sized once, and searched rather than indexed by a map: a complaint
	// names a handful, and a bulk import builds a million of these. (The
	// worst, 100 fields and a 20,000-character narrative of nothing but
	// identifiers, is a few million comparisons: milliseconds.)
	out := make([]linkedIdentifier, 0, len(n.Identifiers)+4)
	var v greyline.Validation
	for i, raw := range n.Identifiers {
		id := identifier.Detect(raw)
		if !id.Valid {
			reason := id.Reason
			if reason == "" {
				reason = "is not an identifier greyline recognises"
			}
			v.Add("identifiers["+itoa(i)+"]", reason)
			continue
		}
		if !linked(out, id.Key) {
			out = append(out, linkedIdentifier{id: id, source: "field", start: -1, end: -1})
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for _, f := range identifier.Extract(n.Narrative) {
		if f.Valid && !linked(out, f.Key) {
			out = append(out, linkedIdentifier{id: f.ID, source: "extracted", start: f.Start, end: f.End})
		}
	}
	return out, nil
}

// linked reports whether ids holds the match key.
func linked(ids []linkedIdentifier, key string) bool {
	for i := range ids {
		if ids[i].id.Key == key {
			return true
		}
	}
	return false
}

func itoa(i int) string { return idString(int64(i)) }

// CreateComplaint records a complaint from any channel and returns it with
// the tracking secret the complainant uses to follow it (shown once). A
// partner's retry with the same idempotency key or external reference
// returns the first complaint and an empty secret.
func (db *DB) CreateComplaint(ctx context.Context, n greyline.NewComplaint, idempotencyKey string) (*greyline.Complaint, string, bool, error) {
	now := db.now()
	if err := n.Validate(now); err != nil {
		return nil, "", false, err
	}
	ids, err := complaintIdentifiers(&n)
	if err != nil {
		return nil, "", false, err
	}
	docs, fresh, err := db.storeAttachments(ctx, n.Attachments)
	if err != nil {
		return nil, "", false, err
	}
	// The files stay only with a new complaint: not on a refusal, nor on a
	// retry answered with the complaint first filed.
	keep := false
	defer func() {
		if !keep {
			db.discardFiles(ctx, fresh)
		}
	}()
	actor := greyline.ActorFrom(ctx)
	src := actor.OrgID
	if n.Channel == greyline.ChannelWeb {
		src = 0 // the public form has no source organisation
	}
	secret, secretHash := auth.NewSecret("")
	var created *greyline.Complaint
	existing := false
	err = db.write(ctx, func(t *tx) error {
		if id, ok, err := t.findIdempotent(src, idempotencyKey, n.ExternalRef); err != nil {
			return err
		} else if ok {
			existing = true
			created, err = t.complaint(id, false)
			return err
		}
		year := now.In(greyline.Karachi).Year()
		seq, err := t.nextCounter("complaint:" + itoa(year))
		if err != nil {
			return err
		}
		ref := greyline.ComplaintReference(year, seq)
		plain, _ := json.Marshal(n.Complainant)
		sealed := db.opt.Keys.Seal(plain, complainantAD(ref))
		cnicHash, phoneHash := db.complainantHashes(n.Complainant)
		var id int64
		if err := t.queryRow(`INSERT INTO complaints (reference, channel, source_org_id, external_ref, idempotency_key, complainant, cnic_hash, phone_hash,
			category, contact_method, incident_at, received_at, loss_paisa, currency, payment_method, narrative, status, tracking_hash, created_at, updated_at, city, province)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?) RETURNING id`,
			ref, n.Channel, src, n.ExternalRef, idempotencyKey, sealed, cnicHash, phoneHash,
			n.Category, n.ContactMethod, n.IncidentAt.UTC(), now, n.LossPaisa, n.Currency, n.PaymentMethod, n.Narrative, secretHash, now, now, greyline.CityName(n.Complainant.City), n.Complainant.Province).Scan(&id); err != nil {
			return err
		}
		for _, li := range ids {
			var identID int64
			if err := t.queryRow(`INSERT INTO identifiers (type, match_key, value, first_seen, last_seen, complaints) VALUES (?, ?, ?, ?, ?, 1)
				ON CONFLICT (match_key) DO UPDATE SET last_seen = excluded.last_seen, complaints = identifiers.complaints + 1 RETURNING id`,
				li.id.Type, li.id.Key, li.id.Value, now, now).Scan(&identID); err != nil {
				return err
			}
			status := "confirmed"
			if li.source == "extracted" {
				status = "pending"
			}
			if _, err := t.exec("INSERT INTO complaint_identifiers (complaint_id, identifier_id, source, raw, start_pos, end_pos, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
				id, identID, li.source, truncateRaw(li.id.Raw), li.start, li.end, status); err != nil {
				return err
			}
		}
		if _, err := t.exec("INSERT INTO complaint_events (complaint_id, at, user_id, from_status, to_status, public_message) VALUES (?, ?, ?, '', 'received', ?)",
			id, now, actor.UserID, "Your complaint was received."); err != nil {
			return err
		}
		for _, d := range docs {
			if err := t.insertComplaintDocument(id, d); err != nil {
				return err
			}
		}
		t.complaintsChanged = append(t.complaintsChanged, id)
		if err := t.audit(greyline.AuditEvent{Action: "complaint.create", RecordType: "complaint", RecordID: idString(id), Detail: "channel=" + string(n.Channel)}); err != nil {
			return err
		}
		created, err = t.complaint(id, false)
		return err
	})
	if isUnique(err) && (idempotencyKey != "" || n.ExternalRef != "") {
		// A concurrent retry won the race: answer with its complaint.
		var c *greyline.Complaint
		err = db.read(ctx, func(t *tx) error {
			id, ok, err := t.findIdempotent(src, idempotencyKey, n.ExternalRef)
			if err != nil || !ok {
				return errors.Join(err, greyline.Errorf(greyline.ECONFLICT, "A complaint with that reference already exists."))
			}
			c, err = t.complaint(id, false)
			return err
		})
		return c, "", true, err
	}
	if err != nil {
		return nil, "", false, err
	}
	if existing {
		return created, "", true, nil
	}
	keep = true
	return created, secret, false, nil
}

func truncateRaw(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

const (
	idempotencyQuery = "SELECT id FROM complaints WHERE source_org_id = ? AND idempotency_key = ? AND idempotency_key <> ''"
	externalRefQuery = "SELECT id FROM complaints WHERE source_org_id = ? AND external_ref = ? AND external_ref <> ''"
)

func (t *tx) findIdempotent(src int64, key, externalRef string) (int64, bool, error) {
	var id int64
	var err error
	// The "<> ''" conditions repeat the partial indexes' own: without them
	// the planner cannot use those indexes and reads the whole table.
	switch {
	case key != "":
		err = t.queryRow(idempotencyQuery, src, key).Scan(&id)
	case externalRef != "":
		err = t.queryRow(externalRefQuery, src, externalRef).Scan(&id)
	default:
		return 0, false, nil
	}
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return id, err == nil, err
}

const complaintColumns = `id, reference, channel, source_org_id, external_ref, complainant, category, contact_method, incident_at, received_at,
	loss_paisa, currency, payment_method, narrative, status, priority, circle, assigned_to, closure_reason, version,
	pseudonymised_at, city, province, gender, age_band`

// complaint loads one complaint; reveal decides whether the complainant
// comes back in full (the caller audits that read).
func (t *tx) complaint(id int64, reveal bool) (*greyline.Complaint, error) {
	cs, err := t.complaintsWhere("id = ?", []any{id}, "", reveal)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, notFound(sql.ErrNoRows, "Complaint")
	}
	return cs[0], nil
}

// complaintsWhere loads complaints with their identifiers and documents in
// three queries, whatever their number.
func (t *tx) complaintsWhere(cond string, args []any, tail string, reveal bool) ([]*greyline.Complaint, error) {
	rows, err := t.query("SELECT "+complaintColumns+" FROM complaints WHERE "+cond+" "+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []*greyline.Complaint
	byID := map[int64]*greyline.Complaint{}
	for rows.Next() {
		var c greyline.Complaint
		var sealed []byte
		var removed sql.NullTime
		var kept greyline.Complainant
		if err := rows.Scan(&c.ID, &c.Reference, &c.Channel, &c.SourceOrgID, &c.ExternalRef, &sealed,
			&c.Category, &c.ContactMethod, &c.IncidentAt, &c.ReceivedAt, &c.LossPaisa, &c.Currency, &c.PaymentMethod, &c.Narrative, &c.Status, &c.Priority, &c.Circle,
			&c.AssignedTo, &c.ClosureReason, &c.Version, &removed, &kept.City, &kept.Province, &kept.Gender, &kept.AgeBand); err != nil {
			rows.Close()
			return nil, err
		}
		c.IncidentAt, c.ReceivedAt = c.IncidentAt.UTC(), c.ReceivedAt.UTC()
		if removed.Valid {
			// Pseudonymised under the retention policy: what is left is
			// what the statistics keep.
			at := removed.Time.UTC()
			c.Complainant, c.ComplainantRemovedAt = kept, &at
		} else {
			plain, err := t.db.opt.Keys.Open(sealed, complainantAD(c.Reference))
			if err == nil {
				err = json.Unmarshal(plain, &c.Complainant)
			}
			if err != nil {
				rows.Close()
				return nil, greyline.Internal(err)
			}
			if !reveal {
				c.Complainant = c.Complainant.Masked()
			}
		}
		c.Identifiers, c.Documents = []greyline.ComplaintIdentifier{}, []*greyline.Document{}
		out = append(out, &c)
		byID[c.ID] = &c
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	in, ids := inList(len(out)), make([]any, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	irows, err := t.query(`SELECT ci.complaint_id, i.id, i.type, i.value, i.match_key, ci.source, ci.raw, ci.start_pos, ci.end_pos, ci.status
		FROM complaint_identifiers ci JOIN identifiers i ON i.id = ci.identifier_id WHERE ci.complaint_id IN `+in+` ORDER BY ci.complaint_id, ci.source DESC, i.match_key`, ids...)
	if err != nil {
		return nil, err
	}
	for irows.Next() {
		var cid int64
		var ci greyline.ComplaintIdentifier
		if err := irows.Scan(&cid, &ci.ID, &ci.Type, &ci.Value, &ci.Key, &ci.Source, &ci.Raw, &ci.Start, &ci.End, &ci.Status); err != nil {
			irows.Close()
			return nil, err
		}
		byID[cid].Identifiers = append(byID[cid].Identifiers, ci)
	}
	irows.Close()
	if err := irows.Err(); err != nil {
		return nil, err
	}
	docs, err := t.documentsWhereArgs("complaint_id IN "+in, ids...)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		byID[d.ComplaintID].Documents = append(byID[d.ComplaintID].Documents, d)
	}
	return out, nil
}

// inList is "(?, ?, …)" with n placeholders.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// FindComplaint returns a complaint with the complainant masked.
func (db *DB) FindComplaint(ctx context.Context, id int64) (*greyline.Complaint, error) {
	var c *greyline.Complaint
	err := db.read(ctx, func(t *tx) (err error) { c, err = t.complaint(id, false); return err })
	return c, err
}

// RevealComplaint returns a complaint with the complainant in full and
// audits the read of personal data in the same transaction.
func (db *DB) RevealComplaint(ctx context.Context, id int64) (*greyline.Complaint, error) {
	var c *greyline.Complaint
	err := db.write(ctx, func(t *tx) error {
		var err error
		if c, err = t.complaint(id, true); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "complaint.reveal", RecordType: "complaint", RecordID: idString(id), Detail: "complainant details viewed"})
	})
	return c, err
}

// ComplaintsByComplainant finds complaints by the complainant's CNIC or
// phone number through the keyed hashes, without decrypting any row.
func (db *DB) ComplaintsByComplainant(ctx context.Context, cnicOrPhone string) ([]int64, error) {
	var col string
	var hashes []any
	if c := identifier.Parse(identifier.CNIC, cnicOrPhone); c.Valid {
		col, hashes = "cnic_hash", lookupHashes(db, "cnic", c.Value)
	} else if p := identifier.Parse(identifier.Phone, cnicOrPhone); p.Valid {
		col, hashes = "phone_hash", lookupHashes(db, "phone", p.Value)
	} else {
		return nil, greyline.Invalid("q", "must be a CNIC or a phone number")
	}
	var ids []int64
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT id FROM complaints WHERE "+col+" IN "+inList(len(hashes))+" ORDER BY id", hashes...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// TrackComplaint is the complainant's own view: status and the messages
// meant for them, given the reference and the tracking secret.
func (db *DB) TrackComplaint(ctx context.Context, reference, secret string) (*greyline.ComplaintTracking, error) {
	var out greyline.ComplaintTracking
	err := db.read(ctx, func(t *tx) error {
		var id int64
		var hash string
		err := t.queryRow("SELECT id, tracking_hash, status, received_at FROM complaints WHERE reference = ?", reference).Scan(&id, &hash, &out.Status, &out.ReceivedAt)
		// A wrong secret answers exactly like an unknown reference.
		if err != nil || !auth.EqualSecret(hash, auth.HashSecret(secret)) {
			if err != nil && err != sql.ErrNoRows {
				return err
			}
			return greyline.Errorf(greyline.ENOTFOUND, "No complaint matches that reference and tracking code.")
		}
		out.Reference, out.ReceivedAt = reference, out.ReceivedAt.UTC()
		rows, err := t.query("SELECT at, public_message FROM complaint_events WHERE complaint_id = ? AND public_message <> '' ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m greyline.TrackingMessage
			if err := rows.Scan(&m.At, &m.Message); err != nil {
				return err
			}
			m.At = m.At.UTC()
			out.Messages = append(out.Messages, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ChangeComplaint moves a complaint along the workflow, with an optimistic
// version check; the change and its event are written together.
func (db *DB) ChangeComplaint(ctx context.Context, id int64, ch greyline.ComplaintChange) (*greyline.Complaint, error) {
	var v greyline.Validation
	switch ch.To {
	case greyline.ComplaintTriaged:
		if ch.Category != "" {
			_, ok := greyline.CategoryByCode(ch.Category)
			v.Check(ok, "category", "is not a known category")
		}
		v.Check(slices.Contains(greyline.Priorities, ch.Priority), "priority", "must be urgent, high, normal or low")
		if ch.Circle != "" {
			v.Check(db.circles().Has(ch.Circle), "circle", "is not an NCCIA circle")
		}
	case greyline.ComplaintAssigned:
		v.Check(ch.AssignTo > 0, "assign_to", "name the investigator")
	case greyline.ComplaintEnquiry:
	case greyline.ComplaintCaseRegistered:
		v.Check(strings.TrimSpace(ch.FIR) != "", "fir", "the FIR number is required")
	case greyline.ComplaintClosed:
		v.Check(slices.Contains(greyline.ClosureReasons, ch.Reason), "reason", "must be resolved, no_offence, withdrawn or duplicate")
	default:
		v.Add("to", "must be triaged, assigned, enquiry, case_registered or closed")
	}
	v.Check(len(ch.Note) <= 4000 && len(ch.Message) <= 2000, "message", "is too long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.Complaint
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("complaints", id); err != nil {
			return err
		}
		cur, err := t.complaint(id, true)
		if err != nil {
			return err
		}
		if cur.Version != ch.Version {
			return errStale
		}
		if !cur.Status.CanBecome(ch.To) {
			return greyline.Errorf(greyline.ECONFLICT, "A %s complaint cannot become %s.", strings.ReplaceAll(string(cur.Status), "_", " "), strings.ReplaceAll(string(ch.To), "_", " "))
		}
		now := db.now()
		set, args := "status = ?, version = version + 1, updated_at = ?", []any{ch.To, now}
		msg := ch.Message
		switch ch.To {
		case greyline.ComplaintTriaged:
			circle := ch.Circle
			if circle == "" {
				circle = db.circles().For(cur.Complainant.City)
			}
			set += ", priority = ?, circle = ?"
			args = append(args, ch.Priority, circle)
			if ch.Category != "" {
				set += ", category = ?"
				args = append(args, ch.Category)
			}
			if msg == "" {
				msg = "Your complaint was sent to the NCCIA " + circle + " circle."
			}
		case greyline.ComplaintAssigned:
			var n int
			if err := t.queryRow("SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = 'investigator'", ch.AssignTo).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return greyline.Invalid("assign_to", "is not an investigator")
			}
			set += ", assigned_to = ?"
			args = append(args, ch.AssignTo)
			if msg == "" {
				msg = "An investigator is handling your complaint."
			}
		case greyline.ComplaintCaseRegistered:
			if msg == "" {
				msg = "A case has been registered (FIR " + strings.TrimSpace(ch.FIR) + ")."
			}
		case greyline.ComplaintClosed:
			set += ", closure_reason = ?"
			args = append(args, ch.Reason)
			if msg == "" {
				msg = "Your complaint was closed: " + strings.ReplaceAll(ch.Reason, "_", " ") + "."
			}
		}
		if _, err := t.exec("UPDATE complaints SET "+set+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		if ch.Category != "" && ch.Category != cur.Category {
			t.complaintsChanged = append(t.complaintsChanged, id) // networks show their categories
		}
		note := ch.Note
		if ch.FIR != "" {
			note = strings.TrimSpace("FIR " + ch.FIR + ". " + note)
		}
		if _, err := t.exec("INSERT INTO complaint_events (complaint_id, at, user_id, from_status, to_status, note, public_message) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, now, greyline.ActorFrom(ctx).UserID, cur.Status, ch.To, note, msg); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "complaint." + string(ch.To), RecordType: "complaint", RecordID: idString(id)}); err != nil {
			return err
		}
		out, err = t.complaint(id, false)
		return err
	})
	return out, err
}

// ListComplaints returns a queue, oldest first, complainants masked.
func (db *DB) ListComplaints(ctx context.Context, f greyline.ComplaintFilter) ([]*greyline.Complaint, error) {
	var where []string
	var args []any
	add := func(c string, a any) { where, args = append(where, c), append(args, a) }
	if f.IDs != nil {
		if len(f.IDs) == 0 || len(f.IDs) > 500 {
			return []*greyline.Complaint{}, nil
		}
		list := make([]any, len(f.IDs))
		for i, id := range f.IDs {
			list[i] = id
		}
		where, args = append(where, "id IN "+inList(len(list))), append(args, list...)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Circle != "" {
		add("circle = ?", f.Circle)
	}
	if f.AssignedTo != 0 {
		add("assigned_to = ?", f.AssignedTo)
	}
	if f.SourceOrg != 0 {
		add("source_org_id = ?", f.SourceOrg)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	order := "ORDER BY received_at, id LIMIT ?"
	if f.Newest {
		order = "ORDER BY id DESC LIMIT ?"
	}
	var out []*greyline.Complaint
	err := db.read(ctx, func(t *tx) (err error) {
		out, err = t.complaintsWhere(cond, append(args, f.Limit), order, false)
		return err
	})
	return out, err
}
