"""The read snapshot: a copy of the warehouse that readers use while the loader writes.

DuckDB lets no other process open a file while one process writes it, not even read-only. The
loader therefore publishes ``<db>.snapshot.duckdb`` (an atomic copy, after a checkpoint) at the end
of every load; ``run_sql`` and ``loaded_versions`` fall back to it when the main file is locked.
Readers holding the old snapshot open keep reading the old inode; new readers see the new one.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from pipeline.atomic import copy_atomic


def snapshot_path(db_path: Path) -> Path:
    """warehouse/district.duckdb → warehouse/district.snapshot.duckdb."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.snapshot{db_path.suffix or '.duckdb'}")


def publish_snapshot(db_path: Path) -> Path:
    """Copy the (closed, checkpointed) warehouse to its snapshot path atomically."""
    dst = snapshot_path(db_path)
    copy_atomic(Path(db_path), dst)
    return dst


def is_lock_error(e: BaseException) -> bool:
    return isinstance(e, duckdb.IOException) and "lock" in str(e).lower()


def connect_reader(db_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """A read-only connection to the warehouse, or to its snapshot while the loader holds it."""
    db_path = Path(db_path)
    snap = snapshot_path(db_path)
    if db_path.exists():
        try:
            return duckdb.connect(str(db_path), read_only=True), db_path
        except duckdb.IOException as e:
            if not is_lock_error(e) or not snap.exists():
                raise
    if snap.exists():
        return duckdb.connect(str(snap), read_only=True), snap
    raise FileNotFoundError(f"no warehouse at {db_path} (nothing loaded yet?)")


def connect_writer(db_path: Path, timeout: float = 60.0) -> duckdb.DuckDBPyConnection:
    """A read-write connection, waiting up to ``timeout`` s for short-lived readers to let go."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(db_path))
        except duckdb.IOException as e:
            if not is_lock_error(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
