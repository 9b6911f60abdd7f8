"""Draw a DocSpec as a PDF that looks like a WPS/Excel export, and report where everything landed.

Why it returns the truth: the page and bbox of every row and claim are known only while drawing, so
the renderer builds the ParseResult (CONTRACT.md shape) from its own layout. Every table cell border
is drawn as a line so pdfplumber's lattice table finder sees the grid; text uses the built-in CID font
STSong-Light (no font file needed). ``invariant=1`` makes the bytes depend only on the content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as rl_canvas

from pipeline.config import PARSER_VERSION
from pipeline.demo.layout import DocSpec, Line, Paragraph, TableBlock
from pipeline.model import Claim, ParseResult, Row, Table, ParseWarning

FONT = "STSong-Light"
MARGIN = 42.0
PAD = 2.5
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, _font(), size)


def wrap(text: str, avail: float, size: float) -> list[str]:
    """Character-wise wrapping (as WPS does in a narrow cell); '\\n' forces a break."""
    out: list[str] = []
    for part in text.split("\n"):
        cur = ""
        for ch in part:
            if cur and width(cur + ch, size) > avail:
                out.append(cur)
                cur = ""
            cur += ch
        out.append(cur)
    return out


@dataclass
class _Place:
    page: int
    top: float
    bottom: float


class _Writer:
    """A canvas with a cursor measured from the top of the page (pdfplumber's convention)."""

    def __init__(self, path: Path, encrypt=None):
        kw = {"invariant": 1, "pageCompression": 1}
        if encrypt is not None:
            kw["encrypt"] = encrypt
        self.c = rl_canvas.Canvas(str(path), pagesize=A4, **kw)
        self.c.setTitle("部门预算信息公开")
        self.c.setAuthor("")
        self.c.setCreator("WPS 表格")
        self.page = 0
        self.size = A4
        self.top = MARGIN
        self.started = False

    @property
    def w(self) -> float:
        return self.size[0]

    @property
    def h(self) -> float:
        return self.size[1]

    def new_page(self, is_landscape: bool = False) -> None:
        if self.started:
            self.c.showPage()
        self.started = True
        self.size = landscape(A4) if is_landscape else A4
        self.c.setPageSize(self.size)
        self.page += 1
        self.top = MARGIN
        # page number at the foot, as printed disclosures have
        self.text(str(self.page), self.w / 2, self.h - 24, 9, "c")

    def room(self, height: float) -> bool:
        return self.top + height <= self.h - MARGIN

    def text(self, s: str, x: float, top: float, size: float, align: str = "l") -> None:
        """Draw s with its baseline so that the glyphs sit just below ``top``."""
        c = self.c
        c.setFont(_font(), size)
        y = self.h - top - size * 0.88
        if align == "c":
            c.drawCentredString(x, y, s)
        elif align == "r":
            c.drawRightString(x, y, s)
        else:
            c.drawString(x, y, s)

    def hline(self, x0: float, x1: float, top: float) -> None:
        self.c.line(x0, self.h - top, x1, self.h - top)

    def vline(self, x: float, top: float, bottom: float) -> None:
        self.c.line(x, self.h - top, x, self.h - bottom)


def _cell_text(w: _Writer, text: str, x0: float, x1: float, top: float, bottom: float,
               size: float, align: str) -> None:
    lines = wrap(text, x1 - x0 - 2 * PAD, size)
    lead = size * 1.25
    block = lead * len(lines)
    t = top + (bottom - top - block) / 2 + (lead - size) / 2
    for ln in lines:
        if align == "r":
            w.text(ln, x1 - PAD, t, size, "r")
        elif align == "c":
            w.text(ln, (x0 + x1) / 2, t, size, "c")
        else:
            w.text(ln, x0 + PAD, t, size, "l")
        t += lead


def _line_height(tb: TableBlock, line: Line, xs: list[float]) -> float:
    lead = tb.font_size * 1.25
    n = 1
    for i, cell in enumerate(line.cells):
        if cell and i not in line.merged_above:
            n = max(n, len(wrap(cell, xs[i + 1] - xs[i] - 2 * PAD, tb.font_size)))
    return max(tb.min_row_height, n * lead + 6)


def _draw_header(w: _Writer, tb: TableBlock, xs: list[float]) -> None:
    size = tb.font_size
    lead = size * 1.25
    heights = [tb.min_row_height] * tb.header_rows
    for hc in tb.header:
        if hc.rowspan == 1:
            n = len(wrap(hc.text, xs[hc.col + hc.colspan] - xs[hc.col] - 2 * PAD, size))
            heights[hc.row] = max(heights[hc.row], n * lead + 6)
    tops = [w.top]
    for hgt in heights:
        tops.append(tops[-1] + hgt)
    for hc in tb.header:
        x0, x1 = xs[hc.col], xs[hc.col + hc.colspan]
        t0, t1 = tops[hc.row], tops[hc.row + hc.rowspan]
        w.c.rect(x0, w.h - t1, x1 - x0, t1 - t0, stroke=1, fill=0)
        _cell_text(w, hc.text, x0, x1, t0, t1, size, "c")
    w.top = tops[-1]


def _inline_fits(tb: TableBlock, total_w: float) -> bool:
    """Whether the department line, the year and the unit fit on one line over the table without
    overprinting (a long name over a narrow table does not: it goes on a line of its own)."""
    stringWidth = pdfmetrics.stringWidth
    dept = stringWidth(tb.dept_line or "", _font(), 10)
    meta0 = stringWidth(tb.meta[0], _font(), 10) if tb.meta else 0.0
    meta1 = stringWidth(tb.meta[1], _font(), 10) if len(tb.meta) >= 2 else 0.0
    return dept + 10 <= total_w * 0.62 and total_w * 0.62 + meta0 + 10 <= total_w - meta1


def _draw_table(w: _Writer, tb: TableBlock) -> tuple[list[int], list[tuple[Line, _Place]], int]:
    """Draw one table (title, department line, meta, header, lines, note)."""
    total_w = sum(tb.widths)
    if tb.new_page or (w.size[0] > w.size[1]) != tb.landscape or not w.room(160):
        w.new_page(tb.landscape)
    else:
        w.top += 14
    x0 = (w.w - total_w) / 2
    xs = [x0]
    for cw in tb.widths:
        xs.append(xs[-1] + cw)
    first_page = w.page
    if tb.title:
        w.text(tb.title, w.w / 2, w.top, tb.title_size, "c")
        w.top += tb.title_size + 14
    if tb.meta_inline and _inline_fits(tb, total_w):
        w.text(tb.dept_line, x0, w.top, 10, "l")
        if len(tb.meta) >= 1:
            w.text(tb.meta[0], x0 + total_w * 0.62, w.top, 10, "l")
        if len(tb.meta) >= 2:
            w.text(tb.meta[1], xs[-1], w.top, 10, "r")
        w.top += 18
    else:
        if tb.dept_line:
            w.text(tb.dept_line, x0, w.top, 10, "l")
            w.top += 16
        if tb.meta:
            if len(tb.meta) == 1:
                w.text(tb.meta[0], xs[-1], w.top, 10, "r")
            else:
                w.text(tb.meta[0], x0 + total_w * 0.45, w.top, 10, "l")
                w.text(tb.meta[1], xs[-1], w.top, 10, "r")
            w.top += 16
    _draw_header(w, tb, xs)
    placed: list[tuple[Line, _Place]] = []
    pages = [first_page]
    for li, line in enumerate(tb.lines):
        hgt = _line_height(tb, line, xs)
        continued = True
        if not w.room(hgt) or line.page_break_before:
            w.new_page(tb.landscape)
            pages.append(w.page)
            if tb.repeat_title and tb.title:
                w.text(tb.title, w.w / 2, w.top, tb.title_size, "c")
                w.top += tb.title_size + 14
            if tb.repeat_meta:
                w.text(tb.dept_line, x0, w.top, 10, "l")
                w.top += 16
                for m in tb.meta[-1:]:
                    w.text(m, xs[-1], w.top, 10, "r")
                    w.top += 16
            if tb.repeat_header:
                _draw_header(w, tb, xs)
            continued = False
        t0, t1 = w.top, w.top + hgt
        for i, cell in enumerate(line.cells):
            merged = i in line.merged_above and continued
            if not merged:
                w.hline(xs[i], xs[i + 1], t0)
                if cell:
                    _cell_text(w, cell, xs[i], xs[i + 1], t0, t1, tb.font_size, tb.align[i])
            w.vline(xs[i], t0, t1)
        w.vline(xs[-1], t0, t1)
        placed.append((line, _Place(w.page, t0, t1)))
        w.top = t1
        # bottom rule of every cell that the next line does not continue
        nxt = tb.lines[li + 1] if li + 1 < len(tb.lines) else None
        for i in range(len(line.cells)):
            if (nxt is None or i not in nxt.merged_above or nxt.page_break_before
                    or not w.room(_line_height(tb, nxt, xs))):
                w.hline(xs[i], xs[i + 1], t1)
    if tb.note:
        w.top += 8
        for ln in wrap(tb.note, total_w, 10):
            w.text(ln, x0, w.top, 10, "l")
            w.top += 14
    return pages, placed, first_page


def _draw_paragraph(w: _Writer, p: Paragraph) -> list[tuple[int, int, int]]:
    """Draw a paragraph; return (page, start offset, end offset) of each printed line."""
    if p.new_page or not w.started or (w.size[0] > w.size[1]):
        w.new_page(False)
    avail = w.w - 2 * MARGIN
    lead = p.size * 1.6
    indent = p.size * 2 if p.indent and not p.heading and not p.center else 0.0
    spans: list[tuple[int, int, int]] = []
    text = p.text
    pos = 0
    first = True
    lines: list[str] = []
    # wrap with the first-line indent
    cur = ""
    for ch in text:
        lim = avail - (indent if first else 0)
        if cur and width(cur + ch, p.size) > lim:
            lines.append(cur)
            cur = ""
            first = False
        cur += ch
    lines.append(cur)
    w.top += 4 if not p.heading else 8
    for i, ln in enumerate(lines):
        if not w.room(lead):
            w.new_page(False)
        if p.center:
            w.text(ln, w.w / 2, w.top, p.size, "c")
        else:
            w.text(ln, MARGIN + (indent if i == 0 else 0), w.top, p.size, "l")
        spans.append((w.page, pos, pos + len(ln)))
        pos += len(ln)
        w.top += lead
    return spans


def render_document(doc: DocSpec, path: str | Path, source_path: str | None = None,
                    encrypt=None) -> ParseResult:
    """Render ``doc`` to ``path`` and return what it prints as a ParseResult (the truth)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = _Writer(path, encrypt=encrypt)
    tables: list[Table] = []
    claims: list[Claim] = []
    for block in doc.blocks:
        if isinstance(block, TableBlock):
            pages, placed, first = _draw_table(w, block)
            if block.kind is None:
                continue
            rows: list[Row] = []
            x0 = (w.w - sum(block.widths)) / 2
            xs = [x0]
            for cw in block.widths:
                xs.append(xs[-1] + cw)
            for line, pl in placed:
                for tr in line.truth:
                    c0, c1 = tr.cols or (0, len(block.widths) - 1)
                    rows.append(Row(side=tr.side, code=tr.code, name=tr.name, values=dict(tr.values),
                                    page=pl.page, bbox=[round(xs[c0], 2), round(pl.top, 2),
                                                        round(xs[c1 + 1], 2), round(pl.bottom, 2)],
                                    attrs=dict(tr.attrs)))
            tables.append(Table(kind=block.kind, title=block.title, pages=sorted(set(pages)),
                                empty=not any(ln.truth for ln in block.lines), rows=rows, note=block.note,
                                department_code=block.department_code,
                                department_name=block.department_name))
        else:
            spans = _draw_paragraph(w, block)
            search_from = 0
            for cl in block.claims:
                at = block.text.find(cl.quote, search_from)
                if at < 0:
                    at = block.text.find(cl.quote)
                if at < 0:
                    raise ValueError(f"claim quote not in paragraph: {cl.quote!r}")
                search_from = at + len(cl.quote)
                page = next(pg for pg, s, e in spans if s <= at < e) if spans else w.page
                claims.append(Claim(metric=cl.metric, amount=cl.amount, page=page, quote=cl.quote))
    w.c.showPage()
    w.c.save()
    data = path.read_bytes()
    return ParseResult(
        source={"path": source_path or str(path), "sha256": hashlib.sha256(data).hexdigest(),
                "pages": w.page},
        department={"code": doc.department_code, "name": doc.department_name},
        year=doc.year, unit=doc.unit, tables=tables, narrative=claims,
        warnings=[ParseWarning(kind=x["kind"], message=x["message"], pages=list(x.get("pages", [])),
                          values=list(x.get("values", []))) for x in doc.warnings],
        parser_version=PARSER_VERSION,
    )
