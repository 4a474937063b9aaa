-- The complainant's province, in clear beside the sealed details like the
-- city (0008), so that the committee report can filter complaints by
-- province without decrypting them.
ALTER TABLE complaints ADD COLUMN province TEXT NOT NULL DEFAULT '';
