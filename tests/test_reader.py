"""The reader's typed errors on bad input, and its one-pass page contents on a good PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipeline.document.reader import open_document, source_info
from pipeline.model import DocumentError
from pipeline.parse import parse_document


def _pdf(path: Path, text: str | None = "部门预算收支总表", table: bool = True, encrypt=None) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), invariant=1, encrypt=encrypt)
    if text:
        c.setFont("STSong-Light", 12)
        c.drawString(100, 780, text)
    if table:
        for y in (700, 680, 660):
            c.line(100, y, 300, y)
        for x in (100, 200, 300):
            c.line(x, 700, x, 660)
        if text:
            c.drawString(105, 685, "合计")
            c.drawString(205, 685, "12.50")
    c.showPage()
    c.save()
    return path


def _kind(path: Path) -> str:
    with pytest.raises(DocumentError) as e:
        parse_document(path)
    assert e.value.message
    return e.value.kind


def test_html_saved_as_pdf_is_not_pdf(tmp_path: Path) -> None:
    p = tmp_path / "page.pdf"
    p.write_text("<!DOCTYPE html><html><body>404</body></html>", encoding="utf-8")
    assert _kind(p) == "not_pdf"
    info = source_info(p)
    assert info["pages"] is None and len(info["sha256"]) == 64


def test_empty_file_is_not_pdf(tmp_path: Path) -> None:
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    assert _kind(p) == "not_pdf"


def test_truncated(tmp_path: Path) -> None:
    good = _pdf(tmp_path / "good.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(good[: len(good) // 2])
    assert _kind(p) == "truncated"


def test_broken_xref_with_eof_marker(tmp_path: Path) -> None:
    good = _pdf(tmp_path / "good.pdf").read_bytes()
    p = tmp_path / "xref.pdf"
    p.write_bytes(good[: len(good) // 2] + b"\nstartxref\n999999\n%%EOF\n")
    assert _kind(p) in ("truncated", "unreadable")


def test_encrypted(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    p = _pdf(tmp_path / "enc.pdf", encrypt=StandardEncryption("secret", canPrint=0))
    assert _kind(p) == "encrypted"


def test_no_text_layer(tmp_path: Path) -> None:
    p = _pdf(tmp_path / "scan.pdf", text=None)
    assert _kind(p) == "no_text"


def test_pages_read_once_with_text_and_tables(tmp_path: Path) -> None:
    p = _pdf(tmp_path / "ok.pdf")
    doc = open_document(p)
    assert doc.n_pages == 1 and len(doc.sha256) == 64
    pages = list(doc.pages())
    assert [pg.number for pg in pages] == [1]
    page = pages[0]
    assert any("收支总表" in ln.text for ln in page.lines)
    assert len(page.tables) == 1 and page.tables[0].texts == [["合计", "12.50"], ["", ""]]
    # the table's text is not prose
    assert all("12.50" not in ln.text for ln in page.lines_outside_tables())


def test_page_without_paths_skips_table_search(tmp_path: Path) -> None:
    p = _pdf(tmp_path / "prose.pdf", table=False)
    from pipeline.document.limits import ParseLimits
    from pipeline.document.reader import _PathCounts

    doc = open_document(p)
    counts = _PathCounts(p, ParseLimits())   # counted page by page, after pdfminer read the page
    assert counts.count(0) == 0
    counts.close()
    assert list(doc.pages())[0].tables == []


def _same_objects_as_pdfplumber(pdf_path: Path, every: int = 1) -> int:
    """Pages compared (every ``every``-th page: a file's pages share its fonts and its producer)."""
    import pdfplumber

    from pipeline.document.objects import parse_objects

    pages = 0
    with pdfplumber.open(str(pdf_path)) as pdf:
        for page in pdf.pages[::every]:
            try:
                ours, theirs = parse_objects(page), page.parse_objects()
                assert list(ours) == list(theirs), (pdf_path.name, page.page_number)
                for kind in theirs:   # per kind, so a failure names the first differing object
                    assert ours[kind] == theirs[kind], (pdf_path.name, page.page_number, kind)
                pages += 1
            finally:
                page.close()
    return pages


def test_fast_character_objects_equal_pdfplumbers_on_real_pages(corpus_dir: Path) -> None:
    """The reader's own char conversion (pipeline/document/objects.py) must give pdfplumber's dicts
    exactly, or tables and text would silently differ from what pdfplumber reads."""
    # the regions with truth (cities/ holds a truncated file and scans, which pdfplumber cannot open)
    files = sorted(f for region in ("jiangsu", "putuo") for f in (corpus_dir / region).rglob("*.pdf"))
    assert sum(_same_objects_as_pdfplumber(f, every=2) for f in files) > 250


def test_fast_character_objects_equal_pdfplumbers_on_the_demo(demo_district: Path, tmp_path: Path) -> None:
    seed = sorted(demo_district.glob("*/125_*.pdf"))[:1]
    assert seed and _same_objects_as_pdfplumber(seed[0]) > 10
    assert _same_objects_as_pdfplumber(_pdf(tmp_path / "tiny.pdf")) == 1


def _lines_and_cells(path: Path, backend: str) -> list[tuple[int, list[str], list]]:
    from pipeline.document.reader import Document

    return [(pg.number, [ln.text for ln in pg.lines], [t.texts for t in pg.tables],
             [(ln.x0, ln.top) for ln in pg.lines] + [t.bbox[:2] for t in pg.tables])
            for pg in Document(path, backend=backend).pages()]


def _same_reading(path: Path) -> int:
    """The pdfium backend reads the same text lines and the same table cells as pdfminer, at the same
    places on the page (the provenance of every figure)."""
    ours, theirs = _lines_and_cells(path, "pdfium"), _lines_and_cells(path, "pdfminer")
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a[1] == b[1], (path.name, a[0], "lines")
        assert a[2] == b[2], (path.name, a[0], "tables")
        assert all(abs(p - q) <= 0.5 for pa, pb in zip(a[3], b[3]) for p, q in zip(pa, pb)), (path.name, a[0], "places")
    return sum(len(r) for _, _, tables, _ in theirs for t in tables for r in t)


def test_pdfium_backend_reads_the_demo_as_pdfminer_does(demo_district: Path, tmp_path: Path) -> None:
    """pdfium's characters (CID font without ToUnicode: reportlab's STSong-Light) and ruling give the
    same lines and cells as pdfminer's."""
    seed = sorted(demo_district.glob("*/1*.pdf"))[:2]
    assert seed and sum(_same_reading(f) for f in seed) > 500
    assert _same_reading(_pdf(tmp_path / "tiny.pdf")) == 4


def test_pdfium_backend_reads_real_pages_as_pdfminer_does(corpus_dir: Path) -> None:
    """Real files with what pdfium reads differently from pdfminer: blank text objects pdfium's
    text page drops, slanted (oblique) text, characters placed closer than their advance, pages turned
    by /Rotate 90 (placed by pdfminer's raw MediaBox, not pdfplumber's turned one)."""
    names = ("上海市普陀区司法局2026年部门预算.pdf", "2017年省检察院部门预算.pdf",
             "江苏省人大常委会办公厅2019年部门预算公开表.pdf")
    files = [f for region in ("putuo", "jiangsu") for f in (corpus_dir / region).rglob("*.pdf")
             if f.name in names]
    assert len(files) == 3 and sum(_same_reading(f) for f in files) > 1000


def test_pdfium_backend_keeps_the_page_caps(tmp_path: Path, monkeypatch) -> None:
    """The characters and paths per page are still capped when pdfium reads the page."""
    from pipeline.document.limits import ParseLimits
    from pipeline.document.reader import Document

    p = _pdf(tmp_path / "ok.pdf")
    with pytest.raises(DocumentError) as e:
        list(Document(p, ParseLimits(max_chars_per_page=5), backend="pdfium").pages())
    assert e.value.kind == "too_large" and "characters" in e.value.message
    with pytest.raises(DocumentError) as e:
        list(Document(p, ParseLimits(max_objects_per_page=3), backend="pdfium").pages())
    assert e.value.kind == "too_large" and "paths" in e.value.message
