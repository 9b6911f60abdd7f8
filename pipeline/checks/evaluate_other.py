"""Procurement lines, the assets table's date and the department's identity within a document
(registry categories ``procurement``, ``assets``, ``department``)."""

from __future__ import annotations

import math
from decimal import Decimal
import re

from pipeline.checks.base import compare, finding, fmt, passed, total
from pipeline.checks.facts import DocFacts, normalise_name
from pipeline.checks.result import CheckResult, tolerance


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


def procurement(doc: DocFacts) -> list[CheckResult]:
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
                r.severity = "warning"
                r.message += ("; a consequence of the lines whose amount is not quantity × unit price: "
                              + ", ".join(f"{p.item} (p. {p.page})" for p in differing))
        out.append(r)
    return out


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def assets(doc: DocFacts) -> list[CheckResult]:
    out = []
    seen = set()
    for a in doc.assets:
        if not a.as_of or a.as_of in seen or doc.year is None:
            continue
        seen.add(a.as_of)
        m = _ISO.match(a.as_of)
        if m and int(m.group(1)) == doc.year - 1:
            out.append(passed("assets_as_of_date", doc, a.as_of, f"assets dated {a.as_of}"))
            continue
        out.append(finding("assets_as_of_date", doc, a.as_of,
                           f"the assets table (p. {a.page}) is dated {a.as_of}; a {doc.year} budget reports "
                           f"assets at the end of {doc.year - 1}", left_pages=[a.page]))
    return out


def _variants(doc: DocFacts, attr: str) -> dict[str, tuple[list[int], list[str]]]:
    """Header values of the printed tables that differ from the document's: value → (pages, titles)."""
    mine = getattr(doc, attr)
    key = normalise_name if attr == "department_name" else (lambda s: (s or "").strip())
    out: dict[str, tuple[list[int], list[str]]] = {}
    for t in doc.printed:
        v = getattr(t, attr)
        if v and mine and key(v) != key(mine):
            pages, titles = out.setdefault(v, ([], []))
            pages.extend(t.pages)
            titles.append(t.title or t.kind)
    return out


def department(doc: DocFacts) -> list[CheckResult]:
    """A code printed differently in a table header is an error; a name variant a warning.

    Table headers (document_tables) are the evidence when the warehouse has them, else the parser's
    department_*_variant warnings.
    """
    out = []
    for attr, check, kind in (("department_code", "department_code_consistent", "department_code_variant"),
                              ("department_name", "department_name_consistent", "department_name_variant")):
        mine = getattr(doc, attr)
        variants = _variants(doc, attr)
        if variants:
            for v, (pages, titles) in variants.items():
                out.append(finding(check, doc, v,
                                   f"the document's department {attr.split('_')[1]} is {mine}, but "
                                   f"{' / '.join(dict.fromkeys(titles))} (p. {','.join(map(str, sorted(set(pages))))}) "
                                   f"print{'s' if len(set(titles)) == 1 else ''} {v}", left_pages=sorted(set(pages))))
            continue
        for w in doc.warnings:
            if w.kind == kind:
                out.append(finding(check, doc, "/".join(w.values) or attr,
                                   f"{w.message or kind} (values: {' / '.join(w.values) or '?'}; "
                                   f"{'p. ' + ','.join(map(str, w.pages)) if w.pages else 'page unknown'}; "
                                   f"document: {mine})", left_pages=w.pages))
    return out


def evaluate(doc: DocFacts) -> list[CheckResult]:
    return procurement(doc) + assets(doc) + department(doc)
