-- Schema version 4: the department dimension follows department_key (disclosures.department_key:
-- the printed code, else the short-form name), so departments whose documents print no code (all
-- of the Jiangsu and Putuo corpora) are in it too. The table is rebuilt from the loaded documents by
-- every load (pipeline/load/dimensions.py), so it is recreated empty here and refilled by the load
-- that applies this migration.

DROP TABLE IF EXISTS departments;
CREATE TABLE departments (
    department_key   VARCHAR PRIMARY KEY,   -- as disclosures.department_key
    department_code  VARCHAR,               -- the code printed on its covers (NULL: none printed)
    canonical_name   VARCHAR NOT NULL,
    aliases          VARCHAR[],             -- every name printed for it (covers and table headers)
    code_variants    VARCHAR[],             -- other codes printed in its table headers (e.g. 106 for 125)
    budget_kinds     VARCHAR[],             -- 'department' (部门预算) / 'unit' (单位预算) disclosures seen
    first_year       INTEGER,
    last_year        INTEGER,
    documents        INTEGER                -- loaded files (a disclosure of tables + prose counts two)
);
