package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
)

const userColumns = "u.id, u.org_id, o.code, o.kind, u.email, u.name, u.disabled, u.totp_enabled, u.locked_until, u.created_at, u.updated_at"
const userFrom = " FROM users u JOIN orgs o ON o.id = u.org_id"

func scanUser(s scanner) (*greyline.User, error) {
	var u greyline.User
	var locked sql.NullTime
	err := s.Scan(&u.ID, &u.OrgID, &u.OrgCode, &u.OrgKind, &u.Email, &u.Name, &u.Disabled, &u.TOTPEnabled, &locked, &u.CreatedAt, &u.UpdatedAt)
	if locked.Valid {
		lt := locked.Time.UTC()
		u.LockedUntil = &lt
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, err
}

// loadRoles fills in the roles of users in one query.
func (t *tx) loadRoles(users ...*greyline.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*greyline.User, len(users))
	args := make([]any, len(users))
	for i, u := range users {
		byID[u.ID] = u
		args[i] = u.ID
		u.Roles = []greyline.Role{}
	}
	rows, err := t.query("SELECT user_id, role FROM user_roles WHERE user_id IN ("+placeholders(len(users))+") ORDER BY role", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r greyline.Role
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		byID[id].Roles = append(byID[id].Roles, r)
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (t *tx) findUser(where string, arg any) (*greyline.User, error) {
	u, err := scanUser(t.queryRow("SELECT "+userColumns+userFrom+" WHERE "+where, arg))
	if err != nil {
		return nil, notFound(err, "User")
	}
	return u, t.loadRoles(u)
}

func (t *tx) insertRoles(userID int64, roles []greyline.Role) error {
	if _, err := t.exec("DELETE FROM user_roles WHERE user_id = ?", userID); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := t.exec("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", userID, r); err != nil {
			return err
		}
	}
	return nil
}

func rolesDetail(roles []greyline.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return "roles=" + strings.Join(s, ",")
}

// CreateUser validates n, hashes the password and stores the user.
func (db *DB) CreateUser(ctx context.Context, n greyline.NewUser) (*greyline.User, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash := db.opt.Hasher.Hash(n.Password) // outside the transaction: it is slow on purpose
	var u *greyline.User
	err := db.write(ctx, func(t *tx) error {
		var err error
		u, err = t.createUser(n, hash)
		return err
	})
	return u, err
}

func (t *tx) createUser(n greyline.NewUser, hash string) (*greyline.User, error) {
	var orgID int64
	if err := t.queryRow("SELECT id FROM orgs WHERE id = ?", n.OrgID).Scan(&orgID); err != nil {
		if err == sql.ErrNoRows {
			return nil, greyline.Invalid("org_id", "no such organisation")
		}
		return nil, err
	}
	now := t.db.now()
	var id int64
	err := t.queryRow("INSERT INTO users (org_id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		n.OrgID, n.Email, n.Name, hash, now, now).Scan(&id)
	if isUnique(err) {
		return nil, &greyline.Error{Code: greyline.ECONFLICT, Message: "A user with that e-mail address already exists.",
			Fields: []greyline.FieldError{{Field: "email", Reason: "is already in use"}}, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if err := t.insertRoles(id, n.Roles); err != nil {
		return nil, err
	}
	if err := t.audit(greyline.AuditEvent{Action: "user.create", RecordType: "user", RecordID: strconv.FormatInt(id, 10), Detail: rolesDetail(n.Roles)}); err != nil {
		return nil, err
	}
	return t.findUser("u.id = ?", id)
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*greyline.User, error) {
	var u *greyline.User
	err := db.read(ctx, func(t *tx) error {
		var err error
		u, err = t.findUser("u.id = ?", id)
		return err
	})
	return u, err
}

// FindUserByEmail returns the user with that address.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*greyline.User, error) {
	var u *greyline.User
	err := db.read(ctx, func(t *tx) error {
		var err error
		u, err = t.findUser("u.email = ?", greyline.NormalizeEmail(email))
		return err
	})
	return u, err
}

// ListUsers returns a page of users and the total that match.
func (db *DB) ListUsers(ctx context.Context, f greyline.UserFilter) ([]*greyline.User, int, error) {
	var where []string
	var args []any
	if f.OrgID != 0 {
		where = append(where, "u.org_id = ?")
		args = append(args, f.OrgID)
	}
	if f.Role != "" {
		where = append(where, "u.id IN (SELECT user_id FROM user_roles WHERE role = ?)")
		args = append(args, f.Role)
	}
	if f.Active {
		where = append(where, "NOT u.disabled")
	}
	if q := strings.TrimSpace(strings.ToLower(f.Query)); q != "" {
		where = append(where, "(LOWER(u.email) LIKE ? OR LOWER(u.name) LIKE ?)")
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		args = append(args, like, like)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []*greyline.User
	var total int
	err := db.read(ctx, func(t *tx) error {
		if err := t.queryRow("SELECT COUNT(*)"+userFrom+cond, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := t.query("SELECT "+userColumns+userFrom+cond+" ORDER BY u.email LIMIT ? OFFSET ?", append(args, f.Limit, max(f.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return t.loadRoles(out...)
	})
	return out, total, err
}

// CountUsers returns how many users exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read(ctx, func(t *tx) error { return t.queryRow("SELECT COUNT(*) FROM users").Scan(&n) })
	return n, err
}

// updateUser runs fn on an existing user inside a write transaction.
func (db *DB) updateUser(ctx context.Context, id int64, fn func(t *tx, u *greyline.User, now time.Time) error) error {
	return db.write(ctx, func(t *tx) error {
		u, err := t.findUser("u.id = ?", id)
		if err != nil {
			return err
		}
		now := db.now()
		if err := fn(t, u, now); err != nil {
			return err
		}
		_, err = t.exec("UPDATE users SET updated_at = ? WHERE id = ?", now, id)
		return err
	})
}

// SetUserDisabled disables or re-enables a user; disabling ends their sessions and tokens' use.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	return db.updateUser(ctx, id, func(t *tx, u *greyline.User, now time.Time) error {
		if _, err := t.exec("UPDATE users SET disabled = ? WHERE id = ?", disabled, id); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if _, err := t.exec("DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		return t.audit(greyline.AuditEvent{Action: action, RecordType: "user", RecordID: strconv.FormatInt(id, 10)})
	})
}

// SetUserRoles replaces a user's roles.
func (db *DB) SetUserRoles(ctx context.Context, id int64, roles []greyline.Role) error {
	var v greyline.Validation
	if len(roles) == 0 {
		v.Add("roles", "at least one role is required")
	}
	for _, r := range roles {
		if !r.Valid() {
			v.Add("roles", "unknown role")
			break
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	roles = slices.Clone(roles)
	slices.Sort(roles)
	roles = slices.Compact(roles)
	return db.updateUser(ctx, id, func(t *tx, u *greyline.User, now time.Time) error {
		if err := t.insertRoles(id, roles); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "user.roles", RecordType: "user", RecordID: strconv.FormatInt(id, 10), Detail: rolesDetail(roles)})
	})
}

// ResetPassword sets a password chosen by an admin, clears any lockout and
// ends the user's sessions.
func (db *DB) ResetPassword(ctx context.Context, id int64, password string) error {
	if err := greyline.CheckPassword(password); err != nil {
		return greyline.Invalid("password", err.Error())
	}
	hash := db.opt.Hasher.Hash(password)
	return db.updateUser(ctx, id, func(t *tx, u *greyline.User, now time.Time) error {
		return t.setPassword(id, hash, "user.reset_password")
	})
}

func (t *tx) setPassword(id int64, hash, action string) error {
	if _, err := t.exec("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?", hash, id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM sessions WHERE user_id = ?", id); err != nil {
		return err
	}
	return t.audit(greyline.AuditEvent{Action: action, RecordType: "user", RecordID: strconv.FormatInt(id, 10)})
}

// ChangePassword is the user's own change, which needs the current password.
// The caller's other sessions end; the caller signs in again.
func (db *DB) ChangePassword(ctx context.Context, id int64, current, next string) error {
	var stored string
	if err := db.read(ctx, func(t *tx) error {
		return notFound(t.queryRow("SELECT password_hash FROM users WHERE id = ?", id).Scan(&stored), "User")
	}); err != nil {
		return err
	}
	var v greyline.Validation
	if ok, err := db.opt.Hasher.Verify(current, stored); err != nil || !ok {
		v.Add("current_password", "is not your current password")
	}
	if err := greyline.CheckPassword(next); err != nil {
		v.Add("new_password", err.Error())
	} else if next == current {
		v.Add("new_password", "must differ from the current password")
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash := db.opt.Hasher.Hash(next)
	return db.updateUser(ctx, id, func(t *tx, u *greyline.User, now time.Time) error {
		// Lost-update guard: the hash checked above must still be current.
		var again string
		if err := t.queryRow("SELECT password_hash FROM users WHERE id = ?", id).Scan(&again); err != nil {
			return err
		}
		if again != stored {
			return greyline.Errorf(greyline.ECONFLICT, "Your password was changed at the same time. Please try again.")
		}
		return t.setPassword(id, hash, "user.change_password")
	})
}

// ResetTOTP removes a user's second factor and recovery codes.
func (db *DB) ResetTOTP(ctx context.Context, id int64) error {
	return db.updateUser(ctx, id, func(t *tx, u *greyline.User, now time.Time) error {
		if _, err := t.exec("UPDATE users SET totp_secret = NULL, totp_enabled = ?, totp_last_step = 0 WHERE id = ?", false, id); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM recovery_codes WHERE user_id = ?", id); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "user.reset_2fa", RecordType: "user", RecordID: strconv.FormatInt(id, 10)})
	})
}
