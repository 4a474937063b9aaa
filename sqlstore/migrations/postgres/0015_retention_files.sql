-- The retention policy removes the files attached to a pseudonymised
-- complaint (scans and screenshots hold the complainant's details as
-- much as the form did). The record stays, without its name, so that the
-- complaint's history still counts it; removed_at says when the file went.
ALTER TABLE documents ADD COLUMN removed_at TIMESTAMPTZ;
