-- Schema version 1 of the district budget warehouse. Applied by pipeline/load/schema.py in one
-- transaction; schema_version records what is applied. Never edit a released file: add NNN_*.sql. Amounts are DECIMAL(20,6) in 万元 (exact for documents printed in 元 with fen).

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per source document (a PDF), loaded or failed.
CREATE TABLE IF NOT EXISTS documents (
    document_id       VARCHAR PRIMARY KEY,   -- stable id of the source location (see docs/DESIGN.md)
    sha256            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,      -- URL or path the PDF came from
    file_name         VARCHAR,
    department_code   VARCHAR,
    department_name   VARCHAR,
    year              INTEGER,
    pages             INTEGER,
    unit              VARCHAR,               -- the unit printed in the document (万元 or 元)
    parser_version    VARCHAR,
    status            VARCHAR NOT NULL,      -- 'loaded' | 'failed'
    error_kind        VARCHAR,
    error             VARCHAR,
    tables_found      INTEGER,
    loaded_at         TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- The long fact table: one row per printed table row and measure.
CREATE TABLE IF NOT EXISTS budget_lines (
    document_id   VARCHAR NOT NULL,
    table_kind    VARCHAR NOT NULL,
    table_title   VARCHAR,
    table_index   INTEGER NOT NULL,     -- position of the table in the document
    row_index     INTEGER NOT NULL,     -- position of the row in its table
    side          VARCHAR,              -- 'revenue' | 'expenditure' | NULL
    code          VARCHAR,              -- subject code as printed (digits) or NULL
    name          VARCHAR,              -- label without its numbering
    numbering     VARCHAR,              -- '一、' … as printed, or NULL
    measure       VARCHAR NOT NULL,
    amount        DECIMAL(20,6) NOT NULL,
    page          INTEGER NOT NULL,
    bbox          DOUBLE[]              -- [x0, top, x1, bottom] in PDF points (pdfplumber)
);

-- Figures stated in the prose.
CREATE TABLE IF NOT EXISTS narrative_claims (
    document_id   VARCHAR NOT NULL,
    claim_index   INTEGER NOT NULL,
    metric        VARCHAR NOT NULL,
    amount        DECIMAL(20,6) NOT NULL,
    page          INTEGER NOT NULL,
    quote         VARCHAR
);

-- The procurement table in wide form (its amounts are also in budget_lines, table_kind 'procurement').
CREATE TABLE IF NOT EXISTS procurement_lines (
    document_id   VARCHAR NOT NULL,
    table_index   INTEGER NOT NULL,
    row_index     INTEGER NOT NULL,
    project       VARCHAR,              -- 政府采购项目来源 / 项目名称
    item          VARCHAR,              -- 采购物品名称 (or 合计)
    catalogue_no  VARCHAR,              -- 政府采购目录序号
    unit_of_quantity VARCHAR,
    quantity      DECIMAL(20,6),
    unit_price    DECIMAL(20,6),
    amount        DECIMAL(20,6),
    budget        DECIMAL(20,6),
    is_total      BOOLEAN NOT NULL DEFAULT false,
    page          INTEGER NOT NULL,
    bbox          DOUBLE[]
);

-- Performance target tables (绩效目标表): text, one row per printed indicator row.
CREATE TABLE IF NOT EXISTS performance_targets (
    document_id   VARCHAR NOT NULL,
    table_index   INTEGER NOT NULL,
    row_index     INTEGER NOT NULL,
    subkind       VARCHAR,              -- 'duty' (部门职责-工作活动) | 'project' (项目绩效目标表)
    project       VARCHAR,
    level1        VARCHAR,
    level2        VARCHAR,
    indicator     VARCHAR,
    description   VARCHAR,
    target_value  VARCHAR,
    basis         VARCHAR,
    budget        DECIMAL(20,6),        -- 年度预算数 where printed
    page          INTEGER NOT NULL
);

-- The state-owned assets table (国有资产占有情况表) in wide form.
CREATE TABLE IF NOT EXISTS assets (
    document_id   VARCHAR NOT NULL,
    table_index   INTEGER NOT NULL,
    row_index     INTEGER NOT NULL,
    item          VARCHAR,
    numbering     VARCHAR,
    quantity      DECIMAL(20,6),
    amount        DECIMAL(20,6),
    as_of         VARCHAR,              -- ISO date the table is dated (截止时间)
    page          INTEGER NOT NULL
);

-- What each document says of itself that does not agree (name variants, code variants …).
CREATE TABLE IF NOT EXISTS document_warnings (
    document_id   VARCHAR NOT NULL,
    warning_index INTEGER NOT NULL,
    kind          VARCHAR NOT NULL,
    message       VARCHAR,
    pages         INTEGER[],
    "values"      VARCHAR[]
);

-- Dimensions.
CREATE TABLE IF NOT EXISTS departments (
    department_code  VARCHAR PRIMARY KEY,
    canonical_name   VARCHAR NOT NULL,
    aliases          VARCHAR[],          -- every name printed for it (document and table headers)
    code_variants    VARCHAR[],          -- other codes printed in its table headers (e.g. 106 for 125)
    first_year       INTEGER,
    last_year        INTEGER,
    documents        INTEGER
);

CREATE TABLE IF NOT EXISTS subject_codes (
    classification  VARCHAR NOT NULL,   -- 'functional' | 'economic'
    year            INTEGER NOT NULL,
    code            VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    level           VARCHAR NOT NULL,   -- 类 | 款 | 项
    source          VARCHAR,            -- where the reference list took it from
    PRIMARY KEY (classification, year, code)
);

-- Results of the identity checks (pipeline/checks).
CREATE TABLE IF NOT EXISTS check_results (
    run_id         VARCHAR NOT NULL,
    document_id    VARCHAR,
    department     VARCHAR,
    year           INTEGER,
    check_name     VARCHAR NOT NULL,
    severity       VARCHAR NOT NULL,     -- 'error' | 'warning'
    left_value     DECIMAL(38,6),
    right_value    DECIMAL(38,6),
    difference     DECIMAL(38,6),
    tolerance      DECIMAL(38,7),
    n              INTEGER,
    left_pages     VARCHAR,
    right_pages    VARCHAR,
    message        VARCHAR NOT NULL,
    checked_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- pipeline/load/schema.py records the version of this file in schema_version after applying it.
