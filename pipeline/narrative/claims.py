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

HERE = Path(__file__).resolve().parent
N = r"(?P<amount>[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)"
U = r"(?P<unit>亿元|万元|元)"


@dataclass(frozen=True)
class Pattern:
    metric: str
    regex: re.Pattern
    extra: bool = False   # a claim besides the figure's own metric (a stated identity), never in its place


@lru_cache(maxsize=2)
def load_patterns(path: str | None = None) -> tuple[Pattern, ...]:
    data = yaml.safe_load(Path(path or HERE / "patterns.yaml").read_text(encoding="utf-8"))
    out = []
    for entry in data:
        if entry["metric"] not in METRICS:
            raise ValueError(f"patterns.yaml: unknown metric {entry['metric']!r}")
        for p in entry["patterns"]:
            out.append(Pattern(entry["metric"], re.compile(p.replace("{N}", N).replace("{U}", U)),
                               bool(entry.get("extra"))))
    return tuple(out)


class ProseText:
    """The prose of a document as one string, with the page each character came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.pages: list[int] = []
        self.length = 0

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
            (extra if p.extra else found).append((m.start(), start, Claim(p.metric, amount, prose.page_at(m.start()),
                                                                          m.group(0).strip())))
    # one figure restates one metric: a longer, more specific match wins the same amount
    by_amount: dict[int, tuple[int, int, Claim]] = {}
    for item in found:
        cur = by_amount.get(item[1])
        if cur is None or len(item[2].quote) < len(cur[2].quote):
            by_amount[item[1]] = item
    ordered = [(start, pos, 0, c) for pos, start, c in by_amount.values()]
    ordered += [(start, pos, 1, c) for pos, start, c in extra]
    return [c for *_, c in sorted(ordered, key=lambda x: x[:3])]
