"""Printed wordings drawn from the table catalogue's own patterns (pipeline/tables/catalogue.yaml).

Why: the variant generator must print the titles, column headers and column-number tokens the
catalogue says it reads, not a second list of wordings kept here. A pattern is expanded into the
finite strings it matches (literals, alternations, optional groups; a lookbehind is a constraint, not
text); patterns with open-ended parts (``.{0,8}``, ``[^/]*``) expand to nothing and are skipped. Every
candidate is then confirmed through the catalogue itself (``kind_of_title`` / ``column``), so a wording
the catalogue would file elsewhere is never printed as this kind.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

try:                                    # Python 3.11+
    import re._parser as sre_parse      # type: ignore[import-not-found]
    from re._constants import (ANY, ASSERT, ASSERT_NOT, AT, BRANCH, IN, LITERAL,  # type: ignore
                               MAX_REPEAT, MIN_REPEAT, RANGE, SUBPATTERN)
except ImportError:                     # pragma: no cover
    import sre_parse                    # type: ignore[no-redef]
    from sre_constants import (ANY, ASSERT, ASSERT_NOT, AT, BRANCH, IN, LITERAL,  # type: ignore
                               MAX_REPEAT, MIN_REPEAT, RANGE, SUBPATTERN)

from pipeline.tables.catalogue import Catalogue, load_catalogue

_LIMIT = 64


class _Open(Exception):
    """The pattern matches unboundedly many strings (or uses a construct not expanded here)."""


def _expand_seq(items, digits: str) -> list[str]:
    outs = [""]
    for op, av in items:
        if op == LITERAL:
            opts = [chr(av)]
        elif op == AT or op in (ASSERT, ASSERT_NOT):
            continue
        elif op == SUBPATTERN:
            opts = _expand_seq(av[-1], digits)
        elif op == BRANCH:
            opts = [s for branch in av[1] for s in _expand_seq(branch, digits)]
        elif op in (MAX_REPEAT, MIN_REPEAT):
            lo, hi, sub = av
            if hi > 4:
                if lo == 1:     # "\*+": one or more; the shortest two are printed forms
                    base = _expand_seq(sub, digits)
                    opts = [b * n for b in base for n in (1, 2)]
                else:
                    raise _Open
            else:
                base = _expand_seq(sub, digits)
                opts = ["".join(p) for n in range(lo, hi + 1) for p in itertools.product(base, repeat=n)]
        elif op == IN:
            chars = []
            for cop, cav in av:
                if cop == LITERAL:
                    chars.append(chr(cav))
                elif cop == RANGE:
                    chars.append(chr(cav[0]))
                elif str(cav).endswith("DIGIT"):
                    chars.append(digits)
                else:
                    raise _Open
            opts = chars
        elif op == ANY:
            raise _Open
        else:
            raise _Open
        outs = [a + b for a in outs for b in opts]
        if len(outs) > _LIMIT:
            outs = outs[:_LIMIT]
    return outs


def expand(pattern: str, digits: str = "2") -> list[str]:
    """The strings a catalogue pattern matches in full, in pattern order; [] when open-ended.
    ``digits`` stands for a ``\\d`` (e.g. one digit of a year)."""
    try:
        return list(dict.fromkeys(_expand_seq(sre_parse.parse(pattern), digits)))
    except _Open:
        return []


def _half_to_full(s: str) -> str:
    """Print ( ) " as a publisher does: full-width brackets, curly quotes (the catalogue folds them)."""
    out = s.replace("(", "（").replace(")", "）")
    while '"' in out:
        out = out.replace('"', "“", 1).replace('"', "”", 1)
    return out


@lru_cache(maxsize=None)
def titles(kind: str, year: int) -> tuple[str, ...]:
    """Printed titles the catalogue files under ``kind``: each title pattern's expansions, prefixed by
    部门 / 部门预算 where that is not already their start, and the folded wordings of ``title_rewrites``
    (…总体情况表, …情况表, …明细表, a year prefix, a trailing （功能科目）) unfolded again."""
    cat = load_catalogue()
    bases: list[str] = []
    for pat in cat.kinds[kind].titles:
        anchored = pat.pattern.endswith("$")
        for s in expand(pat.pattern):
            if not s or len(s) < 3:
                continue
            # an unanchored pattern names a part of the title: print it inside one
            for pre in ("", "部门", "部门预算"):
                for suf in ("",) if anchored or s.endswith("表") else ("", "表", "支出表", "预算表"):
                    bases.append(pre + s + suf)
    out: list[str] = []
    for b in bases:
        out.append(b)
        out += [u for u in _unfold(cat, b, year)]
    good = [t for t in dict.fromkeys(out) if cat.kind_of_title(t) == kind and t.endswith(("表", "预算"))
            and not _ODD.search(t)]
    return tuple(_half_to_full(t) for t in good)


#: Unfolded wordings no publisher prints (a rewrite applied where its source never stands).
_ODD = re.compile(r"总(?:预算)?情况表|总明细表|预算预算|预算拨款(?!支出)|拨款拨款|表.|支出支出|(财政拨款).*\1")


def _unfold(cat: Catalogue, title: str, year: int) -> list[str]:
    """Wordings that ``title_rewrites`` fold onto ``title``: the inverse of each rewrite."""
    out = []
    for pat, repl in cat.title_rewrites:
        src = pat.pattern
        for s in expand(src, digits="0"):
            if src.startswith("^"):
                if repl == "" and s:
                    s = s.replace("2000", str(year))
                    if s.startswith(str(year)):
                        out.append(s + title)
            elif src.endswith("$"):
                if repl and title.endswith(repl):
                    out.append(title[: len(title) - len(repl)] + s)
                elif not repl and s:
                    out.append(title + s)
            elif repl and repl in title:
                out.append(title.replace(repl, s, 1))
    return out


def column_words(kind: str, role: str, group: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Header texts the catalogue reads as ``role`` in ``kind`` under the header levels ``group``."""
    cat = load_catalogue()
    spec = cat.kinds[kind]
    out: list[str] = []
    for pat, r in spec.columns + cat.default_columns:
        for s in expand(pat.pattern):
            if not s or "/" in s:
                continue
            col = cat.column(kind, [*group, s])
            if col is not None and col.role == role and s not in out:
                out.append(s)
    return tuple(out)


def numbering_labels() -> tuple[str, ...]:
    """Label-column tokens of a column-number row (栏次, 行次, 甲, 乙 … **), from the catalogue."""
    cat = load_catalogue()
    if cat.numbering_token is None:
        return ("栏次",)
    toks = [t for t in expand(cat.numbering_token.pattern) if not t.isdigit() and not t.isalpha() or
            not t.isascii()]
    return tuple(toks)


def group_words(kind: str, role: str, leaf: str | None = None) -> tuple[str, ...]:
    """Column-group words (``group_measures``) under which the catalogue reads ``leaf`` as ``role``
    (本年收入 / 当年预算 over 小计 → current_total), or, without a leaf, a one-level column read as
    ``role`` (上年结转 / 上年结余 … → carryover)."""
    cat = load_catalogue()
    out: list[str] = []
    for pat, _ in cat.group_measures:
        for g in expand(pat.pattern):
            if not g or g in out:
                continue
            col = cat.column(kind, [g, leaf] if leaf else [g])
            if col is not None and col.role == role:
                out.append(g)
    return tuple(out)
