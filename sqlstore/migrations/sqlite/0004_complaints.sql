-- Complaints. The complainant's details are personal data: sealed with
-- AES-256-GCM, findable by CNIC or phone only through keyed hashes.
CREATE TABLE complaints (
	id              INTEGER PRIMARY KEY,
	reference       TEXT NOT NULL UNIQUE,
	channel         TEXT NOT NULL,
	source_org_id   INTEGER NOT NULL DEFAULT 0,
	external_ref    TEXT NOT NULL DEFAULT '',
	idempotency_key TEXT NOT NULL DEFAULT '',
	complainant     BLOB NOT NULL,
	cnic_hash       TEXT NOT NULL DEFAULT '',
	phone_hash      TEXT NOT NULL DEFAULT '',
	category        TEXT NOT NULL,
	contact_method  TEXT NOT NULL,
	incident_at     TIMESTAMP NOT NULL,
	received_at     TIMESTAMP NOT NULL,
	loss_paisa      INTEGER NOT NULL DEFAULT 0,
	currency        TEXT NOT NULL DEFAULT 'PKR',
	payment_method  TEXT NOT NULL,
	narrative       TEXT NOT NULL,
	status          TEXT NOT NULL,
	priority        TEXT NOT NULL DEFAULT '',
	circle          TEXT NOT NULL DEFAULT '',
	assigned_to     INTEGER NOT NULL DEFAULT 0,
	closure_reason  TEXT NOT NULL DEFAULT '',
	tracking_hash   TEXT NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX complaints_status ON complaints(status, circle);
CREATE INDEX complaints_cnic ON complaints(cnic_hash);
CREATE INDEX complaints_phone ON complaints(phone_hash);
CREATE INDEX complaints_received ON complaints(received_at);
-- A partner's retry with the same key or its own reference creates nothing new.
CREATE UNIQUE INDEX complaints_idempotency ON complaints(source_org_id, idempotency_key) WHERE idempotency_key <> '';
CREATE UNIQUE INDEX complaints_external_ref ON complaints(source_org_id, external_ref) WHERE external_ref <> '';

-- One row per distinct identifier, one per (complaint, identifier) link:
-- storage grows linearly with complaints, never with pairs of them.
CREATE TABLE identifiers (
	id         INTEGER PRIMARY KEY,
	type       TEXT NOT NULL,
	match_key  TEXT NOT NULL UNIQUE,
	value      TEXT NOT NULL,
	first_seen TIMESTAMP NOT NULL,
	last_seen  TIMESTAMP NOT NULL,
	complaints INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE complaint_identifiers (
	complaint_id  INTEGER NOT NULL REFERENCES complaints(id),
	identifier_id INTEGER NOT NULL REFERENCES identifiers(id),
	source        TEXT NOT NULL, -- field or extracted
	raw           TEXT NOT NULL,
	start_pos     INTEGER NOT NULL DEFAULT -1,
	end_pos       INTEGER NOT NULL DEFAULT -1,
	status        TEXT NOT NULL, -- confirmed, pending (extracted, not yet reviewed) or removed
	PRIMARY KEY (complaint_id, identifier_id)
);
CREATE INDEX complaint_identifiers_identifier ON complaint_identifiers(identifier_id);

-- The workflow's history; public_message is what the complainant sees.
CREATE TABLE complaint_events (
	id             INTEGER PRIMARY KEY,
	complaint_id   INTEGER NOT NULL REFERENCES complaints(id),
	at             TIMESTAMP NOT NULL,
	user_id        INTEGER NOT NULL DEFAULT 0,
	from_status    TEXT NOT NULL,
	to_status      TEXT NOT NULL,
	note           TEXT NOT NULL DEFAULT '',
	public_message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id);
