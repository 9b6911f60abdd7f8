"""Identity checks on one staged document, before (and independent of) the warehouse load.

The Dagster per-document asset check runs here: the document's staged Parquet is read into an
in-memory DuckDB with the warehouse schema, and the registry's document-scope identities run on it
exactly as they do on the warehouse. Year-over-year identities need last year's document, so they
come out "cannot be verified" here and are judged on the warehouse.
"""

from __future__ import annotations

import duckdb

from pipeline.checks.engine import run_document_checks
from pipeline.checks.result import CheckResult
from pipeline.config import Home
from pipeline.load.dimensions import refresh_table_kinds
from pipeline.load.schema import ensure_schema
from pipeline.load.staging import staged_dir


def check_staged_document(home: Home, document_id: str) -> list[CheckResult]:
    folder = staged_dir(home.staging, document_id)
    con = duckdb.connect()
    try:
        ensure_schema(con)
        refresh_table_kinds(con)   # the dimension the identity views join, as the loader fills it
        for parquet in sorted(folder.glob("*.parquet")):
            con.execute(f"INSERT INTO {parquet.stem} BY NAME SELECT * FROM read_parquet($p)",
                        {"p": str(parquet)})
        return run_document_checks(con, document_id)
    finally:
        con.close()
