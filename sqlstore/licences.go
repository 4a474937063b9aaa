package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/greyline/greyline"
)

const licenceColumns = "l.id, l.number, l.business_id, b.org_id, l.site_id, l.application_id, l.kind, b.trade_name, s.city, l.status, l.issued_at, l.valid_from, l.valid_until, l.version"
const licenceFrom = " FROM licences l JOIN businesses b ON b.id = l.business_id JOIN sites s ON s.id = l.site_id"

func scanLicence(s scanner) (*greyline.Licence, error) {
	var l greyline.Licence
	err := s.Scan(&l.ID, &l.Number, &l.BusinessID, &l.OrgID, &l.SiteID, &l.ApplicationID, &l.Kind, &l.TradeName, &l.City, &l.Status, &l.IssuedAt, &l.ValidFrom, &l.ValidUntil, &l.Version)
	l.IssuedAt, l.ValidFrom, l.ValidUntil = l.IssuedAt.UTC(), l.ValidFrom.UTC(), l.ValidUntil.UTC()
	return &l, err
}

func (t *tx) licence(id int64) (*greyline.Licence, error) {
	l, err := scanLicence(t.queryRow("SELECT "+licenceColumns+licenceFrom+" WHERE l.id = ?", id))
	if err != nil {
		return nil, notFound(err, "Licence")
	}
	return l, nil
}

func (t *tx) licences(where string, args ...any) ([]*greyline.Licence, error) {
	rows, err := t.query("SELECT "+licenceColumns+licenceFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.Licence
	for rows.Next() {
		l, err := scanLicence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// grant issues what a fully cleared application asks for, from the dossier
// the agencies reviewed (the snapshot taken at submission), never from the
// live records: a provisional licence for each site without one, new
// declarations for licensed sites (an amendment), or a renewal that keeps
// the number. Numbers are checked again, since another licence may have
// been granted on them while this application was under review.
func (t *tx) grant(applicationID int64) error {
	a, err := t.application(applicationID)
	if err != nil {
		return err
	}
	if err := t.lockRow("businesses", a.BusinessID); err != nil {
		return err
	}
	if err := t.lockNumbers(); err != nil {
		return err
	}
	b, err := t.business(a.BusinessID)
	if err != nil {
		return err
	}
	var raw string
	if err := t.queryRow("SELECT snapshot FROM applications WHERE id = ?", a.ID).Scan(&raw); err != nil {
		return err
	}
	var snap greyline.Dossier
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return greyline.Internal(err)
	}
	now, set := t.db.now(), t.db.lic()
	if a.Kind == greyline.Renewal {
		for _, lid := range a.LicenceIDs {
			l, err := t.licence(lid)
			if err != nil {
				return err
			}
			site := snapshotSite(&snap, l.SiteID)
			if site == nil {
				return greyline.Internal(fmt.Errorf("renewal %s: site %d not in its dossier", a.Reference, l.SiteID))
			}
			from := l.ValidUntil
			if from.Before(now) {
				from = now
			}
			until := from.AddDate(0, 0, set.ValidityDays)
			status := l.Status
			if status == greyline.LicenceExpired {
				status = greyline.LicenceActive // expired while the renewal was under review
			}
			if err := t.holdNumbers(lid, a.BusinessID, site.Resources); err != nil {
				return err
			}
			res, _ := json.Marshal(site.Resources)
			if _, err := t.exec("UPDATE licences SET valid_until = ?, status = ?, resources = ?, version = version + 1 WHERE id = ?", until, status, string(res), lid); err != nil {
				return err
			}
			if err := t.licenceEvent(lid, l.Status, status, "Renewed until "+greyline.FormatTime(until)+" (application "+a.Reference+")", ""); err != nil {
				return err
			}
		}
		t.changed(a.BusinessID)
		return nil
	}
	year := now.In(greyline.Karachi).Year()
	for _, s := range snap.Sites {
		res, _ := json.Marshal(s.Resources)
		var lid int64
		err := t.queryRow("SELECT id FROM licences WHERE site_id = ? AND status IN ('provisional', 'active', 'suspended')", s.ID).Scan(&lid)
		switch {
		case err == nil:
			// An amendment approves the site's new declarations.
			if err := t.holdNumbers(lid, a.BusinessID, s.Resources); err != nil {
				return err
			}
			if _, err := t.exec("UPDATE licences SET resources = ?, version = version + 1 WHERE id = ?", string(res), lid); err != nil {
				return err
			}
			continue
		case err != sql.ErrNoRows:
			return err
		}
		seq, err := t.nextCounter(greyline.LicenceNumberSeries(b.Kind, s.City, year))
		if err != nil {
			return err
		}
		number := greyline.LicenceNumber(b.Kind, s.City, year, int(seq))
		if err := t.queryRow(`INSERT INTO licences (number, business_id, site_id, application_id, kind, status, issued_at, valid_from, valid_until, resources)
			VALUES (?, ?, ?, ?, ?, 'provisional', ?, ?, ?, ?) RETURNING id`,
			number, b.ID, s.ID, a.ID, b.Kind, now, now, now.AddDate(0, 0, set.ProvisionalDays), string(res)).Scan(&lid); err != nil {
			return err
		}
		if err := t.holdNumbers(lid, a.BusinessID, s.Resources); err != nil {
			return err
		}
		if err := t.licenceEvent(lid, "", greyline.LicenceProvisional, "Provisional licence issued after joint clearance (application "+a.Reference+")", ""); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "licence.issue", RecordType: "licence", RecordID: idString(lid), Detail: "number=" + number}); err != nil {
			return err
		}
	}
	t.changed(a.BusinessID)
	return nil
}

func snapshotSite(d *greyline.Dossier, siteID int64) *greyline.Site {
	for _, s := range d.Sites {
		if s.ID == siteID {
			return s
		}
	}
	return nil
}

// numberHolder returns the number of another business's licence holding
// any number in iv, or "".
func (t *tx) numberHolder(businessID int64, iv interval) (string, error) {
	var holder string
	err := t.queryRow(`SELECT l.number FROM licence_numbers n JOIN licences l ON l.id = n.licence_id
		WHERE n.digits = ? AND n.start_num <= ? AND n.end_num >= ? AND l.business_id <> ? AND l.status IN ('provisional', 'active', 'suspended') LIMIT 1`,
		iv.digits, iv.end, iv.start, businessID).Scan(&holder)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return holder, err
}

// holdNumbers records the numbers licence lid is granted on, refusing any
// another licensee holds. The caller holds the numbers lock.
func (t *tx) holdNumbers(lid, businessID int64, res greyline.Resources) error {
	intervals, err := numberIntervals(res)
	if err != nil {
		return err
	}
	for _, iv := range intervals {
		holder, err := t.numberHolder(businessID, iv)
		if err != nil {
			return err
		}
		if holder != "" {
			return greyline.Errorf(greyline.ECONFLICT, "The application cannot be granted: a declared number (%s) is now held under licence %s. The applicant must amend the declaration.", iv.field, holder)
		}
	}
	if _, err := t.exec("DELETE FROM licence_numbers WHERE licence_id = ?", lid); err != nil {
		return err
	}
	for _, iv := range intervals {
		if _, err := t.exec("INSERT INTO licence_numbers (licence_id, digits, start_num, end_num) VALUES (?, ?, ?, ?)", lid, iv.digits, iv.start, iv.end); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) licenceEvent(id int64, from, to greyline.LicenceStatus, reason, order string) error {
	_, err := t.exec("INSERT INTO licence_events (licence_id, from_status, to_status, at, user_id, reason, order_no) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, from, to, t.db.now(), greyline.ActorFrom(t.ctx).UserID, reason, order)
	return err
}

// changed notes that a business's licences changed, for the lookup index;
// the hook runs after the transaction commits.
func (t *tx) changed(businessID int64) {
	t.afterCommit = append(t.afterCommit, businessID)
}

// FindLicence returns one licence.
func (db *DB) FindLicence(ctx context.Context, id int64) (*greyline.Licence, error) {
	var l *greyline.Licence
	err := db.read(ctx, func(t *tx) (err error) { l, err = t.licence(id); return err })
	return l, err
}

// FindLicenceByNumber returns the licence with that number.
func (db *DB) FindLicenceByNumber(ctx context.Context, number string) (*greyline.Licence, error) {
	var l *greyline.Licence
	err := db.read(ctx, func(t *tx) error {
		var err error
		l, err = scanLicence(t.queryRow("SELECT "+licenceColumns+licenceFrom+" WHERE l.number = ?", strings.ToUpper(strings.TrimSpace(number))))
		return notFound(err, "Licence")
	})
	return l, err
}

// ListLicences returns licences, newest first.
func (db *DB) ListLicences(ctx context.Context, f greyline.LicenceFilter) ([]*greyline.Licence, error) {
	var where []string
	var args []any
	if f.BusinessID != 0 {
		where, args = append(where, "l.business_id = ?"), append(args, f.BusinessID)
	}
	if f.Status != "" {
		where, args = append(where, "l.status = ?"), append(args, f.Status)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q := ""
	if len(where) > 0 {
		q = " WHERE " + strings.Join(where, " AND ")
	}
	var out []*greyline.Licence
	err := db.read(ctx, func(t *tx) (err error) {
		out, err = t.licences(q+" ORDER BY l.id DESC LIMIT ?", append(args, f.Limit)...)
		return err
	})
	return out, err
}

// History returns a licence's state changes, oldest first.
func (db *DB) History(ctx context.Context, licenceID int64) ([]*greyline.LicenceEvent, error) {
	var out []*greyline.LicenceEvent
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT id, licence_id, from_status, to_status, at, user_id, reason, order_no FROM licence_events WHERE licence_id = ? ORDER BY id", licenceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e greyline.LicenceEvent
			if err := rows.Scan(&e.ID, &e.LicenceID, &e.From, &e.To, &e.At, &e.UserID, &e.Reason, &e.OrderNo); err != nil {
				return err
			}
			e.At = e.At.UTC()
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

// inspectable refuses an inspection of a licence that is not provisional.
func (t *tx) inspectable(licenceID int64) error {
	l, err := t.licence(licenceID)
	if err != nil {
		return err
	}
	if l.Status != greyline.LicenceProvisional {
		return greyline.Errorf(greyline.ECONFLICT, "Only a provisional licence is inspected; this one is %s.", l.Status)
	}
	return nil
}

// RecordInspection stores a site inspection of a provisional licence. A
// pass makes the licence active for a year; a fail ends it.
func (db *DB) RecordInspection(ctx context.Context, in *greyline.Inspection, photos ...greyline.Upload) (*greyline.Licence, error) {
	var v greyline.Validation
	in.Findings = strings.TrimSpace(in.Findings)
	v.Check(in.Findings != "", "findings", "is required")
	v.Check(utf8.RuneCountInString(in.Findings) <= 8000, "findings", "must be at most 8000 characters")
	v.Check(!in.Date.IsZero(), "date", "is required")
	now := db.now()
	v.Check(in.Date.IsZero() || !in.Date.After(now.Add(24*time.Hour)), "date", "must not be in the future")
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Files first: they are content-addressed, so storing one twice (on a
	// retry) is harmless, and the rows below then commit all or nothing. A
	// refusal comes before them, so that it leaves no file behind.
	if len(photos) > 0 {
		if err := db.read(ctx, func(t *tx) error { return t.inspectable(in.LicenceID) }); err != nil {
			return nil, err
		}
	}
	var docs []*greyline.Document
	var fresh []string // files added here, removed again if the inspection is not recorded
	recorded := false
	defer func() {
		if !recorded {
			db.discardFiles(ctx, fresh)
		}
	}()
	for _, ph := range photos {
		if db.opt.Files == nil {
			return nil, greyline.Internal(fmt.Errorf("sqlstore: no file store configured"))
		}
		st, err := db.opt.Files.Put(ph.Content, db.maxUpload())
		if st.New {
			fresh = append(fresh, st.SHA256)
		}
		if err != nil {
			var ge *greyline.Error
			if errors.As(err, &ge) && len(ge.Fields) > 0 {
				return nil, greyline.Invalid("photos", ph.Filename+" "+ge.Fields[0].Reason)
			}
			return nil, err
		}
		docs = append(docs, &greyline.Document{Kind: greyline.DocInspectionPhoto, Filename: cleanFilename(ph.Filename), ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256})
	}
	var out *greyline.Licence
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("licences", in.LicenceID); err != nil {
			return err
		}
		if err := t.inspectable(in.LicenceID); err != nil {
			return err
		}
		l, err := t.licence(in.LicenceID)
		if err != nil {
			return err
		}
		in.SiteID, in.InspectorID, in.CreatedAt = l.SiteID, greyline.ActorFrom(ctx).UserID, now
		if err := t.queryRow("INSERT INTO inspections (licence_id, site_id, inspector_id, date, findings, passed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			in.LicenceID, in.SiteID, in.InspectorID, in.Date.UTC(), in.Findings, in.Passed, now).Scan(&in.ID); err != nil {
			return err
		}
		for _, d := range docs {
			if err := t.queryRow(`INSERT INTO documents (inspection_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.ID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, in.InspectorID, now).Scan(&d.ID); err != nil {
				return err
			}
		}
		if in.Passed {
			until := now.AddDate(0, 0, db.lic().ValidityDays)
			if _, err := t.exec("UPDATE licences SET status = 'active', valid_from = ?, valid_until = ?, version = version + 1 WHERE id = ?", now, until, l.ID); err != nil {
				return err
			}
			if err := t.licenceEvent(l.ID, l.Status, greyline.LicenceActive, "Site inspection passed", ""); err != nil {
				return err
			}
		} else {
			if _, err := t.exec("UPDATE licences SET status = 'revoked', version = version + 1 WHERE id = ?", l.ID); err != nil {
				return err
			}
			if err := t.licenceEvent(l.ID, l.Status, greyline.LicenceRevoked, "Site inspection failed: the provisional licence ends", ""); err != nil {
				return err
			}
		}
		if err := t.audit(greyline.AuditEvent{Action: "licence.inspect", RecordType: "licence", RecordID: idString(l.ID), Detail: "passed=" + map[bool]string{true: "yes", false: "no"}[in.Passed]}); err != nil {
			return err
		}
		t.changed(l.BusinessID)
		out, err = t.licence(l.ID)
		return err
	})
	recorded = err == nil
	return out, err
}

// ChangeStatus suspends, revokes, reinstates or surrenders a licence. Every
// change records who, when, why and under which order.
func (db *DB) ChangeStatus(ctx context.Context, id int64, version int, to greyline.LicenceStatus, reason, orderNo string) (*greyline.Licence, error) {
	var v greyline.Validation
	reason, orderNo = strings.TrimSpace(reason), strings.TrimSpace(orderNo)
	v.Check(reason != "", "reason", "is required")
	v.Check(utf8.RuneCountInString(reason) <= 2000, "reason", "must be at most 2000 characters")
	if to == greyline.LicenceSuspended || to == greyline.LicenceRevoked {
		v.Check(orderNo != "", "order_no", "is required to suspend or revoke")
	}
	v.Check(len(orderNo) <= 100, "order_no", "must be at most 100 characters")
	switch to {
	case greyline.LicenceSuspended, greyline.LicenceRevoked, greyline.LicenceActive, greyline.LicenceSurrendered:
	default:
		v.Add("status", "must be suspended, revoked, active (reinstate) or surrendered")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.Licence
	err := db.write(ctx, func(t *tx) (err error) {
		out, err = t.changeStatus(id, version, to, reason, orderNo)
		return err
	})
	return out, err
}

// changeStatus is ChangeStatus inside a transaction, its input checked.
func (t *tx) changeStatus(id int64, version int, to greyline.LicenceStatus, reason, orderNo string) (*greyline.Licence, error) {
	var out *greyline.Licence
	err := func() error {
		if err := t.lockRow("licences", id); err != nil {
			return err
		}
		l, err := t.licence(id)
		if err != nil {
			return err
		}
		if version >= 0 && l.Version != version {
			return errStale
		}
		target := to
		if to == greyline.LicenceActive && l.Status == greyline.LicenceSuspended && t.wasProvisional(id) {
			target = greyline.LicenceProvisional // reinstating returns to where it was
		}
		if !l.Status.CanBecome(target) {
			return greyline.Errorf(greyline.ECONFLICT, "A %s licence cannot become %s.", l.Status, target)
		}
		if _, err := t.exec("UPDATE licences SET status = ?, version = version + 1 WHERE id = ? AND version = ?", target, id, l.Version); err != nil {
			return err
		}
		if err := t.licenceEvent(id, l.Status, target, reason, orderNo); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "licence." + string(target), RecordType: "licence", RecordID: idString(id), Detail: "from=" + string(l.Status) + " order=" + orderNo}); err != nil {
			return err
		}
		t.changed(l.BusinessID)
		out, err = t.licence(id)
		return err
	}()
	return out, err
}

// wasProvisional reports whether a suspended licence was provisional when suspended.
func (t *tx) wasProvisional(id int64) bool {
	var from string
	err := t.queryRow("SELECT from_status FROM licence_events WHERE licence_id = ? AND to_status = 'suspended' ORDER BY id DESC LIMIT 1", id).Scan(&from)
	return err == nil && from == string(greyline.LicenceProvisional)
}

// ExpireDue expires every licence whose validity has ended.
func (db *DB) ExpireDue(ctx context.Context) (int, error) {
	n := 0
	err := db.write(ctx, func(t *tx) error {
		n = 0
		due, err := t.licences(" WHERE l.status IN ('provisional', 'active', 'suspended') AND l.valid_until <= ? ORDER BY l.id", db.now())
		if err != nil {
			return err
		}
		for _, l := range due {
			// Re-check under the update: a revocation or renewal committed
			// since the read must not be overwritten.
			r, err := t.exec("UPDATE licences SET status = 'expired', version = version + 1 WHERE id = ? AND status IN ('provisional', 'active', 'suspended') AND valid_until <= ?", l.ID, db.now())
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k == 0 {
				continue
			}
			if err := t.licenceEvent(l.ID, l.Status, greyline.LicenceExpired, "Validity ended on "+greyline.FormatTime(l.ValidUntil), ""); err != nil {
				return err
			}
			if err := t.audit(greyline.AuditEvent{Action: "licence.expired", RecordType: "licence", RecordID: idString(l.ID)}); err != nil {
				return err
			}
			t.changed(l.BusinessID)
			n++
		}
		return nil
	})
	return n, err
}

// RegistryEntries returns licences with their sites, for the lookup index.
func (db *DB) RegistryEntries(ctx context.Context, businessID int64) ([]greyline.RegistryEntry, error) {
	var out []greyline.RegistryEntry
	err := db.read(ctx, func(t *tx) error {
		where, args := " ORDER BY l.id", []any{}
		if businessID != 0 {
			where, args = " WHERE l.business_id = ? ORDER BY l.id", []any{businessID}
		}
		// The site's details, with the resources the licence was granted on.
		cols := strings.Replace("s."+strings.ReplaceAll(siteColumns, ", ", ", s."), "s.resources", "l.resources", 1)
		rows, err := t.query("SELECT "+licenceColumns+", b.legal_name, b.legal_form, "+cols+licenceFrom+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l greyline.Licence
			var e greyline.RegistryEntry
			var site greyline.Site
			var res string
			if err := rows.Scan(&l.ID, &l.Number, &l.BusinessID, &l.OrgID, &l.SiteID, &l.ApplicationID, &l.Kind, &l.TradeName, &l.City, &l.Status, &l.IssuedAt, &l.ValidFrom, &l.ValidUntil, &l.Version,
				&e.LegalName, &e.LegalForm, &site.ID, &site.BusinessID, &site.Address, &site.City, &site.Province, &site.Seats, &site.Staff, &site.ForeignStaff, &site.MainOffice, &res); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(res), &site.Resources); err != nil {
				return greyline.Internal(err)
			}
			l.IssuedAt, l.ValidFrom, l.ValidUntil = l.IssuedAt.UTC(), l.ValidFrom.UTC(), l.ValidUntil.UTC()
			e.Licence, e.Site = &l, &site
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

const inspectionColumns = "id, licence_id, site_id, inspector_id, date, findings, passed, created_at"

func scanInspection(s scanner) (*greyline.Inspection, error) {
	var in greyline.Inspection
	err := s.Scan(&in.ID, &in.LicenceID, &in.SiteID, &in.InspectorID, &in.Date, &in.Findings, &in.Passed, &in.CreatedAt)
	in.Date, in.CreatedAt = in.Date.UTC(), in.CreatedAt.UTC()
	return &in, err
}

func (t *tx) inspection(id int64) (*greyline.Inspection, error) {
	in, err := scanInspection(t.queryRow("SELECT "+inspectionColumns+" FROM inspections WHERE id = ?", id))
	if err != nil {
		return nil, notFound(err, "Inspection")
	}
	return in, nil
}

// FindInspection returns one inspection.
func (db *DB) FindInspection(ctx context.Context, id int64) (*greyline.Inspection, error) {
	var in *greyline.Inspection
	err := db.read(ctx, func(t *tx) (err error) { in, err = t.inspection(id); return err })
	return in, err
}

// Inspections returns a licence's inspections with their photos.
func (db *DB) Inspections(ctx context.Context, licenceID int64) ([]*greyline.InspectionView, error) {
	var out []*greyline.InspectionView
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT "+inspectionColumns+" FROM inspections WHERE licence_id = ? ORDER BY id", licenceID)
		if err != nil {
			return err
		}
		for rows.Next() {
			in, err := scanInspection(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, &greyline.InspectionView{Inspection: *in})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range out {
			if v.Photos, err = t.documentsWhere("inspection_id = ?", v.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DatePaperLicence dates a licence granted today from its paper original.
func (db *DB) DatePaperLicence(ctx context.Context, id int64, issuedOn time.Time) (*greyline.Licence, error) {
	now := db.now()
	var v greyline.Validation
	v.Check(!issuedOn.IsZero(), "issued_on", "is required")
	v.Check(!issuedOn.After(now), "issued_on", "must not be in the future")
	v.Check(issuedOn.After(now.AddDate(-5, 0, 0)), "issued_on", "must be within the last five years")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.Licence
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("licences", id); err != nil {
			return err
		}
		l, err := t.licence(id)
		if err != nil {
			return err
		}
		if now.Sub(l.IssuedAt) > 24*time.Hour || (l.Status != greyline.LicenceProvisional && l.Status != greyline.LicenceActive) {
			return greyline.Errorf(greyline.ECONFLICT, "Only a licence granted in greyline today, still in force, can be given its paper date.")
		}
		days := db.lic().ProvisionalDays
		if l.Status == greyline.LicenceActive {
			days = db.lic().ValidityDays
		}
		from := issuedOn.UTC()
		if _, err := t.exec("UPDATE licences SET issued_at = ?, valid_from = ?, valid_until = ?, version = version + 1 WHERE id = ?", from, from, from.AddDate(0, 0, days), id); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "licence.paper_date", RecordType: "licence", RecordID: idString(id), Detail: "issued_on=" + issuedOn.In(greyline.Karachi).Format("2006-01-02")}); err != nil {
			return err
		}
		t.changed(l.BusinessID)
		out, err = t.licence(id)
		return err
	})
	return out, err
}
