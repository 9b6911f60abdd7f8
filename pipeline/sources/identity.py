"""Stable document identities: one per source location, whatever its content becomes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path


def document_id(locator: str) -> str:
    """A readable, stable id for a source locator (inbox-relative path with '/' or a URL).

    ASCII slug of the file stem (may be empty for Chinese names) plus 8 hex digits of the locator's
    sha1, so two locators never collide in practice and the id is a valid Dagster partition key.
    """
    stem = Path(locator.split("?")[0].rstrip("/")).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")[:40]
    digest = hashlib.sha1(locator.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else f"doc-{digest}"


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """The sha256 of a file's bytes, read in chunks (PDFs can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
