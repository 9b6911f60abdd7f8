"""Performance-target tables: duty-activity budgets and project forms against the tables and the prose
(registry categories ``performance`` and ``prose``: performance family)."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.checks.base import RuleContext, finding, fmt, total
from pipeline.checks.facts import DocFacts, is_chinese_numbered
from pipeline.checks.catalogue import ERROR, PROSE_BY_METRIC, WARNING
from pipeline.checks.result import CheckResult, tolerance
from pipeline.checks.rules.prose_restated import at_printed_precision, resolve_cell
from pipeline.checks.severity import downgrade


DUTY_TITLE = re.compile(r"职责|工作活动")
#: the totals a duty table's budgets may add up to (their catalogue cells; also v_identity_duty_budget_…'s)
DUTY_TOTALS = ("total_expenditure", "basic_expenditure", "project_expenditure", "personnel_expenditure",
               "public_funds_expenditure")


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
        if t.title and not DUTY_TITLE.search(t.title):
            continue
        rows = [(ln.name, ln.get("budget") if ln.get("budget") is not None else ln.get(None), ln.page)
                for ln in t.lines if is_chinese_numbered(ln.numbering)]
        rows = [r for r in rows if r[1] is not None]
        if rows:
            groups.append((t.title or "duty table", rows))
    return groups


def duty_budgets(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    """The duty-activity table's budgets should add up to a total the tables print."""
    out = []
    for title, rows in _duty_groups(doc):
        s = total(a for _, a, _ in rows)
        n = len(rows)
        candidates = []
        for metric in DUTY_TOTALS:
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


_FORM_TOTAL = "年度资金申请总额"
_FORM_PARTS = ("当年财政拨款", "上年结转资金", "其他资金")
# The project forms' own sums (project_form_funds_add_up) and the prose's project budget against them
# (prose_project_budget_vs_forms) are their views' (pipeline/checks/sql_prose.py, generated from the two
# names above); what stays here is the policy over the latter (projects_named).


def projects_named(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """The prose's 涉及项目预算资金 against the forms printed (n = how many): judged at the precision the
    prose prints; when the prose names another number of projects than the forms printed, a document
    printing some of the forms only cannot be checked: a warning."""
    claim = doc.first_claim("project_targets_budget")
    count = doc.first_claim("project_targets_count")
    for r in results:
        at_printed_precision(r, claim.quote if claim else None)
        if r.severity == ERROR and (count is None or count.amount != r.n):
            downgrade(r, WARNING, "the prose names another number of projects than the forms printed")
            r.message += (f"; cannot be verified: the prose names {fmt(count.amount) if count else 'an unstated number of'}"
                          f" projects and {r.n} forms are printed")
    return results
