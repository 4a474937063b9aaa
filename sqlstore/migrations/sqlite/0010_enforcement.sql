-- Operation Grey: operations, raids, the persons found, arrests, FIRs with
-- their accused and complaints, seizures, and court stages. Suspects' CNIC
-- and passport numbers are personal data: sealed, found by keyed hash.
CREATE TABLE operations (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	starts_on  TIMESTAMP NOT NULL,
	ends_on    TIMESTAMP,
	scope      TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE raids (
	id              INTEGER PRIMARY KEY,
	operation_id    INTEGER NOT NULL REFERENCES operations(id),
	at              TIMESTAMP NOT NULL,
	city            TEXT NOT NULL,
	province        TEXT NOT NULL,
	address         TEXT NOT NULL,
	business_id     INTEGER REFERENCES businesses(id),
	licence_id      INTEGER REFERENCES licences(id),
	licensed        INTEGER NOT NULL DEFAULT 0,
	team            TEXT NOT NULL DEFAULT '',
	outcome         TEXT NOT NULL,
	scam_paisa      INTEGER NOT NULL DEFAULT 0,
	recovered_paisa INTEGER NOT NULL DEFAULT 0,
	returned_paisa  INTEGER NOT NULL DEFAULT 0,
	notes           TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL DEFAULT 1,
	created_by      INTEGER NOT NULL,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX raids_operation ON raids(operation_id, at);
CREATE INDEX raids_at ON raids(at);

CREATE TABLE raid_complaints (
	raid_id      INTEGER NOT NULL REFERENCES raids(id),
	complaint_id INTEGER NOT NULL REFERENCES complaints(id),
	PRIMARY KEY (raid_id, complaint_id)
);
CREATE INDEX raid_complaints_complaint ON raid_complaints(complaint_id);

CREATE TABLE suspects (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL,
	cnic_sealed     BLOB,
	cnic_hash       TEXT NOT NULL DEFAULT '',
	passport_sealed BLOB,
	passport_hash   TEXT NOT NULL DEFAULT '',
	nationality     TEXT NOT NULL,
	gender          TEXT NOT NULL,
	role            TEXT NOT NULL,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX suspects_cnic ON suspects(cnic_hash);
CREATE INDEX suspects_passport ON suspects(passport_hash);

CREATE TABLE arrests (
	id         INTEGER PRIMARY KEY,
	suspect_id INTEGER NOT NULL REFERENCES suspects(id),
	raid_id    INTEGER NOT NULL REFERENCES raids(id),
	at         TIMESTAMP NOT NULL,
	UNIQUE (suspect_id, raid_id)
);
CREATE INDEX arrests_raid ON arrests(raid_id);

CREATE TABLE firs (
	id            INTEGER PRIMARY KEY,
	number        TEXT NOT NULL,
	registered_on TIMESTAMP NOT NULL,
	station       TEXT NOT NULL,
	city          TEXT NOT NULL,
	province      TEXT NOT NULL,
	peca_sections TEXT NOT NULL DEFAULT '',
	other_laws    TEXT NOT NULL DEFAULT '',
	raid_id       INTEGER REFERENCES raids(id),
	stage         TEXT NOT NULL,
	stage_changed TIMESTAMP NOT NULL,
	version       INTEGER NOT NULL DEFAULT 1,
	created_by    INTEGER NOT NULL,
	created_at    TIMESTAMP NOT NULL,
	UNIQUE (station, number)
);
CREATE INDEX firs_registered ON firs(registered_on);

CREATE TABLE fir_accused (
	fir_id     INTEGER NOT NULL REFERENCES firs(id),
	suspect_id INTEGER NOT NULL REFERENCES suspects(id),
	PRIMARY KEY (fir_id, suspect_id)
);

CREATE TABLE fir_complaints (
	fir_id       INTEGER NOT NULL REFERENCES firs(id),
	complaint_id INTEGER NOT NULL REFERENCES complaints(id),
	PRIMARY KEY (fir_id, complaint_id)
);
CREATE INDEX fir_complaints_complaint ON fir_complaints(complaint_id);

CREATE TABLE fir_events (
	id       INTEGER PRIMARY KEY,
	fir_id   INTEGER NOT NULL REFERENCES firs(id),
	at       TIMESTAMP NOT NULL,
	user_id  INTEGER NOT NULL,
	stage    TEXT NOT NULL,
	note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fir_events_fir ON fir_events(fir_id);

CREATE TABLE seizures (
	id            INTEGER PRIMARY KEY,
	raid_id       INTEGER NOT NULL REFERENCES raids(id),
	kind          TEXT NOT NULL,
	description   TEXT NOT NULL DEFAULT '',
	quantity      INTEGER NOT NULL DEFAULT 0,
	cash_paisa    INTEGER NOT NULL DEFAULT 0,
	wallet        TEXT NOT NULL DEFAULT '',
	identifier_id INTEGER REFERENCES identifiers(id),
	crypto_amount TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMP NOT NULL
);
CREATE INDEX seizures_raid ON seizures(raid_id);

-- A raid on a licensed business opens a suspension decision for PTA and
-- NCCIA: each agency decides whether to suspend.
CREATE TABLE suspension_reviews (
	id         INTEGER PRIMARY KEY,
	licence_id INTEGER NOT NULL REFERENCES licences(id),
	raid_id    INTEGER NOT NULL REFERENCES raids(id),
	org_id     INTEGER NOT NULL REFERENCES orgs(id),
	status     TEXT NOT NULL, -- open, suspended, declined
	decided_by INTEGER NOT NULL DEFAULT 0,
	decided_at TIMESTAMP,
	note       TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	UNIQUE (licence_id, raid_id, org_id)
);
CREATE INDEX suspension_reviews_open ON suspension_reviews(org_id, status);
