package sqlstore

// Operation Grey: operations, raids, suspects, arrests, FIRs, seizures.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

// CreateOperation starts a named operation.
func (db *DB) CreateOperation(ctx context.Context, o *greyline.Operation) error {
	if err := o.Validate(db.now()); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		var ends any
		if !o.EndsOn.IsZero() {
			ends = o.EndsOn.UTC()
		}
		err := t.queryRow("INSERT INTO operations (name, starts_on, ends_on, scope, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			o.Name, o.StartsOn.UTC(), ends, o.Scope, greyline.ActorFrom(ctx).UserID, db.now()).Scan(&o.ID)
		if isUnique(err) {
			return greyline.Invalid("name", "another operation has this name")
		}
		if err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "operation.create", RecordType: "operation", RecordID: idString(o.ID)})
	})
}

func (t *tx) operation(id int64) (*greyline.Operation, error) {
	var o greyline.Operation
	var ends sql.NullTime
	err := t.queryRow("SELECT id, name, starts_on, ends_on, scope FROM operations WHERE id = ?", id).Scan(&o.ID, &o.Name, &o.StartsOn, &ends, &o.Scope)
	if err != nil {
		return nil, notFound(err, "Operation")
	}
	o.StartsOn = o.StartsOn.UTC()
	if ends.Valid {
		o.EndsOn = ends.Time.UTC()
	}
	return &o, nil
}

// ListOperations lists every operation, newest first.
func (db *DB) ListOperations(ctx context.Context) ([]*greyline.Operation, error) {
	var out []*greyline.Operation
	err := db.read(ctx, func(t *tx) (err error) {
		out, err = loadEach(t, "SELECT id FROM operations ORDER BY starts_on DESC, id DESC", nil, t.operation)
		return err
	})
	return out, err
}

// FindOperation returns one operation.
func (db *DB) FindOperation(ctx context.Context, id int64) (*greyline.Operation, error) {
	var o *greyline.Operation
	err := db.read(ctx, func(t *tx) (err error) { o, err = t.operation(id); return err })
	return o, err
}

// loadEach runs a query of ids and loads the record of each.
func loadEach[T any](t *tx, q string, args []any, load func(int64) (T, error)) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		x, err := load(id)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// licenceOnDay finds the business's licence that was in force at t, as the
// registry had it then: its status at that moment, from its history.
func (t *tx) licenceOnDay(businessID int64, at time.Time) (int64, bool, error) {
	rows, err := t.query("SELECT id, status, valid_from, valid_until FROM licences WHERE business_id = ? AND issued_at <= ? ORDER BY id", businessID, at)
	if err != nil {
		return 0, false, err
	}
	type lic struct {
		id          int64
		status      string
		from, until time.Time
	}
	var ls []lic
	for rows.Next() {
		var l lic
		if err := rows.Scan(&l.id, &l.status, &l.from, &l.until); err != nil {
			rows.Close()
			return 0, false, err
		}
		ls = append(ls, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	var last int64
	for _, l := range ls {
		last = l.id
		status := l.status
		var st string
		err := t.queryRow("SELECT to_status FROM licence_events WHERE licence_id = ? AND at <= ? ORDER BY at DESC, id DESC LIMIT 1", l.id, at).Scan(&st)
		switch {
		case err == nil:
			status = st
		case !errors.Is(err, sql.ErrNoRows):
			return 0, false, err
		}
		inForce := status == string(greyline.LicenceActive) || status == string(greyline.LicenceProvisional)
		if inForce && !at.Before(l.from) && !at.After(l.until) {
			return l.id, true, nil
		}
	}
	return last, false, nil
}

// RecordRaid stores a raid. A raid on a business that held a licence that
// day opens a suspension decision for PTA and for NCCIA.
func (db *DB) RecordRaid(ctx context.Context, r *greyline.Raid) error {
	if err := r.Validate(db.now()); err != nil {
		return err
	}
	slices.Sort(r.Complaints)
	r.Complaints = slices.Compact(r.Complaints)
	return db.write(ctx, func(t *tx) error {
		op, err := t.operation(r.OperationID)
		if err != nil {
			return greyline.Invalid("operation_id", "is not an operation")
		}
		if r.At.Before(op.StartsOn) || (!op.EndsOn.IsZero() && r.At.After(op.EndsOn.Add(24*time.Hour))) {
			return greyline.Invalid("at", "is outside the operation's dates")
		}
		var biz, lic any
		r.LicenceID, r.Licensed = 0, false
		if r.BusinessID != 0 {
			if _, err := t.business(r.BusinessID); err != nil {
				return greyline.Invalid("business_id", "is not a registered business")
			}
			biz = r.BusinessID
			if r.LicenceID, r.Licensed, err = t.licenceOnDay(r.BusinessID, r.At.UTC()); err != nil {
				return err
			}
			if r.LicenceID != 0 {
				lic = r.LicenceID
			}
		}
		if err := t.checkComplaints("complaints", r.Complaints); err != nil {
			return err
		}
		now := db.now()
		if err := t.queryRow(`INSERT INTO raids (operation_id, at, city, province, address, business_id, licence_id, licensed, team, outcome,
			scam_paisa, recovered_paisa, returned_paisa, notes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.OperationID, r.At.UTC(), r.City, r.Province, r.Address, biz, lic, r.Licensed, r.Team, r.Outcome,
			r.ScamPaisa, r.RecoveredPaisa, r.ReturnedPaisa, r.Notes, greyline.ActorFrom(ctx).UserID, now).Scan(&r.ID); err != nil {
			return err
		}
		r.Version = 1
		for _, c := range r.Complaints {
			if _, err := t.exec("INSERT INTO raid_complaints (raid_id, complaint_id) VALUES (?, ?)", r.ID, c); err != nil {
				return err
			}
		}
		if r.Licensed {
			for _, code := range []string{"PTA", "NCCIA"} {
				var org int64
				if err := t.queryRow("SELECT id FROM orgs WHERE code = ?", code).Scan(&org); err != nil {
					return notFound(err, "Organisation "+code)
				}
				if _, err := t.exec("INSERT INTO suspension_reviews (licence_id, raid_id, org_id, status, created_at) VALUES (?, ?, ?, 'open', ?)",
					r.LicenceID, r.ID, org, now); err != nil {
					return err
				}
			}
		}
		detail := fmt.Sprintf("operation_id=%d city=%s outcome=%s", r.OperationID, r.City, r.Outcome)
		if r.Licensed {
			detail += fmt.Sprintf(" licence_id=%d suspension decisions opened for PTA and NCCIA", r.LicenceID)
		}
		return t.audit(greyline.AuditEvent{Action: "raid.record", RecordType: "raid", RecordID: idString(r.ID), Detail: detail})
	})
}

// checkComplaints refuses ids that name no complaint.
func (t *tx) checkComplaints(field string, ids []int64) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		var n int
		if err := t.queryRow("SELECT COUNT(*) FROM complaints WHERE id IN "+inList(len(args)), args...).Scan(&n); err != nil {
			return err
		}
		if n != len(chunk) {
			return greyline.Invalid(field, "names a complaint that does not exist")
		}
	}
	return nil
}

const raidColumns = `id, operation_id, at, city, province, address, COALESCE(business_id, 0), COALESCE(licence_id, 0), licensed, team, outcome,
	scam_paisa, recovered_paisa, returned_paisa, notes, version`

func scanRaid(s scanner) (*greyline.Raid, error) {
	var r greyline.Raid
	err := s.Scan(&r.ID, &r.OperationID, &r.At, &r.City, &r.Province, &r.Address, &r.BusinessID, &r.LicenceID, &r.Licensed, &r.Team, &r.Outcome,
		&r.ScamPaisa, &r.RecoveredPaisa, &r.ReturnedPaisa, &r.Notes, &r.Version)
	r.At = r.At.UTC()
	return &r, err
}

func (t *tx) raid(id int64) (*greyline.Raid, error) {
	r, err := scanRaid(t.queryRow("SELECT "+raidColumns+" FROM raids WHERE id = ?", id))
	if err != nil {
		return nil, notFound(err, "Raid")
	}
	rows, err := t.query("SELECT complaint_id FROM raid_complaints WHERE raid_id = ? ORDER BY complaint_id", id)
	if err != nil {
		return nil, err
	}
	if r.Complaints, err = scanIDs(rows); err != nil {
		return nil, err
	}
	if r.Complaints == nil {
		r.Complaints = []int64{}
	}
	return r, nil
}

// ListRaids lists an operation's raids (0: every raid), newest first.
func (db *DB) ListRaids(ctx context.Context, operationID int64) ([]*greyline.Raid, error) {
	var out []*greyline.Raid
	err := db.read(ctx, func(t *tx) error {
		q, args := "SELECT "+raidColumns+" FROM raids", []any{}
		if operationID != 0 {
			q, args = q+" WHERE operation_id = ?", append(args, operationID)
		}
		rows, err := t.query(q+" ORDER BY at DESC, id DESC", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRaid(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// FindRaid returns a raid with its arrests (suspects masked), seizures and FIRs.
func (db *DB) FindRaid(ctx context.Context, id int64) (*greyline.RaidRecord, error) {
	var out *greyline.RaidRecord
	err := db.read(ctx, func(t *tx) error {
		r, err := t.raid(id)
		if err != nil {
			return err
		}
		out = &greyline.RaidRecord{Raid: *r, Arrests: []greyline.ArrestView{}, Seizures: []greyline.Seizure{}, FIRs: []greyline.FIR{}}
		rows, err := t.query("SELECT id, suspect_id, at FROM arrests WHERE raid_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a greyline.ArrestView
			if err := rows.Scan(&a.ID, &a.SuspectID, &a.At); err != nil {
				rows.Close()
				return err
			}
			a.RaidID, a.At = id, a.At.UTC()
			out.Arrests = append(out.Arrests, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out.Arrests {
			p, err := t.suspect(out.Arrests[i].SuspectID, false)
			if err != nil {
				return err
			}
			out.Arrests[i].Suspect = *p
		}
		rows, err = t.query("SELECT id, kind, description, quantity, cash_paisa, wallet, crypto_amount FROM seizures WHERE raid_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s greyline.Seizure
			if err := rows.Scan(&s.ID, &s.Kind, &s.Description, &s.Quantity, &s.CashPaisa, &s.Wallet, &s.Amount); err != nil {
				rows.Close()
				return err
			}
			s.RaidID = id
			out.Seizures = append(out.Seizures, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		firs, err := loadEach(t, "SELECT id FROM firs WHERE raid_id = ? ORDER BY id", []any{id}, t.fir)
		for _, f := range firs {
			out.FIRs = append(out.FIRs, *f)
		}
		return err
	})
	return out, err
}

func suspectAD(field string, id int64) string {
	return "suspect:" + field + ":" + strconv.FormatInt(id, 10)
}

// AddSuspect records a person found at a centre or named in an FIR; the
// CNIC and passport are sealed and bound to the row.
func (db *DB) AddSuspect(ctx context.Context, p *greyline.Suspect) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		if err := t.queryRow("INSERT INTO suspects (name, nationality, gender, role, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			p.Name, p.Nationality, p.Gender, p.Role, db.now()).Scan(&p.ID); err != nil {
			return err
		}
		var cnic, pass []byte
		var cnicHash, passHash string
		if p.CNIC != "" {
			cnic, cnicHash = db.opt.Keys.Seal([]byte(p.CNIC), suspectAD("cnic", p.ID)), lookupHash(db, "cnic", p.CNIC)
		}
		if p.Passport != "" {
			pass, passHash = db.opt.Keys.Seal([]byte(p.Passport), suspectAD("passport", p.ID)), lookupHash(db, "passport", p.Nationality+":"+p.Passport)
		}
		if _, err := t.exec("UPDATE suspects SET cnic_sealed = ?, cnic_hash = ?, passport_sealed = ?, passport_hash = ? WHERE id = ?", cnic, cnicHash, pass, passHash, p.ID); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "suspect.create", RecordType: "suspect", RecordID: idString(p.ID), Detail: "nationality=" + p.Nationality})
	})
}

func (t *tx) suspect(id int64, reveal bool) (*greyline.Suspect, error) {
	var p greyline.Suspect
	var cnic, pass []byte
	err := t.queryRow("SELECT id, name, cnic_sealed, passport_sealed, nationality, gender, role FROM suspects WHERE id = ?", id).
		Scan(&p.ID, &p.Name, &cnic, &pass, &p.Nationality, &p.Gender, &p.Role)
	if err != nil {
		return nil, notFound(err, "Person")
	}
	open := func(sealed []byte, field string) (string, error) {
		if len(sealed) == 0 {
			return "", nil
		}
		v, err := t.db.opt.Keys.Open(sealed, suspectAD(field, id))
		if err != nil {
			return "", greyline.Internal(err)
		}
		return string(v), nil
	}
	if p.CNIC, err = open(cnic, "cnic"); err != nil {
		return nil, err
	}
	if p.Passport, err = open(pass, "passport"); err != nil {
		return nil, err
	}
	if !reveal {
		p = p.Masked()
	}
	return &p, nil
}

// RevealSuspect returns a person in full and audits the read.
func (db *DB) RevealSuspect(ctx context.Context, id int64) (*greyline.Suspect, error) {
	var p *greyline.Suspect
	err := db.write(ctx, func(t *tx) error {
		var err error
		if p, err = t.suspect(id, true); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "suspect.reveal", RecordType: "suspect", RecordID: idString(id), Detail: "identity documents viewed"})
	})
	return p, err
}

// RecordArrest records an arrest in a raid of the operation it is
// recorded under.
func (db *DB) RecordArrest(ctx context.Context, a *greyline.Arrest) error {
	var v greyline.Validation
	v.Check(a.OperationID > 0, "operation_id", "name the operation")
	v.Check(a.RaidID > 0, "raid_id", "name the raid")
	v.Check(a.SuspectID > 0, "suspect_id", "name the person")
	v.Check(!a.At.IsZero(), "at", "is required")
	v.Check(!a.At.After(db.now()), "at", "must not be in the future")
	if err := v.Err(); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		r, err := t.raid(a.RaidID)
		if err != nil {
			return greyline.Invalid("raid_id", "is not a raid")
		}
		if r.OperationID != a.OperationID {
			return greyline.Invalid("raid_id", "belongs to another operation")
		}
		if a.At.Before(r.At.Add(-24 * time.Hour)) {
			return greyline.Invalid("at", "is before the raid")
		}
		if _, err := t.suspect(a.SuspectID, false); err != nil {
			return greyline.Invalid("suspect_id", "is not a recorded person")
		}
		err = t.queryRow("INSERT INTO arrests (suspect_id, raid_id, at) VALUES (?, ?, ?) RETURNING id", a.SuspectID, a.RaidID, a.At.UTC()).Scan(&a.ID)
		if isUnique(err) {
			return greyline.Invalid("suspect_id", "was already arrested in this raid")
		}
		if err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "arrest.record", RecordType: "arrest", RecordID: idString(a.ID), Detail: fmt.Sprintf("raid_id=%d suspect_id=%d", a.RaidID, a.SuspectID)})
	})
}

// RegisterFIR stores an FIR with its accused and complaints; complaints
// not closed become "case registered", which their complainants see.
func (db *DB) RegisterFIR(ctx context.Context, f *greyline.FIR) error {
	if err := f.Validate(db.now()); err != nil {
		return err
	}
	slices.Sort(f.Accused)
	f.Accused = slices.Compact(f.Accused)
	slices.Sort(f.Complaints)
	f.Complaints = slices.Compact(f.Complaints)
	return db.write(ctx, func(t *tx) error {
		var raid any
		if f.RaidID != 0 {
			if _, err := t.raid(f.RaidID); err != nil {
				return greyline.Invalid("raid_id", "is not a raid")
			}
			raid = f.RaidID
		}
		for i, s := range f.Accused {
			if _, err := t.suspect(s, false); err != nil {
				return greyline.Invalid(fmt.Sprintf("accused[%d]", i), "is not a recorded person")
			}
		}
		if err := t.checkComplaints("complaints", f.Complaints); err != nil {
			return err
		}
		now := db.now()
		f.StageChanged = now
		err := t.queryRow(`INSERT INTO firs (number, registered_on, station, city, province, peca_sections, other_laws, raid_id, stage, stage_changed, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.Number, f.RegisteredOn.UTC(), f.Station, f.City, f.Province,
			strings.Join(f.PECASections, ","), strings.Join(f.OtherLaws, "\n"), raid, f.Stage, now, greyline.ActorFrom(ctx).UserID, now).Scan(&f.ID)
		if isUnique(err) {
			return greyline.Invalid("number", "this station already registered an FIR with this number")
		}
		if err != nil {
			return err
		}
		f.Version = 1
		for _, s := range f.Accused {
			if _, err := t.exec("INSERT INTO fir_accused (fir_id, suspect_id) VALUES (?, ?)", f.ID, s); err != nil {
				return err
			}
		}
		user := greyline.ActorFrom(ctx).UserID
		for _, c := range f.Complaints {
			if _, err := t.exec("INSERT INTO fir_complaints (fir_id, complaint_id) VALUES (?, ?)", f.ID, c); err != nil {
				return err
			}
			var status greyline.ComplaintStatus
			if err := t.queryRow("SELECT status FROM complaints WHERE id = ?", c).Scan(&status); err != nil {
				return err
			}
			if status == greyline.ComplaintClosed || status == greyline.ComplaintCaseRegistered {
				continue
			}
			if _, err := t.exec("UPDATE complaints SET status = 'case_registered', version = version + 1, updated_at = ? WHERE id = ?", now, c); err != nil {
				return err
			}
			if _, err := t.exec("INSERT INTO complaint_events (complaint_id, at, user_id, from_status, to_status, note, public_message) VALUES (?, ?, ?, ?, 'case_registered', ?, ?)",
				c, now, user, status, "FIR "+f.Number+" at "+f.Station, "A case has been registered (FIR "+f.Number+")."); err != nil {
				return err
			}
		}
		if _, err := t.exec("INSERT INTO fir_events (fir_id, at, user_id, stage, note) VALUES (?, ?, ?, ?, 'registered')", f.ID, now, user, f.Stage); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "fir.register", RecordType: "fir", RecordID: idString(f.ID),
			Detail: fmt.Sprintf("number=%s accused=%d complaints=%d", f.Number, len(f.Accused), len(f.Complaints))})
	})
}

func (t *tx) fir(id int64) (*greyline.FIR, error) {
	var f greyline.FIR
	var raid sql.NullInt64
	var sections, laws string
	err := t.queryRow("SELECT id, number, registered_on, station, city, province, peca_sections, other_laws, raid_id, stage, stage_changed, version FROM firs WHERE id = ?", id).
		Scan(&f.ID, &f.Number, &f.RegisteredOn, &f.Station, &f.City, &f.Province, &sections, &laws, &raid, &f.Stage, &f.StageChanged, &f.Version)
	if err != nil {
		return nil, notFound(err, "FIR")
	}
	f.RegisteredOn, f.StageChanged, f.RaidID = f.RegisteredOn.UTC(), f.StageChanged.UTC(), raid.Int64
	f.PECASections, f.OtherLaws = splitNonEmpty(sections, ","), splitNonEmpty(laws, "\n")
	rows, err := t.query("SELECT suspect_id FROM fir_accused WHERE fir_id = ? ORDER BY suspect_id", id)
	if err != nil {
		return nil, err
	}
	if f.Accused, err = scanIDs(rows); err != nil {
		return nil, err
	}
	rows, err = t.query("SELECT complaint_id FROM fir_complaints WHERE fir_id = ? ORDER BY complaint_id", id)
	if err != nil {
		return nil, err
	}
	if f.Complaints, err = scanIDs(rows); err != nil {
		return nil, err
	}
	if f.Accused == nil {
		f.Accused = []int64{}
	}
	if f.Complaints == nil {
		f.Complaints = []int64{}
	}
	return &f, nil
}

func splitNonEmpty(s, sep string) []string {
	out := []string{}
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FindFIR returns one FIR.
func (db *DB) FindFIR(ctx context.Context, id int64) (*greyline.FIR, error) {
	var f *greyline.FIR
	err := db.read(ctx, func(t *tx) (err error) { f, err = t.fir(id); return err })
	return f, err
}

// SetCourtStage moves an FIR's case to another court stage; the version
// check keeps two officers from overwriting each other.
func (db *DB) SetCourtStage(ctx context.Context, firID int64, version int, stage greyline.CourtStage, note string) (*greyline.FIR, error) {
	var v greyline.Validation
	v.Check(slices.Contains(greyline.CourtStages, stage), "stage", "is not a court stage")
	v.Check(len(note) <= 2000, "note", "must be at most 2,000 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.FIR
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("firs", firID); err != nil {
			return err
		}
		cur, err := t.fir(firID)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return errStale
		}
		now := db.now()
		if _, err := t.exec("UPDATE firs SET stage = ?, stage_changed = ?, version = version + 1 WHERE id = ?", stage, now, firID); err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO fir_events (fir_id, at, user_id, stage, note) VALUES (?, ?, ?, ?, ?)", firID, now, greyline.ActorFrom(ctx).UserID, stage, note); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "fir.stage", RecordType: "fir", RecordID: idString(firID), Detail: string(cur.Stage) + " to " + string(stage)}); err != nil {
			return err
		}
		out, err = t.fir(firID)
		return err
	})
	return out, err
}

// RecordSeizure stores what a raid seized. A seized crypto wallet becomes
// an identifier with an enforcement finding, which raises its risk tier.
func (db *DB) RecordSeizure(ctx context.Context, s *greyline.Seizure) error {
	if err := s.Validate(); err != nil {
		return err
	}
	var wallet identifier.ID
	if s.Kind == greyline.SeizeCrypto {
		if wallet = identifier.Parse(identifier.Crypto, s.Wallet); !wallet.Valid {
			return greyline.Invalid("wallet", "is not a crypto address: "+wallet.Reason)
		}
		s.Wallet = wallet.Value
	}
	return db.write(ctx, func(t *tx) error {
		r, err := t.raid(s.RaidID)
		if err != nil {
			return greyline.Invalid("raid_id", "is not a raid")
		}
		now := db.now()
		var ident any
		if wallet.Valid {
			var id int64
			finding := fmt.Sprintf("seized in raid %d on %s", r.ID, r.At.In(greyline.Karachi).Format("2 Jan 2006"))
			if err := t.queryRow(`INSERT INTO identifiers (type, match_key, value, first_seen, last_seen, complaints, finding) VALUES (?, ?, ?, ?, ?, 0, ?)
				ON CONFLICT (match_key) DO UPDATE SET finding = excluded.finding RETURNING id`, wallet.Type, wallet.Key, wallet.Value, now, now, finding).Scan(&id); err != nil {
				return err
			}
			ident = id
			t.logChange(greyline.ChangeIdentifier, id)
		}
		if err := t.queryRow(`INSERT INTO seizures (raid_id, kind, description, quantity, cash_paisa, wallet, identifier_id, crypto_amount, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, s.RaidID, s.Kind, s.Description, s.Quantity, s.CashPaisa, s.Wallet, ident, s.Amount, now).Scan(&s.ID); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "seizure.record", RecordType: "seizure", RecordID: idString(s.ID), Detail: fmt.Sprintf("raid_id=%d kind=%s", s.RaidID, s.Kind)})
	})
}

const suspensionColumns = `s.id, s.licence_id, s.raid_id, r.at, r.city, s.org_id, o.code, s.status, s.note, s.decided_at
	FROM suspension_reviews s JOIN raids r ON r.id = s.raid_id JOIN orgs o ON o.id = s.org_id`

func (t *tx) suspensionReviews(cond string, args ...any) ([]*greyline.SuspensionReview, error) {
	rows, err := t.query("SELECT "+suspensionColumns+" WHERE "+cond+" ORDER BY s.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.SuspensionReview
	for rows.Next() {
		var s greyline.SuspensionReview
		var decided sql.NullTime
		if err := rows.Scan(&s.ID, &s.LicenceID, &s.RaidID, &s.RaidAt, &s.RaidCity, &s.OrgID, &s.OrgCode, &s.Status, &s.Note, &decided); err != nil {
			return nil, err
		}
		s.RaidAt = s.RaidAt.UTC()
		if decided.Valid {
			at := decided.Time.UTC()
			s.DecidedAt = &at
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// SuspensionReviews lists a licence's reviews, or the open ones of an
// agency (licenceID 0), or every open one (both 0).
func (db *DB) SuspensionReviews(ctx context.Context, licenceID, orgID int64) ([]*greyline.SuspensionReview, error) {
	var out []*greyline.SuspensionReview
	err := db.read(ctx, func(t *tx) (err error) {
		switch {
		case licenceID != 0:
			out, err = t.suspensionReviews("s.licence_id = ?", licenceID)
		case orgID != 0:
			out, err = t.suspensionReviews("s.org_id = ? AND s.status = 'open'", orgID)
		default:
			out, err = t.suspensionReviews("s.status = 'open'")
		}
		return err
	})
	return out, err
}

// FindSuspensionReview returns one review.
func (db *DB) FindSuspensionReview(ctx context.Context, id int64) (*greyline.SuspensionReview, error) {
	var out *greyline.SuspensionReview
	err := db.read(ctx, func(t *tx) error {
		rs, err := t.suspensionReviews("s.id = ?", id)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return notFound(sql.ErrNoRows, "Suspension decision")
		}
		out = rs[0]
		return nil
	})
	return out, err
}

// DecideSuspension closes an agency's review of a raided licence.
func (db *DB) DecideSuspension(ctx context.Context, id int64, suspend bool, reason, orderNo string) (*greyline.SuspensionReview, error) {
	reason, orderNo = strings.TrimSpace(reason), strings.TrimSpace(orderNo)
	var v greyline.Validation
	v.Check(reason != "" && len(reason) <= 2000, "reason", "is required, at most 2,000 characters")
	if suspend {
		v.Check(orderNo != "" && len(orderNo) <= 100, "order_no", "is required to suspend")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *greyline.SuspensionReview
	err := db.write(ctx, func(t *tx) error {
		if err := t.lockRow("suspension_reviews", id); err != nil {
			return err
		}
		rs, err := t.suspensionReviews("s.id = ?", id)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return notFound(sql.ErrNoRows, "Suspension decision")
		}
		r := rs[0]
		if r.Status != "open" {
			return greyline.Errorf(greyline.ECONFLICT, "This decision was already taken.")
		}
		status := "declined"
		if suspend {
			status = "suspended"
			l, err := t.licence(r.LicenceID)
			if err != nil {
				return err
			}
			// Another agency may have suspended it already: the decision
			// stands, the licence is not suspended twice.
			if l.Status == greyline.LicenceActive || l.Status == greyline.LicenceProvisional {
				why := fmt.Sprintf("After the raid of %s in %s: %s", r.RaidAt.In(greyline.Karachi).Format("2 Jan 2006"), r.RaidCity, reason)
				if _, err := t.changeStatus(r.LicenceID, -1, greyline.LicenceSuspended, why, orderNo); err != nil {
					return err
				}
			}
		}
		now := db.now()
		if _, err := t.exec("UPDATE suspension_reviews SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?", status, greyline.ActorFrom(ctx).UserID, now, reason, id); err != nil {
			return err
		}
		if err := t.audit(greyline.AuditEvent{Action: "suspension." + status, RecordType: "suspension_review", RecordID: idString(id), Detail: fmt.Sprintf("licence_id=%d raid_id=%d", r.LicenceID, r.RaidID)}); err != nil {
			return err
		}
		r.Status, r.Note, r.DecidedAt = status, reason, &now
		out = r
		return nil
	})
	return out, err
}

// CasesOf returns the raids and FIRs that answer any of the complaints, so
// that complaints and networks show what was done about them.
func (db *DB) CasesOf(ctx context.Context, complaintIDs []int64) ([]*greyline.Raid, []*greyline.FIR, error) {
	var raids []*greyline.Raid
	var firs []*greyline.FIR
	err := db.read(ctx, func(t *tx) error {
		raidIDs, firIDs := map[int64]bool{}, map[int64]bool{}
		for start := 0; start < len(complaintIDs); start += 500 {
			chunk := complaintIDs[start:min(start+500, len(complaintIDs))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			for _, q := range []struct {
				sql  string
				into map[int64]bool
			}{{"SELECT DISTINCT raid_id FROM raid_complaints WHERE complaint_id IN ", raidIDs}, {"SELECT DISTINCT fir_id FROM fir_complaints WHERE complaint_id IN ", firIDs}} {
				rows, err := t.query(q.sql+inList(len(args)), args...)
				if err != nil {
					return err
				}
				ids, err := scanIDs(rows)
				if err != nil {
					return err
				}
				for _, id := range ids {
					q.into[id] = true
				}
			}
		}
		for _, id := range slices.Sorted(maps.Keys(raidIDs)) {
			r, err := t.raid(id)
			if err != nil {
				return err
			}
			raids = append(raids, r)
		}
		for _, id := range slices.Sorted(maps.Keys(firIDs)) {
			f, err := t.fir(id)
			if err != nil {
				return err
			}
			firs = append(firs, f)
		}
		return nil
	})
	return raids, firs, err
}

// ListFIRs lists FIRs, newest first (at most 500).
func (db *DB) ListFIRs(ctx context.Context) ([]*greyline.FIR, error) {
	var out []*greyline.FIR
	err := db.read(ctx, func(t *tx) (err error) {
		out, err = loadEach(t, "SELECT id FROM firs ORDER BY registered_on DESC, id DESC LIMIT 500", nil, t.fir)
		return err
	})
	return out, err
}
