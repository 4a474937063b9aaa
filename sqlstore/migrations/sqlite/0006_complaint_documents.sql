-- Evidence attached to complaints, stored like licence documents.
ALTER TABLE documents ADD COLUMN complaint_id INTEGER REFERENCES complaints(id);
CREATE INDEX documents_complaint ON documents(complaint_id);

-- Who reviewed an extracted identifier, and when.
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_at TIMESTAMP;
