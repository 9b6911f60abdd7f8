"""Prose against tables and prose against itself (registry category ``prose``)."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from pipeline.checks.base import compare, finding, fmt, total
from pipeline.checks.facts import (ClaimFact, DocFacts, Line, TableFacts, is_chinese_numbered, normalise_name,
                                  numbering_level)
from pipeline.checks.registry import PROSE_BY_METRIC, UNVERIFIABLE, Cell
from pipeline.checks.evaluate_tables import summary_sides
from pipeline.checks.result import CheckResult, tolerance

#: Stated wholes and the parts the prose states for them; ``need`` parts must be stated to check.
PARTS = (
    ("total_expenditure", ("basic_expenditure", "project_expenditure"), 2),
    ("basic_expenditure", ("personnel_expenditure", "public_funds_expenditure"), 2),
    ("assets_total", ("current_assets", "fixed_assets", "intangible_assets"), 2),
    ("three_public_total", ("overseas_travel", "official_reception", "vehicle_purchase", "vehicle_operation"), 2),
)
INCREASE_BASE = {"increase_total": "total_expenditure", "increase_basic": "basic_expenditure",
                 "increase_project": "project_expenditure",
                 "increase_fiscal_appropriation": "fiscal_appropriation_revenue",
                 "increase_three_public": "three_public_total", "increase_vehicle_total": "vehicle_total",
                 "increase_vehicle_purchase": "vehicle_purchase"}
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


def restatements(doc: DocFacts) -> list[CheckResult]:
    out = []
    for metric, ident in PROSE_BY_METRIC.items():
        claims = doc.claims_of(metric)
        if not claims:
            continue
        all_cells = [resolve_cell(doc, c) for c in ident.cells]
        cells = [r for r in all_cells if r is not None]
        distinct = _distinct(claims)
        for amount, pages, quote in distinct:
            # the prose may restate any of the cells (all funds or fiscal funds only): it holds when it
            # equals one of them, and is compared with the first one the document prints otherwise
            cell = next((c for c in cells if c[0] == amount), None)
            if cell is None and cells:
                # compared with the cell of the scope the sentence states: 总计 includes the carry-over
                grand = [c for c, spec in zip(all_cells, ident.cells) if c is not None and spec.row.startswith("grand:")]
                cell = grand[0] if grand and "总计" in quote else next(
                    (c for c, spec in zip(all_cells, ident.cells) if c is not None and not spec.row.startswith("grand:")),
                    cells[0])
            if cell is None:
                # a metric stated with two amounts is already an error (prose_self_consistent)
                if amount != 0 and len(distinct) == 1:
                    out.append(finding(
                        "prose_unverifiable", doc, metric,
                        f"the prose states {metric} {fmt(amount)} ({'p. ' + ','.join(map(str, sorted(set(pages))))}: "
                        f"“{quote}”) but the document prints no {ident.right}", left=amount, left_pages=pages))
                continue
            value, page, label, index = cell
            out.append(at_printed_precision(compare(ident.name, doc, metric, amount, value, 1, pages, [page],
                                                    f"prose “{quote}”", label, unit=PROSE_UNIT,
                                                    tables=() if index is None else (index,)), quote))
    return out


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
        r.severity, r.tolerance = "ok", max(r.tolerance or 0, q / 2)
        r.message += f"; the table's figure rounded to the {places} decimal(s) the prose prints"
    elif r.right_value.quantize(q, rounding=ROUND_DOWN) == r.left_value:
        r.severity, r.tolerance = "warning", max(r.tolerance or 0, q)
        r.message += f"; the prose truncates the table's figure to {places} decimal(s) instead of rounding it"
    elif places < 2 and abs(r.difference) <= q / 2:
        r.severity = "warning"
        r.tolerance = q / 2
        r.message += f"; within half the last digit the prose prints ({places} decimal(s))"
    return r


#: Metrics stated once per item or fund, not one figure of the document (self-consistency does not apply).
PER_ITEM = frozenset({"item_amount", "item_prior_actual", "item_budget", "item_change_pct",
                      "government_fund_expenditure", "increase_government_fund", "soe_capital_expenditure",
                      "increase_soe_capital", "project_targets_count", "project_targets_budget",
                      "operating_expenses_stated_as_302"})


def self_consistency(doc: DocFacts) -> list[CheckResult]:
    out = []
    for metric in dict.fromkeys(c.metric for c in doc.claims if c.metric not in PER_ITEM):
        d = _distinct(doc.claims_of(metric))
        if not d:
            continue
        first_amount, first_pages, first_quote = d[0]
        for amount, pages, quote in d[1:]:
            out.append(compare("prose_self_consistent", doc, metric, first_amount, amount, 0, first_pages, pages,
                               f"prose {metric} “{first_quote}”", f"“{quote}”", unit=PROSE_UNIT))
    return out


def table_figure(doc: DocFacts, metric: str, amount: Decimal) -> tuple[bool, Decimal | None]:
    """(the prose figure equals a table cell it may restate, the table's figure), the figure being None
    when the document prints none of the metric's cells."""
    ident = PROSE_BY_METRIC.get(metric)
    cells = [r for r in (resolve_cell(doc, c) for c in (ident.cells if ident else ())) if r is not None]
    if not cells:
        return False, None
    hit = next((c for c in cells if c[0] == amount), None)
    return (True, amount) if hit is not None else (False, cells[0][0])


def _parts_result(doc: DocFacts, whole: ClaimFact, stated: list[ClaimFact]) -> CheckResult:
    """Stated parts against their stated whole, judged with the tables when the sum does not hold.

    A whole often covers more than the parts the prose names (支出预算总计 includes 结转 and 预留机动经费;
    基本支出 of all funds against 人员/公用经费 of fiscal funds only). When the whole restates its table cell,
    the items the prose does not state are read from the tables (their whole minus their parts): if every
    stated figure is a table figure the prose is consistent, and a part that is not is already reported
    by its restatement (the gap here is its consequence: a warning). Without the tables the scope cannot
    be decided (a warning). A whole that differs from its tables is an error, as printed.
    """
    parts_sum = total(c.amount for c in stated)
    label = " + ".join(f"{c.metric} {fmt(c.amount)}" for c in stated)
    args = ("prose_parts_add_up", doc, whole.metric)
    pages = ([whole.page], [c.page for c in stated])
    plain = compare(*args, whole.amount, parts_sum, len(stated), *pages, f"prose {whole.metric}", label,
                    unit=PROSE_UNIT)
    if plain.severity != "error":
        return plain
    w_ok, w_table = table_figure(doc, whole.metric, whole.amount)
    figures = [table_figure(doc, c.metric, c.amount) for c in stated]
    if w_table is None and all(f[1] is None for f in figures):
        plain.severity = "warning"
        plain.message += ("; cannot be verified: the document prints no table showing what the whole "
                          "includes beyond the stated parts")
        return plain
    if not w_ok:
        return plain
    if any(f[1] is None for f in figures):
        plain.severity = "warning"
        plain.message += ("; cannot be verified: the tables do not print every part, so what else the whole "
                          "includes cannot be read from them")
        return plain
    others = w_table - total(f[1] for f in figures)     # what the tables' whole holds beyond these parts
    off = [c.metric for c, f in zip(stated, figures) if not f[0]]
    r = compare(*args, whole.amount, parts_sum + others, len(stated), *pages, f"prose {whole.metric}",
                f"{label} + items the prose does not state {fmt(others)} (the tables' {whole.metric} minus "
                "their parts)", unit=PROSE_UNIT, severity="warning" if off else None,
                note=f"a consequence of the prose's {', '.join(off)}, which differs from the tables" if off else "")
    return r


def parts(doc: DocFacts) -> list[CheckResult]:
    out = []
    for whole, names, need in PARTS:
        stated = [c for c in (doc.first_claim(n) for n in names) if c is not None]
        wholes = list({c.amount: c for c in reversed(doc.claims_of(whole))}.values())[::-1]
        if not wholes or len(stated) < need:
            continue
        # a whole stated with two amounts is already a finding (prose_self_consistent): the parts are
        # judged against the amount they fit best
        rank = {"ok": 0, "warning": 1, "error": 2}
        out.append(min((_parts_result(doc, w, stated) for w in wholes),
                       key=lambda r: (rank[r.severity], abs(r.difference or 0))))
    inc = doc.first_claim("increase_total")
    inc_parts = [c for c in (doc.first_claim("increase_basic"), doc.first_claim("increase_project")) if c]
    if inc is not None and len(inc_parts) == 2:
        out.append(compare("prose_increase_parts", doc, "increase_total", inc.amount,
                           total(c.amount for c in inc_parts), 2, [inc.page], [c.page for c in inc_parts],
                           "prose increase_total", " + ".join(f"{c.metric} {fmt(c.amount)}" for c in inc_parts),
                           unit=PROSE_UNIT))
    return out


def _base_sources(metric: str) -> list[Cell | str]:
    """Where this year's and last year's figure of a metric can be read: its cells, then the prose."""
    ident = PROSE_BY_METRIC.get(metric)
    return [*(ident.cells if ident else ()), metric]


def _value(doc: DocFacts, source: Cell | str) -> tuple[Decimal, int] | None:
    if isinstance(source, str):
        c = doc.first_claim(source)
        return (c.amount, c.page) if c is not None else None
    r = resolve_cell(doc, source)
    return (r[0], r[1]) if r is not None else None


def increases_vs_last_year(doc: DocFacts, last_year: DocFacts | None) -> list[CheckResult]:
    # every distinct amount stated for an increase (the same change printed twice differently is two claims)
    claims = [c for m in INCREASE_BASE for c in {x.amount: x for x in reversed(doc.claims_of(m))}.values()]
    claims.sort(key=lambda c: c.index)
    if not claims:
        return []
    if last_year is None:
        first = claims[0]
        return [finding(
            "prose_increase_vs_last_year", doc, ",".join(c.metric for c in claims),
            f"the prose's comparison with {(doc.year or 0) - 1} ("
            + ", ".join(f"{c.metric} {fmt(c.amount)} p. {c.page}" for c in claims)
            + f") cannot be checked: the warehouse holds no {(doc.year or 0) - 1} document of this department",
            severity="warning", left=first.amount, left_pages=[c.page for c in claims])]
    out = []
    for c in claims:
        base = INCREASE_BASE[c.metric]
        pairs = [(v, w) for v, w in ((_value(doc, s), _value(last_year, s)) for s in _base_sources(base))
                 if v is not None and w is not None]
        tol = tolerance(2, PROSE_UNIT)
        this, prev = next((p for p in pairs if abs(c.amount - (p[0][0] - p[1][0])) <= tol),
                          pairs[0] if pairs else (None, None))
        if this is None or prev is None:
            out.append(finding("prose_increase_vs_last_year", doc, c.metric,
                               f"{c.metric} {fmt(c.amount)} (p. {c.page}): {base} is not printed in "
                               "both years' documents",
                               severity="warning", left=c.amount, left_pages=[c.page]))
            continue
        out.append(compare("prose_increase_vs_last_year", doc, f"{c.metric} {fmt(c.amount)}" if len(
                               doc.claims_of(c.metric)) > 1 else c.metric, c.amount, this[0] - prev[0], 2,
                           [c.page], [this[1]], f"prose {c.metric}",
                           f"{base} {fmt(this[0])} − {last_year.year} {fmt(prev[0])} "
                           f"(document {last_year.document_id} p. {prev[1]})", unit=PROSE_UNIT))
    return out


_DUTY_TITLE = re.compile(r"职责|工作活动")


def _duty_groups(doc: DocFacts) -> list[tuple[str, list[tuple[str, Decimal, int]]]]:
    """(table label, [(activity, budget, page)]) of the top-level duty activities of each duty table."""
    groups = []
    if doc.duty_budgets:
        by_table: dict[int, list] = {}
        for b in doc.duty_budgets:
            if b.subkind in (None, "duty") and is_chinese_numbered(b.numbering):
                by_table.setdefault(b.table_index, []).append((b.name or "", b.budget, b.page))
        titles = {t.index: t.title for t in doc.tables}
        groups = [(titles.get(i) or "部门职责-工作活动绩效目标", rows) for i, rows in by_table.items()]
        return groups
    for t in doc.tables_of("performance_targets"):
        if t.title and not _DUTY_TITLE.search(t.title):
            continue
        rows = [(ln.name, ln.get("budget") if ln.get("budget") is not None else ln.get(None), ln.page)
                for ln in t.lines if is_chinese_numbered(ln.numbering)]
        rows = [r for r in rows if r[1] is not None]
        if rows:
            groups.append((t.title or "duty table", rows))
    return groups


def duty_budgets(doc: DocFacts) -> list[CheckResult]:
    """The duty-activity table's budgets should add up to a total the tables print."""
    out = []
    for title, rows in _duty_groups(doc):
        s = total(a for _, a, _ in rows)
        n = len(rows)
        candidates = []
        for metric in ("total_expenditure", "basic_expenditure", "project_expenditure",
                       "personnel_expenditure", "public_funds_expenditure"):
            for cell in PROSE_BY_METRIC[metric].cells:
                r = resolve_cell(doc, cell)
                if r is not None:
                    candidates.append((metric, r[0]))
        tol = tolerance(n, doc.unit)
        if any(abs(s - v) <= tol for _, v in candidates):
            continue
        pages = sorted({p for _, _, p in rows})
        out.append(finding(
            "duty_budget_relates_to_total", doc, title,
            " + ".join(f"{name} {fmt(a)}" for name, a, _ in rows) + f" = {fmt(s)} "
            f"(p. {','.join(map(str, pages))}) equals none of the tables' totals ("
            + ", ".join(f"{m} {fmt(v)}" for m, v in dict(candidates).items()) + ")",
            left=s, left_pages=pages))
    return out


# --- subject items of the prose ---------------------------------------------------------------

_LEVEL = re.compile(r"([^，。；：、“”（）()]+?)[（(](\d{0,3})(类|款|项)[）)]")
_ITEM_FIGURES = ("item_prior_actual", "item_budget", "item_change_pct")


def item_groups(doc: DocFacts) -> list[tuple[ClaimFact, dict[str, ClaimFact]]]:
    """Each item claim with the figures stated after it (执行数, 预算安排, %) up to the next item."""
    groups: list[tuple[ClaimFact, dict[str, ClaimFact]]] = []
    for c in sorted(doc.claims, key=lambda c: c.index):
        if c.metric == "item_amount":
            groups.append((c, {}))
        elif c.metric in _ITEM_FIGURES and groups and c.page - groups[-1][0].page <= 1:
            groups[-1][1].setdefault(c.metric, c)
    return groups


def _item_path(quote: str | None) -> list[tuple[str, str, str]]:
    """[(name, printed code digits, level)] of an item's 类/款/项 path."""
    return [(normalise_name(m.group(1)).lstrip("“"), m.group(2), m.group(3)) for m in _LEVEL.finditer(quote or "")]


def _item_row(doc: DocFacts, path: list[tuple[str, str, str]]):
    """(table, row) printing the item: by its code when the path prints its digits, else by the 项 name
    (under the 款 of that name when the name occurs more than once)."""
    levels = {lvl: (name, digits) for name, digits, lvl in path}
    if "项" not in levels:
        return None
    code = "".join(levels[lvl][1] for lvl in ("类", "款", "项") if lvl in levels)
    by_code = len(code) == 7 and all(levels.get(l, ("", ""))[1] for l in ("类", "款", "项"))
    for kind in ("general_budget_expenditure", "expenditure_summary"):
        for t in doc.tables_of(kind):
            if by_code:
                ln = t.by_code(code)
                if ln is not None:
                    return t, ln
                continue
            name = levels["项"][0]
            kuan_names = {ln.code: ln.key for ln in t.lines if ln.code and len(ln.code) == 5}
            rows = [ln for ln in t.lines if ln.code and len(ln.code) == 7 and ln.key == name]
            if not rows and "款" not in levels:
                # the 项 printed after its 款's name ("人大事务行政运行（项）": 20101 人大事务, 2010101 行政运行)
                rows = [ln for ln in t.lines if ln.code and len(ln.code) == 7 and ln.key and name.endswith(ln.key)
                        and kuan_names.get(ln.code[:5]) == name[:-len(ln.key)]]
            if "款" in levels:
                # the 款 the prose names must be the row's 款 (“审计事务（款）事业运行（项）” is not 人力资源
                # 事务's 事业运行): a 项 name alone is shared by many 款
                kuan = levels["款"][0]
                rows = [ln for ln in rows if kuan_names.get(ln.code[:5]) is not None
                        and (kuan_names[ln.code[:5]] == kuan or kuan_names[ln.code[:5]] in kuan
                             or kuan in kuan_names[ln.code[:5]])]
            if len(rows) == 1:
                return t, rows[0]
    return None


def items(doc: DocFacts) -> list[CheckResult]:
    out = []
    for item, figs in item_groups(doc):
        path = _item_path(item.quote)
        label = "/".join(n for n, _, _ in path) or (item.quote or "")
        found = _item_row(doc, path)
        if found is not None and found[1].get("total") is not None:
            t, ln = found
            out.append(at_printed_precision(compare(
                "prose_item_vs_table", doc, f"item {label}", item.amount, ln.get("total"), 1, [item.page],
                [ln.page], f"prose “{item.quote}”", f"{t.title or t.kind} {ln.label()} total", unit=PROSE_UNIT),
                item.quote))
        budget = figs.get("item_budget")
        if budget is not None:
            coarse = min(printed_places(budget.quote, budget.amount), printed_places(item.quote, item.amount))
            r = compare("prose_item_budget_restated", doc, f"item {label}", budget.amount, item.amount, 0,
                        [budget.page], [item.page], f"prose {label} “{budget.quote}”", "the item's amount",
                        unit=PROSE_UNIT)
            if r.severity == "warning" or (r.severity == "error" and abs(r.difference) < Decimal(1).scaleb(-coarse) / 2):
                r.severity, r.tolerance = "ok", abs(r.difference)   # one figure printed to fewer decimals
            out.append(r)
        pct, actual = figs.get("item_change_pct"), figs.get("item_prior_actual")
        if pct is not None and actual is not None and budget is not None and actual.amount != 0:
            out.append(_change_pct(doc, label, pct, actual, budget))
    return out


def _change_pct(doc: DocFacts, label: str, pct: ClaimFact, actual: ClaimFact, budget: ClaimFact) -> CheckResult:
    """The stated % against the one computed from the printed figures; any % the printed figures allow
    (each ± half its last printed digit) is a warning, beyond it an error."""
    a, b = actual.amount, budget.amount
    computed = ((b - a) / a * 100).quantize(Decimal("0.000001"))
    ha = Decimal(1).scaleb(-printed_places(actual.quote, a)) / 2
    hb = Decimal(1).scaleb(-printed_places(budget.quote, b)) / 2
    corners = [((bb - aa) / aa * 100) for aa in (a - ha, a + ha) for bb in (b - hb, b + hb) if aa > 0]
    half_pct = Decimal("0.005")
    diff = pct.amount - computed
    if abs(diff) <= half_pct:
        sev = "ok"
    elif corners and min(corners) - half_pct <= pct.amount <= max(corners) + half_pct:
        sev = "warning"
    else:
        sev = "error"
    msg = (f"prose {label}: stated change {fmt(pct.amount)}% (p. {pct.page}) vs (预算安排 {fmt(b)} − 执行数 {fmt(a)}) "
           f"/ {fmt(a)} = {fmt(computed)}%")
    if corners:
        msg += f" (the printed figures allow {min(corners):.2f}% .. {max(corners):.2f}%)"
    return CheckResult(check_name="prose_item_change_pct", severity=sev, message=msg, document_id=doc.document_id,
                       department=doc.department_code, year=doc.year, subject=f"item {label} %",
                       left_value=pct.amount, right_value=computed, difference=diff, tolerance=half_pct, n=0,
                       left_pages=[pct.page], right_pages=[actual.page, budget.page])


def changes_vs_levels(doc: DocFacts) -> list[CheckResult]:
    """A fund budget stated with its change over last year: the implied last-year budget is not negative."""
    out = []
    claims = sorted(doc.claims, key=lambda c: c.index)
    for level_metric, change_metric in (("government_fund_expenditure", "increase_government_fund"),
                                        ("soe_capital_expenditure", "increase_soe_capital")):
        for i, c in enumerate(claims):
            if c.metric != change_metric:
                continue
            level = next((x for x in reversed(claims[:i]) if x.metric == level_metric and x.page == c.page), None)
            if level is None:
                continue
            prior = level.amount - c.amount
            sev = "error" if prior < 0 else "ok"
            out.append(CheckResult(
                check_name="prose_change_vs_level", severity=sev, document_id=doc.document_id,
                department=doc.department_code, year=doc.year, subject=change_metric,
                message=(f"prose “{c.quote}” (p. {c.page}): a budget of {fmt(level.amount)} changed by "
                         f"{fmt(c.amount)} implies last year's budget {fmt(prior)}"
                         + (", which cannot be negative" if prior < 0 else "")),
                left_value=c.amount, right_value=prior, difference=c.amount - prior, tolerance=Decimal(0), n=0,
                left_pages=[c.page], right_pages=[level.page]))
    return out


_FORM_TOTAL = "年度资金申请总额"
_FORM_PARTS = ("当年财政拨款", "上年结转资金", "其他资金")


def project_forms(doc: DocFacts) -> list[tuple[TableFacts, Line, list[Line]]]:
    """(form, its 年度资金申请总额 row, its source rows) of each performance-target project form."""
    out = []
    for t in doc.tables_of("performance_targets"):
        tot = next((ln for ln in t.lines if ln.key == _FORM_TOTAL and ln.get(None) is not None), None)
        if tot is None:
            continue
        parts = []
        for name in _FORM_PARTS:
            ln = next((x for x in t.lines if x.key.removeprefix("其中:") == name and x.get(None) is not None), None)
            if ln is not None:
                parts.append(ln)
        out.append((t, tot, parts))
    return out


def form_funds(doc: DocFacts) -> list[CheckResult]:
    out = []
    for t, tot, parts in project_forms(doc):
        if not parts:
            continue
        out.append(compare("project_form_funds_add_up", doc, f"form table {t.index}", tot.get(None),
                           total(p.get(None) for p in parts), len(parts), [tot.page], [p.page for p in parts],
                           f"{t.title or '绩效目标表'} p. {tot.page} {_FORM_TOTAL}",
                           " + ".join(p.name for p in parts), parts=[p.get(None) for p in parts]))
    return out


def project_budget_vs_forms(doc: DocFacts) -> list[CheckResult]:
    """The prose's 涉及项目预算资金 against the forms printed, when it names as many projects as are printed
    (a document printing some of the forms only cannot be checked: a warning)."""
    claim = doc.first_claim("project_targets_budget")
    forms = project_forms(doc)
    if claim is None or not forms:
        return []
    count = doc.first_claim("project_targets_count")
    s = total(tot.get(None) for _, tot, _ in forms)
    r = at_printed_precision(compare(
        "prose_project_budget_vs_forms", doc, "project_targets_budget", claim.amount, s, len(forms), [claim.page],
        [tot.page for _, tot, _ in forms], f"prose “{claim.quote}”",
        f"sum of {_FORM_TOTAL} on the {len(forms)} project forms printed", unit=PROSE_UNIT), claim.quote)
    if r.severity == "error" and (count is None or count.amount != len(forms)):
        r.severity = "warning"
        r.message += (f"; cannot be verified: the prose names {fmt(count.amount) if count else 'an unstated number of'}"
                      f" projects and {len(forms)} forms are printed")
    return [r]


def _last_sentence(quote: str | None) -> str:
    """The sentence that prints the figure (the quote also holds the statement before it)."""
    sentences = [p for p in re.split(r"(?<=[。；;])", quote or "") if p.strip()]
    return sentences[-1] if sentences else ""


def stated_identities(doc: DocFacts) -> list[CheckResult]:
    """An identity the prose itself states: the 机关运行经费 figure equals the basic table's 302 line."""
    out = []
    basic = doc.table("general_budget_basic_expenditure")
    row = basic.by_code("302") if basic else None
    for c in doc.claims_of("operating_expenses_stated_as_302"):
        if row is None or row.get("total") is None:
            continue
        out.append(compare("prose_operating_expenses_is_302", doc, "机关运行经费 = 302", c.amount, row.get("total"),
                           1, [c.page], [row.page], f"prose “{_last_sentence(c.quote)}” (stated equal to the 302 line)",
                           f"{basic.title or '基本支出表'} {row.label()} total", unit=PROSE_UNIT))
    return out


def scoped_figures(doc: DocFacts) -> list[CheckResult]:
    """A figure whose sentence scopes it to a subject (“农林水支出”科目83万元，主要用于人员经费18万元) cannot be
    compared with the document's figure of its name: listed as unverifiable with its sentence."""
    return [finding("prose_unverifiable", doc, c.metric,
                    f"the prose states {c.metric} {fmt(c.amount)} (p. {c.page}: “{c.quote}”) within a subject, "
                    "not for the document: its scope cannot be pinned to a table cell",
                    severity=UNVERIFIABLE, left=c.amount, left_pages=[c.page])
            for c in doc.claims if c.scoped]


def evaluate(doc: DocFacts, last_year: DocFacts | None) -> list[CheckResult]:
    return (scoped_figures(doc) + restatements(doc) + self_consistency(doc) + parts(doc) + increases_vs_last_year(doc, last_year)
            + duty_budgets(doc) + items(doc) + changes_vs_levels(doc) + form_funds(doc)
            + project_budget_vs_forms(doc) + stated_identities(doc))


__all__ = ["evaluate", "resolve_cell"]
