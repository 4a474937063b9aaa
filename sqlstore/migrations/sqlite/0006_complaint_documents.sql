-- Evidence attached to complaints, stored like licence documents. A file
-- sent with the public form has no uploader, so uploaded_by becomes
-- nullable; SQLite cannot drop NOT NULL, so the table is rebuilt (nothing
-- references it).
CREATE TABLE documents_new (
	id             INTEGER PRIMARY KEY,
	application_id INTEGER REFERENCES applications(id),
	inspection_id  INTEGER,
	person_id      INTEGER REFERENCES persons(id),
	complaint_id   INTEGER REFERENCES complaints(id),
	kind           TEXT NOT NULL,
	filename       TEXT NOT NULL,
	content_type   TEXT NOT NULL,
	size           INTEGER NOT NULL,
	sha256         TEXT NOT NULL,
	uploaded_by    INTEGER REFERENCES users(id),
	uploaded_at    TIMESTAMP NOT NULL
);
INSERT INTO documents_new (id, application_id, inspection_id, person_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at)
	SELECT id, application_id, inspection_id, person_id, kind, filename, content_type, size, sha256, uploaded_by, uploaded_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_application ON documents(application_id);
CREATE INDEX documents_inspection ON documents(inspection_id);
CREATE INDEX documents_complaint ON documents(complaint_id);

-- Who reviewed an extracted identifier, and when.
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_at TIMESTAMP;
