"""Labels ruled over several grid cells: fragments of one label joined, merged cells read through.

Why from geometry: Jiangsu exports draw a ruling through the middle of a wrapped label cell, so
"1.一般公共预" and "算" come back as two stacked cells with the row's amount in a cell straddling
the line between them; and a label cell merged down over two rows (one 采购物品名称 for two lines)
leaves the lower row with no text of its own. Both are read off the cell boxes pdfplumber reports.
"""

from __future__ import annotations

from pipeline.document.numbers import is_amount
from pipeline.document.reader import RawTable

#: Points of slack when comparing cell edges.
EDGE = 1.0


def join_wrapped_labels(raw: RawTable, start: int) -> RawTable:
    """Join label fragments stacked in one grid column (rows ``start`` on) when an amount cell
    straddles the ruling between them: that amount belongs to one label printed over two cells.
    The upper cell takes the joined text and grows over the lower one, which is blanked."""
    amounts = [cell for r in range(start, len(raw.texts)) for j, cell in enumerate(raw.cells[r])
               if cell is not None and j < len(raw.texts[r]) and is_amount(raw.texts[r][j] or "")]
    if not amounts:
        return raw
    texts = [list(row) for row in raw.texts]
    cells = [list(row) for row in raw.cells]
    changed = False
    for j in range(raw.ncols):
        upper: tuple[int, tuple] | None = None      # (row, cell) of the last label fragment
        for r in range(start, len(texts)):
            cell = cells[r][j] if j < len(cells[r]) else None
            if cell is None:
                continue                            # covered by a cell above or to the left
            t = (texts[r][j] or "").strip() if j < len(texts[r]) else ""
            if not t or is_amount(t):
                upper = None
                continue
            if upper is not None:
                ur, uc = upper
                y = uc[3]
                if (abs(uc[0] - cell[0]) <= EDGE and abs(uc[2] - cell[2]) <= EDGE
                        and abs(cell[1] - y) <= EDGE
                        and any(a[1] < y - EDGE and a[3] > y + EDGE for a in amounts)):
                    texts[ur][j] = (texts[ur][j] or "").rstrip() + t
                    texts[r][j] = ""
                    uc = (uc[0], uc[1], uc[2], cell[3])
                    cells[ur][j] = uc
                    upper = (ur, uc)
                    changed = True
                    continue
            upper = (r, cell)
    if not changed:
        return raw
    return RawTable(bbox=raw.bbox, xs=raw.xs, row_bboxes=raw.row_bboxes, cells=cells, texts=texts, origin=raw.origin)


def covering_text(raw: RawTable, r: int, j: int) -> str | None:
    """The text of the cell merged down over grid column ``j`` of row ``r`` from a row above, or
    None when row ``r`` has a cell of its own there (or nothing covers it)."""
    if j < len(raw.cells[r]) and raw.cells[r][j] is not None:
        return None
    x0, x1 = raw.xs[j], raw.xs[j + 1]
    top = raw.row_bboxes[r][1]
    for rr in range(r - 1, -1, -1):
        for k, cell in enumerate(raw.cells[rr]):
            if (cell is not None and cell[0] <= x0 + EDGE and cell[2] >= x1 - EDGE
                    and cell[1] < top - EDGE and cell[3] > top + EDGE):
                return raw.texts[rr][k] if k < len(raw.texts[rr]) else None
    return None
