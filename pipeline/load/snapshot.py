"""The read snapshot: a copy of the warehouse that readers use while the loader writes.

DuckDB lets no other process open a file while one process writes it, not even read-only, and a
reader holding the main file open makes the writer wait. The loader therefore publishes
``<db>.snapshot.duckdb`` (an atomic copy, after a checkpoint) at the end of every load and check
run; people's queries (``run_sql``) read only the snapshot (``connect_snapshot``), so a long query
never holds the loader up; ``loaded_versions`` falls back to it when the main file is locked.
Readers holding the old snapshot open keep reading the old inode; new readers see the new one.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pipeline.atomic import copy_atomic
from pipeline.night_errors import WarehouseBusy, raise_if_disk_full
from pipeline.testhooks import inject_fault


def snapshot_path(db_path: Path) -> Path:
    """warehouse/district.duckdb → warehouse/district.snapshot.duckdb."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.snapshot{db_path.suffix or '.duckdb'}")


def publish_snapshot(db_path: Path) -> Path:
    """Copy the (closed, checkpointed) warehouse to its snapshot path atomically."""
    dst = snapshot_path(db_path)
    copy_atomic(Path(db_path), dst)
    return dst


def checkpoint_and_publish(db_path: Path, lock_timeout: float = 600.0,
                           writer_timeout: float | None = None) -> Path:
    """Merge the WAL into the main file and republish the snapshot, under the writer's lock.

    The repair step after a crash or a full disk between a commit and the snapshot copy: the WAL
    (committed work) is replayed by opening the file, merged by CHECKPOINT, and the snapshot copied.
    """
    db_path = Path(db_path)
    try:
        with FileLock(str(db_path.with_suffix(".lock")), timeout=lock_timeout):
            con = connect_writer(db_path, timeout=writer_timeout)
            try:
                checkpoint(con)
            finally:
                try:
                    con.close()
                except duckdb.Error:
                    pass   # closing checkpoints too; on a full disk that fails, the WAL stays
            try:
                return publish_snapshot(db_path)
            except OSError as e:
                raise_if_disk_full(e, "copying the readers' snapshot", db_path.parent)
                raise
    except Timeout:
        raise WarehouseBusy(f"the warehouse {db_path} is being written by another process "
                            f"(its lock {db_path.with_suffix('.lock')} was held for {lock_timeout:g} s)") from None


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """CHECKPOINT, with a full disk reported as DiskFull (test hook: BUDGET_ETL_FAULT=checkpoint)."""
    try:
        inject_fault("checkpoint")
        con.execute("CHECKPOINT")
    except (OSError, duckdb.Error) as e:
        raise_if_disk_full(e, "merging the warehouse's write-ahead log (CHECKPOINT)")
        raise


def wal_path(db_path: Path) -> Path:
    return Path(f"{db_path}.wal")


def snapshot_generation(path: Path) -> tuple | None:
    """What a warehouse file holds, in short: (load generation, latest check run); None if unreadable."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except (duckdb.Error, OSError):
        return None
    try:
        return state_token(con)
    finally:
        con.close()


def state_token(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """(load generation, latest full check run id) of an open warehouse; None before schema 011."""
    try:
        gen = con.execute("SELECT max(generation) FROM load_generation").fetchone()[0]
        from pipeline.load.runs import latest_check_run

        run = latest_check_run(con)
    except duckdb.CatalogException:
        return None
    return (gen, run[0] if run else None)


def connect_snapshot(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the snapshot (published now if the warehouse has none yet)."""
    db_path = Path(db_path)
    snap = snapshot_path(db_path)
    if not snap.exists() and db_path.exists():
        try:   # a warehouse from before snapshots, or whose first load died before publishing one
            checkpoint_and_publish(db_path, lock_timeout=0, writer_timeout=0)
        except WarehouseBusy:
            raise WarehouseBusy(f"{db_path} has no read snapshot yet and is being written; try again "
                                f"when the night is over") from None
    if not snap.exists():
        raise FileNotFoundError(f"no warehouse at {db_path} (nothing loaded yet?)")
    return duckdb.connect(str(snap), read_only=True)


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




def connect_writer(db_path: Path, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection, waiting up to ``timeout`` s for readers of the main file to let go.

    People's readers use the snapshot, so what holds the main file is a program opening it
    directly; after ``timeout`` the error names it (WarehouseBusy), instead of a raw IOException.
    """
    if timeout is None:   # $BUDGET_ETL_WRITER_WAIT, default 60 s
        from pipeline.settings import settings

        timeout = settings().writer_wait
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(db_path))
        except duckdb.IOException as e:
            if not is_lock_error(e):
                raise_if_disk_full(e, f"opening {db_path}")
                raise
            if time.monotonic() > deadline:
                raise WarehouseBusy(f"the warehouse {db_path} stayed open in another process for "
                                    f"{timeout:g} s: {holder_of(e)}; nothing was written") from None
            time.sleep(0.2)


def holder_of(e: BaseException) -> str:
    """Who holds the file, from DuckDB's lock message ("… (PID 123)") and /proc: pid and command."""
    m = re.search(r"PID (\d+)", str(e))
    if not m:
        return "held by another process"
    pid = m.group(1)
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        cmd = ""
    return f"held by process {pid}" + (f" ({cmd[:200]})" if cmd else "")
