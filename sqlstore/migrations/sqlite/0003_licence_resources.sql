-- A licence publishes the resources its site declared when the agencies
-- cleared it, not the live declaration: later edits wait for an amendment.
ALTER TABLE licences ADD COLUMN resources TEXT NOT NULL DEFAULT '{}';
UPDATE licences SET resources = (SELECT s.resources FROM sites s WHERE s.id = licences.site_id);
