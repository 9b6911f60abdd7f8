"""Test data for the cleaning and warehouse tests (no tests here).

``seed_result()`` is a hand-built ParseResult of the seed disclosure (/work/shared/seed, 125
承德高新技术产业开发区社区管理办公室 2023), figures typed from the seed text, used until and beside
the demo generator. ``demo_district`` (session fixture) runs ``pipeline.demo.generate_district``
with its fixed seed, or skips when the generator is not there yet.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.model import Claim, ParseResult, Row, Table, ParseWarning

SEED_NAME = "承德高新技术产业开发区社区管理办公室"


def _row(code, name, page, side=None, **values):
    return Row(side=side, code=code, name=name, page=page, bbox=[40.0, 100.0, 800.0, 118.0],
               values={k: Decimal(v) for k, v in values.items()})


def seed_result(sha256: str = "a" * 64) -> ParseResult:
    """The seed document as the parser should return it (a subset of its tables, exact figures)."""
    summary = Table("revenue_expenditure_summary", "部门预算收支总表", [1, 2, 3, 4], False, [
        _row(None, "一、一般公共预算 拨款收入", 1, "revenue", amount="2119.29"),
        _row(None, "十二、城乡社区支出", 2, "expenditure", amount="2119.29"),
        _row(None, "二十五、其他支出", 3, "expenditure", amount="15.00"),
        _row(None, "本年收入合计", 3, "revenue", amount="2119.29"),
        _row(None, "本年支出合计", 3, "expenditure", amount="2134.29"),
        _row(None, "上年结转结余", 3, "revenue", amount="15.00"),
        _row(None, "其中财政拨款结转结余", 3, "revenue", amount="15.00"),
        _row(None, "收入总计", 4, "revenue", amount="2134.29"),
        _row(None, "支出总计", 4, "expenditure", amount="2134.29"),
    ], department_code="125", department_name=SEED_NAME)
    revenue = Table("revenue_summary", "部门预算收入总表", [5], False, [
        _row(None, "合计", 5, total="2119.29", fiscal_appropriation="2119.29"),
        _row("2120102", "一般行政管理事务", 5, total="2119.29", fiscal_appropriation="2119.29"),
    ], department_code="125", department_name=SEED_NAME)
    expenditure = Table("expenditure_summary", "部门预算支出总表", [6], False, [
        _row("212", "城乡社区 支出", 6, total="2119.29", basic="1081.26", project="1038.03"),
        _row("21201", "城乡社区\n管理事务", 6, total="2119.29", basic="1081.26", project="1038.03"),
        _row("2120102", "一般行政 管理事务", 6, total="2119.29", basic="1081.26", project="1038.03"),
        _row("229", "其他支出", 6, total="15.00", basic="0", project="15.00"),
        _row("22960", "彩票公益 金安排的 支出", 6, total="15.00", basic="0", project="15.00"),
        _row("2296002", "用于社会 福利的彩 票公益金 支出", 6, total="15.00", basic="0", project="15.00"),
        _row(None, "合计", 6, total="2134.29", basic="1081.26", project="1053.03"),
    ], department_code="125", department_name=SEED_NAME)
    general = Table("general_budget_expenditure", "部门预算一般公共预算财政拨款支出表", [10], False, [
        _row(None, "合计", 10, total="2119.29", basic="1081.26", personnel="1065.53",
             public_funds="15.73", project="1038.03"),
        _row("212", "城乡社区支出", 10, total="2119.29", basic="1081.26", personnel="1065.53",
             public_funds="15.73", project="1038.03"),
        _row("21201", "城乡社区管理事务", 10, total="2119.29", basic="1081.26", personnel="1065.53",
             public_funds="15.73", project="1038.03"),
        _row("2120102", "一般行政管理事务", 10, total="2119.29", basic="1081.26", personnel="1065.53",
             public_funds="15.73", project="1038.03"),
    ], department_code="125", department_name=SEED_NAME)
    eco = [("301", "工资福利支出", "1065.49", None), ("30101", "基本工资", "61.92", None),
           ("30102", "津贴补贴", "42.41", None), ("30103", "奖金", "35.93", None),
           ("30107", "绩效工资", "25.17", None), ("30108", "机关事业单位基本养老保险缴费", "19.80", None),
           ("30109", "职业年金缴费", "9.90", None), ("30110", "职工基本医疗保险缴费", "7.32", None),
           ("30111", "公务员医疗补助缴费", "1.08", None), ("30112", "其他社会保障缴费", "0.99", None),
           ("30113", "住房公积金", "15.80", None), ("30199", "其他工资福利支出", "845.17", None),
           ("302", "商品和服务支出", None, "15.73"), ("30201", "办公费", None, "2.39"),
           ("30207", "邮电费", None, "2.62"), ("30211", "差旅费", None, "1.56"),
           ("30228", "工会经费", None, "3.29"), ("30229", "福利费", None, "1.55"),
           ("30239", "其他交通费用", None, "4.32"), ("303", "对个人和家庭的补助", "0.04", None),
           ("30309", "奖励金", "0.04", None)]
    basic_rows = [_row(None, "合计", 11, total="1081.26", personnel="1065.53", public_funds="15.73")]
    for code, name, pers, pub in eco:
        vals = {"total": pers or pub}
        if pers:
            vals["personnel"] = pers
        if pub:
            vals["public_funds"] = pub
        basic_rows.append(_row(code, name, 11 if code < "30199" else 12, **vals))
    basic = Table("general_budget_basic_expenditure", "部门预算一般公共预算财政拨款基本支出表",
                  [11, 12], False, basic_rows, department_code="125", department_name=SEED_NAME)
    fund = Table("government_fund_expenditure", "部门预算政府基金预算财政拨款支出表", [13], True, [],
                 note="注：无政府基金预算财政拨款预算，空表列式。", department_code="125",
                 department_name=SEED_NAME)
    three = Table("three_public", "部门预算财政拨款“三公”经费支出表", [15], True, [],
                  note="注：无财政拨款“三公”经费支出表预算，空表列式。", department_code="125",
                  department_name="承德高技术产业开发区社区管理办公室")
    proc_rows = [Row(None, None, "合计", {"amount": Decimal("231.65"), "budget": Decimal("231.65")},
                     38, [40, 100, 800, 118])]
    for project, budget, item, unit, qty, price, amount in [
        ("日常公用", "2", "台式计算机", "台", "5", "0.4", "2"),
        ("社区党组织工作经费", "1", "多工功能一体机", "台", "5", "0.2", "2"),
        ("社区党组织工作经费", "10", "组合家具", "件", "50", "0.2", "20"),
    ]:
        proc_rows.append(Row(None, None, item, {"budget": Decimal(budget), "quantity": Decimal(qty),
                                               "unit_price": Decimal(price), "amount": Decimal(amount)},
                             38, [40, 120, 800, 138], attrs={"project": project, "unit_of_quantity": unit}))
    procurement = Table("procurement", "单位政府采购预算", [38, 39], False, proc_rows,
                        department_code="106", department_name=SEED_NAME)
    assets = Table("assets", "承德高新区部门固定资产占用情况表", [41], False, [
        Row(None, None, "资产总额", {"amount": Decimal("419.87")}, 41, [40, 100, 800, 118],
            attrs={"as_of": "2020-12-31"}),
        Row(None, None, "4、其他固定资产", {"amount": Decimal("327.86")}, 41, [40, 120, 800, 138],
            attrs={"as_of": "2020-12-31"}),
    ], department_code="125", department_name="承德高新区社区管理办公室")
    narrative = [Claim(m, Decimal(a), p, q) for m, a, p, q in [
        ("total_revenue", "2119.29", 20, "预算收入合计为 2119.29 万元"),
        ("total_expenditure", "2119.29", 20, "本年支出合计 2119.29 万元"),
        ("basic_expenditure", "1081.29", 20, "基本支出 1081.29 万元"),
        ("personnel_expenditure", "1065.56", 20, "人员经费支出 1065.56 万元"),
        ("public_funds_expenditure", "15.73", 20, "日常公用经费支出 15.73 万元"),
        ("project_expenditure", "1038.03", 20, "项目支出 1038.03 万元"),
        ("increase_total", "332.97", 20, "较 2022 年增加 332.97 万元"),
        ("meeting_expenses", "0.35", 22, "本年度会议费支出0.35万元"),
        ("assets_total", "395.15", 40, "资产总额为 395.15 万元"),
    ]]
    warnings = [ParseWarning("department_code_variant", "procurement header prints 106", [38, 39, 40],
                        ["125", "106"]),
                ParseWarning("department_name_variant", "三公 header misses 新", [15],
                        [SEED_NAME, "承德高技术产业开发区社区管理办公室"])]
    return ParseResult(
        source={"path": "2023/125_社区管理办公室.pdf", "sha256": sha256, "pages": 43},
        department={"code": "125", "name": SEED_NAME}, year=2023, unit="万元",
        tables=[summary, revenue, expenditure, general, basic, fund, three, procurement, assets],
        narrative=narrative, warnings=warnings, parser_version="1.0.0")


def varied(result: ParseResult, code: str, name: str, year: int, factor: Decimal,
           sha256: str) -> ParseResult:
    """A copy of a result for another department/year with every amount scaled by ``factor``."""
    r = copy.deepcopy(result)
    r.department = {"code": code, "name": name}
    r.year = year
    r.source = dict(r.source, sha256=sha256, path=f"{year}/{code}.pdf")
    for t in r.tables:
        if t.department_code:
            t.department_code = code
        t.department_name = name
        for row in t.rows:
            row.values = {k: (v * factor).quantize(Decimal("0.01")) for k, v in row.values.items()}
    for c in r.narrative:
        c.amount = (c.amount * factor).quantize(Decimal("0.01"))
    return r


def measure_sums(result: ParseResult) -> dict[str, Decimal]:
    """Σ amount per measure over every table row of a result (the truth the warehouse must equal)."""
    sums: dict[str, Decimal] = {}
    for t in result.tables:
        for row in t.rows:
            for k, v in row.values.items():
                sums[k] = sums.get(k, Decimal(0)) + v
    return sums


def truth_results(root: Path) -> list[tuple[Path, dict]]:
    """(path, JSON) of every truth file under a demo district, sorted."""
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(root.rglob("*.truth.json"))]


@pytest.fixture(scope="session")
def demo_or_none(demo_district) -> Path | None:
    """The session's demo district (tests/conftest.py), rendered once for the whole suite."""
    return demo_district

def stage_truth_dir(home, root: Path) -> dict[str, dict]:
    """Stage every truth JSON under ``root`` as its parse result; returns {document_id: json}."""
    from pipeline.clean.frames import frames_from_json
    from pipeline.load.staging import stage
    from pipeline.sources.identity import document_id

    out = {}
    for path, data in truth_results(root):
        rel = path.relative_to(root).as_posix().replace(".truth.json", ".pdf")
        doc_id = document_id(rel)
        stage(home.staging, doc_id, frames_from_json(data, doc_id, rel))
        out[doc_id] = data
    return out


def generate_demo(out: Path) -> bool:
    """Run the demo generator into ``out``; False when it is missing or not finished yet."""
    try:
        from pipeline.demo import generate_district
        generate_district(out)
    except (ImportError, NotImplementedError, AttributeError):
        return False
    return True
