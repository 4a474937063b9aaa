package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
)

// nextCounter returns the next value of a named sequence inside t. The
// increment commits or rolls back with t, so numbers are never handed out
// twice and never skipped.
func (t *tx) nextCounter(name string) (int64, error) { return t.reserveCounter(name, 1) }

// lockRow takes a row lock on PostgreSQL so that decisions on one record
// are serialised; SQLite's single writer serialises them already.
func (t *tx) lockRow(table string, id int64) error {
	if t.db.engine != Postgres {
		return nil
	}
	var got int64
	err := t.queryRow("SELECT id FROM "+table+" WHERE id = ? FOR UPDATE", id).Scan(&got)
	if err == sql.ErrNoRows {
		return nil // the caller's own lookup reports it
	}
	return err
}

const applicationColumns = "a.id, a.reference, a.business_id, b.org_id, a.kind, a.status, a.licence_ids, a.fee_paisa, a.payment_ref, a.submitted_at, a.decided_at, a.version, a.created_by, a.created_at, a.updated_at"
const applicationFrom = " FROM applications a JOIN businesses b ON b.id = a.business_id"

func scanApplication(s scanner) (*greyline.Application, error) {
	var a greyline.Application
	var lics string
	var sub, dec sql.NullTime
	err := s.Scan(&a.ID, &a.Reference, &a.BusinessID, &a.OrgID, &a.Kind, &a.Status, &lics, &a.FeePaisa, &a.PaymentRef, &sub, &dec, &a.Version, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	for _, f := range strings.Fields(lics) {
		id, _ := strconv.ParseInt(f, 10, 64)
		a.LicenceIDs = append(a.LicenceIDs, id)
	}
	a.SubmittedAt, a.DecidedAt = nullTime(sub), nullTime(dec)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func (t *tx) application(id int64) (*greyline.Application, error) {
	a, err := scanApplication(t.queryRow("SELECT "+applicationColumns+applicationFrom+" WHERE a.id = ?", id))
	if err != nil {
		return nil, notFound(err, "Application")
	}
	return a, nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = idString(id)
	}
	return strings.Join(s, " ")
}

// CreateApplication opens a draft for a business.
func (db *DB) CreateApplication(ctx context.Context, businessID int64, kind greyline.ApplicationKind, licenceIDs []int64) (*greyline.Application, error) {
	if !kind.Valid() {
		return nil, greyline.Invalid("kind", "must be new, renewal or amendment")
	}
	if kind == greyline.Renewal && len(licenceIDs) == 0 {
		return nil, greyline.Invalid("licence_ids", "name the licences to renew")
	}
	if kind == greyline.NewLicence && len(licenceIDs) > 0 {
		return nil, greyline.Invalid("licence_ids", "must be empty for a new licence")
	}
	licenceIDs = slices.Compact(slices.Sorted(slices.Values(licenceIDs)))
	now := db.now()
	var a *greyline.Application
	err := db.write(ctx, func(t *tx) error {
		// Serialise per business, so two drafts cannot both pass the check below.
		if err := t.lockRow("businesses", businessID); err != nil {
			return err
		}
		if _, err := t.business(businessID); err != nil {
			return err
		}
		var open int
		if err := t.queryRow("SELECT COUNT(*) FROM applications WHERE business_id = ? AND kind = ? AND status IN ('draft', 'submitted')", businessID, kind).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "This business already has an open %s application; finish or withdraw it first.", kind)
		}
		for _, lid := range licenceIDs {
			l, err := t.licence(lid)
			if err != nil || l.BusinessID != businessID {
				return greyline.Invalid("licence_ids", "licence "+idString(lid)+" is not one of this business's licences")
			}
			if kind == greyline.Renewal && !db.lic().RenewalOpen(l, now) {
				return greyline.Invalid("licence_ids", fmt.Sprintf("licence %s cannot be renewed yet: renewal opens %d days before expiry", l.Number, db.lic().RenewalOpenDays))
			}
		}
		seq, err := t.nextCounter(fmt.Sprintf("application:%d", now.In(greyline.Karachi).Year()))
		if err != nil {
			return err
		}
		ref := fmt.Sprintf("APP-%d-%06d", now.In(greyline.Karachi).Year(), seq)
		creator := greyline.ActorFrom(ctx).UserID
		var id int64
		if creator == 0 {
			return greyline.Errorf(greyline.EUNAUTHENTICATED, "An application is made by a signed-in user.")
		}
		if err := t.queryRow(`INSERT INTO applications (reference, business_id, kind, status, licence_ids, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id`, ref, businessID, kind, joinIDs(licenceIDs), creator, now, now).Scan(&id); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "application.create", RecordType: "application", RecordID: idString(id), Detail: "kind=" + string(kind)}); err != nil {
			return err
		}
		a, err = t.application(id)
		return err
	})
	return a, err
}

// FindApplication returns one application.
func (db *DB) FindApplication(ctx context.Context, id int64) (*greyline.Application, error) {
	var a *greyline.Application
	err := db.read(ctx, func(t *tx) (err error) { a, err = t.application(id); return err })
	return a, err
}

// ListApplications returns applications, newest first.
func (db *DB) ListApplications(ctx context.Context, f greyline.ApplicationFilter) ([]*greyline.Application, error) {
	var where []string
	var args []any
	if f.BusinessID != 0 {
		where, args = append(where, "a.business_id = ?"), append(args, f.BusinessID)
	}
	if f.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, f.Status)
	}
	q := "SELECT " + applicationColumns + applicationFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var out []*greyline.Application
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query(q+" ORDER BY a.id DESC LIMIT 500", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanApplication(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

var errNotDraft = greyline.Errorf(greyline.ECONFLICT, "This application has been submitted and can no longer be changed.")

// UpdatePayment records the fee payment reference on a draft.
func (db *DB) UpdatePayment(ctx context.Context, id int64, version int, ref string) (*greyline.Application, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 100 {
		return nil, greyline.Invalid("payment_ref", "must be 1 to 100 characters")
	}
	var a *greyline.Application
	err := db.write(ctx, func(t *tx) error {
		cur, err := t.application(id)
		if err != nil {
			return err
		}
		if cur.Status != greyline.AppDraft {
			return errNotDraft
		}
		res, err := t.exec("UPDATE applications SET payment_ref = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?", ref, db.now(), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		if err := t.audit(greyline.AuditEvent{Action: "application.payment", RecordType: "application", RecordID: idString(id)}); err != nil {
			return err
		}
		a, err = t.application(id)
		return err
	})
	return a, err
}

// dossier gathers what an application stands on.
func (t *tx) dossier(a *greyline.Application) (*greyline.Dossier, error) {
	b, err := t.business(a.BusinessID)
	if err != nil {
		return nil, err
	}
	persons, err := t.persons(a.BusinessID, 0, false)
	if err != nil {
		return nil, err
	}
	sites, err := t.applicationSites(a)
	if err != nil {
		return nil, err
	}
	docs, err := t.documents(a.ID)
	if err != nil {
		return nil, err
	}
	return &greyline.Dossier{Application: a, Business: b, Persons: persons, Sites: sites, Documents: docs}, nil
}

// applicationSites are the sites an application covers: the renewed
// licences' sites, or every site of the business.
func (t *tx) applicationSites(a *greyline.Application) ([]*greyline.Site, error) {
	all, err := t.sites(a.BusinessID)
	if err != nil || a.Kind != greyline.Renewal {
		return all, err
	}
	var want []int64
	for _, lid := range a.LicenceIDs {
		l, err := t.licence(lid)
		if err != nil {
			return nil, err
		}
		want = append(want, l.SiteID)
	}
	return slices.DeleteFunc(all, func(s *greyline.Site) bool { return !slices.Contains(want, s.ID) }), nil
}

// Missing lists what a draft still needs.
func (db *DB) Missing(ctx context.Context, id int64) ([]greyline.FieldError, error) {
	var out []greyline.FieldError
	err := db.read(ctx, func(t *tx) error {
		a, err := t.application(id)
		if err != nil {
			return err
		}
		d, err := t.dossier(a)
		if err != nil {
			return err
		}
		out = d.Missing()
		return nil
	})
	return out, err
}

// Submit checks completeness, fixes the fee, snapshots the dossier and opens
// one clearance task for each required agency, all in one transaction.
func (db *DB) Submit(ctx context.Context, id int64, version int) (*greyline.Application, error) {
	var a *greyline.Application
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("applications", id); err != nil {
			return err
		}
		cur, err := t.application(id)
		if err != nil {
			return err
		}
		if cur.Status != greyline.AppDraft {
			return greyline.Errorf(greyline.ECONFLICT, "This application was already submitted.")
		}
		if cur.Version != version {
			return errStale
		}
		d, err := t.dossier(cur)
		if err != nil {
			return err
		}
		if missing := d.Missing(); len(missing) > 0 {
			return &greyline.Error{Code: greyline.EINVALID, Message: "The application is not complete yet.", Fields: missing}
		}
		snap, err := json.Marshal(d)
		if err != nil {
			return err
		}
		now := db.now()
		fee := db.fees().Fee(cur.Kind, d.Sites)
		if _, err := t.exec("UPDATE applications SET status = 'submitted', submitted_at = ?, fee_paisa = ?, snapshot = ?, version = version + 1, updated_at = ? WHERE id = ?",
			now, fee, string(snap), now, id); err != nil {
			return err
		}
		for _, s := range d.Sites {
			if _, err := t.exec("INSERT INTO application_sites (application_id, site_id) VALUES (?, ?)", id, s.ID); err != nil {
				return err
			}
		}
		deadline := db.calendar().Deadline(now, db.lic().ClearanceDays)
		for _, code := range db.policy(cur.Kind) {
			var orgID int64
			if err := t.queryRow("SELECT id FROM orgs WHERE code = ?", code).Scan(&orgID); err != nil {
				return greyline.Internal(fmt.Errorf("clearance policy names unknown organisation %s: %w", code, err))
			}
			var taskID int64
			if err := t.queryRow("INSERT INTO clearance_tasks (application_id, org_id, status, deadline, created_at) VALUES (?, ?, 'pending', ?, ?) RETURNING id",
				id, orgID, deadline, now).Scan(&taskID); err != nil {
				return err
			}
			if err := t.audit(greyline.AuditEvent{Action: "task.create", RecordType: "clearance_task", RecordID: idString(taskID), OrgID: orgID, Detail: "application=" + idString(id)}); err != nil {
				return err
			}
		}
		if err := t.audit(greyline.AuditEvent{Action: "application.submit", RecordType: "application", RecordID: idString(id), Detail: "fee_paisa=" + strconv.FormatInt(fee, 10)}); err != nil {
			return err
		}
		a, err = t.application(id)
		return err
	})
	return a, err
}

const documentColumns = "id, COALESCE(application_id, 0), COALESCE(inspection_id, 0), COALESCE(complaint_id, 0), COALESCE(person_id, 0), COALESCE(takedown_id, 0), kind, filename, content_type, size, sha256, COALESCE(uploaded_by, 0), uploaded_at, removed_at"

func scanDocument(s scanner) (*greyline.Document, error) {
	var d greyline.Document
	var removed sql.NullTime
	err := s.Scan(&d.ID, &d.ApplicationID, &d.InspectionID, &d.ComplaintID, &d.PersonID, &d.TakedownID, &d.Kind, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedBy, &d.UploadedAt, &removed)
	d.UploadedAt = d.UploadedAt.UTC()
	if removed.Valid {
		at := removed.Time.UTC()
		d.RemovedAt = &at
	}
	return &d, err
}

func (t *tx) documents(applicationID int64) ([]*greyline.Document, error) {
	return t.documentsWhere("application_id = ?", applicationID)
}

func (t *tx) documentsWhere(cond string, arg any) ([]*greyline.Document, error) {
	return t.documentsWhereArgs(cond, arg)
}

func (t *tx) documentsWhereArgs(cond string, args ...any) ([]*greyline.Document, error) {
	rows, err := t.query("SELECT "+documentColumns+" FROM documents WHERE "+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ListDocuments returns an application's documents.
func (db *DB) ListDocuments(ctx context.Context, applicationID int64) ([]*greyline.Document, error) {
	var out []*greyline.Document
	err := db.read(ctx, func(t *tx) (err error) { out, err = t.documents(applicationID); return err })
	return out, err
}

func cleanFilename(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200]
	}
	if s == "" {
		s = "document"
	}
	return s
}

// AddDocument stores a file for an application (while it can still change)
// or for an inspection. The file's type is recognised from its content.
func (db *DB) AddDocument(ctx context.Context, d *greyline.Document, content io.Reader) error {
	if db.opt.Files == nil {
		return greyline.Internal(fmt.Errorf("sqlstore: no file store configured"))
	}
	if !d.Kind.Valid() || d.Kind == greyline.DocEvidence {
		return greyline.Invalid("kind", "is not a known document kind")
	}
	if (d.ApplicationID == 0) == (d.InspectionID == 0) {
		return greyline.Invalid("application_id", "a document belongs to one application or one inspection")
	}
	// Refuse before storing, so that a refused upload leaves no file behind;
	// the transaction checks again.
	if err := db.read(ctx, func(t *tx) error { return t.canAddDocument(d) }); err != nil {
		return err
	}
	stored, err := db.opt.Files.Put(content, db.maxUpload())
	if err != nil {
		return err
	}
	d.Filename, d.ContentType, d.Size, d.SHA256 = cleanFilename(d.Filename), stored.ContentType, stored.Size, stored.SHA256
	d.UploadedBy, d.UploadedAt = greyline.ActorFrom(ctx).UserID, db.now()
	err = db.write(ctx, func(t *tx) error {
		if err := t.canAddDocument(d); err != nil {
			return err
		}
		var app, insp, person any
		if d.ApplicationID != 0 {
			app = d.ApplicationID
		}
		if d.InspectionID != 0 {
			insp = d.InspectionID
		}
		if d.PersonID != 0 {
			person = d.PersonID
		}
		if err := t.queryRow(`INSERT INTO documents (application_id, inspection_id, person_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, app, insp, person, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, d.UploadedBy, d.UploadedAt).Scan(&d.ID); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "document.upload", RecordType: "document", RecordID: idString(d.ID), Detail: "kind=" + string(d.Kind) + " sha256=" + d.SHA256})
	})
	if err != nil && stored.New {
		db.discardFiles(ctx, []string{stored.SHA256})
	}
	return err
}

// canAddDocument refuses a document whose application or inspection does
// not take it.
func (t *tx) canAddDocument(d *greyline.Document) error {
	if d.InspectionID != 0 {
		if _, err := t.inspection(d.InspectionID); err != nil {
			return err
		}
		if d.Kind != greyline.DocInspectionPhoto {
			return greyline.Invalid("kind", "an inspection's documents are inspection photos")
		}
	}
	if d.ApplicationID != 0 {
		a, err := t.application(d.ApplicationID)
		if err != nil {
			return err
		}
		if a.Status != greyline.AppDraft && !t.hasOpenObjection(a.ID) {
			return errNotDraft
		}
		if d.PersonID != 0 {
			var n int
			if err := t.queryRow("SELECT COUNT(*) FROM persons WHERE id = ? AND business_id = ?", d.PersonID, a.BusinessID).Scan(&n); err != nil {
				return err
			}
			if n != 1 {
				return greyline.Invalid("person_id", "is not a person of this business")
			}
		}
	}
	return nil
}

func (t *tx) hasOpenObjection(applicationID int64) bool {
	var n int
	err := t.queryRow("SELECT COUNT(*) FROM clearance_tasks WHERE application_id = ? AND status = 'objection'", applicationID).Scan(&n)
	return err == nil && n > 0
}

// FindDocument returns a document's record without its content.
func (db *DB) FindDocument(ctx context.Context, id int64) (*greyline.Document, error) {
	var d *greyline.Document
	err := db.read(ctx, func(t *tx) error {
		var err error
		d, err = scanDocument(t.queryRow("SELECT "+documentColumns+" FROM documents WHERE id = ?", id))
		return notFound(err, "Document")
	})
	return d, err
}

// openFile opens a document's bytes in the file store.
func (db *DB) openFile(d *greyline.Document) (io.ReadCloser, error) {
	if d.RemovedAt != nil {
		return nil, greyline.Errorf(greyline.ENOTFOUND, "This file was removed under the retention policy on %s.", d.RemovedAt.In(greyline.Karachi).Format("2 January 2006"))
	}
	return db.opt.Files.Open(d.SHA256)
}

// OpenDocument returns a document's bytes and audits the download.
func (db *DB) OpenDocument(ctx context.Context, id int64) (*greyline.Document, io.ReadCloser, error) {
	d, err := db.FindDocument(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := db.openFile(d)
	if err != nil {
		return nil, nil, err
	}
	if err := db.RecordAudit(ctx, greyline.AuditEvent{Action: "document.download", RecordType: "document", RecordID: idString(id)}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return d, f, nil
}

// DatePaperSubmission dates a just-submitted application from the day it
// was handed in on paper, and counts the agencies' deadlines from then.
func (db *DB) DatePaperSubmission(ctx context.Context, id int64, on time.Time) (*greyline.Application, error) {
	now := db.now()
	var v greyline.Validation
	v.Check(!on.IsZero(), "submitted_on", "is required")
	v.Check(!on.After(now), "submitted_on", "must not be in the future")
	v.Check(on.After(now.AddDate(-1, 0, 0)), "submitted_on", "must be within the last year")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var a *greyline.Application
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("applications", id); err != nil {
			return err
		}
		cur, err := t.application(id)
		if err != nil {
			return err
		}
		var acted int
		if err := t.queryRow("SELECT COUNT(*) FROM clearance_tasks WHERE application_id = ? AND (status <> 'pending' OR decided_at IS NOT NULL)", id).Scan(&acted); err != nil {
			return err
		}
		if cur.Status != greyline.AppSubmitted || acted > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "Only an application that no agency has acted on can be given its paper date.")
		}
		deadline := db.calendar().Deadline(on.UTC(), db.lic().ClearanceDays)
		if _, err := t.exec("UPDATE applications SET submitted_at = ?, version = version + 1, updated_at = ? WHERE id = ?", on.UTC(), now, id); err != nil {
			return err
		}
		if _, err := t.exec("UPDATE clearance_tasks SET created_at = ?, deadline = ? WHERE application_id = ?", on.UTC(), deadline, id); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "application.paper_date", RecordType: "application", RecordID: idString(id), Detail: "submitted_on=" + on.In(greyline.Karachi).Format("2006-01-02")}); err != nil {
			return err
		}
		a, err = t.application(id)
		return err
	})
	return a, err
}
