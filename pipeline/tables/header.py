"""A ruled table's header: which leading rows are header, and each column's header path.

Why from cell geometry: merged header cells come back from pdfplumber as one bbox spanning several
columns or rows (and None in the cells it covers), so a column's path ("基本支出/人员经费") is read off
the grid the bboxes cover, not off the text list.
"""

from __future__ import annotations

from pipeline.document.numbers import clean_label, is_amount, label_key
from pipeline.document.reader import RawTable
from pipeline.tables.catalogue import Catalogue


#: A row holding only one of these is a data row, never header.
TOTAL_ROW_LABELS = frozenset({"合计", "总计", "小计"})


def is_numbering_row(texts: list[str | None], cat: Catalogue) -> bool:
    """A 栏次 row (1 2 3 … under the headers)."""
    first = next((label_key(t) for t in texts if t and label_key(t)), "")
    return first in cat.numbering_rows


def is_header_row(texts: list[str | None], cat: Catalogue, kind: str | None) -> bool:
    cells = [t for t in texts if t is not None and label_key(t)]
    if not cells:
        return False
    if any(is_amount(t) for t in cells):
        return False
    if len(cells) == 1 and label_key(cells[0]) in TOTAL_ROW_LABELS:
        return False        # a 合计 row whose amounts sit on the next grid row (Jiangsu)
    vocab = sum(1 for t in cells if cat.is_header_text(kind, t))
    return vocab > 0 and vocab * 2 >= len(cells)


def header_depth(raw: RawTable, cat: Catalogue, kind: str | None) -> int:
    """How many leading rows are header rows (numbering rows included)."""
    n = 0
    for texts in raw.texts:
        blank = not any(t and t.strip() for t in texts)
        if blank or is_numbering_row(texts, cat) or is_header_row(texts, cat, kind):
            n += 1
        else:
            break
    return n


def column_paths(raw: RawTable, depth: int, cat: Catalogue, kind: str | None
                 ) -> tuple[list[list[str]], list[str]]:
    """Each column's header path, and the header cells that are values, not vocabulary.

    A value cell is header text the catalogue does not know (a performance table prints its project
    name in the header, "绩效目标 | 1.居家养老"); it is left out of the paths and returned apart.
    """
    ncols = raw.ncols
    grid: list[list[str | None]] = [[None] * ncols for _ in range(depth)]
    values: list[str] = []
    xs = raw.xs
    for r in range(depth):
        if is_numbering_row(raw.texts[r], cat):
            continue
        for j, cell in enumerate(raw.cells[r]):
            if cell is None or j >= ncols:
                continue
            text = raw.texts[r][j] or ""
            label = clean_label(text)
            if not label:
                continue
            if not cat.is_header_text(kind, label):
                values.append(clean_label(text, keep_spaces=True))
                continue
            x0, top, x1, bottom = cell
            cols = [c for c in range(ncols) if xs[c] >= x0 - 1 and xs[c] < x1 - 1]
            rows = [rr for rr in range(r, depth) if raw.row_bboxes[rr][1] < bottom - 1]
            for rr in rows:
                for c in cols:
                    grid[rr][c] = label
    paths = []
    for c in range(ncols):
        path: list[str] = []
        for r in range(depth):
            t = grid[r][c]
            if t and (not path or path[-1] != t):
                path.append(t)
        paths.append(path)
    return paths, values
