-- What changed, in commit order as near as the engine gives it, so that
-- every server (and a server beside a command-line import) can bring its
-- in-memory indexes in step without rebuilding: complaints filed or
-- relinked, businesses whose licences changed, network decisions taken or
-- revoked, identifiers whose findings changed. Ranges keep a bulk import
-- to one row per batch. Old rows are pruned.
CREATE TABLE change_log (
	seq      INTEGER PRIMARY KEY,
	kind     TEXT NOT NULL,
	first_id INTEGER NOT NULL,
	last_id  INTEGER NOT NULL,
	at       TIMESTAMP NOT NULL
);
CREATE INDEX change_log_at ON change_log(at);
