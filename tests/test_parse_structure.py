"""Recognition by structure (issue 11), on the catalogue and small hand-made grids: no PDF needed.

The wordings here are the ones other cities print (…情况表, …总体情况表, …预算拨款…, (按功能分类科目)),
none of them listed one by one in the catalogue; column-number rows; grouped headers kept apart; the
completeness a parse states.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.document.reader import RawTable
from pipeline.model import ParseWarning
from pipeline.tables.catalogue import load_catalogue
from pipeline.tables.completeness import assess, row_arithmetic
from pipeline.tables.header import is_numbering_row
from pipeline.tables.recognise import Recogniser

cat = load_catalogue()


@pytest.mark.parametrize("title,kind", [
    ("部门收支总体情况表", "revenue_expenditure_summary"),
    ("部门收入总体情况表", "revenue_summary"),
    ("部门支出总体情况表", "expenditure_summary"),
    ("财政拨款收支总体情况表", "fiscal_summary"),
    ("一般公共预算支出情况表（按功能分类科目）", "general_budget_expenditure"),
    ("2026 年度一般公共预算拨款支出预算表", "general_budget_expenditure"),
    ("2026 年度政府性基金预算拨款支出预算表", "government_fund_expenditure"),
    ("一般公共预算基本支出情况表（按经济分类科目）", "general_budget_basic_expenditure"),
    ("2026 年度一般公共预算支出经济分类情况表", "general_budget_economic_expenditure"),
    ("财政拨款支出表（功能科目）", "fiscal_appropriation_expenditure"),
    ("财政拨款基本支出表（经济科目）", "fiscal_appropriation_basic_expenditure"),
    ("一般公共预算“三公”经费支出情况表", "three_public"),
    # not the 支出总表, and a prose line is never a title
    ("基本支出总表", None), ("项目支出总表", None), ("项目支出明细表", None),
    ("时，个别单位存在数据错误，如“宜宾市政府国有资产监督管理", None),
])
def test_titles_by_structure(title: str, kind: str | None) -> None:
    assert cat.kind_of_title(title) == kind


@pytest.mark.parametrize("cells,numbering", [
    (["栏次", "1", "2", "3"], True),
    (["甲", "乙", "1", "2", "3"], True),
    (["**", "1", "2", "3"], True),
    (["A", "B", "1", "2"], True),
    (["1", "2", "3", "4", "5"], True),
    (["合计", "1", "2", "3"], False),           # a label: data
    (["201", "一般公共服务支出", "12.00"], False),
    (["1", "5", "9"], False),                  # amounts that do not count up by one
])
def test_column_number_rows(cells: list[str], numbering: bool) -> None:
    assert is_numbering_row(cells, cat) is numbering


def test_grouped_header_measures_stay_apart() -> None:
    col = lambda *path: cat.column("revenue_summary", list(path)).role  # noqa: E731
    assert col("本年收入", "一般公共预算") == "general_budget"
    assert col("上年结转结余", "一般公共预算") == "carryover_general_budget"
    assert col("上年结转结余", "小计") == "carryover"
    assert col("本年收入", "小计") == "current_total"
    assert col("合计") == "total"
    ge = lambda *path: cat.column("general_budget_expenditure", list(path)).role  # noqa: E731
    assert ge("一般公共预算支出", "基本支出") == "basic"
    assert ge("一般公共预算支出", "其中：基本支出") == "basic"
    assert ge("基本支出", "人员支出") == "personnel"
    assert ge("基本支出", "日常公用支出") == "public_funds"


def _grid(rows: list[list[str | None]], width: float = 60.0) -> RawTable:
    n = len(rows[0])
    xs = [i * width for i in range(n + 1)]
    y = 100.0
    row_boxes = [(0.0, y + 20.0 * r, xs[-1], y + 20.0 * (r + 1)) for r in range(len(rows))]
    cells = [[(xs[j], y + 20.0 * r, xs[j + 1], y + 20.0 * (r + 1)) for j in range(n)]
             for r in range(len(rows))]
    return RawTable(bbox=(0.0, y, xs[-1], y + 20.0 * len(rows)), xs=xs, row_bboxes=row_boxes,
                    cells=cells, texts=rows)


def test_repeated_groups_are_never_overwritten() -> None:
    """Two columns one measure (2025 and 2026 budgets side by side): this year's is read, the other
    is reported unread, and the value read is this year's."""
    from pipeline.document.reader import PageContent, TextLine

    raw = _grid([["科目编码", "科目名称", "2025年预算数", "2026年预算数"],
                 ["201", "一般公共服务支出", "10.00", "12.00"],
                 ["205", "教育支出", "5.00", "6.00"]])
    page = PageContent(number=1, width=600, height=800,
                       lines=[TextLine("一般公共预算支出情况表", 0, 200, 60, 72)], tables=[raw])
    rec = Recogniser(cat)
    rec.add_page(page)
    (d,) = rec.drafts
    assert [r.values.get("total") for r in d.rows] == [Decimal("12.00"), Decimal("6.00")]
    assert any(w.kind == "unread_columns" for w in rec.warnings)
    done = assess(cat, "department_budget", [], [], rec.warnings)
    assert done.status == "partial" and done.unread_columns


def test_completeness_states_what_was_not_read() -> None:
    rows = [{"total": Decimal("10"), "basic": Decimal("4"), "project": Decimal("6")}] * 3
    ok = ("expenditure_summary", "支出总表", [3], False, None, True, rows, Decimal("0.005"))
    unread = ("general_budget_expenditure", "一般公共预算支出表", [4], True, None, True, [], Decimal("0.005"))
    empty = ("government_fund_expenditure", "政府性基金预算支出表", [5], True, "注：无", False, [],
             Decimal("0.005"))
    c = assess(cat, "department_budget", [ok, unread, empty], [(9, "项目支出表", True), (10, "名单", False)],
               [], titles=[("three_public", 6, "三公经费支出表")])
    status = {t["kind"]: t["status"] for t in c.tables}
    assert status["expenditure_summary"] == "found"
    assert status["general_budget_expenditure"] == "unread"
    assert status["government_fund_expenditure"] == "empty"
    assert status["three_public"] == "unread"           # title printed, no table read under it
    assert status["revenue_summary"] == "absent"
    assert c.unread_tables == [{"page": 9, "title": "项目支出表"}]
    assert c.status == "partial"
    complete = assess(cat, "department_budget", [ok], [], [])
    assert complete.status == "complete" and not complete.reasons
    assert assess(cat, "not_budget", [ok], [], []).status == "not_budget"


def test_arithmetic_failing_throughout_is_partial() -> None:
    shifted = [{"total": Decimal("10"), "basic": Decimal("6"), "project": Decimal("6")}] * 4
    assert row_arithmetic("expenditure_summary", shifted, Decimal("0.005")) == (4, 4)
    # 基本支出 printed only as 人员经费 + 公用经费
    split = [{"total": Decimal("10"), "personnel": Decimal("3"), "public_funds": Decimal("1"),
              "project": Decimal("6")}]
    assert row_arithmetic("revenue_expenditure_summary", split, Decimal("0.005")) == (1, 0)
    t = ("expenditure_summary", "支出总表", [3], False, None, True, shifted, Decimal("0.005"))
    c = assess(cat, "unit_budget", [t], [], [ParseWarning("x", "y")])
    assert c.status == "partial" and c.arithmetic_failing[0]["rows_failing"] == 4


def test_row_roles() -> None:
    assert cat.row_role("收入总计", None) == "grand_total"
    assert cat.row_role("一、本年收入合计", None) == "current_total"
    assert cat.row_role("上年结转结余", None) == "carryover"
    assert cat.row_role("其中：人员经费", None) == "sub_item"
    assert cat.row_role("合计", None) == "total"
    assert cat.row_role("行政运行", "2010101") == "item"
    assert cat.row_role("工资福利支出", "301") == "class"
    assert cat.classification_of("general_budget_basic_expenditure") == "economic"
    assert cat.classification_of("general_budget_expenditure") == "functional"
