-- Schema version 7: how much of each document the checks could verify (issue 12). One row per checked
-- document and run: identities evaluated, holding (exact or within rounding), broken (errors), and
-- unverifiable (standing on a table the parse did not read for certain, or a figure whose scope cannot be
-- pinned), with the reasons. check_results.severity may now also be 'unverifiable'.

CREATE TABLE IF NOT EXISTS check_coverage (
    run_id        VARCHAR NOT NULL,
    document_id   VARCHAR NOT NULL,
    department    VARCHAR,
    year          INTEGER,
    checked       INTEGER NOT NULL,
    holding       INTEGER NOT NULL,
    broken        INTEGER NOT NULL,
    unverifiable  INTEGER NOT NULL,
    reasons       VARCHAR,
    prose_figures INTEGER,               -- amounts the prose prints (prose_figures)
    prose_resolved INTEGER,              -- of which resolved to a headline claim or a table cell
    checked_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Every amount the prose prints, whatever its phrasing (pipeline/narrative/figures.py): the checks
-- resolve each to the table cell it restates (or list it as unresolved) and compare it in its scope.
CREATE TABLE IF NOT EXISTS prose_figures (
    document_id   VARCHAR NOT NULL,
    figure_index  INTEGER NOT NULL,
    label         VARCHAR,
    amount        DECIMAL(20,6),
    unit          VARCHAR NOT NULL,     -- '万元' (converted) or '%'
    page          INTEGER,
    sentence      VARCHAR
);

-- The parse's completeness of each table (found / printed-empty / absent / unread / partial / doubtful),
-- when the parse states one: the checks make every identity standing on an unread, partial or doubtful
-- table unverifiable (pipeline/checks/evaluate_doubt.py).
ALTER TABLE document_tables ADD COLUMN IF NOT EXISTS status VARCHAR;
