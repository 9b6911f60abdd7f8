"""Identities within one table (registry category ``within_table``): what SQL cannot say of them.

Their sides and verdicts are the views' (v_identity_row_total, _column_total, _code_hierarchy,
_summary_current_totals, _summary_carryover, _summary_balance; pipeline/checks/sql_tables.py generates
them from ROW_RULES here and the catalogue's parameters, pipeline/checks/viewed.py builds check_results
from them). What stays here: the data the views are generated from (ROW_RULES), the policy over a view's
results (leaf_rounding), and the readings of a table the other rules share (summary_sides, _parent_of)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.checks.base import fmt
from pipeline.checks.facts import DocFacts, Line, TableFacts, is_chinese_numbered, is_column_number, normalise_name
from pipeline.checks.catalogue import REGISTRY, WARNING
from pipeline.checks.kinds import CODED_KINDS, SUMMARY_KINDS  # noqa: F401 (read by sql_identities)
from pipeline.checks.result import CheckResult, tolerance
from pipeline.checks.severity import downgrade
from pipeline.checks.subjects import FUNCTIONAL_CLASSES, structural_problem


#: The columns a row's total adds up (the registry's parameters of row_total).
EXP_PARTS: tuple[str, ...] = REGISTRY["row_total"].params["expenditure_parts"]
REVENUE_PARTS: tuple[str, ...] = REGISTRY["row_total"].params["revenue_parts"]
FISCAL_PARTS: tuple[str, ...] = REGISTRY["row_total"].params["fiscal_parts"]

# --- row totals -----------------------------------------------------------------------------


_EXP_KINDS = ("expenditure_summary", "government_fund_expenditure", "soe_capital_expenditure",
              "general_budget_expenditure")
_THREE = ("overseas_travel", "official_reception")
_VEHICLE_PARTS = ("vehicle_purchase", "vehicle_operation")


@dataclass(frozen=True)
class RowRule:
    """A sum a printed row must satisfy: ``whole`` = Σ ``parts`` (those the row prints), on tables of
    ``kinds``, when the measures the row prints meet every clause of ``when`` (``("all" | "any" | "none",
    measures)``); ``alt``: other parts tried when the first do not add up (上年结转 in the 合计).

    Data, so the SQL view (pipeline/checks/sql_tables.py) and the OCR trust of a table
    (pipeline/tables/ocr_trust.py) read one statement of which columns a row adds up."""

    kinds: tuple[str, ...]
    whole: str
    parts: tuple[str, ...]
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    alt: tuple[str, ...] | None = None

    def holds(self, v: dict) -> bool:
        return all({"all": all, "any": any, "none": lambda xs: not any(xs)}[how](m in v for m in ms)
                   for how, ms in self.when)


_PF = ("personnel", "public_funds")
#: Every row rule, in the order a row's sums are reported.
ROW_RULES: tuple[RowRule, ...] = (
    # 基本支出 printed as its parts (人员经费 / 公用经费) with no 小计 column of its own: the parts stand in
    RowRule(_EXP_KINDS, "total", _PF + EXP_PARTS[1:], (("none", ("basic",)), ("any", _PF))),
    RowRule(_EXP_KINDS, "total", EXP_PARTS, (("all", ("basic",)),)),
    RowRule(_EXP_KINDS, "total", EXP_PARTS, (("none", ("basic",) + _PF), ("any", ("project",)))),
    RowRule(_EXP_KINDS, "basic", _PF, (("all", ("basic",)), ("any", _PF))),
    # an expenditure row printed with its 基本 (人员 / 公用) and 项目 columns (Putuo's 收支总表)
    RowRule(SUMMARY_KINDS, "total", ("basic", "project"), (("all", ("basic", "project")),)),
    RowRule(SUMMARY_KINDS, "total", _PF + ("project",), (("none", ("basic",)), ("any", _PF), ("all", ("project",)))),
    RowRule(SUMMARY_KINDS, "basic", _PF, (("all", ("basic",)), ("any", _PF))),
    RowRule(("general_budget_basic_expenditure",), "total", _PF),
    RowRule(("revenue_summary",), "total", ("fiscal_appropriation",) + REVENUE_PARTS, (("all", ("fiscal_appropriation",)),),
            alt=("fiscal_appropriation",) + REVENUE_PARTS + ("carryover",)),
    RowRule(("revenue_summary",), "total", FISCAL_PARTS + REVENUE_PARTS, (("none", ("fiscal_appropriation",)),),
            alt=FISCAL_PARTS + REVENUE_PARTS + ("carryover",)),
    RowRule(("revenue_summary",), "fiscal_appropriation", FISCAL_PARTS,
            (("all", ("fiscal_appropriation",)), ("any", FISCAL_PARTS))),
    RowRule(("three_public",), "total", FISCAL_PARTS, (("any", FISCAL_PARTS),)),
    # Tables that also print 会议费/培训费 (Jiangsu) give the 三公 sum its own column.
    RowRule(("three_public",), "three_public_total", _THREE + ("vehicle_total",),
            (("all", ("vehicle_total", "three_public_total")),)),
    RowRule(("three_public",), "total", _THREE + ("vehicle_total",),
            (("all", ("vehicle_total",)), ("none", ("three_public_total",)))),
    RowRule(("three_public",), "three_public_total", _THREE + _VEHICLE_PARTS,
            (("none", ("vehicle_total",)), ("all", ("three_public_total",)), ("any", _THREE + _VEHICLE_PARTS))),
    RowRule(("three_public",), "total", _THREE + _VEHICLE_PARTS,
            (("none", ("vehicle_total", "three_public_total")), ("any", _THREE + _VEHICLE_PARTS))),
    RowRule(("three_public",), "total", ("three_public_total", "meeting", "training"),
            (("all", ("three_public_total", "total")),)),
    RowRule(("three_public",), "vehicle_total", _VEHICLE_PARTS, (("all", ("vehicle_total",)), ("any", _VEHICLE_PARTS))),
)


def _row_rules(kind: str, v: dict[str, Decimal]) -> list[tuple[str, tuple[str, ...], tuple[str, ...] | None]]:
    """(whole, parts, alternative parts) sums that a row of this table kind must satisfy."""
    return [(r.whole, r.parts, r.alt) for r in ROW_RULES if kind in r.kinds and r.holds(v)]


# --- column totals and the code hierarchy -----------------------------------------------------


def _parent_of(code: str, codes: set[str], economic: bool = False) -> str | None:
    """The nearest printed ancestor (5-digit 款 then 3-digit 类) of a subject code.

    A code whose 类 part is misprinted ("71102" for 2101102: the 类 digits lost, 款 11 and 项 02 kept) has
    no printed ancestor by its prefix; it belongs to the one printed 款 that ends in its 款 digits."""
    for k in (5, 3):
        if len(code) > k and code[:k] in codes:
            return code[:k]
    if len(code) >= 5 and structural_problem(code, "economic" if economic else "functional"):
        kuan = [c for c in codes if len(c) == 5 and c != code and c.endswith(code[-4:-2])
                and not structural_problem(c, "economic" if economic else "functional")]
        if len(kuan) == 1:
            return kuan[0]
    return None


def leaf_rounding(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """column_total's policy over its view's results: a 合计 printed as the rounded sum of the leaf rows
    beneath it (which rows are leaves: the table's codes, read with _parent_of) is judged with their
    rounding (within_leaf_rounding)."""
    tables = {t.index: t for t in doc.tables}
    for r in results:
        t = tables.get(r.tables[0]) if len(r.tables) == 1 else None
        if t is None or r.severity != "error":
            continue
        coded = [ln for ln in t.lines if ln.code]
        codes = {ln.code for ln in coded}
        parents = {_parent_of(ln.code, codes, economic=t.classification == "economic") for ln in coded}
        measure = r.subject.rsplit(".", 1)[1]
        within_leaf_rounding(r, doc, [ln for ln in coded if ln.code not in parents and measure in ln.values])
    return results


# --- the two-sided summary tables ------------------------------------------------------------

_CURRENT = {"revenue": re.compile(r"^(本年)?收入合计$"), "expenditure": re.compile(r"^(本年)?支出合计$")}
_GRAND = {"revenue": re.compile(r"^收入总计$"), "expenditure": re.compile(r"^支出总计$")}
_CARRY_PART = re.compile(r"^(其中|财政拨款结转|非财政拨款结转)")
_CARRY_WORDS = re.compile(r"结转|结余|弥补")
_CLASS_NAMES = frozenset(normalise_name(n) for n in FUNCTIONAL_CLASSES.values())


class SummarySide:
    """One side (revenue or expenditure) of a summary table, its rows classified by label."""

    def __init__(self, lines: list[Line], side: str):
        self.side = side
        self.lines = lines
        self.current = next((ln for ln in lines if _CURRENT[side].match(ln.key)), None)
        self.grand = next((ln for ln in lines if _GRAND[side].match(ln.key)), None)
        if self.grand is None and self.current is not None and self.current.key.startswith("本年"):
            # 本年收入合计 … 上年结转结余 … 收入合计: the plain 合计 below the carry-over is the grand total
            self.grand = next((ln for ln in lines if ln.row_index > self.current.row_index
                               and _CURRENT[side].match(ln.key) and not ln.key.startswith("本年")), None)
        numbered = [ln for ln in lines if is_chinese_numbered(ln.numbering) and not _CARRY_WORDS.search(ln.key)]
        if numbered:
            self.items = numbered
        else:
            self.items = [ln for ln in lines if ln is not self.current and ln is not self.grand
                          and not _CARRY_WORDS.search(ln.key) and not ln.key.startswith("其中")
                          and (self.current is None or ln.row_index < self.current.row_index)]
        # 类 rows printed with their 款 rows and no numbering: the 类 (by their names) are the items, never a
        # 类 and its own 款 together (used when the whole list does not add up and the 类 do)
        classes = [ln for ln in self.items if ln.key in _CLASS_NAMES] if not numbered else []
        self.class_items = classes if 0 < len(classes) < len(self.items) else []
        # lines between the current total and the grand total that add to it (上年结转, 年终结转结余 …)
        self.carry = [ln for ln in lines if _CARRY_WORDS.search(ln.key) and not _CARRY_PART.match(ln.key)
                      and ln is not self.current and ln is not self.grand]


def summary_sides(t: TableFacts) -> dict[str, SummarySide]:
    """The two sides of a summary table; a column-number row (甲 1 乙 2) is never an item."""
    return {s: SummarySide([ln for ln in t.lines if ln.side == s and not is_column_number(ln.key)], s)
            for s in ("revenue", "expenditure")}


def within_leaf_rounding(r: CheckResult, doc: DocFacts, leaves: list[Line]) -> CheckResult:
    """A total printed as the rounded sum of the leaf rows beneath (元 amounts printed in 万元) may differ
    from the sum of its rounded parents by up to half a unit per leaf: within that, a warning."""
    if r.severity != "error" or r.difference is None or len(leaves) <= (r.n or 0):
        return r
    tol = tolerance(len(leaves), doc.unit)
    if abs(r.difference) <= tol:
        downgrade(r, WARNING, "within the rounding of the leaf rows the total is printed from")
        r.message += (f"; within the rounding of the {len(leaves)} leaf rows it totals (tolerance {fmt(tol)}): "
                      "the printed total is their rounded sum")
    return r
