"""One document through the per-document stages: fetch → parse → clean → stage.

Each stage's output is a file written atomically under the home, so parsing can run in parallel
processes (or Dagster runs) while only the loader writes DuckDB. A document whose content (sha256) and
parser version are unchanged since its last successful pass is skipped: that is what makes a night with
nothing changed cost seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.atomic import write_text_atomic
from pipeline.config import PARSER_VERSION, Home
from pipeline.model import DocumentError, ParseResult
from pipeline.sources import rawstore
from pipeline.sources.base import SourceDocument


@dataclass
class Outcome:
    """What became of one document on one pass; printed as a progress line and kept as its state."""

    document_id: str
    locator: str
    sha256: str | None
    status: str                      # parsed | failed | skipped | unsupported
    parser_version: str = PARSER_VERSION
    department: str | None = None
    year: int | None = None
    pages: int | None = None
    tables: int = 0
    rows: int = 0
    claims: int = 0
    warnings: int = 0
    error_kind: str | None = None
    error: str | None = None
    seconds: float = 0.0
    kinds: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One progress line a person can read."""
        who = f"{self.department or '?'} {self.year or ''}".strip()
        if self.status == "parsed":
            return (f"parsed   {self.locator}  [{who}]  {self.pages} pages, {self.tables} tables, "
                    f"{self.rows} rows, {self.claims} prose figures, {self.warnings} warnings "
                    f"({self.seconds:.1f} s)")
        if self.status == "skipped":
            return f"skipped  {self.locator}  (unchanged since last run)"
        return f"FAILED   {self.locator}  {self.error_kind}: {self.error}"


def state_path(home: Home, document_id: str) -> Path:
    return home.state / f"{document_id}.json"


def read_state(home: Home, document_id: str) -> dict | None:
    try:
        return json.loads(state_path(home, document_id).read_text("utf-8"))
    except (OSError, ValueError):
        return None


#: A document's state with one of these statuses is done: parsed and staged, or failed for good.
DONE_STATUSES = ("parsed", "failed", "unsupported")


def is_unchanged(home: Home, doc: SourceDocument) -> bool:
    """True when this content was already staged by this parser version (or failed the same way).

    A portal document only listed (the sensor's tick: not downloaded, so no sha256) is unchanged
    when its locator was already done by this parser version; whether its bytes changed behind the
    same address is for the night's fetch to find (a conditional GET).
    """
    st = read_state(home, doc.document_id)
    if not (st and st.get("parser_version") == PARSER_VERSION and st.get("status") in DONE_STATUSES):
        return False
    return doc.status == "listed" or st.get("sha256") == doc.sha256


def needs_processing(home: Home, doc: SourceDocument, force: bool = False) -> bool:
    """The night's one "unchanged, skip" rule, for the night, the sensor, the schedule and a single
    document alike: process it when forced, or when it is new or changed (is_unchanged)."""
    return force or not is_unchanged(home, doc)


def fetch(home: Home, doc: SourceDocument) -> Path:
    """Copy the document's bytes into the content-addressed raw store; return the stored path."""
    if doc.path is None or doc.sha256 is None:
        raise DocumentError("fetch_failed", doc.error or f"{doc.locator} could not be fetched")
    path, _ = rawstore.store(home.raw, Path(doc.path), doc.sha256)
    return path


def cached_parse(home: Home, sha256: str | None) -> Path | None:
    """Where the parse of this content by this parser version is kept (whether or not it exists)."""
    if not sha256:
        return None
    from pipeline.document.reader import backend_from_env

    # the page backend is part of the name: one backend's parse is never taken for another's
    return home.parse_cache / f"{sha256}-{PARSER_VERSION}-{backend_from_env()}.json"


def parse_raw(home: Home, document_id: str, raw: Path, sha256: str | None = None,
              use_cache: bool = True) -> ParseResult:
    """Parse a stored PDF and keep its CONTRACT.md JSON under parsed/ (atomically).

    Parse results are also kept by content (sha256 and parser version): the same PDF published under
    two names, or re-registered after its state was lost, is not parsed twice.
    """
    cached = cached_parse(home, sha256)
    if use_cache and cached is not None and cached.exists():
        text = cached.read_text("utf-8")
        result = ParseResult.from_json(text)
    else:
        from pipeline.parse import parse_document

        result = parse_document(raw)
        text = result.to_json()
        if cached is not None:
            write_text_atomic(cached, text)
    write_text_atomic(home.parsed / f"{document_id}.json", text)
    return result


def stage_result(home: Home, doc: SourceDocument, result: ParseResult) -> None:
    from pipeline.clean.frames import frames_from_result
    from pipeline.load.staging import stage

    stage(home.staging, doc.document_id,
          frames_from_result(result, doc.document_id, doc.locator, doc.listing()))


def stage_failure(home: Home, doc: SourceDocument, kind: str, message: str) -> None:
    from pipeline.clean.frames import failure_frames
    from pipeline.load.staging import stage

    stage(home.staging, doc.document_id,
          failure_frames(doc.document_id, doc.locator, doc.sha256 or "", kind, message,
                         listing=doc.listing()))


def record_failure(home: Home, doc: SourceDocument, kind: str, message: str,
                   started: float | None = None) -> Outcome:
    """Stage a failed document (the loader records it, keeping any earlier good version) and its state."""
    out = failed_outcome(doc, kind, message)
    stage_failure(home, doc, kind, message)
    return _finish(home, out, started)


def parse_only(home: Home, doc: SourceDocument, force: bool = False) -> tuple[Outcome, ParseResult | None]:
    """Fetch and parse (writing parsed/<id>.json), nothing staged: what a parsing worker process runs.

    It needs only pdfplumber and pypdfium2, so a worker stays small; cleaning and staging (polars) run
    in the process that collects the outcomes. A bad document comes back as an Outcome with its error.
    """
    started = time.perf_counter()
    try:
        if doc.status == "unsupported":
            raise DocumentError("unsupported_format", doc.error or f"{doc.format} is not parsed")
        if doc.status != "ok":
            raise DocumentError(doc.error_kind or "fetch_failed", doc.error or f"{doc.locator}: {doc.status}")
        result = parse_raw(home, doc.document_id, fetch(home, doc), doc.sha256, use_cache=not force)
    except DocumentError as e:
        out = failed_outcome(doc, e.kind, e.message)
        result = None
    except Exception as e:  # a parser bug must fail this document only, never the night
        out = failed_outcome(doc, "parser_error",
                             f"the parser failed on this file ({type(e).__name__}: {e}); please report it")
        result = None
    else:
        out = outcome_of(doc, result)
    out.seconds = time.perf_counter() - started
    return out, result


def parse_task(home: Home, doc: SourceDocument, force: bool = False) -> dict:
    """The task a parsing worker (pipeline/workers.py) runs for ``doc``: parse_only, as JSON."""
    d = asdict(doc)
    d["path"] = str(doc.path) if doc.path else None
    return {"op": "parse_only", "home": {"root": str(home.root), "db_path": str(home.db_path),
                                         "data": str(home.data)},
            "doc": d, "force": force}


def outcome_from_reply(doc: SourceDocument, reply: dict) -> Outcome:
    """A worker's reply as an Outcome: its own, or the failure the pool saw (deadline, death)."""
    if "outcome" in reply:
        return Outcome(**reply["outcome"])
    err = reply.get("error") or {}
    return failed_outcome(doc, err.get("kind") or "parser_error", err.get("message") or "no reply")


def needs_no_parse(home: Home, doc: SourceDocument, force: bool = False) -> bool:
    """True when parse_only would only copy a cached parse (this content, this parser version)."""
    cached = cached_parse(home, doc.sha256)
    return not force and cached is not None and cached.exists()


def parse_isolated(home: Home, doc: SourceDocument, force: bool = False) -> Outcome:
    """parse_only in a parsing process under the document limits (a pool of one, then ended)."""
    from pipeline.workers import ParsePool

    if doc.status != "ok" or needs_no_parse(home, doc, force):   # no parsing: nothing to isolate
        return parse_only(home, doc, force)[0]
    started = time.perf_counter()
    with ParsePool(1) as pool:
        [(_, reply)] = list(pool.run([(doc.document_id, parse_task(home, doc, force))]))
    out = outcome_from_reply(doc, reply)
    out.seconds = out.seconds or time.perf_counter() - started
    return out


def parse_step(home: Home, doc: SourceDocument, force: bool = False,
               isolated: bool = True) -> tuple[Outcome, ParseResult | None]:
    """Fetch and parse; a bad document comes back as a failed Outcome (already recorded), never raised.

    ``isolated`` (the default) parses in a separate process under the deadline and memory limit, so
    a hostile file fails alone; ``isolated=False`` parses here (tests that patch the parser).
    """
    if isolated:
        out = parse_isolated(home, doc, force)
        if out.status != "parsed":
            return finish_parsed(home, doc, out), None
        return out, ParseResult.from_json((home.parsed / f"{doc.document_id}.json").read_text("utf-8"))
    out, result = parse_only(home, doc, force)
    if result is None:
        return finish_parsed(home, doc, out), None
    return out, result


def finish_parsed(home: Home, doc: SourceDocument, out: Outcome) -> Outcome:
    """Clean and stage what a worker parsed (or record its failure), in the collecting process."""
    if out.status != "parsed":
        stage_failure(home, doc, out.error_kind or "unreadable", out.error or "")
        return _finish(home, out, None)
    result = ParseResult.from_json((home.parsed / f"{doc.document_id}.json").read_text("utf-8"))
    return clean_step(home, doc, result, out)


def failed_outcome(doc: SourceDocument, kind: str, message: str) -> Outcome:
    return Outcome(document_id=doc.document_id, locator=doc.locator, sha256=doc.sha256,
                   status="unsupported" if kind == "unsupported_format" else "failed",
                   department=doc.department, year=doc.year, error_kind=kind, error=message)


def outcome_of(doc: SourceDocument, result: ParseResult) -> Outcome:
    """The Outcome of a successful parse: what a person wants to see about the document."""
    return Outcome(document_id=doc.document_id, locator=doc.locator, sha256=doc.sha256, status="parsed",
                   department=result.department.get("name") or doc.department,
                   year=result.year or doc.year, pages=result.source.get("pages"),
                   tables=len(result.tables), kinds=sorted({t.kind for t in result.tables}),
                   rows=sum(len(t.rows) for t in result.tables), claims=len(result.narrative),
                   warnings=len(result.warnings))


def clean_step(home: Home, doc: SourceDocument, result: ParseResult, out: Outcome) -> Outcome:
    """Clean and stage a parse result; only then is the document's state marked done."""
    started = time.perf_counter() - out.seconds
    try:
        stage_result(home, doc, result)
    except DocumentError as e:  # e.g. an amount that does not fit DECIMAL(20,6) exactly
        return record_failure(home, doc, e.kind, e.message, started)
    except Exception as e:  # a cleaning bug must fail this document only, never the night
        from pipeline.night_errors import raise_if_disk_full

        raise_if_disk_full(e, "staging a document", home.staging)  # the machine's failure, not the file's
        return record_failure(home, doc, "parser_error",
                              f"cleaning failed on this file ({type(e).__name__}: {e}); please report it",
                              started)
    return _finish(home, out, started)


def process_document(home: Home, doc: SourceDocument, force: bool = False,
                     isolated: bool = True) -> Outcome:
    """Fetch, parse, clean and stage one document; never raises for a bad document."""
    if not needs_processing(home, doc, force):
        return Outcome(document_id=doc.document_id, locator=doc.locator, sha256=doc.sha256,
                       status="skipped")
    out, result = parse_step(home, doc, force=force, isolated=isolated)
    return out if result is None else clean_step(home, doc, result, out)


def _finish(home: Home, out: Outcome, started: float | None) -> Outcome:
    if started is not None:
        out.seconds = time.perf_counter() - started
    write_text_atomic(state_path(home, out.document_id),
                      json.dumps(asdict(out), ensure_ascii=False, indent=1))
    return out
