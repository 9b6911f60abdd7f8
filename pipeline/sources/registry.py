"""Remember what discovery found, so a later step (a Dagster run for one partition) can find it."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.atomic import write_text_atomic
from pipeline.config import Home
from pipeline.process import needs_processing
from pipeline.sources import list_sources
from pipeline.sources.base import SourceDocument


def _path(home: Home, document_id: str) -> Path:
    return home.discovered / f"{document_id}.json"


def save_discovered(home: Home, doc: SourceDocument) -> None:
    d = asdict(doc)
    d["path"] = str(doc.path) if doc.path else None
    p = _path(home, doc.document_id)
    text = json.dumps(d, ensure_ascii=not _utf8(d["path"]), indent=1)  # bytes of a GBK name escaped
    if not p.exists() or p.read_text("utf-8") != text:
        write_text_atomic(p, text)


def _utf8(text: str | None) -> bool:
    try:
        (text or "").encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def load_discovered(home: Home, document_id: str) -> SourceDocument:
    """The SourceDocument discovery recorded for ``document_id`` (KeyError if never discovered)."""
    try:
        d = json.loads(_path(home, document_id).read_text("utf-8"))
    except FileNotFoundError:
        raise KeyError(f"document {document_id} was never discovered in this home ({home.root})") from None
    d["path"] = Path(d["path"]) if d["path"] else None
    return SourceDocument(**d)


def plan_changes(home: Home, inbox: Path | None = None, portal: str | None = None,
                 progress=None, record: bool = True) -> tuple[list[SourceDocument], list[SourceDocument]]:
    """List the source (no download: pipeline.sources.list_sources), record every document (unless
    ``record`` is false: a preview), and return (all documents, those new or changed) by the night's
    own rule (process.needs_processing)."""
    home.ensure()
    docs = list_sources(home, inbox=inbox, portal=portal, progress=progress)
    for d in docs if record else ():
        save_discovered(home, d)
    return docs, [d for d in docs if needs_processing(home, d)]
