package sqlstore

// What the fraud-network engine is built from, analysts' decisions about
// networks, and identifiers' risk tiers with the partners' feed of changes.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
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

// NetworkData reads every complaint, identifier, link and active decision.
// It runs at start-up on a million complaints, so it reads plain columns
// only; complaints filed before the city had its own column are the one
// exception, decrypted once here.
func (db *DB) NetworkData(ctx context.Context) (*greyline.NetworkData, error) {
	return db.networkData(ctx, nil)
}

// ComplaintNetworkData reads some complaints with their links and the
// identifiers they name.
func (db *DB) ComplaintNetworkData(ctx context.Context, complaintIDs []int64) (*greyline.NetworkData, error) {
	if len(complaintIDs) == 0 {
		return &greyline.NetworkData{}, nil
	}
	return db.networkData(ctx, complaintIDs)
}

func (db *DB) networkData(ctx context.Context, only []int64) (*greyline.NetworkData, error) {
	out := &greyline.NetworkData{}
	err := db.read(ctx, func(t *tx) error {
		in := interner{}
		var args []any
		cond, linkCond, identCond := "", "", ""
		if only != nil {
			list := inList(len(only))
			for _, id := range only {
				args = append(args, id)
			}
			cond = " WHERE id IN " + list
			linkCond = " AND complaint_id IN " + list
			identCond = " WHERE id IN (SELECT identifier_id FROM complaint_identifiers WHERE status <> 'removed' AND complaint_id IN " + list + ")"
		}
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

		rows, err = t.query("SELECT id, type, match_key, value, finding, tier FROM identifiers"+identCond+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var i greyline.NetworkIdentifier
			if err := rows.Scan(&i.ID, &i.Type, &i.Key, &i.Value, &i.Finding, &i.Tier); err != nil {
				rows.Close()
				return err
			}
			i.Type, i.Tier = in.get(i.Type), in.get(i.Tier)
			out.Identifiers = append(out.Identifiers, i)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if only == nil {
			ds, err := t.networkDecisions("revoked_at IS NULL", nil)
			if err != nil {
				return err
			}
			for _, d := range ds {
				out.Decisions = append(out.Decisions, *d)
			}
		}
		return nil
	})
	return out, err
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

// SaveTiers stores the tiers that changed and appends them to the feed.
func (db *DB) SaveTiers(ctx context.Context, ups []greyline.TierUpdate) (int, error) {
	changed := 0
	if len(ups) == 0 {
		return 0, nil
	}
	err := db.write(ctx, func(t *tx) error {
		changed = 0
		now := db.now()
		for _, u := range ups {
			reasons := strings.Join(u.Reasons, "\n")
			res, err := t.exec("UPDATE identifiers SET tier = ?, tier_reasons = ? WHERE id = ? AND (tier <> ? OR tier_reasons <> ?)", u.Tier, reasons, u.Identifier, u.Tier, reasons)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			changed++
			if _, err := t.exec("INSERT INTO tier_changes (identifier_id, tier, reasons, at) VALUES (?, ?, ?, ?)", u.Identifier, u.Tier, reasons, now); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
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
		rows, err := t.query("SELECT id, type, match_key, value, finding, tier FROM identifiers WHERE id IN "+inList(len(ids))+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i greyline.NetworkIdentifier
			if err := rows.Scan(&i.ID, &i.Type, &i.Key, &i.Value, &i.Finding, &i.Tier); err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, err
}
