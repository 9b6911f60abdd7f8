"""A whole night's run without Dagster: discover → fetch → parse → load → check → report.

The Dagster night (assets/night.py, which `budget-etl run` executes) calls these stages one by one;
run_night chains them without Dagster (benchmarks, tests of the stages). Parsing runs in
worker processes (pdfplumber is CPU-bound, one document per process at a time); the load and the
checks run here, in the one process that writes DuckDB.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Home
from pipeline.process import Outcome, finish_parsed, is_unchanged, parse_only, process_document
from pipeline.sources import discover
from pipeline.sources.base import SourceDocument

Progress = Callable[[str], None]


@dataclass
class NightSummary:
    home: Home
    discovered: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    loaded: object | None = None
    checks: object | None = None
    report: Path | None = None
    data_docs: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def counts(self) -> Counter:
        return Counter(o.status for o in self.outcomes)


def _worker(home: Home, doc: SourceDocument, force: bool) -> Outcome:
    """Runs in a parsing process: parse only (pdfplumber), so the worker never imports polars."""
    return parse_only(home, doc, force=force)[0]


def process_all(home: Home, docs: list[SourceDocument], workers: int = 2, force: bool = False,
                progress: Progress = print) -> list[Outcome]:
    """Process documents in ``workers`` processes, printing one line per document as it finishes."""
    todo = [d for d in docs if force or not is_unchanged(home, d)]
    todo_ids = {d.document_id for d in todo}
    outcomes = [Outcome(document_id=d.document_id, locator=d.locator, sha256=d.sha256, status="skipped")
                for d in docs if d.document_id not in todo_ids]
    if outcomes:
        progress(f"{len(outcomes)} documents unchanged since the last run (not parsed again)")
    total = len(todo)
    if not todo:
        return outcomes
    if workers <= 1 or total == 1:
        for i, d in enumerate(todo, 1):
            o = process_document(home, d, force=force)
            outcomes.append(o)
            progress(f"[{i}/{total}] {o.line()}")
        return outcomes
    ctx = multiprocessing.get_context("spawn")
    # No max_tasks_per_child: with it, CPython 3.11's pool can hang once a worker retires.
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(_worker, home, d, force): d for d in todo}
        for i, fut in enumerate(as_completed(futures), 1):
            d = futures[fut]
            try:
                parsed = fut.result()
            except Exception as e:  # a crashed worker (e.g. out of memory) fails its document only
                parsed = Outcome(document_id=d.document_id, locator=d.locator, sha256=d.sha256,
                                 status="failed", error_kind="parser_error",
                                 error=f"the worker process died ({type(e).__name__}: {e})")
            o = finish_parsed(home, d, parsed)
            outcomes.append(o)
            progress(f"[{i}/{total}] {o.line()}")
    return outcomes


def run_night(home: Home, inbox: Path | None = None, portal: str | None = None, workers: int = 2,
              force: bool = False, roster: Path | None = None, progress: Progress = print,
              gx: bool = True) -> NightSummary:
    """Run every stage once over what the source offers now; unchanged documents are skipped.

    The Dagster night (assets/night.py) calls the same stages one by one, so both do the same work.
    """
    home.ensure()
    summary = NightSummary(home=home)
    docs = discover_stage(home, summary, inbox=inbox, portal=portal, progress=progress)

    t = time.perf_counter()
    summary.outcomes = process_all(home, docs, workers=workers, force=force, progress=progress)
    summary.seconds["parse"] = time.perf_counter() - t

    changed = load_stage(home, summary, progress=progress)
    if changed or not report_exists(home):
        check_stage(home, summary, roster=roster or _find_roster(inbox or home.inbox), gx=gx,
                    progress=progress)
    else:
        from pipeline.report.render import REPORT_NAME

        summary.report = home.reports / REPORT_NAME
        progress("nothing changed: the warehouse and the report are as they were")
    return summary


def discover_stage(home: Home, summary: NightSummary, inbox: Path | None = None, portal: str | None = None,
                   progress: Progress = print) -> list[SourceDocument]:
    """Discover what the source offers now (recorded in the summary)."""
    t = time.perf_counter()
    progress(f"discovering documents in {portal or inbox or home.inbox} …")
    docs = discover(home, inbox=inbox, portal=portal, progress=progress)
    summary.discovered = len(docs)
    summary.seconds["discover"] = time.perf_counter() - t
    progress(f"found {len(docs)} documents")
    return docs


def load_stage(home: Home, summary: NightSummary, progress: Progress = print,
               exclude: set[str] | None = None) -> list[str]:
    """Load every staged document the warehouse does not hold yet; returns their ids.

    ``exclude``: documents whose staged frames must not reach the warehouse (failed validation).
    """
    from pipeline.load.loader import load_staged

    t = time.perf_counter()
    changed = [d for d in pending_loads(home) if d not in (exclude or set())]
    if changed or not home.db_path.exists():
        progress(f"loading {len(changed)} changed documents into {home.db_path} …")
        summary.loaded = load_staged(home, changed)
    summary.seconds["load"] = time.perf_counter() - t
    return changed


def report_exists(home: Home) -> bool:
    from pipeline.report.render import REPORT_NAME

    return (home.reports / REPORT_NAME).exists()


def check_stage(home: Home, summary: NightSummary, roster: Path | None = None, gx: bool = True,
                run_id: str | None = None, progress: Progress = print) -> None:
    """Check the identities, refresh the readers' snapshot, run the GX suites, write the report."""
    t = time.perf_counter()
    progress("checking the accounting identities …")
    from pipeline.checks import run_checks

    summary.checks = run_checks(home.db_path, run_id=run_id, roster=roster)
    publish_for_readers(home)
    summary.seconds["check"] = time.perf_counter() - t
    if gx:
        t = time.perf_counter()
        progress("running the great-expectations suites …")
        from pipeline.checks.gx import run_suites

        run_suites(home.db_path, home.reports / "data_docs", results=summary.checks.results)
        summary.data_docs = home.reports / "data_docs"
        summary.seconds["gx"] = time.perf_counter() - t
    t = time.perf_counter()
    from pipeline.report import write_report

    summary.report = write_report(home.db_path, home.reports)
    summary.seconds["report"] = time.perf_counter() - t


def pending_loads(home: Home) -> list[str]:
    """Staged documents whose content or parser version the warehouse does not hold yet.

    Computed from the staging area and the warehouse, not from this run's outcomes, so a run that died
    between staging and loading is caught up by the next one.
    """
    from pipeline.load.loader import loaded_versions
    from pipeline.process import read_state

    if not home.staging.exists():
        return []
    loaded = loaded_versions(home) if home.db_path.exists() else {}
    pending = []
    for d in sorted(p for p in home.staging.iterdir() if p.is_dir() and not p.name.startswith(".")):
        st = read_state(home, d.name) or {}
        if tuple(loaded.get(d.name) or ()) != (st.get("sha256"), st.get("parser_version")):
            pending.append(d.name)
    return pending


def publish_for_readers(home: Home) -> None:
    """Refresh the read snapshot once the checks are written, under the writer's lock."""
    from filelock import FileLock

    from pipeline.load.snapshot import publish_snapshot

    with FileLock(str(home.lock_path)):
        publish_snapshot(home.db_path)


def _find_roster(inbox: Path | None) -> Path | None:
    if inbox is None:
        return None
    p = Path(inbox) / "roster.csv"
    return p if p.exists() else None
