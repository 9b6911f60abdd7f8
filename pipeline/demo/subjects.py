"""Real subject codes and names, read from pipeline/reference/*.csv (built from the seed and corpus).

Why: every code the generator prints must be a real 政府收支分类科目 code, so the generator never types
a code itself; it asks this module, which fails loudly for a code that is not in the reference.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from pipeline.packaged import packaged

REF = packaged("pipeline.reference")


@lru_cache(maxsize=None)
def _load(kind: str) -> dict[str, str]:
    """code → name; where a code has several names, the one seen most recently."""
    best: dict[str, tuple[int, str]] = {}
    with (REF / f"{kind}_subjects.csv").open("r", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            last = max(int(y) for y in r["years_seen"].split(";"))
            if r["code"] not in best or last > best[r["code"]][0]:
                best[r["code"]] = (last, r["name"])
    return {c: n for c, (_, n) in best.items()}


def functional() -> dict[str, str]:
    return _load("functional")


def economic() -> dict[str, str]:
    return _load("economic")


def fname(code: str) -> str:
    """The name of a functional code; KeyError for a code not in the reference."""
    return functional()[code]


def ename(code: str) -> str:
    return economic()[code]
