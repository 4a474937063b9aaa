-- Takedown requests to platforms, SECP's lending-app lists, the crypto
-- wallet watchlist, alerts, and the shared indicators' log (the partner
-- feeds and STIX export read it in order of seq).
CREATE TABLE takedowns (
	id              INTEGER PRIMARY KEY,
	reference       TEXT NOT NULL UNIQUE,
	org_id          INTEGER NOT NULL REFERENCES orgs(id),
	target          TEXT NOT NULL,
	platform        TEXT NOT NULL,
	value           TEXT NOT NULL,
	identifier_type TEXT NOT NULL,
	match_key       TEXT NOT NULL,
	identifier_id   INTEGER REFERENCES identifiers(id),
	name            TEXT NOT NULL DEFAULT '',
	developer       TEXT NOT NULL DEFAULT '',
	developer_email TEXT NOT NULL DEFAULT '',
	contacts        TEXT NOT NULL DEFAULT '', -- match keys, one per line
	listing_url     TEXT NOT NULL DEFAULT '',
	legal_basis     TEXT NOT NULL,
	tlp             TEXT NOT NULL,
	notes           TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	requested_at    TIMESTAMP NOT NULL,
	due_at          TIMESTAMP NOT NULL,
	acknowledged_at TIMESTAMP,
	removed_at      TIMESTAMP,
	rejected_at     TIMESTAMP,
	reappeared_at   TIMESTAMP,
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL
);
CREATE INDEX takedowns_org ON takedowns(org_id, status, due_at);
CREATE INDEX takedowns_key ON takedowns(match_key);

CREATE TABLE takedown_links (
	takedown_id INTEGER NOT NULL REFERENCES takedowns(id),
	kind        TEXT NOT NULL, -- complaint or network
	ref_id      INTEGER NOT NULL,
	PRIMARY KEY (takedown_id, kind, ref_id)
);

CREATE TABLE takedown_events (
	id          INTEGER PRIMARY KEY,
	takedown_id INTEGER NOT NULL REFERENCES takedowns(id),
	at          TIMESTAMP NOT NULL,
	status      TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	by_user     INTEGER NOT NULL
);
CREATE INDEX takedown_events_takedown ON takedown_events(takedown_id, id);

ALTER TABLE documents ADD COLUMN takedown_id INTEGER REFERENCES takedowns(id);
CREATE INDEX documents_takedown ON documents(takedown_id);

-- A takedown's effect on its identifier's tier.
ALTER TABLE identifiers ADD COLUMN removal TEXT NOT NULL DEFAULT '';

CREATE TABLE lending_apps (
	id         INTEGER PRIMARY KEY,
	package_id TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL,
	lender     TEXT NOT NULL DEFAULT '',
	developer  TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	notes      TEXT NOT NULL DEFAULT '',
	updated_by INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX lending_apps_package ON lending_apps(package_id) WHERE package_id <> '';

CREATE TABLE watched_wallets (
	id         INTEGER PRIMARY KEY,
	chain      TEXT NOT NULL,
	address    TEXT NOT NULL,
	match_key  TEXT NOT NULL UNIQUE,
	reason     TEXT NOT NULL,
	tlp        TEXT NOT NULL,
	active     INTEGER NOT NULL DEFAULT 1,
	added_by   INTEGER NOT NULL,
	added_at   TIMESTAMP NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE watched_wallet_links (
	wallet_id INTEGER NOT NULL REFERENCES watched_wallets(id),
	kind      TEXT NOT NULL, -- complaint, network or seizure
	ref_id    INTEGER NOT NULL,
	PRIMARY KEY (wallet_id, kind, ref_id)
);

CREATE TABLE alerts (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL,
	takedown_id   INTEGER NOT NULL DEFAULT 0,
	wallet_id     INTEGER NOT NULL DEFAULT 0,
	complaint_id  INTEGER NOT NULL DEFAULT 0,
	source_kind   TEXT NOT NULL,
	source_id     INTEGER NOT NULL,
	subject       TEXT NOT NULL,
	score         INTEGER NOT NULL,
	reasons       TEXT NOT NULL,
	investigators TEXT NOT NULL DEFAULT '', -- user ids, comma-separated
	status        TEXT NOT NULL,
	note          TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMP NOT NULL,
	resolved_at   TIMESTAMP,
	resolved_by   INTEGER NOT NULL DEFAULT 0,
	UNIQUE (kind, takedown_id, wallet_id, source_kind, source_id)
);
CREATE INDEX alerts_status ON alerts(status, id);

CREATE TABLE indicators (
	seq        INTEGER PRIMARY KEY,
	type       TEXT NOT NULL,
	value      TEXT NOT NULL,
	match_key  TEXT NOT NULL,
	chain      TEXT NOT NULL DEFAULT '',
	feed       TEXT NOT NULL DEFAULT '',
	tlp        TEXT NOT NULL,
	source     TEXT NOT NULL,
	source_org INTEGER NOT NULL DEFAULT 0,
	reason     TEXT NOT NULL DEFAULT '',
	active     INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX indicators_feed ON indicators(feed, seq);
