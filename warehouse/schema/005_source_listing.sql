-- Schema version 5: what the source states about each document, beside what the document prints.
-- For a portal: the link text or article title, the department and year read from it, and the page
-- that links the file (its article), which also tells which files were published together
-- (pipeline/load/disclosures.py pairs a tables file and a prose file of one article). For the inbox:
-- the file name and the year its name or folder gives; source_page is NULL.

ALTER TABLE documents ADD COLUMN IF NOT EXISTS source_title VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS source_department VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS source_year INTEGER;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS source_page VARCHAR;
