package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

func (db *DB) platforms() *greyline.PlatformTable {
	if db.opt.Platforms != nil {
		return db.opt.Platforms
	}
	return greyline.DefaultPlatforms()
}

// Platforms is the platform table in force.
func (db *DB) Platforms() *greyline.PlatformTable { return db.platforms() }

// takedownIdentifier normalises a takedown's target for its kind: an app
// is a package id or the URL of an APK site, a number or WhatsApp account
// a phone number.
func takedownIdentifier(target greyline.TakedownTarget, value string) (identifier.ID, error) {
	var tries []identifier.Type
	switch target {
	case greyline.TargetApp:
		tries = []identifier.Type{identifier.App, identifier.URL}
	case greyline.TargetURL:
		tries = []identifier.Type{identifier.URL, identifier.Domain}
	case greyline.TargetPhone, greyline.TargetWhatsApp:
		tries = []identifier.Type{identifier.Phone}
	case greyline.TargetSocial:
		tries = []identifier.Type{identifier.Social, identifier.URL}
	}
	var first identifier.ID
	for i, ty := range tries {
		id := identifier.Parse(ty, value)
		if id.Valid {
			return id, nil
		}
		if i == 0 {
			first = id
		}
	}
	reason := first.Reason
	if reason == "" {
		reason = "is not a valid target of this kind"
	}
	return first, greyline.Invalid("value", reason)
}

// lockIndicators makes writers of the indicators' log take turns on
// PostgreSQL, so that rows commit in the order of their seq and a partner
// reading after a cursor never skips one committed late.
func (t *tx) lockIndicators() error {
	if t.db.engine != Postgres {
		return nil
	}
	_, err := t.exec("SELECT pg_advisory_xact_lock(hashtext('greyline:indicators'))")
	return err
}

// shareIndicator appends a shared record to the log.
func (t *tx) shareIndicator(in *greyline.Indicator) error {
	if err := t.lockIndicators(); err != nil {
		return err
	}
	in.Feed = greyline.FeedOf(in.Type)
	in.UpdatedAt = t.db.now()
	return t.queryRow(`INSERT INTO indicators (type, value, match_key, chain, feed, tlp, source, source_org, reason, active, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`, in.Type, in.Value, in.Key, in.Chain, in.Feed, in.TLP, in.Source, in.SourceOrg,
		in.Reason, in.Active, in.UpdatedAt).Scan(&in.Seq)
}

// ensureIdentifier returns the identifier row for id, creating it (with no
// complaints) if greyline has not seen it yet.
func (t *tx) ensureIdentifier(id identifier.ID) (int64, error) {
	now := t.db.now()
	var out int64
	err := t.queryRow(`INSERT INTO identifiers (type, match_key, value, first_seen, last_seen, complaints) VALUES (?, ?, ?, ?, ?, 0)
		ON CONFLICT (match_key) DO UPDATE SET last_seen = excluded.last_seen RETURNING id`, id.Type, id.Key, id.Value, now, now).Scan(&out)
	return out, err
}

// CreateTakedown records a request and shares its target with partners
// under its marking.
func (db *DB) CreateTakedown(ctx context.Context, td *greyline.Takedown) error {
	if err := td.Validate(db.platforms()); err != nil {
		return err
	}
	id, err := takedownIdentifier(td.Target, td.Value)
	if err != nil {
		return err
	}
	td.IdentifierType, td.Key = string(id.Type), id.Key
	var contacts []string
	var v greyline.Validation
	for i, c := range td.Contacts {
		cid := identifier.Detect(c)
		if !cid.Valid {
			v.Add(fmt.Sprintf("contacts[%d]", i), "is not a number, wallet, email or address greyline recognises")
			continue
		}
		contacts = append(contacts, cid.Key)
	}
	if td.DeveloperEmail != "" {
		if e := identifier.Parse(identifier.Email, td.DeveloperEmail); !e.Valid {
			v.Add("developer_email", "is not an email address")
		} else {
			td.DeveloperEmail = e.Value
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	td.Contacts = slices.Compact(contacts)
	platform, _ := db.platforms().Find(td.Platform)
	actor := greyline.ActorFrom(ctx)
	return db.write(ctx, func(t *tx) error {
		now := db.now()
		if err := t.checkRefs(td.Complaints); err != nil {
			return err
		}
		n, err := t.nextCounter("takedown-" + now.In(greyline.Karachi).Format("2006"))
		if err != nil {
			return err
		}
		td.Reference = fmt.Sprintf("TD-%s-%06d", now.In(greyline.Karachi).Format("2006"), n)
		td.OrgID, td.CreatedBy = actor.OrgID, actor.UserID
		td.Status, td.RequestedAt, td.DueAt, td.Version = greyline.TakedownRequested, now, now.Add(platform.Deadline.Duration()), 1
		identID, err := t.ensureIdentifier(id)
		if err != nil {
			return err
		}
		if err := t.queryRow(`INSERT INTO takedowns (reference, org_id, target, platform, value, identifier_type, match_key, identifier_id, name, developer,
			developer_email, contacts, listing_url, legal_basis, tlp, notes, status, requested_at, due_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, td.Reference, td.OrgID, td.Target, td.Platform, td.Value,
			td.IdentifierType, td.Key, identID, td.Name, td.Developer, td.DeveloperEmail, strings.Join(td.Contacts, "\n"), td.ListingURL, td.LegalBasis,
			td.TLP, td.Notes, td.Status, td.RequestedAt, td.DueAt, td.CreatedBy).Scan(&td.ID); err != nil {
			return err
		}
		for _, c := range slices.Compact(slices.Sorted(slices.Values(td.Complaints))) {
			if _, err := t.exec("INSERT INTO takedown_links (takedown_id, kind, ref_id) VALUES (?, 'complaint', ?)", td.ID, c); err != nil {
				return err
			}
		}
		for _, nw := range slices.Compact(slices.Sorted(slices.Values(td.Networks))) {
			if _, err := t.exec("INSERT INTO takedown_links (takedown_id, kind, ref_id) VALUES (?, 'network', ?)", td.ID, nw); err != nil {
				return err
			}
		}
		if err := t.takedownEvent(td.ID, greyline.TakedownRequested, "Requested from "+platform.Name+" under "+td.LegalBasis); err != nil {
			return err
		}
		if greyline.FeedOf(td.IdentifierType) != "" || td.IdentifierType == string(identifier.Email) {
			if err := t.shareIndicator(&greyline.Indicator{Type: td.IdentifierType, Value: id.Value, Key: id.Key, Chain: id.Chain, TLP: td.TLP,
				Source: "takedown " + td.Reference, SourceOrg: td.OrgID, Reason: "takedown requested from " + platform.Name, Active: true}); err != nil {
				return err
			}
		}
		return t.audit(greyline.AuditEvent{Action: "takedown.request", RecordType: "takedown", RecordID: idString(td.ID),
			Detail: td.Reference + " " + string(td.Target) + " on " + td.Platform})
	})
}

// checkRefs refuses complaint ids that do not exist, naming the field.
func (t *tx) checkRefs(complaints []int64) error {
	ids := slices.Compact(slices.Sorted(slices.Values(complaints)))
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var n int
	if err := t.queryRow("SELECT COUNT(*) FROM complaints WHERE id IN "+inList(len(ids)), args...).Scan(&n); err != nil {
		return err
	}
	if n != len(ids) {
		return greyline.Invalid("complaints", "lists a complaint that does not exist")
	}
	return nil
}

func (t *tx) takedownEvent(id int64, st greyline.TakedownStatus, note string) error {
	_, err := t.exec("INSERT INTO takedown_events (takedown_id, at, status, note, by_user) VALUES (?, ?, ?, ?, ?)",
		id, t.db.now(), st, note, greyline.ActorFrom(t.ctx).UserID)
	return err
}

const takedownColumns = `t.id, t.reference, t.org_id, o.code, t.target, t.platform, t.value, t.identifier_type, t.match_key, t.name, t.developer,
	t.developer_email, t.contacts, t.listing_url, t.legal_basis, t.tlp, t.notes, t.status, t.requested_at, t.due_at, t.acknowledged_at,
	t.removed_at, t.rejected_at, t.reappeared_at, t.version, t.created_by FROM takedowns t JOIN orgs o ON o.id = t.org_id`

func (t *tx) takedownsWhere(cond string, args ...any) ([]*greyline.Takedown, error) {
	rows, err := t.query("SELECT "+takedownColumns+" WHERE "+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.Takedown
	byID := map[int64]*greyline.Takedown{}
	for rows.Next() {
		var td greyline.Takedown
		var contacts string
		var ack, rem, rej, reap sql.NullTime
		if err := rows.Scan(&td.ID, &td.Reference, &td.OrgID, &td.Org, &td.Target, &td.Platform, &td.Value, &td.IdentifierType, &td.Key,
			&td.Name, &td.Developer, &td.DeveloperEmail, &contacts, &td.ListingURL, &td.LegalBasis, &td.TLP, &td.Notes, &td.Status,
			&td.RequestedAt, &td.DueAt, &ack, &rem, &rej, &reap, &td.Version, &td.CreatedBy); err != nil {
			return nil, err
		}
		td.RequestedAt, td.DueAt = td.RequestedAt.UTC(), td.DueAt.UTC()
		td.AcknowledgedAt, td.RemovedAt, td.RejectedAt, td.ReappearedAt = nullUTC(ack), nullUTC(rem), nullUTC(rej), nullUTC(reap)
		if contacts != "" {
			td.Contacts = strings.Split(contacts, "\n")
		}
		td.Complaints, td.Networks = []int64{}, []int64{}
		out = append(out, &td)
		byID[td.ID] = &td
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, td := range out {
		ids[i] = td.ID
	}
	err = t.refLinks("takedown_links", "takedown_id", ids, func(id int64, kind string, ref int64) {
		if kind == "complaint" {
			byID[id].Complaints = append(byID[id].Complaints, ref)
		} else {
			byID[id].Networks = append(byID[id].Networks, ref)
		}
	})
	return out, err
}

// refLinks reads the (kind, ref_id) links of some records from a link
// table, in order.
func (t *tx) refLinks(table, owner string, ids []int64, fn func(id int64, kind string, ref int64)) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.query("SELECT "+owner+", kind, ref_id FROM "+table+" WHERE "+owner+" IN "+inList(len(args))+" ORDER BY "+owner+", kind, ref_id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, ref int64
		var kind string
		if err := rows.Scan(&id, &kind, &ref); err != nil {
			return err
		}
		fn(id, kind, ref)
	}
	return rows.Err()
}

func nullUTC(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func (t *tx) takedown(id int64) (*greyline.Takedown, error) {
	tds, err := t.takedownsWhere("t.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(tds) == 0 {
		return nil, notFound(sql.ErrNoRows, "Takedown")
	}
	td := tds[0]
	if td.Documents, err = t.documentsWhere("takedown_id = ?", id); err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT e.at, e.status, e.note, COALESCE(u.name, '') FROM takedown_events e LEFT JOIN users u ON u.id = e.by_user
		WHERE e.takedown_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e greyline.TakedownEvent
		if err := rows.Scan(&e.At, &e.Status, &e.Note, &e.By); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		td.Events = append(td.Events, e)
	}
	return td, rows.Err()
}

// FindTakedown returns a request with its evidence and history.
func (db *DB) FindTakedown(ctx context.Context, id int64) (*greyline.Takedown, error) {
	var td *greyline.Takedown
	err := db.read(ctx, func(t *tx) error {
		var err error
		td, err = t.takedown(id)
		return err
	})
	return td, err
}

// ListTakedowns lists requests, the most urgent first: open ones by
// deadline, then the rest newest first.
func (db *DB) ListTakedowns(ctx context.Context, f greyline.TakedownFilter) ([]*greyline.Takedown, error) {
	cond, args := []string{"1 = 1"}, []any{}
	if f.OrgID != 0 {
		cond, args = append(cond, "t.org_id = ?"), append(args, f.OrgID)
	}
	if f.Status != "" {
		cond, args = append(cond, "t.status = ?"), append(args, f.Status)
	}
	if f.Overdue {
		cond, args = append(cond, "t.status IN ('requested', 'acknowledged', 'reappeared') AND t.due_at < ?"), append(args, f.Now)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []*greyline.Takedown
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = t.takedownsWhere(strings.Join(cond, " AND ")+` ORDER BY CASE WHEN t.status IN ('requested', 'acknowledged', 'reappeared') THEN 0 ELSE 1 END,
			CASE WHEN t.status IN ('requested', 'acknowledged', 'reappeared') THEN t.due_at END, t.id DESC LIMIT `+strconv.Itoa(limit), args...)
		return err
	})
	return out, err
}

// MoveTakedown records the platform's answer. A removal lowers the
// target's risk tier (a blocked number or WhatsApp account cannot be used
// again, so its tier closes); a reappearance lifts that again. A rejected
// request stops being shared.
func (db *DB) MoveTakedown(ctx context.Context, id int64, version int, to greyline.TakedownStatus, at time.Time, note string) (*greyline.Takedown, error) {
	now := db.now()
	note = strings.TrimSpace(note)
	if at.IsZero() {
		at = now
	}
	var v greyline.Validation
	v.Check(slices.Contains(greyline.TakedownStatuses, to), "status", "must be one of acknowledged, removed, rejected, reappeared")
	v.Check(!at.After(now), "at", "must not be in the future")
	v.Check(len(note) <= 2000, "note", "must be at most 2,000 characters")
	v.Check(to != greyline.TakedownRejected || note != "", "note", "is required when the platform rejected the request: say why")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.Takedown
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("takedowns", id); err != nil {
			return err
		}
		td, err := t.takedown(id)
		if err != nil {
			return err
		}
		if td.Version != version {
			return errStale
		}
		if !td.Status.CanMove(to) {
			return greyline.Invalid("status", fmt.Sprintf("a request that is %s cannot become %s", td.Status, to))
		}
		if at.Before(td.RequestedAt) {
			return greyline.Invalid("at", "must not be before the request")
		}
		col := map[greyline.TakedownStatus]string{greyline.TakedownAcknowledged: "acknowledged_at", greyline.TakedownRemoved: "removed_at",
			greyline.TakedownRejected: "rejected_at", greyline.TakedownReappeared: "reappeared_at"}[to]
		res, err := t.exec("UPDATE takedowns SET status = ?, "+col+" = ?, version = version + 1 WHERE id = ? AND version = ?", to, at, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		if err := t.takedownEvent(id, to, note); err != nil {
			return err
		}
		removal := ""
		switch to {
		case greyline.TakedownRemoved:
			removal = "taken down on " + at.In(greyline.Karachi).Format("2 Jan 2006") + " (" + td.Reference + ")"
			if td.Target == greyline.TargetPhone || td.Target == greyline.TargetWhatsApp {
				removal = "closed: " + removal
			}
		case greyline.TakedownReappeared, greyline.TakedownRejected, greyline.TakedownAcknowledged:
		}
		if to == greyline.TakedownRemoved || to == greyline.TakedownReappeared {
			var identID int64
			if err := t.queryRow("SELECT COALESCE(identifier_id, 0) FROM takedowns WHERE id = ?", id).Scan(&identID); err != nil {
				return err
			}
			if identID != 0 {
				if _, err := t.exec("UPDATE identifiers SET removal = ? WHERE id = ?", removal, identID); err != nil {
					return err
				}
				t.logChange(greyline.ChangeIdentifier, identID)
			}
		}
		if to == greyline.TakedownRejected || to == greyline.TakedownReappeared {
			if greyline.FeedOf(td.IdentifierType) != "" || td.IdentifierType == string(identifier.Email) {
				reason := "the platform rejected the takedown"
				if to == greyline.TakedownReappeared {
					reason = "reappeared after its takedown"
				}
				value := td.Key[strings.IndexByte(td.Key, ':')+1:]
				var canonical string
				if err := t.queryRow("SELECT value FROM identifiers WHERE match_key = ?", td.Key).Scan(&canonical); err == nil {
					value = canonical
				}
				if err := t.shareIndicator(&greyline.Indicator{Type: td.IdentifierType, Value: value, Key: td.Key, TLP: td.TLP,
					Source: "takedown " + td.Reference, SourceOrg: td.OrgID, Reason: reason, Active: to == greyline.TakedownReappeared}); err != nil {
					return err
				}
			}
		}
		if err := t.audit(greyline.AuditEvent{Action: "takedown.status", RecordType: "takedown", RecordID: idString(id),
			Detail: string(td.Status) + " to " + string(to)}); err != nil {
			return err
		}
		out, err = t.takedown(id)
		return err
	})
	return out, err
}

// AddTakedownDocument stores an evidence file for a request.
func (db *DB) AddTakedownDocument(ctx context.Context, takedownID int64, d *greyline.Document, content io.Reader) error {
	if db.opt.Files == nil {
		return greyline.Internal(fmt.Errorf("sqlstore: no file store configured"))
	}
	// Refuse before storing, so that a refused upload leaves no file behind;
	// the transaction checks again.
	if err := db.read(ctx, func(t *tx) error { return t.canAttachTakedown(takedownID) }); err != nil {
		return err
	}
	stored, err := db.opt.Files.Put(content, db.maxUpload())
	if err != nil {
		return err
	}
	d.Kind, d.Filename = greyline.DocEvidence, cleanFilename(d.Filename)
	d.ContentType, d.Size, d.SHA256 = stored.ContentType, stored.Size, stored.SHA256
	d.UploadedBy, d.UploadedAt, d.TakedownID = greyline.ActorFrom(ctx).UserID, db.now(), takedownID
	err = db.write(ctx, func(t *tx) error {
		if err := t.lockRow("takedowns", takedownID); err != nil {
			return err
		}
		if err := t.canAttachTakedown(takedownID); err != nil {
			return err
		}
		if err := t.queryRow(`INSERT INTO documents (takedown_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, takedownID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.UploadedBy, d.UploadedAt).Scan(&d.ID); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "document.upload", RecordType: "document", RecordID: idString(d.ID),
			Detail: "takedown_id=" + idString(takedownID) + " sha256=" + d.SHA256})
	})
	if err != nil && stored.New {
		db.discardFiles(ctx, []string{stored.SHA256})
	}
	return err
}

// canAttachTakedown refuses a file for a request that does not exist or is full.
func (t *tx) canAttachTakedown(takedownID int64) error {
	var n int
	if err := t.queryRow("SELECT COUNT(*) FROM takedowns WHERE id = ?", takedownID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return notFound(sql.ErrNoRows, "Takedown")
	}
	if err := t.queryRow("SELECT COUNT(*) FROM documents WHERE takedown_id = ?", takedownID).Scan(&n); err != nil {
		return err
	}
	if n >= greyline.MaxAttachments {
		return greyline.Invalid("file", fmt.Sprintf("a request holds at most %d files", greyline.MaxAttachments))
	}
	return nil
}

// OpenTakedownDocument returns one of a request's files and audits the
// download; another record's file is not found through this route.
func (db *DB) OpenTakedownDocument(ctx context.Context, takedownID, documentID int64) (*greyline.Document, io.ReadCloser, error) {
	d, err := db.FindDocument(ctx, documentID)
	if err != nil {
		return nil, nil, err
	}
	if takedownID <= 0 || d.TakedownID != takedownID { // 0 is every other record's document
		return nil, nil, notFound(sql.ErrNoRows, "Document")
	}
	f, err := db.openFile(d)
	if err != nil {
		return nil, nil, err
	}
	if err := db.RecordAudit(ctx, greyline.AuditEvent{Action: "document.download", RecordType: "document", RecordID: idString(documentID),
		Detail: "takedown_id=" + idString(takedownID)}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return d, f, nil
}

// lendingApp normalises an entry's package id.
func lendingApp(a *greyline.LendingApp, field string) error {
	if err := a.Validate(); err != nil {
		return prefixFields(err, field)
	}
	if a.PackageID != "" {
		id := identifier.Parse(identifier.App, a.PackageID)
		if !id.Valid {
			return greyline.Invalid(field+"package_id", "is not an Android package id like com.example.loan")
		}
		a.PackageID = id.Value
	}
	return nil
}

// prefixFields renames an error's fields (row 3's "name" is
// "apps[3].name").
func prefixFields(err error, prefix string) error {
	if prefix == "" {
		return err
	}
	fields := greyline.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	var v greyline.Validation
	for _, f := range fields {
		v.Add(prefix+f.Field, f.Reason)
	}
	return v.Err()
}

const lendingColumns = "id, package_id, name, lender, developer, status, notes, updated_at, version FROM lending_apps"

func scanLending(s scanner) (*greyline.LendingApp, error) {
	var a greyline.LendingApp
	err := s.Scan(&a.ID, &a.PackageID, &a.Name, &a.Lender, &a.Developer, &a.Status, &a.Notes, &a.UpdatedAt, &a.Version)
	a.UpdatedAt = a.UpdatedAt.UTC()
	return &a, err
}

// SaveLendingApp adds an entry (ID 0) or updates one at its version.
func (db *DB) SaveLendingApp(ctx context.Context, a *greyline.LendingApp) error {
	if err := lendingApp(a, ""); err != nil {
		return err
	}
	// A retried transaction starts again from the caller's entry, not from
	// what a rolled-back attempt wrote into it.
	in, byID := *a, a.ID != 0
	return db.write(ctx, func(t *tx) error {
		*a = in
		_, _, err := t.saveLending(a, byID)
		return err
	})
}

// lendingByPackageQuery repeats the partial index's condition, so that
// the planner uses it.
const lendingByPackageQuery = "SELECT id, version FROM lending_apps WHERE package_id = ? AND package_id <> ''"

// saveLending writes one entry; without byID an entry with the same
// package id is updated instead of added.
func (t *tx) saveLending(a *greyline.LendingApp, byID bool) (added bool, changed bool, err error) {
	now, by := t.db.now(), greyline.ActorFrom(t.ctx).UserID
	if !byID && a.PackageID != "" {
		var id int64
		var ver int
		err := t.queryRow(lendingByPackageQuery, a.PackageID).Scan(&id, &ver)
		if err == nil {
			a.ID, a.Version, byID = id, ver, true
		} else if !errors.Is(err, sql.ErrNoRows) {
			return false, false, err
		}
	}
	if byID {
		res, err := t.exec(`UPDATE lending_apps SET package_id = ?, name = ?, lender = ?, developer = ?, status = ?, notes = ?, updated_by = ?, updated_at = ?,
			version = version + 1 WHERE id = ? AND version = ?`, a.PackageID, a.Name, a.Lender, a.Developer, a.Status, a.Notes, by, now, a.ID, a.Version)
		if err != nil {
			return false, false, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var exists int
			if err := t.queryRow("SELECT COUNT(*) FROM lending_apps WHERE id = ?", a.ID).Scan(&exists); err != nil {
				return false, false, err
			}
			if exists == 0 {
				return false, false, notFound(sql.ErrNoRows, "Lending app")
			}
			return false, false, errStale
		}
		a.Version++
		a.UpdatedAt = now
		return false, true, t.audit(greyline.AuditEvent{Action: "lending_app.update", RecordType: "lending_app", RecordID: idString(a.ID), Detail: string(a.Status) + " " + a.Name})
	}
	if err := t.queryRow(`INSERT INTO lending_apps (package_id, name, lender, developer, status, notes, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.PackageID, a.Name, a.Lender, a.Developer, a.Status, a.Notes, by, now).Scan(&a.ID); err != nil {
		return false, false, err
	}
	a.Version, a.UpdatedAt = 1, now
	return true, false, t.audit(greyline.AuditEvent{Action: "lending_app.add", RecordType: "lending_app", RecordID: idString(a.ID), Detail: string(a.Status) + " " + a.Name})
}

// ImportLendingApps adds or updates entries, matched by package id, in one
// transaction: a bad row refuses the whole file.
func (db *DB) ImportLendingApps(ctx context.Context, apps []*greyline.LendingApp) (added, updated int, err error) {
	var v greyline.Validation
	seen := map[string]int{}
	for i, a := range apps {
		a.ID, a.Version = 0, 0
		if err := lendingApp(a, fmt.Sprintf("rows[%d].", i+1)); err != nil {
			fields := greyline.ErrorFields(err)
			if len(fields) == 0 {
				return 0, 0, err
			}
			for _, f := range fields {
				v.Add(f.Field, f.Reason)
			}
			continue
		}
		if a.PackageID != "" {
			if j, dup := seen[a.PackageID]; dup {
				v.Add(fmt.Sprintf("rows[%d].package_id", i+1), fmt.Sprintf("repeats row %d", j))
			}
			seen[a.PackageID] = i + 1
		}
	}
	v.Check(len(apps) > 0, "rows", "the file has no entries")
	v.Check(len(apps) <= 100_000, "rows", "at most 100,000 entries at a time")
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	given := make([]greyline.LendingApp, len(apps))
	for i, a := range apps {
		given[i] = *a
	}
	err = db.write(ctx, func(t *tx) error {
		added, updated = 0, 0
		for i, a := range apps {
			*a = given[i]
			add, ch, err := t.saveLending(a, false)
			if err != nil {
				return err
			}
			if add {
				added++
			} else if ch {
				updated++
			}
		}
		return t.audit(greyline.AuditEvent{Action: "lending_app.import", RecordType: "lending_app", RecordID: "",
			Detail: fmt.Sprintf("added=%d updated=%d", added, updated)})
	})
	return added, updated, err
}

// ListLendingApps lists entries by name ("" status: both lists).
func (db *DB) ListLendingApps(ctx context.Context, status greyline.LendingAppStatus) ([]*greyline.LendingApp, error) {
	var out []*greyline.LendingApp
	err := db.read(ctx, func(t *tx) error {
		q, args := "SELECT "+lendingColumns+" ORDER BY name, id", []any{}
		if status != "" {
			q, args = "SELECT "+lendingColumns+" WHERE status = ? ORDER BY name, id", []any{status}
		}
		rows, err := t.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanLending(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// watchedAddress parses a watchlist address: an unknown chain is refused,
// since exchanges screen by chain.
func watchedAddress(raw string) (identifier.ID, error) {
	id := identifier.Parse(identifier.Crypto, raw)
	if !id.Valid {
		reason := id.Reason
		if reason == "" {
			reason = "is not a crypto address"
		}
		return id, greyline.Invalid("address", reason)
	}
	if id.Chain == "" || id.Chain == identifier.ChainUnknown {
		return id, greyline.Invalid("address", "is on a chain greyline cannot recognise: give a Bitcoin, Ethereum (or EVM) or TRON address")
	}
	return id, nil
}

// WatchWallet puts an address on the watchlist and into the exchanges'
// feed.
func (db *DB) WatchWallet(ctx context.Context, w *greyline.WatchedWallet) error {
	if err := w.Validate(); err != nil {
		return err
	}
	id, err := watchedAddress(w.Address)
	if err != nil {
		return err
	}
	w.Chain, w.Address, w.Key = strings.ToUpper(id.Chain), id.Value, id.Key
	actor := greyline.ActorFrom(ctx)
	return db.write(ctx, func(t *tx) error {
		if err := t.checkRefs(w.Complaints); err != nil {
			return err
		}
		for i, s := range w.Seizures {
			var n int
			if err := t.queryRow("SELECT COUNT(*) FROM seizures WHERE id = ?", s).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return greyline.Invalid(fmt.Sprintf("seizures[%d]", i), "is not a recorded seizure")
			}
		}
		w.AddedBy, w.AddedAt, w.Active, w.Version = actor.UserID, db.now(), true, 1
		err := t.queryRow(`INSERT INTO watched_wallets (chain, address, match_key, reason, tlp, active, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, w.Chain, w.Address, w.Key, w.Reason, w.TLP, true, w.AddedBy, w.AddedAt).Scan(&w.ID)
		if greyline.ErrorCode(err) == greyline.ECONFLICT {
			return &greyline.Error{Code: greyline.ECONFLICT, Message: "This address is already on the watchlist.",
				Fields: []greyline.FieldError{{Field: "address", Reason: "is already on the watchlist"}}, Err: err}
		}
		if err != nil {
			return err
		}
		for kind, ids := range map[string][]int64{"complaint": w.Complaints, "network": w.Networks, "seizure": w.Seizures} {
			for _, ref := range slices.Compact(slices.Sorted(slices.Values(ids))) {
				if _, err := t.exec("INSERT INTO watched_wallet_links (wallet_id, kind, ref_id) VALUES (?, ?, ?)", w.ID, kind, ref); err != nil {
					return err
				}
			}
		}
		if err := t.shareIndicator(&greyline.Indicator{Type: string(identifier.Crypto), Value: w.Address, Key: w.Key, Chain: w.Chain, TLP: w.TLP,
			Source: "watchlist", SourceOrg: actor.OrgID, Reason: w.Reason, Active: true}); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "watchlist.add", RecordType: "wallet", RecordID: idString(w.ID), Detail: w.Chain + " " + w.Address})
	})
}

// UnwatchWallet takes an address off the watchlist; the feed withdraws it.
func (db *DB) UnwatchWallet(ctx context.Context, id int64, version int, reason string) (*greyline.WatchedWallet, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, greyline.Invalid("reason", "is required, at most 1,000 characters")
	}
	var out *greyline.WatchedWallet
	err := db.write(ctx, func(t *tx) error {
		ws, err := t.walletsWhere("id = ?", id)
		if err != nil {
			return err
		}
		if len(ws) == 0 {
			return notFound(sql.ErrNoRows, "Wallet")
		}
		w := ws[0]
		if w.Version != version {
			return errStale
		}
		if !w.Active {
			return greyline.Invalid("status", "the wallet is not on the watchlist any more")
		}
		if _, err := t.exec("UPDATE watched_wallets SET active = ?, version = version + 1 WHERE id = ? AND version = ?", false, id, version); err != nil {
			return err
		}
		if err := t.shareIndicator(&greyline.Indicator{Type: string(identifier.Crypto), Value: w.Address, Key: w.Key, Chain: w.Chain, TLP: w.TLP,
			Source: "watchlist", SourceOrg: greyline.ActorFrom(t.ctx).OrgID, Reason: reason, Active: false}); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "watchlist.remove", RecordType: "wallet", RecordID: idString(id), Detail: reason}); err != nil {
			return err
		}
		w.Active, w.Version = false, w.Version+1
		out = w
		return nil
	})
	return out, err
}

func (t *tx) walletsWhere(cond string, args ...any) ([]*greyline.WatchedWallet, error) {
	rows, err := t.query("SELECT id, chain, address, match_key, reason, tlp, active, added_by, added_at, version FROM watched_wallets WHERE "+cond+" ORDER BY id DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.WatchedWallet
	byID := map[int64]*greyline.WatchedWallet{}
	for rows.Next() {
		var w greyline.WatchedWallet
		if err := rows.Scan(&w.ID, &w.Chain, &w.Address, &w.Key, &w.Reason, &w.TLP, &w.Active, &w.AddedBy, &w.AddedAt, &w.Version); err != nil {
			return nil, err
		}
		w.AddedAt = w.AddedAt.UTC()
		w.Complaints, w.Networks, w.Seizures = []int64{}, []int64{}, []int64{}
		out = append(out, &w)
		byID[w.ID] = &w
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, w := range out {
		ids[i] = w.ID
	}
	err = t.refLinks("watched_wallet_links", "wallet_id", ids, func(id int64, kind string, ref int64) {
		w := byID[id]
		switch kind {
		case "complaint":
			w.Complaints = append(w.Complaints, ref)
		case "network":
			w.Networks = append(w.Networks, ref)
		case "seizure":
			w.Seizures = append(w.Seizures, ref)
		}
	})
	return out, err
}

// ListWatchedWallets lists the watchlist, newest first.
func (db *DB) ListWatchedWallets(ctx context.Context, activeOnly bool) ([]*greyline.WatchedWallet, error) {
	var out []*greyline.WatchedWallet
	err := db.read(ctx, func(t *tx) error {
		var err error
		if activeOnly {
			out, err = t.walletsWhere("active = ?", true)
		} else {
			out, err = t.walletsWhere("1 = 1")
		}
		return err
	})
	return out, err
}

// RaiseAlert stores an alert once: the same kind, takedown or wallet and
// source raise nothing the second time (another server may have raised it).
func (db *DB) RaiseAlert(ctx context.Context, a *greyline.Alert) (bool, error) {
	var ok bool
	err := db.write(ctx, func(t *tx) error {
		a.Status, a.CreatedAt = greyline.AlertOpen, db.now()
		inv := make([]string, len(a.Investigators))
		for i, u := range a.Investigators {
			inv[i] = idString(u)
		}
		err := t.queryRow(`INSERT INTO alerts (kind, takedown_id, wallet_id, complaint_id, source_kind, source_id, subject, score, reasons, investigators, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, takedown_id, wallet_id, source_kind, source_id) DO NOTHING RETURNING id`,
			a.Kind, a.TakedownID, a.WalletID, a.ComplaintID, a.SourceKind, a.SourceID, a.Subject, a.Score, strings.Join(a.Reasons, "\n"),
			","+strings.Join(inv, ",")+",", a.Status, a.CreatedAt).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return t.audit(greyline.AuditEvent{Action: "alert.raise", RecordType: "alert", RecordID: idString(a.ID), Detail: string(a.Kind) + " " + a.SourceKind + " " + idString(a.SourceID)})
	})
	return ok, err
}

const alertColumns = `id, kind, takedown_id, wallet_id, complaint_id, source_kind, source_id, subject, score, reasons, investigators, status, note,
	created_at, resolved_at, resolved_by FROM alerts`

func (t *tx) alertsWhere(cond string, args ...any) ([]*greyline.Alert, error) {
	rows, err := t.query("SELECT "+alertColumns+" WHERE "+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.Alert
	for rows.Next() {
		var a greyline.Alert
		var reasons, inv string
		var resolved sql.NullTime
		if err := rows.Scan(&a.ID, &a.Kind, &a.TakedownID, &a.WalletID, &a.ComplaintID, &a.SourceKind, &a.SourceID, &a.Subject, &a.Score,
			&reasons, &inv, &a.Status, &a.Note, &a.CreatedAt, &resolved, &a.ResolvedBy); err != nil {
			return nil, err
		}
		a.CreatedAt, a.ResolvedAt = a.CreatedAt.UTC(), nullUTC(resolved)
		a.Reasons = []string{}
		if reasons != "" {
			a.Reasons = strings.Split(reasons, "\n")
		}
		a.Investigators = []int64{}
		for _, s := range strings.Split(strings.Trim(inv, ","), ",") {
			if u, err := strconv.ParseInt(s, 10, 64); err == nil {
				a.Investigators = append(a.Investigators, u)
			}
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

// ListAlerts lists alerts, newest first.
func (db *DB) ListAlerts(ctx context.Context, f greyline.AlertFilter) ([]*greyline.Alert, error) {
	cond, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		cond, args = append(cond, "status = ?"), append(args, f.Status)
	}
	if f.ForUser != 0 {
		cond, args = append(cond, "investigators LIKE ?"), append(args, "%,"+idString(f.ForUser)+",%")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var out []*greyline.Alert
	err := db.read(ctx, func(t *tx) error {
		var err error
		out, err = t.alertsWhere(strings.Join(cond, " AND ")+" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), args...)
		return err
	})
	return out, err
}

// ResolveAlert confirms or dismisses an open alert.
func (db *DB) ResolveAlert(ctx context.Context, id int64, to greyline.AlertStatus, note string) (*greyline.Alert, error) {
	note = strings.TrimSpace(note)
	var v greyline.Validation
	v.Check(to == greyline.AlertConfirmed || to == greyline.AlertDismissed, "status", "must be confirmed or dismissed")
	v.Check(len(note) <= 2000, "note", "must be at most 2,000 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.Alert
	err := db.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE alerts SET status = ?, note = ?, resolved_at = ?, resolved_by = ? WHERE id = ? AND status = 'open'",
			to, note, db.now(), greyline.ActorFrom(t.ctx).UserID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			as, err := t.alertsWhere("id = ?", id)
			if err != nil {
				return err
			}
			if len(as) == 0 {
				return notFound(sql.ErrNoRows, "Alert")
			}
			return greyline.Invalid("status", "the alert was already "+string(as[0].Status))
		}
		if err := t.audit(greyline.AuditEvent{Action: "alert.resolve", RecordType: "alert", RecordID: idString(id), Detail: string(to)}); err != nil {
			return err
		}
		as, err := t.alertsWhere("id = ?", id)
		if err == nil {
			out = as[0]
		}
		return err
	})
	return out, err
}

// SharedFeed reads the indicators' log and the tier changes after the
// cursor, merged oldest first.
func (db *DB) SharedFeed(ctx context.Context, since greyline.FeedCursor, feed greyline.Feed, limit int) ([]*greyline.Indicator, greyline.FeedCursor, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	next := since
	var out []*greyline.Indicator
	err := db.read(ctx, func(t *tx) error {
		q, args := "SELECT seq, type, value, match_key, chain, feed, tlp, source, source_org, reason, active, updated_at FROM indicators WHERE seq > ?", []any{since.Indicator}
		if feed != "" {
			q, args = q+" AND feed = ?", append(args, feed)
		}
		rows, err := t.query(q+" ORDER BY seq LIMIT ?", append(args, limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var in greyline.Indicator
			if err := rows.Scan(&in.Seq, &in.Type, &in.Value, &in.Key, &in.Chain, &in.Feed, &in.TLP, &in.Source, &in.SourceOrg, &in.Reason, &in.Active, &in.UpdatedAt); err != nil {
				rows.Close()
				return err
			}
			in.UpdatedAt = in.UpdatedAt.UTC()
			out = append(out, &in)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		types := feedTypes(feed)
		tq := `SELECT c.seq, i.type, i.value, i.match_key, c.tier, c.reasons, c.at FROM tier_changes c JOIN identifiers i ON i.id = c.identifier_id
			WHERE c.seq > ? AND i.type IN ` + quotedList(types) + ` ORDER BY c.seq LIMIT ?`
		rows, err = t.query(tq, since.Tier, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in greyline.Indicator
			var tier, reasons string
			if err := rows.Scan(&in.Seq, &in.Type, &in.Value, &in.Key, &tier, &reasons, &in.UpdatedAt); err != nil {
				return err
			}
			in.UpdatedAt, in.Feed, in.TLP = in.UpdatedAt.UTC(), greyline.FeedOf(in.Type), greyline.TLPAmber
			in.Source = "risk tier " + strings.ReplaceAll(tier, "_", " ")
			in.Active = tier == "high" || tier == "very_high"
			in.Reason = strings.ReplaceAll(reasons, "\n", "; ")
			in.Seq = -in.Seq // told apart from indicators below
			out = append(out, &in)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, since, err
	}
	slices.SortStableFunc(out, func(a, b *greyline.Indicator) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	for _, in := range out {
		if in.Seq < 0 {
			in.Seq = -in.Seq
			next.Tier = max(next.Tier, in.Seq)
		} else {
			next.Indicator = max(next.Indicator, in.Seq)
		}
	}
	return out, next, nil
}

func feedTypes(feed greyline.Feed) []string {
	var out []string
	for _, ty := range identifier.Types {
		if f := greyline.FeedOf(string(ty)); f != "" && (feed == "" || f == feed) {
			out = append(out, string(ty))
		}
	}
	return out
}

// quotedList writes fixed, known names as an SQL list.
func quotedList(names []string) string {
	return "('" + strings.Join(names, "', '") + "')"
}

// ImportIndicators stores a partner's indicators in one transaction.
func (db *DB) ImportIndicators(ctx context.Context, source string, ins []*greyline.Indicator) (int, error) {
	var v greyline.Validation
	v.Check(len(ins) <= 50_000, "objects", "at most 50,000 indicators in one bundle")
	for i, in := range ins {
		v.Check(in.TLP.Valid(), fmt.Sprintf("indicators[%d].tlp", i), "must be a TLP 2.0 marking")
		v.Check(in.Key != "" && in.Type != "", fmt.Sprintf("indicators[%d].value", i), "is required")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	org := greyline.ActorFrom(ctx).OrgID
	err := db.write(ctx, func(t *tx) error {
		for _, in := range ins {
			in.Source, in.SourceOrg = source, org
			if err := t.shareIndicator(in); err != nil {
				return err
			}
		}
		return t.audit(greyline.AuditEvent{Action: "indicators.import", RecordType: "indicator", RecordID: "", Detail: fmt.Sprintf("%s: %d indicators", source, len(ins))})
	})
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}

// AssignedInvestigators lists the investigators assigned to complaints.
func (db *DB) AssignedInvestigators(ctx context.Context, complaintIDs []int64) ([]int64, error) {
	ids := slices.Compact(slices.Sorted(slices.Values(complaintIDs)))
	if len(ids) == 0 {
		return []int64{}, nil
	}
	out := []int64{}
	err := db.read(ctx, func(t *tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := t.query("SELECT DISTINCT assigned_to FROM complaints WHERE assigned_to IS NOT NULL AND assigned_to <> 0 AND id IN "+inList(len(ids))+" ORDER BY 1", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u int64
			if err := rows.Scan(&u); err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}
