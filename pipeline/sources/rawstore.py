"""The raw store: every fetched PDF kept once, under its sha256, never overwritten in place."""

from __future__ import annotations

from pathlib import Path

from pipeline.atomic import copy_atomic
from pipeline.sources.identity import sha256_file


def raw_path(raw_dir: Path, sha256: str) -> Path:
    return raw_dir / sha256[:2] / f"{sha256}.pdf"


def store(raw_dir: Path, src: Path, sha256: str | None = None) -> tuple[Path, str]:
    """Copy ``src`` into the store (atomically, once per content); return its path and sha256."""
    sha256 = sha256 or sha256_file(src)
    dst = raw_path(raw_dir, sha256)
    if not dst.exists():
        copy_atomic(src, dst)
    return dst, sha256
