"""A page without a text layer read from its image: text lines and ruled tables, as a text page's.

Why: the recogniser, the narrative and the completeness rules read ``PageContent`` (lines, tables of
cell boxes and texts) whatever made it. Here the page is rendered (pypdfium2, 300 dpi: 6–8 pt digits
are 25–33 px tall), its ruling found and erased (ruling.py), its words read with their confidences
(ocr_engine.py) and put in the cells whose boxes hold them. Every cell keeps the confidence of its
least certain word, so the parse can say how sure each figure read from an image is.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np

from pipeline.document import deskew, ocr_engine, ruling
from pipeline.document.ocr_engine import Word

#: Rendering resolution; lowered for pages so large that the image would pass MAX_PIXELS.
DPI = 300
#: Pixels of one rendered page at most (an A4 page at 300 dpi is 8.7 M): bounds the worker's memory.
MAX_PIXELS = 12_000_000
#: A page with fewer dark pixels than this share holds nothing to read (no engine run).
BLANK_SHARE = 0.0005
#: A page's image holds readable text when at least MIN_WORDS words or cells are read at MIN_CONF.
MIN_CONF = 0.6
MIN_WORDS = 3
#: The page outside its tables (titles, prose) is read at DPI × PROSE_SCALE.
PROSE_SCALE = 0.67
#: A word of a text line read with less confidence than this is the engine's guess, not a reading.
GUESS_CONF = 0.05


@dataclass
class OcrCell:
    """A table cell read from an image: its box in PDF points, its text and confidence (0–1)."""

    bbox: tuple[float, float, float, float]
    text: str
    conf: float


@dataclass
class OcrPage:
    """What OCR read on one page, in PDF points: text lines, ruled tables and every cell's confidence."""

    lines: list            # reader.TextLine
    tables: list           # reader.RawTable
    cells: list[OcrCell]
    words: int             # words read
    seconds: float
    #: Whether the image holds readable text: a few words read with some confidence (a photo or a
    #: blank tint gives none, or a handful of unsure specks).
    readable: bool = False
    #: The angle (degrees) the page image was turned by on the glass, measured and turned back.
    skew: float = 0.0


def render_gray(pdf_page, width_pt: float, height_pt: float) -> tuple[np.ndarray, float]:
    """The page as a grey image (uint8) and the resolution it was rendered at."""
    dpi = float(DPI)
    px = (width_pt * dpi / 72) * (height_pt * dpi / 72)
    if px > MAX_PIXELS:
        dpi *= (MAX_PIXELS / px) ** 0.5
    img = pdf_page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    return np.asarray(img, dtype=np.uint8), dpi


def _png(gray: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


#: Glyphs the Chinese model reads where a parenthesis is printed (a budget table prints no angle
#: brackets): 因公出国（境）费 comes back as 因公出国〈境)费, a header no catalogue pattern knows.
_FOLD = str.maketrans({"〈": "(", "〉": ")"})
#: A Chinese text prints its colons full-width (其中：, 单位：); the engine gives them ASCII.
_COLON_RE = re.compile(r"(?<=[\u4e00-\u9fff]):")
#: The colon of a table's meta line read as a comma or semicolon (单位，元; 部门; 江苏省…): read so, the
#: unit line is not found and a 元 table's figures would be taken for 万元.
_LABEL_COLON_RE = re.compile(r"(?<![\u4e00-\u9fff])((?:金额|编制|填报|预算)?(?:单位|部门)(?:名称)?)\s*[，,;；](?=\s*[\u4e00-\u9fff])")
#: A line's Chinese numbering (一、 … 二十九、) with a numeral misread: 十 read 士 or 上 (二士、, 上九、),
#: 一 read - or “ (-、一般公共预算). Only a prefix made of numerals and such marks up to 、 is touched.
_NUMBERING_RE = re.compile(r"^[一二三四五六七八九十士上\-—“]{1,3}(?=\s*、)")
_NUMERAL_FOLD = str.maketrans({"士": "十", "上": "十", "-": "一", "—": "一", "“": "一"})
#: A closing quote read as a question mark (一般公共预算“三公?经费): a title asks nothing.
_QUOTE_RE = re.compile(r"“([^”?？\s]{1,12})(?:[?？]”?|”[?？])")


def join_words(words: list[Word]) -> str:
    """One line's words in reading order, spaced as a text layer would be: none between Chinese
    characters (the engine gives each its own box) unless a wide gap parts them, none inside a
    number the engine cut in two, one where the gap is wider than half the line's height."""
    words = sorted(words, key=lambda w: w.x0)
    out = ""
    prev: Word | None = None
    for w in words:
        if prev is not None:
            h = max(1, min(prev.bottom - prev.top, w.bottom - w.top), (prev.bottom - prev.top + w.bottom - w.top) // 2)
            gap = w.x0 - prev.x1
            wide = 1.5 if (_cjk(prev.text[-1]) or _cjk(w.text[0])) else 0.5
            out += " " if gap > wide * h else ""
        out += w.text
        prev = w
    return fold(out)


def fold(text: str) -> str:
    """An OCR reading with the engine's misread punctuation and numbering put right (_FOLD,
    _COLON_RE, _LABEL_COLON_RE, _NUMBERING_RE, _QUOTE_RE); digits are never touched here. Misread
    wording is put right later, against the catalogue and the subject lists (tables/ocr_wording.py)."""
    text = text.translate(_FOLD)
    text = _COLON_RE.sub("：", text)
    text = _LABEL_COLON_RE.sub(r"\1：", text)
    text = _NUMBERING_RE.sub(lambda m: m.group(0).translate(_NUMERAL_FOLD), text)
    return _QUOTE_RE.sub(r"“\1”", text)


def group_lines(words: list[Word]) -> list[list[Word]]:
    """Words in the engine's own lines, top to bottom (a flat character such as 一 has a box too
    thin to be placed in its line by height)."""
    rows: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        rows.setdefault(w.line, []).append(w)
    return sorted(rows.values(), key=lambda r: min(x.top for x in r))


def _read_scaled(gray: np.ndarray, scale: float) -> list[Word]:
    """The engine's words on ``gray`` shrunk by ``scale`` (titles of 16–22 pt are read better at
    150 dpi than at 300), boxes given back in ``gray``'s pixels."""
    from PIL import Image

    if scale == 1.0:
        return ocr_engine.read_words(_png(gray))
    img = Image.fromarray(gray)
    small = np.asarray(img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))),
                                  Image.LANCZOS))
    words = ocr_engine.read_words(_png(small))
    for w in words:
        w.x0, w.top, w.x1, w.bottom = (int(v / scale) for v in (w.x0, w.top, w.x1, w.bottom))
    return words


#: Grey lighter than this is paper (a scan's tint and grain, anti-aliased ruling edges), made white.
PAPER = 190


def _cell_png(crop: np.ndarray, pad: int = 12) -> bytes:
    """One cell's inside on a white margin, its faint grey (anti-aliased ruling edges) made white."""
    out = np.full((crop.shape[0] + 2 * pad, crop.shape[1] + 2 * pad), 255, dtype=np.uint8)
    out[pad:pad + crop.shape[0], pad:pad + crop.shape[1]] = np.where(crop > PAPER, 255, crop)
    return _png(out)


def _ink(crop: np.ndarray) -> np.ndarray:
    """The part of a cell's image its ink covers. A cell read with its blank part misleads the
    engine: a right-aligned 556.40 in a wide cell read 596.40 at 0.92 confidence by the digits model,
    a centred 本年支出 read 本年文出 by the Chinese one; cut to their ink, both read right."""
    dark = crop < ruling.DARK
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    if rows.size == 0:
        return crop
    return crop[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _ink_lines(crop: np.ndarray, gap: int = 3) -> int:
    """How many lines of ink a cell holds: bands of rows with dark pixels parted by at least
    ``gap`` blank rows."""
    rows = (crop < ruling.DARK).any(axis=1)
    bands, blank = 0, gap
    for dark in rows:
        if dark:
            bands += blank >= gap
            blank = 0
        else:
            blank += 1
    return bands


_NUMERIC_CHARS = set("0123456789.,-()[]|lIoO:;'`")


def _mean_conf(words: list[Word]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _reread_unsure_lines(clean: np.ndarray, groups: list[list[Word]]) -> list[str]:
    """The text of each line outside the tables; a line holding a word the engine could not read
    (confidence under GUESS_CONF: the opening quote of “三公” read 和 at 0.00, where the page's
    other strokes crowd the line) is read again alone, and the new reading kept when it has no such
    word and is at least as sure on average (chosen by confidence, never by what it says)."""
    texts = [join_words(ln) for ln in groups]
    todo = [i for i, ln in enumerate(groups) if any(w.conf < GUESS_CONF for w in ln)]
    if not todo:
        return texts
    from PIL import Image

    pngs = []
    for i in todo:
        ln = groups[i]
        x0, t = min(w.x0 for w in ln), min(w.top for w in ln)
        x1, b = max(w.x1 for w in ln), max(w.bottom for w in ln)
        pad = max(4, (b - t) // 5)
        img = Image.fromarray(clean[max(0, t - pad):b + pad, max(0, x0 - pad):x1 + pad])
        small = img.resize((max(1, int(img.width * PROSE_SCALE)), max(1, int(img.height * PROSE_SCALE))),
                           Image.LANCZOS)
        pngs.append(_cell_png(np.asarray(small)))
    for i, ws in zip(todo, ocr_engine.read_many(pngs, psm=6)):
        if ws and all(w.conf >= GUESS_CONF for w in ws) and _mean_conf(ws) >= _mean_conf(groups[i]):
            texts[i] = join_words(ws)
    return texts


def looks_numeric(text: str) -> bool:
    """A cell the Chinese model read as mostly digits and number marks (a figure, maybe misread)."""
    t = "".join(text.split())
    return bool(t) and any(c.isdigit() for c in t) and sum(c in _NUMERIC_CHARS for c in t) >= 0.7 * len(t)


#: An amount is printed with two decimals or none: ".600" is a thousands comma read as a point (the
#: digits model's 225.600 where the Chinese model read 225,600; the latter is kept then).
_THREE_DECIMALS = re.compile(r"\.\d{3}$")


def _amount(text: str):
    """The amount a cell's text reads as (Decimal), or None."""
    from pipeline.document.numbers import AmountError, parse_amount

    try:
        return parse_amount(text.replace(" ", ""))
    except AmountError:
        return None


def read_page(pdf_page, number: int, width_pt: float, height_pt: float) -> OcrPage:
    """OCR one page (``pdf_page`` a pypdfium2 page): its text lines and ruled tables in PDF points.

    The page is first turned straight (deskew.py: a sheet fed askew breaks its ruling into steps).
    Three engine runs: the tables' non-blank cells, each an image of its own (never run into its
    neighbour or its border); the cells read as figures again by the digits-only model; the page
    with its tables blanked (titles, headers, prose)."""
    import time

    from pipeline.document.reader import RawTable, TextLine

    t0 = time.perf_counter()
    gray, dpi = render_gray(pdf_page, width_pt, height_pt)
    if (gray < ruling.DARK).mean() < BLANK_SHARE:      # a blank sheet, a faint tint: nothing to read
        return OcrPage(lines=[], tables=[], cells=[], words=0, seconds=time.perf_counter() - t0)
    gray, skew = deskew.straighten(gray, dpi)
    horiz, vert = ruling.find_lines(gray, dpi)
    grids = ruling.find_grids(horiz, vert, tol=max(3.0, dpi / 50))
    clean = ruling.erase(gray, [s for g in grids for s in g.horiz], [s for g in grids for s in g.vert])
    del gray
    k = 72.0 / dpi
    inset = max(2, int(dpi / 100))

    def pt(b) -> tuple[float, float, float, float]:
        return (round(b[0] * k, 2), round(b[1] * k, 2), round(b[2] * k, 2), round(b[3] * k, 2))

    # the cells that print something
    wanted: list[tuple[int, int, tuple[int, int, int, int]]] = []
    for gi, g in enumerate(grids):
        for ri, row in enumerate(g.rows):
            for ci, c in enumerate(row):
                if c is None:
                    continue
                box = (int(c[0]) + inset, int(c[1]) + inset, int(c[2]) - inset + 1, int(c[3]) - inset + 1)
                if box[2] - box[0] < 4 or box[3] - box[1] < 4:
                    continue
                if (clean[box[1]:box[3], box[0]:box[2]] < ruling.DARK).sum() < 6:
                    continue
                wanted.append(((gi << 20) | (ri << 10) | ci, 0, box))
    n_words = 0
    cell_text: dict[int, tuple[str, float]] = {}
    crops = [_cell_png(_ink(clean[t:b_, x0:x1])) for _, _, (x0, t, x1, b_) in wanted]
    read = ocr_engine.read_many(crops)
    # a cell holding ink of which the engine read nothing as a block of lines (a header's 预算数,
    # clean and plain, comes back empty) is read again as one word (psm 8), which reads it
    blank = [i for i, ws in enumerate(read) if not ws]
    for i, ws in zip(blank, ocr_engine.read_many([crops[i] for i in blank], psm=8)):
        read[i] = ws
    # a cell whose ink is one line of text, read as several lines (因公出国(境)费 came back 因公 /
    # 公出国(境)费, a character read twice), is read again as one line (psm 7) and kept when it is one
    split = [i for i, ws in enumerate(read) if len(group_lines(ws)) > 1
             and _ink_lines(clean[wanted[i][2][1]:wanted[i][2][3], wanted[i][2][0]:wanted[i][2][2]]) == 1]
    for i, ws in zip(split, ocr_engine.read_many([crops[i] for i in split], psm=7)):
        if ws and len(group_lines(ws)) == 1:
            read[i] = ws
    texts = ["\n".join(join_words(ln) for ln in group_lines(ws)) for ws in read]
    # a figure is read again by the digits-only model, which tells 5 from 9 and 1 from ] better
    numeric = [i for i, t in enumerate(texts) if looks_numeric(t)]
    again = dict(zip(numeric, ocr_engine.read_many([crops[i] for i in numeric], psm=7, digits=True)))

    def digits(i: int, ws: list[Word]) -> str | None:
        """The digits model's text when it reads as an amount (not with three decimals where the
        Chinese model read none: a thousands comma read as a point)."""
        alt = join_words(ws).replace(" ", "")
        if not ws or _amount(alt) is None:
            return None
        if _THREE_DECIMALS.search(alt) and _amount(texts[i]) is not None \
                and not _THREE_DECIMALS.search(texts[i].replace(" ", "")):
            return None
        return alt

    # where the two readings differ (or the digits model's is no amount: 474,62), a third reading
    # decides: the digits model on the cell's whole inside (another crop, other errors). Two readings
    # of one amount win; else the digits model's, then the Chinese model's. Chosen by agreement of
    # readings, never by the table's arithmetic.
    split = [i for i in numeric if _amount(texts[i]) != _amount(digits(i, again[i]) or "") or
             digits(i, again[i]) is None]
    third = dict(zip(split, ocr_engine.read_many(
        [_cell_png(clean[wanted[i][2][1]:wanted[i][2][3], wanted[i][2][0]:wanted[i][2][2]]) for i in split],
        psm=7, digits=True)))
    for i in numeric:
        readings = [(again[i], digits(i, again[i]))]
        if i in third:
            readings.append((third[i], digits(i, third[i])))
        readings.append((read[i], texts[i] if _amount(texts[i]) is not None else None))
        valid = [(ws, t) for ws, t in readings if t is not None]
        if not valid:
            continue
        values = [_amount(t) for _, t in valid]
        agreed = [(ws, t) for ws, t in valid if values.count(_amount(t)) >= 2]
        ws, t = (agreed or valid)[0]
        read[i], texts[i] = ws, t.replace(" ", "") if ws is not read[i] else texts[i]
    for i, ws in enumerate(read):
        n_words += len(ws)
        if ws:
            cell_text[wanted[i][0]] = (texts[i], min(w.conf for w in ws))
    del crops
    # the rest of the page: titles, header lines, prose
    for g in grids:
        x0, t, x1, b = (int(v) for v in g.bbox)
        clean[max(0, t - 2):b + 3, max(0, x0 - 2):x1 + 3] = 255
    # a scanner's grey, grainy paper made white (as each cell's is): left grey, the engine's own
    # thresholding turns an empty margin's grain into lines of made-up characters
    np.copyto(clean, 255, where=clean > PAPER)
    words = _read_scaled(clean, PROSE_SCALE) if (clean < ruling.DARK).any() else []
    n_words += len(words)
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    groups = [ln for ws in by_line.values() for ln in group_lines(ws)]
    line_texts = _reread_unsure_lines(clean, groups)
    del clean
    tables: list = []
    cells: list[OcrCell] = []
    for gi, g in enumerate(grids):
        texts: list[list[str | None]] = []
        for ri, row in enumerate(g.rows):
            rt: list[str | None] = []
            for ci, c in enumerate(row):
                if c is None:
                    rt.append(None)
                    continue
                text, conf = cell_text.get((gi << 20) | (ri << 10) | ci, ("", None))
                rt.append(text)
                if text:
                    cells.append(OcrCell(pt(c), text, conf))
            texts.append(rt)
        tables.append(RawTable(bbox=pt(g.bbox), xs=[round(x * k, 2) for x in g.xs],
                               row_bboxes=[pt(b) for b in g.row_bboxes],
                               cells=[[pt(c) if c is not None else None for c in row] for row in g.rows],
                               texts=texts, origin="ocr"))
    lines = [TextLine(text, min(w.x0 for w in ln) * k, max(w.x1 for w in ln) * k,
                      min(w.top for w in ln) * k, max(w.bottom for w in ln) * k)
             for ln, text in zip(groups, line_texts)]
    lines.sort(key=lambda ln: (round(ln.top), ln.x0))
    sure = sum(1 for w in words if w.conf >= MIN_CONF) + sum(1 for c in cells if c.conf >= MIN_CONF)
    return OcrPage(lines=lines, tables=tables, cells=cells, words=n_words,
                   seconds=time.perf_counter() - t0, readable=sure >= MIN_WORDS, skew=skew)
