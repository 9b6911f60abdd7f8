"""The single DuckDB writer: staged Parquet sets → warehouse, one transaction per batch of documents.

Under ``filelock.FileLock(home.lock_path)`` the loader migrates the schema, reads the documents row
of every staged set (one read_parquet), skips those already loaded, then loads the rest in batches
(``BATCH_SIZE``): one transaction deletes the batch's rows from every table and inserts the staged
ones (one read_parquet per table over the batch's files), so a re-load replaces a document and a
crash (even SIGKILL) mid-way leaves every document of the batch at its previous version. Why
batches: one transaction a document cost ~30 ms, mostly its COMMIT (a WAL fsync) and nine small
read_parquet calls (bench/bench_load.py). A batch that fails is split in halves and each loaded the
same way, down to the failing document alone, so one bad document fails only itself. A document
whose new version failed (parse failure staged by ``failure_frames``, or an error while loading)
keeps its good rows and status 'loaded'; the failure goes into documents.last_error_kind /
last_error / last_attempt_*. Then the dimensions are rebuilt, the file checkpointed and closed, and
the read snapshot published. Every change to a document's rows bumps
``load_generation.generation`` (one step a document) in the same transaction, and the final step
records the generation the dimensions were rebuilt for, so a later night knows exactly what an
interrupted one left undone (pipeline/resume.py).

Test hook: with $BUDGET_ETL_LOAD_HOLD set to a document id the loader prints "BEGIN <id>" /
"COMMIT <id>" to stderr for every document of every batch and, inside the transaction of the batch
holding that document (rows deleted and re-inserted, not committed), prints "HOLD <id>" and waits,
so a test can kill it there without racing a timer.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock, Timeout

from pipeline.clean.frames import SCHEMAS
from pipeline.config import Home
from pipeline.load.disclosures import refresh_disclosures
from pipeline.load.dimensions import refresh_departments, refresh_subject_codes, refresh_table_kinds
from pipeline.load.schema import ensure_schema
from pipeline.load.snapshot import checkpoint, connect_reader, connect_writer, publish_snapshot
from pipeline.night_errors import WarehouseBusy, raise_if_disk_full
from pipeline.load.staging import StagingError, read_staged_document, staged_dir, staged_ids

#: Tables holding a document's rows (all but documents), deleted and re-inserted on every load.
FACT_TABLES = tuple(t for t in SCHEMAS if t != "documents")
HOLD_ENV = "BUDGET_ETL_LOAD_HOLD"
HOLD_SECONDS = 300.0
#: Documents a load transaction holds: one commit (WAL fsync) and one read_parquet per table for all
#: of them instead of each (pipeline/load/loader.py's docstring; bench/bench_load.py measures it).
BATCH_SIZE = 250


@dataclass
class LoadSummary:
    """What one load_staged call did, by document id."""

    loaded: list[str] = field(default_factory=list)          # new version in the warehouse
    kept_previous: list[str] = field(default_factory=list)   # new version failed; old one visible
    failed: list[str] = field(default_factory=list)          # failed, and no good version exists
    skipped: list[str] = field(default_factory=list)         # staged version already loaded
    schema_version: int = 0
    departments: int = 0
    disclosures: int = 0
    subject_codes: int = 0
    seconds: float = 0.0
    snapshot: Path | None = None


def load_staged(home: Home, document_ids: list[str] | None = None, force: bool = False,
                reference_dir: Path | None = None, lock_timeout: float = 600.0,
                snapshot: bool = True, batch_size: int = BATCH_SIZE) -> LoadSummary:
    """Load the staged documents (all when None) into home.db_path; see the module docstring.

    A staged set whose (sha256, parser_version, status) equals what the warehouse already holds is
    skipped unless ``force``: a night with nothing new costs a read of each small documents.parquet.
    Load many documents per call where possible: each call migrates, rebuilds the dimensions and
    copies the snapshot (``snapshot=False`` skips the copy, e.g. for all but the last of a batch).
    ``batch_size`` documents share a transaction (1: one transaction each, as before batching).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    t0 = time.perf_counter()
    home.ensure()
    summary = LoadSummary()
    ids = staged_ids(home.staging) if document_ids is None else list(dict.fromkeys(document_ids))
    hold = os.environ.get(HOLD_ENV) or None
    lock = FileLock(str(home.lock_path), timeout=lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        raise WarehouseBusy(f"another process held the warehouse's writer lock {home.lock_path} for "
                            f"{lock_timeout:g} s; nothing was loaded") from None
    try:
        con = connect_writer(home.db_path)
        try:
            summary.schema_version = ensure_schema(con)
            state = _warehouse_state(con)
            staged = _staged_documents(home.staging, ids)
            pending: list[str] = []
            for doc_id in ids:
                have = state.get(doc_id)
                try:
                    staged_doc = _check_staged(home.staging, doc_id, staged[doc_id])
                except (StagingError, OSError, pl.exceptions.PolarsError, ValueError) as e:
                    getattr(summary, _record_failure(con, doc_id, have, {
                        "sha256": "", "parser_version": None, "source": ""}, "staging_error", str(e))
                            ).append(doc_id)
                    continue
                if not force and _unchanged(staged_doc, have):
                    summary.skipped.append(doc_id)
                elif staged_doc["status"] != "loaded":
                    getattr(summary, _record_failure(con, doc_id, have, staged_doc, staged_doc[
                        "error_kind"] or "unreadable", staged_doc["error"] or "")).append(doc_id)
                else:
                    staged[doc_id] = staged_doc
                    pending.append(doc_id)
            # One thread reads a batch's many small Parquet files faster than two: a parallel scan
            # pays per-thread insert state for each of ~130 column chunks a document (bench_load).
            con.execute("SET threads = 1")
            for i in range(0, len(pending), batch_size):
                _load_batch(con, home, pending[i:i + batch_size], state, staged, hold, summary)
            con.execute("RESET threads")
            con.execute("BEGIN TRANSACTION")
            summary.disclosures = refresh_disclosures(con)
            summary.departments = refresh_departments(con)
            summary.subject_codes = refresh_subject_codes(con, reference_dir)
            refresh_table_kinds(con)
            con.execute("UPDATE load_generation SET dimensions_generation = generation")
            con.execute("COMMIT")
            checkpoint(con)
        except duckdb.Error as e:
            raise_if_disk_full(e, f"loading into {home.db_path}", home.db_path.parent)
            raise
        finally:
            try:
                con.close()
            except duckdb.Error:
                pass   # closing checkpoints; on a full disk that fails too, and the WAL stays
        if snapshot:
            try:
                summary.snapshot = publish_snapshot(home.db_path)
            except OSError as e:
                raise_if_disk_full(e, "copying the readers' snapshot", home.db_path.parent)
                raise
    finally:
        lock.release()
    summary.seconds = time.perf_counter() - t0
    return summary


def loaded_versions(home: Home) -> dict[str, tuple[str, str]]:
    """document_id → (sha256, parser_version) of the last version tried, loaded or failed.

    A document whose new version failed reports that version, so an unchanged broken file is not
    parsed again every night; a new PARSER_VERSION or new content makes it differ. Reads the
    snapshot while the loader holds the main file; {} when nothing was ever loaded.
    """
    try:
        con, _ = connect_reader(home.db_path)
    except FileNotFoundError:
        return {}
    try:
        rows = con.execute(
            "SELECT document_id, coalesce(last_attempt_sha256, sha256),"
            " coalesce(last_attempt_parser_version, parser_version) FROM documents"
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return {d: (s, p or "") for d, s, p in rows}


def _warehouse_state(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    cur = con.execute(
        "SELECT document_id, status, sha256, parser_version, last_attempt_sha256,"
        " last_attempt_parser_version, last_error_kind FROM documents")
    cols = [c[0] for c in cur.description]
    return {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}


def _unchanged(staged: dict, have: dict | None) -> bool:
    if have is None:
        return False
    if staged["status"] == "loaded":
        return (have["status"] == "loaded" and have["last_error_kind"] is None
                and (have["sha256"], have["parser_version"])
                == (staged["sha256"], staged["parser_version"]))
    return ((have["last_attempt_sha256"], have["last_attempt_parser_version"],
             have["last_error_kind"])
            == (staged["sha256"], staged["parser_version"], staged["error_kind"]))


def _staged_documents(staging: Path, ids: list[str]) -> dict[str, dict | Exception]:
    """The documents row of each staged set, or the error reading it (StagingError, OSError, …).

    One DuckDB read_parquet over every documents.parquet (a polars read each cost ~2 ms a
    document); a set without that file, or every set when the one read fails (a file unreadable),
    is read on its own so the error belongs to its document only.
    """
    out: dict[str, dict | Exception] = {}
    paths: dict[str, str] = {}
    alone: list[str] = []   # no documents.parquet (yet): read on its own, for its own error
    for doc_id in ids:
        try:
            path = staged_dir(staging, doc_id) / "documents.parquet"
        except StagingError as e:
            out[doc_id] = e
            continue
        if path.is_file():
            paths[str(path)] = doc_id
        else:
            alone.append(doc_id)
    if paths:
        try:
            con = duckdb.connect()
            try:
                cur = con.execute("SELECT *, filename AS _staged_file FROM read_parquet($p, filename = true)",
                                  {"p": list(paths)})
                cols = [c[0] for c in cur.description]
                rows = cur.fetchall()
            finally:
                con.close()
        except duckdb.Error:
            rows = None
        if rows is None:
            alone.extend(paths.values())
        else:
            found: dict[str, list[dict]] = {d: [] for d in paths.values()}
            for r in rows:
                row = dict(zip(cols, r))
                found[paths[row.pop("_staged_file")]].append(
                    {k: v for k, v in row.items() if k != "filename"})
            for doc_id, got in found.items():
                out[doc_id] = got[0] if len(got) == 1 else StagingError(
                    f"staged set {doc_id} has {len(got)} documents rows")
    for doc_id in alone:
        try:
            out[doc_id] = read_staged_document(staging, doc_id)
        except (StagingError, OSError, pl.exceptions.PolarsError, ValueError) as e:
            out[doc_id] = e
    return out


def _check_staged(staging: Path, doc_id: str, staged_doc: dict | Exception) -> dict:
    """The staged documents row when the whole set is there; raises what is wrong otherwise."""
    if isinstance(staged_doc, Exception):
        raise staged_doc
    folder = staged_dir(staging, doc_id)
    missing = [t for t in SCHEMAS if not (folder / f"{t}.parquet").exists()]
    if missing:
        raise StagingError(f"staged set {doc_id} lacks {missing}")
    return staged_doc


def _load_batch(con: duckdb.DuckDBPyConnection, home: Home, batch: list[str],
                state: dict[str, dict], staged: dict[str, dict], hold: str | None,
                summary: LoadSummary) -> None:
    """Load ``batch`` in one transaction; if it fails, load each half the same way.

    So a batch is visible whole or not at all, and a bad document costs about 2·log2(batch)
    transactions before it fails alone (as a batch of one, with its own error recorded).
    """
    try:
        _insert_batch(con, home, batch, state, hold)
    except duckdb.Error as e:
        _rollback(con)
        # a full disk (the WAL cannot grow) is the machine's failure, not this batch's
        raise_if_disk_full(e, f"loading {batch[0]}… into {home.db_path}", home.db_path.parent)
        if len(batch) > 1:
            half = len(batch) // 2
            _load_batch(con, home, batch[:half], state, staged, hold, summary)
            _load_batch(con, home, batch[half:], state, staged, hold, summary)
        else:
            doc_id = batch[0]
            getattr(summary, _record_failure(con, doc_id, state.get(doc_id), staged[doc_id],
                                             "load_error", str(e))).append(doc_id)
        return
    summary.loaded.extend(batch)


def _insert_batch(con: duckdb.DuckDBPyConnection, home: Home, batch: list[str],
                  state: dict[str, dict], hold: str | None) -> None:
    """One transaction: delete the batch's previous rows, insert its staged sets, commit.

    DuckDB reads the staged Parquet itself, one read_parquet per table over the batch's files (no
    round trip through Python); a row whose document_id is not its folder's (``filename``) makes
    the insert fail (``error()``), which rolls the batch back. ``union_by_name``: without it a
    column the first file lacks would be dropped, silently, from the files after it (sets staged by
    another release); a column a file lacks reads NULL, so where the table wants its DEFAULT the
    insert fails and the halves, down to that set alone, load it as they would one by one.
    """
    folders = [str(staged_dir(home.staging, d)) for d in batch]
    prefix = str(home.staging) + os.sep
    con.execute("BEGIN TRANSACTION")
    if hold:
        for doc_id in batch:
            print(f"BEGIN {doc_id}", file=sys.stderr, flush=True)
    replaced = [d for d in batch if d in state]   # a new document has no rows to delete
    if replaced:
        for table in ("documents",) + FACT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE document_id IN (SELECT unnest($ids))",
                        {"ids": replaced})
    for table in SCHEMAS:
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (filename) REPLACE (CASE WHEN filename"
            f" = concat($prefix, document_id, $suffix) THEN document_id ELSE error('staged {table}"
            f" holds a row of another document') END AS document_id)"
            f" FROM read_parquet($paths, filename = true, union_by_name = true)",
            {"prefix": prefix, "suffix": f"{os.sep}{table}.parquet",
             "paths": [f"{f}{os.sep}{table}.parquet" for f in folders]}).fetchall()
    con.execute(
        "UPDATE documents SET loaded_at = current_timestamp, last_attempt_at = current_timestamp,"
        " last_attempt_sha256 = sha256, last_attempt_parser_version = parser_version,"
        " last_error_kind = NULL, last_error = NULL WHERE document_id IN (SELECT unnest($ids))",
        {"ids": batch})
    counts = dict(con.execute("SELECT document_id, count(*) FROM documents"
                              " WHERE document_id IN (SELECT unnest($ids)) GROUP BY ALL",
                              {"ids": batch}).fetchall())
    wrong = [d for d in batch if counts.get(d) != 1]
    if wrong:
        raise duckdb.ConstraintException(f"staged set {wrong[0]} must have exactly one documents row")
    _bump_generation(con, len(batch))
    if hold in batch:
        print(f"HOLD {hold}", file=sys.stderr, flush=True)
        time.sleep(HOLD_SECONDS)
    con.execute("COMMIT")
    if hold:
        for doc_id in batch:
            print(f"COMMIT {doc_id}", file=sys.stderr, flush=True)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK if a transaction is still open (a failed COMMIT has already ended it)."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _bump_generation(con: duckdb.DuckDBPyConnection, documents: int = 1) -> None:
    """Inside a load's transaction: the warehouse changed (see 011_resumable_stages.sql); one step
    per document changed, so the counter reads the same however the documents were batched."""
    con.execute("UPDATE load_generation SET generation = generation + $n, changed_at = current_timestamp",
                {"n": documents})


def _record_failure(con: duckdb.DuckDBPyConnection, doc_id: str, have: dict | None, doc: dict,
                    kind: str, message: str) -> str:
    """Record a failed version: beside the good one if there is one, else as a 'failed' row."""
    con.execute("BEGIN TRANSACTION")
    try:
        if have is not None and have["status"] == "loaded":
            con.execute(
                "UPDATE documents SET last_attempt_at = current_timestamp, last_attempt_sha256 = ?,"
                " last_attempt_parser_version = ?, last_error_kind = ?, last_error = ?"
                " WHERE document_id = ?",
                [doc.get("sha256"), doc.get("parser_version"), kind, message, doc_id])
            outcome = "kept_previous"
        else:
            con.execute("DELETE FROM documents WHERE document_id = ?", [doc_id])
            con.execute(
                "INSERT INTO documents (document_id, sha256, source, file_name, parser_version,"
                " status, error_kind, error, tables_found, last_attempt_at, last_attempt_sha256,"
                " last_attempt_parser_version, last_error_kind, last_error, source_title,"
                " source_department, source_year, source_page) VALUES"
                " (?, ?, ?, ?, ?, 'failed', ?, ?, 0, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc_id, doc.get("sha256") or "", doc.get("source") or "", doc.get("file_name"),
                 doc.get("parser_version"), kind, message, doc.get("sha256"),
                 doc.get("parser_version"), kind, message, doc.get("source_title"),
                 doc.get("source_department"), doc.get("source_year"), doc.get("source_page")])
            outcome = "failed"
        _bump_generation(con)
        con.execute("COMMIT")
    except Exception:
        _rollback(con)
        raise
    return outcome
