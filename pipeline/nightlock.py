"""One night at a time per home: ``night_lock(home, wait)``.

Two nights on one home would render the demo inbox twice, stage the same documents and fight over
the DuckDB file. The lock is an OS file lock (released when the process dies, even by SIGKILL), on
``data/night.lock``; ``data/night.lock.json`` says who holds it, so the second night can say so. It
is re-entrant within a process (the CLI holds it around the demo rendering and the night).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.atomic import write_text_atomic
from pipeline.config import Home
from pipeline.night_errors import HomeMissing, NightBusy

_HELD: set[str] = set()


def lock_file(home: Home) -> Path:
    return home.data / "night.lock"


@contextmanager
def night_lock(home: Home, wait: float = 0.0, progress: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the home's night lock; wait up to ``wait`` s for another night, then NightBusy."""
    path = lock_file(home)
    key = str(path)
    if key in _HELD:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HomeMissing(f"cannot create the home {home.root}: {e.strerror or e}") from None
    lock = FileLock(key)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if wait <= 0:
            raise NightBusy(f"another night is running on {home.root} ({holder(home)}); this one did not "
                            f"start. Run again later, or pass --wait SECONDS to wait for it") from None
        progress(f"another night is running on {home.root} ({holder(home)}); waiting up to {wait:g} s …")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise NightBusy(f"another night on {home.root} ({holder(home)}) was still running after "
                            f"{wait:g} s; this one did not start") from None
    _HELD.add(key)
    try:
        write_text_atomic(path.with_suffix(".lock.json"), json.dumps(
            {"pid": os.getpid(), "since": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "argv": sys.argv[:6]},
            ensure_ascii=False))
    except OSError:
        pass  # who holds it is a courtesy; the lock itself is what counts
    try:
        yield
    finally:
        _HELD.discard(key)
        lock.release()


def holder(home: Home) -> str:
    """'pid N since T' of the night holding the lock, as it recorded itself."""
    try:
        info = json.loads(lock_file(home).with_suffix(".lock.json").read_text("utf-8"))
        return f"process {info.get('pid')} since {info.get('since')}"
    except (OSError, ValueError):
        return "a process that did not say who it is"
