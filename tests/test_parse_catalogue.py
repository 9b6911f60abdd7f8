"""The catalogue maps the titles and column headers of pipeline/demo/README.md (and Jiangsu's) to kinds
and measures; continuation and header rules are exercised by the round-trip test."""

from __future__ import annotations

import pytest

from pipeline.model import MEASURES, TABLE_KINDS
from pipeline.tables.catalogue import load_catalogue

cat = load_catalogue()


@pytest.mark.parametrize("title, kind", [
    ("部门预算收支总表", "revenue_expenditure_summary"), ("收支预算总表", "revenue_expenditure_summary"),
    ("部门预算收入总表", "revenue_summary"), ("收入预算总表", "revenue_summary"),
    ("部门预算支出总表", "expenditure_summary"), ("部门预算财政拨款收支总表", "fiscal_summary"),
    ("财政拨款收支预算总表", "fiscal_summary"),
    ("部门预算一般公共预算财政拨款支出表", "general_budget_expenditure"),
    ("一般公共预算支出预算表", "general_budget_expenditure"),
    ("部门预算一般公共预算财政拨款基本支出表", "general_budget_basic_expenditure"),
    ("部门预算政府基金预算财政拨款支出表", "government_fund_expenditure"),
    ("部门预算国有资本经营预算财政拨款支出表", "soe_capital_expenditure"),
    ("部门预算财政拨款“三公”经费支出表", "three_public"), ("单位政府采购预算", "procurement"),
    ("部门职责-工作活动绩效目标", "performance_targets"), ("1、居家养老专项经费绩效目标表", "performance_targets"),
    ("承德高新区部门固定资产占用情况表", "assets"), ("部门机构设置情况", None),
    ("二、部门预算安排的总体情况", None),
])
def test_titles(title: str, kind: str | None) -> None:
    assert cat.kind_of_title(title) == kind


@pytest.mark.parametrize("kind, path, role, side", [
    ("revenue_expenditure_summary", ["收入", "预算数"], "amount", "revenue"),
    ("revenue_expenditure_summary", ["支出", "项目"], "name", "expenditure"),
    ("revenue_summary", ["科目", "功能分类科目\n编码"], "code_or_name", None),
    ("revenue_summary", ["附属单\n位上缴\n收入"], "affiliated_remittance", None),
    ("revenue_summary", ["事业收\n入"], "business_income", None),
    ("revenue_summary", ["经营收\n入"], "operating_income", None),
    ("expenditure_summary", ["基本支出"], "basic", None),
    ("expenditure_summary", ["事业单\n位经营\n支出"], "operating_expenditure", None),
    ("general_budget_expenditure", ["基本支出", "小计"], "basic", None),
    ("general_budget_expenditure", ["基本支出", "人员经费"], "personnel", None),
    ("general_budget_expenditure", ["支出功能分类科目", "科目编码"], "code", None),
    ("general_budget_basic_expenditure", ["一般公共预算基本支出", "合计"], "total", None),
    ("general_budget_basic_expenditure", ["一般公共预算基本支出", "公用经费"], "public_funds", None),
    ("three_public", ["资 金 性 质", "一般公共预算\n财政拨款"], "general_budget", None),
    ("procurement", ["政府采购金额", "总计"], "amount", None),
    ("procurement", ["政府采购金额", "当年部门预算安排资金", "合计"], "total", None),
    ("procurement", ["政府采购项目来源", "预算资金"], "budget", None),
    ("procurement", ["政府采购金额", "其他渠道资\n金"], "other_channel", None),
    ("assets", ["价值 (金额单位: 万元)"], "amount", None),
])
def test_columns(kind: str, path: list[str], role: str, side: str | None) -> None:
    col = cat.column(kind, path)
    assert col is not None and col.role == role and col.side == side


def test_attr_columns() -> None:
    assert cat.column("procurement", ["数量单位"]).attr == "unit_of_quantity"
    assert cat.column("performance_targets", ["绩效目标", "三级指标"]).attr == "indicator"
    assert cat.column("performance_targets", ["评价标准", "优"]).attr == "grade_excellent"


def test_catalogue_names_only_known_kinds_and_measures() -> None:
    assert set(cat.kinds) <= set(TABLE_KINDS)
    for spec in cat.kinds.values():
        for _, role in spec.columns:
            assert role.startswith("attr:") or role in MEASURES or role in {"code", "name", "code_or_name",
                                                                           "seq", "skip"}


# Real-corpus variants (../shared/corpus: Jiangsu 2017–2019, Putuo 2023–2026), as data in catalogue.yaml.
@pytest.mark.parametrize("title, kind", [
    ("公开 01 表：收支预算总表", "revenue_expenditure_summary"),
    ("2023年部门财务收支预算总表", "revenue_expenditure_summary"),
    ("2026年预算单位财政拨款收支预算总", "fiscal_summary"),          # title clipped in its cell
    ("2023年部门一般公共预算支出功能分类预算表", "general_budget_expenditure"),
    ("一般公共预算支出预算表（功能科目）", "general_budget_expenditure"),
    ("2026年预算单位一般公共预算基本支出部门预算经济分类预算表", "general_budget_basic_expenditure"),
    ("2023年部门政府性基金预算支出功能分类预算表", "government_fund_expenditure"),
    ("财政拨款政府性基金支出预算表", "government_fund_expenditure"),
    ("政府性基金预算财政拨款支出预算表", "government_fund_expenditure"),
    ("2023年部门国有资本经营预算支出功能分类预算表", "soe_capital_expenditure"),
    ("五、财政拨款支出预算表", "fiscal_appropriation_expenditure"),
    ("财政拨款支出预算表（功能科目）", "fiscal_appropriation_expenditure"),
    ("公开 06 表：财政拨款基本支出预算表", "fiscal_appropriation_basic_expenditure"),
    ("一般公共预算机关运行经费支出预算表", "operating_expenses_of_organ"),
    ("十一、一般公共预算“三公”经费、会议费、培训费支出预算表", "three_public"),
    ("2023年部门“三公”经费和机关运行经费预算表", "three_public"),
    ("十二、政府采购支出预算表", "procurement"),
    ("财政项目支出绩效目标填报表", "performance_targets"),
])
def test_corpus_titles(title: str, kind: str) -> None:
    assert cat.kind_of_title(title) == kind


@pytest.mark.parametrize("kind, header, role, side", [
    ("revenue_expenditure_summary", "本年收入/预算数", "amount", "revenue"),
    ("revenue_expenditure_summary", "本年支出/预算数/合计", "total", "expenditure"),
    ("revenue_expenditure_summary", "本年支出/预算数/基本支出/人员经费", "personnel", "expenditure"),
    ("revenue_expenditure_summary", "本年支出/预算数/项目支出", "project", "expenditure"),
    ("revenue_expenditure_summary", "支出/支出用途/金额", "amount", "expenditure"),
    ("fiscal_summary", "财政拨款收入/预算数", "amount", "revenue"),
    ("fiscal_summary", "财政拨款支出/一般公共预算", "general_budget", "expenditure"),
    ("fiscal_summary", "财政拨款支出/政府性基金预算", "government_fund", "expenditure"),
    ("revenue_summary", "事业单位经营收入", "operating_income", None),
    ("revenue_summary", "金额", "total", None),
    ("expenditure_summary", "单位预留机动经费", "reserve", None),
    ("general_budget_basic_expenditure", "金额", "total", None),
    ("fiscal_appropriation_expenditure", "金额", "total", None),
    ("operating_expenses_of_organ", "机关运行经费支出", "operating_expenses_of_organ", None),
    ("three_public", "“三公”经费/小计", "three_public_total", None),
    ("three_public", "“三公”经费/公务用车购置及运行维护费/小计", "vehicle_total", None),
    ("three_public", "“三公”经费/公务用车购置及运行维护费/公务用车购置费", "vehicle_purchase", None),
    ("three_public", "2023年“三公”经费预算数/公务用车购置及运行费/运行费", "vehicle_operation", None),
    ("three_public", "2023年“三公”经费预算数/合计", "total", None),
    ("three_public", "2023年机关运行经费预算数", "operating_expenses_of_organ", None),
    ("three_public", "会议费", "meeting", None),
    ("three_public", "培训费", "training", None),
    ("procurement", "总计", "amount", None),
    ("performance_targets", "金额", "amount", None),
])
def test_corpus_columns(kind: str, header: str, role: str, side: str | None) -> None:
    col = cat.column(kind, header.split("/"))
    assert col is not None and (col.role, col.side) == (role, side)


def test_code_columns_of_putuo_are_codes() -> None:
    for level in ("类", "款", "项"):
        assert cat.column("general_budget_expenditure", ["功能分类科目编码", level]).role == "code"
    assert cat.column("fiscal_appropriation_expenditure", ["功能科目代码"]).role == "code"
