"""The dimensions, rebuilt on every load: departments (identity across tables and years, from what is
loaded), subject_codes (the reference lists shipped in pipeline/reference/) and table_kinds /
table_row_roles (the template model, pipeline/tables/catalogue.yaml: what each table kind is).

A department is its department_key (pipeline/load/disclosures.py: the code its covers print, else
its name in short form), so departments printing no code are in the dimension too. Its code is the
cover code printed most often; its canonical name the name most often printed on its documents'
covers (ties: the latest year, then the name); its aliases every name printed for it, on covers and
table headers; its code variants the other codes its table headers print (the seed's 106 for 125).
Call after refresh_disclosures, whose department keys it reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import duckdb

from pipeline.clean.codes import load_subject_codes

_DEPARTMENTS_SQL = """
DELETE FROM departments;
INSERT INTO departments (department_key, department_code, canonical_name, aliases, code_variants,
                         budget_kinds, first_year, last_year, documents)
WITH docs AS (
    SELECT d.document_id, x.department_key AS dkey, d.department_code AS code,
           d.department_name AS name, d.year, x.budget_kind
    FROM documents d JOIN disclosures x USING (document_id)
    WHERE d.status = 'loaded'
), names AS (
    SELECT dkey, name, year, true AS cover FROM docs WHERE name IS NOT NULL
    UNION ALL
    SELECT d.dkey, t.department_name, d.year, false
    FROM document_tables t JOIN docs d USING (document_id) WHERE t.department_name IS NOT NULL
), ranked AS (
    SELECT dkey, name,
           row_number() OVER (PARTITION BY dkey ORDER BY count(*) FILTER (WHERE cover) DESC,
                              max(year) DESC NULLS LAST, name) AS rn
    FROM names GROUP BY dkey, name
), codes AS (
    SELECT dkey, code, row_number() OVER (PARTITION BY dkey ORDER BY count(*) DESC, code) AS rn
    FROM docs WHERE code IS NOT NULL GROUP BY dkey, code
), variants AS (
    SELECT d.dkey, array_agg(DISTINCT t.department_code ORDER BY t.department_code) AS v
    FROM document_tables t JOIN docs d USING (document_id)
    WHERE t.department_code IS NOT NULL AND t.department_code IS DISTINCT FROM d.code
    GROUP BY d.dkey
), aliases AS (
    SELECT dkey, array_agg(DISTINCT name ORDER BY name) AS a FROM names GROUP BY dkey
), spans AS (
    SELECT dkey, min(year) AS y0, max(year) AS y1, count(*) AS n,
           coalesce(array_agg(DISTINCT budget_kind ORDER BY budget_kind)
                    FILTER (WHERE budget_kind IS NOT NULL), []) AS kinds
    FROM docs GROUP BY dkey
)
SELECT s.dkey, c.code, coalesce(r.name, s.dkey), coalesce(a.a, []), coalesce(v.v, []), s.kinds,
       s.y0, s.y1, s.n
FROM spans s
LEFT JOIN codes c ON c.dkey = s.dkey AND c.rn = 1
LEFT JOIN ranked r ON r.dkey = s.dkey AND r.rn = 1
LEFT JOIN aliases a ON a.dkey = s.dkey
LEFT JOIN variants v ON v.dkey = s.dkey;
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


class TableKind(NamedTuple):
    """One row of the table-kind dimension (the warehouse's ``table_kinds``, column for column)."""

    kind: str
    classification: str      # functional | economic | none: the subject codes its rows carry
    side_by_side: bool       # revenue and expenditure printed side by side (the summaries)
    text_only: bool          # rows of text, not amounts (performance targets)
    standard: bool           # a budget disclosure is expected to print it

    @property
    def coded(self) -> bool:
        """Its rows carry subject codes (functional or economic)."""
        return self.classification != "none"


def table_kind_rows() -> list[TableKind]:
    """Every canonical kind as the template model states it: the one statement of which kinds carry
    economic codes, print two sides, … (the warehouse's table_kinds; the checks read it too)."""
    from pipeline.model import TABLE_KINDS
    from pipeline.tables.catalogue import load_catalogue

    cat = load_catalogue()
    out = []
    for kind in TABLE_KINDS:
        spec = cat.kinds.get(kind)
        out.append(TableKind(kind, cat.classification_of(kind), bool(spec and spec.side_by_side),
                             bool(spec and spec.text_only), kind in cat.standard_kinds))
    return out


def refresh_table_kinds(con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``table_kinds`` and ``table_row_roles`` with the template model's (call inside a
    transaction); the number of kinds. A warehouse before schema 15 has neither: nothing to do."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'table_kinds'"
                       ).fetchone()[0]:
        return 0
    from pipeline.tables.catalogue import load_catalogue

    rows = table_kind_rows()
    con.execute("DELETE FROM table_kinds")
    con.executemany("INSERT INTO table_kinds VALUES (?, ?, ?, ?, ?)", rows)
    cat = load_catalogue()
    con.execute("DELETE FROM table_row_roles")
    con.executemany("INSERT INTO table_row_roles VALUES (?, ?, ?)",
                    [(i, pat.pattern, role) for i, (pat, role) in enumerate(cat.row_roles)])
    con.execute("DELETE FROM three_public_rows")
    con.executemany("INSERT INTO three_public_rows VALUES (?, ?, ?)",
                    [(i, pat.pattern, m) for i, (pat, m) in enumerate(cat.three_public_rows)])
    return len(rows)
