"""The one document flow: list → fetch → parse → stage → gate → load → check → report.

Every driver runs this sequence and nothing else: the Dagster night (assets/night.py, which
`budget-etl run` executes) calls discover_stage, then run_stages; run_night chains the same two
without Dagster (benchmarks, tests of the stages); `budget-etl report` calls finish_stages, the
post-load part. Listing alone (no download) is pipeline.sources.list_sources, what the sensor and the
schedule use to decide whether a night is due. Parsing runs in worker
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
from pipeline.process import (Outcome, finish_parsed, needs_no_parse, needs_processing, outcome_from_reply,
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
    #: Staged documents the gate (staged_frames_valid) kept out of the warehouse, with the problems.
    refused: dict[str, list[str]] = field(default_factory=dict)
    #: The documents the load stage loaded in this night.
    loaded_ids: list[str] = field(default_factory=list)

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
    todo = [d for d in docs if needs_processing(home, d, force)]
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
        run_stages(home, summary, docs, workers=workers, force=force,
                   roster=roster or _find_roster(inbox or home.inbox), gx=gx, progress=progress)
        return summary


def run_stages(home: Home, summary: NightSummary, docs: list[SourceDocument] | None, *, workers: int = 2,
               force: bool = False, load: bool = True, check: bool = True, roster: Path | None = None,
               gx: bool = True, run_id: str | None = None, recheck: bool = False,
               progress: Progress = print) -> None:
    """parse → stage → gate → load → check → report over discovered ``docs`` (None: no parsing).

    ``load``/``check`` say whether the warehouse and the district's checks are wanted (a Dagster run
    may select only the documents' assets). The checks run when the warehouse changed, when
    ``recheck`` asks for them, or when a document was loaded now.
    """
    if docs is not None:
        t = time.perf_counter()
        summary.outcomes = process_all(home, docs, workers=workers, force=force, progress=progress)
        summary.seconds["parse"] = time.perf_counter() - t
    loaded = load_stage(home, summary, progress=progress) if load else []
    if check and home.db_path.exists():
        finish_stages(home, summary, roster=roster, gx=gx, run_id=run_id, progress=progress,
                      recheck=recheck or bool(loaded))


def discover_stage(home: Home, summary: NightSummary, inbox: Path | None = None, portal: str | None = None,
                   progress: Progress = print) -> list[SourceDocument]:
    """List and fetch: what the source offers now, each PDF's bytes local (recorded in the summary)."""
    t = time.perf_counter()
    progress(f"discovering documents in {portal or inbox or home.inbox} …")
    docs = discover(home, inbox=inbox, portal=portal, progress=progress)
    summary.discovered = len(docs)
    summary.seconds["discover"] = time.perf_counter() - t
    progress(f"found {len(docs)} documents")
    return docs


def gate_problems(home: Home, document_id: str) -> list[str]:
    """What keeps a staged document out of the warehouse (the blocking check staged_frames_valid);
    empty when it may be loaded. The one gate: the load stage and the Dagster check both ask it."""
    from pipeline.load.staging import read_staged
    from pipeline.validate import validate_frames

    return validate_frames(read_staged(home.staging, document_id))


def gate_stage(home: Home, document_ids: list[str], progress: Progress = print) -> dict[str, list[str]]:
    """The staged documents that must not be loaded, with their problems.

    Every pending document is gated, not only this night's: one that failed yesterday and did not
    change stays out of the warehouse.
    """
    refused = {}
    for doc_id in document_ids:
        problems = gate_problems(home, doc_id)
        if problems:
            refused[doc_id] = problems
            progress(f"not loaded: {doc_id} fails staged_frames_valid ({'; '.join(problems)})")
    return refused


def load_stage(home: Home, summary: NightSummary, progress: Progress = print) -> list[str]:
    """Gate, then load every staged document the warehouse does not hold yet; returns their ids.

    A document failing the gate is not loaded (summary.refused says why). With nothing to load,
    finish what an interrupted load left (dimensions, CHECKPOINT, the readers' snapshot): what a
    night after a crash or a full disk needs.
    """
    from pipeline.load.loader import load_staged
    from pipeline.resume import repair_warehouse

    t = time.perf_counter()
    pending = pending_loads(home)
    summary.refused = gate_stage(home, pending, progress)
    changed = [d for d in pending if d not in summary.refused]
    summary.loaded_ids = changed
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
                  run_id: str | None = None, progress: Progress = print, recheck: bool = False,
                  rewrite_report: bool = False) -> bool:
    """The post-load sequence, the one every driver runs: the checks (and the readers' snapshot) when
    the warehouse or the roster changed since the last check run (or ``recheck``), then the GX suites and the report
    when either is newer than the report. ``rewrite_report`` writes the report even when it is current
    (`budget-etl report`). False when nothing was due."""
    from pipeline.report.render import REPORT_NAME
    from pipeline.resume import checks_are_stale, report_is_stale, roster_changed

    report = home.reports / REPORT_NAME
    if recheck or checks_are_stale(home) or roster_changed(home, roster):
        t = time.perf_counter()
        progress("checking the accounting identities …")
        summary.checks = check_step(home, roster, run_id=run_id)
        summary.seconds["check"] = time.perf_counter() - t
    if summary.checks is None and not report_is_stale(home, report):
        summary.report = report
        if rewrite_report:
            summary.report = report_step(home)
            return True
        progress("nothing changed: the warehouse and the report are as they were")
        return False
    if gx:
        t = time.perf_counter()
        progress("running the great-expectations suites …")
        from pipeline.checks.gx import run_suites

        run_suites(home.db_path, home.data_docs,
                   results=summary.checks.results if summary.checks is not None else None, roster=roster)
        summary.data_docs = home.data_docs
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
