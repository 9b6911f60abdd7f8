"""The table catalogue (catalogue.yaml) loaded once: title → kind, header path → column role.

Why data: provinces vary titles and column wording; adding a variant is a line of YAML, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.document.numbers import label_key
from pipeline.model import MEASURES, TABLE_KINDS
from pipeline.packaged import packaged_text

ROLES = {"code", "name", "code_or_name", "seq", "skip"}


@dataclass(frozen=True)
class Column:
    """What a table column holds: a measure, a label role, or a text attribute; and its side."""

    role: str                    # a measure, or code/name/code_or_name/seq/skip/attr
    attr: str | None = None      # for role "attr"
    side: str | None = None      # revenue | expenditure on side-by-side tables


@dataclass
class KindSpec:
    kind: str
    titles: list[re.Pattern]
    columns: list[tuple[re.Pattern, str]]
    side_by_side: bool = False
    name_spaces: str = "strip"
    text_only: bool = False
    carry_down: tuple[str, ...] = ()
    name_from: tuple[str, ...] = ()
    name_from_duty: tuple[str, ...] = ()
    dash_absent: tuple[str, ...] = ()
    strip_attrs: tuple[str, ...] = ()
    subkinds: dict[str, list[re.Pattern]] = field(default_factory=dict)
    #: Form layouts (Putuo 绩效目标填报表): rows under a first-column group cell matching one of these
    #: hold label | amount pairs, each pair a row with measure ``amount``.
    form_amount_groups: list[re.Pattern] = field(default_factory=list)
    #: Label columns: "first" filled one names the row (procurement), or the "last" (innermost: Jiangsu
    #: 收入预算总表 prints the group in one column and 小计 / the source in the next).
    name_pick: str = "first"
    #: Columns without a header left of the first amount column are label columns too.
    unlabelled_names: bool = False


@dataclass
class Catalogue:
    kinds: dict[str, KindSpec]
    title_order: list[str]
    default_columns: list[tuple[re.Pattern, str]]
    non_money: frozenset[str]
    header_words: frozenset[str]
    numbering_rows: frozenset[str]
    #: Top-level header texts naming a side of a side-by-side table (收入 / 本年收入 / 财政拨款收入 …).
    side_headers: dict[str, list[re.Pattern]] = field(default_factory=dict)
    #: Regular expressions of header vocabulary beyond the column rules ("…预算数", "“三公”经费…").
    header_patterns: list[re.Pattern] = field(default_factory=list)
    #: Title wordings folded onto the catalogue's forms (…情况表, …明细表, a year prefix …).
    title_rewrites: list[tuple[re.Pattern, str]] = field(default_factory=list)
    #: kind → 'economic' | 'none' (others: functional).
    classification: dict[str, str] = field(default_factory=dict)
    economic_counterpart: dict[str, str] = field(default_factory=dict)
    row_roles: list[tuple[re.Pattern, str]] = field(default_factory=list)
    numbering_token: re.Pattern | None = None
    standard_kinds: tuple[str, ...] = ()
    #: (top-level group pattern, {role: role under that group}).
    group_measures: list[tuple[re.Pattern, dict[str, str]]] = field(default_factory=list)
    #: A 三公 table printed one item per row: (label pattern, measure of the column form), in order.
    three_public_rows: list[tuple[re.Pattern, str]] = field(default_factory=list)

    def classification_of(self, kind: str) -> str:
        """'economic', 'functional' or 'none': the subject codes a kind's rows carry."""
        return self.classification.get(kind, "functional")

    def row_role(self, name: str | None, code: str | None) -> str | None:
        """A row's role: grand_total / current_total / carryover / carryover_next / total / sub_item
        from its label, else class / section / item (类/款/项) from its code's length, else None."""
        key = _NUMBERING_RE.sub("", label_key(name))
        for pat, role in self.row_roles:
            if pat.search(key):
                return role
        if code and code.isdigit():
            return {3: "class", 5: "section", 7: "item"}.get(len(code))
        return None

    def side_of(self, key: str) -> str | None:
        for side, pats in self.side_headers.items():
            if any(p.search(key) for p in pats):
                return side
        return None

    def kind_of_title(self, title: str) -> str | None:
        """The canonical kind a printed title names, or None. A prose line (sentence punctuation) is
        never a title; a wording the kinds do not list is folded by ``title_rewrites`` and tried again."""
        key = label_key(title)
        if _PROSE_RE.search(key):
            return None
        kind = self._kind_of_key(key)
        if kind is None and self.title_rewrites:
            folded = key
            for pat, repl in self.title_rewrites:
                folded = pat.sub(repl, folded)
            if folded != key:
                kind = self._kind_of_key(folded)
        return kind

    def _kind_of_key(self, key: str) -> str | None:
        for kind in self.title_order:
            if any(p.search(key) for p in self.kinds[kind].titles):
                return kind
        return None

    def subkind(self, kind: str, title: str) -> str | None:
        key = label_key(title)
        for name, pats in self.kinds[kind].subkinds.items():
            if any(p.search(key) for p in pats):
                return name
        return None

    def column(self, kind: str, path: list[str]) -> Column | None:
        """The role of a column from its header path (levels top to bottom), or None if unknown."""
        # a "其中：" level over the parts of a total names no column of its own
        keys = [k for p in path if p and (k := _QIZHONG_RE.sub("", label_key(p)))]
        side = None
        if self.kinds[kind].side_by_side and keys and (side := self.side_of(keys[0])):
            keys = keys[1:]
        if not keys:
            return None
        # the whole path first; then without its top levels (a group naming the whole table's
        # measure, "支出预算/基本支出", "一般公共预算支出/基本支出")
        for start in range(len(keys)):
            joined = "/".join(keys[start:])
            for pat, role in self.kinds[kind].columns + self.default_columns:
                if pat.search(joined):
                    if role.startswith("attr:"):
                        return Column("attr", role[5:], side)
                    if len(keys) > 1:
                        role = next((m[role] for g, m in self.group_measures
                                     if role in m and g.search(keys[0])), role)
                    return Column(role, None, side)
        return None

    def is_header_text(self, kind: str | None, text: str) -> bool:
        """True when a cell's text is column-header vocabulary (of ``kind`` or of any kind)."""
        key = label_key(text)
        if not key:
            return False
        key = _QIZHONG_RE.sub("", key) or key        # "其中：基本支出" is the header 基本支出
        if key in self.header_words or any(p.search(key) for p in self.header_patterns):
            return True
        # a column group the catalogue gives a meaning (当年预算 / 本年 over 小计) is header vocabulary
        if any(g.search(key) for g, _ in self.group_measures):
            return True
        specs = [self.kinds[kind]] if kind else list(self.kinds.values())
        for spec in specs:
            for pat, _ in spec.columns:
                if pat.search(key):
                    return True
        return any(pat.search(key) for pat, _ in self.default_columns)


#: "其中：" over or before the parts of a total names no column of its own.
_QIZHONG_RE = re.compile(r"^其中[:：]?")
#: Sentence punctuation: a line holding it is prose, never a table title.
_PROSE_RE = re.compile(r"[，。；,;]")
_NUMBERING_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d+[、.]|\([一二三四五六七八九十\d]+\))")


def _compile(rules) -> list[tuple[re.Pattern, str]]:
    out = []
    for pat, role in rules or []:
        r = role[5:] if role.startswith("attr:") else role
        if not role.startswith("attr:") and r not in ROLES and r not in MEASURES:
            raise ValueError(f"catalogue: unknown column role {role!r}")
        out.append((re.compile(pat), role))
    return out


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> Catalogue:
    text = Path(path).read_text(encoding="utf-8") if path else packaged_text("pipeline.tables", "catalogue.yaml")
    data = yaml.safe_load(text)
    kinds = {}
    for kind, spec in data["kinds"].items():
        if kind not in TABLE_KINDS:
            raise ValueError(f"catalogue: unknown kind {kind!r}")
        kinds[kind] = KindSpec(
            kind=kind,
            titles=[re.compile(p) for p in spec.get("titles", [])],
            columns=_compile(spec.get("columns")),
            side_by_side=bool(spec.get("side_by_side")),
            name_spaces=spec.get("name_spaces", "strip"),
            text_only=bool(spec.get("text_only")),
            carry_down=tuple(spec.get("carry_down", ())),
            name_from=tuple(spec.get("name_from", ())),
            name_from_duty=tuple(spec.get("name_from_duty", ())),
            dash_absent=tuple(spec.get("dash_absent", ())),
            strip_attrs=tuple(spec.get("strip_attrs", ())),
            subkinds={k: [re.compile(p) for p in v] for k, v in (spec.get("subkinds") or {}).items()},
            form_amount_groups=[re.compile(p) for p in spec.get("form_amount_groups", ())],
            name_pick=spec.get("name_pick", "first"),
            unlabelled_names=bool(spec.get("unlabelled_names")),
        )
    return Catalogue(kinds=kinds, title_order=list(data["title_order"]),
                     default_columns=_compile(data.get("default_columns")),
                     non_money=frozenset(data.get("non_money", ())),
                     header_words=frozenset(label_key(w) for w in data.get("header_words", ())),
                     numbering_rows=frozenset(data.get("numbering_rows", ())),
                     header_patterns=[re.compile(p) for p in data.get("header_patterns", ())],
                     side_headers={k: [re.compile(p) for p in v]
                                   for k, v in (data.get("side_headers") or {}).items()},
                     title_rewrites=[(re.compile(p), r) for p, r in data.get("title_rewrites", ())],
                     classification={k: cls for cls, ks in (data.get("classification") or {}).items()
                                     for k in ks},
                     economic_counterpart=dict(data.get("economic_counterpart") or {}),
                     row_roles=[(re.compile(p), r) for p, r in data.get("row_roles", ())],
                     numbering_token=re.compile(data["numbering_tokens"]) if data.get("numbering_tokens")
                     else None,
                     standard_kinds=tuple(data.get("standard_kinds", ())),
                     group_measures=[(re.compile(g["group"]), dict(g["map"]))
                                     for g in data.get("group_measures", ())],
                     three_public_rows=[(re.compile(p), m) for p, m in data.get("three_public_rows", ())])
