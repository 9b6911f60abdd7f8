"""Running the registry's identities over the warehouse and storing the failures in check_results.

DuckDB has one writer at a time: the checks read with a read-only connection, close it, then take the
loader's lock (``Home.lock_path``) and write in one short transaction.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
from filelock import FileLock

from pipeline.checks.base import RuleContext
from pipeline.checks.coverage import COLUMNS as COVERAGE_COLUMNS, coverage
from pipeline.checks.facts import DocFacts, last_year_id, last_year_of, load_facts, previous_year_index
from pipeline.checks.catalogue import DISTRICT, DOCUMENT, REGISTRY, REGISTRY_LIST
from pipeline.checks.rules import resolve
from pipeline.checks.rules.district import read_roster
from pipeline.checks.result import CheckResult, CheckSummary
from pipeline.checks.viewed import VIEW_OWNED, view_results
from pipeline.load.roster import load_roster, stored_roster
from pipeline.load.runs import latest_check_run
from pipeline.model import DocumentError
from pipeline.testhooks import hold

ConOrPath = duckdb.DuckDBPyConnection | Path | str
VIEWS = frozenset(VIEW_OWNED)


@contextmanager
def _connection(con_or_db_path: ConOrPath, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(con_or_db_path, duckdb.DuckDBPyConnection):
        yield con_or_db_path
        return
    path = Path(con_or_db_path)
    if not path.exists():
        raise DocumentError("unreadable", f"no warehouse at {path}")
    if read_only:
        con = duckdb.connect(str(path), read_only=True)
    else:  # waits for a process holding the file, then says which (WarehouseBusy)
        from pipeline.load.snapshot import connect_writer

        con = connect_writer(path)
    try:
        yield con
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass   # closing checkpoints; on a full disk that fails, and the committed WAL stays


def rules_of(scope: str, review: bool = False) -> list[str]:
    """The distinct rules the registry names for a scope, in catalogue order: what the engine runs."""
    return list(dict.fromkeys(i.rule for i in REGISTRY_LIST if i.scope == scope and i.review == review))


def _identities_of(rule: str) -> set[str]:
    return {i.name for i in REGISTRY_LIST if i.rule == rule}


def document_results(doc: DocFacts, last_year: DocFacts | None, viewed: list[CheckResult]) -> list[CheckResult]:
    """Every document-scope identity evaluated on one loaded document (passing ones included): each rule
    the registry names (of an identity its view owns, the policy over ``viewed``, the view's results for
    this document: pipeline.checks.viewed.view_results), then the review rules over their results."""
    if doc.status not in ("loaded", "partial"):   # partial: some tables unread, each marked in its status
        return []
    results = _run_rules(DOCUMENT, doc, viewed, RuleContext(last_year=last_year))
    for rule in rules_of(DOCUMENT, review=True):
        results = resolve(rule)(doc, results)
    return results


def checked_document(con: duckdb.DuckDBPyConnection, doc: DocFacts, last_year: DocFacts | None) -> list[CheckResult]:
    """document_results of one document read from the warehouse: its views computed for it alone."""
    return document_results(doc, last_year, view_results(con, {doc.document_id: doc}, [doc.document_id],
                                                         DOCUMENT).get(doc.document_id, []))


def district_results(docs: dict[str, DocFacts], roster: list | None,
                     catalogue: dict[tuple[str, int, str], str], viewed: list[CheckResult]) -> list[CheckResult]:
    """Every district-scope identity over all documents (the roster's only when one is given); of an
    identity its view owns, the rule is the policy over ``viewed`` (its view's results, all documents)."""
    return _run_rules(DISTRICT, docs, viewed, RuleContext(roster=roster, catalogue=catalogue))


def _run_rules(scope: str, subject, viewed: list[CheckResult], ctx: RuleContext) -> list[CheckResult]:
    """Each rule of the scope on ``subject`` (a document, or the district's documents): of identities
    their view owns, the rule is the policy over the view's results; else it computes them."""
    out: list[CheckResult] = []
    for rule in rules_of(scope):
        names = _identities_of(rule)
        if names <= VIEWS:
            out.extend(resolve(rule)(subject, [r for r in viewed if r.check_name in names]))
        elif names & VIEWS:
            raise AssertionError(f"{rule} computes identities their view owns: {sorted(names & VIEWS)}")
        else:
            out.extend(resolve(rule)(subject, ctx))
    return out


def run_document_checks(con_or_db_path: ConOrPath, document_id: str) -> list[CheckResult]:
    """One document's checks (for a partitioned Dagster asset check); reads only, writes nothing.

    A companion file (the prose of a disclosure printed as two PDFs) is checked as its disclosure.
    """
    with _connection(con_or_db_path) as con:
        docs = load_facts(con, [document_id])
        doc = docs.get(document_id)
        if doc is None:
            raise DocumentError("unreadable", f"document {document_id} is not in the warehouse")
        doc = docs.get(doc.part_of, doc) if doc.part_of else doc
        prev = last_year_id(doc) if doc.previous_known else last_year_id(doc, previous_year_index(load_facts(con)))
        last = load_facts(con, [prev]).get(prev) if prev else None
        return checked_document(con, doc, last)


def _catalogue(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, str], str]:
    return {(cls, year, code): name for cls, year, code, name in con.execute(
        "SELECT classification, year, code, name FROM subject_codes").fetchall()}


def compute_results(con: duckdb.DuckDBPyConnection, document_ids: list[str] | None = None,
                    roster: Path | None = None) -> tuple[list[CheckResult], int]:
    """All results (passing included) for the documents, plus district results when all are checked.

    The roster is the file given, else the one the warehouse holds (pipeline/load/roster.py), if any."""
    docs = load_facts(con)   # every document: the previous year and the district need them
    selected = list(docs) if document_ids is None else [d for d in document_ids if d in docs]
    index = previous_year_index(docs)
    checked = [d for d in selected if docs[d].part_of is None]   # a companion's facts are checked with the
    viewed = view_results(con, docs, None if document_ids is None else checked)   # file they were joined to
    results: list[CheckResult] = []
    for doc_id in checked:
        doc = docs[doc_id]
        results.extend(document_results(doc, last_year_of(doc, docs, index), viewed.get(doc_id, [])))
    entries = read_roster(roster) if roster is not None else stored_roster(con)
    district = district_results(docs, entries, _catalogue(con), [
        r for rs in view_results(con, docs, None, DISTRICT).values() for r in rs])
    if document_ids is not None:
        keep = set(selected)
        district = [r for r in district if r.document_id in keep]
    return results + district, len(selected)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("checks-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(name, SQL type) of a warehouse table's columns that a writer fills (those without a default), in
    the DDL's order: the one statement of the columns is the DDL (warehouse/schema)."""
    return [(n, t) for n, t in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "AND column_default IS NULL ORDER BY ordinal_position", [table]).fetchall()]


def _arrow_type(sql_type: str):
    """The Arrow type of a DDL column type (exact decimals, never float)."""
    import re

    import pyarrow as pa

    m = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", sql_type)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    return {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_()}[sql_type]


def _arrow(records: list[dict], columns: list[tuple[str, str]]):
    """The records as an Arrow table of the DDL's columns and types (executemany is slow row by row)."""
    import pyarrow as pa

    arrays = []
    for name, sql_type in columns:
        t = _arrow_type(sql_type)
        col = [r[name] for r in records]
        if pa.types.is_decimal(t):
            q = Decimal(1).scaleb(-t.scale)
            col = [None if v is None else v.quantize(q) for v in col]
        arrays.append(pa.array(col, type=t))
    return pa.Table.from_arrays(arrays, names=[n for n, _ in columns])


def _write_coverage(con: duckdb.DuckDBPyConnection, run_id: str, results: list[CheckResult],
                    document_ids: list[str] | None) -> None:
    """This run's per-document coverage (identities checked / holding / broken / unverifiable), when the
    warehouse has the table (schema version 7)."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'check_coverage'"
                       ).fetchone()[0]:
        return
    if document_ids is None:
        con.execute("DELETE FROM check_coverage WHERE run_id = ?", [run_id])
    else:
        con.execute("DELETE FROM check_coverage WHERE run_id = ? AND document_id IN (SELECT UNNEST(?::VARCHAR[]))",
                    [run_id, list(document_ids)])
    rows = [c.row(run_id) for c in coverage(results)]
    if rows:
        con.executemany(f"INSERT INTO check_coverage ({', '.join(COVERAGE_COLUMNS)}) VALUES "
                        f"({', '.join('?' * len(COVERAGE_COLUMNS))})", rows)


def write_results(con: duckdb.DuckDBPyConnection, run_id: str, results: list[CheckResult],
                  document_ids: list[str] | None, n_docs: int | None = None) -> int:
    """Replace this run's rows for these documents (all, when None) with the failing results.

    A full run (``document_ids`` None) is also recorded in check_runs with the load generation it
    read, in the same transaction: that is what tells a later night the checks are up to date.
    """
    rows = [r.record(run_id) for r in results if r.failed and not r.hidden]
    con.execute("BEGIN TRANSACTION")
    try:
        if document_ids is None:
            con.execute("DELETE FROM check_results WHERE run_id = ?", [run_id])
        else:
            con.execute("DELETE FROM check_results WHERE run_id = ? AND document_id IN (SELECT UNNEST(?::VARCHAR[]))",
                        [run_id, list(document_ids)])
        _write_coverage(con, run_id, results, document_ids)
        if rows:
            columns = table_columns(con, "check_results")
            con.register("_check_rows", _arrow(rows, columns))
            try:
                con.execute("INSERT INTO check_results BY NAME SELECT * FROM _check_rows")
            finally:
                con.unregister("_check_rows")
        if document_ids is None and _has_table(con, "check_runs"):
            con.execute("DELETE FROM check_runs WHERE run_id = ?", [run_id])
            con.execute("INSERT INTO check_runs (run_id, generation, documents, failures)"
                        " SELECT ?, generation, ?, ? FROM load_generation", [run_id, n_docs, len(rows)])
        hold("checks")
        con.execute("COMMIT")
    except Exception as e:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass   # a failed COMMIT has already ended the transaction
        from pipeline.night_errors import raise_if_disk_full

        raise_if_disk_full(e, "writing the check results")
        raise
    return len(rows)


def run_checks(db_path: Path, run_id: str | None = None, document_ids: list[str] | None = None,
               roster: Path | None = None) -> CheckSummary:
    """Compute every identity from the warehouse, store the failures of this run, return the counts.

    A roster that cannot be read raises DocumentError before anything is written.
    """
    db_path = Path(db_path)
    run_id = run_id or new_run_id()
    if not db_path.exists():
        raise DocumentError("unreadable", f"no warehouse at {db_path}")
    # One writer: under the loader's lock, open, compute, write, close (a few seconds for 1,000
    # department-years), so the stored results describe exactly the warehouse state they were computed on.
    with FileLock(str(db_path.with_suffix(".lock"))):
        with _connection(db_path, read_only=False) as con:
            if roster is not None:   # the warehouse's reference data, which the checks and views then read
                load_roster(con, roster)
            results, n_docs = compute_results(con, document_ids)
            write_results(con, run_id, results, document_ids, n_docs)
    return CheckSummary.of(run_id, n_docs, results)


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest full check run (v_latest_check_run), else the latest run with stored failures (a
    warehouse checked only document by document)."""
    if _has_table(con, "check_runs"):
        r = latest_check_run(con)
        if r:
            return r[0]
    r = con.execute("SELECT run_id FROM check_results ORDER BY checked_at DESC LIMIT 1").fetchone()
    return r[0] if r else None


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                       [name]).fetchone()[0] > 0


def district_identities() -> list[str]:
    return [n for n, i in REGISTRY.items() if i.scope == DISTRICT]


def outcomes_by_identity(results: list[CheckResult], scope: str | None = None) -> dict[str, dict]:
    """Per identity of the registry: whether it passed (no error), its worst severity, counts and the
    first failing messages — what a Dagster asset check reports for one document or the district."""
    out: dict[str, dict] = {}
    for name, ident in REGISTRY.items():
        if scope is not None and ident.scope != scope:
            continue
        rs = [r for r in results if r.check_name == name]
        errors = [r for r in rs if r.severity == "error"]
        warnings = [r for r in rs if r.severity == "warning"]
        out[name] = {"passed": not errors, "severity": "error" if errors else ("warning" if warnings else "ok"),
                     "description": ident.description, "evaluated": len(rs), "errors": len(errors),
                     "warnings": len(warnings), "messages": [r.message for r in (errors + warnings)[:5]]}
    return out
