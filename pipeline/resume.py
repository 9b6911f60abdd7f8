"""What an interrupted night left undone, as predicates any driver can ask, and the step that repairs it.

A night can die anywhere (SIGKILL, a full disk, a reboot). Every stage's work is recorded where the
next one can see it: documents by their staged sets and the warehouse's versions
(``pipeline.night.pending_loads``), the warehouse's content by ``load_generation`` (bumped inside each
document's transaction), the checks by ``check_runs`` (the generation each full run read), the report
by ``reports/.report_state.json`` (the check run it shows), the readers' snapshot by what it holds.
So the next night redoes exactly what is missing, whether or not any document changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.atomic import write_text_atomic
from pipeline.config import Home
from pipeline.load.snapshot import (checkpoint_and_publish, snapshot_generation, snapshot_path,
                                    state_token, wal_path)

REPORT_STATE = ".report_state.json"


@dataclass(frozen=True)
class WarehouseState:
    generation: int            # bumped by every change to a document's rows
    dimensions_generation: int  # the generation the dimensions were rebuilt for
    checked_generation: int | None  # the generation the latest full check run read
    latest_run: str | None     # that run's id


def warehouse_state(home: Home) -> WarehouseState | None:
    """The counters of home's warehouse (main file, WAL replayed); None without a warehouse or before 011."""
    if not home.db_path.exists():
        return None
    from pipeline.load.snapshot import connect_reader

    con, _ = connect_reader(home.db_path)
    try:
        gen, dims = con.execute("SELECT max(generation), max(dimensions_generation) FROM load_generation").fetchone()
        from pipeline.load.runs import latest_check_run

        run = latest_check_run(con)
    except duckdb.CatalogException:
        return None
    finally:
        con.close()
    return WarehouseState(gen or 0, dims or 0, run[1] if run else None, run[0] if run else None)


def checks_are_stale(home: Home) -> bool:
    """True when the warehouse changed since the latest full check run (or was never checked)."""
    st = warehouse_state(home)
    return st is None or st.checked_generation is None or st.checked_generation < st.generation


def _reading(home: Home, read):
    """``read(con)`` on a reader's connection to home's warehouse (main file, WAL replayed), closed after."""
    from pipeline.load.snapshot import connect_reader

    con, _ = connect_reader(home.db_path)
    try:
        return read(con)
    finally:
        con.close()


def roster_changed(home: Home, roster: Path | None) -> bool:
    """True when a roster is given whose bytes are not the roster the warehouse holds (the roster
    identities then need checking again even though no document changed); a roster that cannot be
    read counts as changed, so the checks run and say why."""
    if roster is None or not home.db_path.exists():
        return False
    import hashlib

    try:
        digest = hashlib.sha256(Path(roster).read_bytes()).hexdigest()
    except OSError:
        return True
    from pipeline.load.roster import roster_source

    stored = _reading(home, roster_source)
    return stored is None or stored.sha256 != digest


def report_is_stale(home: Home, report: Path) -> bool:
    """True when ``report`` is missing or shows another check run than the latest."""
    if not report.exists():
        return True
    st = warehouse_state(home)
    try:
        shown = json.loads((report.parent / REPORT_STATE).read_text("utf-8")).get("run_id")
    except (OSError, ValueError):
        return True
    return st is None or shown != st.latest_run


def mark_report(home: Home, report: Path) -> None:
    """Record which check run ``report`` (just written) shows."""
    st = warehouse_state(home)
    write_text_atomic(report.parent / REPORT_STATE,
                      json.dumps({"run_id": st.latest_run if st else None,
                                  "generation": st.generation if st else None}))


def snapshot_is_stale(home: Home) -> bool:
    """True when the readers' snapshot lacks what the main file holds, or a WAL waits to be merged."""
    if not home.db_path.exists():
        return False
    snap = snapshot_path(home.db_path)
    wal = wal_path(home.db_path)
    if not snap.exists() or (wal.exists() and wal.stat().st_size > 0):
        return True
    main = _reading(home, state_token)
    return main is None or snapshot_generation(snap) != main


def repair_warehouse(home: Home) -> str | None:
    """Finish what an interrupted load left: dimensions, CHECKPOINT, snapshot. Returns what it did."""
    if not home.db_path.exists():
        return None
    st = warehouse_state(home)
    if st is None or st.dimensions_generation < st.generation:
        from pipeline.load.loader import load_staged

        load_staged(home, [])   # rebuilds the dimensions, checkpoints and republishes
        return ("migrated the warehouse's schema" if st is None else
                "rebuilt the dimensions an interrupted load left behind") + " and republished the snapshot"
    if snapshot_is_stale(home):
        checkpoint_and_publish(home.db_path)
        return "merged the write-ahead log and republished the readers' snapshot"
    return None
