"""Partition keys a person recognises: department code and name, year; a short hash only on a clash.

The document_id (pipeline.sources.identity) stays the internal identity of a source location; the
label is what the Dagster UI lists. It is built from what the source states before anything is parsed
(the file or link name, the listing's department and year), so a night can register it first. Once a
document has a label it keeps it (labels.json in the home), so the UI's history never changes keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.atomic import write_text_atomic
from pipeline.config import Home
from pipeline.sources.base import SourceDocument

_CODE = re.compile(r"^\s*(\d{2,})[\s_\-—.、]*")
_YEAR = re.compile(r"(?:19|20)\d\d\s*年?度?")
_SEPARATORS = re.compile(r"[\s_\-—·,，/\\|]+")
MAX_NAME = 28


def _path(home: Home) -> Path:
    return home.discovered / "labels.json"


def readable_label(doc: SourceDocument) -> str:
    """'101 人大办 · 2023' from the file name (or the listing's department) and the year hint."""
    stem = Path(doc.locator.split("?")[0].rstrip("/")).stem
    code_m = _CODE.match(stem)
    code = code_m.group(1) if code_m else ""
    rest = stem[code_m.end():] if code_m else stem
    name = doc.department or _SEPARATORS.sub(" ", _YEAR.sub(" ", rest)).strip() or (doc.title or "").strip()
    name = name[:MAX_NAME].strip() or "document"
    who = f"{code} {name}" if code and not name.startswith(code) else name
    return f"{who} · {doc.year}" if doc.year else who


def _short_hash(doc: SourceDocument) -> str:
    return doc.document_id.rsplit("-", 1)[-1][:6]


def load_labels(home: Home) -> dict[str, str]:
    """document_id → label, as assigned so far."""
    try:
        return json.loads(_path(home).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def assign_labels(home: Home, docs: list[SourceDocument], save: bool = True) -> dict[str, str]:
    """The label of every document (new ones get theirs now); labels never change once given.

    Two documents that would read the same get ' · ' and 6 hex digits of their id appended; the first
    one labelled keeps the plain form, so adding a document never renames another.
    """
    labels = load_labels(home)
    taken = set(labels.values())
    changed = False
    for d in docs:
        if d.document_id in labels:
            continue
        label = readable_label(d)
        if label in taken:
            label = f"{label} · {_short_hash(d)}"
        labels[d.document_id] = label
        taken.add(label)
        changed = True
    if changed and save:
        write_text_atomic(_path(home), json.dumps(labels, ensure_ascii=False, indent=1, sort_keys=True))
    return labels


def document_for_label(home: Home, label: str) -> str | None:
    """The document_id a label was given to (None if no document has it)."""
    return next((d for d, lab in load_labels(home).items() if lab == label), None)
