-- The numbers each licence was granted on, as integer intervals: a number
-- belongs to at most one licence that holds numbers, checked when a site is
-- declared and again when a licence is granted.
CREATE TABLE licence_numbers (
	licence_id BIGINT NOT NULL REFERENCES licences(id),
	digits     INTEGER NOT NULL,
	start_num BIGINT NOT NULL,
	end_num BIGINT NOT NULL
);
CREATE INDEX licence_numbers_range ON licence_numbers(digits, start_num, end_num);
CREATE INDEX licence_numbers_licence ON licence_numbers(licence_id);
INSERT INTO licence_numbers (licence_id, digits, start_num, end_num)
	SELECT l.id, n.digits, n.start_num, n.end_num FROM licences l JOIN site_numbers n ON n.site_id = l.site_id;

-- One licence that holds numbers per site.
CREATE UNIQUE INDEX licences_one_per_site ON licences(site_id) WHERE status IN ('provisional', 'active', 'suspended');
