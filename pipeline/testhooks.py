"""Named points where a test can stop a stage or make it fail, without racing a timer.

``BUDGET_ETL_HOLD=point[,point…]``: at ``hold(point)`` the process prints ``HOLD <point>`` to stderr
and sleeps (a test then kills it there). ``BUDGET_ETL_FAULT=point[,point…]``: ``inject_fault(point)``
raises OSError(ENOSPC), as a full disk would. Points in use: ``staging`` (before a staged set is
written), ``checkpoint`` (before the warehouse's CHECKPOINT), ``checks`` (inside the transaction
writing a check run, before COMMIT), ``report`` (the report written to its temp file, not renamed).
The loader's per-document hold is $BUDGET_ETL_LOAD_HOLD (pipeline/load/loader.py).
"""

from __future__ import annotations

import errno
import os
import sys
import time

HOLD_ENV = "BUDGET_ETL_HOLD"
FAULT_ENV = "BUDGET_ETL_FAULT"
HOLD_SECONDS = 300.0


def _points(env: str) -> set[str]:
    return {p.strip() for p in os.environ.get(env, "").split(",") if p.strip()}


def hold(point: str) -> None:
    """Announce ``HOLD <point>`` and wait, when the test asked for it."""
    if point in _points(HOLD_ENV):
        print(f"HOLD {point}", file=sys.stderr, flush=True)
        time.sleep(HOLD_SECONDS)


def inject_fault(point: str) -> None:
    """Raise OSError(ENOSPC) here when the test asked for it."""
    if point in _points(FAULT_ENV):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), f"<injected at {point}>")
