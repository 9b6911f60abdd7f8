"""The seed disclosure (承德高新区社区管理办公室 2023) re-rendered with every figure and quirk it prints.

Why: the one real document we have in full text is the reference for the parser and the checks; its
rendition must print exactly its amounts, headers and inconsistencies, and its truth lists each quirk
(``seed_quirk: true``) so the checks can be asserted to report each one and nothing else.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D
from pathlib import Path

from pipeline.demo import build
from pipeline.demo.budget import Assets, Budget, EconLine, FuncLine, Indicator, PerfTable, ThreePublic
from pipeline.demo.layout import ClaimSpec, DocSpec, HeadCell, Line, Paragraph, TableBlock, TruthRow
from pipeline.demo.render import render_document
from pipeline.model import ParseResult
from pipeline.packaged import packaged

SEED_CODE = "125"
SEED_NAME = "承德高新技术产业开发区社区管理办公室"
SEED_PATH = "2023/125_社区管理办公室.pdf"

ECON = [("30101", "基本工资", "61.92"), ("30102", "津贴补贴", "42.41"), ("30103", "奖金", "35.93"),
        ("30107", "绩效工资", "25.17"), ("30108", "机关事业单位基本养老保险缴费", "19.80"),
        ("30109", "职业年金缴费", "9.90"), ("30110", "职工基本医疗保险缴费", "7.32"),
        ("30111", "公务员医疗补助缴费", "1.08"), ("30112", "其他社会保障缴费", "0.99"),
        ("30113", "住房公积金", "15.80"), ("30199", "其他工资福利支出", "845.17"),
        ("30201", "办公费", "2.39"), ("30207", "邮电费", "2.62"), ("30211", "差旅费", "1.56"),
        ("30228", "工会经费", "3.29"), ("30229", "福利费", "1.55"), ("30239", "其他交通费用", "4.32"),
        ("30309", "奖励金", "0.04")]

#: 单位政府采购预算 as printed: project, 预算资金, item, unit, quantity, unit price, amount
PROC = [("日常公用", "2", "台式计算机", "台", "5", "0.4", "2"),
        ("日常公用", "1.05", "激光打印机", "台", "5", "0.21", "1.05"),
        ("日常公用", "0.59", "数据采集器", "台", "1", "0.59", "0.59"),
        ("日常公用", "1.5", "其他台、桌类", "件", "5", "0.3", "1.5"),
        ("社区党组织工作经费", "2", "台式计算机", "台", "5", "0.4", "2"),
        ("社区党组织工作经费", "1", "多工功能一体机", "台", "5", "0.2", "2"),
        ("社区党组织工作经费", "10", "组合家具", "件", "50", "0.2", "20"),
        ("社区党组织工作经费", "5", "空调机", "台", "10", "0.5", "5"),
        ("社区党组织工作经费", "1", "便携式计算机", "台", "2", "0.5", "1"),
        ("社区党组织工作经费", "1", "LED 显示屏", "平米", "10", "0.1", "1"),
        ("社区党组织工作经费", "2", "投影仪", "台", "4", "0.5", "2"),
        ("社区党组织服务群众专项经费", "5", "其他文艺设备", "台", "10", "0.5", "5"),
        ("社区党组织服务群众专项经费", "18", "其他体育设备", "台", "90", "0.2", "18"),
        ("社区党组织服务群众专项经费", "18", "其他家具用具", "件", "90", "0.2", "18"),
        ("社区党组织服务群众专项经费", "10", "其他办公设备", "台", "25", "0.4", "10"),
        ("社区党组织服务群众专项经费", "13.5", "其他娱乐设备", "台", "15", "0.9", "13.5"),
        ("社区党组织服务群众专项经费", "4", "图书档案设备", "台", "8", "0.5", "4"),
        ("社区党组织服务群众专项经费", "5", "其他图书档案", "台", "100", "0.05", "5"),
        ("政法重点工作经费", "0.5", "便携式计算机", "台", "1", "0.5", "0.5"),
        ("政法重点工作经费", "0.21", "喷墨打印机", "台", "1", "0.21", "0.21"),
        ("政法重点工作经费", "0.2", "普通服装", "台", "2", "0.1", "0.2"),
        ("政法重点工作经费", "0.3", "数字照相机", "台", "1", "0.3", "0.3"),
        ("社区装修修缮", "10", "工程", "项", "2", "5", "10"),
        ("居家养老", "22", "信息技术服务", "项", "44", "0.5", "22"),
        ("居家养老", "13.2", "其他办公设备", "台", "40", "0.33", "13.2"),
        ("承德开发区孝爱社区活动中心食堂项目", "73.6", "工程", "项", "1", "73.6", "73.6")]

#: 部门职责-工作活动绩效目标: activity, budget, description, target, indicator, 优, 良, 中, 差
_D1 = "思想政治建设、组织建设、"
_D2 = "党政综合工作，经济发展工作，社会事务管理工作，财政工作，城镇规划建设管理，综合治理工作，食品安全监管等工作。"
_G1 = ("100%", "90%", "80%", "60%以下")
_SAT = ("非常满意", "满意", "基本满意", "不满意")
DUTY = [
    ("一、社区工委", "376", _D1, _D1, "", ("", "", "", "")),
    ("社区工委", "376", _D1, "较好完成思想政治建设、组织建设工作", "党组织评议满意度", _G1),
    (None, "", "", "", "政策法规宣传率", _G1),
    ("二、社区管理办公室", "350.54", _D2, _D2, "", ("", "", "", "")),
    ("社区管理办公室", "350.54", _D2, "保障各项工作顺利开展", "资金使用规范性", ("是", "", "", "否")),
    (None, "", "", "", "支出的相关性", ("是", "", "", "否")),
    ("1、综合管理科", "", "综合办公室工作。财务工作，统计工作、文体工作等", "保障各项工作顺利开展", "满意度", _SAT),
    (None, "", "", "", "办公效率提高率", ("100%", "80%", "70%", "50%")),
    (None, "", "", "", "公共服务水平提高程度", ("100%", "90%", "80%", "60%")),
    ("2、街政服务中心", "", "设立便民服务大厅，各部门分窗口为群众提供服务。包括计划生育全面工作，劳动保障工作，城镇规划建设管理，综合治理工作，食品安全监管等",
     "保障大厅正常运转", "群众满意度", _SAT),
    ("3、党群工作中心 纪检督查室", "", "联系党群工作部、人社局、宣传中心、信息化管理与服务中心、政法委、总工会、交警、公检法、人大政协 联系纪工委监察组、工委巡察工作领导小组办公室、督查考核办公室等部门，及部门对应的业务工作。",
     "保障工作开展", "群众满意度", _SAT),
    (None, "", "", "", "办公效率提高程度", _G1),
    (None, "", "", "", "办理程序规范性", ("规范", "", "", "60%不规范")),
    ("4、环保所、安监站", "", "联系环保分局、应急管理局、消防大队等部门，及部门对应的业务工作。", "保障工作开展", "群众满意度", _SAT),
    (None, "", "", "", "办公效率提高程度", _G1),
    (None, "", "", "", "工作完成率", _G1),
    ("5、退役军人事务站", "", "联系退役军人事务局及部门对应的业务工作。", "保障工作顺利开展", "群众满意度", _SAT),
]


def seed_budget() -> Budget:
    """The seed's figures in the shared Budget model (the tables derive from it)."""
    lines = [FuncLine("2120102", "一般行政管理事务", personnel=D("1065.53"), public=D("15.73"),
                      project_gb=D("1038.03")),
             FuncLine("2296002", "用于社会福利的彩票公益金支出", project_cf=D("15.00"))]
    econ = [EconLine(c, n, D(v)) for c, n, v in ECON]
    perf: list[PerfTable] = []
    with packaged("pipeline.demo", "seed_perf.tsv").open("r", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if not perf or perf[-1].title != r["title"]:
                perf.append(PerfTable(r["title"], r["project"], []))
            perf[-1].indicators.append(Indicator(r["level1"], r["level2"], r["indicator"],
                                                 r["description"], r["value"], r["basis"]))
    assets = Assets(as_of="2020-12-31", current=D("106.95"), intangible=D("8.66"), houses=("", None),
                    office=("", None), vehicles=("", None), equipment=("", None), other_fixed=D("327.86"))
    return Budget(code=SEED_CODE, name=SEED_NAME, short="社区办", year=2023, unit="万元", lines=lines,
                  econ=econ, three_public=ThreePublic(), procurement=[], assets=assets, perf=perf,
                  training=D("10"), bracket_header=True)


def _duty_table() -> TableBlock:
    heads = ["职责活动", "年度预算数", "内容描述", "绩效目标", "绩效指标"]
    header = [HeadCell(h, 0, i, rowspan=2) for i, h in enumerate(heads)]
    header += [HeadCell("评价标准", 0, 5, colspan=4)]
    header += [HeadCell(h, 1, 5 + i) for i, h in enumerate(["优", "良", "中", "差"])]
    lines = []
    cur = None
    for act, bud, desc, target, ind, grades in DUTY:
        merged = frozenset() if act is not None else frozenset({0, 1, 2, 3})
        if act is not None:
            cur = (act, desc, target)
        cells = [act or "", bud, desc, target, ind, *grades]
        attrs = {"project": cur[0].replace(" ", ""), "description": cur[1], "target": cur[2],
                 "indicator": ind, "grade_excellent": grades[0], "grade_good": grades[1],
                 "grade_fair": grades[2], "grade_poor": grades[3], "subkind": "duty"}
        attrs = {k: v for k, v in attrs.items() if v}
        vals = {"budget": D(bud)} if bud else {}
        lines.append(Line(cells, [TruthRow(None, None, cur[0].replace(" ", ""), vals, attrs)],
                          merged_above=merged))
    return TableBlock(kind="performance_targets", title="部门职责-工作活动绩效目标",
                      dept_line=f"{SEED_CODE} {SEED_NAME}", meta=["单位：万元"],
                      widths=[80, 44, 150, 120, 80, 52, 44, 52, 52], header=header, header_rows=2,
                      lines=lines, align=["l", "r", "l", "l", "l", "c", "c", "c", "c"], landscape=True,
                      department_code=SEED_CODE, department_name=SEED_NAME, font_size=8.5)


def _assets_table() -> TableBlock:
    header = [HeadCell("项 目", 0, 0), HeadCell("数量", 0, 1), HeadCell("价值 (金额单位: 万元)", 0, 2)]
    rows = [("资产总额", "—", "419.87"), ("1、房屋（平方米）", "", ""), ("其中：办公用房（平方米）", "", ""),
            ("2、车辆（台、辆）", "", ""), ("3、单价在 20 万元以上的设备", "", ""), ("4、其他固定资产", "", "327.86")]
    lines = []
    for name, q, v in rows:
        tr = [TruthRow(None, None, name.replace(" ", ""), {"amount": D(v)}, {"as_of": "2020-12-31"})] if v else []
        lines.append(Line([name, q, v], tr))
    return TableBlock(kind="assets", title="承德高新区部门固定资产占用情况表",
                      dept_line="125承德高新区社区管理办公室", meta=["截止时间：2020 年 12 月 31 日"],
                      widths=[220, 80, 160], header=header, header_rows=1, lines=lines,
                      align=["l", "c", "r"], new_page=False, title_size=12, department_code=SEED_CODE,
                      department_name="承德高新区社区管理办公室")


def _p(text: str, *claims: tuple[str, str, str], **kw) -> Paragraph:
    return Paragraph(text, [ClaimSpec(m, D(a), q) for m, a, q in claims], **kw)


def _h(text: str, **kw) -> Paragraph:
    return Paragraph(text, heading=True, size=kw.pop("size", 12), **kw)


def seed_doc() -> DocSpec:
    b = seed_budget()
    t = build.Tweaks(header_name={"three_public": "承德高技术产业开发区社区管理办公室"})
    p = build.Printer("万元", t)
    blocks: list = build.cover(2023)
    summ = build.summaries(b, p)
    blocks += [summ[0], build.revenue_summary(b, p), build.expenditure_summary(b, p), summ[1],
               build.general_budget_expenditure(b, p), build.basic_expenditure(b, p),
               build.fund_table(b, p, "government_fund_expenditure"),
               build.fund_table(b, p, "soe_capital_expenditure"), build.three_public(b, p)]
    blocks += [
        _h(f"{SEED_NAME} 2023年部门预算信息公开", center=True, size=14, new_page=True),
        _p("按照《预算法》、《地方预决算公开操作规程》和《河北省省级预算公开办法》规定，现将 2023 年部门预算公开如下："),
        _h("一、部门职责及机构设置情况"),
        _p("部门职责： 思想政治建设、 组织建设， 党政综合工作， 经济发展工作， 社会事务管理工作， 财政工作， 城镇规划建设管理， 综合治理工作， 食品安全监管等工作， 纪检工作， 组宣工作， 财务工作， 文体工作等。"),
        _p("机构设置："), build.org_table(b), _duty_table(),
        _h("二、部门预算安排的总体情况", new_page=True),
        _p("我部门为一级预算单位，无下属单位。预算部门为社区办本级预算，不包含下属部门预算。"),
        _p("1、2023年单位预算安排收入情况", indent=False),
        _p("预算收入合计为 2119.29 万元，其中：财政拨款收入 2119.29 万元，政府性基金预算 0 万元，财政专户核拨收入 0 万元，其他来源收入 0 万元。",
           ("total_revenue", "2119.29", "预算收入合计为 2119.29 万元"),
           ("fiscal_appropriation_revenue", "2119.29", "财政拨款收入 2119.29 万元")),
        _p("2、2023年支出情况", indent=False),
        _p("本年支出合计 2119.29 万元，其中：基本支出 1081.29 万元，包括人员经费支出 1065.56 万元，日常公用经费支出 15.73 万元，项目支出 1038.03 万元，上缴上级支出 0 元，对附属单位补助支出 0 元。",
           ("total_expenditure", "2119.29", "本年支出合计 2119.29 万元"),
           ("basic_expenditure", "1081.29", "基本支出 1081.29 万元"),
           ("personnel_expenditure", "1065.56", "人员经费支出 1065.56 万元"),
           ("public_funds_expenditure", "15.73", "日常公用经费支出 15.73 万元"),
           ("project_expenditure", "1038.03", "项目支出 1038.03 万元")),
        _p("3、比上年增减情况", indent=False),
        _p("2023 年，部门预算收支安排 2119.29 万元，较 2022 年增加 332.97 万元，其中：基本支出增加了 195.06 万元，主要是 2023 年调整了相应的工资、保险基数、增加了人员；项目支出增加 134.91 万元，主要是由于 1. 2023 年我单位新增加了三线铁路民兵补贴 0.18 万元、新增加了社区居养人员购买服务 119.97 万元、新增加了综合服务站 1 年系统日常维护 1.58 万元，并减少了疫情防控资金项目、社区培训工作经费、落实习近平总书记视察滨河社区改造提升项目。",
           ("increase_total", "332.97", "较 2022 年增加 332.97 万元"),
           ("increase_basic", "195.06", "基本支出增加了 195.06 万元"),
           ("increase_project", "134.91", "项目支出增加 134.91 万元")),
        _h("三、机关运行经费安排情况"),
        _p("机关运行经费共计安排 15.73 万元，主要用于办公费 2.39 万元、邮电费 2.62 万元、差旅费 1.56 万元、工会经费 3.29 万元、福利费 1.55 万元、办公用房取暖费 0 万元、其他交通费 4.32 万元，会议费 0 万元等支出,其他经费支出为 0 元。",
           ("operating_expenses_of_organ", "15.73", "机关运行经费共计安排 15.73 万元"),
           ("meeting_expenses", "0", "会议费 0 万元")),
        _h("四、财政拨款“三公”经费预算情况及增减变化原因"),
        _p("2023年“三公”经费公共预算财政拨款预算支出0万元，比上年减少0万元，具体支出情况如下：（一）公务用车购置及运行维护费支出0万元，同比减少0万元，同比去年无变化。①公务用车购置支出0万元，同比去年无变化。②公务用车运行维护费支出0万元，同比去年无变化。（二）公务接待费支出0万元，同比去年无变化。（三）因公出国（境）费支出0万元，同比去年无变化。（四）会议费支出0万元，同比去年减少。培训费支出10万元，同比去年无变化。",
           ("three_public_total", "0", "预算支出0万元"),
           ("vehicle_total", "0", "公务用车购置及运行维护费支出0万元"),
           ("vehicle_purchase", "0", "公务用车购置支出0万元"),
           ("vehicle_operation", "0", "公务用车运行维护费支出0万元"),
           ("official_reception", "0", "公务接待费支出0万元"),
           ("overseas_travel", "0", "因公出国（境）费支出0万元"),
           ("meeting_expenses", "0", "会议费支出0万元"),
           ("training_expenses", "10", "培训费支出10万元")),
        _p("三公经费变动主要原因分别是：公车改革后取消公务用车，公务接待相对减少，严控因公出国出境。"),
        _p("因公出国（境）情况：本年度组织因公出国（境）团0人次，参加其他单位组织的因公出国（境）团组0人次。"),
        _p("公务车辆购置及保有情况：本年购置公务用车0辆，年末公务用车保有量0辆。"),
        _p("会议费情况：本年度会议费支出0.35万元，基本以上年度保持持平状态。",
           ("meeting_expenses", "0.35", "会议费支出0.35万元")),
        _h("五、绩效预算信息"),
        _p("第一部分：部门整体绩效目标", indent=False),
        _p("我部门 2023 年无专项资金预算。") if False else _p("第二部分：专项资金绩效目标", indent=False),
        _p("我部门 2023 年无专项资金预算。"),
        _p("第三部分：预算项目绩效目标", indent=False),
    ]
    blocks += [build.perf_table(pt) for pt in b.perf]
    proc = [["合计", "", "", "", "", "", "", "231.65", "231.65", "231.65", "", "", "", ""]]
    proc += [[pj, bud, item, "", uq, q, pr, am, am, am, "", "", "", ""] for pj, bud, item, uq, q, pr, am in PROC]
    blocks += [_h("六、政府采购预算情况", new_page=True),
               build.procurement_table(b, p, dept=(f"106 {SEED_NAME}", "106", SEED_NAME), strings=proc,
                                       breaks=(8, 24)),
               _h("七、国有资产信息", new_page=True),
               _p("我部门严格按照国有资产有关规定管理本部门国有资产,现将具体情况说明如下:"),
               _p("1、2023年度国有资产占有情况", indent=False),
               _p("总体情况：上年年末我部门资产总额为 395.15 万元",
                  ("assets_total", "395.15", "资产总额为 395.15 万元")),
               _p("分布构成：", indent=False), _assets_table(),
               _p("我部门资产构成：流动资产 106.95 万元，固定资产 279.54 万元，其中主要有：电脑、笔记本电脑、打印机、桌椅、文件柜、空调、投影仪、照相机、录像机、音箱、文体设备等，无形资产 8.66 万元。",
                  ("current_assets", "106.95", "流动资产 106.95 万元"),
                  ("fixed_assets", "279.54", "固定资产 279.54 万元"),
                  ("intangible_assets", "8.66", "无形资产 8.66 万元")),
               _p("2、2023年度拟购置情况", indent=False),
               _p("2023 年度拟购置物品总额 231.65 万元", ("procurement_total", "231.65", "拟购置物品总额 231.65 万元")),
               _p("其中：计划购置物品为主要有：办公用品、文体设备、购买服务、装修工程等。"),
               _h("八、名词解释")]
    blocks += [_p(g) for g in build.GLOSSARY]
    blocks += [_h("九、其他需要说明的事项"), _p("我部门无其他需要说明的事")]
    warnings = [
        {"kind": "department_code_variant", "message": "procurement table header prints 106, other tables 125",
         "values": ["125", "106"]},
        {"kind": "department_name_variant", "message": "三公 table header prints 承德高技术产业开发区社区管理办公室",
         "values": [SEED_NAME, "承德高技术产业开发区社区管理办公室"]},
        {"kind": "department_name_variant", "message": "assets table prints the short name 承德高新区社区管理办公室",
         "values": [SEED_NAME, "承德高新区社区管理办公室"]},
        {"kind": "year_variant", "message": "assets table dated 2020-12-31 in a 2023 budget", "values": ["2020-12-31"]},
    ]
    return DocSpec(SEED_CODE, SEED_NAME, 2023, "万元", blocks, warnings=warnings)


def _q(fault: str, description: str, severity: str = "error", **kw) -> dict:
    rec = {"fault": fault, "table_kind": None, "code": None, "measure": None, "metric": None, "pages": [],
           "description": description, "seed_quirk": True, "severity": severity}
    rec.update(kw)
    return rec


def seed_quirks(res: ParseResult) -> list[dict]:
    """The seed's own inconsistencies (DOMAIN.md), with the pages the rendition printed them on."""
    tp = {t.kind: t.pages for t in res.tables if t.kind != "performance_targets"}
    cp: dict[str, list[int]] = {}
    for c in res.narrative:
        cp.setdefault(c.metric, []).append(c.page)
    pages = lambda *ms: sorted({p for m in ms for p in cp.get(m, [])})  # noqa: E731
    return [
        _q("department_code", "department code 125 in the tables, 106 on the procurement table headers",
           table_kind="procurement", code="106", pages=tp["procurement"]),
        _q("prose_mismatch", "prose 基本支出 1081.29; tables 1081.26", metric="basic_expenditure",
           table_kind="general_budget_expenditure", measure="basic",
           pages=pages("basic_expenditure") + tp["general_budget_expenditure"]),
        _q("prose_mismatch", "prose 人员经费 1065.56; tables 1065.53", metric="personnel_expenditure",
           table_kind="general_budget_basic_expenditure", measure="personnel",
           pages=pages("personnel_expenditure") + tp["general_budget_basic_expenditure"]),
        _q("prose_mismatch", "prose 本年支出合计 2119.29; summary 本年支出合计 2134.29 (includes the 15.00 "
           "carried over and spent on 2296002)", metric="total_expenditure",
           table_kind="revenue_expenditure_summary", pages=pages("total_expenditure")),
        _q("prose_sum", "prose 基本 1081.29 + 项目 1038.03 = 2119.32, not 2119.29", metric="total_expenditure",
           pages=pages("basic_expenditure")),
        _q("prose_sum", "prose increase 332.97 = 基本 195.06 + 项目 134.91, but the parts add up to 329.97",
           metric="increase_total", pages=pages("increase_total")),
        _q("prose_conflict", "prose 会议费 0 万元 (机关运行经费 and 三公 paragraphs) and 0.35 万元 (会议费情况)",
           metric="meeting_expenses", pages=pages("meeting_expenses")),
        _q("procurement_line", "多工功能一体机 5 × 0.2 = 1 (预算资金 1) but amount 2", table_kind="procurement",
           measure="amount", item="多工功能一体机", pages=tp["procurement"][:1]),
        _q("procurement_line", "组合家具 50 × 0.2 = 10 (预算资金 10) but amount 20", table_kind="procurement",
           measure="amount", item="组合家具", pages=tp["procurement"][:1]),
        _q("prose_mismatch", "prose 资产总额 395.15 (= 106.95 + 279.54 + 8.66); table 419.87",
           metric="assets_total", table_kind="assets", pages=pages("assets_total") + tp["assets"]),
        _q("prose_mismatch", "prose 固定资产 279.54; table 327.86", metric="fixed_assets", table_kind="assets",
           pages=pages("fixed_assets") + tp["assets"]),
        _q("department_name", "承德高技术 (missing 新) on the 三公 table header", "warning",
           table_kind="three_public", pages=tp["three_public"]),
        _q("department_name", "short name 承德高新区社区管理办公室 on the assets table", "warning",
           table_kind="assets", pages=tp["assets"]),
        _q("procurement_budget_sum", "预算资金 column sums to 220.65 while 合计 is 231.65", "warning",
           table_kind="procurement", measure="budget", pages=tp["procurement"]),
        _q("year_variant", "asset table dated 2020-12-31 in a 2023 budget", "warning", table_kind="assets",
           pages=tp["assets"]),
        _q("unverifiable", "duty table 376 + 350.54 = 726.54 relates to no total", "warning",
           table_kind="performance_targets", measure="budget"),
        _q("unverifiable", "15.00 on 2296002 (a government-fund subject) while the government-fund table is "
           "printed empty", "warning", table_kind="government_fund_expenditure", code="2296002",
           pages=tp["expenditure_summary"] + tp["government_fund_expenditure"]),
        _q("unverifiable", "培训费 10 万元 in prose with no 30216 line in the basic-expenditure table", "warning",
           metric="training_expenses", pages=pages("training_expenses")),
        _q("unverifiable", "the 2022 comparison figures cannot be checked without the 2022 document", "warning",
           metric="increase_total", pages=pages("increase_total")),
    ]


def render_seed(path: str | Path, source_path: str = SEED_PATH) -> ParseResult:
    return render_document(seed_doc(), path, source_path=source_path)


def seed_result() -> ParseResult:
    """The seed's truth (what the rendition prints), rendering to a temporary file."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return render_seed(Path(d) / "seed.pdf")


def write_seed(out: Path):
    """Render the seed into ``out`` with its truth JSON; return its manifest entry."""
    from pipeline.demo import DistrictFile

    res = render_seed(out / SEED_PATH)
    truth = SEED_PATH[:-4] + ".truth.json"
    d = res.to_dict()
    d["truth"] = {"faults": seed_quirks(res), "broken": None}
    (out / truth).write_text(json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8")
    return DistrictFile(SEED_PATH, "seed", truth, SEED_CODE, 2023, sorted({q["fault"] for q in d["truth"]["faults"]}))
