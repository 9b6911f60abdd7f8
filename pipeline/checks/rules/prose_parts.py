"""Parts the prose states adding up to their stated whole, and the identities the prose itself asserts
(registry category ``prose``: parts family)."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.checks.base import RuleContext, compare, fmt, total
from pipeline.checks.facts import ClaimFact, DocFacts
from pipeline.checks.catalogue import ERROR, PROSE_BY_METRIC, REGISTRY, WARNING
from pipeline.checks.result import CheckResult
from pipeline.checks.rules.prose_restated import PROSE_UNIT, resolve_cell
from pipeline.checks.severity import CONSEQUENCE, downgrade


#: Stated wholes and the parts the prose states for them; ``need`` parts must be stated to check (the
#: registry's parameter of prose_parts_add_up).
PARTS: tuple[tuple[str, tuple[str, ...], int], ...] = REGISTRY["prose_parts_add_up"].params["wholes"]


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
        downgrade(plain, WARNING, "no table shows what the whole includes beyond the stated parts")
        plain.message += ("; cannot be verified: the document prints no table showing what the whole "
                          "includes beyond the stated parts")
        return plain
    if not w_ok:
        return plain
    if any(f[1] is None for f in figures):
        downgrade(plain, WARNING, "the tables do not print every part")
        plain.message += ("; cannot be verified: the tables do not print every part, so what else the whole "
                          "includes cannot be read from them")
        return plain
    others = w_table - total(f[1] for f in figures)     # what the tables' whole holds beyond these parts
    off = [c.metric for c, f in zip(stated, figures) if not f[0]]
    r = compare(*args, whole.amount, parts_sum + others, len(stated), *pages, f"prose {whole.metric}",
                f"{label} + items the prose does not state {fmt(others)} (the tables' {whole.metric} minus "
                "their parts)", unit=PROSE_UNIT,
                note=f"a consequence of the prose's {', '.join(off)}, which differs from the tables" if off else "")
    if off and r.severity == ERROR:
        downgrade(r, WARNING, CONSEQUENCE)
    return r


def parts(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
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


def _last_sentence(quote: str | None) -> str:
    """The sentence that prints the figure (the quote also holds the statement before it)."""
    sentences = [p for p in re.split(r"(?<=[。；;])", quote or "") if p.strip()]
    return sentences[-1] if sentences else ""


def quoting_302(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """prose_operating_expenses_is_302 (its view's): the message quotes the sentence stating the 机关运行经费
    equal to the 302 line (the claim of that amount on that page)."""
    for r in results:
        c = next((c for c in doc.claims_of("operating_expenses_stated_as_302")
                  if c.amount == r.left_value and c.page in r.left_pages), None)
        if c is not None:
            r.message = f"prose “{_last_sentence(c.quote)}” (stated equal to the 302 line): {r.message}"
    return results
