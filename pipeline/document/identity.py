"""The document's own department, year and unit, read from its tables, and its disagreements with itself.

Why majority: the seed prints code 125 on most table headers and 106 on the procurement headers, the
name without 新 on one header and a short name on another. The document's department is what most of
its tables print; every other spelling is kept as a warning (docs/DESIGN.md warning kinds).
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.model import Warning

YEAR_TEXT_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:部门|单位)?\s*(?:预算|决算)")


def majority(values: list, default=None):
    """The most frequent value; ties go to the one printed first."""
    vals = [v for v in values if v is not None]
    if not vals:
        return default
    counts = Counter(vals)
    best = max(counts.values())
    return next(v for v in vals if counts[v] == best)


def variants(kind: str, what: str, printed: list[tuple[str | None, str, int]], chosen) -> list[Warning]:
    """One warning per spelling other than ``chosen``: which tables print it, on which pages."""
    out = []
    others: dict[str, tuple[list[str], list[int]]] = {}
    for value, title, page in printed:
        if value is None or value == chosen:
            continue
        titles, pages = others.setdefault(value, ([], []))
        titles.append(title)
        pages.append(page)
    for value, (titles, pages) in others.items():
        names = "、".join(dict.fromkeys(titles))
        out.append(Warning(kind, f"{names} header prints {what} {value}, other tables {chosen}",
                           sorted(set(pages)), [str(chosen), str(value)]))
    return out


def year_from_text(text: str) -> int | None:
    """A budget year stated in running text ("2023 年部门预算信息公开")."""
    m = YEAR_TEXT_RE.search(text)
    return int(m.group(1)) if m else None


TITLE_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")


def year_in_title(title: str) -> int | None:
    """A year printed in a table title ("2017年政府采购预算表")."""
    m = TITLE_YEAR_RE.search(title or "")
    return int(m.group(1)) if m else None
