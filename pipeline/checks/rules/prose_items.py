"""Subject items the prose states (“A（类）B（款）C（项）”X万元) against the tables, with their 预算安排 and %
change (registry category ``prose``: item family)."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.checks.base import RuleContext, compare, fmt
from pipeline.checks.facts import ClaimFact, DocFacts, normalise_name
from pipeline.checks.result import OK, CheckResult
from pipeline.checks.rules.prose_restated import PROSE_UNIT, at_printed_precision, printed_places
from pipeline.checks.severity import downgrade


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


def items(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
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
                downgrade(r, OK, "one figure printed to fewer decimals", tolerance=abs(r.difference))
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
