"""Plain words for the report: a check's stored message carries the evaluators' internal names
(``three_public[total].training``, ``basic_expenditure``, "tolerance 0.255 (n=51)"); a reviewer reads
table titles, column names and the rounding allowance in words instead."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.checks.base import fmt

TABLES = {
    "revenue_expenditure_summary": "收支总表", "revenue_summary": "收入总表", "expenditure_summary": "支出总表",
    "fiscal_summary": "财政拨款收支总表", "general_budget_expenditure": "一般公共预算财政拨款支出表",
    "general_budget_basic_expenditure": "一般公共预算财政拨款基本支出表",
    "government_fund_expenditure": "政府性基金预算财政拨款支出表", "soe_capital_expenditure": "国有资本经营预算财政拨款支出表",
    "three_public": "“三公”经费支出表", "procurement": "政府采购预算表", "performance_targets": "绩效目标表",
    "assets": "固定资产占用情况表", "fiscal_appropriation_expenditure": "财政拨款支出表",
    "fiscal_appropriation_basic_expenditure": "财政拨款基本支出表", "operating_expenses_of_organ": "机关运行经费表",
    "general_budget_economic_expenditure": "一般公共预算支出经济分类表",
}

WORDS = {
    "total_revenue": "收入总计", "total_expenditure": "支出总计", "basic_expenditure": "基本支出",
    "personnel_expenditure": "人员经费", "public_funds_expenditure": "公用经费", "project_expenditure": "项目支出",
    "increase_total": "总支出增减", "increase_basic": "基本支出增减", "increase_project": "项目支出增减",
    "operating_expenses_of_organ": "机关运行经费", "three_public_total": "“三公”经费合计",
    "overseas_travel": "因公出国（境）费", "official_reception": "公务接待费", "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行费", "vehicle_total": "公务用车购置及运行费", "meeting_expenses": "会议费",
    "training_expenses": "培训费", "procurement_total": "政府采购合计", "assets_total": "资产总额",
    "fixed_assets": "固定资产", "current_assets": "流动资产", "intangible_assets": "无形资产",
    "fiscal_appropriation_revenue": "财政拨款收入", "total": "合计", "basic": "基本支出", "project": "项目支出",
    "personnel": "人员经费", "public_funds": "公用经费", "training": "培训费", "meeting": "会议费",
    "amount": "金额", "budget": "预算数",
}

_CELL = re.compile(r"\b([a-z_]+)\[([^\]]+)\](?:\.([a-z_]+))?")
_TOL = re.compile(r",?\s*tolerance -?[\d.,]+ \(n=\d+\)")
_DIFF = re.compile(r":? difference -?[\d.,]+(?=;|$)")   # the difference has its own column
_WORD = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b")


def _cell(m: re.Match) -> str:
    kind, row, measure = m.group(1), m.group(2), m.group(3)
    if kind not in TABLES:
        return m.group(0)
    row_words = {"total": "合计行", "total_row": "合计行", "fixed_assets": "固定资产行"}.get(row)
    if row_words is None:
        row_words = (f"科目 {row[5:]} 行" if row.startswith("code:") else
                     f"“{row[5:]}”行" if row.startswith("name:") else row)
    col = f"·{WORDS.get(measure, measure)}栏" if measure else ""
    return f"《{TABLES[kind]}》{row_words}{col}"


def plain(message: str) -> str:
    """The stored message with internal names put in words and the tolerance left to its own column."""
    text = _CELL.sub(_cell, message or "")
    text = _DIFF.sub("", _TOL.sub("", text))
    text = text.replace(" or else ", " 或 ")
    return _WORD.sub(lambda m: WORDS[m.group(1)], text)


def tolerance_words(tol: Decimal | None, n: int | None) -> str:
    """'印刷取整允许 ±0.03 万元' — with why, when more than one printed figure rounds."""
    if tol is None:
        return ""
    if tol == 0:
        return "不允许差额（同一数字应完全一致）"
    words = f"印刷取整允许 ±{fmt(tol.normalize()) if tol < Decimal('0.01') else fmt(tol)} 万元"
    if n and n > 1:
        words += f"（{n} 个印刷数字各差不超过半个末位）"
    return words


#: Tables a disclosure prints that carry no amounts to check (机构设置, 名词解释, 职责): recognised by their
#: title and summarised, never warned about.
NON_FINANCIAL = ("机构设置", "名词解释", "部门职责", "部门主要职能")


def non_financial(text: str) -> bool:
    """Whether a parse remark concerns only a known non-financial table."""
    return any(t in (text or "") for t in NON_FINANCIAL)
