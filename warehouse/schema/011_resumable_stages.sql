-- Schema version 11: what the warehouse holds, as a counter, so that an interrupted night resumes.
--
-- load_generation.generation is bumped in the same transaction as every change to a document's rows
-- (a load, or a failed version recorded), so it is exact even when a load is killed half-way.
-- dimensions_generation is the generation the disclosures/departments/subject codes were last
-- rebuilt for (behind: the last load died before its final step). check_runs records every full
-- check run with the generation it read: the checks (and the report) are stale when the warehouse's
-- generation is newer than the latest check run's (pipeline/resume.py).

CREATE TABLE IF NOT EXISTS load_generation (
    generation             BIGINT NOT NULL,
    dimensions_generation  BIGINT NOT NULL,
    changed_at             TIMESTAMP
);
INSERT INTO load_generation
    SELECT 1, 0, current_timestamp WHERE NOT EXISTS (SELECT 1 FROM load_generation);

CREATE TABLE IF NOT EXISTS check_runs (
    run_id       VARCHAR NOT NULL,
    generation   BIGINT NOT NULL,       -- load_generation.generation the checks read
    documents    INTEGER,               -- documents checked
    failures     INTEGER,               -- rows written to check_results
    finished_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
