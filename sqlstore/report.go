package sqlstore

// The facts the committee report (package report) is built from.

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/report"
)

// CommitteeInput reads the facts of a period for report.Build, from one
// consistent snapshot. Records a day either side of the period are read
// too, since the report decides by Asia/Karachi days; Build keeps the
// right ones. Licensing figures (licences, open tasks) are as they stand.
func (db *DB) CommitteeInput(ctx context.Context, from, to time.Time, city, province string) (report.Input, error) {
	in := report.Input{From: from, To: to, City: city, Province: province, Now: db.now()}
	lo, hi := from.AddDate(0, 0, -1), to.AddDate(0, 0, 2)
	err := db.read(ctx, func(t *tx) error {
		type query struct {
			q    string
			args []any
			scan func(*sql.Rows) error
		}
		qs := []query{
			{"SELECT id, at, city, province, scam_paisa, recovered_paisa, returned_paisa FROM raids WHERE at >= ? AND at < ?", []any{lo, hi}, func(rows *sql.Rows) error {
				var r report.Raid
				var m report.Money
				if err := rows.Scan(&r.ID, &r.Date, &r.City, &r.Province, &m.ScamPaisa, &m.RecoveredPaisa, &m.ReturnedPaisa); err != nil {
					return err
				}
				m.Date, m.City, m.Province = r.Date, r.City, r.Province
				in.Raids, in.Money = append(in.Raids, r), append(in.Money, m)
				return nil
			}},
			{`SELECT a.raid_id, a.at, r.city, r.province, s.nationality FROM arrests a JOIN raids r ON r.id = a.raid_id JOIN suspects s ON s.id = a.suspect_id
				WHERE a.at >= ? AND a.at < ?`, []any{lo, hi}, func(rows *sql.Rows) error {
				var a report.Arrest
				if err := rows.Scan(&a.RaidID, &a.Date, &a.City, &a.Province, &a.Nationality); err != nil {
					return err
				}
				in.Arrests = append(in.Arrests, a)
				return nil
			}},
			{"SELECT id, registered_on, city, province FROM firs WHERE registered_on >= ? AND registered_on < ?", []any{lo, hi}, func(rows *sql.Rows) error {
				var f report.FIR
				if err := rows.Scan(&f.ID, &f.Date, &f.City, &f.Province); err != nil {
					return err
				}
				in.FIRs = append(in.FIRs, f)
				return nil
			}},
			{`SELECT fa.fir_id, f.registered_on, f.city, f.province, s.nationality, EXISTS (SELECT 1 FROM arrests a WHERE a.suspect_id = s.id)
				FROM fir_accused fa JOIN firs f ON f.id = fa.fir_id JOIN suspects s ON s.id = fa.suspect_id WHERE f.registered_on >= ? AND f.registered_on < ?`, []any{lo, hi}, func(rows *sql.Rows) error {
				var a report.Accused
				if err := rows.Scan(&a.FIRID, &a.Date, &a.City, &a.Province, &a.Nationality, &a.Arrested); err != nil {
					return err
				}
				in.Accused = append(in.Accused, a)
				return nil
			}},
			{`SELECT received_at, city, province, category, loss_paisa, reference, CASE WHEN city = '' OR province = '' THEN complainant END FROM complaints
				WHERE received_at >= ? AND received_at < ?`, []any{lo, hi}, func(rows *sql.Rows) error {
				var c report.Complaint
				var ref string
				var sealed []byte
				if err := rows.Scan(&c.ReceivedAt, &c.City, &c.Province, &c.Category, &c.LossPaisa, &ref, &sealed); err != nil {
					return err
				}
				if sealed != nil { // filed before the place had its own columns
					var who greyline.Complainant
					if plain, err := t.db.opt.Keys.Open(sealed, complainantAD(ref)); err == nil && json.Unmarshal(plain, &who) == nil {
						c.City, c.Province = greyline.CityName(who.City), who.Province
					}
				}
				cat, _ := greyline.CategoryByCode(c.Category)
				c.CyberFraud = cat.CyberFraud
				in.Complaints = append(in.Complaints, c)
				return nil
			}},
			{`SELECT a.status, a.submitted_at, COALESCE(s.city, ''), COALESCE(s.province, '') FROM applications a
				LEFT JOIN sites s ON s.business_id = a.business_id AND s.main_office = ? WHERE a.submitted_at IS NOT NULL`, []any{true}, func(rows *sql.Rows) error {
				var a report.Application
				var sub sql.NullTime
				if err := rows.Scan(&a.Stage, &sub, &a.City, &a.Province); err != nil {
					return err
				}
				a.Submitted = sub.Time
				in.Applications = append(in.Applications, a)
				return nil
			}},
			{`SELECT o.code, c.created_at, c.decided_at, c.deadline, COALESCE(s.city, ''), COALESCE(s.province, '') FROM clearance_tasks c
				JOIN orgs o ON o.id = c.org_id JOIN applications a ON a.id = c.application_id
				LEFT JOIN sites s ON s.business_id = a.business_id AND s.main_office = ?`, []any{true}, func(rows *sql.Rows) error {
				var c report.Clearance
				var decided sql.NullTime
				if err := rows.Scan(&c.Agency, &c.Started, &decided, &c.Deadline, &c.City, &c.Province); err != nil {
					return err
				}
				if decided.Valid {
					d := decided.Time
					c.Decided = &d
				}
				in.Clearances = append(in.Clearances, c)
				return nil
			}},
			{`SELECT l.status, l.kind, COALESCE(s.city, ''), COALESCE(s.province, '') FROM licences l LEFT JOIN sites s ON s.id = l.site_id`, nil, func(rows *sql.Rows) error {
				var l report.Licence
				if err := rows.Scan(&l.Status, &l.Kind, &l.City, &l.Province); err != nil {
					return err
				}
				in.Licences = append(in.Licences, l)
				return nil
			}},
		}
		for _, q := range qs {
			rows, err := t.query(q.q, q.args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				if err := q.scan(rows); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return in, err
}
