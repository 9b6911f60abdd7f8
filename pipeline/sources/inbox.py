"""The inbox source: every PDF under a folder (sub-folders included) is a document.

Files of other disclosure formats (.doc, .xls, .zip …) are reported as unsupported rather than dropped,
so that a person sees that a department published something the pipeline cannot read.

Every entry is accounted for. A name with a document suffix that cannot be read as a regular file
inside the inbox (a FIFO, a device, a folder named x.pdf, a link leading outside the inbox or
nowhere, a file that cannot be opened) becomes a failed document with its reason; anything else
left out follows a named skip rule (hidden, partial download, not a document format, linked folder)
that :func:`scan_inbox` reports to ``on_skip`` and the night prints. File names that are not UTF-8
(GBK bytes from Chinese servers and archives) keep their bytes for reading and get a readable form
(decoded as GB18030, else with \\x escapes) as their locator.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.sources.base import SourceDocument
from pipeline.sources.hashcache import HashCache

OTHER_FORMATS = {".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".wps", ".et", ".ofd"}
DOCUMENT_SUFFIXES = {".pdf"} | OTHER_FORMATS
_YEAR = re.compile(r"(20\d\d)")
log = logging.getLogger(__name__)

#: The skip rules: an entry left out of the night is left out by one of these, and said so.
SKIP_RULES = {
    "hidden": "hidden names (starting with '.')",
    "partial": "partial downloads (*.part), read once complete",
    "not_document": "not a document format (by suffix)",
    "linked_folder": "links to folders (not followed)",
}

OnSkip = Callable[[str, str], None]


def readable_name(name: str) -> str:
    """A file name as a person can read it: as is when UTF-8, else its bytes decoded as GB18030,
    else with \\x escapes. ``name`` is what os gives (undecodable bytes as surrogate escapes)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("ascii", "backslashreplace")


def _is_utf8(parts: tuple[str, ...]) -> bool:
    try:
        "/".join(parts).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def scan_inbox(inbox: Path, cache: HashCache | None = None,
               on_skip: OnSkip | None = None) -> Iterator[SourceDocument]:
    """Yield a SourceDocument for each document entry under ``inbox``, sorted by path (stable)."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    root = Path(os.path.realpath(inbox))
    cache = cache or HashCache(None)
    seen: set[str] = set()

    def skip(rule: str, locator: str) -> None:
        log.info("inbox: skipped %s (%s)", locator, SKIP_RULES[rule])
        if on_skip is not None:
            on_skip(rule, locator)

    entries = list(_walk(inbox, (), skip))
    utf8 = {"/".join(parts) for parts, _ in entries if _is_utf8(parts)}
    for rel_parts, entry in entries:
        locator = "/".join(readable_name(p) for p in rel_parts)
        if not _is_utf8(rel_parts) and (locator in utf8 or locator in seen):
            # the readable form is taken (by a UTF-8 name that reads the same): keep the bytes visible
            locator = os.fsencode("/".join(rel_parts)).decode("ascii", "backslashreplace")
        seen.add(locator)
        doc = _document(root, Path(entry.path), locator, entry, cache, skip)
        if doc is not None:
            yield doc
    cache.save()


def _walk(folder: Path, parts: tuple[str, ...], skip: Callable[[str, str], None]
          ) -> Iterator[tuple[tuple[str, ...], os.DirEntry]]:
    """Entries under ``folder`` in name order, without following links to folders."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: os.fsencode(e.name))
    except OSError as e:
        if not parts:   # the inbox itself: the caller says so in plain words
            raise
        log.warning("inbox: cannot list %s: %s", folder, e)
        yield parts, _Unlisted(str(folder), e)
        return
    for entry in entries:
        rel = parts + (entry.name,)
        display = "/".join(readable_name(p) for p in rel)
        if entry.name.startswith("."):
            skip("hidden", display)
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            if Path(entry.name).suffix.lower() in DOCUMENT_SUFFIXES:
                yield rel, entry            # a folder named like a document: recorded, then entered
            yield from _walk(Path(entry.path), rel, skip)
            continue
        yield rel, entry


class _Unlisted:
    """A sub-folder that cannot be listed, standing in for the entries it hides."""

    def __init__(self, path: str, error: OSError):
        self.path = path
        self.name = os.path.basename(path)
        self.error = error


def _document(root: Path, path: Path, locator: str, entry, cache: HashCache,
              skip: Callable[[str, str], None]) -> SourceDocument | None:
    """The SourceDocument of one entry, a failed one with its reason, or None (a skip rule, said)."""
    year = _year_hint(locator)
    title = Path(locator).stem

    def failed(reason: str) -> SourceDocument:
        return SourceDocument(locator=locator, path=None, sha256=None, status="failed", title=title,
                              year=year, error_kind="unreadable", error=reason)

    if isinstance(entry, _Unlisted):
        return failed(f"the folder cannot be listed ({entry.error.strerror or entry.error}): "
                      "its files are not read")
    name = entry.name
    if name.endswith(".part"):
        skip("partial", locator)
        return None
    suffix = Path(name).suffix.lower()
    try:
        is_link = entry.is_symlink()
    except OSError:
        is_link = False
    if is_link:
        target = Path(os.path.realpath(path))
        inside = target == root or root in target.parents
        try:
            st = path.stat()          # follows the link (a loop fails here, as a missing target does)
        except OSError as e:
            st, why = None, e.strerror or str(e)
        if st is not None and stat.S_ISDIR(st.st_mode):
            skip("linked_folder", locator)
            return None
        if suffix not in DOCUMENT_SUFFIXES:
            skip("not_document", locator)
            return None
        if st is None:
            return failed(f"a link that cannot be followed to a file ({why}): {target}")
        if not inside:
            return failed(f"a link to {target}, outside the inbox: not followed")
        mode = st.st_mode
    else:
        if suffix not in DOCUMENT_SUFFIXES:
            skip("not_document", locator)
            return None
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as e:
            return failed(f"cannot read file: {e.strerror or e}")
    if stat.S_ISDIR(mode):
        return failed("a folder named like a document, not a file (its files are read on their own)")
    if not stat.S_ISREG(mode):
        return failed(f"not a regular file but {_kind(mode)}: not read")
    try:
        sha256 = cache.sha256(path)
    except OSError as e:
        return failed(f"cannot read file: {e.strerror or e}")
    if suffix == ".pdf":
        return SourceDocument(locator=locator, path=path, sha256=sha256, title=title, year=year)
    return SourceDocument(locator=locator, path=path, sha256=sha256, format=suffix.lstrip("."),
                          status="unsupported", title=title, year=year,
                          error=f"{suffix} attachments are not parsed (only PDF)")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def skip_summary(skipped: list[tuple[str, str]]) -> str | None:
    """One line naming each skip rule that applied, with a count and examples; None if none did."""
    if not skipped:
        return None
    by_rule: dict[str, list[str]] = {}
    for rule, locator in skipped:
        by_rule.setdefault(rule, []).append(locator)
    parts = []
    for rule, locs in by_rule.items():
        examples = ", ".join(locs[:3]) + (" …" if len(locs) > 3 else "")
        parts.append(f"{len(locs)} {SKIP_RULES[rule]}: {examples}")
    return f"skipped {len(skipped)} inbox entries by rule — " + "; ".join(parts)


def _year_hint(locator: str) -> int | None:
    m = _YEAR.search(locator)
    return int(m.group(1)) if m else None
