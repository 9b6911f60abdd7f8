"""Prose figures that restate one table cell (the registry's ``Cell`` entries), stated consistently and
at the precision printed (registry category ``prose``: restatement family).

The restatements and the prose's self-consistency are their views' (pipeline/checks/sql_prose.py;
pipeline/checks/viewed.py builds check_results from them). What stays here: the precision policy
(at_precision), the figures SQL cannot pin (scoped ones, a cell not printed, 固定资产 read from the asset
table's numbering), and resolve_cell, which the prose-figure rules and the tests share."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from pipeline.checks.base import RuleContext, compare, finding, fmt, total
from pipeline.checks.facts import ClaimFact, DocFacts, normalise_name, numbering_level
from pipeline.checks.catalogue import PROSE_BY_METRIC, UNVERIFIABLE, WARNING, Cell
from pipeline.checks.result import OK, CheckResult
from pipeline.checks.rules.within_table import summary_sides
from pipeline.checks.severity import ROUNDING_PRINTED, downgrade

PROSE_UNIT = "万元"   # the prose prints its figures in 万元 whatever the tables' unit


def _printed_index(doc: DocFacts, kind: str) -> int | None:
    ps = doc.printed_of(kind)
    return ps[0].index if ps else None


def resolve_cell(doc: DocFacts, cell: Cell) -> tuple[Decimal, int, str, int | None] | None:
    """The value, page, label and table index of a cell in this document, or None when it is not printed."""
    if cell.table_kind == "procurement":
        tot = next((p for p in doc.procurement if p.is_total), None)
        if tot is not None and tot.amount is not None:
            return tot.amount, tot.page, "政府采购 合计", _printed_index(doc, "procurement")
    if cell.table_kind == "assets" and doc.assets:
        found = resolve_asset(doc, cell.row)
        return (*found, _printed_index(doc, "assets")) if found else None
    for t in doc.tables_of(cell.table_kind):
        if cell.row == "total":
            # a table of one row (a 三公 table printed as one line of columns) has that row as its total
            ln = t.total_line() or (t.lines[0] if len(t.lines) == 1 else None)
        elif cell.row.startswith("code:"):
            ln = t.by_code(cell.row[5:])
        elif cell.row.startswith("name:"):
            ln = t.by_name(cell.row[5:])
        elif cell.row.startswith("grand:"):
            # the grand total is another figure than the current one only with a carry-over printed
            side = summary_sides(t)[cell.row[6:]]
            carried = any(c.get(None) for c in side.carry)
            ln = side.grand if carried else None
        else:
            ln = None
        if ln is not None and ln.get(cell.measure) is not None:
            return ln.get(cell.measure), ln.page, f"{t.title or t.kind} {ln.label()}" + (
                f" {cell.measure}" if cell.measure else ""), t.index
    return None


_FIXED_LINE = re.compile(r"^固定资产(合计|总计|总额)?$")


def resolve_asset(doc: DocFacts, row: str) -> tuple[Decimal, int, str] | None:
    """An assets-table figure, following the table's hierarchy: the line printed for it when there is one
    (二、固定资产); else, for 固定资产 on a fixed-asset table (资产总额, 1、房屋 … 4、其他固定资产), the lines of
    its top numbering level only — never a line together with its own sub-lines (其中, （一）, 1、)."""
    rows = [a for a in doc.assets if a.amount is not None]
    if row == "fixed_assets":
        named = next((a for a in rows if _FIXED_LINE.match(normalise_name(a.item))), None)
        if named is not None:
            return named.amount, named.page, f"资产表 {named.item}"
        lines = [a for a in rows if not _is_asset_total(a.item)]
        if any(re.search(r"流动资产|无形资产|对外投资", normalise_name(a.item)) for a in lines):
            return None   # a full asset table without a 固定资产 line: which lines are fixed cannot be told
        levels = [numbering_level(a.item, a.numbering) for a in lines]
        known = [lv for lv in levels if lv is not None and lv < 4]
        top = min(known) if known else None
        lines = [a for a, lv in zip(lines, levels)
                 if (lv == top if top is not None else not normalise_name(a.item).startswith("其中"))]
        if lines:
            return (total(a.amount for a in lines), lines[0].page,
                    f"资产表 固定资产 (sum of the {len(lines)} top-level asset lines)")
        return None
    key = row.split(":", 1)[1]
    for a in rows:
        if key in normalise_name(a.item):
            return a.amount, a.page, f"资产表 {a.item}"
    return None


def _is_asset_total(item: str | None) -> bool:
    return "资产总额" in normalise_name(item) or normalise_name(item) in ("合计", "总计")


def _distinct(claims: list[ClaimFact]) -> list[tuple[Decimal, list[int], str]]:
    """Distinct amounts in order of first statement, with the pages and first quote of each."""
    out: dict[Decimal, tuple[list[int], str]] = {}
    for c in claims:
        pages, quote = out.setdefault(c.amount, ([], c.quote or ""))
        pages.append(c.page)
    return [(a, p, q) for a, (p, q) in out.items()]


def restatements(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    """What of the restatement family SQL does not say: figures scoped to a subject, listed as
    unverifiable (``scoped_figures``); a figure whose entry's cells the document prints none of
    (prose_unverifiable). Every restatement is its view's (v_identity_prose_<metric>; 固定资产's asset lines
    read from the table's numbering levels in SQL as resolve_asset reads them), judged at the precision the
    prose prints by ``at_precision``."""
    out = scoped_figures(doc)
    for metric, ident in PROSE_BY_METRIC.items():
        claims = doc.claims_of(metric)
        if not claims:
            continue
        cells = [r for r in (resolve_cell(doc, c) for c in ident.cells) if r is not None]
        distinct = _distinct(claims)
        if not cells:
            # a metric stated with two amounts is already an error (prose_self_consistent)
            for amount, pages, quote in distinct:
                if amount != 0 and len(distinct) == 1:
                    out.append(finding(
                        "prose_unverifiable", doc, metric,
                        f"the prose states {metric} {fmt(amount)} ({'p. ' + ','.join(map(str, sorted(set(pages))))}: "
                        f"“{quote}”) but the document prints no {ident.right}", left=amount, left_pages=pages))
            continue
    return out


def at_precision(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """A restatement view's results judged at the precision the prose prints the figure with (read from
    the first sentence stating that amount: at_printed_precision)."""
    for r in results:
        quote = next((c.quote for c in doc.claims_of(r.subject) if c.amount == r.left_value), None)
        at_printed_precision(r, quote)
    return results


_WAN_FIGURE = re.compile(r"([0-9０-９][0-9０-９,，]*(?:[.．]([0-9０-９]+))?)\s*万元")


def printed_places(quote: str | None, amount: Decimal) -> int:
    """How many decimals the prose printed this amount with (2 when the quote does not show it)."""
    for m in _WAN_FIGURE.finditer(quote or ""):
        try:
            v = Decimal(m.group(1).replace(",", "").replace("，", "").replace("．", "."))
        except ArithmeticError:
            continue
        if v == amount:
            return len(m.group(2) or "")
    return 2


def at_printed_precision(r: CheckResult, quote: str | None) -> CheckResult:
    """A prose figure restating a more precise table figure (a 元 table in 万元, or 万元 to the 万) holds
    when it is the table's figure rounded to the decimals the prose prints; truncated instead of rounded,
    or within half its last digit, it is a warning; the error otherwise stands."""
    if r.severity == "ok" or r.left_value is None or r.right_value is None:
        return r
    places = printed_places(quote, r.left_value)
    q = Decimal(1).scaleb(-places)
    if r.right_value.quantize(q, rounding=ROUND_HALF_UP) == r.left_value:
        downgrade(r, OK, ROUNDING_PRINTED, tolerance=max(r.tolerance or 0, q / 2))
        r.message += f"; the table's figure rounded to the {places} decimal(s) the prose prints"
    elif r.right_value.quantize(q, rounding=ROUND_DOWN) == r.left_value:
        downgrade(r, WARNING, "the prose truncates the table's figure", tolerance=max(r.tolerance or 0, q))
        r.message += f"; the prose truncates the table's figure to {places} decimal(s) instead of rounding it"
    elif places < 2 and abs(r.difference) <= q / 2:
        downgrade(r, WARNING, "within half the last digit the prose prints", tolerance=q / 2)
        r.message += f"; within half the last digit the prose prints ({places} decimal(s))"
    return r


#: Metrics stated once per item or fund, not one figure of the document (self-consistency does not apply).
PER_ITEM = frozenset({"item_amount", "item_prior_actual", "item_budget", "item_change_pct",
                      "government_fund_expenditure", "increase_government_fund", "soe_capital_expenditure",
                      "increase_soe_capital", "project_targets_count", "project_targets_budget",
                      "operating_expenses_stated_as_302"})


def scoped_figures(doc: DocFacts) -> list[CheckResult]:
    """A figure whose sentence scopes it to a subject (“农林水支出”科目83万元，主要用于人员经费18万元) cannot be
    compared with the document's figure of its name: listed as unverifiable with its sentence."""
    return [downgrade(finding("prose_unverifiable", doc, c.metric,
                              f"the prose states {c.metric} {fmt(c.amount)} (p. {c.page}: “{c.quote}”) within a "
                              "subject, not for the document: its scope cannot be pinned to a table cell",
                              left=c.amount, left_pages=[c.page]), UNVERIFIABLE, "its scope cannot be pinned")
            for c in doc.claims if c.scoped]
