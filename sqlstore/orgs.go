package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
)

const orgColumns = "id, code, name, kind, require_2fa, created_at, updated_at"

type scanner interface{ Scan(...any) error }

func scanOrg(s scanner) (*greyline.Org, error) {
	var o greyline.Org
	err := s.Scan(&o.ID, &o.Code, &o.Name, &o.Kind, &o.Require2FA, &o.CreatedAt, &o.UpdatedAt)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return &o, err
}

// CreateOrg stores a new organisation.
func (db *DB) CreateOrg(ctx context.Context, o *greyline.Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	now := db.now()
	return db.write(ctx, func(t *tx) error {
		err := t.queryRow("INSERT INTO orgs (code, name, kind, require_2fa, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			o.Code, o.Name, o.Kind, o.Require2FA, now, now).Scan(&o.ID)
		if isUnique(err) {
			return &greyline.Error{Code: greyline.ECONFLICT, Message: "An organisation with that code already exists.",
				Fields: []greyline.FieldError{{Field: "code", Reason: "is already in use"}}, Err: err}
		}
		if err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt = now, now
		return t.audit(greyline.AuditEvent{Action: "org.create", RecordType: "org", RecordID: strconv.FormatInt(o.ID, 10), Detail: "code=" + o.Code})
	})
}

// UpdateOrg changes an organisation's name or second-factor policy.
func (db *DB) UpdateOrg(ctx context.Context, id int64, upd greyline.OrgUpdate) (*greyline.Org, error) {
	var out *greyline.Org
	err := db.write(ctx, func(t *tx) error {
		o, err := scanOrg(t.queryRow("SELECT "+orgColumns+" FROM orgs WHERE id = ?", id))
		if err != nil {
			return notFound(err, "Organisation")
		}
		var changed []string
		if upd.Name != nil {
			o.Name = *upd.Name
			changed = append(changed, "name")
		}
		if upd.Require2FA != nil {
			o.Require2FA = *upd.Require2FA
			changed = append(changed, "require_2fa="+strconv.FormatBool(o.Require2FA))
		}
		if err := o.Validate(); err != nil {
			return err
		}
		o.UpdatedAt = db.now()
		if _, err := t.exec("UPDATE orgs SET name = ?, require_2fa = ?, updated_at = ? WHERE id = ?", o.Name, o.Require2FA, o.UpdatedAt, id); err != nil {
			return err
		}
		out = o
		return t.audit(greyline.AuditEvent{Action: "org.update", RecordType: "org", RecordID: strconv.FormatInt(id, 10), Detail: strings.Join(changed, ",")})
	})
	return out, err
}

// FindOrgByID returns one organisation.
func (db *DB) FindOrgByID(ctx context.Context, id int64) (*greyline.Org, error) {
	var o *greyline.Org
	err := db.read(ctx, func(t *tx) error {
		var err error
		o, err = scanOrg(t.queryRow("SELECT "+orgColumns+" FROM orgs WHERE id = ?", id))
		return notFound(err, "Organisation")
	})
	return o, err
}

// FindOrgByCode returns the organisation with the given code.
func (db *DB) FindOrgByCode(ctx context.Context, code string) (*greyline.Org, error) {
	var o *greyline.Org
	err := db.read(ctx, func(t *tx) error {
		var err error
		o, err = scanOrg(t.queryRow("SELECT "+orgColumns+" FROM orgs WHERE code = ?", strings.ToUpper(strings.TrimSpace(code))))
		return notFound(err, "Organisation")
	})
	return o, err
}

// ListOrgs returns all organisations by code.
func (db *DB) ListOrgs(ctx context.Context) ([]*greyline.Org, error) {
	var out []*greyline.Org
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT " + orgColumns + " FROM orgs ORDER BY code")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrg(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}
