-- Evidence attached to complaints, stored like licence documents. A file
-- sent with the public form has no uploader.
ALTER TABLE documents ADD COLUMN complaint_id BIGINT REFERENCES complaints(id);
ALTER TABLE documents ALTER COLUMN uploaded_by DROP NOT NULL;
CREATE INDEX documents_complaint ON documents(complaint_id);

-- Who reviewed an extracted identifier, and when.
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE complaint_identifiers ADD COLUMN reviewed_at TIMESTAMPTZ;
