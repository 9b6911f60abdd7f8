"""sha256 of files, remembered by (size, mtime) so that a night with nothing changed hashes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.atomic import write_text_atomic
from pipeline.sources.identity import sha256_file


class HashCache:
    """A JSON file mapping path → [size, mtime_ns, sha256]; ``None`` keeps it in memory only."""

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, list] = {}
        self._dirty = False
        if path is not None and path.exists():
            try:
                self._entries = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                self._entries = {}

    def sha256(self, file: Path) -> str:
        st = file.stat()
        key = str(file.resolve())
        hit = self._entries.get(key)
        if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            return hit[2]
        digest = sha256_file(file)
        self._entries[key] = [st.st_size, st.st_mtime_ns, digest]
        self._dirty = True
        return digest

    def save(self) -> None:
        if self.path is not None and self._dirty:
            write_text_atomic(self.path, json.dumps(self._entries))
            self._dirty = False
