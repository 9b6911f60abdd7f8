"""A whole night: discover → fetch → parse → load → check → report, as stage functions.

The Dagster night (assets/night.py, which `budget-etl run` executes) calls these stages one by one;
run_night chains them without Dagster (benchmarks, tests of the stages). Parsing runs in worker
processes (pipeline/workers.py: pdfplumber is CPU-bound, one document per process at a time, each
under a deadline and a memory limit); the load and the checks run in the one process that writes
DuckDB. Each stage after the parse runs when its input is newer than its output, not only when a
document changed this night, so a night after a crash or a full disk completes what the previous one
left (pipeline/resume.py).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Home
from pipeline.process import (Outcome, finish_parsed, is_unchanged, needs_no_parse, outcome_from_reply,
                              parse_only, parse_task)
from pipeline.sources import discover
from pipeline.sources.base import SourceDocument
from pipeline.workers import ParsePool

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


def process_all(home: Home, docs: list[SourceDocument], workers: int = 2, force: bool = False,
                progress: Progress = print) -> list[Outcome]:
    """Process documents in ``workers`` parsing processes, printing one line per document as it ends.

    Each document is parsed under the limits of pipeline/document/limits.py (deadline, memory,
    sizes): one that passes a limit fails alone, with the limit in its error, and the night goes on.
    Cleaning and staging (polars) run here, so the workers never import polars.
    """
    todo = [d for d in docs if force or not is_unchanged(home, d)]
    todo_ids = {d.document_id for d in todo}
    outcomes = [Outcome(document_id=d.document_id, locator=d.locator, sha256=d.sha256, status="skipped")
                for d in docs if d.document_id not in todo_ids]
    if outcomes:
        progress(f"{len(outcomes)} documents unchanged since the last run (not parsed again)")
    total = len(todo)
    done = 0

    def finish(d: SourceDocument, parsed: Outcome) -> None:
        nonlocal done
        done += 1
        o = finish_parsed(home, d, parsed)
        outcomes.append(o)
        progress(f"[{done}/{total}] {o.line()}")

    to_parse = {}
    for d in todo:   # nothing to parse (a failure discovery knows, a cached parse): no worker needed
        if d.status != "ok" or needs_no_parse(home, d, force):
            finish(d, parse_only(home, d, force=force)[0])
        else:
            to_parse[d.document_id] = d
    if not to_parse:
        return outcomes
    with ParsePool(min(workers, len(to_parse))) as pool:
        tasks = ((doc_id, parse_task(home, d, force)) for doc_id, d in to_parse.items())
        for doc_id, reply in pool.run(tasks):
            finish(to_parse[doc_id], outcome_from_reply(to_parse[doc_id], reply))
    return outcomes


def run_night(home: Home, inbox: Path | None = None, portal: str | None = None, workers: int = 2,
              force: bool = False, roster: Path | None = None, progress: Progress = print,
              gx: bool = True, wait: float = 0.0) -> NightSummary:
    """Run every stage once over what the source offers now; unchanged documents are skipped.

    Holds the home's night lock (``wait`` s for another night, then NightBusy).
    """
    from pipeline.nightlock import night_lock

    with night_lock(home, wait=wait, progress=progress):
        home.ensure()
        summary = NightSummary(home=home)
        docs = discover_stage(home, summary, inbox=inbox, portal=portal, progress=progress)
        t = time.perf_counter()
        summary.outcomes = process_all(home, docs, workers=workers, force=force, progress=progress)
        summary.seconds["parse"] = time.perf_counter() - t
        load_stage(home, summary, progress=progress)
        finish_stages(home, summary, roster=roster or _find_roster(inbox or home.inbox), gx=gx,
                      progress=progress)
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
    With nothing to load, finish what an interrupted load left (dimensions, CHECKPOINT, the readers'
    snapshot): what a night after a crash or a full disk needs.
    """
    from pipeline.load.loader import load_staged
    from pipeline.resume import repair_warehouse

    t = time.perf_counter()
    changed = [d for d in pending_loads(home) if d not in (exclude or set())]
    if changed or not home.db_path.exists():
        progress(f"loading {len(changed)} changed documents into {home.db_path} …")
        summary.loaded = load_staged(home, changed)
    else:
        done = repair_warehouse(home)
        if done:
            progress(f"the last run was interrupted: {done}")
    summary.seconds["load"] = time.perf_counter() - t
    return changed


def report_exists(home: Home) -> bool:
    from pipeline.report.render import REPORT_NAME

    return (home.reports / REPORT_NAME).exists()


def finish_stages(home: Home, summary: NightSummary, roster: Path | None = None, gx: bool = True,
                  run_id: str | None = None, progress: Progress = print, recheck: bool = False) -> bool:
    """Checks when the warehouse changed since the last check run (or ``recheck``), then the GX suites
    and the report when either is newer than the report. False when nothing was due."""
    from pipeline.report.render import REPORT_NAME
    from pipeline.resume import checks_are_stale, report_is_stale

    report = home.reports / REPORT_NAME
    if recheck or checks_are_stale(home):
        t = time.perf_counter()
        progress("checking the accounting identities …")
        summary.checks = check_step(home, roster, run_id=run_id)
        summary.seconds["check"] = time.perf_counter() - t
    if summary.checks is None and not report_is_stale(home, report):
        summary.report = report
        progress("nothing changed: the warehouse and the report are as they were")
        return False
    if gx:
        t = time.perf_counter()
        progress("running the great-expectations suites …")
        from pipeline.checks.gx import run_suites

        run_suites(home.db_path, home.reports / "data_docs",
                   results=summary.checks.results if summary.checks is not None else None, roster=roster)
        summary.data_docs = home.reports / "data_docs"
        summary.seconds["gx"] = time.perf_counter() - t
    t = time.perf_counter()
    summary.report = report_step(home)
    summary.seconds["report"] = time.perf_counter() - t
    return True


def check_step(home: Home, roster: Path | None = None, run_id: str | None = None):
    """Run the identity checks over the whole warehouse and republish the readers' snapshot."""
    from pipeline.checks import run_checks

    checks = run_checks(home.db_path, run_id=run_id, roster=roster)
    publish_for_readers(home)
    return checks


def report_step(home: Home) -> Path:
    """Write the HTML report of the latest check run and record which run it shows."""
    from pipeline.report import write_report
    from pipeline.resume import mark_report

    report = write_report(home.db_path, home.reports)
    mark_report(home, report)
    return report


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
    """Refresh the read snapshot once the checks are written: CHECKPOINT and copy, under the writer's lock."""
    from pipeline.load.snapshot import checkpoint_and_publish

    checkpoint_and_publish(home.db_path)


def _find_roster(inbox: Path | None) -> Path | None:
    if inbox is None:
        return None
    p = Path(inbox) / "roster.csv"
    return p if p.exists() else None
