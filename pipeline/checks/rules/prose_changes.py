"""Changes over last year the prose states: against last year's disclosure and against the stated level
(registry category ``prose``: change family)."""

from __future__ import annotations

from decimal import Decimal

from pipeline.checks.base import RuleContext, compare, finding, fmt
from pipeline.checks.facts import DocFacts
from pipeline.checks.catalogue import PROSE_BY_METRIC, REGISTRY, WARNING, Cell
from pipeline.checks.result import CheckResult, tolerance
from pipeline.checks.rules.prose_restated import PROSE_UNIT, resolve_cell
from pipeline.checks.severity import downgrade

#: increase metric → the metric whose change it states (the registry's parameter)
INCREASE_BASE: dict[str, str] = dict(REGISTRY["prose_increase_vs_last_year"].params["bases"])


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


def increases_vs_last_year(doc: DocFacts, ctx: RuleContext) -> list[CheckResult]:
    """Each stated increase against this year's figure less last year's disclosure's (ctx.last_year)."""
    last_year = ctx.last_year
    # every distinct amount stated for an increase (the same change printed twice differently is two claims)
    claims = [c for m in INCREASE_BASE for c in {x.amount: x for x in reversed(doc.claims_of(m))}.values()]
    claims.sort(key=lambda c: c.index)
    if not claims:
        return []
    if last_year is None:
        first = claims[0]
        return [downgrade(finding(
            "prose_increase_vs_last_year", doc, ",".join(c.metric for c in claims),
            f"the prose's comparison with {(doc.year or 0) - 1} ("
            + ", ".join(f"{c.metric} {fmt(c.amount)} p. {c.page}" for c in claims)
            + f") cannot be checked: the warehouse holds no {(doc.year or 0) - 1} document of this department",
            left=first.amount, left_pages=[c.page for c in claims]), WARNING, "last year's disclosure is not loaded")]
    out = []
    for c in claims:
        base = INCREASE_BASE[c.metric]
        pairs = [(v, w) for v, w in ((_value(doc, s), _value(last_year, s)) for s in _base_sources(base))
                 if v is not None and w is not None]
        tol = tolerance(2, PROSE_UNIT)
        this, prev = next((p for p in pairs if abs(c.amount - (p[0][0] - p[1][0])) <= tol),
                          pairs[0] if pairs else (None, None))
        if this is None or prev is None:
            out.append(downgrade(finding("prose_increase_vs_last_year", doc, c.metric,
                                         f"{c.metric} {fmt(c.amount)} (p. {c.page}): {base} is not printed in "
                                         "both years' documents", left=c.amount, left_pages=[c.page]),
                                 WARNING, "the figure is not printed in both years' documents"))
            continue
        out.append(compare("prose_increase_vs_last_year", doc, f"{c.metric} {fmt(c.amount)}" if len(
                               doc.claims_of(c.metric)) > 1 else c.metric, c.amount, this[0] - prev[0], 2,
                           [c.page], [this[1]], f"prose {c.metric}",
                           f"{base} {fmt(this[0])} − {last_year.year} {fmt(prev[0])} "
                           f"(document {last_year.document_id} p. {prev[1]})", unit=PROSE_UNIT))
    return out


def changes_vs_levels(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    """A fund budget stated with its change over last year: the implied last-year budget is not negative."""
    out = []
    claims = sorted(doc.claims, key=lambda c: c.index)
    for level_metric, change_metric in REGISTRY["prose_change_vs_level"].params["pairs"]:
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
