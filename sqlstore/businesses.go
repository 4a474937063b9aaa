package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
)

const businessColumns = "id, org_id, legal_name, trade_name, kind, legal_form, secp_number, ntn, pseb_number, registered_address, inbound_percent, client_countries, version, created_at, updated_at"

func scanBusiness(s scanner) (*greyline.Business, error) {
	var b greyline.Business
	var countries string
	err := s.Scan(&b.ID, &b.OrgID, &b.LegalName, &b.TradeName, &b.Kind, &b.LegalForm, &b.SECPNumber, &b.NTN, &b.PSEBNumber, &b.RegisteredAddress, &b.InboundPercent, &countries, &b.Version, &b.CreatedAt, &b.UpdatedAt)
	b.ClientCountries = strings.Fields(countries)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return &b, err
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// CreateBusiness stores a business for an organisation that has none.
func (db *DB) CreateBusiness(ctx context.Context, b *greyline.Business) error {
	if err := b.Validate(); err != nil {
		return err
	}
	now := db.now()
	return db.write(ctx, func(t *tx) error {
		var kind greyline.OrgKind
		if err := t.queryRow("SELECT kind FROM orgs WHERE id = ?", b.OrgID).Scan(&kind); err != nil {
			if err == sql.ErrNoRows {
				return greyline.Invalid("org_id", "no such organisation")
			}
			return err
		}
		if kind != greyline.OrgBusiness {
			return greyline.Invalid("org_id", "must be an organisation of kind business")
		}
		err := t.queryRow(`INSERT INTO businesses (org_id, legal_name, trade_name, kind, legal_form, secp_number, ntn, pseb_number, registered_address, inbound_percent, client_countries, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			b.OrgID, b.LegalName, b.TradeName, b.Kind, b.LegalForm, b.SECPNumber, b.NTN, b.PSEBNumber, b.RegisteredAddress, b.InboundPercent, strings.Join(b.ClientCountries, " "), now, now).Scan(&b.ID)
		if isUnique(err) {
			return &greyline.Error{Code: greyline.ECONFLICT, Message: "This organisation already has a business record.", Fields: []greyline.FieldError{{Field: "org_id", Reason: "already has a business"}}, Err: err}
		}
		if err != nil {
			return err
		}
		b.Version, b.CreatedAt, b.UpdatedAt = 1, now, now
		return t.audit(greyline.AuditEvent{Action: "business.create", RecordType: "business", RecordID: idString(b.ID)})
	})
}

var errStale = greyline.Errorf(greyline.ECONFLICT, "Someone else changed this record after you opened it. Reload the page and try again.")

// UpdateBusiness saves b if its version is current.
func (db *DB) UpdateBusiness(ctx context.Context, b *greyline.Business) error {
	if err := b.Validate(); err != nil {
		return err
	}
	now := db.now()
	return db.write(ctx, func(t *tx) error {
		res, err := t.exec(`UPDATE businesses SET legal_name = ?, trade_name = ?, kind = ?, legal_form = ?, secp_number = ?, ntn = ?, pseb_number = ?, registered_address = ?, inbound_percent = ?, client_countries = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`,
			b.LegalName, b.TradeName, b.Kind, b.LegalForm, b.SECPNumber, b.NTN, b.PSEBNumber, b.RegisteredAddress, b.InboundPercent, strings.Join(b.ClientCountries, " "), now, b.ID, b.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if _, err := t.business(b.ID); err != nil {
				return err
			}
			return errStale
		}
		b.Version++
		b.UpdatedAt = now
		t.changed(b.ID) // the registry index shows the trade and legal names
		return t.audit(greyline.AuditEvent{Action: "business.update", RecordType: "business", RecordID: idString(b.ID)})
	})
}

func (t *tx) business(id int64) (*greyline.Business, error) {
	b, err := scanBusiness(t.queryRow("SELECT "+businessColumns+" FROM businesses WHERE id = ?", id))
	if err != nil {
		return nil, notFound(err, "Business")
	}
	return b, nil
}

// FindBusinessByID returns one business.
func (db *DB) FindBusinessByID(ctx context.Context, id int64) (*greyline.Business, error) {
	var b *greyline.Business
	err := db.read(ctx, func(t *tx) (err error) { b, err = t.business(id); return err })
	return b, err
}

// FindBusinessByOrg returns the business of an organisation.
func (db *DB) FindBusinessByOrg(ctx context.Context, orgID int64) (*greyline.Business, error) {
	var b *greyline.Business
	err := db.read(ctx, func(t *tx) error {
		var err error
		b, err = scanBusiness(t.queryRow("SELECT "+businessColumns+" FROM businesses WHERE org_id = ?", orgID))
		return notFound(err, "Business")
	})
	return b, err
}

// ListBusinesses returns businesses by trade name.
func (db *DB) ListBusinesses(ctx context.Context, f greyline.BusinessFilter) ([]*greyline.Business, int, error) {
	cond, args := "", []any{}
	if q := strings.TrimSpace(strings.ToLower(f.Query)); q != "" {
		cond = " WHERE LOWER(trade_name) LIKE ? OR LOWER(legal_name) LIKE ?"
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		args = append(args, like, like)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []*greyline.Business
	var total int
	err := db.read(ctx, func(t *tx) error {
		if err := t.queryRow("SELECT COUNT(*) FROM businesses"+cond, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := t.query("SELECT "+businessColumns+" FROM businesses"+cond+" ORDER BY trade_name LIMIT ? OFFSET ?", append(args, f.Limit, max(0, f.Offset))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBusiness(rows)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, total, err
}

// Personal data is sealed with the record it belongs to as associated
// data, so a sealed value cannot be moved to another business.
func personAD(field string, businessID int64) string {
	return "person." + field + ":" + idString(businessID)
}

func (db *DB) sealPerson(p *greyline.Person) (cnic, cnicHash, pass, passHash any) {
	if p.CNIC != "" {
		cnic = db.opt.Keys.Seal([]byte(p.CNIC), personAD("cnic", p.BusinessID))
		cnicHash = lookupHash(db, "cnic", p.CNIC)
	} else {
		cnicHash = ""
	}
	if p.Passport != "" {
		pass = db.opt.Keys.Seal([]byte(p.Nationality+":"+p.Passport), personAD("passport", p.BusinessID))
		passHash = lookupHash(db, "passport", p.Nationality+":"+p.Passport)
	} else {
		passHash = ""
	}
	return
}

// lookupHash is a keyed hash for finding records by personal data without
// storing it in the clear. It keeps 16 bytes of the MAC: collisions stay
// out of reach, and the indexes on these columns, which every insert
// writes at a random place, are half as big (migration 0007).
func lookupHash(db *DB, kind, value string) string {
	return hex.EncodeToString(db.opt.Keys.MAC("lookup:"+kind, value)[:16])
}

// lookupHashes is the value's lookup hash under every master of the
// keyring, the sealing one first: while keys are rotated, a record may
// still hold the hash under an older master (see RotateKeys).
func lookupHashes(db *DB, kind, value string) []any {
	macs := db.opt.Keys.MACs("lookup:"+kind, value)
	out := make([]any, len(macs))
	for i, m := range macs {
		out[i] = hex.EncodeToString(m[:16])
	}
	return out
}

// SavePerson creates or updates a person of a business.
func (db *DB) SavePerson(ctx context.Context, p *greyline.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	cnic, cnicHash, pass, passHash := db.sealPerson(p)
	create := p.ID == 0 // decided once, as in SaveSite
	err := db.write(ctx, func(t *tx) error {
		if _, err := t.business(p.BusinessID); err != nil {
			return err
		}
		action := "person.update"
		if create {
			action = "person.create"
			if err := t.queryRow("INSERT INTO persons (business_id, name, role, cnic_sealed, cnic_hash, passport_sealed, passport_hash, nationality) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				p.BusinessID, p.Name, p.Role, cnic, cnicHash, pass, passHash, p.Nationality).Scan(&p.ID); err != nil {
				return err
			}
		} else {
			res, err := t.exec("UPDATE persons SET name = ?, role = ?, cnic_sealed = ?, cnic_hash = ?, passport_sealed = ?, passport_hash = ?, nationality = ? WHERE id = ? AND business_id = ?",
				p.Name, p.Role, cnic, cnicHash, pass, passHash, p.Nationality, p.ID, p.BusinessID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return greyline.Errorf(greyline.ENOTFOUND, "Person not found.")
			}
		}
		return t.audit(greyline.AuditEvent{Action: action, RecordType: "person", RecordID: idString(p.ID), Detail: "business=" + idString(p.BusinessID)})
	})
	if err != nil && create {
		p.ID = 0
	}
	return err
}

// DeletePerson removes a person from a business.
func (db *DB) DeletePerson(ctx context.Context, businessID, personID int64) error {
	return db.write(ctx, func(t *tx) error {
		if err := t.owned("persons", personID, businessID, "Person"); err != nil {
			return err
		}
		var docs int
		if err := t.queryRow("SELECT COUNT(*) FROM documents WHERE person_id = ?", personID).Scan(&docs); err != nil {
			return err
		}
		if docs > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "This person has documents on an application and cannot be removed.")
		}
		res, err := t.exec("DELETE FROM persons WHERE id = ? AND business_id = ?", personID, businessID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return greyline.Errorf(greyline.ENOTFOUND, "Person not found.")
		}
		return t.audit(greyline.AuditEvent{Action: "person.delete", RecordType: "person", RecordID: idString(personID), Detail: "business=" + idString(businessID)})
	})
}

func (t *tx) persons(businessID, personID int64, reveal bool) ([]*greyline.Person, error) {
	q := "SELECT id, business_id, name, role, cnic_sealed, passport_sealed, nationality FROM persons WHERE business_id = ?"
	args := []any{businessID}
	if personID != 0 {
		q += " AND id = ?"
		args = append(args, personID)
	}
	rows, err := t.query(q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.Person
	for rows.Next() {
		var p greyline.Person
		var cnic, pass []byte
		if err := rows.Scan(&p.ID, &p.BusinessID, &p.Name, &p.Role, &cnic, &pass, &p.Nationality); err != nil {
			return nil, err
		}
		if cnic != nil {
			v, err := t.db.opt.Keys.Open(cnic, personAD("cnic", businessID))
			if err != nil {
				return nil, greyline.Internal(err)
			}
			p.CNIC = string(v)
		}
		if pass != nil {
			v, err := t.db.opt.Keys.Open(pass, personAD("passport", businessID))
			if err != nil {
				return nil, greyline.Internal(err)
			}
			_, p.Passport, _ = strings.Cut(string(v), ":")
		}
		if !reveal {
			p.CNIC, p.Passport = greyline.MaskCNIC(p.CNIC), greyline.MaskPassport(p.Passport)
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// ListPersons returns a business's people with CNIC and passport masked.
func (db *DB) ListPersons(ctx context.Context, businessID int64) ([]*greyline.Person, error) {
	var out []*greyline.Person
	err := db.read(ctx, func(t *tx) (err error) { out, err = t.persons(businessID, 0, false); return err })
	return out, err
}

// RevealPerson returns one person in full and audits the read of personal data.
func (db *DB) RevealPerson(ctx context.Context, businessID, personID int64) (*greyline.Person, error) {
	var out []*greyline.Person
	err := db.write(ctx, func(t *tx) error {
		var err error
		if out, err = t.persons(businessID, personID, true); err != nil {
			return err
		}
		if len(out) == 0 {
			return greyline.Errorf(greyline.ENOTFOUND, "Person not found.")
		}
		return t.audit(greyline.AuditEvent{Action: "person.reveal", RecordType: "person", RecordID: idString(personID), Detail: "personal data viewed"})
	})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

const siteColumns = "id, business_id, address, city, province, seats, staff, foreign_staff, main_office, resources"

func scanSite(s scanner) (*greyline.Site, error) {
	var x greyline.Site
	var res string
	if err := s.Scan(&x.ID, &x.BusinessID, &x.Address, &x.City, &x.Province, &x.Seats, &x.Staff, &x.ForeignStaff, &x.MainOffice, &res); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(res), &x.Resources); err != nil {
		return nil, greyline.Internal(err)
	}
	return &x, nil
}

// SaveSite creates or updates a site. Declared numbers are checked against
// every other licensee whose licence still holds numbers: a number belongs
// to at most one licensee.
func (db *DB) SaveSite(ctx context.Context, s *greyline.Site) error {
	if err := s.Validate(); err != nil {
		return err
	}
	intervals, err := numberIntervals(s.Resources)
	if err != nil {
		return err
	}
	res, _ := json.Marshal(s.Resources)
	// Decided once: a retried transaction must not take the id its
	// rolled-back attempt was given for an existing site.
	create := s.ID == 0
	err = db.write(ctx, func(t *tx) error {
		if _, err := t.business(s.BusinessID); err != nil {
			return err
		}
		if err := t.lockNumbers(); err != nil {
			return err
		}
		for _, iv := range intervals {
			holder, err := t.numberHolder(s.BusinessID, iv)
			if err != nil {
				return err
			}
			if holder != "" {
				return &greyline.Error{Code: greyline.ECONFLICT, Message: "A declared number is already held by another licensee.",
					Fields: []greyline.FieldError{{Field: iv.field, Reason: "overlaps numbers declared under licence " + holder}}}
			}
		}
		action := "site.update"
		if create {
			action = "site.create"
			if err := t.queryRow("INSERT INTO sites (business_id, address, city, province, seats, staff, foreign_staff, main_office, resources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				s.BusinessID, s.Address, s.City, s.Province, s.Seats, s.Staff, s.ForeignStaff, s.MainOffice, string(res)).Scan(&s.ID); err != nil {
				return err
			}
		} else {
			r, err := t.exec("UPDATE sites SET address = ?, city = ?, province = ?, seats = ?, staff = ?, foreign_staff = ?, main_office = ?, resources = ? WHERE id = ? AND business_id = ?",
				s.Address, s.City, s.Province, s.Seats, s.Staff, s.ForeignStaff, s.MainOffice, string(res), s.ID, s.BusinessID)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return greyline.Errorf(greyline.ENOTFOUND, "Site not found.")
			}
			if _, err := t.exec("DELETE FROM site_numbers WHERE site_id = ?", s.ID); err != nil {
				return err
			}
		}
		for _, iv := range intervals {
			if _, err := t.exec("INSERT INTO site_numbers (site_id, digits, start_num, end_num) VALUES (?, ?, ?, ?)", s.ID, iv.digits, iv.start, iv.end); err != nil {
				return err
			}
		}
		t.changed(s.BusinessID)
		return t.audit(greyline.AuditEvent{Action: action, RecordType: "site", RecordID: idString(s.ID), Detail: "business=" + idString(s.BusinessID)})
	})
	if err != nil && create {
		s.ID = 0
	}
	return err
}

// lockNumbers serialises declarations of numbers, so that two licensees
// cannot claim the same number at once. SQLite has one writer already.
// The audit chain is locked first: a grant audits the decision before it
// checks the numbers, and a transaction that took the numbers first would
// deadlock against it when it came to audit.
func (t *tx) lockNumbers() error {
	if t.db.engine != Postgres {
		return nil
	}
	if err := t.lockAuditChain(); err != nil {
		return err
	}
	_, err := t.exec("SELECT pg_advisory_xact_lock(7336803)")
	return err
}

type interval struct {
	field      string
	digits     int
	start, end int64
}

// numberIntervals turns declared E.164 numbers and ranges into integers.
func numberIntervals(r greyline.Resources) ([]interval, error) {
	var out []interval
	conv := func(e164 string) (int64, int) {
		n, _ := strconv.ParseInt(strings.TrimPrefix(e164, "+"), 10, 64)
		return n, len(e164) - 1
	}
	for i, n := range r.Numbers {
		v, d := conv(n)
		out = append(out, interval{field: "resources.numbers[" + strconv.Itoa(i) + "]", digits: d, start: v, end: v})
	}
	for i, rg := range r.Ranges {
		a, d := conv(rg.Start)
		b, _ := conv(rg.End)
		out = append(out, interval{field: "resources.ranges[" + strconv.Itoa(i) + "]", digits: d, start: a, end: b})
	}
	return out, nil
}

// DeleteSite removes a site that has never been licensed.
func (db *DB) DeleteSite(ctx context.Context, businessID, siteID int64) error {
	return db.write(ctx, func(t *tx) error {
		if err := t.owned("sites", siteID, businessID, "Site"); err != nil {
			return err
		}
		var n int
		if err := t.queryRow("SELECT COUNT(*) FROM licences WHERE site_id = ?", siteID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "A licensed site cannot be removed; surrender its licence instead.")
		}
		if err := t.queryRow("SELECT COUNT(*) FROM application_sites WHERE site_id = ?", siteID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "This site is part of an application and cannot be removed.")
		}
		res, err := t.exec("DELETE FROM sites WHERE id = ? AND business_id = ?", siteID, businessID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return greyline.Errorf(greyline.ENOTFOUND, "Site not found.")
		}
		return t.audit(greyline.AuditEvent{Action: "site.delete", RecordType: "site", RecordID: idString(siteID), Detail: "business=" + idString(businessID)})
	})
}

func (t *tx) sites(businessID int64) ([]*greyline.Site, error) {
	rows, err := t.query("SELECT "+siteColumns+" FROM sites WHERE business_id = ? ORDER BY id", businessID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*greyline.Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ListSites returns a business's sites.
func (db *DB) ListSites(ctx context.Context, businessID int64) ([]*greyline.Site, error) {
	var out []*greyline.Site
	err := db.read(ctx, func(t *tx) (err error) { out, err = t.sites(businessID); return err })
	return out, err
}

// owned checks that a person or site belongs to the business in the path,
// before anything else is said about it.
func (t *tx) owned(table string, id, businessID int64, what string) error {
	var n int
	if err := t.queryRow("SELECT COUNT(*) FROM "+table+" WHERE id = ? AND business_id = ?", id, businessID).Scan(&n); err != nil {
		return err
	}
	if n != 1 {
		return greyline.Errorf(greyline.ENOTFOUND, "%s not found.", what)
	}
	return nil
}
