"""The two dimensions, rebuilt from what is loaded: departments (identity across tables and years)
and subject_codes (the reference lists shipped in pipeline/reference/).

A department is identified by the code its documents print on the cover (documents.department_code).
Its canonical name is the name most often printed on its documents' covers (ties: the latest year,
then the name); its aliases are every name printed for it, on covers and table headers; its code
variants the other codes its table headers print (the seed's 106 for 125).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.clean.codes import load_subject_codes

_DEPARTMENTS_SQL = """
DELETE FROM departments;
INSERT INTO departments (department_code, canonical_name, aliases, code_variants, first_year,
                         last_year, documents)
WITH docs AS (
    SELECT document_id, department_code AS code, department_name AS name, year
    FROM documents WHERE status = 'loaded' AND department_code IS NOT NULL
), names AS (
    SELECT code, name, year, true AS cover FROM docs WHERE name IS NOT NULL
    UNION ALL
    SELECT d.code, t.department_name, d.year, false
    FROM document_tables t JOIN docs d USING (document_id) WHERE t.department_name IS NOT NULL
), ranked AS (
    SELECT code, name,
           row_number() OVER (PARTITION BY code ORDER BY count(*) FILTER (WHERE cover) DESC,
                              max(year) DESC NULLS LAST, name) AS rn
    FROM names GROUP BY code, name
), variants AS (
    SELECT d.code, array_agg(DISTINCT t.department_code ORDER BY t.department_code) AS v
    FROM document_tables t JOIN docs d USING (document_id)
    WHERE t.department_code IS NOT NULL AND t.department_code <> d.code
    GROUP BY d.code
), aliases AS (
    SELECT code, array_agg(DISTINCT name ORDER BY name) AS a FROM names GROUP BY code
), spans AS (
    SELECT code, min(year) AS y0, max(year) AS y1, count(*) AS n FROM docs GROUP BY code
)
SELECT s.code, coalesce(r.name, s.code), coalesce(a.a, []), coalesce(v.v, []), s.y0, s.y1, s.n
FROM spans s
LEFT JOIN ranked r ON r.code = s.code AND r.rn = 1
LEFT JOIN aliases a ON a.code = s.code
LEFT JOIN variants v ON v.code = s.code;
"""


def refresh_departments(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``departments`` from the loaded documents (call inside a transaction); row count."""
    con.execute(_DEPARTMENTS_SQL)
    return con.execute("SELECT count(*) FROM departments").fetchall()[0][0]


def refresh_subject_codes(con: duckdb.DuckDBPyConnection, reference_dir: Path | None = None) -> int:
    """Replace ``subject_codes`` with the reference lists; left as is when no list is shipped."""
    frame = load_subject_codes(reference_dir)
    if frame.height == 0:
        return con.execute("SELECT count(*) FROM subject_codes").fetchall()[0][0]
    con.register("_subject_codes", frame.to_arrow())
    try:
        con.execute("DELETE FROM subject_codes")
        con.execute("INSERT INTO subject_codes BY NAME SELECT * FROM _subject_codes")
    finally:
        con.unregister("_subject_codes")
    return frame.height
