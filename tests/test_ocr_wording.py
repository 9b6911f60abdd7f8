"""OCR wording put right against the catalogue and the subject lists (pipeline/tables/ocr_wording.py).

The rules must put right a character misread in budget wording (支 read 文, 款 read 蒜, 目 read 日) and
must not rewrite text printed right: the hand-checked truth labels of every corpus (read as if scanned)
and text-layer lines are the measure of the latter. No OCR engine is needed here.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.config import SHARED_DIR
from pipeline.document.numbers import label_key
from pipeline.document.reader import RawTable, TextLine
from pipeline.tables import ocr_wording as ow
from pipeline.tables.catalogue import load_catalogue
from pipeline.tables.recognise import RawRow

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalogue()


def _title(text: str, both_sides: bool) -> str:
    """``text`` as the title line over a table printing both sides (收入 | 支出) or one."""
    head = ["收入", None, "支出", None] if both_sides else ["科目编码", "科目名称", "合计", "财政拨款"]
    raw = RawTable(bbox=(0, 0, 400, 60), xs=[0, 100, 200, 300, 400], row_bboxes=[(0, 0, 400, 30), (0, 30, 400, 60)],
                   cells=[[(0, 0, 100, 30), (100, 0, 200, 30), (200, 0, 300, 30), (300, 0, 400, 30)]] * 2,
                   texts=[head, ["一、教育支出", "1.00", "合计", "1.00"]], origin="ocr")
    return ow.correct_titles([TextLine(text, 0, 100, 0, 10)], raw, CAT)[0].text


def test_titles_are_put_right_to_one_kind_only() -> None:
    assert _title("2026年预算单位一般公共预算文出功能分类预算表", False) == "2026年预算单位一般公共预算支出功能分类预算表"
    assert _title("2024年度文出总表", False) == "2024年度支出总表"      # the match's first character
    # 收文 is 收支 or 收入 by its wording; by its table (both sides printed or not) it is one
    assert CAT.kind_of_title(_title("2025年部门财务收文预算总表", True)) == "revenue_expenditure_summary"
    assert CAT.kind_of_title(_title("2025年部门财务收文预算总表", False)) == "revenue_summary"
    # a substitution at the match's last character may be another word: left as read
    assert _title("项目 国有资本经营预算支出", False) == "项目 国有资本经营预算支出"
    assert _title("财政拨款支出主要内容如下", False) == "财政拨款支出主要内容如下"
    assert _title("绩效指标", False) == "绩效指标"                       # a header word, not 绩效目标
    assert _title("20256年度收支预算总表", True) == "20256年度收支预算总表"  # named a kind as read


def test_header_cells_are_put_right_never_digits() -> None:
    raw = RawTable(bbox=(0, 0, 400, 90), xs=[0, 100, 200, 300, 400],
                   row_bboxes=[(0, 0, 400, 30), (0, 30, 400, 60), (0, 60, 400, 90)],
                   cells=[[(0, 0, 100, 30), (100, 0, 200, 30), (200, 0, 300, 30), (300, 0, 400, 30)],
                          [(0, 30, 100, 60), (100, 30, 200, 60), (200, 30, 300, 60), (300, 30, 400, 60)],
                          [(0, 60, 100, 90), (100, 60, 200, 90), (200, 60, 300, 90), (300, 60, 400, 90)]],
                   texts=[["科日编码", "财政拨蒜收入", "项目文出", "2O24年预算数"],
                          ["工会经费", "基本文出", "本年文出", "人员经费"],
                          ["201", "1.00", "2.00", "3.00"]], origin="ocr")
    got = ow.correct_header(raw, CAT, "revenue_summary").texts
    assert got[0][:3] == ["科目编码", "财政拨款收入", "项目支出"]
    assert got[0][3] == "2O24年预算数"              # no correction touches a digit (nor guesses)
    assert got[1] == ["工会经费", "基本支出", "本年支出", "人员经费"]   # 工会经费 is no 会议费
    assert got[2] == raw.texts[2]                  # rows from the first amount on are not header


def _draft(kind: str, rows: list[tuple], origin: str | None = "ocr") -> SimpleNamespace:
    return SimpleNamespace(kind=kind, rows=[
        RawRow(side, code, name, {}, 1, [x, 0, x + 50, 10], origin=origin) for side, code, name, x in rows])


def test_labels_are_put_right_toward_the_subject_lists_and_the_read_text_is_kept() -> None:
    d = _draft("revenue_expenditure_summary", [
        ("expenditure", None, "一、住房保障文出", 200), ("expenditure", None, "文出总计", 200),
        ("expenditure", None, "二、外交文出", 200), ("revenue", None, "收入合计", 0),
        ("revenue", None, "1，一般公共预算资金", 0)])
    ow.correct_labels(d, CAT)
    assert [r.name for r in d.rows] == ["一、住房保障支出", "支出总计", "二、外交支出", "收入合计",
                                        "1，一般公共预算资金"]
    assert d.rows[0].attrs == {"ocr_read": "一、住房保障文出"} and d.rows[3].attrs == {}
    coded = _draft("general_budget_expenditure", [(None, "22102", "住房改革文出", 0), (None, "2210201", "住房公积金", 0)])
    ow.correct_labels(coded, CAT)
    assert coded.rows[0].name == "住房改革支出" and coded.rows[0].attrs["ocr_read"] == "住房改革文出"
    text = _draft("general_budget_expenditure", [(None, "22102", "住房改革文出", 0)], origin=None)
    ow.correct_labels(text, CAT)
    assert text.rows[0].name == "住房改革文出"        # a text-layer row is never touched


def test_a_columns_numbering_is_repaired_by_its_neighbours_only_where_misread() -> None:
    labels = ["十四、资源勘探信息等支出", "十五、商业服务业等支出", "F六、金融支出", "七、国土海洋气象等支出",
              "十八、住房保障支出", "十九、粮油物资储备支出", "一一、基本支出", "二、项目支出", "三、单位预留机动经费"]
    d = _draft("revenue_expenditure_summary", [("expenditure", None, t, 200 if i < 6 else 300)
                                               for i, t in enumerate(labels)])
    ow.correct_numbering(d)
    assert [r.name for r in d.rows] == ["十四、资源勘探信息等支出", "十五、商业服务业等支出", "十六、金融支出",
                                        "十七、国土海洋气象等支出", "十八、住房保障支出", "十九、粮油物资储备支出",
                                        "一、基本支出", "二、项目支出", "三、单位预留机动经费"]
    assert d.rows[2].attrs["ocr_read"] == "F六、金融支出"
    # a printed numbering may skip a number: a well-formed numeral at a column's end is kept
    skip = _draft("revenue_expenditure_summary", [("revenue", None, t, 0)
                                                  for t in ("一、财政拨款收入", "二、事业收入", "四、其他收入")])
    ow.correct_numbering(skip)
    assert [r.name for r in skip.rows] == ["一、财政拨款收入", "二、事业收入", "四、其他收入"]


def _truth_files() -> list[Path]:
    files = sorted((ROOT / "tests" / "truth" / "cities").glob("*.json"))
    files += sorted((SHARED_DIR / "corpus").glob("*/truth/*.json"))
    return files


def test_no_hand_checked_label_is_rewritten() -> None:
    """Every truth label of every corpus, read as if scanned (origin ocr), by side and label column:
    the label rules must leave every one as printed (the measure for coded and class names, side
    words and numberings; 退休费 is a name one character from 离休费, so 3-character names are left)."""
    from pipeline.evaluation.parse_scores import truth_kind

    files = _truth_files()
    n = 0
    changed = []
    for f in files:
        for tb in json.loads(f.read_text("utf-8")).get("tables", []):
            if not tb.get("rows") or (kind := truth_kind(tb)) not in CAT.kinds:
                continue
            sides = CAT.kinds[kind].side_by_side
            cols: dict = {}
            rows = []
            for r in tb["rows"]:
                path = (next(iter(r.get("values") or {}), "") or "").split("/")
                side = CAT.side_of(label_key(path[0])) if sides else None
                x = cols.setdefault((side, "/".join(path[:-1]) if sides else ""), 100.0 * len(cols))
                rows.append((side, r.get("code"), r.get("label") or "", x))
            d = _draft(kind, rows)
            ow.correct_labels(d, CAT)
            n += len(rows)
            changed += [(f.name, a[2], r.name) for a, r in zip(rows, d.rows) if a[2] != r.name]
    assert n > 1000, "too few truth labels to measure on"
    assert not changed, changed[:10]


@pytest.mark.parametrize("text", ["本年支出", "2026年预算数", "其中：基本支出", "因公出国(境)费", "预算数"])
def test_text_read_right_is_never_changed(text: str) -> None:
    sources = ow._header_sources(CAT, None)
    assert ow.one_substitution(text, sources, lambda t: ow.is_header_word(CAT, None, t)) is None


def test_the_subject_lists_read_here_are_the_packaged_ones() -> None:
    from pipeline.clean.codes import REFERENCE_FILES, load_subject_codes

    assert ow.SUBJECT_FILES == REFERENCE_FILES
    frame = load_subject_codes()
    names = ow.subject_names()
    for cls, code, name in frame.select(["classification", "code", "name"]).iter_rows():
        assert name in names[cls][code]
