"""A page's objects (characters, ruling, images) read by pdfium, as pdfplumber's ``Page.objects`` dicts.

Why: 85% of reading a page with pdfplumber is pdfminer interpreting the content stream in pure
Python. pdfium (pypdfium2, C++) reads the same stream an order of magnitude faster; the characters
and paths it finds are turned here into the dicts pdfplumber would have made from pdfminer's layout
objects, and stored where ``Page.objects`` caches them, so pdfplumber's own edges, table finder and
text extraction run on them unchanged and pdfminer never interprets the page.

Geometry follows pdfminer's conventions, not pdfium's: a character's box runs from its origin to
its advance width horizontally and from the baseline plus the font's descent to one font size above
that vertically (pdfminer's LTChar), in the page space pdfminer uses (MediaBox origin, /Rotate
applied). Paths are split into subpaths and classed as pdfminer does (line, rect or curve), so
rectangles give pdfplumber four edges and thin filled rectangles still rule a table.
The per-page caps of limits.py apply: the characters and paths are counted before any is converted
(the stream cap is kept by the reader, which inflates the page's streams through the capped zlib
before pdfium loads the page).

Where pdfium's text page differs from pdfminer's characters, and what is done about it:
- widths: pdfium's loose box is as wide as the glyph, pdfminer's as the font's /W or /Widths entry
  (which decides where pdfplumber puts a space): the width is read from pdfminer's font object of
  the same name; failing that, from the distance to the next character of the same text object.
- blanks: pdfium leaves out text objects that show only spaces; each is given back as a space at
  the object's place. A run of blanks inside one object positioned by TJ offsets comes back as one.
- duplicates: pdfium drops a text object drawn again over itself (fake bold) that pdfminer keeps;
  its characters are copied back when the object shows all of them (partial copies are not).
- order: characters are given in the content stream's order, as pdfminer does (pdfplumber sorts
  them stably, so the order decides where an overlapping blank goes).
Colours, marked content ids and colour spaces are not read (None): nothing in the parse uses them.
"""

from __future__ import annotations

import ast
import ctypes
from typing import Iterator, NamedTuple

import pypdfium2.raw as raw
from pdfminer.utils import apply_matrix_pt, mult_matrix

from pipeline.document.limits import LimitExceeded

Matrix = tuple[float, float, float, float, float, float]
_ID: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def page_ctm(mediabox: tuple[float, float, float, float], rotate: int) -> Matrix:
    """The matrix pdfminer's PDFPageInterpreter starts a page with (MediaBox origin and /Rotate)."""
    x0, y0, x1, y1 = mediabox
    rotate = rotate % 360
    if rotate == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1)
    if rotate == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1)
    if rotate == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0)
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0)


class _Frame:
    """What every object of one page needs: pdfplumber's placement (top-left origin, doctop)."""

    __slots__ = ("height", "doctop", "page_number", "mb_x0", "mb_top", "ctm")

    def __init__(self, page, ctm: Matrix):
        self.height = float(page.height)
        self.doctop = float(page.initial_doctop)
        self.page_number = page.page_number
        self.mb_x0, self.mb_top = float(page.mediabox[0]), float(page.mediabox[1])
        self.ctm = ctm

    def place(self, attr: dict, x0: float, y0: float, x1: float, y1: float) -> dict:
        attr["x0"] = x0 + self.mb_x0
        attr["y0"] = y0
        attr["x1"] = x1 + self.mb_x0
        attr["y1"] = y1
        attr["width"] = x1 - x0
        attr["height"] = y1 - y0
        top = (self.height - y1) + self.mb_top
        attr["top"] = top
        attr["bottom"] = (self.height - y0) + self.mb_top
        attr["doctop"] = self.doctop + top
        return attr

    def point(self, x: float, y: float) -> tuple[float, float]:
        """pdfplumber's point2coord of a point already in pdfminer's page space."""
        return (x + self.mb_x0, self.mb_top + self.height - y)


def _objects(handle, n: int, m: Matrix, depth: int) -> Iterator[tuple[object, int, Matrix]]:
    """Every page object, Form XObjects flattened, with the matrix that places it on the page."""
    get = raw.FPDFFormObj_GetObject if depth else raw.FPDFPage_GetObject
    fm = raw.FS_MATRIX()
    for i in range(n):
        obj = get(handle, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            if depth >= 32 or not raw.FPDFPageObj_GetMatrix(obj, fm):
                continue
            inner = mult_matrix((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), m)
            yield from _objects(obj, raw.FPDFFormObj_CountObjects(obj), inner, depth + 1)
        else:
            yield obj, kind, m


def _subpaths(obj, m: Matrix) -> list[list[tuple[str, float, float, bool]]]:
    """The path's segments in page space, split at each move (pdfminer paints each subpath)."""
    out: list[list[tuple[str, float, float, bool]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.byref(x), ctypes.byref(y)
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(seg, px, py)
        t = raw.FPDFPathSegment_GetType(seg)
        cmd = "m" if t == raw.FPDF_SEGMENT_MOVETO else ("c" if t == raw.FPDF_SEGMENT_BEZIERTO else "l")
        X, Y = apply_matrix_pt(m, (x.value, y.value))
        if cmd == "m" or not out:
            out.append([])
        out[-1].append((cmd, X, Y, bool(raw.FPDFPathSegment_GetClose(seg))))
    return out


def _ops(sp: list[tuple[str, float, float, bool]]) -> list[tuple]:
    """pdfium's segments of one subpath as pdfminer's path operators: ("m", pt), ("l", pt),
    ("c", control, control, end) from three bezier segments, and ("h",) after a closing segment."""
    ops: list[tuple] = []
    k = 0
    while k < len(sp):
        cmd, X, Y, close = sp[k]
        if cmd == "c" and k + 2 < len(sp):
            ops.append(("c", (X, Y), sp[k + 1][1:3], sp[k + 2][1:3]))
            close = sp[k + 2][3]
            k += 3
        else:
            ops.append((cmd if cmd != "c" else "l", (X, Y)))
            k += 1
        if close:
            ops.append(("h",))
    return ops


def _path_dicts(obj, m: Matrix, f: _Frame, stroke: bool, fill: bool, width: float) -> list[dict]:
    """pdfminer's LTLine / LTRect / LTCurve for each subpath (its PDFLayoutAnalyzer.paint_path), as
    pdfplumber's dicts."""
    out = []
    for sp in _subpaths(obj, m):
        ops = _ops(sp)
        shape = "".join(o[0] for o in ops)
        pts = [o[-1] if o[0] != "h" else ops[0][-1] for o in ops]   # one point per operator
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts.pop()
        kind = "curve"
        if shape in ("mlh", "ml"):
            kind = "line"
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                     or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
                kind = "rect"
        if kind == "line":
            pts = pts[:2]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        attr = {"object_type": kind, "page_number": f.page_number, "stroke": stroke, "fill": fill,
                "evenodd": False, "linewidth": width, "non_stroking_color": None,
                "stroking_color": None, "mcid": None, "tag": None, "dash": None,
                "pts": [f.point(X, Y) for X, Y in pts],
                "path": [(o[0], *(f.point(X, Y) for X, Y in o[1:])) for o in ops]}
        if kind == "rect":
            xs, ys = [pts[0][0], pts[2][0]], [pts[0][1], pts[2][1]]
        out.append(f.place(attr, min(xs), min(ys), max(xs), max(ys)))
    return out


class UnnamedFont(Exception):
    """A font pdfium gives no base name for (e.g. Skia's subset CID fonts), so pdfminer's advance
    widths cannot be matched to it: the page is read by pdfminer instead (its glyph boxes would put
    spaces inside words)."""


class _Widths(NamedTuple):
    """A font's advance widths by character (text space units per unit of font size)."""

    by_char: dict
    default: float
    cid: bool            # a CID font: a character it has no /W entry for takes the default width

    def get(self, ch: str) -> float | None:
        w = self.by_char.get(ch)
        return w if w is not None or not self.cid else self.default


def _advance(fonts: list[_Widths], ch: str, loose: float) -> float | None:
    """pdfminer's width of ``ch`` among the fonts of one name (the one nearest pdfium's own when
    the fonts disagree), or None when none of them has it."""
    ws = {w for f in fonts if (w := f.get(ch)) is not None}
    if not ws:
        return None
    return ws.pop() if len(ws) == 1 else min(ws, key=lambda w: abs(w - loose))


def _font_specs(page) -> Iterator[tuple[object, dict]]:
    """(object id, font dict) of every font the page and its Form XObjects name."""
    from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

    todo, seen = [(page.page_obj.resources, 0)], set()
    while todo:
        res, depth = todo.pop()
        if not isinstance(res, dict) or depth > 8:
            continue
        fonts = resolve1(res.get("Font"))
        if isinstance(fonts, dict):
            for ref in fonts.values():
                spec = resolve1(ref)
                if isinstance(spec, dict):
                    yield (ref.objid if isinstance(ref, PDFObjRef) else None), spec
        xobjs = resolve1(res.get("XObject"))
        if isinstance(xobjs, dict):
            for ref in xobjs.values():
                x = resolve1(ref)
                if isinstance(x, PDFStream) and id(x) not in seen:
                    seen.add(id(x))
                    todo.append((resolve1(x.attrs.get("Resources")), depth + 1))


def _font_widths(page) -> dict[bytes, list[_Widths]]:
    """The advance widths pdfminer gives each font of the page, by base font name.

    pdfium's loose box takes a character's width from its glyph; pdfminer (and so pdfplumber's
    text) from the font's /W or /Widths, which decide where pdfplumber puts a space.
    """
    cache = page.pdf.__dict__.setdefault("_pdfium_font_widths", {})
    out: dict[bytes, list[_Widths]] = {}
    for objid, spec in _font_specs(page):
        key = objid if objid is not None else id(spec)
        w = cache.get(key)
        if w is None:
            try:
                font = page.pdf.rsrcmgr.get_font(objid, spec)
                multi = font.is_multibyte()
                codes = list(font.widths.keys())
                by_char = {}
                for code in codes:
                    try:
                        code = int(code)
                        by_char.setdefault(font.to_unichr(code), font.char_width(code))
                    except Exception:
                        continue
                name = font.basefont
                if isinstance(name, str) and name.startswith(("b'", 'b"')):   # str() of a bytes name
                    try:
                        name = ast.literal_eval(name)
                    except (ValueError, SyntaxError):
                        pass
                bname = name if isinstance(name, bytes) else str(name).encode("latin-1", "replace")
                w = cache[key] = (bname, _Widths(by_char, font.default_width * font.hscale, multi))
            except Exception:
                w = cache[key] = (None, None)
        if w[0] is not None:
            # pdfium names some fonts without their subset tag ("ABCDEE+"): both names are kept
            plus = w[0].find(b"+")
            for name in (w[0], w[0][plus + 1:]) if plus == 6 else (w[0],):
                fonts = out.setdefault(name, [])
                if w[1] not in fonts:
                    fonts.append(w[1])
    return out


def _base_name(font) -> bytes:
    n = raw.FPDFFont_GetBaseFontName(font, None, 0)
    if n <= 1:
        return b""
    buf = ctypes.create_string_buffer(n)
    raw.FPDFFont_GetBaseFontName(font, buf, n)
    return buf.raw[: n - 1]


def _font_name(textpage, i: int, buf: ctypes.Array, cache: dict) -> str:
    flags = ctypes.c_int()
    n = raw.FPDFText_GetFontInfo(textpage, i, buf, len(buf), ctypes.byref(flags))
    name = bytes(buf[: max(0, n - 1)]).decode("utf-8", "replace")
    return cache.setdefault(name, name)


def _blank_objects(textpage, texts: list, seen: set, f: _Frame, widths: dict) -> tuple[list, list]:
    """Text objects showing only spaces, which pdfium's text page leaves out (pdfminer keeps them),
    and text objects pdfium dropped as duplicates of others (pdfminer keeps them too).

    A blank splits words in pdfplumber's text, so each is given back as a space character at the
    object's position (a quarter of an em wide: only its place matters, blanks start no word).
    """
    out: list[tuple] = []
    dups: list[tuple] = []
    fm = raw.FS_MATRIX()
    fs = ctypes.c_float()
    bl, bb, br, bt = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for order, (obj, m) in enumerate(texts):
        if ctypes.cast(obj, ctypes.c_void_p).value in seen:
            continue
        n = raw.FPDFTextObj_GetText(obj, textpage, None, 0)
        text = ""
        if n > 2:
            buf = (ctypes.c_ushort * n)()
            raw.FPDFTextObj_GetText(obj, textpage, buf, n)
            text = bytes(buf)[: (n - 1) * 2].decode("utf-16-le", "replace").rstrip("\x00")
        if text.strip():
            continue
        if raw.FPDFPageObj_GetBounds(obj, ctypes.byref(bl), ctypes.byref(bb), ctypes.byref(br),
                                     ctypes.byref(bt)) and br.value - bl.value > 0.01:
            # glyphs drawn, yet no character: a copy pdfium dropped as a duplicate ("fake bold")
            if raw.FPDFPageObj_GetMatrix(obj, fm):
                font = raw.FPDFTextObj_GetFont(obj)
                p0, p1 = apply_matrix_pt(m, (bl.value, bb.value)), apply_matrix_pt(m, (br.value, bt.value))
                dups.append((ctypes.cast(obj, ctypes.c_void_p).value,
                             ctypes.cast(font, ctypes.c_void_p).value,
                             min(p0[0], p1[0]), max(p0[0], p1[0]), *apply_matrix_pt(m, (fm.e, fm.f))))
            continue
        text = text or " "   # pdfium gives a lone blank's text to the object before it
        if not raw.FPDFPageObj_GetMatrix(obj, fm) or not raw.FPDFTextObj_GetFontSize(obj, ctypes.byref(fs)):
            continue
        a, b, c, d, e, g = mult_matrix((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), m)
        if b or c or a <= 0 or d <= 0:
            continue
        em = fs.value * d
        font = raw.FPDFTextObj_GetFont(obj)
        dsc = ctypes.c_float()
        descent = dsc.value / 1000.0 if raw.FPDFFont_GetDescent(font, 1000.0, ctypes.byref(dsc)) else -0.2
        fw = widths.get(_base_name(font))
        for ch in text:
            ch = ch if ch == "\u3000" else " "
            w = (_advance(fw, ch, 0.25) if fw else None)
            w = (0.25 if w is None else w) * fs.value * a
            out.append((ord(ch), e, g, em, w, descent, order))
            e += w
    return out, dups


def _chars(textpage, page, f: _Frame, max_chars: int, texts: list) -> list[dict]:
    """Every character pdfium's text page holds (not the spaces and line breaks it generates).

    pdfminer's box is origin .. origin + advance width (the font's /W or /Widths), baseline + descent
    .. one font size above. pdfium's origins are the same; its loose box takes the width from the
    glyph instead, so the advance is read as the distance to the next character of the same text
    object (learnt per font and character for the last one of an object).
    """
    n = raw.FPDFText_CountChars(textpage)
    if n > max_chars:
        raise LimitExceeded(f"page {f.page_number} shows more than {max_chars} characters "
                            "(the limit per page)")
    ox, oy = ctypes.c_double(), ctypes.c_double()
    pox, poy = ctypes.byref(ox), ctypes.byref(oy)
    mt = raw.FS_MATRIX()
    box = raw.FS_RECTF()
    buf = (ctypes.c_char * 256)()
    names: dict = {}
    fonts: dict = {}
    widths = _font_widths(page)
    rows = []
    for i in range(n):
        if raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        u = raw.FPDFText_GetUnicode(textpage, i)
        if u in (13, 10, 2):
            continue
        obj = raw.FPDFText_GetTextObject(textpage, i)
        okey = ctypes.cast(obj, ctypes.c_void_p).value if obj else None
        fkey, descent, fontname, ascent, fw = None, 0.0, None, 1.0, None
        if obj:
            font = raw.FPDFTextObj_GetFont(obj)
            fkey = ctypes.cast(font, ctypes.c_void_p).value
            known = fonts.get(fkey)
            if known is None:
                d, h = ctypes.c_float(), ctypes.c_float()
                known = fonts[fkey] = (
                    d.value / 1000.0 if raw.FPDFFont_GetDescent(font, 1000.0, ctypes.byref(d)) else 0.0,
                    _font_name(textpage, i, buf, names),
                    h.value / 1000.0 if raw.FPDFFont_GetAscent(font, 1000.0, ctypes.byref(h)) else 1.0)
                base = _base_name(font)
                if not base:
                    raise UnnamedFont(f"page {f.page_number}: a font pdfium cannot name (its widths unknown)")
                fonts[fkey] = known = known + (widths.get(base) or None,)
            descent, fontname, ascent, fw = known
        raw.FPDFText_GetMatrix(textpage, i, mt)
        raw.FPDFText_GetCharOrigin(textpage, i, pox, poy)
        raw.FPDFText_GetLooseCharBox(textpage, i, box)
        size = raw.FPDFText_GetFontSize(textpage, i)
        left, right = box.left, box.right
        if mt.c and not mt.b:   # the loose box of a slanted character spans its slant too
            slant = abs(mt.c) * (ascent - descent) * size
            right = left + max(0.0, (right - left) - slant)
        exact = False
        if fw is not None and not mt.b and mt.a > 0 and size:   # the font's advance, as pdfminer's
            w = _advance(fw, chr(u) if u else "", (right - left) / (size * mt.a))
            if w is not None:
                right, exact = left + w * size * mt.a, True
        rows.append((u, okey, fkey, descent, size,
                     (mt.a, mt.b, mt.c, mt.d), ox.value, oy.value,
                     (left, box.bottom, right, box.top),
                     fontname if fontname is not None else _font_name(textpage, i, buf, names), exact))
    seen = {r[1] for r in rows}
    blanks, dups = _blank_objects(textpage, texts, seen, f, widths) if len(seen) < len(texts) else ([], [])
    for okey, fkey, left, right, ex, ey in dups:
        # the characters it duplicates: same font, within its extent, on (nearly) its baseline
        same = [r for r in rows if r[2] == fkey and left - 0.5 <= r[6] <= right + 0.5
                and abs(r[7] - ey) <= 0.1 * (r[4] or 1) * abs(r[5][3] or 1)]
        if not same:
            continue
        dx, dy = ex - same[0][6], ey - same[0][7]
        for r in same:
            lb = r[8]
            rows.append((r[0], okey, r[2], r[3], r[4], r[5], r[6] + dx, r[7] + dy,
                         (lb[0] + dx, lb[1] + dy, lb[2] + dx, lb[3] + dy), r[9], r[10]))
    learnt: dict = {}
    advs: list[float | None] = [None] * len(rows)
    for k in range(len(rows)):
        u, okey, fkey, _, size, (a, b, c, d), x, y, lb, _, exact = rows[k]
        sx = (a * a + b * b) ** 0.5
        if not sx or not size or exact:
            continue
        loose = abs(lb[2] - lb[0]) if not b else abs(lb[3] - lb[1]) if not a else 0.0
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        if nxt is not None and nxt[1] == okey and okey is not None:
            dx, dy = nxt[6] - x, nxt[7] - y
            along = (dx * a + dy * b) / sx
            across = (dy * a - dx * b) / sx
            if along > 0 and abs(across) < 0.01 and abs(along - loose) <= 0.15 * size * sx:
                advs[k] = along / sx                  # in text space
                learnt.setdefault((fkey, u), along / sx / size)
    out: list[dict] = []
    position = {ctypes.cast(obj, ctypes.c_void_p).value: n for n, (obj, _) in enumerate(texts)} if blanks or dups else {}
    keys: list[int] = []
    ctm = f.ctm
    for k, (u, okey, fkey, descent, size, (a, b, c, d), x, y, lb, fontname, exact) in enumerate(rows):
        sx = (a * a + b * b) ** 0.5
        if sx and size and exact:
            adv = (lb[2] - lb[0]) / a
        if sx and size:
            adv = advs[k] if not exact else adv
            if adv is None:
                w = learnt.get((fkey, u))
                loose = abs(lb[2] - lb[0]) if not b else abs(lb[3] - lb[1]) if not a else 0.0
                adv = w * size if w is not None else loose / sx
            # pdfminer's LTChar: (0, descent) .. (advance, descent + size) in text space
            lo_y = descent * size
            x0, y0 = a * 0 + c * lo_y + x, b * 0 + d * lo_y + y
            x1, y1 = a * adv + c * (lo_y + size) + x, b * adv + d * (lo_y + size) + y
            adv_page = adv * sx
        else:
            x0, y0, x1, y1 = lb
            adv_page = abs(x1 - x0)
        p0, p1 = apply_matrix_pt(ctm, (x0, y0)), apply_matrix_pt(ctm, (x1, y1))
        X0, X1 = min(p0[0], p1[0]), max(p0[0], p1[0])
        Y0, Y1 = min(p0[1], p1[1]), max(p0[1], p1[1])
        matrix = mult_matrix((a, b, c, d, x, y), ctm)
        up = matrix[0] * matrix[3] > 0 and matrix[1] * matrix[2] <= 0   # pdfminer's LTChar.upright
        attr = {"object_type": "char", "page_number": f.page_number, "text": chr(u) if u else "",
                "fontname": fontname, "size": (Y1 - Y0) if up else (X1 - X0), "adv": adv_page,
                "upright": up, "matrix": matrix, "mcid": None, "tag": None, "ncs": None, "scs": None,
                "stroking_color": None, "non_stroking_color": None}
        out.append(f.place(attr, X0, Y0, X1, Y1))
        keys.append(position.get(okey, keys[-1] if keys else 0))
    for u, x, y, em, w, descent, order in blanks:
        p0, p1 = apply_matrix_pt(ctm, (x, y + descent * em)), apply_matrix_pt(ctm, (x + w, y + (descent + 1) * em))
        X0, X1 = min(p0[0], p1[0]), max(p0[0], p1[0])
        Y0, Y1 = min(p0[1], p1[1]), max(p0[1], p1[1])
        matrix = mult_matrix((1.0, 0.0, 0.0, 1.0, x, y), ctm)
        up = matrix[0] * matrix[3] > 0 and matrix[1] * matrix[2] <= 0
        attr = {"object_type": "char", "page_number": f.page_number, "text": chr(u), "fontname": "",
                "size": (Y1 - Y0) if up else (X1 - X0), "adv": w, "upright": up, "matrix": matrix,
                "mcid": None, "tag": None, "ncs": None, "scs": None, "stroking_color": None,
                "non_stroking_color": None}
        out.append(f.place(attr, X0, Y0, X1, Y1))
        keys.append(order)
    if blanks or dups:   # in the content stream's order, as pdfminer gives them (pdfplumber sorts stably)
        out = [c for _, c in sorted(zip(keys, out), key=lambda kc: kc[0])]
    if len(out) > max_chars:
        raise LimitExceeded(f"page {f.page_number} shows more than {max_chars} characters "
                            "(the limit per page)")
    return out


def parse_objects(pdf_page, page, max_chars: int, max_objects: int) -> tuple[dict[str, list[dict]], int]:
    """The objects of ``page`` (a pdfplumber Page) read from ``pdf_page`` (the same page in pdfium),
    and how many path objects the page draws."""
    # pdfminer's own page (not pdfplumber's displayed box): the raw MediaBox and /Rotate, inherited too
    rotate = int(getattr(page.page_obj, "rotate", 0) or 0)
    ctm = page_ctm(tuple(float(v) for v in page.page_obj.mediabox), rotate)
    f = _Frame(page, ctm)
    objects: dict[str, list[dict]] = {}
    handle = pdf_page.raw
    nobj = npaths = 0
    fm = raw.FS_MATRIX()
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    lw = ctypes.c_float()
    texts = []
    for obj, kind, m in _objects(handle, raw.FPDFPage_CountObjects(handle), _ID, 0):
        if kind == raw.FPDF_PAGEOBJ_PATH:
            nobj += 1
            npaths += 1
            if nobj > max_objects:
                raise LimitExceeded(f"page {f.page_number} draws more than {max_objects} paths and images "
                                    "(the limit per page)")
            if not raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
                continue
            if not fill.value and not stroke.value:
                continue
            raw.FPDFPageObj_GetMatrix(obj, fm)
            om = mult_matrix(mult_matrix((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), m), ctm)
            raw.FPDFPageObj_GetStrokeWidth(obj, ctypes.byref(lw))
            for attr in _path_dicts(obj, om, f, bool(stroke.value), bool(fill.value), lw.value):
                objects.setdefault(attr["object_type"], []).append(attr)
        elif kind == raw.FPDF_PAGEOBJ_TEXT:
            texts.append((obj, m))
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            nobj += 1
            if nobj > max_objects:
                raise LimitExceeded(f"page {f.page_number} draws more than {max_objects} paths and images "
                                    "(the limit per page)")
            raw.FPDFPageObj_GetMatrix(obj, fm)
            om = mult_matrix(mult_matrix((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), m), ctm)
            corners = [apply_matrix_pt(om, (x, y)) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            attr = {"object_type": "image", "page_number": f.page_number, "name": "", "mcid": None,
                    "tag": None, "srcsize": (0, 0), "bits": 0, "imagemask": None, "colorspace": [],
                    "stream": None}
            objects.setdefault("image", []).append(f.place(attr, min(xs), min(ys), max(xs), max(ys)))
    textpage = pdf_page.get_textpage()
    try:
        chars = _chars(textpage.raw, page, f, max_chars, texts)
    finally:
        textpage.close()
    if chars:
        objects["char"] = chars
    return objects, npaths
