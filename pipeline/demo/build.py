"""Budget → DocSpec: the seed format's tables and prose, with optional printed-figure tweaks (faults).

Why here: titles, column headers and phrasings are copied from the seed disclosure
(/work/shared/seed), and every figure is derived from one Budget, so a clean document satisfies every
identity. ``Tweaks`` changes what is *printed* (a cell, a prose figure, a header code) to inject a
known fault; the truth then records what is printed, and the fault list says what was broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.demo import subjects
from pipeline.demo.budget import Budget, FuncLine, Z
from pipeline.demo.layout import ClaimSpec, DocSpec, HeadCell, Line, Paragraph, TableBlock, TruthRow

#: The expenditure side of the 收支总表, as printed in the seed (2023 template).
CATEGORIES = [
    "一、一般公共服务支出", "二、外交支出", "三、国防支出", "四、公共安全支出", "五、教育支出",
    "六、科学技术支出", "七、文化旅游体育与传媒支出", "八、社会保障和就业支出", "九、社会保险基金支出",
    "十、卫生健康支出", "十一、节能环保支出", "十二、城乡社区支出", "十三、农林水支出", "十四、交通运输支出",
    "十五、资源勘探工业信息等支出", "十六、商业服务业等支出", "十七、金融支出", "十八、援助其他地区支出",
    "十九、自然资源海洋气象等支出", "二十、住房保障支出", "二十一、粮油物资储备支出",
    "二十二、国有资本经营预算支出", "二十三、灾害防治及应急管理支出", "二十四、预备费", "二十五、其他支出",
    "二十六、转移性支出", "二十七、债务还本支出", "二十八、债务付息支出", "二十九、债务发行费用支出",
    "三十、抗疫特别国债安排的支出", "三十一、人行科目",
]
REVENUES = [
    "一、一般公共预算拨款收入", "二、政府性基金预算拨款收入", "三、国有资本经营预算拨款收入",
    "四、财政专户管理资金收入", "五、事业收入", "六、事业单位经营收入", "七、上级补助收入",
    "八、附属单位上缴收入", "九、其他收入",
]
NOTE_GF = "注：无政府基金预算财政拨款预算，空表列式。"
NOTE_SOE = "注：无国有资本经营预算财政拨款预算，空表列式。"
NOTE_3P = "注：无财政拨款“三公”经费支出表预算，空表列式。"
NOTE_PROC = "注：无政府采购预算，空表列式。"


@dataclass
class Tweaks:
    """Printed-figure changes: (kind, row key, measure) → delta; prose metric → printed amount."""

    cell: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    prose: dict[str, Decimal] = field(default_factory=dict)
    header_code: dict[str, str] = field(default_factory=dict)
    header_name: dict[str, str] = field(default_factory=dict)
    #: project form (its 项 code) → delta on its printed 当年财政拨款 (its 年度资金申请总额 kept)
    form_part: dict[str, Decimal] = field(default_factory=dict)


class Printer:
    """Formats amounts in the document's unit and converts printed strings to 万元 for the truth."""

    def __init__(self, unit: str, tweaks: Tweaks | None = None):
        self.unit = unit
        self.t = tweaks or Tweaks()

    def fmt(self, v: Decimal) -> str:
        return f"{v:,.2f}" if self.unit == "元" else f"{v:.2f}"

    def wan(self, printed: str) -> Decimal:
        d = Decimal(printed.replace(",", ""))
        return d.scaleb(-4) if self.unit == "元" else d

    def cell(self, kind: str, key: str, measure: str, v: Decimal) -> Decimal:
        return v + self.t.cell.get((kind, key, measure), Z)


def _header_for(b: Budget, p: Printer, kind: str, bracket: bool | None = None) -> tuple[str, str, str]:
    code = p.t.header_code.get(kind, b.code)
    name = p.t.header_name.get(kind, b.name)
    use_bracket = b.bracket_header if bracket is None else bracket
    return (f"[{code}]{name}" if use_bracket else f"{code} {name}"), code, name


def unit_meta(b: Budget) -> str:
    return "单位：元" if b.unit == "元" else "金额单位：万元"


# ---- side-by-side summaries -----------------------------------------------------------------
def summary_table(kind: str, title: str, dept: tuple[str, str, str], meta: list[str],
                  revenue: dict[str, str], expenditure: dict[str, str],
                  bottom: list[tuple[str, str, str, str]], p: Printer, wide: bool,
                  meta_inline: bool = False) -> TableBlock:
    """收支总表 / 财政拨款收支总表: revenue and expenditure items side by side, printed strings given."""
    widths = [40, 150, 70, 170, 70] if wide else [40, 92, 80, 80, 80]
    header = [HeadCell("序号", 0, 0, rowspan=2), HeadCell("收入", 0, 1, colspan=2),
              HeadCell("支出", 0, 3, colspan=2), HeadCell("项目", 1, 1), HeadCell("预算数", 1, 2),
              HeadCell("项目", 1, 3), HeadCell("预算数", 1, 4)]
    lines = [Line(["栏次", "1", "2", "3", "4"])]
    n = max(len(REVENUES), len(CATEGORIES))
    seq = 0
    for i in range(n):
        seq += 1
        rl = REVENUES[i] if i < len(REVENUES) else ""
        el = CATEGORIES[i] if i < len(CATEGORIES) else ""
        ra, ea = revenue.get(rl, ""), expenditure.get(el, "")
        lines.append(_pair_line(seq, rl, ra, el, ea, p))
    for rl, ra, el, ea in bottom:
        seq += 1
        lines.append(_pair_line(seq, rl, ra, el, ea, p))
    return TableBlock(kind=kind, title=title, dept_line=dept[0], meta=meta, widths=widths,
                      header=header, header_rows=2, lines=lines, align=["c", "l", "r", "l", "r"],
                      department_code=dept[1], department_name=dept[2], font_size=10.5 if not wide else 9,
                      min_row_height=26 if not wide else 20, meta_inline=meta_inline)


def _pair_line(seq: int, rl: str, ra: str, el: str, ea: str, p: Printer) -> Line:
    truth = []
    if ra:
        truth.append(TruthRow("revenue", None, rl, {"amount": p.wan(ra)}, cols=(1, 2)))
    if ea:
        truth.append(TruthRow("expenditure", None, el, {"amount": p.wan(ea)}, cols=(3, 4)))
    return Line([str(seq), rl, ra, el, ea], truth)


def _category_label(code3: str) -> str:
    name = subjects.fname(code3)
    for c in CATEGORIES:
        if c.split("、", 1)[1] == name:
            return c
    raise KeyError(code3)


def summaries(b: Budget, p: Printer) -> list[TableBlock]:
    """部门预算收支总表 and 部门预算财政拨款收支总表."""
    out = []
    for kind in ("revenue_expenditure_summary", "fiscal_summary"):
        fiscal = kind == "fiscal_summary"
        rev: dict[str, str] = {}
        gb = b.s("basic") + b.s("project_gb")
        gf = b.s("project_gf")
        nf = b.s("project_nf")
        if gb:
            rev[REVENUES[0]] = p.fmt(p.cell(kind, REVENUES[0], "amount", gb))
        if gf:
            rev[REVENUES[1]] = p.fmt(p.cell(kind, REVENUES[1], "amount", gf))
        if nf and not fiscal:
            rev[REVENUES[4]] = p.fmt(p.cell(kind, REVENUES[4], "amount", nf))
        cats: dict[str, Decimal] = {}
        for ln in b.lines:
            v = ln.fiscal if fiscal else ln.total
            if v:
                lab = _category_label(ln.code[:3])
                cats[lab] = cats.get(lab, Z) + v
        exp = {k: p.fmt(p.cell(kind, k, "amount", v)) for k, v in cats.items()}
        inc = gb + gf + (Z if fiscal else nf)
        spent = sum(cats.values(), Z)
        cf = b.carryover
        bottom = [("本年收入合计", p.fmt(inc), "本年支出合计", p.fmt(spent)),
                  ("上年结转结余", p.fmt(cf) if cf else "", "年终结转结余", ""),
                  ("其中财政拨款结转结余", p.fmt(cf) if cf else "", "", ""),
                  ("非财政拨款结转结余", "", "", ""),
                  ("收入总计", p.fmt(inc + cf), "支出总计", p.fmt(spent))]
        if fiscal:
            title = "部门预算财政拨款收支总表"
            dept = _header_for(b, p, kind, bracket=True)
            t = summary_table(kind, title, dept, ["预算年度：%d" % b.year, unit_meta(b)], rev, exp,
                              bottom, p, wide=True, meta_inline=True)
        else:
            title = "部门预算收支总表"
            dept = _header_for(b, p, kind, bracket=False)
            t = summary_table(kind, title, dept, ["预算年度：%d" % b.year, unit_meta(b)], rev, exp,
                              bottom, p, wide=False)
        out.append(t)
    return out


# ---- functional tables ----------------------------------------------------------------------
def _tree(lines: list[FuncLine], attrs: list[str]) -> list[tuple[str, str, dict[str, Decimal]]]:
    """类 / 款 / 项 rows in code order with summed attributes."""
    rows: list[tuple[str, str, dict[str, Decimal]]] = []
    by = sorted(lines, key=lambda ln: ln.code)
    seen: set[str] = set()
    for ln in by:
        for code in (ln.code[:3], ln.code[:5]):
            if code not in seen:
                seen.add(code)
                members = [x for x in by if x.code.startswith(code)]
                rows.append((code, subjects.fname(code),
                             {a: sum((getattr(x, a) for x in members), Z) for a in attrs}))
        rows.append((ln.code, ln.name, {a: getattr(ln, a) for a in attrs}))
    return rows


def revenue_summary(b: Budget, p: Printer) -> TableBlock:
    kind = "revenue_summary"
    dept = _header_for(b, p, kind)
    heads = ["本年收入合计", "财政拨款\n收入", "上级补助收\n入", "事业收\n入", "经营收\n入",
             "附属单\n位上缴\n收入", "其他收入"]
    header = [HeadCell("科目", 0, 0), HeadCell("功能分类科目\n编码", 1, 0)]
    header += [HeadCell(h, 0, i + 1, rowspan=2) for i, h in enumerate(heads)]
    lines = []
    items = [ln for ln in b.lines if ln.revenue_fiscal or ln.project_nf]
    tot_f = sum((ln.revenue_fiscal for ln in items), Z)
    tot_n = sum((ln.project_nf for ln in items), Z)
    rows = [("合计", None, tot_f, tot_n)] + [("", ln.code, ln.revenue_fiscal, ln.project_nf)
                                           for ln in sorted(items, key=lambda x: x.code)]
    for label, code, f, n in rows:
        key = code or "合计"
        f = p.cell(kind, key, "fiscal_appropriation", f)
        tot = p.cell(kind, key, "total", f + n)
        cells = [code or label, p.fmt(tot), p.fmt(f) if f else "", "", p.fmt(n) if n else "", "", "", ""]
        vals = {"total": p.wan(cells[1])}
        if f:
            vals["fiscal_appropriation"] = p.wan(cells[2])
        if n:
            vals["business_income"] = p.wan(cells[4])
        lines.append(Line(cells, [TruthRow(None, code, label, vals)]))
    return TableBlock(kind=kind, title="部门预算收入总表", dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, "单位：元" if b.unit == "元" else "单位：万元"],
                      widths=[90, 70, 60, 55, 45, 45, 50, 55], header=header, header_rows=2,
                      lines=lines, align=["l"] + ["r"] * 7, department_code=dept[1],
                      department_name=dept[2])


def expenditure_summary(b: Budget, p: Printer) -> TableBlock:
    kind = "expenditure_summary"
    dept = _header_for(b, p, kind)
    heads = ["序号", "科目编码", "科目名称", "合计", "基本支出", "项目支出", "事业单\n位经营\n支出",
             "上缴上\n级支出", "对附属单位\n补助支出"]
    header = [HeadCell(h, 0, i) for i, h in enumerate(heads)]
    lines = [Line(["栏次"] + [str(i) for i in range(1, 9)])]
    tree = _tree(b.lines, ["total", "basic", "project"])
    seq = 0
    for code, name, v in tree + [("", "合计", {"total": b.s("total"), "basic": b.s("basic"),
                                               "project": b.s("project")})]:
        seq += 1
        key = code or "合计"
        tot = p.cell(kind, key, "total", v["total"])
        bas = p.cell(kind, key, "basic", v["basic"])
        pro = p.cell(kind, key, "project", v["project"])
        cells = [str(seq), code, name, p.fmt(tot), p.fmt(bas) if bas else "0",
                 p.fmt(pro) if pro else "", "", "", ""]
        vals = {"total": p.wan(cells[3]), "basic": p.wan(cells[4]) if bas else Decimal("0")}
        if pro:
            vals["project"] = p.wan(cells[5])
        lines.append(Line(cells, [TruthRow(None, code or None, name, vals)]))
    amount_w = 58 if b.unit == "万元" else 72
    return TableBlock(kind=kind, title="部门预算支出总表", dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, unit_meta(b)],
                      widths=[30, 56, 48, amount_w, amount_w, amount_w, 40, 40, 52], header=header,
                      header_rows=1, lines=lines, align=["c", "l", "l"] + ["r"] * 6,
                      department_code=dept[1], department_name=dept[2])


def general_budget_expenditure(b: Budget, p: Printer) -> TableBlock:
    kind = "general_budget_expenditure"
    dept = _header_for(b, p, kind)
    header = [HeadCell("序号", 0, 0, rowspan=2), HeadCell("支出功能分类科目", 0, 1, colspan=2),
              HeadCell("合计", 0, 3, rowspan=2), HeadCell("基本支出", 0, 4, colspan=3),
              HeadCell("项目支出", 0, 7, rowspan=2), HeadCell("科目编码", 1, 1),
              HeadCell("科目名称", 1, 2), HeadCell("小计", 1, 4), HeadCell("人员经费", 1, 5),
              HeadCell("公用经费", 1, 6)]
    lines = [Line(["栏次"] + [str(i) for i in range(1, 8)])]
    gl = [ln for ln in b.lines if ln.general_budget]
    attrs = ["general_budget", "basic", "personnel", "public", "project_gb"]
    tot = {a: sum((getattr(x, a) for x in gl), Z) for a in attrs}
    seq = 0
    for code, name, v in [("", "合计", tot)] + _tree(gl, attrs):
        seq += 1
        key = code or "合计"
        m = {"total": v["general_budget"], "basic": v["basic"], "personnel": v["personnel"],
             "public_funds": v["public"], "project": v["project_gb"]}
        m = {k: p.cell(kind, key, k, x) for k, x in m.items()}
        cells = [str(seq), code, name] + [p.fmt(m[k]) if m[k] else "" for k in
                                          ("total", "basic", "personnel", "public_funds", "project")]
        vals = {k: p.wan(cells[3 + i]) for i, k in
                enumerate(("total", "basic", "personnel", "public_funds", "project")) if cells[3 + i]}
        lines.append(Line(cells, [TruthRow(None, code or None, name, vals)]))
    narrow = 30 if b.unit == "万元" else 64
    return TableBlock(kind=kind, title="部门预算一般公共预算财政拨款支出表", dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, unit_meta(b)],
                      widths=[40, 80, 62, narrow, narrow, 90, 90, 90], header=header, header_rows=2,
                      lines=lines, align=["c", "l", "l"] + ["r"] * 5, landscape=True,
                      department_code=dept[1], department_name=dept[2], meta_inline=True)


def basic_expenditure(b: Budget, p: Printer) -> TableBlock:
    kind = "general_budget_basic_expenditure"
    dept = _header_for(b, p, kind)
    header = [HeadCell("序号", 0, 0, rowspan=2), HeadCell("支出单位经济分类科目", 0, 1, colspan=2),
              HeadCell("一般公共预算基本支出", 0, 3, colspan=3), HeadCell("科目编码", 1, 1),
              HeadCell("科目名称", 1, 2), HeadCell("合计", 1, 3), HeadCell("人员经费", 1, 4),
              HeadCell("公用经费", 1, 5)]
    lines = [Line(["栏次"] + [str(i) for i in range(1, 6)])]
    rows: list[tuple[str, str, Decimal, Decimal]] = [("", "合计", b.personnel, b.public)]
    for cls in sorted({e.code[:3] for e in b.econ}):
        mem = sorted((e for e in b.econ if e.code.startswith(cls)), key=lambda e: e.code)
        per = sum((e.amount for e in mem if e.is_personnel), Z)
        pub = sum((e.amount for e in mem if not e.is_personnel), Z)
        rows.append((cls, subjects.ename(cls), per, pub))
        rows += [(e.code, e.name, e.amount if e.is_personnel else Z, Z if e.is_personnel else e.amount)
                 for e in mem]
    seq = 0
    for code, name, per, pub in rows:
        seq += 1
        key = code or "合计"
        per = p.cell(kind, key, "personnel", per)
        pub = p.cell(kind, key, "public_funds", pub)
        tot = p.cell(kind, key, "total", per + pub)
        cells = [str(seq), code, name, p.fmt(tot), p.fmt(per) if per else "", p.fmt(pub) if pub else ""]
        vals = {"total": p.wan(cells[3])}
        if per:
            vals["personnel"] = p.wan(cells[4])
        if pub:
            vals["public_funds"] = p.wan(cells[5])
        lines.append(Line(cells, [TruthRow(None, code or None, name, vals)]))
    narrow = 30 if b.unit == "万元" else 64
    return TableBlock(kind=kind, title="部门预算一般公共预算财政拨款基本支出表", dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, unit_meta(b)],
                      widths=[30, 60, 150, narrow, 80, 80], header=header, header_rows=2, lines=lines,
                      align=["c", "l", "l", "r", "r", "r"], department_code=dept[1],
                      department_name=dept[2], meta_inline=True, repeat_header=b.year % 2 == 1)


def fund_table(b: Budget, p: Printer, kind: str) -> TableBlock:
    """政府基金 / 国有资本经营 tables: usually empty with their 注."""
    dept = _header_for(b, p, kind)
    header = [HeadCell("序号", 0, 0, rowspan=2), HeadCell("支出功能分类科目", 0, 1, colspan=2),
              HeadCell("合计", 0, 3, rowspan=2), HeadCell("基本支出", 0, 4, rowspan=2),
              HeadCell("项目支出", 0, 5, rowspan=2), HeadCell("科目编码", 1, 1), HeadCell("科目名称", 1, 2)]
    lines = [Line(["栏次"] + [str(i) for i in range(1, 6)])]
    gl = [ln for ln in b.lines if ln.project_gf] if kind == "government_fund_expenditure" else []
    note = None
    if gl:
        tot = sum((x.project_gf for x in gl), Z)
        seq = 0
        for code, name, v in [("", "合计", {"project_gf": tot})] + _tree(gl, ["project_gf"]):
            seq += 1
            key = code or "合计"
            x = p.cell(kind, key, "total", v["project_gf"])
            cells = [str(seq), code, name, p.fmt(x), "", p.fmt(x)]
            lines.append(Line(cells, [TruthRow(None, code or None, name,
                                               {"total": p.wan(cells[3]), "project": p.wan(cells[5])})]))
    else:
        note = NOTE_GF if kind == "government_fund_expenditure" else NOTE_SOE
    title = ("部门预算政府基金预算财政拨款支出表" if kind == "government_fund_expenditure"
             else "部门预算国有资本经营预算财政拨款支出表")
    return TableBlock(kind=kind, title=title, dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, unit_meta(b)], widths=[30, 70, 150, 80, 80, 80],
                      header=header, header_rows=2, lines=lines, align=["c", "l", "l", "r", "r", "r"],
                      note=note, department_code=dept[1], department_name=dept[2], meta_inline=True)


def three_public(b: Budget, p: Printer) -> TableBlock:
    kind = "three_public"
    dept = _header_for(b, p, kind, bracket=False)
    header = [HeadCell("序号", 0, 0, rowspan=2), HeadCell("项 目", 0, 1, rowspan=2),
              HeadCell("资 金 性 质", 0, 2, colspan=4), HeadCell("合计", 1, 2),
              HeadCell("一般公共预算\n财政拨款", 1, 3), HeadCell("政府性基金\n预算拨款", 1, 4),
              HeadCell("国有资本经营\n预算财政拨款", 1, 5)]
    lines = [Line(["栏次"] + [str(i) for i in range(1, 6)])]
    tp = b.three_public
    note = None
    if tp.total:
        rows = [("合计", tp.total), ("因公出国(境)费", tp.overseas), ("公务接待费", tp.reception),
                ("公务用车购置及运行费", tp.vehicle), ("其中：公务用车购置费", tp.vehicle_purchase),
                ("公务用车运行费", tp.vehicle_operation)]
        for seq, (name, v) in enumerate(rows, 1):
            v = p.cell(kind, name, "total", v)
            cells = [str(seq), name, p.fmt(v), p.fmt(v), "", ""]
            lines.append(Line(cells, [TruthRow(None, None, name, {"total": p.wan(cells[2]),
                                                                  "general_budget": p.wan(cells[3])})]))
    else:
        note = NOTE_3P
    return TableBlock(kind=kind, title="部门预算财政拨款“三公”经费支出表", dept_line=dept[0],
                      meta=["预算年度：%d" % b.year, "单位：元" if b.unit == "元" else "单位：万元"],
                      widths=[30, 150, 70, 80, 80, 80], header=header, header_rows=2, lines=lines,
                      align=["c", "l", "r", "r", "r", "r"], note=note, department_code=dept[1],
                      department_name=dept[2])


def procurement_table(b: Budget, p: Printer, dept: tuple[str, str, str] | None = None,
                      strings: list[list[str]] | None = None, breaks: tuple[int, ...] = ()) -> TableBlock:
    """单位政府采购预算. ``strings`` gives the printed cells directly (the seed's own figures)."""
    kind = "procurement"
    dept = dept or _header_for(b, p, kind, bracket=False)
    header = [HeadCell("政府采购项目来源", 0, 0, colspan=2), HeadCell("采购物品名称", 0, 2, rowspan=3),
              HeadCell("政府采购目录序号", 0, 3, rowspan=3), HeadCell("数量单位", 0, 4, rowspan=3),
              HeadCell("数量", 0, 5, rowspan=3), HeadCell("单价", 0, 6, rowspan=3),
              HeadCell("政府采购金额", 0, 7, colspan=7), HeadCell("项目名称", 1, 0, rowspan=2),
              HeadCell("预算资金", 1, 1, rowspan=2), HeadCell("总计", 1, 7, rowspan=2),
              HeadCell("当年部门预算安排资金", 1, 8, colspan=5), HeadCell("其他渠道资金", 1, 13, rowspan=2),
              HeadCell("合计", 2, 8), HeadCell("一般公共预算拨款", 2, 9), HeadCell("基金预算拨款", 2, 10),
              HeadCell("财政专户核拨", 2, 11), HeadCell("其他来源收入", 2, 12)]
    if strings is None:
        strings = []
        tot = sum((x.amount for x in b.procurement), Z)
        if b.procurement:
            strings.append(["合计", "", "", "", "", "", ""] + [p.fmt(tot)] * 3 + [""] * 4)
        for x in b.procurement:
            a = p.fmt(x.amount)
            strings.append([x.project, p.fmt(x.budget), x.item, x.catalogue_no, x.unit_q, str(x.quantity),
                            p.fmt(x.price), a, a, a, "", "", "", ""])
    lines = []
    measures = {1: "budget", 5: "quantity", 6: "unit_price", 7: "amount", 8: "total",
                9: "general_budget", 10: "government_fund", 11: "fiscal_special_account",
                12: "other_income", 13: "other_channel"}
    for i, cells in enumerate(strings):
        vals = {}
        for c, m in measures.items():
            if cells[c]:
                vals[m] = Decimal(cells[c]) if m == "quantity" else p.wan(cells[c])
        is_total = cells[0] == "合计"
        attrs = {} if is_total else {"project": cells[0], "unit_of_quantity": cells[4]}
        if cells[3]:
            attrs["catalogue_no"] = cells[3]
        tr = TruthRow(None, None, "合计" if is_total else cells[2], vals, attrs)
        lines.append(Line(cells, [tr], page_break_before=i in breaks))
    note = None if strings else NOTE_PROC
    return TableBlock(kind=kind, title="单位政府采购预算", dept_line=dept[0],
                      meta=["单位：元" if b.unit == "元" else "单位：万元"],
                      widths=[96, 44, 70, 50, 40, 34, 40, 50, 50, 58, 48, 48, 48, 48], header=header,
                      header_rows=3, lines=lines, align=["l", "r", "l", "c", "c", "r", "r"] + ["r"] * 7,
                      note=note, landscape=True, repeat_header=False, repeat_meta=True,
                      department_code=dept[1], department_name=dept[2], new_page=True, font_size=8.5)


FORM_FUNDS = "项目资金"
FORM_PARTS = ("其中：当年财政拨款", "上年结转资金", "其他资金")


def form_funds_lines(pt, p: Printer) -> list[Line]:
    """A form's 项目资金 block (when it prints one): under a first-column group cell, one label | amount
    pair a line: 年度资金申请总额, then 当年财政拨款 + 上年结转资金 + 其他资金 (Putuo's form layout)."""
    if pt.funds is None:
        return []
    parts = list(pt.funds)
    parts[0] += p.t.form_part.get(pt.code, Z)
    pairs = [("年度资金申请总额", sum(pt.funds, Z))] + list(zip(FORM_PARTS, parts))
    lines = []
    for i, (label, v) in enumerate(pairs):
        s = p.fmt(v)
        cells = [FORM_FUNDS if i == 0 else "", "", label, s, "", ""]
        tr = TruthRow(None, None, label, {"amount": p.wan(s)}, {"group": FORM_FUNDS}, cols=(2, 3))
        lines.append(Line(cells, [tr], merged_above=frozenset({0}) if i else frozenset()))
    return lines


def perf_table(pt, subkind: str = "project", p: Printer | None = None) -> TableBlock:
    """项目绩效目标表: 一级/二级/三级指标, 绩效指标描述, 指标值, 指标值确定依据 (after the 项目资金 block,
    when the form prints one)."""
    header = [HeadCell("绩效目标", 0, 0, colspan=3), HeadCell(pt.project, 0, 3, colspan=3)]
    heads = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    header += [HeadCell(h, 1, i) for i, h in enumerate(heads)]
    lines = form_funds_lines(pt, p) if p is not None else []
    prev = None
    for ind in pt.indicators:
        merged = frozenset({0}) if prev == ind.level1 else frozenset()
        cells = ["" if merged else ind.level1, ind.level2, ind.indicator, ind.description, ind.value,
                 ind.basis]
        attrs = {"project": pt.project, "level1": ind.level1, "level2": ind.level2,
                 "indicator": ind.indicator, "description": ind.description, "value": ind.value,
                 "basis": ind.basis, "subkind": subkind}
        lines.append(Line(cells, [TruthRow(None, None, ind.indicator, {}, attrs)], merged_above=merged))
        prev = ind.level1
    return TableBlock(kind="performance_targets", title=pt.title, dept_line="", meta=[],
                      widths=[56, 64, 90, 120, 60, 121], header=header, header_rows=2, lines=lines,
                      align=["c", "c", "l", "l", "c", "l"], new_page=False, title_size=11,
                      min_row_height=20)


def assets_table(b: Budget, p: Printer, title: str = "部门固定资产占用情况表",
                 dept_text: str | None = None, as_of_text: str | None = None) -> TableBlock:
    a = b.assets
    y, m, d = a.as_of.split("-")
    as_of_text = as_of_text or f"截止时间：{y} 年 {int(m)} 月 {int(d)} 日"
    unit = "元" if b.unit == "元" else "万元"
    header = [HeadCell("项 目", 0, 0), HeadCell("数量", 0, 1), HeadCell(f"价值 (金额单位: {unit})", 0, 2)]
    rows = [("资产总额", "—", a.total), ("1、房屋（平方米）",) + a.houses,
            ("其中：办公用房（平方米）",) + a.office, ("2、车辆（台、辆）",) + a.vehicles,
            ("3、单价在 20 万元以上的设备",) + a.equipment, ("4、其他固定资产", "", a.other_fixed)]
    lines = []
    for name, q, v in rows:
        cells = [name, q, p.fmt(v) if v is not None else ""]
        vals: dict[str, Decimal] = {}
        if q and q != "—":
            vals["quantity"] = Decimal(q)
        if v is not None:
            vals["amount"] = p.wan(cells[2])
        tr = [TruthRow(None, None, name.replace(" ", ""), vals, {"as_of": a.as_of})] if vals else []
        lines.append(Line(cells, tr))
    dept_text = dept_text or f"{b.code}{b.name}"
    return TableBlock(kind="assets", title=title, dept_line=dept_text, meta=[as_of_text],
                      widths=[220, 80, 160], header=header, header_rows=1, lines=lines,
                      align=["l", "c", "r"], new_page=False, title_size=12,
                      department_code=b.code, department_name=dept_text[len(b.code):])


# ---- prose ----------------------------------------------------------------------------------
class Prose:
    """Collects paragraphs and the claims their figures make (amounts converted to 万元)."""

    def __init__(self, p: Printer, tweaks: Tweaks):
        self.p = p
        self.t = tweaks
        self.blocks: list[Paragraph] = []

    def fig(self, metric: str | None, v: Decimal) -> str:
        if metric and metric in self.t.prose:
            v = self.t.prose[metric]
        return self.p.fmt(v)

    def para(self, template: str, figs: list[tuple[str | None, Decimal, str]] = (), **kw) -> None:
        """template uses {0}, {1} … for figures; each fig is (metric, value, quote template)."""
        vals = [self.fig(m, v) for m, v, _ in figs]
        text = template.format(*vals)
        claims = []
        for (m, _, q), s in zip(figs, vals):
            if m:
                claims.append(ClaimSpec(m, self.p.wan(s), q.format(s)))
        self.blocks.append(Paragraph(text, claims, **kw))

    def head(self, text: str, **kw) -> None:
        self.blocks.append(Paragraph(text, heading=True, size=kw.pop("size", 12), **kw))


GLOSSARY = [
    "(一) 基本支出：行政事业单位为保障其机构正常运转、完成日常工作任务而编制的年度基本支出计划，包括人员经费（工资福利支出及对个人和家庭补助支出）和公用经费。",
    "(二) 工资福利性支出：单位开支的在职职工（含编内实有人员和长期聘用人员）各类劳动报酬以及缴纳的各项社会保险费支出等。",
    "(三) 对个人和家庭补助支出：单位开支用于个人和家庭的补助支出，具体包括离退休人员经费、退职费、住房公积金、抚恤等。",
    "(四) 公用经费：包括公用综合定额经费、物业管理费、水电费、公务用车运行维护费、公务用车购置费以及工会经费等。",
    "(五) 项目支出：行政事业单位为完成其特定工作任务或事业发展目标编制的年度项目支出计划，包括：一般性项目支出、专项性项目支出（财政专项资金、政府性基金）、政府投资项目支出和上级补助项目支出。",
    "(六) 财政预算拨款（补助）：包括公共财政预算拨款、政府性基金预算拨款和财政专户拨款。",
    "(七) 事业收入：事业单位开展专业业务活动及其辅助活动取得的经核准不上缴国库或财政专户的资金和从财政专户核拨返还给事业单位的资金。",
    "(八) 事业单位经营收入：事业单位在专业业务活动及辅助活动之外开展非独立核算经营活动取得的收入。包括从财政专户核拨返还给事业单位的经营收入。",
    "(九) 其他收入：预算单位取得的除上述规定以外的各项收入。",
    "(十) 上级补助收入：单位从主管部门和上级单位取得的非财政补助收入。",
    "(十一) 附属单位上缴收入：事业单位附属的独立核算单位按有关规定上缴的收入。",
    "(十二) 上年结转（结余）：预算单位历年结余经财政部门审核同意在本年使用的资金（预计）数。",
    "(十三) 三公经费：包括因公出国（境）经费、公务接待经费和公务用车购置及运行支出（交通费）。",
]

TOC = ["部门预算收支总表", "部门预算收入总表", "部门预算支出总表", "部门预算财政拨款收支总表",
       "部门预算一般公共预算财政拨款支出表", "部门预算一般公共预算财政拨款基本支出表",
       "部门预算政府基金预算财政拨款支出表", "部门预算国有资本经营预算财政拨款支出表",
       "部门预算财政拨款“三公”经费支出表"]
TOC2 = ["一、部门职责及机构设置情况", "二、部门预算安排的总体情况", "三、机关运行经费安排情况",
        "四、财政拨款“三公”经费预算情况及增减变化原因", "五、预算绩效信息", "六、政府采购预算情况",
        "七、国有资产信息", "八、名词解释", "九、其他需要说明的事项"]


def cover(year: int) -> list[Paragraph]:
    out = [Paragraph(f"{year} 年部门预算信息公开目录", heading=True, center=True, size=16, new_page=True),
           Paragraph("第一部分 部门预算", heading=True, size=12, indent=False),
           Paragraph("部门预算公开表", size=11, indent=False)]
    out += [Paragraph(t, size=10.5) for t in TOC]
    out.append(Paragraph("部门预算公开情况说明", size=11, indent=False))
    out += [Paragraph(t, size=10.5) for t in TOC2]
    out.append(Paragraph("第一部分 部门预算", heading=True, center=True, size=16, new_page=True))
    return out


def org_table(b: Budget, kind_text: str = "行政", level: str = "正科级") -> TableBlock:
    """部门机构设置情况: a ruled table that is none of TABLE_KINDS (kind None: not in the truth)."""
    header = [HeadCell(h, 0, i) for i, h in enumerate(["单位名称", "单位性质", "单位规格", "经费保障形式"])]
    return TableBlock(kind=None, title="部门机构设置情况", dept_line="", meta=[],
                      widths=[230, 70, 70, 100], header=header, header_rows=1,
                      lines=[Line([f"{b.name}（机关）", kind_text, level, "财政拨款"])],
                      align=["l", "c", "c", "c"], new_page=False, title_size=11)


def change_word(d: Decimal) -> tuple[str, Decimal]:
    return ("增加", d) if d >= 0 else ("减少", -d)


def document(b: Budget, tweaks: Tweaks | None = None) -> DocSpec:
    """The whole disclosure of a generated department in the seed's format."""
    t = tweaks or Tweaks()
    p = Printer(b.unit, t)
    U = "元" if b.unit == "元" else "万元"
    blocks: list = cover(b.year)
    blocks += summaries(b, p)[:1]
    blocks.append(revenue_summary(b, p))
    blocks.append(expenditure_summary(b, p))
    blocks.append(summaries(b, p)[1])
    blocks.append(general_budget_expenditure(b, p))
    blocks.append(basic_expenditure(b, p))
    blocks.append(fund_table(b, p, "government_fund_expenditure"))
    blocks.append(fund_table(b, p, "soe_capital_expenditure"))
    blocks.append(three_public(b, p))
    pr = Prose(p, t)
    pr.head(f"{b.name} {b.year}年部门预算信息公开", center=True, size=14, new_page=True)
    pr.para(f"按照《预算法》、《地方预决算公开操作规程》和《河北省省级预算公开办法》规定，现将 {b.year} 年部门预算公开如下：")
    pr.head("一、部门职责及机构设置情况")
    pr.para("部门职责：" + b.duties)
    pr.para("机构设置：")
    blocks += pr.blocks
    pr.blocks = []
    blocks.append(org_table(b))
    pr.head("二、部门预算安排的总体情况")
    pr.para(f"我部门为一级预算单位，无下属单位。预算部门为{b.short}本级预算，不包含下属部门预算。")
    pr.para(f"1、{b.year}年单位预算安排收入情况", indent=False)
    gf = b.s("project_gf")
    rev_f = b.s("revenue_fiscal")
    pr.para("预算收入合计为 {0} %s，其中：财政拨款收入 {1} %s，政府性基金预算 {2} %s，财政专户核拨收入 0 %s，其他来源收入 {3} %s。"
            % (U, U, U, U, U),
            [("total_revenue", b.revenue_total, "预算收入合计为 {} " + U),
             ("fiscal_appropriation_revenue", rev_f, "财政拨款收入 {} " + U),
             (None, gf, ""), (None, b.s("project_nf"), "")])
    pr.para(f"2、{b.year}年支出情况", indent=False)
    basic, proj, tot = b.s("basic"), b.s("project"), b.s("total")
    pr.para("本年支出合计 {0} %s，其中：基本支出 {1} %s，包括人员经费支出 {2} %s，日常公用经费支出 {3} %s，项目支出 {4} %s，上缴上级支出 0 元，对附属单位补助支出 0 元。"
            % (U, U, U, U, U),
            [("total_expenditure", tot, "本年支出合计 {} " + U), ("basic_expenditure", basic, "基本支出 {} " + U),
             ("personnel_expenditure", b.personnel, "人员经费支出 {} " + U),
             ("public_funds_expenditure", b.public, "日常公用经费支出 {} " + U),
             ("project_expenditure", proj, "项目支出 {} " + U)])
    pr.para("3、比上年增减情况", indent=False)
    d_tot = t.prose.get("increase_total", tot - b.prior[0])
    d_bas = t.prose.get("increase_basic", basic - b.prior[1])
    d_pro = t.prose.get("increase_project", proj - b.prior[2])
    w1, a1 = change_word(d_tot)
    w2, a2 = change_word(d_bas)
    w3, a3 = change_word(d_pro)
    sign = {"增加": 1, "减少": -1}
    text = (f"{b.year} 年，部门预算收支安排 {p.fmt(tot)} {U}，较 {b.year - 1} 年{w1} {p.fmt(a1)} {U}，其中：基本支出{w2}了 "
            f"{p.fmt(a2)} {U}，主要是 {b.year} 年调整了相应的工资、保险基数；项目支出{w3} {p.fmt(a3)} {U}，"
            f"主要是由于项目安排调整。")
    pr.blocks.append(Paragraph(text, [
        ClaimSpec("increase_total", sign[w1] * p.wan(p.fmt(a1)), f"较 {b.year - 1} 年{w1} {p.fmt(a1)} {U}"),
        ClaimSpec("increase_basic", sign[w2] * p.wan(p.fmt(a2)), f"基本支出{w2}了 {p.fmt(a2)} {U}"),
        ClaimSpec("increase_project", sign[w3] * p.wan(p.fmt(a3)), f"项目支出{w3} {p.fmt(a3)} {U}")]))
    pr.head("三、机关运行经费安排情况")
    pub_lines = [e for e in b.econ if not e.is_personnel]
    meeting = b.econ_amount("30215")
    training = b.econ_amount("30216") or b.training
    parts = "、".join(f"{e.name} {{{i + 1}}} {U}" for i, e in enumerate(pub_lines))
    figs = [("operating_expenses_of_organ", b.public, "机关运行经费共计安排 {} " + U)]
    figs += [(None, e.amount, "") for e in pub_lines]
    figs.append(("meeting_expenses", meeting, "会议费 {} " + U))
    pr.para(f"机关运行经费共计安排 {{0}} {U}，主要用于" + parts
            + f"，会议费 {{{len(figs) - 1}}} {U}等支出,其他经费支出为 0 元。", figs)
    pr.head("四、财政拨款“三公”经费预算情况及增减变化原因")
    tp = b.three_public
    w4, a4 = change_word(tp.total - b.prior_three_public)
    pr.para((f"{b.year}年“三公”经费公共预算财政拨款预算支出{{0}}{U}，比上年{w4}{{1}}{U}，具体支出情况如下："
             f"（一）公务用车购置及运行维护费支出{{2}}{U}。①公务用车购置支出{{3}}{U}。②公务用车运行维护费支出{{4}}{U}。"
             f"（二）公务接待费支出{{5}}{U}。（三）因公出国（境）费支出{{6}}{U}。（四）会议费支出{{7}}{U}。"
             f"培训费支出{{8}}{U}。"),
            [("three_public_total", tp.total, "预算支出{}" + U), (None, a4, ""),
             ("vehicle_total", tp.vehicle, "公务用车购置及运行维护费支出{}" + U),
             ("vehicle_purchase", tp.vehicle_purchase, "公务用车购置支出{}" + U),
             ("vehicle_operation", tp.vehicle_operation, "公务用车运行维护费支出{}" + U),
             ("official_reception", tp.reception, "公务接待费支出{}" + U),
             ("overseas_travel", tp.overseas, "因公出国（境）费支出{}" + U),
             ("meeting_expenses", meeting, "会议费支出{}" + U),
             ("training_expenses", training, "培训费支出{}" + U)])
    pr.para("三公经费变动主要原因分别是：公车改革后取消公务用车，公务接待相对减少，严控因公出国出境。")
    pr.para("会议费情况：本年度会议费支出{0}%s，基本以上年度保持持平状态。" % U,
            [("meeting_expenses", meeting, "会议费支出{}" + U)])
    pr.head("五、预算绩效信息")
    pr.para("第一部分：部门整体绩效目标", indent=False)
    pr.para("我部门按照部门职责设定整体绩效目标，保障各项工作顺利开展。")
    pr.para("第二部分：专项资金绩效目标", indent=False)
    pr.para(f"我部门 {b.year} 年无专项资金预算。")
    pr.para("第三部分：预算项目绩效目标", indent=False)
    funded = [pt for pt in b.perf if pt.funds is not None]
    if funded:
        n = len(funded)
        pr.para(f"编报绩效目标的项目{n}个，涉及项目预算资金{{0}}{U}。",
                [("project_targets_budget", sum((sum(pt.funds, Z) for pt in funded), Z), "涉及项目预算资金{}" + U)])
        pr.blocks[-1].claims.insert(0, ClaimSpec("project_targets_count", Decimal(n), f"编报绩效目标的项目{n}个"))
    blocks += pr.blocks
    pr.blocks = []
    for pt in b.perf:
        blocks.append(perf_table(pt, p=p))
    ptot = sum((x.amount for x in b.procurement), Z)
    pr.head("六、政府采购预算情况", new_page=True)
    pr.para("%d年度政府采购预算总额 {0} %s。" % (b.year, U),
            [("procurement_total", ptot, "政府采购预算总额 {} " + U)])
    blocks += pr.blocks
    pr.blocks = []
    blocks.append(procurement_table(b, p))
    pr.head("七、国有资产信息", new_page=True)
    pr.para("我部门严格按照国有资产有关规定管理本部门国有资产,现将具体情况说明如下:")
    pr.para(f"1、{b.year}年度国有资产占有情况", indent=False)
    a = b.assets
    pr.para("总体情况：上年年末我部门资产总额为 {0} %s" % U, [("assets_total", a.total, "资产总额为 {} " + U)])
    pr.para("分布构成：", indent=False)
    blocks += pr.blocks
    pr.blocks = []
    blocks.append(assets_table(b, p))
    pr.para("我部门资产构成：流动资产 {0} %s，固定资产 {1} %s，其中主要有：电脑、打印机、桌椅、文件柜、空调等，无形资产 {2} %s。"
            % (U, U, U),
            [("current_assets", a.current, "流动资产 {} " + U), ("fixed_assets", a.fixed, "固定资产 {} " + U),
             ("intangible_assets", a.intangible, "无形资产 {} " + U)])
    pr.para(f"2、{b.year}年度拟购置情况", indent=False)
    pr.para("%d 年度拟购置物品总额 {0} %s" % (b.year, U),
            [("procurement_total", ptot, "拟购置物品总额 {} " + U)])
    pr.head("八、名词解释")
    for g in GLOSSARY:
        pr.para(g)
    pr.head("九、其他需要说明的事项")
    pr.para("我部门无其他需要说明的事项。")
    blocks += pr.blocks
    return DocSpec(department_code=b.code, department_name=b.name, year=b.year, unit=b.unit,
                   blocks=blocks)
