"""Rows the Jiangsu exports spread over several cells or pages are read as one row, each mechanism
on the real page that needs it (skipped without ../shared), plus the geometry rules on synthetic grids.

- a grid holding a table's last rows and the next table keeps its own right edge (人大 2017 p15);
- a continuation page's amount column is the grid column matching it best, not the first one
  overlapping it (检察院 2018 p18: a sliver column cut off the 金额 column; 人大 2017 p8: two amount
  columns on the expenditure side);
- label fragments stacked around a straddling amount cell are one label (检察院 2018 p13);
- a side's own label cell spanning down beats the label of the group before it (单位预留机动经费);
- a label cut by a page break goes on the row it continues (人大 2017 pp7–9);
- a merged label cell printed again on the next page does not name the row (省委办公厅 2017 p13);
- a label cell merged down over two rows names both (检察院 2018 p22 物业管理服务).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from pipeline.config import SHARED_DIR
from pipeline.document.reader import RawTable
from pipeline.tables.wraps import covering_text, join_wrapped_labels

JIANGSU = SHARED_DIR / "corpus" / "jiangsu"
RENDA_2017 = "江苏省人大办公厅/江苏省人大办公厅2017年度预算公开.pdf"
JCY_2018 = "江苏省人民检察院/2018年省检察院部门预算公开.pdf"
JCY_2019 = "江苏省人民检察院/2019年度部门预算公开.pdf"
WB_2017 = "江苏省委办公厅/江苏省委办公厅2017年预算公开表格.pdf"


@lru_cache(maxsize=None)
def _parsed(rel: str):
    from pipeline.parse import parse_document

    path = JIANGSU / rel
    if not path.is_file():
        pytest.skip(f"{path} is missing (../shared absent; set BUDGET_ETL_SHARED)")
    return parse_document(path)


def _rows(rel: str, kind: str, page: int | None = None, side: str | None = "any"):
    tables = [t for t in _parsed(rel).tables if t.kind == kind]
    assert tables, f"no {kind} table in {rel}"
    return [(r.name, r.code, r.values) for t in tables for r in t.rows
            if (page is None or r.page == page) and (side == "any" or r.side == side)]


def _amount(rows, name: str, measure: str = "amount") -> list[Decimal]:
    return [v[measure] for n, _, v in rows if n == name and measure in v]


# ---- real pages -------------------------------------------------------------------------------------

def test_split_grid_part_keeps_its_own_right_edge() -> None:
    rows = _rows(RENDA_2017, "fiscal_appropriation_basic_expenditure", page=15)
    assert [(c, v["total"]) for _, c, v in rows] == [("30312", Decimal("1018.01"))]
    rows = _rows(RENDA_2017, "revenue_expenditure_summary", page=9)
    assert _amount(rows, "收入合计") == [Decimal("13649.07")]
    assert _amount(rows, "支出合计") == [Decimal("13649.07")]


def test_continued_amount_column_is_the_best_matching_grid_column() -> None:
    rows = _rows(JCY_2018, "general_budget_expenditure", page=18)
    assert ("221", Decimal("3660.38")) in [(c, v.get("total")) for _, c, v in rows]
    rows = _rows(RENDA_2017, "revenue_expenditure_summary", page=8, side="expenditure")
    assert _amount(rows, "当年支出小计") == [Decimal("13649.07")]


def test_label_fragments_around_a_straddling_amount_are_one_label() -> None:
    rows = _rows(JCY_2018, "revenue_expenditure_summary", page=13, side="revenue")
    assert _amount(rows, "1.一般公共预算") == [Decimal("21940.96")]
    assert not [n for n, _, _ in rows if n in ("1.一般公共预", "算")]


@pytest.mark.parametrize("rel, amount", [(JCY_2018, "2388.04"), (JCY_2019, "3990.40")])
def test_own_covering_label_beats_the_group_before(rel: str, amount: str) -> None:
    rows = _rows(rel, "revenue_expenditure_summary", side="expenditure")
    assert _amount(rows, "三、单位预留机动经费") == [Decimal(amount)]
    assert _amount(rows, "三、国防支出") == []       # printed without an amount


def test_label_cut_by_a_page_break_goes_on_its_row() -> None:
    rows = _rows(RENDA_2017, "revenue_expenditure_summary")
    assert _amount(rows, "八、社会保障和就业支出") == [Decimal("1608.51")]
    assert _amount(rows, "当年收入小计") == [Decimal("13649.07")]
    assert not [n for n, _, _ in rows if n in ("八、社会保障和就", "当年收入", "业支出", "小计")]


def test_merged_cell_printed_again_after_a_page_break_does_not_name_the_row() -> None:
    rows = _rows(WB_2017, "procurement")
    assert _amount(rows, "机要及电子政务业务费") == [Decimal("30.00"), Decimal("11.40")]
    assert _amount(_rows(WB_2017, "procurement", page=13), "便携式计算机（20万以下）") == [Decimal("3.50")]


def test_label_cell_merged_down_names_the_row_below() -> None:
    rows = _rows(JCY_2018, "procurement", page=22)
    assert _amount(rows, "物业管理服务") == [Decimal("330.00"), Decimal("20.00")]
    assert not [v for n, _, v in rows if not n]


# ---- synthetic grids ------------------------------------------------------------------------------

def _grid(cells: list[list[tuple | None]], texts: list[list[str | None]], xs: list[float]) -> RawTable:
    tops = [min(c[1] for c in row if c) for row in cells]
    bottoms = [max(c[3] for c in row if c) for row in cells]
    return RawTable(bbox=(xs[0], tops[0], xs[-1], max(bottoms)), xs=xs,
                    row_bboxes=[(xs[0], t, xs[-1], b) for t, b in zip(tops, bottoms)],
                    cells=cells, texts=texts)


def test_join_wrapped_labels_needs_a_straddling_amount() -> None:
    xs = [0.0, 100.0, 200.0]
    # label halves 0–20 / 20–40, the amount cell 10–30 across the ruling at y=20
    straddled = _grid([[(0, 0, 100, 20), (100, 0, 200, 10)],
                       [None, (100, 10, 200, 30)],
                       [(0, 20, 100, 40), None],
                       [None, (100, 30, 200, 40)]],
                      [["1.一般公共预", ""], [None, "21,940.96"], ["算", None], [None, ""]], xs)
    out = join_wrapped_labels(straddled, 0)
    assert out.texts[0][0] == "1.一般公共预算" and out.texts[2][0] == ""
    assert out.cells[0][0][3] == 40       # the joined cell now spans both halves
    # two items one above the other, each with its own amount: left alone
    separate = _grid([[(0, 0, 100, 20), (100, 0, 200, 20)], [(0, 20, 100, 40), (100, 20, 200, 40)]],
                     [["五、教育支出", "1.00"], ["六、科学技术支出", "2.00"]], xs)
    assert join_wrapped_labels(separate, 0).texts == separate.texts


def test_covering_text_reads_a_cell_merged_down() -> None:
    xs = [0.0, 100.0, 200.0]
    grid = _grid([[(0, 0, 100, 40), (100, 0, 200, 20)], [None, (100, 20, 200, 40)],
                  [(0, 40, 100, 60), (100, 40, 200, 60)]],
                 [["物业管理服务", "330.00"], [None, "20.00"], ["其他服务", "20.00"]], xs)
    assert covering_text(grid, 1, 0) == "物业管理服务"
    assert covering_text(grid, 2, 0) is None          # a cell of its own
    assert covering_text(grid, 0, 0) is None
