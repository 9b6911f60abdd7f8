-- Schema version 2: failed re-loads recorded beside the good version, and the tables of each document.
--
-- A document whose new version fails (parse error, or a load error) keeps its previous good rows
-- and status 'loaded'; the failure of the new version goes into the last_* columns. A document that
-- never loaded has status 'failed' and the same failure in error_kind/error and last_*.

ALTER TABLE documents ADD COLUMN IF NOT EXISTS last_attempt_at TIMESTAMP;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS last_attempt_sha256 VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS last_attempt_parser_version VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS last_error_kind VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS last_error VARCHAR;

-- Every table a document printed, including those printed empty ("disclosed, empty" is a fact).
CREATE TABLE IF NOT EXISTS document_tables (
    document_id      VARCHAR NOT NULL,
    table_index      INTEGER NOT NULL,
    table_kind       VARCHAR NOT NULL,
    title            VARCHAR,
    pages            INTEGER[],
    empty            BOOLEAN NOT NULL,
    note             VARCHAR,            -- the 注 printed under an empty table
    department_code  VARCHAR,            -- as printed in this table's header
    department_name  VARCHAR,
    row_count        INTEGER NOT NULL
);
