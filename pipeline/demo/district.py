"""Random but consistent department budgets for a district, deterministic for a seed.

Why: the pipeline needs many documents whose every identity holds (so each check can be shown to pass)
plus known faults. All randomness flows from one ``random.Random(seed)``; amounts are Decimal cents.
"""

from __future__ import annotations

import random
from decimal import Decimal

from pipeline.demo import subjects
from pipeline.demo.budget import Assets, Budget, EconLine, FuncLine, Indicator, PerfTable, ProcLine, ThreePublic, Z

#: (name, short name, primary 款, its 项 codes: first one 行政运行-like (basic), the others projects)
DEPARTMENTS = [
    ("人大常委会办公室", "人大办", "20101", ["2010101", "2010102", "2010104", "2010106"]),
    ("政协办公室", "政协办", "20102", ["2010201", "2010202", "2010204", "2010205"]),
    ("统计局", "统计局", "20105", [None, "2010507"]),
    ("总工会", "总工会", "20129", [None, "2012902"]),
    ("党政办公室", "党政办", "20131", ["2013101", "2013102"]),
    ("组织部", "组织部", "20132", [None, "2013202"]),
    ("宣传部", "宣传部", "20133", [None, "2013302"]),
    ("统战部", "统战部", "20134", [None, "2013402"]),
    ("市场监督管理局", "市场监管局", "20138", [None, "2013802"]),
    ("人民检察院", "检察院", "20404", ["2040401", "2040402", "2040499"]),
    ("司法局", "司法局", "20406", [None, "2040607"]),
    ("政法委员会", "政法委", "20499", [None, "2049999"]),
    ("科学技术协会", "科协", "20607", [None, "2060702"]),
    ("体育事业发展中心", "体育中心", "20703", [None, "2070308"]),
    ("就业服务中心", "就业中心", "20807", [None, "2080705"]),
    ("红十字会", "红十字会", "20816", [None, "2081602"]),
    ("社会救助服务中心", "救助中心", "20825", [None, "2082501"]),
    ("退役军人事务局", "退役军人局", "20899", [None, "2089999"]),
    ("卫生健康局", "卫健局", "21007", [None, "2100717"]),
    ("城市管理局", "城管局", "21201", ["2120101", "2120104", "2120199"]),
    ("市政设施管理处", "市政处", "21203", [None, "2120399"]),
    ("环境卫生管理处", "环卫处", "21205", [None, "2120501"]),
    ("建设局", "建设局", "21299", [None, "2129999"]),
    ("房产管理中心", "房管中心", "22103", [None, "2210399"]),
    ("滨河街道办事处", "滨河街道", "21201", ["2120101", "2120102"]),
    ("兰苑街道办事处", "兰苑街道", "21201", ["2120101", "2120102", "2120199"]),
    ("南山街道办事处", "南山街道", "21201", ["2120101", "2120102"]),
    ("梨花街道办事处", "梨花街道", "21201", ["2120101", "2120104"]),
    ("后窑街道办事处", "后窑街道", "21201", ["2120101", "2120102"]),
    ("畅园街道办事处", "畅园街道", "21201", ["2120101", "2120199"]),
    ("经济发展局", "经发局", "20131", ["2013101", "2013102"]),
    ("财政局", "财政局", "20131", ["2013101", "2013102"]),
    ("纪检监察工作委员会", "纪工委", "20131", ["2013101", "2013102"]),
    ("党群工作部", "党群部", "20132", [None, "2013202"]),
    ("老干部服务中心", "老干部中心", "20805", [None, "2080501"]),
    ("招商服务局", "招商局", "20131", ["2013101", "2013102"]),
    ("行政审批局", "审批局", "20131", ["2013101", "2013102"]),
    ("应急管理局", "应急局", "20499", [None, "2049999"]),
    ("信息化管理与服务中心", "信息中心", "20131", ["2013101", "2013102"]),
    ("档案馆", "档案馆", "20131", ["2013101", "2013102"]),
    ("综合行政执法局", "执法局", "21201", ["2120101", "2120104"]),
    ("国有资本运营管理中心", "国资中心", "20131", ["2013101", "2013102"]),
    ("土地收储和房屋征收管理办公室", "土地收储办", "21299", [None, "2129999"]),
    ("高铁站前管理服务办公室", "站前办", "21201", ["2120101", "2120102"]),
]
PREFIX = "承德高新技术产业开发区"
SEED_CODE = "125"

PERSONNEL = ["30101", "30102", "30103", "30107", "30108", "30109", "30110", "30112", "30113", "30199"]
PUBLIC_ALWAYS = ["30201", "30207", "30211", "30228", "30229"]
PUBLIC_SOMETIMES = ["30202", "30205", "30206", "30209", "30213", "30215", "30216", "30217", "30231",
                    "30239", "30299"]
ITEMS = [("台式计算机", "台", "0.40"), ("激光打印机", "台", "0.21"), ("便携式计算机", "台", "0.50"),
         ("空调机", "台", "0.50"), ("投影仪", "台", "0.50"), ("其他办公设备", "台", "0.40"),
         ("其他家具用具", "件", "0.20"), ("组合家具", "件", "0.20"), ("复印机", "台", "1.20"),
         ("信息技术服务", "项", "0.50"), ("物业管理服务", "项", "6.00"), ("数字照相机", "台", "0.30")]
PROJECT_NAMES = ["日常公用", "专项业务经费", "信息化建设经费", "办公设备购置", "宣传工作经费", "综合治理经费"]
INDICATORS = [
    ("产出指标", "数量指标", "完成工作任务数量", "按计划完成年度工作任务", "=100", "年度工作计划"),
    ("产出指标", "质量指标", "资金使用规范率", "资金使用规范情况", "=100 百分比", "财务支出管理办法"),
    ("产出指标", "时效指标", "资金支付及时率", "按时支付资金", "≥95.00", "资金支付情况"),
    ("效益指标", "社会效益指标", "服务水平提高程度", "提升公共服务水平", "文字描述", "年底考核"),
    ("满意度指标", "服务对象满意度指标", "满意率", "服务对象满意程度", "≥90.00", "通过走访调查统计，达到大部分满意"),
]


def _amt(rng: random.Random, lo: int, hi: int) -> Decimal:
    """A random amount in 万元 with two decimals, in [lo, hi]."""
    return Decimal(rng.randint(lo * 100, hi * 100)) / 100


def departments(n: int, rng: random.Random) -> list[tuple[str, str, str, str, list]]:
    """n departments: (code, full name, short, 款, 项 list); codes 101… skipping the seed's 125."""
    pool = list(DEPARTMENTS)
    if n > len(pool):
        raise ValueError(f"at most {len(pool)} demo departments")
    out = []
    code = 101
    for name, short, kuan, items in pool[:n]:
        if str(code) == SEED_CODE:
            code += 1
        out.append((str(code), PREFIX + name, short, kuan, items))
        code += 1
    return out


def _scale(v: Decimal, unit: str) -> Decimal:
    """An amount drawn in 万元 expressed in the printed unit (元 keeps fen: exact)."""
    return (v * 10000).quantize(Decimal("0.01")) if unit == "元" else v


class DeptProfile:
    """What stays the same for a department across years: subjects, unit, header style, size."""

    def __init__(self, rng: random.Random, code: str, name: str, short: str, kuan: str, items: list):
        self.code, self.name, self.short, self.kuan = code, name, short, kuan
        self.items = [c for c in items if c]
        self.admin = items[0]                      # 行政运行-like 项 for basic expenditure, or None
        self.unit = "元" if rng.random() < 0.125 else "万元"
        self.bracket = rng.random() < 0.5
        self.size = rng.choice([1, 2, 3, 5, 8])
        self.gov_fund = rng.random() < 0.2
        self.business = rng.random() < 0.15
        self.carry = rng.random() < 0.3
        self.public_extra = rng.sample(PUBLIC_SOMETIMES, rng.randint(2, 5))
        self.has_vehicle = rng.random() < 0.4
        self.n_proc = rng.choice([0, 2, 3, 4, 6])
        self.projects = rng.sample(PROJECT_NAMES, 2)


def budget(rng: random.Random, prof: DeptProfile, year: int) -> Budget:
    """One year's budget; every identity holds by construction (amounts drawn in 万元 cents)."""
    u = prof.unit
    k = prof.size

    def a(lo: int, hi: int) -> Decimal:
        return _scale(_amt(rng, lo * k, hi * k), u)

    econ = [EconLine(c, subjects.ename(c), a(5, 80) if c != "30199" else a(1, 30)) for c in PERSONNEL]
    if rng.random() < 0.3:
        econ.append(EconLine("30302", subjects.ename("30302"), a(1, 20)))
    pub_codes = sorted(set(PUBLIC_ALWAYS + prof.public_extra))
    if prof.has_vehicle and "30231" not in pub_codes:
        pub_codes.append("30231")
    econ += [EconLine(c, subjects.ename(c), a(0, 6) + _scale(Decimal("0.01"), u)) for c in sorted(pub_codes)]
    econ.sort(key=lambda e: e.code)
    amount = {e.code: e.amount for e in econ}
    # social-security subjects carry their economic counterparts; the rest goes to the admin line
    social = {"2080505": "30108", "2080506": "30109", "2101101": "30110", "2210201": "30113"}
    lines: list[FuncLine] = []
    for f, e in social.items():
        lines.append(FuncLine(f, subjects.fname(f), personnel=amount[e]))
    personnel = sum((x.amount for x in econ if x.is_personnel), Z)
    public = sum((x.amount for x in econ if not x.is_personnel), Z)
    rest_p = personnel - sum((x.personnel for x in lines), Z)
    admin = prof.admin or prof.items[0]
    lines.append(FuncLine(admin, subjects.fname(admin), personnel=rest_p, public=public))
    for c in prof.items:
        if c != admin:
            lines.append(FuncLine(c, subjects.fname(c), project_gb=a(10, 300)))
    if prof.admin is None or len(prof.items) == 1:
        lines[-1].project_gb += a(20, 200)
    proj_lines = [ln for ln in lines if ln.project_gb]
    if prof.business:
        proj_lines[0].project_nf = a(5, 60)
    if prof.carry:
        proj_lines[-1].project_cf = a(2, 40)
    if prof.gov_fund:
        lines.append(FuncLine("2296002", subjects.fname("2296002"), project_gf=a(5, 50)))
    lines.sort(key=lambda x: x.code)
    # three public: reception from 30217, vehicle operation from 30231 when present
    tp = ThreePublic(reception=amount.get("30217", Z), vehicle_operation=amount.get("30231", Z))
    if rng.random() < 0.15:
        tp.vehicle_purchase = _scale(Decimal(rng.choice([15, 18, 20])), u)
    # procurement: quantity × unit price = amount, budget = amount
    proc = []
    for i in range(prof.n_proc):
        item, uq, price = rng.choice(ITEMS)
        qty = Decimal(rng.randint(1, 12))
        pr = _scale(Decimal(price), u)
        proc.append(ProcLine(prof.projects[i % 2], item, uq, qty, pr, qty * pr, qty * pr))
    fixed_other = a(5, 120)
    assets = Assets(as_of=f"{year - 1}-12-31", current=a(10, 200), intangible=a(0, 10),
                    houses=("", None), office=("", None),
                    vehicles=((str(1), a(10, 25)) if prof.has_vehicle else ("", None)),
                    equipment=("", None), other_fixed=fixed_other)
    perf = []
    for i, pl in enumerate(ln for ln in lines if ln.project_gb):
        name = prof.projects[i % 2] if i < 2 else pl.name
        picks = sorted(rng.sample(range(len(INDICATORS)), 4))
        perf.append(PerfTable(f"{i + 1}、{name}专项经费绩效目标表", f"{i + 1}.{name}",
                              [Indicator(*INDICATORS[j]) for j in picks], code=pl.code))
    return Budget(code=prof.code, name=prof.name, short=prof.short, year=year, unit=u, lines=lines,
                  econ=econ, three_public=tp, procurement=proc, assets=assets, perf=perf,
                  duties=f"负责{prof.short}职责范围内的各项工作，保障机构正常运转，完成年度工作任务。",
                  bracket_header=prof.bracket)


def prior_of(b: Budget, rng: random.Random) -> tuple[Decimal, Decimal, Decimal]:
    """A made-up previous year for the first demo year (no document of it exists)."""
    basic = b.s("basic") - _scale(_amt(rng, -30, 80), b.unit)
    proj = b.s("project") - _scale(_amt(rng, -50, 120), b.unit)
    return basic + proj, basic, proj


def print_form_funds(b: Budget) -> None:
    """Give every project form its 项目资金 block, from the 项 it is funded on: 当年财政拨款 (general
    budget), 上年结转资金 (carry-over), 其他资金 (事业收入); the prose then names the projects and their
    budget (Putuo's forms and 涉及项目预算资金 sentence). Draws nothing from the random stream."""
    lines = {ln.code: ln for ln in b.lines}
    for pt in b.perf:
        ln = lines[pt.code]
        pt.funds = (ln.project_gb, ln.project_cf, ln.project_nf)
