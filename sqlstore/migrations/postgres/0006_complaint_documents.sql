-- Evidence attached to complaints, stored like licence documents.
ALTER TABLE documents ADD COLUMN complaint_id BIGINT REFERENCES complaints(id);
CREATE INDEX documents_complaint ON documents(complaint_id);

-- Who reviewed an extracted identifier, and when.
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_at TIMESTAMPTZ;
