"""Every amount the prose prints, whatever its phrasing: ``Figure(label, amount, unit, page, sentence)``.

The headline claims (claims.py, patterns.yaml) know a few phrasings; a district worded otherwise
("财政拨款预算 6.48 万元" for 三公, "因公出国（境）费 0 万元", 机关运行经费 items by name, 工程类 procurement
totals) would go unread. Here every "… amount 万元/元/亿元" and "… N%" becomes a figure with the words before
it in its clause (its label) and its sentence; the checks resolve each to the table cell it restates
through the tables' own vocabulary, or list it as unresolved (pipeline/checks/rules/prose_figures.py).
"""

from __future__ import annotations

import re

from pipeline.document.numbers import AmountError, parse_amount, to_wan
from pipeline.model import Figure
from pipeline.narrative.claims import ProseText

_AMOUNT = re.compile(r"(?<![0-9０-９.．])(?P<amount>[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)\s*"
                     r"(?P<unit>亿元|万元|元|%|％)")
#: Where a clause starts: the label of a figure is the text after the last of these before it.
_CLAUSE = "，,。；;：:、！!？?\n"
_SENTENCE = "。；;！!？?\n"
_LEAD = re.compile(r"^[\s“”\"'（(）)]*(?:其中|包括|主要(?:用于|是|包括)?|分别为|另外|此外|同时|具体(?:为|是)?)?[:：]?")


def _label(text: str, start: int) -> str:
    lo = max(0, start - 60)   # a bounded window: a long prose must not cost quadratic time
    begin = max(text.rfind(c, lo, start) for c in _CLAUSE) + 1
    label = text[max(begin, lo):start].strip()
    return _LEAD.sub("", label).strip()


def _sentence(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - 200), min(len(text), end + 200)
    begin = max(lo, max(text.rfind(c, lo, start) for c in _SENTENCE) + 1)
    stops = [i for i in (text.find(c, end, hi) for c in _SENTENCE) if i >= 0]
    stop = min(stops) + 1 if stops else hi
    return text[begin:stop].strip()[:400]


def find_figures(prose: ProseText) -> list[Figure]:
    """Every amount of the prose in reading order (a year "2026年" or a count "5个" is not an amount)."""
    text = prose.text
    out: list[Figure] = []
    for m in _AMOUNT.finditer(text):
        unit = m.group("unit")
        try:
            amount = parse_amount(m.group("amount"))
        except AmountError:
            continue
        if amount is None:
            continue
        if unit in ("%", "％"):
            unit = "%"
        else:
            amount = to_wan(amount, unit)
            unit = "万元"
        out.append(Figure(label=_label(text, m.start()), amount=amount, unit=unit,
                          page=prose.page_at(m.start()), sentence=_sentence(text, m.start(), m.end())))
    return out


__all__ = ["find_figures"]
