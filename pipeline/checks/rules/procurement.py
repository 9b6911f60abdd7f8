"""Procurement lines: quantity × price, the lines against the 合计, the 预算资金 column (registry
category ``procurement``)."""

from __future__ import annotations

import math
from decimal import Decimal

from pipeline.checks.base import RuleContext, compare, fmt, total
from pipeline.checks.facts import DocFacts
from pipeline.checks.catalogue import WARNING
from pipeline.checks.result import CheckResult, tolerance
from pipeline.checks.severity import CONSEQUENCE, downgrade


def top_level_lines(lines: list, target: Decimal) -> list | None:
    """The top-level lines of a procurement table printed as a tree (品目大类 → 专项 → 物品, each group row
    carrying the sum of the rows under it), or None when the lines cannot be read as such a tree.

    Read from the amounts alone, in print order: a row is a group when the rows right after it add up
    exactly to its amount; a row with a quantity or unit price is an item, never a group. Every line must
    be used and the top-level rows must add up exactly to ``target``, so a table whose amounts do not fit
    together is left to the flat sum (and reported).
    """
    n = len(lines)
    amt = [p.amount for p in lines]
    if n > 300 or any(a is None or a < 0 for a in amt):
        return None
    item = [p.quantity is not None or p.unit_price is not None for p in lines]
    memo: dict[tuple[int, Decimal], dict[int, tuple[int, ...]]] = {}

    def ends(i: int, remaining: Decimal) -> dict[int, tuple[int, ...]]:
        """end j → top-level indices, for each way lines[i:j] form a forest adding up to ``remaining``."""
        key = (i, remaining)
        if key in memo:
            return memo[key]
        if len(memo) > 50_000:
            raise OverflowError
        out: dict[int, tuple[int, ...]] = {}
        memo[key] = out
        if remaining == 0:
            out[i] = ()
        if i < n and amt[i] <= remaining:
            for e, tops in ends(i + 1, remaining - amt[i]).items():     # an item
                out.setdefault(e, (i,) + tops)
            if not item[i] and amt[i] > 0:                              # a group over the rows after it
                for child_end in [e for e in ends(i + 1, amt[i]) if e > i + 1]:
                    for e, tops in ends(child_end, remaining - amt[i]).items():
                        out.setdefault(e, (i,) + tops)
        return out

    try:
        found = ends(0, target).get(n)
    except (OverflowError, RecursionError):
        return None
    if found is None or len(found) == n:
        return None
    return [lines[i] for i in found]


def procurement(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    lines = [p for p in doc.procurement if not p.is_total]   # in print order (load_facts)
    tot = next((p for p in doc.procurement if p.is_total), None)
    out: list[CheckResult] = []
    product_ok: dict[int, bool] = {}
    for p in lines:
        if p.quantity is None or p.unit_price is None or p.amount is None:
            continue
        n = math.ceil(abs(p.quantity)) + 1
        product = p.quantity * p.unit_price
        budget = f" (预算资金 {fmt(p.budget)})" if p.budget is not None else ""
        r = compare("procurement_line_product", doc, f"line {p.row_index} {p.item}", product, p.amount, n,
                    [p.page], [p.page], f"{p.project or ''} {p.item}: {fmt(p.quantity)} × {fmt(p.unit_price)}",
                    f"amount{budget}")
        product_ok[p.row_index] = r.severity != "error"
        out.append(r)
    if tot is None or tot.amount is None or not lines:
        return out
    amounts = [p for p in lines if p.amount is not None]
    what = f"sum of {len(amounts)} lines"
    if total(p.amount for p in amounts) != tot.amount:
        top = top_level_lines(amounts, tot.amount)
        if top is not None:
            amounts = top
            what = f"sum of the {len(top)} top-level lines (品目 groups; their sub-lines add up to each)"
    printed = doc.printed_of("procurement")
    lines_sum = compare("procurement_lines_sum", doc, "合计", tot.amount, total(p.amount for p in amounts),
                        len(amounts), [tot.page], [p.page for p in amounts], "政府采购 合计", what,
                        tables=(printed[0].index,) if printed else ())
    out.append(lines_sum)
    budgets = [p for p in lines if p.budget is not None]
    if budgets:
        target = tot.budget if tot.budget is not None else tot.amount
        r = compare("procurement_budget_column", doc, "预算资金", target, total(p.budget for p in budgets),
                    len(budgets), [tot.page], [p.page for p in budgets], "政府采购 合计",
                    f"sum of the 预算资金 column ({len(budgets)} lines)")
        if r.severity == "error":
            # The gap is a consequence when the amounts add up and every line whose 预算资金 differs from its
            # amount already failed quantity × unit price (its 预算资金 being the product).
            differing = [p for p in budgets if p.amount is not None and p.budget != p.amount]
            explained = (lines_sum.severity != "error" and differing and all(
                product_ok.get(p.row_index) is False and p.quantity is not None and p.unit_price is not None
                and abs(p.quantity * p.unit_price - p.budget) <= tolerance(math.ceil(abs(p.quantity)) + 1, doc.unit)
                for p in differing))
            if explained:
                downgrade(r, WARNING, CONSEQUENCE)
                r.message += ("; a consequence of the lines whose amount is not quantity × unit price: "
                              + ", ".join(f"{p.item} (p. {p.page})" for p in differing))
        out.append(r)
    return out
