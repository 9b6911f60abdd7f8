"""Columns that print amounts under a header the catalogue cannot map to a measure.

Why: such a column's figures are simply not recorded, and the rest of the table may still look whole.
Saying so (warning ``unread_column``) is what keeps a partial table from passing as complete. What is
"a column of amounts" is decided by the figures' own structure, not by header wording: a numbering
column (1, 2, 3 …), subject codes, years and a column printed unlike the table's amounts (counts as
integers beside amounts with decimals) are not money; a header printing "%" names a rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document.numbers import DASHES, AmountError, parse_amount, to_halfwidth

#: A figure printed as money prints decimals or thousands separators ("1,234", "12.50").
_MONEY_FORM_RE = re.compile(r"\d[.,]\d")
_PLAIN_INT_RE = re.compile(r"^\d+$")


@dataclass(frozen=True)
class UnreadColumn:
    """One unmapped column of one page part: its grid index, header as printed, amounts left out."""

    index: int
    header: str
    figures: int


def _figures(texts: list[str | None]) -> list[str]:
    """The cells that read as numbers (a dash, a printed zero-as-dash, is no figure of its own)."""
    out = []
    for t in texts:
        if not t or not t.strip():
            continue
        s = re.sub(r"\s+", "", to_halfwidth(t))
        if s in DASHES:
            continue
        try:
            if parse_amount(t) is not None:
                out.append(s)
        except AmountError:
            continue
    return out


def _is_numbering(figs: list[str]) -> bool:
    """1, 2, 3 … (a 序号 / 栏次 / 行次 column): small integers rising by one, in print order."""
    if not all(_PLAIN_INT_RE.match(f) for f in figs):
        return False
    vals = [int(f) for f in figs]
    return all(b == a + 1 for a, b in zip(vals, vals[1:])) and vals[-1] < 1000


def _is_code_column(figs: list[str]) -> bool:
    """Codes, not amounts: plain digit strings with a leading zero (0301, 086), or subject codes (3, 5
    or 7 digits led by 1, 2 or 3) that nest (201 / 20101 / 2010101) or repeat (a 类 column: 210, 210,
    221) as no column of amounts does."""
    if not all(_PLAIN_INT_RE.match(f) for f in figs):
        return False
    if any(len(f) > 1 and f.startswith("0") for f in figs):
        return True
    if len(figs) < 2 or not all(len(f) in (3, 5, 7) and f[0] in "123" for f in figs):
        return False
    nested = sum(1 for i, f in enumerate(figs) if any(f != s and f.startswith(s) for s in figs[:i]))
    return nested >= len(figs) // 2 or len(set(figs)) < len(figs)


def _is_years(figs: list[str]) -> bool:
    return all(_PLAIN_INT_RE.match(f) and 1990 <= int(f) <= 2100 for f in figs)


def money_column(figs: list[str], header: str, table_money_form: bool) -> bool:
    """True when an unmapped column's figures are amounts.

    ``table_money_form``: the table's mapped amount columns print decimals or separators somewhere; a
    column printing only plain integers beside them holds counts (人数, 辆), not money."""
    if not figs or "%" in to_halfwidth(header):
        return False
    if _is_numbering(figs) or _is_code_column(figs) or _is_years(figs):
        return False
    if any(_MONEY_FORM_RE.search(f) for f in figs):
        return True
    return not table_money_form


def unread_columns(rows: list[list[str | None]], unknown: dict[int, str],
                   measure_cols: list[int]) -> list[UnreadColumn]:
    """The columns among ``unknown`` (grid index → header as printed) whose data-row cells (``rows``,
    aligned to the grid) are amounts; ``measure_cols`` are the columns read as measures."""
    table_money_form = any(_MONEY_FORM_RE.search(to_halfwidth(row[j] or ""))
                           for row in rows for j in measure_cols if j < len(row))
    out = []
    for j, header in sorted(unknown.items()):
        figs = _figures([row[j] if j < len(row) else None for row in rows])
        if money_column(figs, header, table_money_form):
            out.append(UnreadColumn(j, header, len(figs)))
    return out
