-- Schema version 15: facts the views and the checks used to restate, stated once in the warehouse.
--
-- disclosures.previous_disclosure_id: the same department's disclosure of the same budget kind a year
-- before (a missing budget kind counts as 'department'; of several, the first by id), or NULL. Rebuilt
-- with the disclosures (pipeline/load/disclosures.py); the checks (pipeline/checks/facts.py) and the
-- views (v_yoy_department_class) read it, so both pair the same documents.
-- table_kinds: the template model's facts about each table kind (pipeline/tables/catalogue.yaml),
-- rebuilt with the dimensions: the subject classification of its codes (functional | economic |
-- none), whether it prints revenue and expenditure side by side, whether its rows are text only, and
-- whether a budget disclosure is expected to print it. Views join it instead of listing kinds.
-- table_row_roles: the catalogue's row roles (label pattern → role), in the order they are tried.

ALTER TABLE disclosures ADD COLUMN IF NOT EXISTS previous_disclosure_id VARCHAR;

CREATE TABLE IF NOT EXISTS table_kinds (
    table_kind      VARCHAR PRIMARY KEY,
    classification  VARCHAR NOT NULL,      -- functional | economic | none
    side_by_side    BOOLEAN NOT NULL,
    text_only       BOOLEAN NOT NULL,
    standard        BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS table_row_roles (
    priority  INTEGER NOT NULL,            -- first matching pattern wins
    pattern   VARCHAR NOT NULL,            -- regular expression on the label (spaces and numbering removed)
    role      VARCHAR NOT NULL
);

-- three_public_rows: a 三公 table printed one item per row → the measure of the column form, from the
-- template model (catalogue.yaml three_public_rows); the checks (pipeline/checks/facts.py) and
-- v_three_public apply the same patterns, in order, to the label without spaces.
CREATE TABLE IF NOT EXISTS three_public_rows (
    priority  INTEGER NOT NULL,
    pattern   VARCHAR NOT NULL,
    measure   VARCHAR NOT NULL
);
