"""The night split for many machines: plan (writer host) → parse (any worker) → collect + load (writer).

The same stages as pipeline.night, with the object store (pipeline/objectstore.py) between hosts:

- `plan_documents` (the writer host, which owns the home): discover, decide what changed by the
  home's state (`is_unchanged`), publish each changed PDF to the store under raw/ab/<sha256>.pdf.
- `parse_published` (any worker host, no home of its own): fetch the raw PDF from the store, parse
  it in a parsing process under the document limits (pipeline/workers.py), clean and stage it in a
  scratch folder, then publish the staged set as ONE object, staging/<document_id>/<sha256>-<parser>/
  set.zip (the Parquet tables, the parse JSON and `_published.json`; the set exists once that object
  does, and an object is published whole or not at all). Also publishes the parse by content
  (parsed/<sha256>-<parser>.json), so a PDF is parsed once whichever worker meets it again.
  `parse_batch` runs it over several documents (one Celery step for a batch: the per-step cost of
  Dagster and Celery is paid once per batch) and is resumable per document: a document whose set is
  already published is not parsed again when the batch runs a second time.
- `collect_published` (the writer host): one GET per document brings its set into the home's staging
  area (pipeline.load.staging.stage, atomic), with the parse JSON and the state; then the ordinary
  load, checks and report (pipeline.night) run as on one machine.

Running a step twice (a worker killed mid-step, its task delivered again) publishes the same keys
with the same content, and the loader replaces a document's rows in one transaction (its batch's): nothing is lost
or loaded twice. No Dagster imports here: assets/scale.py wraps these as Celery-executed steps.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import tempfile
import time
import zipfile
from dataclasses import asdict
from pathlib import Path

from pipeline.atomic import write_text_atomic
from pipeline.config import PARSER_VERSION, Home
from pipeline.objectstore import ObjectStore, ObjectStoreError, raw_key
from pipeline.process import (Outcome, _finish, cached_parse, finish_parsed, is_unchanged, outcome_from_reply,
                              parse_only, parse_task)
from pipeline.sources.base import SourceDocument

PUBLISHED = "_published.json"
#: The one object a document's staged set is published as, inside its staged prefix.
BUNDLE = "set.zip"
#: The parse JSON's name inside the bundle.
PARSED_JSON = "parsed.json"


def staged_prefix(document_id: str, sha256: str | None) -> str:
    """Where a document's staged set is published: by document, content and parser version."""
    return f"staging/{document_id}/{sha256 or 'nobytes'}-{PARSER_VERSION}"


def bundle_key(document_id: str, sha256: str | None) -> str:
    """The object a document's staged set is published as."""
    return f"{staged_prefix(document_id, sha256)}/{BUNDLE}"


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


#: Documents per parse step unless configured (BUDGET_ETL_PARSE_BATCH): enough to pay a step's fixed
#: cost (Celery, Dagster's events, the IO manager) once for several documents, few enough that a
#: night still makes several steps per worker to balance, and that a batch of documents at their
#: parse deadline (300 s each) stays inside the broker's visibility timeout (docs/SCALE.md).
DEFAULT_BATCH = 3


def batch_size_from_env() -> int:
    """BUDGET_ETL_PARSE_BATCH, else DEFAULT_BATCH (at least 1)."""
    raw = os.environ.get("BUDGET_ETL_PARSE_BATCH") or ""
    try:
        return max(1, int(raw)) if raw.strip() else DEFAULT_BATCH
    except ValueError:
        raise ValueError(f"BUDGET_ETL_PARSE_BATCH must be a whole number of documents, not {raw!r}") from None


#: The batches shrink once fewer than this many batches of full size are left (see `batches`).
TAPER = 4


def batches(docs: list[SourceDocument], size: int) -> list[list[SourceDocument]]:
    """``docs`` in batches of at most ``size``, in the order they should be taken.

    Heaviest documents first (a PDF's size stands in for its parse cost; what is not a readable PDF
    costs next to nothing), and the batches shrink towards the end (guided self-scheduling: each
    batch takes a TAPER-th of what is left, at most ``size``, at least one), so the last steps are
    single light documents and the workers finish together instead of one waiting on the last
    full batch. The workers take steps in this order (one queue, first in first out).
    """
    def weight(d: SourceDocument) -> int:
        try:
            return d.path.stat().st_size if d.status == "ok" and d.path is not None else 0
        except OSError:
            return 0

    todo = sorted(docs, key=lambda d: (-weight(d), d.document_id))
    out: list[list[SourceDocument]] = []
    while todo:
        take = max(1, min(max(1, size), -(-len(todo) // TAPER)))
        out.append(todo[:take])
        todo = todo[take:]
    return out


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
    """Parse one published document and publish its staged set; returns {"outcome", "prefix", "key"}.

    A bad document is a failed outcome with its staged failure row, as on one machine. Only the
    store's or this machine's own failures raise (ObjectStoreError, DiskFull): the step fails and
    Dagster / Celery run it again. Unless ``force``, a set already published (an earlier attempt of
    the same step, killed after this document) is taken as it is: same content, same parser version.
    """
    key = bundle_key(doc.document_id, doc.sha256)
    if not force and store.exists(key):
        manifest = _read_bundle(store.get_bytes(key))[0]
        return {"outcome": manifest["outcome"], "prefix": staged_prefix(doc.document_id, doc.sha256),
                "key": key, "resumed": True}
    home = scratch or scratch_home()
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
    with_parse = out.status == "parsed" and parsed.exists()
    if with_parse and doc.sha256 and not store.exists(parsed_key(doc.sha256)):
        store.put_file(parsed_key(doc.sha256), parsed)
    staged = home.staging / doc.document_id
    tables = sorted(p.name for p in staged.glob("*.parquet"))
    manifest = {"outcome": asdict(out), "tables": tables, "parser_version": PARSER_VERSION}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in tables:
            zf.write(staged / name, name, compress_type=zipfile.ZIP_STORED)   # Parquet is compressed
        if with_parse:
            zf.write(parsed, PARSED_JSON)
        zf.writestr(PUBLISHED, json.dumps(manifest, ensure_ascii=False))
    store.put_bytes(key, buf.getvalue())
    return {"outcome": asdict(out), "prefix": staged_prefix(doc.document_id, doc.sha256), "key": key}


def parse_batch(store: ObjectStore, docs: list[SourceDocument], force: bool = False,
                scratch: Home | None = None) -> list[dict]:
    """`parse_published` over several documents, in order: one step's work.

    Resumable per document: the sets published before a failure (or before the worker died) are
    taken as they are when the batch runs again; only the rest is parsed.
    """
    return [parse_published(store, d, force=force, scratch=scratch) for d in docs]


def _read_bundle(data: bytes) -> tuple[dict, dict[str, bytes]]:
    """A published set's manifest and its members' bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return json.loads(members.pop(PUBLISHED)), members


# -- the writer host: collect ----------------------------------------------------------------------------

def collect_published(home: Home, store: ObjectStore, replies: list[dict]) -> list[Outcome]:
    """Bring every published set into the home's staging area, with its parse and state.

    Read from the published object, not from the reply alone: a set is only taken once published
    whole. The state is written last, as on one machine (a document is done once staged).
    """
    import polars as pl

    from pipeline.load.staging import stage
    from pipeline.sources.rawstore import raw_path

    outcomes = []
    for reply in replies:
        key = reply.get("key") or f"{reply['prefix']}/{BUNDLE}"
        try:
            manifest, members = _read_bundle(store.get_bytes(key))
        except ObjectStoreError as e:
            raise ObjectStoreError(f"the staged set {key} was never published whole: {e}") from e
        out = Outcome(**manifest["outcome"])
        frames = {name.removesuffix(".parquet"): pl.read_parquet(io.BytesIO(members[name]))
                  for name in manifest["tables"]}
        stage(home.staging, out.document_id, frames)
        if out.status == "parsed" and out.sha256:
            parsed = members.get(PARSED_JSON)
            if parsed is None:   # a set published without its parse: the parse by content
                parsed = store.get_bytes(parsed_key(out.sha256))
            write_text_atomic(home.parsed / f"{out.document_id}.json", parsed.decode("utf-8"))
        if out.sha256:
            local = raw_path(home.raw, out.sha256)   # the report crops its evidence from the PDF
            if not local.exists() and store.exists(raw_key(out.sha256)):
                store.get_file(raw_key(out.sha256), local)
        outcomes.append(_finish(home, out, None))
    return outcomes
