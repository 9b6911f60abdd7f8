"""Ruled tables in a page image: the grid its drawn lines make, as the cells the text path knows.

Why: a scanned disclosure is the same spreadsheet export as a text one, every border drawn. The
lines are long runs of dark pixels (a character's stroke is short), found with numpy alone; lines
that cross each other make one table; the grid squares they bound are joined where the line between
them is missing (a merged cell). The result has pdfplumber's shape (rows of cell boxes, ``None``
where a merged cell covers the column), so table recognition, cleaning and checks run unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Darkness threshold (0 black … 255 white) of a ruling pixel.
DARK = 160


@dataclass
class Segment:
    """One ruling line: ``pos`` across it (y of a horizontal line, x of a vertical), ``a``–``b`` along it."""

    pos: float
    a: int
    b: int
    thick: tuple[int, int]        # first and last pixel across the line (to erase it)


@dataclass
class Grid:
    """One ruled table, in pixels: its cells (x0, top, x1, bottom) grouped in rows, pdfplumber-like."""

    bbox: tuple[float, float, float, float]
    xs: list[float]
    rows: list[list[tuple[float, float, float, float] | None]]
    row_bboxes: list[tuple[float, float, float, float]]
    #: The ruling it is drawn with (only these are erased: a title's strokes are no ruling).
    horiz: list[Segment] = field(default_factory=list)
    vert: list[Segment] = field(default_factory=list)


def _run_mask(dark: np.ndarray, k: int) -> np.ndarray:
    """Pixels that belong to a horizontal run of at least ``k`` dark pixels (along axis 1)."""
    h, w = dark.shape
    if w < k:
        return np.zeros_like(dark)
    c = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(dark, axis=1, dtype=np.int32, out=c[:, 1:])
    full = (c[:, k:] - c[:, :-k]) == k           # a full window starts at column i
    del c
    f = np.zeros((h, full.shape[1] + 1), dtype=np.int32)
    np.cumsum(full, axis=1, dtype=np.int32, out=f[:, 1:])
    del full
    # pixel j is covered when a full window starts in [j-k+1, j]
    idx = np.arange(w)
    hi = np.minimum(idx + 1, f.shape[1] - 1)
    lo = np.clip(idx - k + 1, 0, f.shape[1] - 1)
    return (f[:, hi] - f[:, lo]) > 0


def _segments(mask: np.ndarray, min_len: int, max_thick: int = 12) -> list[Segment]:
    """Lines of a run mask (runs along axis 1), traced row by row: a stretch of one row joins the
    line of the row before whose stretch it overlaps along most of its length. Two lines side by side
    on a page (the column lines of two tables a few pixels apart, one above the other) stay two lines:
    taken as one band, they made a band too thick for a line and both were lost."""
    rows = np.flatnonzero(mask.any(axis=1))
    out: list[Segment] = []
    if rows.size == 0:
        return out
    # a line being traced: [first row, last row, a, b]
    open_: list[list[int]] = []
    done: list[list[int]] = []
    prev_row = -2
    for r in rows:
        r = int(r)
        cols = np.flatnonzero(mask[r])
        gaps = np.flatnonzero(np.diff(cols) > 1)
        cs = np.concatenate(([0], gaps + 1))
        ce = np.concatenate((gaps, [cols.size - 1]))
        stretches = [(int(cols[a]), int(cols[b])) for a, b in zip(cs, ce)]
        if r != prev_row + 1:
            done += open_
            open_ = []
        nxt: list[list[int]] = []
        for a, b in stretches:
            joined = None
            for ln in open_:
                ov = min(b, ln[3]) - max(a, ln[2]) + 1
                if ov > 0 and ov >= 0.5 * min(b - a + 1, ln[3] - ln[2] + 1):
                    if joined is None:
                        ln[1], ln[2], ln[3] = r, min(ln[2], a), max(ln[3], b)
                        joined = ln
                    else:                    # this stretch bridges two lines: one line
                        joined[0], joined[2], joined[3] = min(joined[0], ln[0]), min(joined[2], ln[2]), \
                            max(joined[3], ln[3])
                        ln[0] = -1
            if joined is None:
                nxt.append([r, r, a, b])
        kept = [ln for ln in open_ if ln[0] >= 0]
        done += [ln for ln in kept if ln[1] != r]
        open_ = [ln for ln in kept if ln[1] == r] + nxt
        prev_row = r
    done += open_
    for r0, r1, a, b in done:
        if r0 < 0 or r1 - r0 > max_thick or b - a + 1 < min_len:   # a filled block, not a line
            continue
        out.append(Segment((r0 + r1) / 2, a, b, (r0, r1)))
    out.sort(key=lambda s: (s.pos, s.a))
    return out


#: Lines are looked for at about this resolution: each block of pixels keeps its darkest one, so a
#: hairline survives, and the search costs a ninth of the page's full size.
SEARCH_DPI = 100


def _shrink(dark: np.ndarray, f: int) -> np.ndarray:
    """``dark`` with each f×f block made one pixel, dark when any of its pixels is."""
    h, w = dark.shape
    hh, ww = -(-h // f) * f, -(-w // f) * f
    pad = np.zeros((hh, ww), dtype=bool)
    pad[:h, :w] = dark
    return pad.reshape(hh // f, f, ww // f, f).any(axis=(1, 3))


def _scaled(segs: list[Segment], f: int) -> list[Segment]:
    return [Segment(s.pos * f + (f - 1) / 2, s.a * f, s.b * f + f - 1, (s.thick[0] * f, s.thick[1] * f + f - 1))
            for s in segs]


def find_lines(gray: np.ndarray, dpi: float) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical ruling lines of a grey page image (in its pixels)."""
    f = max(1, int(dpi // SEARCH_DPI))
    dark = _shrink(gray < DARK, f) if f > 1 else gray < DARK
    low = dpi / f
    h_min = max(20, int(low * 0.28))      # 7 mm: longer than any character's stroke
    v_min = max(12, int(low * 0.16))      # 4 mm: a ruled row is at least this tall
    horiz = _segments(_run_mask(dark, h_min), h_min, max_thick=max(2, int(12 / f)))
    vert = _segments(_run_mask(dark.T.copy(), v_min), v_min, max_thick=max(2, int(12 / f)))
    return _scaled(horiz, f), _scaled(vert, f)


def erase(gray: np.ndarray, horiz: list[Segment], vert: list[Segment]) -> np.ndarray:
    """The image with its ruling painted white (the OCR engine reads lines as | and _ otherwise)."""
    out = gray.copy()
    for s in horiz:
        out[max(0, s.thick[0] - 1):s.thick[1] + 2, s.a:s.b + 1] = 255
    for s in vert:
        out[s.a:s.b + 1, max(0, s.thick[0] - 1):s.thick[1] + 2] = 255
    return out


class _Union:
    def __init__(self, n: int):
        self.p = list(range(n))

    def find(self, i: int) -> int:
        while self.p[i] != i:
            self.p[i] = self.p[self.p[i]]
            i = self.p[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.p[self.find(a)] = self.find(b)


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _covers(segs: list[Segment], pos: float, a: float, b: float, tol: float) -> bool:
    """Whether a line at ``pos`` covers most of the stretch ``a``–``b`` along it."""
    need = (b - a) * 0.6
    got = 0.0
    for s in segs:
        if abs(s.pos - pos) <= tol:
            got += max(0.0, min(b, s.b) - max(a, s.a))
    return got >= need


def find_grids(horiz: list[Segment], vert: list[Segment], tol: float = 6) -> list[Grid]:
    """Tables made by the lines: lines crossing each other form one table; its grid squares are
    joined into one cell where the line between two of them is missing."""
    segs = [("h", s) for s in horiz] + [("v", s) for s in vert]
    u = _Union(len(segs))
    for i, (oi, si) in enumerate(segs):
        if oi != "h":
            continue
        for j, (oj, sj) in enumerate(segs):
            if oj == "v" and sj.a - tol <= si.pos <= sj.b + tol and si.a - tol <= sj.pos <= si.b + tol:
                u.join(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(segs)):
        groups.setdefault(u.find(i), []).append(i)
    grids = []
    for members in groups.values():
        hs = [segs[i][1] for i in members if segs[i][0] == "h"]
        vs = [segs[i][1] for i in members if segs[i][0] == "v"]
        if len(hs) < 2 or len(vs) < 2:
            continue
        g = _grid(hs, vs, tol)
        if g is not None:
            g.horiz, g.vert = hs, vs
            grids.append(g)
    grids.sort(key=lambda g: (g.bbox[1], g.bbox[0]))
    return grids


def _grid(hs: list[Segment], vs: list[Segment], tol: float) -> Grid | None:
    ys = _cluster([s.pos for s in hs], tol)
    xs = _cluster([s.pos for s in vs], tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    u = _Union(nr * nc)
    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not _covers(vs, xs[j + 1], ys[i], ys[i + 1], tol):
                u.join(i * nc + j, i * nc + j + 1)
            if i + 1 < nr and not _covers(hs, ys[i + 1], xs[j], xs[j + 1], tol):
                u.join(i * nc + j, (i + 1) * nc + j)
    boxes: dict[int, list[int]] = {}
    for i in range(nr):
        for j in range(nc):
            r = u.find(i * nc + j)
            b = boxes.setdefault(r, [j, i, j, i])
            b[0], b[1], b[2], b[3] = min(b[0], j), min(b[1], i), max(b[2], j), max(b[3], i)
    cells = [(xs[b[0]], ys[b[1]], xs[b[2] + 1], ys[b[3] + 1]) for b in boxes.values()]
    # a region that is not enclosed (no line on a whole side of the table) is no cell
    cells = [c for c in cells if (c[2] - c[0]) > 2 and (c[3] - c[1]) > 2]
    col_x = sorted({c[0] for c in cells})
    right = max(c[2] for c in cells)
    tops = sorted({c[1] for c in cells})
    rows, row_bboxes = [], []
    for top in tops:
        in_row = [c for c in cells if c[1] == top]
        rows.append([next((c for c in in_row if c[0] == x), None) for x in col_x])
        row_bboxes.append((min(c[0] for c in in_row), top, max(c[2] for c in in_row),
                           max(c[3] for c in in_row)))
    return Grid(bbox=(xs[0], ys[0], xs[-1], ys[-1]), xs=col_x + [right], rows=rows,
                row_bboxes=row_bboxes)
