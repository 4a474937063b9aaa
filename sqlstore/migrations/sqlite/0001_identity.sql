CREATE TABLE orgs (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	require_2fa INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
	id              INTEGER PRIMARY KEY,
	org_id          INTEGER NOT NULL REFERENCES orgs(id),
	email           TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	password_hash   TEXT NOT NULL,
	disabled        INTEGER NOT NULL DEFAULT 0,
	totp_secret     BLOB,
	totp_enabled    INTEGER NOT NULL DEFAULT 0,
	totp_last_step  INTEGER NOT NULL DEFAULT 0,
	failed_logins   INTEGER NOT NULL DEFAULT 0,
	locked_until    TIMESTAMP,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_roles (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role    TEXT NOT NULL,
	PRIMARY KEY (user_id, role)
);

CREATE TABLE recovery_codes (
	user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	used_at   TIMESTAMP,
	PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	state      TEXT NOT NULL,
	csrf       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	last_seen  TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	prefix       TEXT NOT NULL,
	scopes       TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE setup_tokens (
	token_hash TEXT PRIMARY KEY,
	created_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP
);

-- Append-only: ids are assigned by the application, contiguous from 1.
CREATE TABLE audit_events (
	id          INTEGER PRIMARY KEY,
	at          TIMESTAMP NOT NULL,
	user_id     INTEGER NOT NULL DEFAULT 0,
	org_id      INTEGER NOT NULL DEFAULT 0,
	token_id    INTEGER NOT NULL DEFAULT 0,
	ip          TEXT NOT NULL DEFAULT '',
	request_id  TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	record_type TEXT NOT NULL DEFAULT '',
	record_id   TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX audit_user ON audit_events(user_id, id);
CREATE INDEX audit_org ON audit_events(org_id, id);
CREATE INDEX audit_record ON audit_events(record_type, record_id, id);
CREATE INDEX audit_action ON audit_events(action, id);

-- Defence in depth: the application never changes audit events, and the
-- database refuses to as well.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
