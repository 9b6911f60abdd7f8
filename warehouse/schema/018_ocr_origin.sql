-- Schema version 18: figures read from page images (issue 18: scanned disclosures read by OCR).
--
-- budget_lines.origin: 'ocr' for a figure read from the image of a page with no text layer, NULL for
-- one read from the text layer. budget_lines.confidence: for 'ocr' figures, the OCR engine's
-- confidence (0–1) in the least certain word of the cell it was read from; NULL otherwise.
-- document_tables.origin: 'ocr' when the table's rows were read from page images. Such a table is
-- trusted only when its own arithmetic holds (status 'found'); otherwise its status is 'doubtful' and
-- the identities standing on it are unverifiable (never errors). documents.completeness_detail carries
-- the "ocr" account: engine, seconds per page, each table's verdict.

ALTER TABLE budget_lines ADD COLUMN IF NOT EXISTS origin VARCHAR;
ALTER TABLE budget_lines ADD COLUMN IF NOT EXISTS confidence DOUBLE;
ALTER TABLE document_tables ADD COLUMN IF NOT EXISTS origin VARCHAR;
