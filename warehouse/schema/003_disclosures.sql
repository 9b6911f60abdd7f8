-- Schema version 3: budget kinds and disclosures (a department-year published as one or two PDFs).
--
-- documents.budget_kind: 'department' (部门预算, a department with its units) | 'unit' (单位预算, one
-- unit's own budget) | NULL (the document does not say: a file of tables only). documents.content:
-- 'tables' | 'narrative' | 'tables+narrative'. A department-year published as a file of tables and
-- a file of prose (Jiangsu) is one disclosure: both files keep their documents row and their own
-- pages; `disclosures` says which disclosure each belongs to. It is rebuilt on every load
-- (pipeline/load/disclosures.py), like the dimensions.

ALTER TABLE documents ADD COLUMN IF NOT EXISTS budget_kind VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS content VARCHAR;

CREATE TABLE IF NOT EXISTS disclosures (
    document_id      VARCHAR PRIMARY KEY,   -- one row per loaded document
    disclosure_id    VARCHAR NOT NULL,      -- the document_id of its tables part (its own id when alone)
    part             VARCHAR,               -- what this file contributes: tables | narrative | tables+narrative
    department_code  VARCHAR,
    department_name  VARCHAR,               -- of the disclosure (the tables part's, else the prose's)
    department_key   VARCHAR NOT NULL,      -- code, else the name without spaces: one department over the years
    year             INTEGER,
    budget_kind      VARCHAR                -- of the disclosure (either part's statement)
);
