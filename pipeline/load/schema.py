"""Versioned DDL: apply warehouse/schema/NNN_*.sql in order, once each, then (re)create the views.

The SQL is package data of the ``warehouse`` package (pipeline/packaged.py), so an installed copy
finds it as a checkout does.

The version of a file is its number; ``schema_version`` records each applied file, so a warehouse
made by an older release migrates forward by running only the files it has not seen. Each file runs
in its own transaction: a failing migration leaves the warehouse at the previous version.
"""

from __future__ import annotations

import re
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb

from pipeline.packaged import packaged

SCHEMA_DIR: Traversable = packaged("warehouse", "schema")
VIEWS_SQL: Traversable = packaged("warehouse", "views.sql")
_FILE = re.compile(r"^(\d{3})_[\w-]+\.sql$")


class SchemaError(RuntimeError):
    """The schema files are inconsistent, or the warehouse is newer than this code."""


def migrations(schema_dir: Path | Traversable = SCHEMA_DIR) -> list[tuple[int, Path | Traversable]]:
    """(version, file) of every migration file, in order; duplicate numbers are an error."""
    found: dict[int, Path | Traversable] = {}
    for p in sorted((f for f in schema_dir.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name):
        m = _FILE.match(p.name)
        if not m:
            continue
        v = int(m.group(1))
        if v in found:
            raise SchemaError(f"two schema files numbered {v}: {found[v].name}, {p.name}")
        found[v] = p
    return sorted(found.items())


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied schema version (0 for an empty database)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def ensure_schema(con: duckdb.DuckDBPyConnection, schema_dir: Path | Traversable = SCHEMA_DIR,
                  views_sql: Path | Traversable | None = VIEWS_SQL) -> int:
    """Migrate to the newest schema and recreate the views; returns the schema version."""
    files = migrations(schema_dir)
    have = current_version(con)
    newest = files[-1][0] if files else 0
    if have > newest:
        raise SchemaError(f"warehouse is at schema version {have}, this code knows {newest}: upgrade")
    for version, path in files:
        if version <= have:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    if views_sql is not None and views_sql.is_file():
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(views_sql.read_text(encoding="utf-8"))
            from pipeline.checks.sql_identities import create_identity_views   # one view per SQL identity

            create_identity_views(con)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return max(have, newest)
