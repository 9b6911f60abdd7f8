"""Failures that stop a night (or a command) as a whole, each with a plain message and its exit code.

A bad document fails only itself (DocumentError); these are about the place the night runs in: the
home is missing, another night or process holds it, the disk is full, the source cannot be reached.
The CLI prints the message without a traceback and exits with ``exit_code`` (sysexits.h values, so
a scheduler can tell "try again later" (75) from "fix something" (others)).
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path


class NightError(Exception):
    """The night (or command) cannot go on; ``str(e)`` says why in plain words."""

    exit_code = 1


class HomeMissing(NightError):
    """The home folder (or its warehouse) does not exist or cannot be created."""

    exit_code = 66  # EX_NOINPUT


class SourceUnavailable(NightError):
    """The source cannot be read at all (e.g. the portal's start page)."""

    exit_code = 69  # EX_UNAVAILABLE


class DiskFull(NightError):
    """No space left: what was committed stays; the next night after space is freed completes the rest."""

    exit_code = 74  # EX_IOERR


class Busy(NightError):
    """Someone else holds what this night needs; trying again later will work."""

    exit_code = 75  # EX_TEMPFAIL


class NightBusy(Busy):
    """Another night (or report) is running on the same home."""


class WarehouseBusy(Busy):
    """The warehouse file or the writer's lock stayed held by another process past the wait."""


_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DISK_FULL_WORDS = ("no space left on device", "disk quota exceeded", "file too large", "os error 28",
                    "database or disk is full")
#: Below this many bytes free, a failure that named something else (SQLite's "disk I/O error" from the
#: Dagster instance, say) is taken for what it most likely is: the disk ran full.
_NEARLY_FULL = 1 << 20


def is_disk_full(e: BaseException) -> bool:
    """Whether ``e`` (OSError, a polars or duckdb error wrapping one) means the disk is full."""
    if isinstance(e, DiskFull):
        return True
    if isinstance(e, OSError) and e.errno in _DISK_FULL_ERRNOS:
        return True
    text = str(e).lower()
    return any(w in text for w in _DISK_FULL_WORDS)


def raise_if_disk_full(e: BaseException, doing: str, where: Path | None = None) -> None:
    """Re-raise a disk-full error as DiskFull with what was being done; anything else is left alone."""
    if isinstance(e, DiskFull) or not is_disk_full(e):
        return
    free = ""
    if where is not None:
        try:
            free = f"; {shutil.disk_usage(where).free // 2**20} MiB free on {where}"
        except OSError:
            pass
    raise DiskFull(f"the disk is full ({doing}){free}. What was committed before is kept; free some "
                   f"space and run again: the next run completes the work") from None


def disk_full_after(failure: str, where: Path) -> DiskFull | None:
    """DiskFull when a night failed (``failure``, its message) and the disk holding ``where`` is full:
    SQLite and other libraries report a full disk in words of their own."""
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return None
    if free >= _NEARLY_FULL and not any(w in failure.lower() for w in _DISK_FULL_WORDS):
        return None
    return DiskFull(f"the disk is full ({failure.splitlines()[0][:200]}; {free // 1024} KiB free on {where}). "
                    f"What was committed before is kept; free some space and run again: the next run "
                    f"completes the work")
