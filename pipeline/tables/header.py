"""A ruled table's header: which leading rows are header, and each column's header path.

Why from cell geometry: merged header cells come back from pdfplumber as one bbox spanning several
columns or rows (and None in the cells it covers), so a column's path ("基本支出/人员经费") is read off
the grid the bboxes cover, not off the text list.
"""

from __future__ import annotations

import re

from pipeline.document.numbers import clean_label, is_amount, label_key
from pipeline.document.reader import RawTable
from pipeline.tables.catalogue import Catalogue


_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")

#: A row holding only one of these is a data row, never header.
TOTAL_ROW_LABELS = frozenset({"合计", "总计", "小计"})


_LETTER_WORDS = frozenset({"甲", "乙", "丙", "丁"})


def is_numbering_row(texts: list[str | None], cat: Catalogue, ocr: bool = False) -> bool:
    """A column-number row under the headers, never data: led by 栏次 / 行次, or made only of
    column numbers ("甲 乙 1 2 3", "** 1 2 3", "A B 1 2"): every cell such a token, with a letter
    word or asterisks among them, or digits counting up by one over at least three cells.
    ``ocr`` (a table read from an image, where 甲/乙/** may be misread): digits counting up by one
    from 1, among cells of at most two characters that are no total's label."""
    keys = [label_key(t) for t in texts if t and label_key(t)]
    if not keys:
        return False
    if keys[0] in cat.numbering_rows:
        return True
    if ocr and _counts_up_after_short_cells(keys):
        return True
    tok = cat.numbering_token
    if tok is None or len(keys) < 2 or not all(tok.match(k) for k in keys):
        return False
    if any(k in _LETTER_WORDS or k.startswith("*") or k in cat.numbering_rows
           or (len(k) == 1 and k.isascii() and k.isalpha()) for k in keys):
        return True
    nums = [int(k) for k in keys if k.isdigit()]
    return len(nums) >= 3 and all(b == a + 1 for a, b in zip(nums, nums[1:]))


def _counts_up_after_short_cells(keys: list[str]) -> bool:
    """Digits 1, 2, … n (n ≥ 2) in order, every other cell at most two characters and no total's
    label ("甲 乙 1 2 3", "** 1 2 3", a side-by-side "甲 1 乙 2", their tokens misread or not)."""
    nums = [k for k in keys if k.isdigit()]
    others = [k for k in keys if not k.isdigit()]
    if len(nums) < 2 or [int(k) for k in nums] != list(range(1, len(nums) + 1)):
        return False
    return len(others) <= len(nums) + 2 and all(len(k) <= 2 and k not in ("合计", "总计", "小计")
                                                 for k in others)


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
        if blank or is_numbering_row(texts, cat, raw.origin == "ocr") or is_header_row(texts, cat, kind):
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
        if is_numbering_row(raw.texts[r], cat, raw.origin == "ocr"):
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


def join_split_words(raw: RawTable, cat: Catalogue, kind: str | None) -> RawTable:
    """Header words wrapped over several grid rows of one column ("因公出国" / "（境）费", "会议" / "费"):
    each run of fragments below a cell, in the same grid column, is joined into that cell when no
    added fragment is header vocabulary on its own and the joined text is (Jiangsu exports rule a
    narrow grid row through a wrapped header cell, so its lines come back as separate cells).

    Only the rows above the first row holding an amount are looked at (none in a table without
    one); the cell that receives the
    text grows down over the fragments it took, which are blanked."""
    end = next((r for r, row in enumerate(raw.texts) if any(t and is_amount(t) for t in row)), None)
    if end is None:
        return raw      # no amount row: where the header ends is unknown (text-only forms)
    texts = [list(row) for row in raw.texts]
    cells = [list(row) for row in raw.cells]
    changed = False
    for j in range(raw.ncols):
        frags = [r for r in range(end) if j < len(texts[r]) and texts[r][j] and clean_label(texts[r][j])
                 and cells[r][j] is not None]
        i = 0
        while i < len(frags):
            r0 = frags[i]
            base = clean_label(texts[r0][j])
            best = 0
            joined = base
            for k in range(1, 3):
                if i + k >= len(frags):
                    break
                add = clean_label(texts[frags[i + k]][j])
                c0, ck = cells[r0][j], cells[frags[i + k]][j]
                if abs(c0[0] - ck[0]) > 1 or abs(c0[2] - ck[2]) > 1:
                    break       # a cell under a wider one is a level of its own, not its wrap
                # a vocabulary fragment only completes a bare word ("公务用车" + "购置费")
                if cat.is_header_text(kind, add) and (k > 1 or cat.is_header_text(kind, base)
                                                      or not _CJK_ONLY.match(base)):
                    break
                joined += add
                if cat.is_header_text(kind, joined):
                    best = k
            if best:
                text = base + "".join(clean_label(texts[frags[i + k]][j]) for k in range(1, best + 1))
                last = frags[i + best]
                x0, top, x1, _ = cells[r0][j]
                cells[r0][j] = (x0, top, x1, cells[last][j][3])
                texts[r0][j] = text
                for k in range(1, best + 1):
                    texts[frags[i + k]][j] = ""
                changed = True
            i += best + 1
    if not changed:
        return raw
    return RawTable(bbox=raw.bbox, xs=raw.xs, row_bboxes=raw.row_bboxes, cells=cells, texts=texts, origin=raw.origin)
