"""The prose's headline figures → ``Claim(metric, amount, page, quote)``, amounts in 万元.

Why regexes as data (patterns.yaml): each province words the same figure a little differently; a new
wording is a line of YAML. The prose is searched with line breaks removed (a figure often wraps onto the
next line) across pages, and a claim's page is the page its quote starts on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.document.numbers import AmountError, parse_amount, to_wan
from pipeline.model import METRICS, Claim
from pipeline.packaged import packaged_text

N = r"(?P<amount>[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)"
U = r"(?P<unit>亿元|万元|元)"
#: The start of a sentence about the 三公 经费, up to one of its items (no sentence end in between).
#: The claim (its quote and page) starts at the item, marked by the empty group ``item``.
TP = r"三公.{0,3}经费[^。；;]{0,120}?(?P<item>)"


@dataclass(frozen=True)
class Pattern:
    metric: str
    regex: re.Pattern
    extra: bool = False   # a claim besides the figure's own metric (a stated identity), never in its place


@lru_cache(maxsize=2)
def load_patterns(path: str | None = None) -> tuple[Pattern, ...]:
    text = Path(path).read_text(encoding="utf-8") if path else packaged_text("pipeline.narrative", "patterns.yaml")
    data = yaml.safe_load(text)
    out = []
    for entry in data:
        if entry["metric"] not in METRICS:
            raise ValueError(f"patterns.yaml: unknown metric {entry['metric']!r}")
        for p in entry["patterns"]:
            out.append(Pattern(entry["metric"], re.compile(p.replace("{N}", N).replace("{U}", U).replace("{TP}", TP)),
                               bool(entry.get("extra"))))
    return tuple(out)


_PAGE_NUMBER = re.compile(r"^\s*(?:[-－—]\s*\d+\s*[-－—]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+)\s*$")


class ProseText:
    """The prose of a document as one string, with the page each character came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.pages: list[int] = []
        self.length = 0

    def add_lines(self, pages: list[tuple[int, list[str]]]) -> None:
        """Every page's prose lines, without the page furniture: a running header or footer (a line
        printed at the top or bottom of at least three pages) and page numbers ("- 47 -"), which would
        otherwise split a sentence wrapping onto the next page ("一般公共预算财政拨款 | 支出预算 X 万元")."""
        edge: dict[str, int] = {}
        for _, lines in pages:
            for t in {ln.strip() for ln in lines[:2] + lines[-2:] if ln.strip()}:
                edge[t] = edge.get(t, 0) + 1
        furniture = {t for t, n in edge.items() if n >= 3}
        for page, lines in pages:
            kept = [ln for ln in lines if ln.strip() not in furniture and not _PAGE_NUMBER.match(ln)]
            self.add(page, "".join(kept))

    def add(self, page: int, text: str) -> None:
        if not text:
            return
        self.starts.append(self.length)
        self.pages.append(page)
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def page_at(self, offset: int) -> int:
        return self.pages[bisect_right(self.starts, offset) - 1]


#: Metrics whose pattern states their own subject (the item's 类/款/项 path).
_SELF_SCOPED = frozenset({"item_amount", "item_prior_actual", "item_budget", "item_change_pct"})
#: A sentence that has named a subject (“农林水支出”科目, 教育支出（类）) before the figure: the figure is a
#: part of that subject ("科目83万元，主要用于人员经费18万元"), not the document's figure of that name.
_SUBJECT_SCOPE = re.compile(r"“[^”]{2,30}”\s*科目|[（(]\d{0,3}[类款项][）)]|科目\s*[0-9０-９]")


def subject_scoped(quote: str | None) -> bool:
    """Whether a claim's quote starts with the subject its sentence scopes the figure to."""
    return bool(quote) and _SUBJECT_SCOPE.search(quote) is not None


def _scope_of(text: str, start: int) -> str:
    """The sentence before a figure when it names the subject the figure belongs to, else ''.

    The quote then starts with that scope, which tells the checks the figure restates no document-level cell."""
    lo = max(0, start - 120)
    begin = max(text.rfind(c, lo, start) for c in "。；;\n") + 1
    before = text[max(begin, lo):start]
    return before if _SUBJECT_SCOPE.search(before) else ""


def find_claims(prose: ProseText, patterns: tuple[Pattern, ...] | None = None) -> list[Claim]:
    """Every headline figure in the prose, in reading order."""
    text = prose.text
    found: list[tuple[int, int, Claim]] = []
    extra: list[tuple[int, int, Claim]] = []
    taken: set[tuple[int, str]] = set()
    for p in patterns or load_patterns():
        for m in p.regex.finditer(text):
            start = m.start("amount")
            if (start, p.metric) in taken:
                continue
            try:
                amount = parse_amount(m.group("amount"))
            except AmountError:
                continue
            if amount is None:
                continue
            amount = to_wan(amount, m.group("unit"))
            if "dir" in p.regex.groupindex and m.group("dir") == "减少":
                amount = -amount
            taken.add((start, p.metric))
            begin = m.start("item") if "item" in p.regex.groupindex else m.start()
            quote = text[begin:m.end()].strip()
            if p.metric not in _SELF_SCOPED:
                quote = _scope_of(text, begin) + quote
            (extra if p.extra else found).append((begin, start, Claim(p.metric, amount, prose.page_at(begin),
                                                                      quote)))
    # one figure restates one metric: a longer, more specific match wins the same amount
    by_amount: dict[int, tuple[int, int, Claim]] = {}
    for item in found:
        cur = by_amount.get(item[1])
        if cur is None or len(item[2].quote) < len(cur[2].quote):
            by_amount[item[1]] = item
    ordered = [(start, pos, 0, c) for pos, start, c in by_amount.values()]
    ordered += [(start, pos, 1, c) for pos, start, c in extra]
    return [c for *_, c in sorted(ordered, key=lambda x: x[:3])]
