package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/auth"
)

// dummyHash is verified against when an account does not exist, so that
// response time does not reveal which addresses have accounts.
var dummyHash = auth.Hasher{Time: 1, MemoryKiB: 8, Threads: 1}.Hash("not a real password")

var errBadCredentials = greyline.Errorf(greyline.EUNAUTHENTICATED, "The e-mail address or password is incorrect.")

func lockedError(until time.Time) error {
	return greyline.Errorf(greyline.ERATELIMITED, "This account is locked after too many failed attempts. Try again after %s.", greyline.FormatTime(until))
}

// Authenticate checks a password. Failures count towards a lockout of the
// account; every outcome is audited.
func (db *DB) Authenticate(ctx context.Context, email, password string) (*greyline.User, error) {
	email = greyline.NormalizeEmail(email)
	var v greyline.Validation
	v.Check(email != "", "email", "is required")
	v.Check(password != "", "password", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var (
		u      *greyline.User
		stored string
	)
	err := db.read(ctx, func(t *tx) error {
		var err error
		if u, err = t.findUser("u.email = ?", email); err != nil {
			return err
		}
		return t.queryRow("SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&stored)
	})
	if greyline.ErrorCode(err) == greyline.ENOTFOUND {
		db.opt.Hasher.Verify(password, dummyHash)
		db.RecordAudit(ctx, greyline.AuditEvent{Action: "auth.login", Outcome: greyline.OutcomeFailure, Detail: "unknown account"})
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := db.now()
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		db.RecordAudit(ctx, greyline.AuditEvent{Action: "auth.login", RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10), UserID: u.ID, OrgID: u.OrgID, Outcome: greyline.OutcomeDenied, Detail: "account locked"})
		return nil, lockedError(*u.LockedUntil)
	}
	ok, verr := db.opt.Hasher.Verify(password, stored)
	if verr != nil {
		return nil, greyline.Internal(verr)
	}
	if !ok {
		return nil, db.recordFailure(ctx, u, "wrong password", errBadCredentials)
	}
	if u.Disabled {
		db.RecordAudit(ctx, greyline.AuditEvent{Action: "auth.login", RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10), UserID: u.ID, OrgID: u.OrgID, Outcome: greyline.OutcomeDenied, Detail: "account disabled"})
		return nil, greyline.Errorf(greyline.EUNAUTHENTICATED, "This account is disabled. Contact your administrator.")
	}
	err = db.write(ctx, func(t *tx) error {
		if _, err := t.exec("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", u.ID); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "auth.login", RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10), UserID: u.ID, OrgID: u.OrgID, Detail: "password accepted"})
	})
	return u, err
}

// recordFailure counts a failed attempt (password or second factor) and
// locks the account once the threshold is reached. It returns fail, or the
// lockout error if this attempt caused one.
func (db *DB) recordFailure(ctx context.Context, u *greyline.User, detail string, fail error) error {
	var lockedUntil *time.Time
	err := db.write(ctx, func(t *tx) error {
		var n int
		if err := t.queryRow("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins", u.ID).Scan(&n); err != nil {
			return err
		}
		if n >= db.opt.LockoutThreshold {
			until := db.now().Add(db.opt.LockoutDuration)
			lockedUntil = &until
			if _, err := t.exec("UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", until, u.ID); err != nil {
				return err
			}
			detail += "; account locked"
		}
		return t.audit(greyline.AuditEvent{Action: "auth.login", RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10), UserID: u.ID, OrgID: u.OrgID, Outcome: greyline.OutcomeFailure, Detail: detail})
	})
	if err != nil {
		return err
	}
	if lockedUntil != nil {
		return lockedError(*lockedUntil)
	}
	return fail
}

var errSessionExpired = greyline.Errorf(greyline.EUNAUTHENTICATED, "Your session has ended. Please sign in again.")

const sessionColumns = "id, user_id, state, csrf, created_at, last_seen, expires_at"

func scanSession(s scanner) (*greyline.Session, error) {
	var x greyline.Session
	err := s.Scan(&x.ID, &x.UserID, &x.State, &x.CSRF, &x.CreatedAt, &x.LastSeen, &x.ExpiresAt)
	x.CreatedAt, x.LastSeen, x.ExpiresAt = x.CreatedAt.UTC(), x.LastSeen.UTC(), x.ExpiresAt.UTC()
	return &x, err
}

func (t *tx) createSession(userID int64, state greyline.SessionState) (string, *greyline.Session, error) {
	token, hash := auth.NewSecret("")
	csrf, _ := auth.NewSecret("")
	now := t.db.now()
	s := &greyline.Session{ID: hash, UserID: userID, State: state, CSRF: csrf, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(t.db.opt.SessionMax)}
	_, err := t.exec("INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)", s.ID, s.UserID, s.State, s.CSRF, s.CreatedAt, s.LastSeen, s.ExpiresAt)
	return token, s, err
}

// CreateSession starts a session for a user whose password was accepted.
func (db *DB) CreateSession(ctx context.Context, userID int64, state greyline.SessionState) (string, *greyline.Session, error) {
	var token string
	var s *greyline.Session
	err := db.write(ctx, func(t *tx) error {
		var err error
		token, s, err = t.createSession(userID, state)
		if err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "session.create", RecordType: "user", RecordID: strconv.FormatInt(userID, 10), UserID: userID, Detail: "state=" + string(state)})
	})
	return token, s, err
}

// sessionTouchInterval limits last-seen writes to one a minute per session.
const sessionTouchInterval = time.Minute

// FindSession returns the live session for a cookie token.
func (db *DB) FindSession(ctx context.Context, token string) (*greyline.Session, error) {
	if token == "" {
		return nil, errSessionExpired
	}
	id := auth.HashSecret(token)
	var s *greyline.Session
	err := db.read(ctx, func(t *tx) error {
		var err error
		s, err = scanSession(t.queryRow("SELECT "+sessionColumns+" FROM sessions WHERE id = ?", id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionExpired
	}
	if err != nil {
		return nil, err
	}
	now := db.now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) >= db.opt.SessionIdle {
		db.write(ctx, func(t *tx) error {
			_, err := t.exec("DELETE FROM sessions WHERE id = ?", id)
			return err
		})
		return nil, errSessionExpired
	}
	if now.Sub(s.LastSeen) >= sessionTouchInterval {
		s.LastSeen = now
		if err := db.write(ctx, func(t *tx) error {
			_, err := t.exec("UPDATE sessions SET last_seen = ? WHERE id = ?", now, id)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// PromoteSession replaces a session with a fresh one in a new state, so an
// identifier seen before sign-in is worthless after it.
func (db *DB) PromoteSession(ctx context.Context, token string, state greyline.SessionState) (string, *greyline.Session, error) {
	old, err := db.FindSession(ctx, token)
	if err != nil {
		return "", nil, err
	}
	var nt string
	var s *greyline.Session
	err = db.write(ctx, func(t *tx) error {
		res, err := t.exec("DELETE FROM sessions WHERE id = ?", old.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errSessionExpired // promoted concurrently
		}
		if nt, s, err = t.createSession(old.UserID, state); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "session.renew", RecordType: "user", RecordID: strconv.FormatInt(old.UserID, 10), UserID: old.UserID, Detail: "state=" + string(state)})
	})
	return nt, s, err
}

// DeleteSession signs out.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	id := auth.HashSecret(token)
	return db.write(ctx, func(t *tx) error {
		var userID int64
		err := t.queryRow("DELETE FROM sessions WHERE id = ? RETURNING user_id", id).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "auth.logout", RecordType: "user", RecordID: strconv.FormatInt(userID, 10), UserID: userID})
	})
}

func totpAD(userID int64) string { return "totp:" + strconv.FormatInt(userID, 10) }

// BeginTOTPEnrolment creates a new, not yet active, TOTP secret. An active
// second factor must be reset by an admin (or removed) first.
func (db *DB) BeginTOTPEnrolment(ctx context.Context, userID int64) (*greyline.TOTPEnrolment, error) {
	var en *greyline.TOTPEnrolment
	err := db.write(ctx, func(t *tx) error {
		u, err := t.findUser("u.id = ?", userID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return greyline.Errorf(greyline.ECONFLICT, "A second factor is already set up for this account.")
		}
		// A pending secret is shown again, so that reloading the page or
		// mistyping a code does not invalidate what the user already scanned.
		pending, _, _, err := t.totpState(userID)
		if err != nil {
			return err
		}
		if pending != "" {
			url, qr, err := auth.TOTPKey(db.opt.TOTPIssuer, u.Email, pending)
			if err != nil {
				return greyline.Internal(err)
			}
			en = &greyline.TOTPEnrolment{Secret: pending, URL: url, QRPNG: qr, Account: u.Email}
			return nil
		}
		secret, url, qr, err := auth.NewTOTP(db.opt.TOTPIssuer, u.Email)
		if err != nil {
			return greyline.Internal(err)
		}
		sealed := db.opt.Keys.Seal([]byte(secret), totpAD(userID))
		if _, err := t.exec("UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_step = 0 WHERE id = ?", sealed, false, userID); err != nil {
			return err
		}
		en = &greyline.TOTPEnrolment{Secret: secret, URL: url, QRPNG: qr, Account: u.Email}
		return t.audit(greyline.AuditEvent{Action: "2fa.enrol_begin", RecordType: "user", RecordID: strconv.FormatInt(userID, 10)})
	})
	return en, err
}

func (t *tx) totpState(userID int64) (secret string, enabled bool, lastStep int64, err error) {
	var sealed []byte
	if err = t.queryRow("SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?", userID).Scan(&sealed, &enabled, &lastStep); err != nil {
		return "", false, 0, notFound(err, "User")
	}
	if sealed == nil {
		return "", enabled, lastStep, nil
	}
	p, err := t.db.opt.Keys.Open(sealed, totpAD(userID))
	if err != nil {
		return "", false, 0, greyline.Internal(err)
	}
	return string(p), enabled, lastStep, nil
}

var errBadCode = greyline.Errorf(greyline.EUNAUTHENTICATED, "That code is not correct.")

// ConfirmTOTPEnrolment activates the pending secret once the user proves it
// works, and returns fresh recovery codes (shown once).
func (db *DB) ConfirmTOTPEnrolment(ctx context.Context, userID int64, code string) ([]string, error) {
	if strings.TrimSpace(code) == "" {
		return nil, greyline.Invalid("code", "is required")
	}
	codes := auth.NewRecoveryCodes()
	err := db.write(ctx, func(t *tx) error {
		secret, enabled, last, err := t.totpState(userID)
		if err != nil {
			return err
		}
		if enabled {
			return greyline.Errorf(greyline.ECONFLICT, "A second factor is already set up for this account.")
		}
		if secret == "" {
			return greyline.Errorf(greyline.ECONFLICT, "Start the set-up again: no code is waiting to be confirmed.")
		}
		step, ok := auth.CheckTOTP(secret, code, db.now(), last)
		if !ok {
			return greyline.Invalid("code", "is not the code your app shows; check the time on your phone and try again")
		}
		if _, err := t.exec("UPDATE users SET totp_enabled = ?, totp_last_step = ? WHERE id = ?", true, step, userID); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := t.exec("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", userID, auth.HashSecret(c)); err != nil {
				return err
			}
		}
		return t.audit(greyline.AuditEvent{Action: "2fa.enrol", RecordType: "user", RecordID: strconv.FormatInt(userID, 10)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifySecondFactor accepts a current TOTP code (each at most once) or an
// unused recovery code. Failures count towards the account lockout.
func (db *DB) VerifySecondFactor(ctx context.Context, userID int64, code string) error {
	code = strings.TrimSpace(code)
	if code == "" {
		return greyline.Invalid("code", "is required")
	}
	u, err := db.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	now := db.now()
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		return lockedError(*u.LockedUntil)
	}
	var accepted bool
	err = db.write(ctx, func(t *tx) error {
		secret, enabled, last, err := t.totpState(userID)
		if err != nil {
			return err
		}
		if !enabled {
			return greyline.Errorf(greyline.ECONFLICT, "No second factor is set up for this account.")
		}
		if step, ok := auth.CheckTOTP(secret, code, now, last); ok {
			accepted = true
			if _, err := t.exec("UPDATE users SET totp_last_step = ?, failed_logins = 0 WHERE id = ?", step, userID); err != nil {
				return err
			}
			return t.audit(greyline.AuditEvent{Action: "2fa.verify", RecordType: "user", RecordID: strconv.FormatInt(userID, 10), UserID: userID, OrgID: u.OrgID, Detail: "totp"})
		}
		res, err := t.exec("UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL", now, userID, auth.HashSecret(auth.NormalizeRecoveryCode(code)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			accepted = true
			if _, err := t.exec("UPDATE users SET failed_logins = 0 WHERE id = ?", userID); err != nil {
				return err
			}
			return t.audit(greyline.AuditEvent{Action: "2fa.verify", RecordType: "user", RecordID: strconv.FormatInt(userID, 10), UserID: userID, OrgID: u.OrgID, Detail: "recovery code"})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !accepted {
		return db.recordFailure(ctx, u, "wrong second-factor code", errBadCode)
	}
	return nil
}

const tokenColumns = "id, user_id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at"

func scanToken(s scanner) (*greyline.APIToken, error) {
	var k greyline.APIToken
	var scopes string
	var used, revoked sql.NullTime
	err := s.Scan(&k.ID, &k.UserID, &k.Name, &k.Prefix, &scopes, &k.CreatedAt, &k.ExpiresAt, &used, &revoked)
	k.Scopes = strings.Fields(scopes)
	k.CreatedAt, k.ExpiresAt = k.CreatedAt.UTC(), k.ExpiresAt.UTC()
	if used.Valid {
		x := used.Time.UTC()
		k.LastUsedAt = &x
	}
	if revoked.Valid {
		x := revoked.Time.UTC()
		k.RevokedAt = &x
	}
	return &k, err
}

// TokenPrefix starts every API token, so that leaked ones are easy to find.
const TokenPrefix = "glt_"

// CreateAPIToken issues a bearer token; the secret is returned once and only its hash is kept.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, n greyline.NewAPIToken) (string, *greyline.APIToken, error) {
	if err := n.Validate(); err != nil {
		return "", nil, err
	}
	secret, hash := auth.NewSecret(TokenPrefix)
	now := db.now()
	k := &greyline.APIToken{UserID: userID, Name: n.Name, Prefix: secret[:len(TokenPrefix)+6], Scopes: n.Scopes, CreatedAt: now, ExpiresAt: now.Add(time.Duration(n.ExpiresIn) * 24 * time.Hour)}
	err := db.write(ctx, func(t *tx) error {
		if _, err := t.findUser("u.id = ?", userID); err != nil {
			return err
		}
		if err := t.queryRow("INSERT INTO api_tokens (user_id, name, token_hash, prefix, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			userID, k.Name, hash, k.Prefix, strings.Join(k.Scopes, " "), k.CreatedAt, k.ExpiresAt).Scan(&k.ID); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "token.create", RecordType: "api_token", RecordID: strconv.FormatInt(k.ID, 10), Detail: "scopes=" + strings.Join(k.Scopes, ",")})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

// ListAPITokens returns a user's tokens, newest first.
func (db *DB) ListAPITokens(ctx context.Context, userID int64) ([]*greyline.APIToken, error) {
	var out []*greyline.APIToken
	err := db.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY id DESC", userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeAPIToken revokes one of the user's tokens. Another user's token is
// reported as not found.
func (db *DB) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	return db.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", db.now(), tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return greyline.Errorf(greyline.ENOTFOUND, "API token not found.")
		}
		return t.audit(greyline.AuditEvent{Action: "token.revoke", RecordType: "api_token", RecordID: strconv.FormatInt(tokenID, 10)})
	})
}

var errBadToken = greyline.Errorf(greyline.EUNAUTHENTICATED, "The API token is invalid, expired or revoked.")

// FindAPIToken resolves a bearer secret to an active token.
func (db *DB) FindAPIToken(ctx context.Context, secret string) (*greyline.APIToken, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, errBadToken
	}
	var k *greyline.APIToken
	err := db.read(ctx, func(t *tx) error {
		var err error
		k, err = scanToken(t.queryRow("SELECT "+tokenColumns+" FROM api_tokens WHERE token_hash = ?", auth.HashSecret(secret)))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	now := db.now()
	if !k.Active(now) {
		return nil, errBadToken
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= sessionTouchInterval {
		if err := db.write(ctx, func(t *tx) error {
			_, err := t.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, k.ID)
			return err
		}); err != nil {
			return nil, err
		}
		k.LastUsedAt = &now
	}
	return k, nil
}

// CreateSetupToken returns a one-time secret for creating the first admin.
// It is refused once any user exists.
func (db *DB) CreateSetupToken(ctx context.Context) (string, error) {
	secret, hash := auth.NewSecret("")
	err := db.write(ctx, func(t *tx) error {
		var n int
		if err := t.queryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "Set-up is already complete.")
		}
		if _, err := t.exec("DELETE FROM setup_tokens"); err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)", hash, db.now()); err != nil {
			return err
		}
		return t.audit(greyline.AuditEvent{Action: "setup.token"})
	})
	return secret, err
}

// SetupTokenValid reports whether secret is the live set-up secret.
func (db *DB) SetupTokenValid(ctx context.Context, secret string) bool {
	var n int
	err := db.read(ctx, func(t *tx) error {
		return t.queryRow("SELECT COUNT(*) FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL", auth.HashSecret(secret)).Scan(&n)
	})
	return err == nil && n == 1
}

// CompleteSetup creates the first admin and consumes the set-up secret.
func (db *DB) CompleteSetup(ctx context.Context, secret string, n greyline.NewUser) (*greyline.User, error) {
	n.Roles = []greyline.Role{greyline.RoleAdmin}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash := db.opt.Hasher.Hash(n.Password)
	var u *greyline.User
	err := db.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", db.now(), auth.HashSecret(secret))
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return greyline.Errorf(greyline.EFORBIDDEN, "This set-up link is invalid or has been used.")
		}
		var count int
		if err := t.queryRow("SELECT COUNT(*) FROM users").Scan(&count); err != nil {
			return err
		}
		if count > 0 {
			return greyline.Errorf(greyline.ECONFLICT, "Set-up is already complete.")
		}
		u, err = t.createUser(n, hash)
		return err
	})
	return u, err
}
