"""Ruled tables on pages → canonical ``Table``s (kind, title, pages, rows with side/code/name/values).

Why this shape: a table is recognised by its title (the catalogue), its columns by their header text;
a ruled table at the top of a page with no title of its own continues the table before it (real
documents print no 续). Amounts stay in the printed unit here (``RawRow.values``); parse.py converts
them once the document's unit is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.document.numbers import AmountError, clean_label, digits_only, label_key, parse_amount
from pipeline.document.reader import PageContent, RawTable
from pipeline.model import Warning
from pipeline.tables.catalogue import Catalogue, Column, load_catalogue
from pipeline.tables.context import Context, read_context, read_note
from pipeline.document.numbers import is_amount
from pipeline.tables.header import column_paths, header_depth, is_header_row, is_numbering_row


#: Labels of total rows that may sit in a text column (procurement prints 合计 under 项目名称).
TOTAL_LABELS = frozenset({"合计", "总计", "小计"})


@dataclass
class RawRow:
    side: str | None
    code: str | None
    name: str
    values: dict[str, Decimal]          # in the printed unit
    page: int
    bbox: list[float]
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class TableDraft:
    """A table being assembled over one or more pages."""

    kind: str
    title: str
    subkind: str | None
    columns: list[Column | None]
    ncols: int
    unit: str | None
    year: int | None
    code: str | None
    name: str | None
    as_of: str | None
    pages: list[int]
    header_values: list[str] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    note: str | None = None
    last_page: int = 0
    carried: dict[str, str] = field(default_factory=dict)


@dataclass
class PageResult:
    drafts: list[TableDraft]
    warnings: list[Warning]


class Recogniser:
    """Feed pages in order (:meth:`add_page`); :attr:`drafts` holds the tables found so far."""

    def __init__(self, catalogue: Catalogue | None = None):
        self.cat = catalogue or load_catalogue()
        self.drafts: list[TableDraft] = []
        self.warnings: list[Warning] = []
        self._open: TableDraft | None = None       # the table that may continue on the next page

    def add_page(self, page: PageContent) -> None:
        outside = page.lines_outside_tables()
        outside = [ln for ln in outside if not _is_page_number(ln, page)]
        prev_bottom = 0.0
        for idx, raw in enumerate(page.tables):
            window = [ln for ln in outside if ln.top >= prev_bottom - 1 and ln.bottom <= raw.bbox[1] + 1]
            nxt_top = page.tables[idx + 1].bbox[1] if idx + 1 < len(page.tables) else page.height
            below = [ln for ln in outside if ln.top >= raw.bbox[3] - 1 and ln.bottom <= nxt_top + 1]
            ctx = read_context(window, self.cat)
            self._table(page, idx, raw, ctx, below)
            prev_bottom = raw.bbox[3]

    # ---- one ruled table --------------------------------------------------------------------
    def _table(self, page: PageContent, idx: int, raw: RawTable, ctx: Context, below) -> None:
        cat = self.cat
        prev = self._open
        if ctx.kind is None:
            raw, ctx = _title_inside(raw, ctx, cat)
        if ctx.kind is None:
            if (prev is not None and idx == 0 and ctx.only_meta and prev.last_page == page.number - 1
                    and prev.ncols == raw.ncols):
                depth = header_depth(raw, cat, prev.kind)
                self._rows(prev, page, raw, depth, continued=True)
                prev.pages.append(page.number)
                prev.last_page = page.number
                return
            self._open = None
            label = ctx.nearest_text or "(no title)"
            self.warnings.append(Warning("unparsed_table", f"a ruled table the catalogue does not recognise "
                                         f"(text above it: {label[:60]})", [page.number], [label[:60]]))
            return
        kind = ctx.kind
        depth = header_depth(raw, cat, kind)
        paths, values = column_paths(raw, depth, cat, kind)
        columns = [cat.column(kind, p) if p else None for p in paths]
        unit = ctx.unit
        if unit is None:
            unit = _unit_in_header(paths)
        subkind = cat.subkind(kind, ctx.title or "") if cat.kinds[kind].subkinds else None
        draft = TableDraft(kind=kind, title=ctx.title or "", subkind=subkind, columns=columns,
                           ncols=raw.ncols, unit=unit, year=ctx.year, code=ctx.code, name=ctx.name,
                           as_of=ctx.as_of, pages=[page.number], header_values=values,
                           last_page=page.number)
        self._rows(draft, page, raw, depth)
        if not draft.rows:
            draft.note = read_note(below)
        self.drafts.append(draft)
        self._open = draft

    def _rows(self, d: TableDraft, page: PageContent, raw: RawTable, depth: int,
              continued: bool = False) -> None:
        """Data rows of one page's part of a table (``continued``: a continuation page, where the
        first row reprints as empty the cells merged down from the previous page)."""
        spec = self.cat.kinds[d.kind]
        keep = spec.name_spaces == "keep"
        first = True
        for r in range(depth, len(raw.texts)):
            texts = raw.texts[r]
            if is_numbering_row(texts, self.cat):
                continue
            if not any(t and t.strip() for t in texts):
                continue
            bbox = _row_bbox(raw, r)
            carry_empty = continued and first
            first = False
            if spec.side_by_side:
                self._side_rows(d, page, raw, r, bbox)
                continue
            code_parts: list[str] = []
            name = ""
            values: dict[str, Decimal] = {}
            attrs: dict[str, str] = {}
            for j, col in enumerate(d.columns):
                if col is None or j >= len(texts):
                    continue
                t = texts[j]
                if col.role == "attr":
                    if (t is None or (carry_empty and not t.strip())) and col.attr in spec.carry_down:
                        v = d.carried.get(col.attr, "")
                    else:
                        v = clean_label(t, keep_spaces=col.attr not in spec.strip_attrs)
                        if col.attr in spec.carry_down:
                            d.carried[col.attr] = v
                    if v:
                        attrs[col.attr] = v
                elif col.role == "code":
                    c = digits_only(t)
                    if c:
                        code_parts.append(c)
                elif col.role == "name":
                    name = clean_label(t, keep_spaces=keep)
                elif col.role == "code_or_name":
                    c = digits_only(t)
                    if c:
                        code_parts.append(c)
                    else:
                        name = clean_label(t, keep_spaces=keep)
                elif col.role in ("seq", "skip"):
                    continue
                else:
                    v = self._amount(t, col.role, spec, page.number)
                    if v is not None:
                        values[col.role] = v
            if not name and not spec.text_only:
                total = next((k for k, v in attrs.items() if v in TOTAL_LABELS), None)
                if total:
                    name = attrs.pop(total)
            if spec.text_only:
                if d.header_values and "project" not in attrs:
                    attrs["project"] = d.header_values[0]
                if d.subkind:
                    attrs["subkind"] = d.subkind
                order = spec.name_from_duty if d.subkind == "duty" else spec.name_from
                name = next((attrs[k] for k in order if attrs.get(k)), name)
                if not values and not name:
                    continue
            elif not values:
                continue
            if d.as_of:
                attrs["as_of"] = d.as_of
            d.rows.append(RawRow(None, "".join(code_parts) or None, name, values, page.number,
                                 bbox, attrs))

    def _side_rows(self, d: TableDraft, page: PageContent, raw: RawTable, r: int, bbox) -> None:
        spec = self.cat.kinds[d.kind]
        texts = raw.texts[r]
        for side in ("revenue", "expenditure"):
            idx = [j for j, c in enumerate(d.columns) if c is not None and c.side == side]
            if not idx:
                continue
            name = ""
            values: dict[str, Decimal] = {}
            for j in idx:
                col = d.columns[j]
                t = texts[j] if j < len(texts) else None
                if col.role == "name":
                    name = clean_label(t)
                elif col.role not in ("seq", "skip", "code", "code_or_name", "attr"):
                    v = self._amount(t, col.role, spec, page.number)
                    if v is not None:
                        values[col.role] = v
            if values:
                x0 = raw.xs[min(idx)]
                x1 = raw.xs[max(idx) + 1]
                d.rows.append(RawRow(side, None, name, values, page.number, [x0, bbox[1], x1, bbox[3]]))

    def _amount(self, text: str | None, measure: str, spec, page: int) -> Decimal | None:
        if text is None:
            return None
        key = label_key(text)
        if not key:
            return None
        if measure in spec.dash_absent and key in ("-", "—", "–", "--", "——"):
            return None
        try:
            return parse_amount(text)
        except AmountError:
            self.warnings.append(Warning("ambiguous_number", f"cell under {measure} is not an amount: {text!r}",
                                         [page], [text]))
            return None


def _title_inside(raw: RawTable, ctx: Context, cat: Catalogue) -> tuple[RawTable, Context]:
    """Some exports rule the title and the department line into the table's first rows (Jiangsu):
    take them from there and drop those rows."""
    from pipeline.document.reader import TextLine

    for r in range(min(3, len(raw.texts))):
        cells = [t for t in raw.texts[r] if t and t.strip()]
        if len(set(cells)) != 1:
            continue
        parts = [p.strip() for p in cells[0].split("\n") if p.strip()]
        kind = cat.kind_of_title(parts[0]) if len(label_key(parts[0])) <= 40 else None
        if kind is None:
            continue
        k = r + 1
        lines = [TextLine(p, 0, 0, 0, 0) for p in parts]
        while k < len(raw.texts) and k <= r + 2:
            row = [t for t in raw.texts[k] if t and t.strip()]
            text = " ".join(row)
            if row and not is_header_row(raw.texts[k], cat, kind) and not any(is_amount(t) for t in row):
                lines.append(TextLine(text, 0, 0, 0, 0))
                k += 1
            else:
                break
        new_ctx = read_context(lines, cat)
        cut = RawTable(bbox=(raw.bbox[0], raw.row_bboxes[k][1] if k < len(raw.row_bboxes) else raw.bbox[3],
                             raw.bbox[2], raw.bbox[3]),
                       xs=raw.xs, row_bboxes=raw.row_bboxes[k:], cells=raw.cells[k:], texts=raw.texts[k:])
        return cut, new_ctx
    return raw, ctx


def _row_bbox(raw: RawTable, r: int) -> list[float]:
    """A row's own box: the table's width, from the row's top to the bottom of its lowest-reaching
    single-row cell (pdfplumber's row bbox grows with cells merged down over the next rows)."""
    top = raw.row_bboxes[r][1]
    bottoms = [c[3] for c in raw.cells[r] if c is not None]
    nxt = raw.row_bboxes[r + 1][1] if r + 1 < len(raw.row_bboxes) else None
    bottom = min(bottoms) if bottoms else raw.row_bboxes[r][3]
    if nxt is not None and nxt > top:
        bottom = min(bottom, nxt)
    return [raw.xs[0], top, raw.xs[-1], bottom]


def _unit_in_header(paths: list[list[str]]) -> str | None:
    from pipeline.tables.context import UNIT_RE

    for p in paths:
        for level in p:
            if m := UNIT_RE.search(level.replace(" ", "")):
                return m.group(1)
    return None


def _is_page_number(ln, page: PageContent) -> bool:
    return ln.text.strip().isdigit() and len(ln.text.strip()) <= 4 and ln.top > page.height - 70
