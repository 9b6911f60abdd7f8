"""A column printing amounts under a header the catalogue cannot map is said, and the table is not whole.

Small hand-made grids (no PDF): a text table with an unknown money column gets ``unread_column`` naming
the table, page, header and count, its status is ``partial`` and so is the document; columns that are
not money (numbering, codes, years, counts beside decimal amounts, rates) say nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.document.reader import PageContent, TextLine
from pipeline.tables.catalogue import load_catalogue
from pipeline.tables.completeness import assess, table_status
from pipeline.tables.recognise import Recogniser
from pipeline.tables.unread import money_column

from test_parse_structure import _grid   # a ruled grid of cells, one text each

cat = load_catalogue()
TITLE = "一般公共预算支出情况表"


def _read(rows: list[list[str | None]], title: str = TITLE) -> Recogniser:
    page = PageContent(number=3, width=600, height=800, lines=[TextLine(title, 0, 200, 60, 72)],
                       tables=[_grid(rows)])
    rec = Recogniser(cat)
    rec.add_page(page)
    return rec


def _status(rec: Recogniser):
    (d,) = rec.drafts
    t = (d.kind, d.title, sorted(set(d.pages)), not d.rows, d.note, d.had_amounts,
         [r.values for r in d.rows], Decimal("0.005"))
    done = assess(cat, "department_budget", [t], rec.unread, rec.warnings)
    return table_status(t, done), done


def test_an_unknown_money_column_of_a_text_table_is_said_and_leaves_it_partial() -> None:
    rec = _read([["科目编码", "科目名称", "合计", "基本支出", "项目支出", "奇异资金列"],
                 ["201", "一般公共服务支出", "22.00", "10.00", "12.00", "8.00"],
                 ["20101", "人大事务", "22.00", "10.00", "12.00", "8.00"],
                 ["205", "教育支出", "3.50", "2.00", "1.50", "3.00"]])
    (w,) = [w for w in rec.warnings if w.kind == "unread_column"]
    assert w.pages == [3] and w.values == [TITLE, "奇异资金列", "3"]
    assert TITLE in w.message and "奇异资金列" in w.message and "3 amounts" in w.message
    # the other columns are read as before
    assert [r.values for r in rec.drafts[0].rows][0] == {"total": Decimal("22.00"), "basic": Decimal("10.00"),
                                                         "project": Decimal("12.00")}
    status, done = _status(rec)
    assert status == "partial" and done.status == "partial"
    assert done.unread_columns and any("奇异资金列" in r for r in done.reasons)


@pytest.mark.parametrize("header,cells", [
    ("序号", ["1", "2", "3"]),                          # a numbering column (also a catalogue seq)
    ("排列", ["1", "2", "3"]),                          # numbering under a header no rule knows
    ("口径", ["2024", "2025", "2025"]),                 # years
    ("人数", ["12", "3", "7"]),                         # counts: integers beside decimal amounts
    ("增长率（%）", ["12.50", "3.10", "7.00"]),          # a rate, said by its header's unit
    ("功能码", ["201", "20101", "205"]),                 # a subject-code hierarchy
    ("内码", ["0301", "0302", "0401"]),                  # codes with a leading zero
    ("备注", ["—", "—", "-"]),                           # dashes only
])
def test_columns_that_are_not_money_say_nothing(header: str, cells: list[str]) -> None:
    rows = [["科目编码", "科目名称", "合计", "基本支出", "项目支出", header],
            ["201", "一般公共服务支出", "22.00", "10.00", "12.00", cells[0]],
            ["20101", "人大事务", "22.00", "10.00", "12.00", cells[1]],
            ["205", "教育支出", "3.50", "2.00", "1.50", cells[2]]]
    rec = _read(rows)
    assert not [w for w in rec.warnings if w.kind == "unread_column"]
    assert _status(rec)[0] == "found"


def test_integer_amounts_count_when_the_table_prints_integers() -> None:
    """A 元 table printing whole amounts: an unknown column printed like them is money."""
    assert money_column(["8", "12", "300"], "奇异资金列", table_money_form=False)
    assert not money_column(["8", "12", "300"], "奇异资金列", table_money_form=True)
    assert money_column(["1,200", "300"], "奇异资金列", table_money_form=True)


def test_a_continuation_page_on_the_same_grid_is_counted_too() -> None:
    head = ["科目编码", "科目名称", "合计", "基本支出", "项目支出", "奇异资金列"]
    first = _grid([head, ["201", "一般公共服务支出", "30.00", "10.00", "12.00", "8.00"]])
    more = _grid([["205", "教育支出", "6.50", "2.00", "1.50", "3.00"],
                  ["20501", "教育管理事务", "6.50", "2.00", "1.50", "3.00"]])
    rec = Recogniser(cat)
    rec.add_page(PageContent(number=3, width=600, height=800, lines=[TextLine(TITLE, 0, 200, 60, 72)],
                             tables=[first]))
    rec.add_page(PageContent(number=4, width=600, height=800, lines=[], tables=[more]))
    assert rec.drafts[0].pages == [3, 4]
    said = [(w.pages, w.values[2]) for w in rec.warnings if w.kind == "unread_column"]
    assert said == [([3], "1"), ([4], "2")]


def test_a_column_read_from_a_page_image_is_said_the_same_way() -> None:
    """The OCR case (a header misread, 财政拨款收入 read 财政拨蒜收入): same warning, saying so, with the
    header as put right against the catalogue's header words (pipeline/tables/ocr_wording.py)."""
    from dataclasses import replace

    raw = replace(_grid([["科目编码", "科目名称", "合计", "基本支出", "项目支出", "财政拨蒜收入"],
                         ["201", "一般公共服务支出", "22.00", "10.00", "12.00", "22.00"],
                         ["205", "教育支出", "3.50", "2.00", "1.50", "3.50"]]), origin="ocr")
    rec = Recogniser(cat)
    rec.add_page(PageContent(number=2, width=600, height=800, lines=[TextLine(TITLE, 0, 200, 60, 72)],
                             tables=[raw]))
    (w,) = [w for w in rec.warnings if w.kind == "unread_column"]
    assert w.values == [TITLE, "财政拨款收入", "2"] and "page image" in w.message and w.pages == [2]


@pytest.mark.parametrize("figs,code", [
    (["201", "20101", "2010101", "205"], True),
    (["210", "210", "221", "221"], True),         # a 类 column: codes repeat
    (["01", "99", "02"], True),
    (["150", "2300", "48"], False),               # whole 元 amounts
    (["120", "340", "560"], False),
])
def test_code_columns_by_their_digits(figs: list[str], code: bool) -> None:
    # in a table printing whole amounts, a code column is still no money; an amount column is
    assert money_column(figs, "x", table_money_form=False) is not code
