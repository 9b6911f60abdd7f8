"""Identities across the tables of one document (registry category ``cross_table``): what SQL cannot say
of them.

Their sides and verdicts are the views' (pipeline/checks/sql_tables.py generates them; the summary against
the revenue/expenditure tables, the basic-expenditure table's splits, 机关运行经费; sql_findings.py the
government-fund subjects), and pipeline/checks/viewed.py builds check_results from them. What stays here is
policy over those results, read with the document's facts: the rounding of the leaf rows a 类 total is
printed from and a publisher's convention of filing a 类 under the other column (class_split), a 万元 table
printing a 元 figure rounded (organ_rounding), and what the finding says of the fund table
(fund_table_state)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pipeline.checks.base import fmt, total
from pipeline.checks.facts import DocFacts, TableFacts
from pipeline.checks.catalogue import REGISTRY, WARNING
from pipeline.checks.result import OK, CheckResult
from pipeline.checks.rules.within_table import within_leaf_rounding
from pipeline.checks.severity import downgrade


def class_split(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """人员经费 = 301 + 303, 公用经费 = 302 + 310 over their views' results: a 合计 printed as the rounded
    sum of the leaf rows of those 类 is judged with their rounding; a table filing part of a 类 under the
    other column (上海: 303 under 公用经费) whose own column of 类 rows adds up follows a convention."""
    basic = {t.index: t for t in doc.tables_of("general_budget_basic_expenditure")}
    for r in results:
        t = basic.get(r.tables[0]) if r.tables else None
        if t is None:
            continue
        measure, classes = REGISTRY[r.check_name].params["measure"], REGISTRY[r.check_name].params["classes"]
        leaves = [ln for ln in t.lines if ln.code and ln.code[:3] in classes and ln.get("total") is not None
                  and not any(o.code != ln.code and o.code and o.code.startswith(ln.code) for o in t.lines)]
        within_leaf_rounding(r, doc, leaves)
        own = _classes_by_column(t, measure)
        if r.severity == "error" and own is not None and own == r.left_value:
            # the table prints each 类's money in its own 人员/公用 columns, and they add up: it files a
            # class under the other column, a convention, not an inconsistency
            downgrade(r, WARNING, "the table files part of a 类 under the other column (a convention)")
            r.message += (f"; the table's own {measure} column of its 类 rows adds up to its 合计 "
                          f"{fmt(own)}: it files part of {' / '.join(classes)} under the other column")
    return results


def _classes_by_column(basic: TableFacts, measure: str) -> Decimal | None:
    """The sum of a measure's column over the basic table's 类 rows, when they print it."""
    classes = [ln for ln in basic.lines if ln.code and len(ln.code) == 3]
    if not classes or not any(measure in ln.values for ln in classes):
        return None
    return total(ln.get(measure) for ln in classes)


def organ_rounding(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """机关运行经费 against the summary's 公用经费: the 万元 三公 table printing the summary's 元 figure
    rounded to the cent holds."""
    for r in results:
        left, right = r.left_value, r.right_value
        if (r.severity != "ok" and left is not None and right is not None
                and right.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == left):
            downgrade(r, OK, "the 万元 table prints the summary's 元 figure rounded")
    return results


def fund_table_state(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """A government-fund subject carrying money: the message says what the fund table is (printed empty,
    with its note, or not printed), which the parse's table list tells."""
    printed = doc.printed_of("government_fund_expenditure")
    state = ("printed empty" + (f": “{printed[0].note}”" if printed[0].note else "")
             + f" (p. {','.join(map(str, printed[0].pages))})") if printed else "not printed"
    for r in results:
        r.message = (f"{r.subject} carries {fmt(r.left_value)} (p. {','.join(map(str, r.left_pages)) or '?'}) on a "
                     f"government-fund subject, but the government-fund expenditure table is {state}")
    return results
