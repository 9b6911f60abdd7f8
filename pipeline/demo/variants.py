"""Layout variants of a demo disclosure: the same budget printed the ways other publishers print it.

Why: the parser and the checks must read by structure, not by the seed's one template. A ``Variant``
names one choice per dimension (title wordings, header words and groupings, column-number rows,
continuation styles, 元/万元, label columns, hierarchy, prose wording, one planted fault); ``render_variant``
builds a small document (few subjects, the tables the identities need, the prose that states figures)
and returns its truth. Wordings come from the catalogue (``wordings``), so the generator never keeps a
list of its own. Opt-in only: ``generate_district`` and ``build.document`` are unchanged.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from pipeline.demo import build, district, wordings
from pipeline.demo.budget import Budget, Z
from pipeline.demo.layout import ClaimSpec, DocSpec, HeadCell, Line, Paragraph, TableBlock, TruthRow
from pipeline.demo.render import render_document
from pipeline.model import ParseResult
from pipeline.tables.catalogue import load_catalogue

NUMBERING = ("none", "lanci", "cjk", "star")
CONTINUATION = ("single", "repeat_title", "repeat_header", "bare")
LABELS = ("code_first", "name_first", "split_codes")
HIERARCHY = ("codes", "names")
#: flat, or the word of a 本年 column group (from the catalogue's group_measures) beside 上年结转
REVENUE_GROUPS = ("flat",) + tuple(w for w in wordings.group_words("revenue_summary", "current_total", "小计")
                                   if "支出" not in w)
#: seed; 收入总计 (with 上年结转) stated as the revenue; 三公 "财政拨款预算 X"; 三公 items as a plain list
PROSE = ("seed", "grand_total", "three_public_fiscal", "items_plain")
#: None (a clean variant) or one planted inconsistency, as the district plants them (inject)
FAULTS = (None, "row_sum", "prose_mismatch", "cross_table", "procurement_line", "department_code")
#: Body width of a portrait A4 page (render.MARGIN both sides).
_BODY = 595.0 - 2 * 42.0


@dataclass(frozen=True)
class Variant:
    """One layout choice per dimension; ``seed`` draws the budget and the wordings."""

    seed: int = 0
    unit: str = "万元"                    # 万元 | 元
    numbering: str = "lanci"              # none | lanci (栏次 1 2 3) | cjk (甲 乙 1 2 3) | star (** 1 2 3)
    continuation: str = "single"          # single | repeat_title | repeat_header | bare (neither)
    basic_subtotal: bool = True           # 基本支出/小计 beside 人员经费/公用经费
    labels: str = "code_first"            # code_first | name_first | split_codes (类|款|项 columns)
    hierarchy: str = "codes"              # codes | names (类/款/项 rows by indented name, no code column)
    revenue_groups: str = "flat"          # flat | a REVENUE_GROUPS word: 合计 | <word>/(小计 …) | 上年结转
    header_words: bool = False            # header words drawn from the catalogue's synonyms
    all_categories: bool = True           # 收支总表 lists every 类 (seed) or only those with amounts
    prose: str = "seed"                   # one of PROSE
    carryover: bool = False               # a 上年结转 (fiscal carry-over spent on a project)
    fault: str | None = None              # one planted inconsistency (a FAULT_KINDS name) or None

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.__dict__.items())


# ---- the budget ----------------------------------------------------------------------------
def small_budget(v: Variant) -> Budget:
    """A department with few subjects (a small document renders and parses fast)."""
    rng = random.Random(f"variant:{v.seed}")
    name, short, kuan, items = rng.choice(district.DEPARTMENTS)
    code = str(rng.randint(101, 899))
    prof = district.DeptProfile(random.Random(rng.random()), code, district.PREFIX + name, short,
                                kuan, items)
    prof.unit = v.unit
    prof.size = rng.choice([1, 2, 3])
    prof.carry = v.carryover
    prof.gov_fund = False
    prof.n_proc = rng.choice([2, 3])
    year = rng.choice([2022, 2023, 2024])
    b = district.budget(rng, prof, year)
    # few economic lines: the personnel lines the social-security subjects restate, and a few public
    keep = {"30101", "30108", "30109", "30110", "30113", "30201", "30207", "30217", "30231"}
    removed = sum((e.amount for e in b.econ if e.is_personnel and e.code not in keep), Z)
    b.econ = [e for e in b.econ if e.code in keep]
    public = sum((e.amount for e in b.econ if not e.is_personnel), Z)
    for ln in b.lines:
        if ln.public:           # the admin line carries the rest of personnel and all public funds
            ln.personnel -= removed
            ln.public = public
    b.lines = [ln for ln in b.lines if ln.total]
    b.perf = []
    b.prior = district.prior_of(b, rng)
    b.prior_three_public = b.three_public.total
    return b


# ---- table surgery: columns and header ----------------------------------------------------
def _shift_header(tb: TableBlock, c: int, by: int) -> None:
    for hc in tb.header:
        if hc.col > c:
            hc.col += by
        elif hc.col <= c < hc.col + hc.colspan and hc.colspan > 1:
            hc.colspan += by


def drop_column(tb: TableBlock, c: int) -> None:
    """Remove printed column ``c`` (header cell, widths, cells); measures under it leave the truth."""
    leaf = [hc for hc in tb.header if hc.col == c and hc.colspan == 1]
    for hc in leaf:
        tb.header.remove(hc)
    # a group cell that covered the dropped column loses it; a cell above it (rowspan) grows down
    for hc in tb.header:
        if hc.col > c:
            hc.col -= 1
        elif hc.col <= c < hc.col + hc.colspan:
            hc.colspan -= 1
    tb.widths = tb.widths[:c] + tb.widths[c + 1:]
    tb.align = tb.align[:c] + tb.align[c + 1:]
    for ln in tb.lines:
        ln.cells = ln.cells[:c] + ln.cells[c + 1:]


def swap_columns(tb: TableBlock, a: int, b_: int) -> None:
    """Print columns ``a`` and ``b_`` (adjacent leaf columns) the other way round."""
    for hc in tb.header:
        if hc.colspan == 1 and hc.col in (a, b_):
            hc.col = b_ if hc.col == a else a
    tb.widths[a], tb.widths[b_] = tb.widths[b_], tb.widths[a]
    tb.align[a], tb.align[b_] = tb.align[b_], tb.align[a]
    for ln in tb.lines:
        ln.cells[a], ln.cells[b_] = ln.cells[b_], ln.cells[a]


def split_code_column(tb: TableBlock, c: int) -> None:
    """One 科目编码 column printed as three (类 | 款 | 项) under it, each holding its part of the code."""
    code_cell = next(hc for hc in tb.header if hc.col == c and hc.colspan == 1)
    last = tb.header_rows
    for hc in tb.header:
        if hc is not code_cell and hc.row + hc.rowspan == last:
            hc.rowspan += 1
    _shift_header(tb, c, 2)
    code_cell.colspan = 3
    tb.header += [HeadCell(t, last, c + i) for i, t in enumerate(("类", "款", "项"))]
    tb.header_rows += 1
    w = tb.widths[c]
    tb.widths = tb.widths[:c] + [max(24.0, w / 3)] * 3 + tb.widths[c + 1:]
    tb.align = tb.align[:c] + ["c"] * 3 + tb.align[c + 1:]
    for ln in tb.lines:
        code = ln.cells[c]
        parts = [code[:3], code[3:5], code[5:7]] if code.isdigit() else [code, "", ""]
        ln.cells = ln.cells[:c] + parts + ln.cells[c + 1:]


def _header_path(tb: TableBlock, hc: HeadCell) -> list[str]:
    path = [h.text for h in tb.header
            if h.row < hc.row and h.col <= hc.col < h.col + h.colspan]
    return path + [hc.text]


def reword_header(tb: TableBlock, rng: random.Random) -> None:
    """Each leaf header word replaced by another the catalogue reads as the same column."""
    cat = load_catalogue()
    if tb.kind is None:
        return
    for hc in tb.header:
        if hc.colspan != 1 or any(h.row > hc.row and h.col == hc.col for h in tb.header):
            continue
        path = _header_path(tb, hc)
        col = cat.column(tb.kind, path)
        if col is None or col.role in ("seq", "attr"):
            continue
        words = [w for w in wordings.column_words(tb.kind, col.role, tuple(path[:-1]))
                 if not any(ch.isdigit() for ch in w) and w not in ("小计", "合计", "总计") or
                 w == hc.text.replace("\n", "")]
        if words:
            hc.text = rng.choice(words)


def numbering_row(tb: TableBlock, style: str) -> None:
    """Replace (or drop) the column-number row under the header: 栏次 1 2 3 / 甲 乙 1 2 3 / ** 1 2 3."""
    has = bool(tb.lines) and not tb.lines[0].truth and tb.lines[0].cells[0] in ("栏次",)
    if has:
        tb.lines.pop(0)
    if style == "none" or (not has and style != "none" and tb.kind != "revenue_summary"):
        return
    labels = wordings.numbering_labels()
    cjk = [t for t in labels if len(t) == 1 and not t.isascii()]
    star = next(t for t in labels if t.startswith("*") and len(t) > 1)
    cells, n, k = [], 0, 0
    for i, al in enumerate(tb.align):
        if al == "r":
            n += 1
            cells.append(str(n))
        elif style == "lanci":
            cells.append(labels[0] if i == 0 else "")
        elif style == "cjk":
            cells.append(cjk[k % len(cjk)])
            k += 1
        else:
            cells.append(star)
    if style == "lanci" and cells[0] == "":
        cells[0] = labels[0]
    tb.lines.insert(0, Line(cells))


def fit_portrait(tb: TableBlock) -> None:
    tb.landscape = False
    tb.new_page = False
    total = sum(tb.widths)
    if total > _BODY:
        tb.widths = [w * _BODY / total for w in tb.widths]


def continuation(tb: TableBlock, style: str) -> None:
    """Break the table over two pages with the title repeated, the header repeated, or neither."""
    body = [i for i, ln in enumerate(tb.lines) if ln.truth]
    if style == "single" or len(body) < 3:
        tb.repeat_header = True
        return
    tb.lines[body[len(body) // 2]].page_break_before = True
    tb.repeat_title = style == "repeat_title"
    tb.repeat_header = style in ("repeat_title", "repeat_header")


# ---- the document --------------------------------------------------------------------------
def _compact_summary(tb: TableBlock) -> None:
    """Keep only the 收支总表 lines that print an amount, numbered again (a publisher's short form)."""
    head = [ln for ln in tb.lines if not ln.truth and ln.cells[0] == "栏次"]
    body = [ln for ln in tb.lines if ln.truth or ln.cells[1] in ("上年结转结余", "其中财政拨款结转结余")]
    rev = [(ln.cells[1], ln.cells[2], [t for t in ln.truth if t.side == "revenue"]) for ln in body
           if ln.cells[1] and (ln.cells[2] or ln.cells[1] in ("收入总计", "本年收入合计"))]
    exp = [(ln.cells[3], ln.cells[4], [t for t in ln.truth if t.side == "expenditure"]) for ln in body
           if ln.cells[3] and ln.cells[4]]
    lines = []
    for i in range(max(len(rev), len(exp))):
        r = rev[i] if i < len(rev) else ("", "", [])
        e = exp[i] if i < len(exp) else ("", "", [])
        lines.append(Line([str(i + 1), r[0], r[1], e[0], e[1]], r[2] + e[2]))
    tb.lines = head + lines


def _alternate_prose(b: Budget, p: build.Printer, t: build.Tweaks, U: str, style: str) -> list[Paragraph]:
    """The revenue or 三公 sentence worded as other publishers do; replaces the seed's sentence."""
    if style == "grand_total":
        grand = b.revenue_total + b.carryover
        g, fs = p.fmt(t.prose.get("total_revenue", grand)), p.fmt(b.s("revenue_fiscal"))
        return [Paragraph(f"{b.year}年预算收入总计 {g} {U}，其中：财政拨款收入 {fs} {U}。",
                          [ClaimSpec("total_revenue", p.wan(g), f"收入总计 {g} {U}"),
                           ClaimSpec("fiscal_appropriation_revenue", p.wan(fs), f"财政拨款收入 {fs} {U}")])]
    tp = b.three_public
    if style == "three_public_fiscal":
        v = p.fmt(tp.total)
        return [Paragraph(f"{b.year}年“三公”经费财政拨款预算 {v} {U}，主要用于保障机构正常运转。",
                          [ClaimSpec("three_public_total", p.wan(v), f"财政拨款预算 {v} {U}")])]
    figs = [("overseas_travel", tp.overseas, "因公出国（境）费 {} " + U),
            ("official_reception", tp.reception, "公务接待费 {} " + U),
            ("vehicle_total", tp.vehicle, "公务用车购置及运行维护费 {} " + U)]
    vals = [p.fmt(x) for _, x, _ in figs]
    text = (f"{b.year}年“三公”经费预算安排如下：因公出国（境）费 {vals[0]} {U}，公务接待费 {vals[1]} {U}，"
            f"公务用车购置及运行维护费 {vals[2]} {U}。")
    return [Paragraph(text, [ClaimSpec(m, p.wan(x), q.format(x)) for (m, _, q), x in zip(figs, vals)])]


def revenue_grouped(b: Budget, p: build.Printer, rng: random.Random, current: str) -> TableBlock:
    """收入总表 with 合计 | 本年收入 (小计 | 财政拨款收入 | 事业收入 | 其他收入) | 上年结转: the carry-over
    a column group of its own beside the current year, 合计 = 本年收入 + 上年结转."""
    kind = "revenue_summary"
    dept = build._header_for(b, p, kind)
    carried = rng.choice(wordings.group_words(kind, "carryover"))
    header = [HeadCell("科目编码", 0, 0, rowspan=2), HeadCell("合计", 0, 1, rowspan=2),
              HeadCell(current, 0, 2, colspan=4), HeadCell(carried, 0, 6, rowspan=2),
              HeadCell("小计", 1, 2), HeadCell("财政拨款收入", 1, 3), HeadCell("事业收入", 1, 4),
              HeadCell("其他收入", 1, 5)]
    items = sorted((ln for ln in b.lines if ln.revenue_fiscal or ln.project_nf or ln.project_cf),
                   key=lambda x: x.code)
    rows = [("合计", None, sum((x.revenue_fiscal for x in items), Z), sum((x.project_nf for x in items), Z),
             sum((x.project_cf for x in items), Z))]
    rows += [("", ln.code, ln.revenue_fiscal, ln.project_nf, ln.project_cf) for ln in items]
    lines = []
    for label, code, f, n, c in rows:
        key = code or "合计"
        f = p.cell(kind, key, "fiscal_appropriation", f)
        cur = f + n
        cells = [code or label, p.fmt(cur + c), p.fmt(cur), p.fmt(f) if f else "", p.fmt(n) if n else "", "",
                 p.fmt(c) if c else ""]
        vals = {"total": p.wan(cells[1]), "current_total": p.wan(cells[2])}
        for i, m in ((3, "fiscal_appropriation"), (4, "business_income"), (6, "carryover")):
            if cells[i]:
                vals[m] = p.wan(cells[i])
        lines.append(Line(cells, [TruthRow(None, code, label, vals)]))
    return TableBlock(kind=kind, title="部门预算收入总表", dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, build.unit_meta(b)],
                      widths=[90, 70, 70, 70, 60, 50, 60], header=header, header_rows=2,
                      lines=lines, align=["l"] + ["r"] * 6, department_code=dept[1],
                      department_name=dept[2])


def names_only(tb: TableBlock, c: int, name_col: int) -> None:
    """Drop the code column: 类/款/项 rows known by their names, indented by level (as many print)."""
    for ln in tb.lines:
        for tr in ln.truth:
            code = tr.code
            if code and code.isdigit():
                level = {3: 0, 5: 1, 7: 2}.get(len(code), 0)
                ln.cells[name_col] = "\u3000" * (2 * level) + ln.cells[name_col]
                tr.code = None
    drop_column(tb, c)


def variant_document(b: Budget, v: Variant, tweaks: build.Tweaks | None = None) -> DocSpec:
    """The variant's DocSpec: the standard tables restyled, the prose sentences that state figures."""
    t = tweaks or build.Tweaks()
    rng = random.Random(f"variant-words:{v.seed}")
    full = build.document(b, t)
    tables = [x for x in full.blocks if isinstance(x, TableBlock) and x.kind not in (
        None, "performance_targets", "assets", "government_fund_expenditure", "soe_capital_expenditure")]
    U = "元" if b.unit == "元" else "万元"
    prose = [replace(x, new_page=False) for x in full.blocks if isinstance(x, Paragraph) and x.claims
             and not any(c.metric.endswith("assets") or c.metric.startswith("increase")
                         or c.metric == "assets_total" for c in x.claims)]
    if v.prose != "seed":
        replaced = "total_revenue" if v.prose == "grand_total" else "three_public_total"
        prose = [x for x in prose if not any(c.metric == replaced for c in x.claims)]
        prose = _alternate_prose(b, build.Printer(b.unit, t), t, U, v.prose) + prose
    if v.revenue_groups != "flat":
        tables = [revenue_grouped(b, build.Printer(b.unit, t), rng, v.revenue_groups) if x.kind == "revenue_summary" else x
                  for x in tables]
    for tb in tables:
        titles = wordings.titles(tb.kind, b.year)
        if titles:
            tb.title = rng.choice(titles)
        if tb.kind in ("revenue_expenditure_summary", "fiscal_summary") and not v.all_categories:
            _compact_summary(tb)
        if tb.kind == "general_budget_expenditure" and not v.basic_subtotal:
            drop_column(tb, 4)
            for ln in tb.lines:
                for tr in ln.truth:
                    tr.values.pop("basic", None)
        if tb.kind in ("expenditure_summary", "general_budget_expenditure") and v.hierarchy == "names":
            names_only(tb, 1, 2)
        elif tb.kind in ("expenditure_summary", "general_budget_expenditure") and v.labels != "code_first":
            if v.labels == "name_first":
                swap_columns(tb, 1, 2)
            else:
                split_code_column(tb, 1)
        if v.header_words:
            reword_header(tb, rng)
        if tb.kind != "procurement":
            numbering_row(tb, v.numbering)
        fit_portrait(tb)
        if tb.kind == "expenditure_summary":
            continuation(tb, v.continuation)
    blocks: list = []
    order = ["revenue_expenditure_summary", "revenue_summary", "expenditure_summary", "fiscal_summary",
             "general_budget_expenditure", "general_budget_basic_expenditure", "three_public"]
    for k in order:
        blocks += [tb for tb in tables if tb.kind == k]
    blocks[0].new_page = True
    blocks += prose
    blocks += [tb for tb in tables if tb.kind == "procurement"]
    return DocSpec(department_code=b.code, department_name=b.name, year=b.year, unit=b.unit,
                   blocks=blocks)


def planted(v: Variant) -> tuple[Budget, build.Tweaks, list[dict]]:
    """Variant ``v``'s budget, the tweaks that plant its fault, and the fault's record (none if clean)."""
    from pipeline.demo import inject

    b = small_budget(v)
    tweaks, recs = build.Tweaks(), []
    if v.fault:
        tweaks, rec = inject(v.fault, b, random.Random(f"fault:{v.seed}"))
        if rec.get("code") and v.fault == "row_sum":
            rec["name"] = next(ln.name for ln in b.lines if ln.code == rec["code"])
        recs.append(rec)
    return b, tweaks, recs


def render_variant(v: Variant, path: str | Path) -> tuple[ParseResult, list[dict]]:
    """Render variant ``v`` to ``path``: its truth, and the planted fault's record (the district's
    ``truth.faults`` format; empty for a clean variant)."""
    from pipeline.demo import _fault_pages

    b, tweaks, recs = planted(v)
    res = render_document(variant_document(b, v, tweaks), path, source_path=Path(path).name)
    d = res.to_dict()
    for rec in recs:
        rec["pages"] = _fault_pages(rec, d)
    return res, recs


def random_variant(rng: random.Random, fault_rate: float = 0.5) -> Variant:
    """A variant with every dimension drawn from ``rng``."""
    return Variant(seed=rng.randrange(10 ** 9), unit=rng.choice(["万元", "元"]),
                   numbering=rng.choice(NUMBERING), continuation=rng.choice(CONTINUATION),
                   basic_subtotal=rng.random() < 0.5, labels=rng.choice(LABELS),
                   header_words=rng.random() < 0.5, all_categories=rng.random() < 0.3,
                   hierarchy=rng.choice(HIERARCHY), revenue_groups=rng.choice(REVENUE_GROUPS),
                   prose=rng.choice(PROSE), carryover=rng.random() < 0.4,
                   fault=rng.choice(FAULTS[1:]) if rng.random() < fault_rate else None)


__all__ = ["Variant", "render_variant", "variant_document", "random_variant", "small_budget"]
