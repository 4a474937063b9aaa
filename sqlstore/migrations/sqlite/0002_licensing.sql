-- A business (licensee) belongs to exactly one organisation, whose
-- applicant users alone may edit it.
CREATE TABLE businesses (
	id                 INTEGER PRIMARY KEY,
	org_id             INTEGER NOT NULL UNIQUE REFERENCES orgs(id),
	legal_name         TEXT NOT NULL,
	trade_name         TEXT NOT NULL,
	kind               TEXT NOT NULL,
	legal_form         TEXT NOT NULL,
	secp_number        TEXT NOT NULL DEFAULT '',
	ntn                TEXT NOT NULL,
	pseb_number        TEXT NOT NULL DEFAULT '',
	registered_address TEXT NOT NULL,
	inbound_percent    INTEGER NOT NULL DEFAULT 0,
	client_countries   TEXT NOT NULL DEFAULT '',
	version            INTEGER NOT NULL DEFAULT 1,
	created_at         TIMESTAMP NOT NULL,
	updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX businesses_trade_name ON businesses(trade_name);

-- CNIC and passport numbers are personal data: sealed with AES-256-GCM and
-- findable only through a keyed hash.
CREATE TABLE persons (
	id            INTEGER PRIMARY KEY,
	business_id   INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	cnic_sealed   BLOB,
	cnic_hash     TEXT NOT NULL DEFAULT '',
	passport_sealed BLOB,
	passport_hash TEXT NOT NULL DEFAULT '',
	nationality   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX persons_business ON persons(business_id);
CREATE INDEX persons_cnic ON persons(cnic_hash);

CREATE TABLE sites (
	id            INTEGER PRIMARY KEY,
	business_id   INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
	address       TEXT NOT NULL,
	city          TEXT NOT NULL,
	province      TEXT NOT NULL,
	seats         INTEGER NOT NULL DEFAULT 0,
	staff         INTEGER NOT NULL DEFAULT 0,
	foreign_staff INTEGER NOT NULL DEFAULT 0,
	main_office   INTEGER NOT NULL DEFAULT 0,
	resources     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sites_business ON sites(business_id);

-- Declared numbers as integer intervals, so that overlaps can be found with
-- an index. A single number has start_num = end_num.
CREATE TABLE site_numbers (
	site_id   INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	digits    INTEGER NOT NULL,
	start_num INTEGER NOT NULL,
	end_num   INTEGER NOT NULL
);
CREATE INDEX site_numbers_range ON site_numbers(digits, start_num, end_num);
CREATE INDEX site_numbers_site ON site_numbers(site_id);

CREATE TABLE applications (
	id           INTEGER PRIMARY KEY,
	reference    TEXT NOT NULL UNIQUE,
	business_id  INTEGER NOT NULL REFERENCES businesses(id),
	kind         TEXT NOT NULL,
	status       TEXT NOT NULL,
	licence_ids  TEXT NOT NULL DEFAULT '',
	fee_paisa    INTEGER NOT NULL DEFAULT 0,
	payment_ref  TEXT NOT NULL DEFAULT '',
	snapshot     TEXT NOT NULL DEFAULT '',
	submitted_at TIMESTAMP,
	decided_at   TIMESTAMP,
	version      INTEGER NOT NULL DEFAULT 1,
	created_by   INTEGER NOT NULL REFERENCES users(id),
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX applications_business ON applications(business_id);
CREATE INDEX applications_status ON applications(status);

CREATE TABLE application_sites (
	application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	PRIMARY KEY (application_id, site_id)
);

-- Sequence counters for readable references and licence numbers. Numbers
-- are taken inside the issuing transaction and never reused.
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);

CREATE TABLE documents (
	id             INTEGER PRIMARY KEY,
	application_id INTEGER REFERENCES applications(id),
	inspection_id  INTEGER,
	person_id      INTEGER REFERENCES persons(id),
	kind           TEXT NOT NULL,
	filename       TEXT NOT NULL,
	content_type   TEXT NOT NULL,
	size           INTEGER NOT NULL,
	sha256         TEXT NOT NULL,
	uploaded_by    INTEGER NOT NULL REFERENCES users(id),
	uploaded_at    TIMESTAMP NOT NULL
);
CREATE INDEX documents_application ON documents(application_id);
CREATE INDEX documents_inspection ON documents(inspection_id);

CREATE TABLE clearance_tasks (
	id             INTEGER PRIMARY KEY,
	application_id INTEGER NOT NULL REFERENCES applications(id),
	org_id         INTEGER NOT NULL REFERENCES orgs(id),
	status         TEXT NOT NULL,
	deadline       TIMESTAMP NOT NULL,
	decided_at     TIMESTAMP,
	decided_by     INTEGER NOT NULL DEFAULT 0,
	reason         TEXT NOT NULL DEFAULT '',
	version        INTEGER NOT NULL DEFAULT 1,
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (application_id, org_id)
);
CREATE INDEX clearance_tasks_org ON clearance_tasks(org_id, status);

-- Objections: the reason and answer are seen by the applicant and the
-- objecting agency only.
CREATE TABLE objections (
	id          INTEGER PRIMARY KEY,
	task_id     INTEGER NOT NULL REFERENCES clearance_tasks(id),
	reason      TEXT NOT NULL,
	raised_by   INTEGER NOT NULL,
	raised_at   TIMESTAMP NOT NULL,
	answer      TEXT NOT NULL DEFAULT '',
	answered_by INTEGER NOT NULL DEFAULT 0,
	answered_at TIMESTAMP
);
CREATE INDEX objections_task ON objections(task_id);

-- Internal notes: seen by the task's own agency only.
CREATE TABLE task_notes (
	id         INTEGER PRIMARY KEY,
	task_id    INTEGER NOT NULL REFERENCES clearance_tasks(id),
	author_id  INTEGER NOT NULL REFERENCES users(id),
	body       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX task_notes_task ON task_notes(task_id);

CREATE TABLE licences (
	id             INTEGER PRIMARY KEY,
	number         TEXT NOT NULL UNIQUE,
	business_id    INTEGER NOT NULL REFERENCES businesses(id),
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	application_id INTEGER NOT NULL REFERENCES applications(id),
	kind           TEXT NOT NULL,
	status         TEXT NOT NULL,
	issued_at      TIMESTAMP NOT NULL,
	valid_from     TIMESTAMP NOT NULL,
	valid_until    TIMESTAMP NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX licences_business ON licences(business_id);
CREATE INDEX licences_site ON licences(site_id);
CREATE INDEX licences_status ON licences(status, valid_until);

CREATE TABLE licence_events (
	id          INTEGER PRIMARY KEY,
	licence_id  INTEGER NOT NULL REFERENCES licences(id),
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	at          TIMESTAMP NOT NULL,
	user_id     INTEGER NOT NULL DEFAULT 0,
	reason      TEXT NOT NULL DEFAULT '',
	order_no    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX licence_events_licence ON licence_events(licence_id);

CREATE TABLE inspections (
	id           INTEGER PRIMARY KEY,
	licence_id   INTEGER NOT NULL REFERENCES licences(id),
	site_id      INTEGER NOT NULL REFERENCES sites(id),
	inspector_id INTEGER NOT NULL REFERENCES users(id),
	date         TIMESTAMP NOT NULL,
	findings     TEXT NOT NULL,
	passed       INTEGER NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE INDEX inspections_licence ON inspections(licence_id);
