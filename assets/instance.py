"""The Dagster instance settings this project needs: one DuckDB writer, few parallel runs."""


from pathlib import Path

INSTANCE_YAML = """\
# Written by budget-etl; see README (Dagster UI). SQLite storage locks under many parallel runs:
# keep run concurrency low locally and use Postgres storage in production.
concurrency:
  runs:
    max_concurrent_runs: 2
  pools:
    default_limit: 1
telemetry:
  enabled: false
nux:
  enabled: false  # no newsletter sign-up dialog over the asset graph
"""


def write_instance_yaml(dagster_home: Path) -> Path:
    p = Path(dagster_home) / "dagster.yaml"
    if not p.exists():
        p.write_text(INSTANCE_YAML)
    return p


def relax_sqlite_sync() -> None:
    """SQLite instance storage without an fsync per commit (PRAGMA synchronous=OFF), in this process.

    Dagster's SQLite storage opens a connection and commits 2-4 times per event, and SQLite's default
    fsyncs every commit: ~100 ms per event on these disks, a minute of a night of 85 documents spent
    waiting for the disk. Without the fsync, a crash of any process still leaves the database intact;
    only an operating-system crash or a power loss can damage it (the run history, never the warehouse).
    BUDGET_ETL_SQLITE_SYNC=full keeps SQLite's default. Production uses Postgres storage, untouched.
    Applied where runs execute: `budget-etl run` and the code location (imported by every run worker).
    """
    import sqlalchemy

    from pipeline.settings import settings

    if getattr(relax_sqlite_sync, "_done", False) or settings().sqlite_sync == "full":
        return

    @sqlalchemy.event.listens_for(sqlalchemy.engine.Engine, "connect")
    def _no_fsync(dbapi_connection, _record) -> None:
        import sqlite3

        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    relax_sqlite_sync._done = True  # type: ignore[attr-defined]
