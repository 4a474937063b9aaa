-- Fraud networks. The complainant's city, in clear beside the sealed
-- details, so that networks can show their victims' cities without
-- decrypting every complaint (the circle it is routed to says as much).
ALTER TABLE complaints ADD COLUMN city TEXT NOT NULL DEFAULT '';

-- Each identifier's current risk tier, kept in step with the engine, and
-- any enforcement finding that raises it.
ALTER TABLE identifiers ADD COLUMN tier TEXT NOT NULL DEFAULT 'none';
ALTER TABLE identifiers ADD COLUMN tier_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE identifiers ADD COLUMN finding TEXT NOT NULL DEFAULT '';

-- Analysts' assertions about networks: reversible, so revoked rather than
-- deleted.
CREATE TABLE network_decisions (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL,
	identifier_id INTEGER NOT NULL DEFAULT 0,
	complaint_id  INTEGER NOT NULL DEFAULT 0,
	complaints    TEXT NOT NULL DEFAULT '', -- merge and split: complaint ids, comma-separated
	note          TEXT NOT NULL DEFAULT '',
	created_by    INTEGER NOT NULL,
	created_at    TIMESTAMP NOT NULL,
	revoked_by    INTEGER NOT NULL DEFAULT 0,
	revoked_at    TIMESTAMP
);
CREATE INDEX network_decisions_active ON network_decisions(revoked_at);

-- Every change of an identifier's tier, in order: the partners' feed.
CREATE TABLE tier_changes (
	seq           INTEGER PRIMARY KEY,
	identifier_id INTEGER NOT NULL REFERENCES identifiers(id),
	tier          TEXT NOT NULL,
	reasons       TEXT NOT NULL,
	at            TIMESTAMP NOT NULL
);
