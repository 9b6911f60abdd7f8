"""Staging: one Parquet set per document, written so that a reader sees all of it or none of it.

Parsers run in parallel and only write here; the loader (the single DuckDB writer) reads. A set is
written into a hidden temp folder beside its final place and renamed into place; a previous set is
first renamed aside and deleted after, so the window without a set is two renames long and a
reader never sees a half-written one (``read_staged`` retries once across that window). Writers of
the same document take a per-document lock for the renames. A full disk removes the temp folder and
raises DiskFull (the night stops with a plain message; the previous set, if any, stays).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import polars as pl
from filelock import FileLock

from pipeline.clean.frames import SCHEMAS
from pipeline.night_errors import raise_if_disk_full
from pipeline.testhooks import inject_fault


class StagingError(RuntimeError):
    """A staged set is missing or incomplete."""


def staged_dir(staging_dir: Path, document_id: str) -> Path:
    if not document_id or "/" in document_id or document_id.startswith("."):
        raise StagingError(f"not a valid document id for staging: {document_id!r}")
    return Path(staging_dir) / document_id


def stage(staging_dir: Path, document_id: str, frames: dict[str, pl.DataFrame]) -> Path:
    """Write the frames of one document as staging_dir/<document_id>/<table>.parquet, atomically."""
    missing = set(SCHEMAS) - set(frames)
    if missing:
        raise StagingError(f"frames for {document_id} lack tables {sorted(missing)}")
    final = staged_dir(staging_dir, document_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{document_id}.", suffix=".tmp"))
    except OSError as e:
        raise_if_disk_full(e, f"staging {document_id}", final.parent)
        raise
    try:
        inject_fault("staging")
        for table, df in frames.items():
            df.write_parquet(tmp / f"{table}.parquet", statistics=False)
        _fsync_dir(tmp)
        old = None
        # Two writers of one document (a Dagster partition run beside `budget-etl run`) take turns
        # for the two renames; the last to finish wins, and neither fails.
        locks = final.parent / ".locks"
        locks.mkdir(exist_ok=True)
        with FileLock(str(locks / f"{document_id}.lock")):
            if final.exists():
                old = final.parent / f".{document_id}.{uuid.uuid4().hex}.old"
                os.replace(final, old)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise_if_disk_full(e, f"staging {document_id}", final.parent)
        raise
    return final


def read_staged(staging_dir: Path, document_id: str) -> dict[str, pl.DataFrame]:
    """The staged frames of one document (every table of SCHEMAS); StagingError if absent."""
    final = staged_dir(staging_dir, document_id)
    for attempt in range(2):
        try:
            return {t: pl.read_parquet(final / f"{t}.parquet") for t in SCHEMAS}
        except FileNotFoundError:
            if attempt == 0:
                time.sleep(0.05)  # a concurrent stage() may be between its two renames
    raise StagingError(f"no complete staged set for {document_id} in {staging_dir}")


def read_staged_document(staging_dir: Path, document_id: str) -> dict:
    """Only the documents row of a staged set (cheap: decides whether a load is needed)."""
    final = staged_dir(staging_dir, document_id)
    rows = pl.read_parquet(final / "documents.parquet").to_dicts()
    if len(rows) != 1:
        raise StagingError(f"staged set {document_id} has {len(rows)} documents rows")
    return rows[0]


def staged_ids(staging_dir: Path) -> list[str]:
    """Every document with a staged set, sorted (temp and old folders are hidden, so skipped)."""
    d = Path(staging_dir)
    if not d.exists():
        return []
    return sorted(p.name for p in d.iterdir() if p.is_dir() and not p.name.startswith("."))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
