"""Scanned disclosures read by OCR (issue 18): the demo's scanned disclosure against its truth, a scan
with no readable text, the corpus's scanned notices, and a scanned table's own arithmetic.

The OCR engine is Debian's tesseract-ocr with tesseract-ocr-chi-sim (.ci/run installs it); the tests
that need it skip with a message where it is missing. Each PDF is parsed once per session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.document import ocr_engine
from pipeline.model import DocumentError, ParseResult, Row, Table

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT / "tests" / "truth" / "cities"
#: The corpus scans parsed here: the short ones (the 12 scans hold 99 pages, ~5 min of OCR;
#: bench/bench_ocr.py reads them all).
MAX_SCAN_PAGES = 4


@contextmanager
def _ocr_on():
    old = os.environ.get("BUDGET_ETL_OCR")
    os.environ["BUDGET_ETL_OCR"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("BUDGET_ETL_OCR", None)
        else:
            os.environ["BUDGET_ETL_OCR"] = old


@pytest.fixture(scope="session")
def engine() -> str:
    name = ocr_engine.engine()
    if name is None:
        pytest.skip(f"OCR tests skipped: {ocr_engine.missing_message()}")
    return name


def _parse(path: Path) -> ParseResult | DocumentError:
    from pipeline.parse import parse_document

    with _ocr_on():
        try:
            return parse_document(path)
        except DocumentError as e:
            return e


@pytest.fixture(scope="session")
def scanned_demo(engine, tmp_path_factory) -> tuple[dict, ParseResult]:
    """The demo's scanned disclosure (pipeline/demo/scanned.py) and its parse, made once."""
    from pipeline.demo.scanned import write_scanned

    out = tmp_path_factory.mktemp("scanned-demo")
    f = write_scanned(out)
    truth = json.loads((out / f.truth).read_text("utf-8"))
    r = _parse(out / f.path)
    assert not isinstance(r, DocumentError), r
    return truth, r


def test_scanned_pdf_has_no_text_layer(engine, tmp_path) -> None:
    import pdfplumber

    from pipeline.demo.scanned import write_scanned

    f = write_scanned(tmp_path)
    with pdfplumber.open(tmp_path / f.path) as pdf:
        assert all(not p.chars and p.images for p in pdf.pages)


def test_scanned_demo_cells_match_truth_or_sit_in_doubtful_tables(scanned_demo) -> None:
    truth, r = scanned_demo
    want = ParseResult.from_dict(truth)
    got = {(t.kind, tuple(t.pages)): t for t in r.tables}
    cells = equal = 0
    wrong_in_trusted = []
    for t in want.tables:
        g = got.get((t.kind, tuple(t.pages)))
        assert g is not None, f"{t.kind} p{t.pages} not read from the scan"
        assert g.origin == "ocr"
        assert len(g.rows) == len(t.rows), f"{t.kind}: {len(g.rows)} rows read, {len(t.rows)} printed"
        for wr, gr in zip(t.rows, g.rows):
            assert gr.origin == "ocr" and set(gr.confidence) == set(gr.values)
            assert all(0.0 <= c <= 1.0 for c in gr.confidence.values())
            for m, v in wr.values.items():
                cells += 1
                if gr.values.get(m) == v and gr.code == wr.code:
                    equal += 1
                elif g.status != "doubtful":
                    wrong_in_trusted.append(f"{t.kind} {wr.code} {wr.name} {m}: {gr.values.get(m)} ≠ {v}")
    assert not wrong_in_trusted, wrong_in_trusted
    assert equal >= 0.95 * cells, f"{equal} of {cells} cells read exactly"
    ocr = r.completeness["ocr"]
    assert ocr["engine"] and len(ocr["pages"]) == r.source["pages"]
    assert {v["kind"] for v in ocr["tables"]} == {t.kind for t in want.tables}


def test_scanned_demo_identity_and_class(scanned_demo) -> None:
    truth, r = scanned_demo
    assert r.document_class == truth["document_class"] and r.year == truth["year"]
    assert r.department["code"] == truth["department"]["code"]


def test_doubtful_tables_leave_the_parse_partial_and_say_why(scanned_demo) -> None:
    _, r = scanned_demo
    doubtful = [t for t in r.tables if t.status == "doubtful"]
    warned = {w.message.split(":")[0] for w in r.warnings if w.kind == "ocr_doubtful"}
    assert {t.title for t in doubtful} == warned
    if doubtful:
        assert r.completeness["status"] == "partial"


def test_image_pdf_without_readable_text_is_no_text(engine, tmp_path) -> None:
    from pipeline.demo.broken import _images_only

    p = tmp_path / "blank.pdf"
    _images_only(None, p)
    r = _parse(p)
    assert isinstance(r, DocumentError) and r.kind == "no_text", r
    env = dict(os.environ, BUDGET_ETL_OCR="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(p)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 3 and json.loads(proc.stdout)["error"]["kind"] == "no_text"


def _corpus_scans() -> list[dict]:
    return [t for p in sorted(TRUTH.glob("*.json")) if (t := json.loads(p.read_text("utf-8"))).get("scanned")]


@pytest.fixture(scope="session")
def corpus_scans(engine, corpus_dir) -> list[tuple[dict, ParseResult | DocumentError]]:
    scans = [t for t in _corpus_scans() if t["pages"] <= MAX_SCAN_PAGES]
    if not scans:
        pytest.skip("no scanned corpus file in tests/truth/cities")
    return [(t, _parse(corpus_dir / "cities" / t["file"])) for t in scans]


def test_corpus_scans_are_not_budget_documents(corpus_scans) -> None:
    wrong = []
    for t, r in corpus_scans:
        if isinstance(r, DocumentError):
            wrong.append(f"{t['file']}: {r.kind} {r.message}")
        elif r.document_class != t["document_class"]:
            wrong.append(f"{t['file']}: class {r.document_class}, truth {t['document_class']}")
        elif r.completeness["status"] != "not_budget" or not r.completeness.get("ocr"):
            wrong.append(f"{t['file']}: completeness {r.completeness['status']}")
    assert not wrong, "\n".join(wrong)


# ---- a scanned table's own arithmetic (no engine needed) ------------------------------------------
def _table(basic: str) -> Table:
    def row(code, name, total, b, p):
        return Row(None, code, name, {"total": Decimal(total), "basic": Decimal(b), "project": Decimal(p)},
                   1, [0, 0, 1, 1], origin="ocr")
    return Table("expenditure_summary", "支出总表", [1], False, rows=[
        row("201", "一般公共服务支出", "300.00", "200.00", "100.00"),
        row("20101", "人大事务", "300.00", basic, "100.00"),
        row(None, "合计", "300.00", "200.00", "100.00")], origin="ocr")


def test_a_scanned_table_that_adds_up_is_accepted() -> None:
    from pipeline.tables.ocr_trust import judge

    t = _table("200.00")
    verdicts, warnings = judge([t], "万元")
    assert verdicts[0]["verdict"] == "accepted" and verdicts[0]["identities_checked"] >= 4
    assert t.status is None and not warnings


def test_a_misread_digit_makes_the_table_doubtful_and_is_named_never_changed() -> None:
    from pipeline.tables.ocr_trust import judge

    t = _table("260.00")          # 200.00 read with a 0/6 confusion
    verdicts, warnings = judge([t], "万元")
    assert verdicts[0]["verdict"] == "doubtful" and t.status == "doubtful"
    assert t.rows[1].values["basic"] == Decimal("260.00")
    conf = [w for w in warnings if w.kind == "ocr_confusion"]
    assert any(w.values[:2] == ["260.00", "200.00"] and "basic" in w.message for w in conf), conf
    assert [w.kind for w in warnings].count("ocr_doubtful") == 1


# ---- the warehouse and the report ----------------------------------------------------------------
@pytest.fixture(scope="session")
def scanned_night(scanned_demo, tmp_path_factory):
    """The scanned disclosure through a whole night (its parse taken from the session's parse, by
    the content-addressed parse cache, so it is OCR'd once per session)."""
    import shutil

    from pipeline.config import Home
    from pipeline.night import run_night
    from pipeline.process import cached_parse

    truth, r = scanned_demo
    src = Path(r.source["path"])
    inbox = tmp_path_factory.mktemp("scanned-inbox")
    shutil.copy(src, inbox / src.name)
    home = Home.at(tmp_path_factory.mktemp("scanned-home")).ensure()
    cached = cached_parse(home, r.source["sha256"])
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(r.to_json(), encoding="utf-8")
    run_night(home, inbox=inbox, workers=1, progress=lambda *_: None, gx=False)
    return home, r


def test_warehouse_keeps_origin_and_confidence_and_no_error_from_a_misread(scanned_night) -> None:
    import duckdb

    home, r = scanned_night
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        origins = con.execute("SELECT origin, count(*), min(confidence), max(confidence) FROM budget_lines "
                              "GROUP BY origin").fetchall()
        assert len(origins) == 1 and origins[0][0] == "ocr" and 0 <= origins[0][2] <= origins[0][3] <= 1
        tables = dict(con.execute("SELECT table_kind || ' ' || title, status FROM document_tables "
                                  "WHERE origin = 'ocr'").fetchall())
        assert len(tables) == len(r.tables)
        doubtful = {f"{t.kind} {t.title}" for t in r.tables if t.status == "doubtful"}
        assert {k for k, v in tables.items() if v == "doubtful"} == doubtful
        errors = con.execute("SELECT check_name, message FROM check_results WHERE severity = 'error'").fetchall()
    finally:
        con.close()
    # the scanned disclosure plants no fault: an error would be a misread reported as the department's
    assert not errors, errors


def test_report_marks_the_scanned_document(scanned_night, tmp_path) -> None:
    from pipeline.report.render import write_report

    home, _ = scanned_night
    html = write_report(home.db_path, tmp_path).read_text(encoding="utf-8")
    assert "扫描件 scanned" in html and "OCR pages" in html


def test_a_misread_column_number_row_is_still_no_data_row_on_scans_only() -> None:
    from pipeline.tables.catalogue import load_catalogue
    from pipeline.tables.header import is_numbering_row

    cat = load_catalogue()
    misread = ["类大", None, "1", "2", "3"]         # "** 1 2 3" / "甲 乙 1 2 3" as OCR may read it
    assert is_numbering_row(misread, cat, ocr=True)
    assert not is_numbering_row(misread, cat)       # text PDFs: unchanged
    assert not is_numbering_row(["合计", "1", "2", "3"], cat, ocr=True)
    assert not is_numbering_row(["类大", "1", "3", "4"], cat, ocr=True)
    assert is_numbering_row(["两", "1", "乙", "2"], cat, ocr=True)      # a side-by-side 甲 1 乙 2
    assert not is_numbering_row(["一般公共服务", "1", "2"], cat, ocr=True)


# ---- a sheet fed askew (no engine needed) ---------------------------------------------------------
def _grids(gray, dpi) -> list:
    from pipeline.document import ruling

    horiz, vert = ruling.find_lines(gray, dpi)
    return ruling.find_grids(horiz, vert, tol=max(3.0, dpi / 50))


def _same_grids(a: list, b: list, px: float) -> bool:
    """The same ruled tables: as many rows and columns, every column line and row top within ``px``."""
    if [(len(g.rows), len(g.xs)) for g in a] != [(len(g.rows), len(g.xs)) for g in b]:
        return False
    return all(abs(x - y) <= px for g, h in zip(a, b) for x, y in zip(g.xs, h.xs)) and \
        all(abs(r[1] - s[1]) <= px for g, h in zip(a, b) for r, s in zip(g.row_bboxes, h.row_bboxes))


def test_a_page_turned_on_the_glass_is_measured_and_turned_back(tmp_path) -> None:
    """A generated disclosure's table page (fixed seed) turned by a known angle: the skew measured
    is that angle, and turned back the page shows the same ruled tables as the page never turned."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    from pipeline.demo.variants import Variant, render_variant
    from pipeline.document import deskew

    pdf = tmp_path / "variant.pdf"
    render_variant(Variant(seed=3), pdf)
    dpi = 200
    doc = pdfium.PdfDocument(str(pdf))
    try:
        straight = np.asarray(doc[2].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    finally:
        doc.close()
    want = _grids(straight, dpi)
    assert want and all(len(g.rows) >= 3 for g in want)
    assert abs(deskew.measure(straight, dpi)) < deskew.MIN_ANGLE
    assert deskew.straighten(straight, dpi)[0] is straight          # a straight page is left alone
    for angle in (0.7, -0.45):
        turned = np.asarray(Image.fromarray(straight).rotate(angle, resample=Image.BICUBIC, fillcolor=255))
        assert not _same_grids(_grids(turned, dpi), want, 3)         # askew, its cells are elsewhere
        back, measured = deskew.straighten(turned, dpi)
        assert abs(measured - angle) <= 0.05, (measured, angle)
        assert _same_grids(_grids(back, dpi), want, 3)


def test_misread_punctuation_and_numbering_are_folded_never_digits_nor_wording() -> None:
    from pipeline.document.ocr_page import fold

    # wording is put right against the catalogue later (tests/test_ocr_wording.py), not by a list here
    assert fold("本年文出") == "本年文出" and fold("因公出国〈境)费") == "因公出国(境)费"
    assert fold("二士、住房保障支出") == "二十、住房保障支出" and fold("-、一般公共预算") == "一、一般公共预算"
    assert fold("一般公共预算“三公?经费") == "一般公共预算“三公”经费" and fold("其中:小计") == "其中：小计"
    assert fold("上年结转结余") == "上年结转结余" and fold("上海市") == "上海市"     # no numbering: kept
    for figure in ("596.40", "1,234.50", "12:30", "-5.00"):
        assert fold(figure) == figure
    # a meta line's colon read as a comma: its unit must still be found (单位，元 was taken for 万元)
    assert fold("编制部门，上海市某局 单位，元") == "编制部门：上海市某局 单位：元"
    assert fold("各部门，各单位") == "各部门，各单位"                                  # prose: kept


def test_a_scan_whose_unit_was_not_read_is_doubtful_and_says_so() -> None:
    """Its tables add up in 元 as in 万元: a unit line misread must not pass as 万元 silently."""
    from types import SimpleNamespace

    from pipeline.parse import _judge_scanned

    for unit_read in (True, False):
        t = _table("200.00")
        done = SimpleNamespace(reasons=[], status="complete", ocr=None)
        warnings: list = []
        _judge_scanned([t], "万元", done, warnings, SimpleNamespace(ocr="tesseract", ocr_pages=[(1, 1.0)]),
                       unit_read=unit_read)
        kinds = {w.kind for w in warnings}
        if unit_read:
            assert t.status is None and done.status == "complete" and not kinds
        else:
            assert t.status == "doubtful" and done.status == "partial"
            assert {"ocr_unit_unread", "ocr_doubtful"} <= kinds and done.ocr["tables"][0]["verdict"] == "doubtful"
            assert any("unit" in r for r in done.reasons)


def test_a_cells_lines_of_ink_are_counted_by_the_blank_rows_between_them() -> None:
    """A cell read as several lines whose ink is one line is read again as one (ocr_page.read_page)."""
    import numpy as np

    from pipeline.document.ocr_page import _ink_lines

    crop = np.full((60, 100), 255, dtype=np.uint8)
    assert _ink_lines(crop) == 0
    crop[10:25, 5:90] = 0
    crop[17, 5:90] = 255                  # one blank pixel row inside a character: still one line
    assert _ink_lines(crop) == 1
    crop[35:50, 5:60] = 0
    assert _ink_lines(crop) == 2
