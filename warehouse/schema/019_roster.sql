-- Schema version 19: the district roster (the departments expected to disclose, and for which years) as
-- reference data in the warehouse, so the roster identities (roster_disclosed, department_in_roster) are
-- views a user can query like the others (pipeline/checks/sql_findings.py).
--
-- roster: one row per entry of the roster CSV (department_code,name,years); position: its place in the
-- file (1 = the first entry); years as printed ("2022;2023" → [2022, 2023], repeats kept).
-- roster_source: one row, the file the roster was read from: its name, sha256, entries and when.
-- Both are replaced whole, in one transaction, whenever a roster is given to the checks
-- (pipeline/load/roster.py); no row in roster_source means no roster was ever given.

CREATE TABLE IF NOT EXISTS roster (
    position         INTEGER NOT NULL,
    department_code  VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    years            INTEGER[] NOT NULL
);

CREATE TABLE IF NOT EXISTS roster_source (
    source     VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    entries    INTEGER NOT NULL,
    loaded_at  TIMESTAMP DEFAULT current_timestamp
);
