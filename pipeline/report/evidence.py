"""Evidence for a finding: the printed cells it stands on, cut from the rendered page with the cell
outlined, and a link that opens the stored PDF at that page.

Cells are found in ``budget_lines`` by the finding's document, its pages and its two amounts: the cell
printing that amount on that page (a prose figure has no cell: its page link is the evidence).
Images are written next to the report (``evidence/``) so the page stays small and works offline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

SCALE = 2.0            # 144 dpi: the digits stay legible in the crop
PAD_X, PAD_Y = 160.0, 14.0   # PDF points of context around the cell (the row's label is on its left)
MAX_CELLS = 2          # per side of a finding


@dataclass
class Evidence:
    page: int
    image: str | None      # path relative to the report, or None when the page could not be rendered
    link: str              # file URL of the stored PDF + #page=N
    label: str             # what the outlined cell is


def raw_pdf(raw_dir: Path, sha256: str) -> Path:
    """The content-addressed copy of a document (raw/ab/abcdef….pdf)."""
    return raw_dir / sha256[:2] / f"{sha256}.pdf"


def pdf_link(pdf: Path, page: int, base: Path | None = None) -> str:
    """A link opening the PDF at its page: relative to the report's folder when given (the home can be
    moved or copied whole), else the file URL."""
    if base is not None:
        import os
        from urllib.parse import quote

        return f"{quote(Path(os.path.relpath(pdf.resolve(), base.resolve())).as_posix())}#page={page}"
    return f"{pdf.resolve().as_uri()}#page={page}"


def _pages(text: str | None) -> list[int]:
    return [int(p) for p in (text or "").split(",") if p.strip().isdigit()]


class EvidenceMaker:
    """Crops cells out of rendered pages, rendering each page at most once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, raw_dir: Path, out_dir: Path):
        self.con, self.raw_dir, self.out_dir = con, raw_dir, out_dir
        self.sha = dict(con.execute("SELECT document_id, sha256 FROM documents").fetchall())
        self._pdfs: dict[str, object] = {}
        self._images: dict[tuple[str, int], object] = {}
        self._text: dict[tuple[str, int], object] = {}
        self.used: set[str] = set()

    def close(self) -> None:
        for tp in self._text.values():
            tp.close()
        for pdf in self._pdfs.values():
            pdf.close()

    def pdf_path(self, document_id: str | None) -> Path | None:
        sha = self.sha.get(document_id)
        path = raw_pdf(self.raw_dir, sha) if sha else None
        return path if path and path.exists() else None

    def _page_image(self, document_id: str, pdf: Path, page: int):
        key = (document_id, page)
        if key not in self._images:
            import pypdfium2 as pdfium

            doc = self._pdfs.get(document_id)
            if doc is None:
                doc = self._pdfs[document_id] = pdfium.PdfDocument(str(pdf))
            if not 1 <= page <= len(doc):
                self._images[key] = None
            else:
                self._images[key] = doc[page - 1].render(scale=SCALE).to_pil().convert("RGB")
        return self._images[key]

    def _cells(self, document_id: str, pages: list[int], amount: Decimal | None, message: str) -> list[tuple]:
        """Lines printing ``amount`` on those pages; a line whose label the finding's message names first
        (an amount like 10.00 is printed on many lines of a procurement table)."""
        if amount is None or not pages:
            return []
        rows = self.con.execute(
            "SELECT page, bbox, table_title, coalesce(code || ' ', '') || coalesce(name, ''), measure, "
            "(name IS NOT NULL AND length(name) > 1 AND contains(?, name)) AS named FROM budget_lines "
            "WHERE document_id = ? AND list_contains(?, page) AND amount = ? AND bbox IS NOT NULL "
            "ORDER BY named DESC, page, table_index, row_index LIMIT 20",
            [message or "", document_id, pages, amount]).fetchall()
        if rows and rows[0][5]:   # the message names the line: only the lines so named
            rows = [r for r in rows if r[5]]
        return [r[:5] for r in rows[:MAX_CELLS]]

    def _amount_box(self, document_id: str, page: int, amount: Decimal, row: list[float], height: float):
        """The printed amount's own box inside the line's box (bbox is stored per line), or None when the
        amount is not found there as one run of text (wrapped in a narrow column, or printed in 元)."""
        doc = self._pdfs.get(document_id)
        key = (document_id, page)
        if key not in self._text:
            self._text[key] = doc[page - 1].get_textpage()
        tp = self._text[key]
        x0, top, x1, bottom = row
        q = amount.quantize(Decimal("0.01"))
        # as printed: 1081.26, 1,081.26, or without trailing zeros (20, 0.2) — the last only when one
        # run of text in the line prints it, since a short number recurs (序号 1, 数量 1 …)
        for text in dict.fromkeys((f"{q}", f"{q:,}", f"{amount.normalize():f}")):
            found = []
            searcher = tp.search(text, match_whole_word=True)
            while (hit := searcher.get_next()) is not None:
                index, count = hit
                rects = [tp.get_charbox(i) for i in range(index, index + count)]
                l, b = min(r[0] for r in rects), min(r[1] for r in rects)
                r_, t = max(r[2] for r in rects), max(r[3] for r in rects)
                ctop, cbottom = height - t, height - b
                if l >= x0 - 1 and r_ <= x1 + 1 and ctop >= top - 1 and cbottom <= bottom + 1:
                    found.append((l, ctop, r_, cbottom))
            if len(found) == 1 or (found and "." in text and text.endswith(f"{q}"[-3:])):
                return found[0]
        return None

    def for_finding(self, document_id: str | None, left: Decimal | None, right: Decimal | None,
                    left_pages: str | None, right_pages: str | None, message: str = "") -> list[Evidence]:
        """The finding's cells (images) and, for pages with no cell found, a link to the page alone."""
        pdf = self.pdf_path(document_id)
        if pdf is None:
            return []
        out: list[Evidence] = []
        seen_pages: set[int] = set()
        seen: set = set()
        for amount, pages in ((left, _pages(left_pages)), (right, _pages(right_pages))):
            for page, bbox, title, row, measure in self._cells(document_id, pages, amount, message):
                if (page, tuple(bbox), amount) in seen:
                    continue
                seen.add((page, tuple(bbox), amount))
                crop = self._crop(document_id, pdf, page, bbox, amount)
                out.append(Evidence(page, crop, pdf_link(pdf, page, self.out_dir),
                                    f"{title or ''} {row} · {measure} = {amount}"))
                seen_pages.add(page)
        for page in sorted(set(_pages(left_pages)) | set(_pages(right_pages))):
            if page not in seen_pages:
                out.append(Evidence(page, None, pdf_link(pdf, page, self.out_dir), f"第 {page} 页"))
        return out

    def _crop(self, document_id: str, pdf: Path, page: int, bbox: list[float], amount: Decimal) -> str | None:
        """The line's region with the amount outlined (or the whole line, when the amount's own box is
        not found); the line's label stays in view on the left."""
        from PIL import ImageDraw

        if not bbox or len(bbox) != 4:
            return None
        # the raw store is content-addressed: the same file, page, line and amount give the same crop
        name = hashlib.sha1(f"{self.sha.get(document_id)}|{page}|{bbox}|{amount}".encode()).hexdigest()[:16] + ".png"
        target = self.out_dir / "evidence" / name
        self.used.add(name)
        if target.exists():
            return f"evidence/{name}"
        img = self._page_image(document_id, pdf, page)
        if img is None:
            return None
        cell = self._amount_box(document_id, page, amount, bbox, img.height / SCALE)
        rx0, rtop, rx1, rbottom = (v * SCALE for v in bbox)
        x0, top, x1, bottom = (v * SCALE for v in (cell or bbox))
        left = rx0 if cell is None else max(rx0, x0 - PAD_X * 2 * SCALE)
        box = (max(0, int(left - 4 * SCALE)), max(0, int(rtop - PAD_Y * SCALE)),
               min(img.width, int(max(x1, min(rx1, x1 + PAD_X * SCALE)) + 4 * SCALE)),
               min(img.height, int(rbottom + PAD_Y * SCALE)))
        crop = img.crop(box)
        draw = ImageDraw.Draw(crop)
        if cell is not None:   # the line lightly, the amount strongly
            draw.rectangle((rx0 - box[0], rtop - box[1], rx1 - box[0], rbottom - box[1]), outline=(255, 170, 170), width=1)
        draw.rectangle((x0 - box[0] - 3, top - box[1] - 3, x1 - box[0] + 3, bottom - box[1] + 3),
                       outline=(220, 0, 40), width=3)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        crop.save(tmp, format="PNG", optimize=True)
        tmp.replace(target)
        return f"evidence/{name}"

    def prune(self) -> None:
        """Remove crops no finding of this report uses (findings resolved since an earlier night)."""
        for old in (self.out_dir / "evidence").glob("*.png"):
            if old.name not in self.used:
                old.unlink(missing_ok=True)
