"""The inbox source: every PDF under a folder (sub-folders included) is a document.

Files of other disclosure formats (.doc, .xls, .zip …) are reported as unsupported rather than dropped,
so that a person sees that a department published something the pipeline cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.sources.base import SourceDocument
from pipeline.sources.hashcache import HashCache

OTHER_FORMATS = {".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".wps", ".et", ".ofd"}
_YEAR = re.compile(r"(20\d\d)")


def scan_inbox(inbox: Path, cache: HashCache | None = None) -> Iterator[SourceDocument]:
    """Yield a SourceDocument for each file under ``inbox``, sorted by path for a stable order."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    cache = cache or HashCache(None)
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if path.name.startswith(".") or path.name.endswith(".part"):
            continue
        locator = path.relative_to(inbox).as_posix()
        year = _year_hint(locator)
        if suffix == ".pdf":
            yield SourceDocument(locator=locator, path=path, sha256=cache.sha256(path),
                                 title=path.stem, year=year)
        elif suffix in OTHER_FORMATS:
            yield SourceDocument(locator=locator, path=path, sha256=cache.sha256(path),
                                 format=suffix.lstrip("."), status="unsupported", title=path.stem,
                                 year=year, error=f"{suffix} attachments are not parsed (only PDF)")
    cache.save()


def _year_hint(locator: str) -> int | None:
    m = _YEAR.search(locator)
    return int(m.group(1)) if m else None
