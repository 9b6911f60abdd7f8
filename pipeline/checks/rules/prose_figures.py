"""Every amount of the prose resolved to the table cell it restates, whatever its phrasing.

The headline claims (patterns.yaml) are checked by their own identities; every other figure the prose
prints (prose_figures) is resolved here through the tables' own vocabulary: 三公 items, 机关运行经费,
procurement classes (货物 / 工程 / 服务), asset lines, and the rows of the tables by name or subject code. A
figure resolved to a cell is compared with it at the decimals the prose prints: equal, it holds; else a
warning (a phrasing the patterns do not know may state another scope: fiscal funds only, a sub-unit). A
figure of another scope than a table cell (a change over last year, a ratio, a figure within a subject) or
named like no row is listed as unresolved (counted, with its reason, in the document's coverage)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.checks.base import RuleContext, fmt
from pipeline.checks.facts import DocFacts, FigureFact, Line, normalise_name
from pipeline.checks.catalogue import PROSE_BY_METRIC, UNVERIFIABLE, WARNING, Cell
from pipeline.checks.kinds import TEXT_ONLY_KINDS
from pipeline.checks.result import CheckResult
from pipeline.checks.rules.prose_restated import resolve_cell
from pipeline.checks.severity import downgrade


#: A clause that states a change or another year's figure, not this year's level.
_CHANGE = re.compile(r"比|较|增加|减少|增长|下降|降低|持平|上年|上一年|执行数|决算|\d{4}年(?:年初)?预算(?:数)?$")
#: A figure within a subject ("“农林水支出”科目 … 用于人员经费"): a part of that subject.
_WITHIN = re.compile(r"科目|[（(]\d{0,3}[类款项][）)]|用于")
#: 三公 items (and the 三公 total) → the 三公 table's measures.
_THREE_PUBLIC = (
    (re.compile(r"因公出国[（(]境[）)](?:经)?费(?:用)?(?:预算)?$"), "overseas_travel"),
    (re.compile(r"公务接待(?:经)?费(?:预算)?$"), "official_reception"),
    (re.compile(r"公务用车购置及运行(?:维护)?(?:经)?费(?:预算)?$"), "vehicle_total"),
    (re.compile(r"公务用车购置(?:经)?费(?:预算)?$"), "vehicle_purchase"),
    (re.compile(r"公务用车运行(?:维护)?(?:经)?费(?:预算)?$"), "vehicle_operation"),
    (re.compile(r"三公.{0,3}经费.{0,12}$"), "three_public_total"),
)
_GB_TOTAL = (Cell("general_budget_expenditure", "total", "total"),)
_FISCAL_EXP = (Cell("fiscal_summary", "grand:expenditure"), Cell("fiscal_summary", "name:本年支出合计"),
               Cell("fiscal_summary", "name:支出合计"), Cell("fiscal_summary", "name:支出总计"))
_FISCAL_REV = (Cell("fiscal_summary", "grand:revenue"), Cell("fiscal_summary", "name:本年收入合计"),
               Cell("fiscal_summary", "name:收入合计"), Cell("fiscal_summary", "name:收入总计"))
#: Phrasings of a headline figure the patterns may miss → the metric (or the cells) it restates.
_METRIC_WORDS = (
    (re.compile(r"一般公共预算(?:财政)?拨款支出(?:预算)?$"), _GB_TOTAL),
    (re.compile(r"(?<!预算)财政拨款支出(?:预算)?(?:总计|合计)?$"), _FISCAL_EXP),
    (re.compile(r"(?<!预算)财政拨款收入(?:预算)?(?:总计|合计)?$"), _FISCAL_REV),
    # the department's totals: "收入预算(总计)", "收入合计" — not one source's (事业收入, 其他收入, 基金 …)
    (re.compile(r"(?<![拨基营他业助缴])(?<!拨款)(?:收入预算(?:总计|合计)?|收入(?:总计|合计))$"), "total_revenue"),
    (re.compile(r"(?<![拨基营本目缴助])(?<!拨款)(?:支出预算(?:总计|合计)?|支出(?:总计|合计))$"), "total_expenditure"),
    (re.compile(r"基本支出$"), "basic_expenditure"),
    (re.compile(r"项目支出$"), "project_expenditure"),
    (re.compile(r"人员经费$"), "personnel_expenditure"),
    (re.compile(r"公用经费$"), "public_funds_expenditure"),
    (re.compile(r"机关运行经费.{0,6}$"), "operating_expenses_of_organ"),
    (re.compile(r"(?:政府)?采购.{0,6}(?:总额|合计|预算)$"), "procurement_total"),
    (re.compile(r"会议费.{0,4}$"), "meeting_expenses"),
    (re.compile(r"培训费.{0,4}$"), "training_expenses"),
    (re.compile(r"资产总额$"), "assets_total"),
)
_PROCUREMENT_CLASS = re.compile(r"(货物|工程|服务)(?:类)?(?:采购)?(?:预算)?$")
_FILLER = re.compile(r"(?:预算数|预算|安排|合计为|共计|合计|总计|为|是|达|约|计|共)+$")
_CODE = re.compile(r"(?<!\d)(\d{3}|\d{5}|\d{7})(?!\d)")


@dataclass
class Resolution:
    figure: FigureFact
    how: str                                   # claim | cell | unresolved
    why: str                                   # the metric / cell / reason
    cells: list[tuple[Decimal, int, str, int | None]]


def _key(label: str) -> str:
    k = normalise_name(label).replace("“", "").replace("”", "").replace('"', "")
    return _FILLER.sub("", k)


def _row_value(ln: Line) -> Decimal | None:
    v = ln.get("total")
    return v if v is not None else ln.get(None)


def _rows_named(doc: DocFacts, key: str) -> list[tuple[Decimal, int, str, int | None]]:
    """Rows of the tables whose label (or code) the figure's label ends with; the longest name wins."""
    best: list[tuple[int, tuple[Decimal, int, str, int | None]]] = []
    codes = _CODE.findall(key)
    for t in doc.tables:
        if t.kind in TEXT_ONLY_KINDS:
            continue
        for ln in t.lines:
            v = _row_value(ln)
            if v is None:
                continue
            name = ln.key.removeprefix("其中:")
            hit = 0
            if ln.code and ln.code in codes:
                hit = 100
            elif len(name) >= 2 and key.endswith(name) and (len(name) >= 4 or key == name):
                hit = len(name)
            if hit:
                best.append((hit, (v, ln.page, f"{t.title or t.kind} {ln.label()}", t.index)))
    if not best:
        return []
    top = max(h for h, _ in best)
    return [c for h, c in best if h == top]


def _cells_of_metric(doc: DocFacts, metric: str) -> list[tuple[Decimal, int, str, int | None]]:
    ident = PROSE_BY_METRIC.get(metric)
    return [c for c in (resolve_cell(doc, cell) for cell in (ident.cells if ident else ())) if c is not None]


def _three_public(doc: DocFacts, measure: str) -> list[tuple[Decimal, int, str, int | None]]:
    out = []
    for t in doc.tables_of("three_public"):
        ln = t.total_line() or (t.lines[0] if len(t.lines) == 1 else None)
        if ln is None:
            continue
        for m in ((measure, "total") if measure == "three_public_total" else (measure,)):
            if ln.get(m) is not None:
                out.append((ln.get(m), ln.page, f"{t.title or t.kind} {m}", t.index))
                break
    return out


def _procurement_class(doc: DocFacts, cls: str) -> list[tuple[Decimal, int, str, int | None]]:
    printed = doc.printed_of("procurement")
    index = printed[0].index if printed else None
    return [(p.amount, p.page, f"政府采购 {cls}", index) for p in doc.procurement
            if p.amount is not None and normalise_name(p.item or p.project or "").startswith(cls)][:1]


def resolve(doc: DocFacts, f: FigureFact) -> Resolution:
    """The cell a prose figure restates, or why it restates none."""
    claim = next((c for c in doc.claims if c.page == f.page and c.amount == f.amount), None)
    if claim is not None:
        return Resolution(f, "claim", claim.metric, [])
    key = _key(f.label)
    if f.unit == "%":
        return Resolution(f, "unresolved", "a ratio (a change or a share), not a table cell", [])
    if _CHANGE.search(f.label):
        return Resolution(f, "unresolved", "a change over, or a figure of, another year", [])
    if _WITHIN.search(f.label):
        return Resolution(f, "unresolved", "a part within a subject the sentence names", [])
    if not key:
        return Resolution(f, "unresolved", "no label before the amount", [])
    for pattern, measure in _THREE_PUBLIC:
        if pattern.search(key):
            cells = _three_public(doc, measure)
            return Resolution(f, "cell" if cells else "unresolved", measure if cells else
                              f"{measure}: the document prints no 三公 table", cells)
    for pattern, metric in _METRIC_WORDS:
        if pattern.search(key):
            cells = (_cells_of_metric(doc, metric) if isinstance(metric, str) else
                     [c for c in (resolve_cell(doc, cell) for cell in metric) if c is not None])
            if cells:
                return Resolution(f, "cell", metric if isinstance(metric, str) else cells[0][2], cells)
    m = _PROCUREMENT_CLASS.search(key)
    if m and "采购" in key:
        cells = _procurement_class(doc, m.group(1))
        if cells:
            return Resolution(f, "cell", f"procurement {m.group(1)}", cells)
        return Resolution(f, "unresolved", f"procurement {m.group(1)}: no such class row in the table", [])
    cells = _rows_named(doc, key)
    if cells:
        return Resolution(f, "cell", cells[0][2], cells)
    asset = next(((a.amount, a.page, f"资产表 {a.item}", None) for a in doc.assets
                  if a.amount is not None and normalise_name(a.item) and key.endswith(normalise_name(a.item))), None)
    if asset is not None:
        return Resolution(f, "cell", asset[2], [asset])
    if f.amount == 0:
        return Resolution(f, "unresolved", "a zero the tables print no row for", [])
    return Resolution(f, "unresolved", "named like no table row", [])


def _places(f: FigureFact) -> int:
    e = f.amount.normalize().as_tuple().exponent
    m = re.search(r"[0-9０-９][0-9０-９,，]*(?:[.．]([0-9０-９]+))?\s*万元", f.sentence)
    return max(-e if isinstance(e, int) and e < 0 else 0, len(m.group(1) or "") if m else 0)


def _restates(f: FigureFact, value: Decimal) -> bool:
    """The figure equals the cell at the decimals the prose prints (a 元 table restated in 万元)."""
    q = Decimal(1).scaleb(-min(_places(f), 6))
    return value == f.amount or value.quantize(q, rounding=ROUND_HALF_UP) == f.amount


def figures(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    """One result per prose figure the claims do not cover: ok when it restates its cell, a warning when
    it differs, a hidden unverifiable entry (counted in the coverage) when it resolves to no cell."""
    out = []
    for f in doc.figures:
        r = resolve(doc, f)
        if r.how == "claim":   # compared by the claim's own identity; counted here as resolved only
            out.append(CheckResult(check_name="prose_figure_vs_table", severity="ok", hidden=True,
                                   message=f"prose figure {f.label} {fmt(f.amount)}{f.unit}: the claim {r.why}",
                                   document_id=doc.document_id, department=doc.department, year=doc.year,
                                   subject=f"figure {f.index} claim {r.why}", n=0))
            continue
        where = f"p. {f.page}: “{f.sentence[:120]}”"
        if r.how == "unresolved":
            out.append(downgrade(CheckResult(
                check_name="prose_figure_vs_table", severity=WARNING, hidden=True,
                message=f"prose figure {f.label} {fmt(f.amount)}{f.unit} ({where}) unresolved: {r.why}",
                document_id=doc.document_id, department=doc.department, year=doc.year,
                subject=f"figure {f.index}", left_value=f.amount, left_pages=[f.page], n=0),
                UNVERIFIABLE, "the figure resolves to no table cell"))
            continue
        hit = next((c for c in r.cells if _restates(f, c[0])), None)
        value, page, label, index = hit or r.cells[0]
        sev = "ok" if hit is not None else "warning"
        msg = (f"prose “{f.label} {fmt(f.amount)}万元” ({where}) = {label} {fmt(value)} (p. {page})" if hit else
               f"prose “{f.label} {fmt(f.amount)}万元” ({where}) vs {label} {fmt(value)} (p. {page}): the phrasing "
               "is resolved by name only, its scope (all funds or fiscal, the department or a unit) is not pinned")
        out.append(CheckResult(check_name="prose_figure_vs_table", severity=sev, message=msg,
                               document_id=doc.document_id, department=doc.department, year=doc.year,
                               subject=f"figure {f.index} {r.why}", left_value=f.amount, right_value=value,
                               difference=f.amount - value, n=1, left_pages=[f.page], right_pages=[page],
                               tables=() if index is None else (index,)))
    return out


def share_resolved(doc: DocFacts) -> tuple[int, int, dict[str, int]]:
    """(figures printed, figures resolved to a claim or a cell, unresolved by reason) of one document."""
    reasons: dict[str, int] = {}
    resolved = 0
    for f in doc.figures:
        r = resolve(doc, f)
        if r.how == "unresolved":
            reasons[r.why.split(":")[0]] = reasons.get(r.why.split(":")[0], 0) + 1
        else:
            resolved += 1
    return len(doc.figures), resolved, reasons
