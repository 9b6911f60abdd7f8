"""The latest full check run, as the warehouse states it (view v_latest_check_run, warehouse/views.sql).

One statement of "the checks" for the report, the snapshot's state token, the resume logic and the truth
scoring: before, each read check_runs or check_results its own way (a full run with no failure was
missed by those reading check_results).
"""

from __future__ import annotations

import duckdb


def latest_check_run(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """(run_id, load generation it read) of the latest full check run, None when there is none.

    Raises duckdb.CatalogException on a warehouse from before schema 11 (no check_runs)."""
    row = con.execute("SELECT run_id, generation FROM v_latest_check_run").fetchone()
    return (row[0], row[1]) if row else None
