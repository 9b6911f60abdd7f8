"""Open and validate a disclosure PDF, then read each page once: its text lines and ruled tables.

Why one pass: 85% of pdfplumber's cost is pdfminer reading a page, so the text (for the narrative and
the titles above tables) and the tables come from the same ``pdfplumber.Page`` object, which is closed
right after. Pages without drawn paths (pypdfium2 counts them cheaply) are not searched for tables,
and characters and ruling are turned into pdfplumber's dicts by a faster path (objects.py).
Every failure is a typed ``DocumentError``: never a traceback, never a partial result.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.model import DocumentError

log = logging.getLogger(__name__)

#: How far from the start the %PDF- header may be, and from the end the %%EOF marker.
HEAD_WINDOW = 1024
TAIL_WINDOW = 4096

#: pdfplumber table settings: disclosures are exported spreadsheets with every border drawn.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


@dataclass
class TextLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class RawTable:
    """A ruled table as pdfplumber found it: row bboxes, cell bboxes and cell texts per column."""

    bbox: tuple[float, float, float, float]
    xs: list[float]                                   # column left edges, then the right edge
    row_bboxes: list[tuple[float, float, float, float]]
    cells: list[list[tuple[float, float, float, float] | None]]
    texts: list[list[str | None]]

    @property
    def ncols(self) -> int:
        return len(self.xs) - 1


@dataclass
class PageContent:
    number: int                                       # 1-based
    width: float
    height: float
    lines: list[TextLine] = field(default_factory=list)
    tables: list[RawTable] = field(default_factory=list)
    has_chars: bool = False
    has_images: bool = False

    def lines_outside_tables(self) -> list[TextLine]:
        """Text lines not inside any table (the prose, titles, headers and notes)."""
        out = []
        for ln in self.lines:
            mid = (ln.top + ln.bottom) / 2
            if not any(t.bbox[1] - 1 <= mid <= t.bbox[3] + 1 and ln.x0 >= t.bbox[0] - 2
                       and ln.x1 <= t.bbox[2] + 2 for t in self.tables):
                out.append(ln)
        return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _page_count(path: Path) -> int | None:
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            return len(doc)
        finally:
            doc.close()
    except Exception:
        return None


def source_info(path: Path) -> dict:
    """``{"path", "sha256", "pages"}`` of a file, whether or not it reads as a PDF."""
    path = Path(path)
    return {"path": str(path), "sha256": sha256_of(path), "pages": _page_count(path)}


def _sniff(path: Path) -> None:
    """Cheap byte checks: a PDF header near the start, an %%EOF marker near the end."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(HEAD_WINDOW)
            fh.seek(max(0, size - TAIL_WINDOW))
            tail = fh.read()
    except OSError as e:
        raise DocumentError("unreadable", f"cannot read file: {e}") from e
    if b"%PDF-" not in head:
        lower = head.lower()
        what = "an HTML page" if (b"<html" in lower or b"<!doctype" in lower) else "not a PDF"
        raise DocumentError("not_pdf", f"no %PDF- header in the first {HEAD_WINDOW} bytes ({what})")
    if b"%%EOF" not in tail:
        raise DocumentError("truncated", f"no %%EOF marker in the last {TAIL_WINDOW} bytes "
                                         f"(file of {size} bytes is cut short)")


def _error_from(exc: BaseException) -> DocumentError:
    """Map a pdfminer / pdfplumber / pdfium exception to a typed DocumentError."""
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 6:
        chain.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException)
                                             else None)
    names = " ".join(type(x).__name__ for x in chain)
    text = " ".join(str(x) for x in chain)
    low = (names + " " + text).lower()
    if "password" in low or "encrypt" in low:
        return DocumentError("encrypted", f"the PDF is encrypted ({text.strip() or names})")
    if "pseof" in low or "unexpected eof" in low or "xref" in low or "eof" in low:
        return DocumentError("truncated", f"the PDF is cut short or its xref is broken ({text.strip() or names})")
    return DocumentError("unreadable", f"{names}: {text.strip()}"[:500])


def _paths_per_page(path: Path) -> list[int]:
    """Path objects (drawn lines and rectangles) per page, counted by pypdfium2 without a full parse."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception as e:
        raise _error_from(e) from e
    counts = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                n = 0
                for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=2):
                    n += 1
                    if n >= 4:
                        break
                counts.append(n)
            finally:
                page.close()
    finally:
        doc.close()
    return counts


def _raw_table(t) -> RawTable:
    xs = sorted({c[0] for c in t.cells})
    right = max(c[2] for c in t.cells)
    xs = xs + [right]
    texts = t.extract()
    cells = [list(r.cells) for r in t.rows]
    return RawTable(bbox=tuple(t.bbox), xs=xs, row_bboxes=[tuple(r.bbox) for r in t.rows],
                    cells=cells, texts=texts)


class Document:
    """An opened, validated disclosure. Iterate :meth:`pages` once; each page is closed after use."""

    def __init__(self, path: Path):
        self.path = Path(path)
        _sniff(self.path)
        self.paths = _paths_per_page(self.path)
        self.sha256 = sha256_of(self.path)
        self.n_pages = len(self.paths)
        if self.n_pages == 0:
            raise DocumentError("unreadable", "the PDF has no pages")

    def source(self) -> dict:
        return {"path": str(self.path), "sha256": self.sha256, "pages": self.n_pages}

    def pages(self) -> Iterator[PageContent]:
        import pdfplumber

        try:
            pdf = pdfplumber.open(str(self.path))
        except Exception as e:
            raise _error_from(e) from e
        any_chars = False
        any_images = False
        try:
            for i, page in enumerate(pdf.pages):
                try:
                    content = self._read(page, i)
                except DocumentError:
                    raise
                except Exception as e:
                    raise _error_from(e) from e
                finally:
                    page.close()
                any_chars |= content.has_chars
                any_images |= content.has_images
                if i == len(pdf.pages) - 1 and not any_chars:
                    raise DocumentError("no_text", "no page has a text layer"
                                        + (" (pages are images: a scan)" if any_images else ""))
                yield content
        finally:
            pdf.close()

    def _read(self, page, i: int) -> PageContent:
        from pipeline.document.objects import load_objects

        content = PageContent(number=i + 1, width=float(page.width), height=float(page.height))
        load_objects(page)
        content.has_chars = bool(page.chars)
        content.has_images = bool(page.images)
        if not content.has_chars:
            return content
        for ln in page.extract_text_lines(return_chars=False):
            content.lines.append(TextLine(ln["text"], float(ln["x0"]), float(ln["x1"]),
                                          float(ln["top"]), float(ln["bottom"])))
        if i < len(self.paths) and self.paths[i] >= 4:
            for t in page.find_tables(TABLE_SETTINGS):
                if len(t.rows) >= 1 and t.cells:
                    content.tables.append(_raw_table(t))
            content.tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
        return content


def open_document(path: Path) -> Document:
    """Validate ``path`` as a readable PDF (typed DocumentError otherwise)."""
    return Document(Path(path))
