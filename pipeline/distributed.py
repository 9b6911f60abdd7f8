"""The night split for many machines: plan (writer host) → parse (any worker) → collect + load (writer).

The same stages as pipeline.night, with the object store (pipeline/objectstore.py) between hosts:

- `plan_documents` (the writer host, which owns the home): discover, decide what changed by the
  home's state (`is_unchanged`), publish each changed PDF to the store under raw/ab/<sha256>.pdf.
- `parse_published` (any worker host, no home of its own): fetch the raw PDF from the store, parse
  it in a parsing process under the document limits (pipeline/workers.py), clean and stage it in a
  scratch folder, then publish the staged set under staging/<document_id>/<sha256>-<parser>/ (each
  Parquet file atomically, then `_published.json` last: the set exists once that object does).
  Also publishes the parse by content (parsed/<sha256>-<parser>.json), so a PDF is parsed once
  whichever worker meets it again.
- `collect_published` (the writer host): copy each published set into the home's staging area
  (pipeline.load.staging.stage, atomic), the parse JSON and the state; then the ordinary load,
  checks and report (pipeline.night) run as on one machine.

Running a step twice (a worker killed mid-step, its task delivered again) publishes the same keys
with the same content, and the loader replaces a document's rows in one transaction: nothing is lost
or loaded twice. No Dagster imports here: assets/scale.py wraps these as Celery-executed steps.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from pipeline.atomic import write_text_atomic
from pipeline.config import PARSER_VERSION, Home
from pipeline.objectstore import ObjectStore, ObjectStoreError, raw_key
from pipeline.process import (Outcome, _finish, cached_parse, finish_parsed, is_unchanged, outcome_from_reply,
                              parse_only, parse_task)
from pipeline.sources.base import SourceDocument

PUBLISHED = "_published.json"


def staged_prefix(document_id: str, sha256: str | None) -> str:
    """Where a document's staged set is published: by document, content and parser version."""
    return f"staging/{document_id}/{sha256 or 'nobytes'}-{PARSER_VERSION}"


def parsed_key(sha256: str) -> str:
    return f"parsed/{sha256}-{PARSER_VERSION}.json"


def doc_to_dict(doc: SourceDocument) -> dict:
    d = asdict(doc)
    d["path"] = str(doc.path) if doc.path else None
    return d


def doc_from_dict(d: dict) -> SourceDocument:
    d = dict(d)
    d["path"] = Path(d["path"]) if d.get("path") else None
    return SourceDocument(**d)


# -- the writer host: plan ---------------------------------------------------------------------------

def plan_documents(home: Home, store: ObjectStore, docs: list[SourceDocument],
                   force: bool = False) -> tuple[list[SourceDocument], list[SourceDocument]]:
    """(to parse, unchanged) among the discovered ``docs``; the PDFs to parse are published first."""
    todo = [d for d in docs if force or not is_unchanged(home, d)]
    todo_ids = {d.document_id for d in todo}
    for d in todo:
        if d.status == "ok" and d.path is not None and d.sha256 and not store.exists(raw_key(d.sha256)):
            store.put_file(raw_key(d.sha256), Path(d.path))
    return todo, [d for d in docs if d.document_id not in todo_ids]


# -- any worker host: parse ----------------------------------------------------------------------------

_POOL = None


def _pool():
    """One long-lived parsing process per worker process (the interpreter and pdfplumber loaded once)."""
    global _POOL
    if _POOL is None:
        from pipeline.workers import ParsePool

        _POOL = ParsePool(1)
        atexit.register(_POOL.close)
    return _POOL


def scratch_home(root: Path | None = None) -> Home:
    """The worker's scratch folder: a home used only as a parse and staging area, never loaded."""
    root = root or Path(os.environ.get("BUDGET_ETL_WORKER_DIR") or
                        Path(tempfile.gettempdir()) / f"budget-etl-worker-{os.getpid()}")
    return Home.at(root).ensure()


def parse_published(store: ObjectStore, doc: SourceDocument, force: bool = False,
                    scratch: Home | None = None) -> dict:
    """Parse one published document and publish its staged set; returns {"outcome", "prefix"}.

    A bad document is a failed outcome with its staged failure row, as on one machine. Only the
    store's or this machine's own failures raise (ObjectStoreError, DiskFull): the step fails and
    Dagster / Celery run it again.
    """
    home = scratch or scratch_home()
    prefix = staged_prefix(doc.document_id, doc.sha256)
    cache = None
    if doc.status == "ok" and doc.sha256:
        from pipeline.sources.rawstore import raw_path

        local = raw_path(home.raw, doc.sha256)
        if not local.exists():
            store.get_file(raw_key(doc.sha256), local)
        doc = SourceDocument(**{**asdict(doc), "path": local})
        cache = cached_parse(home, doc.sha256)
        if not force and cache is not None and not cache.exists() and store.exists(parsed_key(doc.sha256)):
            store.get_file(parsed_key(doc.sha256), cache)   # parsed elsewhere already: not again
    started = time.perf_counter()
    if doc.status != "ok" or (not force and cache is not None and cache.exists()):
        out = parse_only(home, doc, force)[0]
    else:
        [(_, reply)] = list(_pool().run([(doc.document_id, parse_task(home, doc, force))]))
        out = outcome_from_reply(doc, reply)
    out.seconds = out.seconds or time.perf_counter() - started
    out = finish_parsed(home, doc, out)      # clean + stage into the scratch staging area
    parsed = home.parsed / f"{doc.document_id}.json"
    if out.status == "parsed" and doc.sha256 and parsed.exists() and not store.exists(parsed_key(doc.sha256)):
        store.put_file(parsed_key(doc.sha256), parsed)
    staged = home.staging / doc.document_id
    tables = sorted(p.name for p in staged.glob("*.parquet"))
    for name in tables:
        store.put_file(f"{prefix}/{name}", staged / name)
    manifest = {"outcome": asdict(out), "tables": tables, "parser_version": PARSER_VERSION}
    store.put_bytes(f"{prefix}/{PUBLISHED}", json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    return {"outcome": asdict(out), "prefix": prefix}


# -- the writer host: collect ----------------------------------------------------------------------------

def collect_published(home: Home, store: ObjectStore, replies: list[dict]) -> list[Outcome]:
    """Bring every published set into the home's staging area, with its parse and state.

    Read from the store's manifest, not from the reply alone: a set is only taken once published
    whole. The state is written last, as on one machine (a document is done once staged).
    """
    import polars as pl

    from pipeline.load.staging import stage
    from pipeline.sources.rawstore import raw_path

    outcomes = []
    for reply in replies:
        prefix = reply["prefix"]
        try:
            manifest = json.loads(store.get_bytes(f"{prefix}/{PUBLISHED}"))
        except ObjectStoreError as e:
            raise ObjectStoreError(f"the staged set {prefix} was never published whole: {e}") from e
        out = Outcome(**manifest["outcome"])
        with tempfile.TemporaryDirectory(dir=home.staging, prefix=".collect.") as tmp:
            frames = {}
            for name in manifest["tables"]:
                local = store.get_file(f"{prefix}/{name}", Path(tmp) / name)
                frames[name.removesuffix(".parquet")] = pl.read_parquet(local)
            stage(home.staging, out.document_id, frames)
        if out.status == "parsed" and out.sha256:
            write_text_atomic(home.parsed / f"{out.document_id}.json",
                              store.get_bytes(parsed_key(out.sha256)).decode("utf-8"))
        if out.sha256 and store.exists(raw_key(out.sha256)):
            local = raw_path(home.raw, out.sha256)   # the report crops its evidence from the PDF
            if not local.exists():
                store.get_file(raw_key(out.sha256), local)
        outcomes.append(_finish(home, out, None))
    return outcomes
