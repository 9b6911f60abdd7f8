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


def pdf_link(pdf: Path, page: int) -> str:
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

    def close(self) -> None:
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

    def _cells(self, document_id: str, pages: list[int], amount: Decimal | None) -> list[tuple]:
        if amount is None or not pages:
            return []
        return self.con.execute(
            "SELECT page, bbox, table_title, coalesce(code || ' ', '') || coalesce(name, ''), measure FROM budget_lines "
            "WHERE document_id = ? AND list_contains(?, page) AND amount = ? AND bbox IS NOT NULL "
            "ORDER BY page, table_index, row_index LIMIT ?", [document_id, pages, amount, MAX_CELLS]).fetchall()

    def for_finding(self, document_id: str | None, left: Decimal | None, right: Decimal | None,
                    left_pages: str | None, right_pages: str | None) -> list[Evidence]:
        """The finding's cells (images) and, for pages with no cell found, a link to the page alone."""
        pdf = self.pdf_path(document_id)
        if pdf is None:
            return []
        out: list[Evidence] = []
        seen_pages: set[int] = set()
        for amount, pages in ((left, _pages(left_pages)), (right, _pages(right_pages))):
            for page, bbox, title, row, measure in self._cells(document_id, pages, amount):
                out.append(Evidence(page, self._crop(document_id, pdf, page, bbox), pdf_link(pdf, page),
                                    f"{title or ''} {row} · {measure} = {amount}"))
                seen_pages.add(page)
        for page in sorted(set(_pages(left_pages)) | set(_pages(right_pages))):
            if page not in seen_pages:
                out.append(Evidence(page, None, pdf_link(pdf, page), f"第 {page} 页"))
        return out

    def _crop(self, document_id: str, pdf: Path, page: int, bbox: list[float]) -> str | None:
        from PIL import ImageDraw

        img = self._page_image(document_id, pdf, page)
        if img is None or not bbox or len(bbox) != 4:
            return None
        x0, top, x1, bottom = (v * SCALE for v in bbox)
        box = (max(0, int(x0 - PAD_X * SCALE)), max(0, int(top - PAD_Y * SCALE)),
               min(img.width, int(x1 + PAD_Y * SCALE)), min(img.height, int(bottom + PAD_Y * SCALE)))
        crop = img.crop(box)
        ImageDraw.Draw(crop).rectangle((x0 - box[0] - 2, top - box[1] - 2, x1 - box[0] + 2, bottom - box[1] + 2),
                                       outline=(220, 0, 40), width=3)
        name = hashlib.sha1(f"{document_id}|{page}|{bbox}".encode()).hexdigest()[:16] + ".png"
        target = self.out_dir / "evidence" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            crop.save(target, optimize=True)
        return f"evidence/{name}"
