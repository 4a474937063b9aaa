-- The retention policy (sqlstore ApplyRetention) removes a complainant's
-- sealed details once their complaints are all past the retention period.
-- What the statistics need stays in clear beside city and province: the
-- gender and age band. The lookup hashes are replaced by a random
-- pseudonym ("~" and 32 hex digits, never equal to a hash), so that the
-- person's complaints still count as one victim; pseudonymised_at says
-- when the details went.
ALTER TABLE complaints ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE complaints ADD COLUMN age_band TEXT NOT NULL DEFAULT '';
ALTER TABLE complaints ADD COLUMN pseudonymised_at TIMESTAMPTZ;
-- The daily run looks only at complaints still holding details.
CREATE INDEX complaints_retention ON complaints(received_at, id) WHERE pseudonymised_at IS NULL;
