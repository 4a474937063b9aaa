package sqlstore

// The investigators' and analysts' work on a complaint after intake: its
// history, reviews of extracted identifiers, and evidence files.

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
)

// ReissueTrackingCode replaces a complaint's tracking code; the old one
// stops working at once.
func (db *DB) ReissueTrackingCode(ctx context.Context, id int64) (string, error) {
	secret, hash := auth.NewSecret("")
	err := db.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE complaints SET tracking_hash = ? WHERE id = ?", hash, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(sql.ErrNoRows, "Complaint")
		}
		return t.audit(greyline.AuditEvent{Action: "complaint.tracking_code", RecordType: "complaint", RecordID: idString(id), Detail: "a new tracking code was issued"})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// ComplaintHistory returns every step of a complaint's workflow, oldest
// first, with the name of the user who took it.
func (db *DB) ComplaintHistory(ctx context.Context, id int64) ([]*greyline.ComplaintEvent, error) {
	var out []*greyline.ComplaintEvent
	err := db.read(ctx, func(t *tx) error {
		var n int
		if err := t.queryRow("SELECT COUNT(*) FROM complaints WHERE id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound(sql.ErrNoRows, "Complaint")
		}
		rows, err := t.query(`SELECT e.at, e.user_id, COALESCE(u.name, ''), e.from_status, e.to_status, e.note, e.public_message
			FROM complaint_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.complaint_id = ? ORDER BY e.id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e greyline.ComplaintEvent
			if err := rows.Scan(&e.At, &e.UserID, &e.UserName, &e.From, &e.To, &e.Note, &e.PublicMessage); err != nil {
				return err
			}
			e.At = e.At.UTC()
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

// ReviewIdentifier confirms or removes one of a complaint's identifiers. A
// removed link no longer counts towards the identifier's complaints, so it
// links nothing; a later review can restore it.
func (db *DB) ReviewIdentifier(ctx context.Context, complaintID, identifierID int64, to greyline.IdentifierStatus) (*greyline.Complaint, error) {
	if to != greyline.IdentifierConfirmed && to != greyline.IdentifierRemoved {
		return nil, greyline.Invalid("status", "must be confirmed or removed")
	}
	var out *greyline.Complaint
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("complaints", complaintID); err != nil {
			return err
		}
		var cur greyline.IdentifierStatus
		var typ string
		err := t.queryRow(`SELECT ci.status, i.type FROM complaint_identifiers ci JOIN identifiers i ON i.id = ci.identifier_id
			WHERE ci.complaint_id = ? AND ci.identifier_id = ?`, complaintID, identifierID).Scan(&cur, &typ)
		if err != nil {
			return notFound(err, "Identifier")
		}
		if cur != to {
			now := db.now()
			if _, err := t.exec("UPDATE complaint_identifiers SET status = ?, reviewed_by = ?, reviewed_at = ? WHERE complaint_id = ? AND identifier_id = ?",
				to, greyline.ActorFrom(ctx).UserID, now, complaintID, identifierID); err != nil {
				return err
			}
			delta := 0
			switch {
			case to == greyline.IdentifierRemoved:
				delta = -1
			case cur == greyline.IdentifierRemoved:
				delta = 1
			}
			if delta != 0 {
				if _, err := t.exec("UPDATE identifiers SET complaints = complaints + ? WHERE id = ?", delta, identifierID); err != nil {
					return err
				}
			}
			t.complaintsChanged = append(t.complaintsChanged, complaintID)
			if err := t.audit(greyline.AuditEvent{Action: "complaint.identifier_" + string(to), RecordType: "complaint", RecordID: idString(complaintID),
				Detail: fmt.Sprintf("identifier_id=%d type=%s was %s", identifierID, typ, cur)}); err != nil {
				return err
			}
		}
		out, err = t.complaint(complaintID, false)
		return err
	})
	return out, err
}

// storeAttachments puts a complaint's files in the file store before the
// transaction that records them. It returns the hashes of the files it
// added, for discardFiles should that transaction fail; if one file is
// refused, those stored before it are discarded at once.
func (db *DB) storeAttachments(ctx context.Context, atts []greyline.Attachment) ([]*greyline.Document, []string, error) {
	if len(atts) == 0 {
		return nil, nil, nil
	}
	if len(atts) > greyline.MaxAttachments {
		return nil, nil, greyline.Invalid("attachments", fmt.Sprintf("at most %d files", greyline.MaxAttachments))
	}
	if db.opt.Files == nil {
		return nil, nil, greyline.Internal(fmt.Errorf("sqlstore: no file store configured"))
	}
	docs := make([]*greyline.Document, 0, len(atts))
	var fresh []string
	for _, a := range atts {
		stored, err := db.opt.Files.Put(a.Content, db.maxUpload())
		if err != nil {
			db.discardFiles(ctx, fresh)
			return nil, nil, err
		}
		if stored.New {
			fresh = append(fresh, stored.SHA256)
		}
		docs = append(docs, &greyline.Document{Kind: greyline.DocEvidence, Filename: cleanFilename(a.Filename), ContentType: stored.ContentType,
			Size: stored.Size, SHA256: stored.SHA256, UploadedBy: greyline.ActorFrom(ctx).UserID, UploadedAt: db.now()})
	}
	return docs, fresh, nil
}

// discardFiles removes files that a failed write had just added to the
// store, so that a refused upload leaves nothing behind. A file that a
// document holds after all (the same content, sent again meanwhile) stays.
func (db *DB) discardFiles(ctx context.Context, sums []string) {
	for _, sum := range sums {
		var n int
		err := db.read(ctx, func(t *tx) error {
			return t.queryRow("SELECT COUNT(*) FROM documents WHERE sha256 = ?", sum).Scan(&n)
		})
		if err == nil && n == 0 {
			db.opt.Files.Remove(sum)
		}
	}
}

func (t *tx) insertComplaintDocument(complaintID int64, d *greyline.Document) error {
	var by any
	if d.UploadedBy != 0 {
		by = d.UploadedBy
	}
	d.ComplaintID = complaintID
	if err := t.queryRow(`INSERT INTO documents (complaint_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, complaintID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256, by, d.UploadedAt).Scan(&d.ID); err != nil {
		return err
	}
	return t.audit(greyline.AuditEvent{Action: "document.upload", RecordType: "document", RecordID: idString(d.ID),
		Detail: "complaint_id=" + idString(complaintID) + " kind=" + string(d.Kind) + " sha256=" + d.SHA256})
}

// AddComplaintDocument stores one more evidence file for a complaint.
func (db *DB) AddComplaintDocument(ctx context.Context, complaintID int64, a greyline.Attachment) (*greyline.Document, error) {
	// Refuse before storing, so that a refused upload leaves no file behind;
	// the transaction checks again.
	if err := db.read(ctx, func(t *tx) error { return t.canAttach(complaintID) }); err != nil {
		return nil, err
	}
	docs, fresh, err := db.storeAttachments(ctx, []greyline.Attachment{a})
	if err != nil {
		return nil, err
	}
	d := docs[0]
	err = db.write(ctx, func(t *tx) error {
		if err := t.lockRow("complaints", complaintID); err != nil {
			return err
		}
		if err := t.canAttach(complaintID); err != nil {
			return err
		}
		return t.insertComplaintDocument(complaintID, d)
	})
	if err != nil {
		db.discardFiles(ctx, fresh)
		return nil, err
	}
	return d, nil
}

// canAttach refuses a file for a complaint that does not exist or is full.
func (t *tx) canAttach(complaintID int64) error {
	var exists, n int
	if err := t.queryRow("SELECT COUNT(*) FROM complaints WHERE id = ?", complaintID).Scan(&exists); err != nil {
		return err
	}
	if exists == 0 {
		return notFound(sql.ErrNoRows, "Complaint")
	}
	if err := t.queryRow("SELECT COUNT(*) FROM documents WHERE complaint_id = ?", complaintID).Scan(&n); err != nil {
		return err
	}
	if n >= greyline.MaxAttachments {
		return greyline.Invalid("file", fmt.Sprintf("a complaint holds at most %d files", greyline.MaxAttachments))
	}
	return nil
}

// OpenComplaintDocument returns one of a complaint's documents with its
// bytes, and audits the download. A document of another complaint is not
// found, so that a complaint's route cannot reach other evidence.
func (db *DB) OpenComplaintDocument(ctx context.Context, complaintID, documentID int64) (*greyline.Document, io.ReadCloser, error) {
	d, err := db.FindDocument(ctx, documentID)
	if err != nil {
		return nil, nil, err
	}
	if complaintID <= 0 || d.ComplaintID != complaintID { // 0 is every other record's document
		return nil, nil, notFound(sql.ErrNoRows, "Document")
	}
	f, err := db.openFile(d)
	if err != nil {
		return nil, nil, err
	}
	if err := db.RecordAudit(ctx, greyline.AuditEvent{Action: "document.download", RecordType: "document", RecordID: idString(documentID),
		Detail: "complaint_id=" + idString(complaintID)}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return d, f, nil
}
