"""Open and validate a disclosure PDF, then read each page once: its text lines and ruled tables.

Why one pass: 85% of pdfplumber's cost is pdfminer reading a page, so the text (for the narrative and
the titles above tables) and the tables come from the same ``pdfplumber.Page`` object, which is closed
right after. Pages without drawn paths (pypdfium2 counts them cheaply) are not searched for tables,
and characters and ruling are turned into pdfplumber's dicts by a faster path (objects.py).
The default backend (pdfium_objects.py) builds the same dicts from pdfium without running pdfminer on
the page at all; a page whose font pdfium cannot name, or BUDGET_ETL_PDF_BACKEND=pdfminer, is read by
pdfminer (tests/test_reader.py compares the two on text lines, table cells and their places).
Every failure is a typed ``DocumentError``: never a traceback, never a partial result.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.document.limits import MIB, LimitExceeded, ParseLimits, install_guards
from pipeline.model import DocumentError

log = logging.getLogger(__name__)

#: How far from the start the %PDF- header may be, and from the end the %%EOF marker.
HEAD_WINDOW = 1024
TAIL_WINDOW = 4096
#: How far back from the end an %%EOF followed by appended junk is still looked for.
TAIL_SCAN = 1 << 20

#: Which library reads a page's content stream: "pdfminer" (pdfplumber's own) or "pdfium"
#: (pdfium_objects.py, several times faster). BUDGET_ETL_PDF_BACKEND chooses; see DEFAULT_BACKEND.
BACKENDS = ("pdfminer", "pdfium")
DEFAULT_BACKEND = "pdfium"


def backend_from_env() -> str:
    """The page backend BUDGET_ETL_PDF_BACKEND names (an unknown name is the default)."""
    name = os.environ.get("BUDGET_ETL_PDF_BACKEND", "").strip().lower()
    return name if name in BACKENDS else DEFAULT_BACKEND


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
    #: "ocr" when read from a page image (its texts may hold misread characters)
    origin: str = "text"

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
    #: "text" (its text layer) or "ocr" (read from its image: a page with no text layer)
    origin: str = "text"
    #: OCR pages: every table cell read, with its confidence (ocr_page.OcrCell)
    ocr_cells: list = field(default_factory=list)
    ocr_seconds: float = 0.0

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
    if not _is_regular(path):
        return None
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            return len(doc)
        finally:
            doc.close()
    except Exception:
        return None


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def source_info(path: Path, count_pages: bool = True) -> dict:
    """``{"path", "sha256", "pages"}`` of a file, whether or not it reads as a PDF.

    Only a regular file within the size limit is hashed or opened: a FIFO would block, a link to
    /dev/zero never ends. ``count_pages=False`` keeps pdfium out (a file that just killed a worker).
    """
    path = Path(path)
    ok = _is_regular(path) and path.stat().st_size <= ParseLimits.from_env().max_file_mib * MIB
    try:
        digest = sha256_of(path) if ok else None
    except OSError:
        digest, ok = None, False
    return {"path": str(path), "sha256": digest, "pages": _page_count(path) if ok and count_pages else None}


def check_file(path: Path, limits: ParseLimits) -> int:
    """What the file is before any byte is read: a regular file within the size limit (its size)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise DocumentError("unreadable", f"cannot read file: {e.strerror or e}") from e
    if not stat.S_ISREG(st.st_mode):
        raise DocumentError("unreadable", f"not a regular file but {_file_type(st.st_mode)}")
    if st.st_size > limits.max_file_mib * MIB:
        raise DocumentError("too_large", f"the file is {st.st_size / MIB:.0f} MiB, over the limit of "
                                         f"{limits.max_file_mib} MiB")
    return st.st_size


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def _sniff(path: Path, limits: ParseLimits | None = None) -> None:
    """Cheap, bounded byte checks: a PDF header near the start, an %%EOF marker near the end.

    The marker is looked for in the last TAIL_WINDOW bytes, then (junk appended after it by a
    server) further back, up to TAIL_SCAN bytes: a file with no %%EOF there is cut short.
    """
    size = check_file(path, limits or ParseLimits.from_env())
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_WINDOW)
            fh.seek(max(0, size - TAIL_WINDOW))
            tail = fh.read(TAIL_WINDOW)
            if b"%PDF-" in head and b"%%EOF" not in tail:
                tail = _find_eof_further_back(fh, size)
    except OSError as e:
        raise DocumentError("unreadable", f"cannot read file: {e}") from e
    if b"%PDF-" not in head:
        lower = head.lower()
        what = "an HTML page" if (b"<html" in lower or b"<!doctype" in lower) else "not a PDF"
        raise DocumentError("not_pdf", f"no %PDF- header in the first {HEAD_WINDOW} bytes ({what})")
    if b"%%EOF" not in tail:
        raise DocumentError("truncated", f"no %%EOF marker in the last {min(size, TAIL_SCAN)} bytes "
                                         f"(file of {size} bytes is cut short)")


def _find_eof_further_back(fh, size: int) -> bytes:
    """The window (of at most TAIL_SCAN bytes from the end) holding the last %%EOF, or b''."""
    end = max(0, size - TAIL_WINDOW)
    stop = max(0, size - TAIL_SCAN)
    step = 1 << 16
    while end > stop:
        start = max(stop, end - step)
        fh.seek(start)
        chunk = fh.read(end - start + 5)   # overlap, so a marker across two chunks is seen
        if b"%%EOF" in chunk:
            return chunk
        end = start
    return b""


def _chain(exc: BaseException) -> list[BaseException]:
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 6:
        chain.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException)
                                             else None)
    return chain


def limit_error(exc: BaseException) -> DocumentError | None:
    """The typed error behind ``exc`` when it is one of our limits (or memory, or nesting), else None.

    pdfplumber wraps what pdfminer raises (PdfminerException), so the cause is looked for in the chain.
    """
    chain = _chain(exc)
    for x in chain:
        if isinstance(x, DocumentError):   # one of our own limits, raised from inside pdfminer
            return x
    for x in chain:
        if isinstance(x, MemoryError):
            return DocumentError("too_large", "the document needs more memory than the parsing limit "
                                              f"of {ParseLimits.from_env().memory_mib} MiB")
        if isinstance(x, RecursionError):
            return DocumentError("malformed", "the document nests its objects too deeply to be read")
    return None


def _error_from(exc: BaseException) -> DocumentError:
    """Map a pdfminer / pdfplumber / pdfium exception to a typed DocumentError."""
    chain = _chain(exc)
    known = limit_error(exc)
    if known is not None:
        return known
    names = " ".join(type(x).__name__ for x in chain)
    text = " ".join(str(x) for x in chain)
    low = (names + " " + text).lower()
    if "password" in low or "encrypt" in low:
        return DocumentError("encrypted", f"the PDF is encrypted ({text.strip() or names})")
    if "pseof" in low or "unexpected eof" in low or "xref" in low or "eof" in low:
        return DocumentError("truncated", f"the PDF is cut short or its xref is broken ({text.strip() or names})")
    if "failed to load page" in low:
        return DocumentError("malformed", f"the PDF library cannot load a page of this file ({text.strip()})")
    return DocumentError("unreadable", f"{names}: {text.strip()}"[:500])


class _PathCounts:
    """Path objects (drawn lines and rectangles) per page, counted by pypdfium2 without a full parse.

    The document is opened once; a page is counted only after pdfminer has read it under the
    limits, so a page whose content stream is a decompression bomb never reaches pdfium.
    """

    def __init__(self, path: Path, limits: ParseLimits):
        import pypdfium2 as pdfium

        try:
            self._doc = pdfium.PdfDocument(str(path))
        except Exception as e:
            raise _error_from(e) from e
        self.n_pages = len(self._doc)
        if self.n_pages > limits.max_pages:
            self.close()
            raise LimitExceeded(f"the document has {self.n_pages} pages, over the limit of "
                                f"{limits.max_pages}")

    def count(self, i: int) -> int:
        import pypdfium2.raw as raw

        try:
            page = self._doc[i]
        except Exception as e:
            raise _error_from(e) from e
        try:
            n = 0
            for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=2):
                n += 1
                if n >= 4:
                    break
            return n
        finally:
            page.close()

    def page(self, i: int):
        """The pdfium page ``i`` (the caller closes it)."""
        try:
            return self._doc[i]
        except Exception as e:
            raise _error_from(e) from e

    def close(self) -> None:
        self._doc.close()


def _bounded_layout(page, limits: ParseLimits):
    """``page.layout`` (pdfplumber's own steps), with characters and objects counted as they are made.

    A page past a cap stops while pdfminer interprets it, before the objects fill memory.
    """
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils.exceptions import PdfminerException

    max_chars, max_objects = limits.max_chars_per_page, limits.max_objects_per_page
    number = page.page_number

    class Bounded(PDFPageAggregatorWithMarkedContent):
        chars = 0
        objects = 0

        def render_string(self, textstate, seq, ncs, graphicstate):
            # counted per text operator, before its characters exist (one call per string, not
            # per character: the parse stays as fast as pdfplumber's own)
            n = 0
            for x in seq:
                if type(x) is bytes:
                    n += len(x)
            font = textstate.font
            if font is not None and font.is_multibyte():
                n //= 2
            self.chars += n
            if self.chars > max_chars:
                raise LimitExceeded(f"page {number} shows more than {max_chars} characters "
                                    "(the limit per page)")
            return super().render_string(textstate, seq, ncs, graphicstate)

        def render_image(self, *args, **kwargs):
            self._count()
            return super().render_image(*args, **kwargs)

        def paint_path(self, *args, **kwargs):
            self._count()
            return super().paint_path(*args, **kwargs)

        def _count(self):
            self.objects += 1
            if self.objects > max_objects:
                raise LimitExceeded(f"page {number} draws more than {max_objects} paths and images "
                                    "(the limit per page)")

    device = Bounded(page.pdf.rsrcmgr, pageno=number, laparams=page.pdf.laparams)
    interpreter = PDFPageInterpreter(page.pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except DocumentError:
        raise
    except Exception as e:
        raise PdfminerException(e) from e
    page._layout = device.get_result()


def _inflate_streams(page, limits: ParseLimits) -> None:
    """Undo the filters of the page's content streams and its Form XObjects under the stream cap.

    pdfium inflates in C++, out of reach of the capped zlib of limits.py: decoding the same streams
    once here first (C zlib, through pdfminer's capped one) keeps a decompression bomb a typed
    ``too_large`` instead of an allocation failure inside pdfium.
    """
    from pdfminer.pdftypes import PDFStream, resolve1

    for stream in page.page_obj.contents:
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            stream.get_data()
    seen: set[int] = set()
    todo = [(page.page_obj.resources, 0)]
    while todo:
        res, depth = todo.pop()
        xobjs = resolve1(res.get("XObject")) if isinstance(res, dict) and depth <= 16 else None
        if not isinstance(xobjs, dict):
            continue
        for ref in xobjs.values():
            x = resolve1(ref)
            if not isinstance(x, PDFStream) or id(x) in seen:
                continue
            seen.add(id(x))
            if getattr(x.attrs.get("Subtype"), "name", None) == "Form":
                x.get_data()
                todo.append((resolve1(x.attrs.get("Resources")), depth + 1))


def _load_pdfium_objects(page, i: int, paths: "_PathCounts", limits: ParseLimits) -> int:
    """Fill pdfplumber's ``Page.objects`` cache from pdfium (pdfminer never reads the page)."""
    from pipeline.document.objects import unify_char_radicals
    from pipeline.document.pdfium_objects import parse_objects

    _inflate_streams(page, limits)
    pg = paths.page(i)
    try:
        page._objects, n_paths = parse_objects(pg, page, limits.max_chars_per_page,
                                               limits.max_objects_per_page)
    finally:
        pg.close()
    unify_char_radicals(page._objects)
    return n_paths


def _raw_table(t) -> RawTable:
    xs = sorted({c[0] for c in t.cells})
    right = max(c[2] for c in t.cells)
    xs = xs + [right]
    texts = t.extract()
    cells = [list(r.cells) for r in t.rows]
    return RawTable(bbox=tuple(t.bbox), xs=xs, row_bboxes=[tuple(r.bbox) for r in t.rows],
                    cells=cells, texts=texts)


def _ocr_engine() -> str | None:
    """The OCR engine, unless BUDGET_ETL_OCR=0 switches OCR off (pages without text stay unread)."""
    from pipeline.document.ocr_engine import engine, switched_off

    return None if switched_off() else engine()


class Document:
    """An opened, validated disclosure. Iterate :meth:`pages` once; each page is closed after use."""

    def __init__(self, path: Path, limits: ParseLimits | None = None, backend: str | None = None):
        self.path = Path(path)
        self.limits = limits or ParseLimits.from_env()
        self.backend = backend or backend_from_env()
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown PDF backend {self.backend!r} (one of {', '.join(BACKENDS)})")
        install_guards(self.limits)
        _sniff(self.path, self.limits)
        self._paths: _PathCounts | None = _PathCounts(self.path, self.limits)
        self.n_pages = self._paths.n_pages
        if self.n_pages == 0:
            self._paths.close()
            raise DocumentError("unreadable", "the PDF has no pages")
        self.sha256 = sha256_of(self.path)
        #: The OCR engine for pages without a text layer (None: not installed, such pages stay unread).
        self.ocr: str | None = _ocr_engine()
        #: Seconds spent in OCR (pages read from images) for the parse's report.
        self.ocr_pages: list[tuple[int, float]] = []

    def _ocr(self, content: PageContent, paths: _PathCounts, i: int) -> None:
        """Read a page without a text layer from its image (ocr_page): lines, tables, confidences.
        Only a page whose image yields words counts as having text."""
        from pipeline.document import ocr_page

        try:
            pg = paths._doc[i]
        except Exception as e:
            raise _error_from(e) from e
        try:
            got = ocr_page.read_page(pg, content.number, content.width, content.height)
        finally:
            pg.close()
        if got.readable:
            content.lines, content.tables, content.ocr_cells = got.lines, got.tables, got.cells
        content.tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
        content.has_chars = got.readable
        content.origin = "ocr"
        content.ocr_seconds = got.seconds
        self.ocr_pages.append((content.number, round(got.seconds, 2)))

    def source(self) -> dict:
        return {"path": str(self.path), "sha256": self.sha256, "pages": self.n_pages}

    def pages(self) -> Iterator[PageContent]:
        import pdfplumber

        try:
            pdf = pdfplumber.open(str(self.path))
        except DocumentError:
            raise
        except Exception as e:
            raise _error_from(e) from e
        paths, self._paths = self._paths or _PathCounts(self.path, self.limits), None
        any_chars = False
        any_images = False
        try:
            try:
                n = len(pdf.pages)
            except Exception as e:
                raise _error_from(e) from e
            if n > self.limits.max_pages:
                raise LimitExceeded(f"the document has {n} pages, over the limit of {self.limits.max_pages}")
            for i, page in enumerate(pdf.pages):
                try:
                    content = self._read(page, i, paths)
                except DocumentError:
                    raise
                except Exception as e:
                    raise _error_from(e) from e
                finally:
                    page.close()
                any_chars |= content.has_chars
                any_images |= content.has_images
                if i == n - 1 and not any_chars:
                    raise DocumentError("no_text", _no_text_message(any_images, self.ocr))
                yield content
        finally:
            paths.close()
            pdf.close()

    def _read(self, page, i: int, paths: _PathCounts) -> PageContent:
        from pipeline.document.objects import load_objects

        content = PageContent(number=i + 1, width=float(page.width), height=float(page.height))
        n_paths = None
        if self.backend == "pdfium":
            from pipeline.document.pdfium_objects import UnnamedFont

            try:
                n_paths = _load_pdfium_objects(page, i, paths, self.limits)
            except UnnamedFont:
                page.__dict__.pop("_objects", None)
        if not hasattr(page, "_objects"):   # pdfminer's backend, or a page pdfium cannot read exactly
            _bounded_layout(page, self.limits)
            load_objects(page)
        content.has_chars = bool(page.chars)
        content.has_images = bool(page.images)
        if not content.has_chars:
            if content.has_images and self.ocr:
                self._ocr(content, paths, i)
            return content
        for ln in page.extract_text_lines(return_chars=False):
            content.lines.append(TextLine(ln["text"], float(ln["x0"]), float(ln["x1"]),
                                          float(ln["top"]), float(ln["bottom"])))
        if i < self.n_pages and (n_paths if n_paths is not None else paths.count(i)) >= 4:
            for t in page.find_tables(TABLE_SETTINGS):
                if len(t.rows) >= 1 and t.cells:
                    content.tables.append(_raw_table(t))
            content.tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
        return content


def _no_text_message(any_images: bool, ocr: str | None) -> str:
    if not any_images:
        return "no page has a text layer"
    if ocr is None:
        from pipeline.document.ocr_engine import missing_message

        return f"no page has a text layer (pages are images: a scan), and {missing_message()}"
    return f"no page has a text layer, and OCR ({ocr}) read no text in its images"


def open_document(path: Path) -> Document:
    """Validate ``path`` as a readable PDF (typed DocumentError otherwise)."""
    return Document(Path(path))
