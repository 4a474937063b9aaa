package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/greyline/greyline"
)

// audit appends e to the hash chain inside t, filling who and when from the
// context. Service methods call it in the same transaction as their change.
func (t *tx) audit(e greyline.AuditEvent) error {
	a := greyline.ActorFrom(t.ctx)
	if e.UserID == 0 {
		e.UserID = a.UserID
	}
	if e.OrgID == 0 {
		e.OrgID = a.OrgID
	}
	if e.TokenID == 0 {
		e.TokenID = a.TokenID
	}
	if e.IP == "" {
		e.IP = a.IP
	}
	if e.RequestID == "" {
		e.RequestID = a.RequestID
	}
	if e.Outcome == "" {
		e.Outcome = greyline.OutcomeOK
	}
	e.At = t.db.now().Truncate(greyline.AuditTimePrecision)
	if err := t.lockAuditChain(); err != nil {
		return err
	}
	var prevID int64
	prevHash := greyline.GenesisHash
	err := t.queryRow("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").Scan(&prevID, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	e.ID, e.PrevHash = prevID+1, prevHash
	e.Hash = e.ComputeHash()
	_, err = t.exec(`INSERT INTO audit_events (id, at, user_id, org_id, token_id, ip, request_id, action, record_type, record_id, outcome, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At, e.UserID, e.OrgID, e.TokenID, e.IP, e.RequestID, e.Action, e.RecordType, e.RecordID, e.Outcome, e.Detail, e.PrevHash, e.Hash)
	return err
}

// RecordAudit writes a stand-alone event, such as a refused sign-in.
func (db *DB) RecordAudit(ctx context.Context, e greyline.AuditEvent) error {
	if e.Action == "" {
		return greyline.Invalid("action", "is required")
	}
	return db.write(ctx, func(t *tx) error { return t.audit(e) })
}

const auditColumns = "id, at, user_id, org_id, token_id, ip, request_id, action, record_type, record_id, outcome, detail, prev_hash, hash"

func scanAudit(rows *sql.Rows) (*greyline.AuditEvent, error) {
	var e greyline.AuditEvent
	err := rows.Scan(&e.ID, &e.At, &e.UserID, &e.OrgID, &e.TokenID, &e.IP, &e.RequestID, &e.Action, &e.RecordType, &e.RecordID, &e.Outcome, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return &e, err
}

// ListAudit returns events newest first, filtered.
func (db *DB) ListAudit(ctx context.Context, f greyline.AuditFilter) ([]*greyline.AuditEvent, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.OrgID != 0 {
		add("org_id = ?", f.OrgID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.RecordType != "" {
		add("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.BeforeID > 0 {
		add("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := "SELECT " + auditColumns + " FROM audit_events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	var out []*greyline.AuditEvent
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// auditBatch bounds memory while verifying a long chain.
const auditBatch = 2000

// VerifyAudit walks the whole chain in id order and returns every break.
func (db *DB) VerifyAudit(ctx context.Context) (int64, []greyline.ChainProblem, error) {
	var checked int64
	var problems []greyline.ChainProblem
	var prev *greyline.AuditEvent
	after := int64(-1 << 62)
	for {
		var batch []greyline.AuditEvent
		err := db.read(ctx, func(t *tx) error {
			rows, err := t.query("SELECT "+auditColumns+" FROM audit_events WHERE id > ? ORDER BY id LIMIT ?", after, auditBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanAudit(rows)
				if err != nil {
					return err
				}
				batch = append(batch, *e)
			}
			return rows.Err()
		})
		if err != nil {
			return checked, problems, err
		}
		if len(batch) == 0 {
			return checked, problems, nil
		}
		problems = append(problems, greyline.VerifyChain(prev, batch)...)
		checked += int64(len(batch))
		last := batch[len(batch)-1]
		prev, after = &last, last.ID
	}
}
