"""The district roster as reference data in the warehouse (tables ``roster`` and ``roster_source``,
warehouse/schema/019_roster.sql).

Why: the roster identities (roster_disclosed, department_in_roster) are stated as SQL views over the
warehouse like the others, and a user can query which departments are expected; the checks read the
roster from the same table (one source). A roster given to the checks replaces the stored one whole, in
one transaction, with the file's name and sha256; a roster that cannot be read raises DocumentError and
leaves the stored one as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.checks.rules.district import RosterEntry, parse_roster, read_roster_bytes


@dataclass(frozen=True)
class RosterSource:
    source: str      # the file's name
    sha256: str
    entries: int


def _has_roster_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                       "('roster', 'roster_source')").fetchone()[0] == 2


def load_roster(con: duckdb.DuckDBPyConnection, path: Path) -> RosterSource:
    """Replace the warehouse's roster with the file's entries (read and checked before anything is
    written); migrates a warehouse older than schema version 19 first."""
    data = read_roster_bytes(path)
    entries = parse_roster(data, path)
    src = RosterSource(Path(path).name, hashlib.sha256(data).hexdigest(), len(entries))
    if not _has_roster_tables(con):
        from pipeline.load.schema import ensure_schema

        ensure_schema(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM roster")
        if entries:
            con.executemany("INSERT INTO roster (position, department_code, name, years) VALUES (?, ?, ?, ?)",
                            [[i, e.department_code, e.name, list(e.years)] for i, e in enumerate(entries, start=1)])
        con.execute("DELETE FROM roster_source")
        con.execute("INSERT INTO roster_source (source, sha256, entries) VALUES (?, ?, ?)",
                    [src.source, src.sha256, src.entries])
        con.execute("COMMIT")
    except Exception:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass   # a failed COMMIT has already ended the transaction
        raise
    return src


def stored_roster(con: duckdb.DuckDBPyConnection) -> list[RosterEntry] | None:
    """The roster the warehouse holds, in the file's order; None when none was ever given (or the
    warehouse predates the table)."""
    if not _has_roster_tables(con) or not con.execute("SELECT count(*) FROM roster_source").fetchone()[0]:
        return None
    return [RosterEntry(code, name, tuple(years or ())) for code, name, years in con.execute(
        "SELECT department_code, name, years FROM roster ORDER BY position").fetchall()]


def roster_source(con: duckdb.DuckDBPyConnection) -> RosterSource | None:
    """Which file the stored roster was read from."""
    if not _has_roster_tables(con):
        return None
    r = con.execute("SELECT source, sha256, entries FROM roster_source").fetchone()
    return RosterSource(*r) if r else None
