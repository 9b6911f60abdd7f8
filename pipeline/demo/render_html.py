"""Another publisher's rendering of a ``DocSpec``: HTML + CSS printed to PDF by headless Chromium.

Why: render.py draws every document the parser has ever been measured on (reportlab, a built-in CID
font, stroked ruling, its own character wrapping). A publisher that lays its budget out as a web page
and prints it from a browser differs in everything the parser relies on: Skia writes embedded subset
TrueType CJK fonts, cell borders as filled rectangles, breaks lines itself, splits tables over pages
with the ``<thead>`` repeated, and turns pages to landscape by ``@page``. The DocSpec is the same, so
its values are the truth; only the pages are the printed PDF's own, found by searching its text
(pypdfium2), never by the project's parser.

``document_html(doc)`` is pure; ``print_pdf(html, out)`` runs Chromium (``ChromiumUnavailable`` when it
is absent, ``ChromiumFailed`` when it prints nothing); ``truth_from_pdf`` reads the pages back;
``render_document_html`` does all three.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import PARSER_VERSION
from pipeline.demo.layout import DocSpec, HeadCell, Line, Paragraph, TableBlock
from pipeline.model import Claim, ParseResult, ParseWarning, Row, Table

#: Body widths (pt) of A4 portrait and landscape pages inside the @page margins below.
_MARGIN_MM = (16, 14, 18, 14)          # top, right, bottom, left
_MM = 72 / 25.4
PORTRAIT_BODY = (210 - _MARGIN_MM[1] - _MARGIN_MM[3]) * _MM
LANDSCAPE_BODY = (297 - _MARGIN_MM[1] - _MARGIN_MM[3]) * _MM
#: Glyphs this far (pt) from the page's foot are the page number of the margin box, not content.
FOOTER_BAND = _MARGIN_MM[2] * _MM - 6

CSS = """
@page { size: A4; margin: %dmm %dmm %dmm %dmm;
        @bottom-center { content: "— " counter(page) " —"; font: 9pt "Noto Serif CJK SC"; } }
@page wide { size: A4 landscape; }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10.5pt; color: #000; }
body { margin: 0; }
section.tb { margin-top: 10pt; }
section.wide { page: wide; }
.newpage { break-before: page; }
h2.title { text-align: center; font-weight: bold; margin: 0 0 8pt 0; break-after: avoid; }
div.meta { display: flex; justify-content: space-between; font-size: 10pt; margin: 0 0 3pt 0;
           break-after: avoid; gap: 12pt; }
table.grid { border-collapse: collapse; table-layout: auto; width: 100%%;
             font-family: "Noto Sans CJK SC", sans-serif; }
table.grid thead { display: table-header-group; }
table.grid td, table.grid th { border: 0.6pt solid #000; padding: 2pt 3pt; font-weight: normal;
                               vertical-align: middle; line-height: 1.3; }
table.grid tr { break-inside: avoid; }
table.grid th { text-align: center; background: #f2f2f2; }
table.grid td.l { text-align: left; } table.grid td.c { text-align: center; }
table.grid td.r { text-align: right; font-variant-numeric: tabular-nums; }
table.grid tr.bare td { border: none; padding: 0 0 3pt 0; background: none; }
table.grid tr.bare td.t { text-align: center; font-weight: bold; font-family: "Noto Serif CJK SC", serif; }
table.grid tr.bare div.meta { margin: 0; }
p.note { font-size: 10pt; margin: 4pt 0 0 0; }
p { margin: 0 0 4pt 0; line-height: 1.6; text-align: justify; }
p.indent { text-indent: 2em; }
p.center { text-align: center; }
h3 { font-size: 12pt; font-weight: bold; margin: 8pt 0 4pt 0; }
""" % _MARGIN_MM


class ChromiumUnavailable(RuntimeError):
    """No headless Chromium on this machine (``apt-get install chromium fonts-noto-cjk``)."""


class ChromiumFailed(RuntimeError):
    """Chromium ran but printed no PDF."""


class TruthNotFound(ValueError):
    """A block's text could not be found in the printed PDF: its pages cannot be stated."""


# ---- HTML (pure) ------------------------------------------------------------------------------
def _e(s: str) -> str:
    return html.escape(s, quote=True)


def _meta_html(tb: TableBlock) -> str:
    parts = [tb.dept_line] + list(tb.meta)
    parts = [p for p in parts if p]
    if not parts:
        return ""
    return '<div class="meta">' + "".join(f"<span>{_e(p)}</span>" for p in parts) + "</div>"


def _header_rows(tb: TableBlock) -> list[str]:
    rows: list[list[HeadCell]] = [[] for _ in range(tb.header_rows)]
    for hc in sorted(tb.header, key=lambda h: (h.row, h.col)):
        rows[hc.row].append(hc)
    out = []
    for cells in rows:
        tds = []
        for hc in cells:
            span = (f' rowspan="{hc.rowspan}"' if hc.rowspan > 1 else "") + \
                   (f' colspan="{hc.colspan}"' if hc.colspan > 1 else "")
            tds.append(f"<th{span}>{_e(hc.text.replace(chr(10), ''))}</th>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    return out


def _body_rows(tb: TableBlock, lines: list[Line]) -> list[str]:
    """Body lines; a cell continued by the lines below (``merged_above``) becomes one rowspan cell."""
    out = []
    for i, ln in enumerate(lines):
        tds = []
        for c, text in enumerate(ln.cells):
            if i > 0 and c in ln.merged_above:
                continue
            span = 1
            while i + span < len(lines) and c in lines[i + span].merged_above:
                span += 1
            rs = f' rowspan="{span}"' if span > 1 else ""
            tds.append(f'<td class="{tb.align[c]}"{rs}>{_e(text)}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    return out


def _table_html(tb: TableBlock) -> str:
    ncols = len(tb.widths)
    total = sum(tb.widths)
    body_w = LANDSCAPE_BODY if tb.landscape else PORTRAIT_BODY
    width = "100%" if total > 0.55 * body_w else f"{total * 1.15:.0f}pt"
    cols = "".join(f'<col style="width:{w / total * 100:.2f}%">' for w in tb.widths)
    title = (f'<tr class="bare"><td class="t" colspan="{ncols}" style="font-size:{tb.title_size}pt">'
             f"{_e(tb.title)}</td></tr>")
    meta = f'<tr class="bare"><td colspan="{ncols}">{_meta_html(tb)}</td></tr>' if _meta_html(tb) else ""
    # parts of the body separated by forced page breaks; each part is a table of its own
    parts: list[list[Line]] = [[]]
    for ln in tb.lines:
        if ln.page_break_before and parts[-1]:
            parts.append([])
        parts[-1].append(ln)
    classes = "tb" + (" wide" if tb.landscape else "") + (" newpage" if tb.new_page else "")
    out = [f'<section class="{classes}">']
    if tb.title and not tb.repeat_title:
        out.append(f'<h2 class="title" style="font-size:{tb.title_size}pt">{_e(tb.title)}</h2>')
    meta_in_head = tb.repeat_meta or tb.repeat_title    # the meta line stays under its title
    if not meta_in_head and _meta_html(tb):
        out.append(_meta_html(tb))
    for k, part in enumerate(parts):
        first = k == 0
        head: list[str] = []
        if tb.repeat_title and tb.title:
            head.append(title)
        if meta_in_head and meta:
            head.append(meta)
        header = _header_rows(tb)
        if tb.repeat_header:
            head += header
        body = ([] if tb.repeat_header or not first else header) + _body_rows(tb, part)
        brk = "" if first else ";break-before:page"
        out.append(f'<table class="grid" style="width:{width};font-size:{tb.font_size}pt{brk}">'
                   f"<colgroup>{cols}</colgroup>"
                   + (f"<thead>{''.join(head)}</thead>" if head else "")
                   + f"<tbody>{''.join(body)}</tbody></table>")
    if tb.note:
        out.append(f'<p class="note">{_e(tb.note)}</p>')
    out.append("</section>")
    return "".join(out)


def _paragraph_html(p: Paragraph) -> str:
    cls = []
    if p.new_page:
        cls.append("newpage")
    if p.center:
        cls.append("center")
    if p.indent and not p.heading and not p.center:
        cls.append("indent")
    attr = f' class="{" ".join(cls)}"' if cls else ""
    tag = "h3" if p.heading else "p"
    return f'<{tag}{attr} style="font-size:{p.size}pt">{_e(p.text)}</{tag}>'


def document_html(doc: DocSpec) -> str:
    """The whole disclosure as one HTML page (A4, titles, unit lines, ruled tables, prose)."""
    parts = []
    for block in doc.blocks:
        parts.append(_table_html(block) if isinstance(block, TableBlock) else _paragraph_html(block))
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(doc.department_name)} {doc.year}年部门预算</title><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


# ---- Chromium ---------------------------------------------------------------------------------
def find_chromium() -> str:
    """The Chromium binary ($BUDGET_ETL_CHROMIUM, else chromium on PATH); ChromiumUnavailable if none."""
    cand = os.environ.get("BUDGET_ETL_CHROMIUM")
    names = [cand] if cand else ["chromium", "chromium-browser", "google-chrome"]
    for n in names:
        found = shutil.which(n) if n else None
        if found:
            return found
    raise ChromiumUnavailable("headless Chromium is not installed (apt-get install chromium fonts-noto-cjk)")


def print_pdf(html_text: str, out: str | Path, timeout: float = 120.0) -> Path:
    """Print ``html_text`` to the PDF ``out`` with headless Chromium (no header/footer of its own)."""
    binary = find_chromium()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="budget-html-", ignore_cleanup_errors=True) as d:
        page = Path(d) / "doc.html"
        page.write_text(html_text, encoding="utf-8")
        tmp_out = Path(d) / "out.pdf"
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               "--disable-extensions", "--no-first-run", f"--user-data-dir={Path(d) / 'profile'}",
               f"--print-to-pdf={tmp_out}", page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
        except FileNotFoundError as e:
            raise ChromiumUnavailable(f"{binary}: {e}") from e
        except subprocess.TimeoutExpired as e:
            raise ChromiumFailed(f"chromium did not finish printing in {timeout:.0f} s") from e
        if not tmp_out.is_file() or tmp_out.stat().st_size == 0:
            raise ChromiumFailed(f"chromium printed no PDF (exit {proc.returncode}): "
                                 f"{proc.stderr.decode('utf-8', 'replace')[-400:]}")
        shutil.move(str(tmp_out), out)
    return out


# ---- truth: the DocSpec's values at the pages the PDF prints them on ---------------------------
@dataclass
class _Stream:
    """The PDF's visible text without whitespace, each character with its page and box."""

    text: str
    page: list[int]
    box: list[tuple[float, float, float, float]]   # x0, top, x1, bottom (top-left origin)


def _squash(s: str) -> str:
    return "".join(ch for ch in s if not ch.isspace())


#: pdfium is not thread-safe: one document read at a time in this process (print_all uses threads).
_PDFIUM = threading.Lock()


def _read_stream(pdf_path: Path) -> tuple[_Stream, int]:
    with _PDFIUM:
        return _read_stream_locked(pdf_path)


def _read_stream_locked(pdf_path: Path) -> tuple[_Stream, int]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    chars: list[str] = []
    pages: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    try:
        n_pages = len(doc)
        for i in range(n_pages):
            page = doc[i]
            height = page.get_height()
            tp = page.get_textpage()
            try:
                for k in range(tp.count_chars()):
                    ch = tp.get_text_range(k, 1)
                    if not ch or ch.isspace():
                        continue
                    left, bottom, right, top = tp.get_charbox(k)
                    if bottom < FOOTER_BAND:       # the page number in the margin box
                        continue
                    for c in ch:
                        chars.append(c)
                        pages.append(i + 1)
                        boxes.append((left, height - top, right, height - bottom))
            finally:
                tp.close()
                page.close()
    finally:
        doc.close()
    return _Stream("".join(chars), pages, boxes), n_pages


class _Cursor:
    def __init__(self, s: _Stream):
        self.s = s
        self.at = 0

    def find(self, needle: str, what: str, move: bool = True) -> int:
        needle = _squash(needle)
        if not needle:
            raise TruthNotFound(f"empty text for {what}")
        i = self.s.text.find(needle, self.at)
        if i < 0:
            raise TruthNotFound(f"{what}: {needle[:40]!r} not found after offset {self.at}")
        if move:
            self.at = i + len(needle)
        return i

    def bbox(self, i: int, n: int) -> list[float]:
        bs = self.s.box[i:i + n]
        return [round(min(b[0] for b in bs), 2), round(min(b[1] for b in bs), 2),
                round(max(b[2] for b in bs), 2), round(max(b[3] for b in bs), 2)]


def _line_text(ln: Line) -> str:
    return "".join(c for i, c in enumerate(ln.cells) if i not in ln.merged_above)


def truth_from_pdf(doc: DocSpec, pdf_path: str | Path, source_path: str | None = None) -> ParseResult:
    """The ParseResult ``doc`` prints, with each table's, row's and claim's page found in the PDF's
    text (a row's bbox is the box of its glyphs: looser than a cell's rules)."""
    pdf_path = Path(pdf_path)
    stream, n_pages = _read_stream(pdf_path)
    cur = _Cursor(stream)
    tables: list[Table] = []
    claims: list[Claim] = []
    for bi, block in enumerate(doc.blocks):
        if isinstance(block, TableBlock):
            where = f"block {bi} table {block.title!r}"
            first = None
            if block.title:
                first = stream.page[cur.find(block.title, where)]
            rows: list[Row] = []
            pages = {first} if first else set()
            for li, ln in enumerate(block.lines):
                text = _squash(_line_text(ln))
                if not text:
                    continue
                at = cur.find(text, f"{where} line {li}")
                page = stream.page[at]
                pages.add(page)
                first = first or page
                for tr in ln.truth:
                    rows.append(Row(side=tr.side, code=tr.code, name=tr.name, values=dict(tr.values),
                                    page=page, bbox=cur.bbox(at, len(text)), attrs=dict(tr.attrs)))
            if block.note:
                cur.find(block.note, f"{where} note")
            if block.kind is None:
                continue
            span = sorted(pages)
            tables.append(Table(kind=block.kind, title=block.title,
                                pages=list(range(span[0], span[-1] + 1)) if span else [],
                                empty=not any(ln.truth for ln in block.lines), rows=rows, note=block.note,
                                department_code=block.department_code,
                                department_name=block.department_name))
        else:
            text = _squash(block.text)
            start = cur.find(text[:24], f"block {bi} paragraph", move=False)
            search_from = start
            for cl in block.claims:
                q = _squash(cl.quote)
                at = stream.text.find(q, search_from)
                if at < 0:
                    raise TruthNotFound(f"claim {cl.metric} {cl.quote!r} not found in its paragraph")
                search_from = at + len(q)
                claims.append(Claim(metric=cl.metric, amount=cl.amount, page=stream.page[at], quote=cl.quote))
            cur.at = max(search_from, start + min(len(text), 24))
    data = pdf_path.read_bytes()
    return ParseResult(
        source={"path": source_path or str(pdf_path), "sha256": hashlib.sha256(data).hexdigest(),
                "pages": n_pages},
        department={"code": doc.department_code, "name": doc.department_name},
        year=doc.year, unit=doc.unit, tables=tables, narrative=claims,
        warnings=[ParseWarning(kind=x["kind"], message=x["message"], pages=list(x.get("pages", [])),
                          values=list(x.get("values", []))) for x in doc.warnings],
        parser_version=PARSER_VERSION,
    )


def render_document_html(doc: DocSpec, path: str | Path, source_path: str | None = None) -> ParseResult:
    """Print ``doc`` through Chromium to ``path``; return its truth (render.render_document's twin)."""
    print_pdf(document_html(doc), path)
    return truth_from_pdf(doc, path, source_path)


__all__ = ["document_html", "print_pdf", "truth_from_pdf", "render_document_html", "find_chromium",
           "ChromiumUnavailable", "ChromiumFailed", "TruthNotFound"]
