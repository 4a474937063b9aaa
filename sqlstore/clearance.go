package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"github.com/greyline/greyline"
)

const taskColumns = "t.id, t.application_id, t.org_id, o.code, t.status, t.deadline, t.decided_at, t.decided_by, t.reason, t.version, t.created_at"
const taskViewColumns = taskColumns + ", a.reference, b.trade_name, b.kind, a.kind, a.submitted_at"
const taskFrom = " FROM clearance_tasks t JOIN orgs o ON o.id = t.org_id JOIN applications a ON a.id = t.application_id JOIN businesses b ON b.id = a.business_id"

func scanTaskView(s scanner) (*greyline.TaskView, error) {
	var v greyline.TaskView
	var dec, sub sql.NullTime
	err := s.Scan(&v.ID, &v.ApplicationID, &v.OrgID, &v.OrgCode, &v.Status, &v.Deadline, &dec, &v.DecidedBy, &v.Reason, &v.Version, &v.CreatedAt,
		&v.Reference, &v.TradeName, &v.Kind, &v.AppKind, &sub)
	v.DecidedAt = nullTime(dec)
	if sub.Valid {
		v.Submitted = sub.Time.UTC()
	}
	v.Deadline, v.CreatedAt = v.Deadline.UTC(), v.CreatedAt.UTC()
	return &v, err
}

func (t *tx) task(id int64) (*greyline.TaskView, error) {
	v, err := scanTaskView(t.queryRow("SELECT "+taskViewColumns+taskFrom+" WHERE t.id = ?", id))
	if err != nil {
		return nil, notFound(err, "Clearance task")
	}
	return v, nil
}

// FindTask returns one task.
func (db *DB) FindTask(ctx context.Context, id int64) (*greyline.TaskView, error) {
	var v *greyline.TaskView
	err := db.read(ctx, func(t *tx) (err error) { v, err = t.task(id); return err })
	return v, err
}

// ListTasks returns a queue, oldest deadline first.
func (db *DB) ListTasks(ctx context.Context, f greyline.TaskFilter) ([]*greyline.TaskView, error) {
	var where []string
	var args []any
	if f.OrgID != 0 {
		where, args = append(where, "t.org_id = ?"), append(args, f.OrgID)
	}
	if f.Open {
		where = append(where, "t.status IN ('pending', 'answered', 'objection')")
	}
	if f.Status != "" {
		where, args = append(where, "t.status = ?"), append(args, f.Status)
	}
	q := "SELECT " + taskViewColumns + taskFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var out []*greyline.TaskView
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query(q+" ORDER BY t.deadline, t.id LIMIT 500", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanTaskView(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// TasksOf returns an application's tasks, for the applicant's view.
func (db *DB) TasksOf(ctx context.Context, applicationID int64) ([]*greyline.ClearanceTask, error) {
	var out []*greyline.ClearanceTask
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT "+taskViewColumns+taskFrom+" WHERE t.application_id = ? ORDER BY o.code", applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanTaskView(rows)
			if err != nil {
				return err
			}
			out = append(out, &v.ClearanceTask)
		}
		return rows.Err()
	})
	return out, err
}

func reasonText(v *greyline.Validation, s string, required bool) string {
	s = strings.TrimSpace(s)
	if required && s == "" {
		v.Add("reason", "is required: the applicant sees it")
	}
	if utf8.RuneCountInString(s) > 4000 {
		v.Add("reason", "must be at most 4000 characters")
	}
	return s
}

// Decide records a reviewer's decision. The version check answers the
// second of two concurrent decisions with a conflict; when the last agency
// clears, the licences are issued in the same transaction.
func (db *DB) Decide(ctx context.Context, taskID int64, version int, d greyline.Decision, reason string) (*greyline.ClearanceTask, error) {
	var v greyline.Validation
	switch d {
	case greyline.DecideClear:
		reason = reasonText(&v, reason, false)
	case greyline.DecideObject, greyline.DecideRefuse:
		reason = reasonText(&v, reason, true)
	default:
		v.Add("decision", "must be clear, object or refuse")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.ClearanceTask
	err := db.write(ctx, func(t *tx) error {
		cur, err := t.task(taskID)
		if err != nil {
			return err
		}
		if err := t.lockRow("applications", cur.ApplicationID); err != nil {
			return err
		}
		if cur, err = t.task(taskID); err != nil { // re-read under the lock
			return err
		}
		if cur.Version != version {
			return errStale
		}
		if !cur.Status.Open() {
			return greyline.Errorf(greyline.ECONFLICT, "This task is %s and cannot be decided now.", strings.ReplaceAll(string(cur.Status), "_", " "))
		}
		now := db.now()
		status := map[greyline.Decision]greyline.TaskStatus{greyline.DecideClear: greyline.TaskCleared, greyline.DecideObject: greyline.TaskObjection, greyline.DecideRefuse: greyline.TaskRefused}[d]
		actor := greyline.ActorFrom(ctx).UserID
		res, err := t.exec("UPDATE clearance_tasks SET status = ?, reason = ?, decided_at = ?, decided_by = ?, version = version + 1 WHERE id = ? AND version = ?",
			status, reason, now, actor, taskID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		if d == greyline.DecideObject {
			if _, err := t.exec("INSERT INTO objections (task_id, reason, raised_by, raised_at) VALUES (?, ?, ?, ?)", taskID, reason, actor, now); err != nil {
				return err
			}
		}
		if err := t.audit(greyline.AuditEvent{Action: "task." + string(d), RecordType: "clearance_task", RecordID: idString(taskID), Detail: "application=" + idString(cur.ApplicationID)}); err != nil {
			return err
		}
		if err := t.settle(cur.ApplicationID); err != nil {
			return err
		}
		nv, err := t.task(taskID)
		if err != nil {
			return err
		}
		out = &nv.ClearanceTask
		return nil
	})
	return out, err
}

// settle applies the joint outcome once every task is in: a refusal
// refuses, full clearance grants and issues the licences.
func (t *tx) settle(applicationID int64) error {
	rows, err := t.query("SELECT status FROM clearance_tasks WHERE application_id = ?", applicationID)
	if err != nil {
		return err
	}
	var statuses []greyline.TaskStatus
	for rows.Next() {
		var s greyline.TaskStatus
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		statuses = append(statuses, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	outcome := greyline.ClearanceOutcome(statuses)
	if outcome == greyline.AppSubmitted {
		return nil
	}
	now := t.db.now()
	if _, err := t.exec("UPDATE applications SET status = ?, decided_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = 'submitted'", outcome, now, now, applicationID); err != nil {
		return err
	}
	if err := t.audit(greyline.AuditEvent{Action: "application." + string(outcome), RecordType: "application", RecordID: idString(applicationID)}); err != nil {
		return err
	}
	if outcome == greyline.AppGranted {
		return t.grant(applicationID)
	}
	// A refusal ends the other agencies' open tasks too, without putting a
	// decision in their mouths.
	_, err = t.exec("UPDATE clearance_tasks SET status = 'closed', version = version + 1 WHERE application_id = ? AND status IN ('pending', 'answered', 'objection')", applicationID)
	return err
}

// AddNote stores an agency's internal note on its task.
func (db *DB) AddNote(ctx context.Context, taskID int64, body string) error {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > 4000 {
		return greyline.Invalid("body", "must be 1 to 4000 characters")
	}
	return db.write(ctx, func(t *tx) error {
		if _, err := t.task(taskID); err != nil {
			return err
		}
		var id int64
		if err := t.queryRow("INSERT INTO task_notes (task_id, author_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
			taskID, greyline.ActorFrom(ctx).UserID, body, db.now()).Scan(&id); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "task.note", RecordType: "clearance_task", RecordID: idString(taskID)})
	})
}

// Notes returns a task's internal notes.
func (db *DB) Notes(ctx context.Context, taskID int64) ([]*greyline.TaskNote, error) {
	var out []*greyline.TaskNote
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT id, task_id, author_id, body, created_at FROM task_notes WHERE task_id = ? ORDER BY id", taskID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n greyline.TaskNote
			if err := rows.Scan(&n.ID, &n.TaskID, &n.AuthorID, &n.Body, &n.CreatedAt); err != nil {
				return err
			}
			n.CreatedAt = n.CreatedAt.UTC()
			out = append(out, &n)
		}
		return rows.Err()
	})
	return out, err
}

// Objections returns the objections raised on an application.
func (db *DB) Objections(ctx context.Context, applicationID int64) ([]*greyline.Objection, error) {
	var out []*greyline.Objection
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query(`SELECT x.id, x.task_id, o.code, x.reason, x.raised_at, x.answer, x.answered_at FROM objections x
			JOIN clearance_tasks t ON t.id = x.task_id JOIN orgs o ON o.id = t.org_id WHERE t.application_id = ? ORDER BY x.id`, applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x greyline.Objection
			var ans sql.NullTime
			if err := rows.Scan(&x.ID, &x.TaskID, &x.OrgCode, &x.Reason, &x.RaisedAt, &x.Answer, &ans); err != nil {
				return err
			}
			x.RaisedAt, x.AnsweredAt = x.RaisedAt.UTC(), nullTime(ans)
			out = append(out, &x)
		}
		return rows.Err()
	})
	return out, err
}

// FindObjection returns one objection with the application it concerns.
func (db *DB) FindObjection(ctx context.Context, id int64) (*greyline.Objection, int64, error) {
	var x greyline.Objection
	var appID int64
	err := db.read(ctx, func(t *tx) error {
		var ans sql.NullTime
		err := t.queryRow(`SELECT x.id, x.task_id, o.code, x.reason, x.raised_at, x.answer, x.answered_at, t.application_id FROM objections x
			JOIN clearance_tasks t ON t.id = x.task_id JOIN orgs o ON o.id = t.org_id WHERE x.id = ?`, id).Scan(&x.ID, &x.TaskID, &x.OrgCode, &x.Reason, &x.RaisedAt, &x.Answer, &ans, &appID)
		x.AnsweredAt = nullTime(ans)
		return notFound(err, "Objection")
	})
	return &x, appID, err
}

// Answer records the applicant's answer to an objection. The task goes
// back to the objecting agency only; the others are not disturbed.
func (db *DB) Answer(ctx context.Context, objectionID int64, answer string) error {
	answer = strings.TrimSpace(answer)
	if answer == "" || utf8.RuneCountInString(answer) > 4000 {
		return greyline.Invalid("answer", "must be 1 to 4000 characters")
	}
	return db.write(ctx, func(t *tx) error {
		var taskID int64
		var prev string
		if err := t.queryRow("SELECT task_id, answer FROM objections WHERE id = ?", objectionID).Scan(&taskID, &prev); err != nil {
			return notFound(err, "Objection")
		}
		if prev != "" {
			return greyline.Errorf(greyline.ECONFLICT, "This objection has already been answered.")
		}
		now := db.now()
		if _, err := t.exec("UPDATE objections SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?", answer, greyline.ActorFrom(ctx).UserID, now, objectionID); err != nil {
			return err
		}
		res, err := t.exec("UPDATE clearance_tasks SET status = 'answered', version = version + 1 WHERE id = ? AND status = 'objection'", taskID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return greyline.Errorf(greyline.ECONFLICT, "This objection is no longer open.")
		}
		return t.audit(greyline.AuditEvent{Action: "objection.answer", RecordType: "clearance_task", RecordID: idString(taskID)})
	})
}
