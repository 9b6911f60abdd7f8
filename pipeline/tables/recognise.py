"""Ruled tables on pages → canonical ``Table``s (kind, title, pages, rows with side/code/name/values).

Why this shape: a table is recognised by its title (the catalogue), its columns by their header text;
a ruled table at the top of a page with no title of its own continues the table before it (real
documents print no 续). Amounts stay in the printed unit here (``RawRow.values``); parse.py converts
them once the document's unit is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.document.numbers import (AmountError, clean_label, digits_only, label_key, parse_amount,
                                      to_halfwidth)
from pipeline.document.reader import PageContent, RawTable
from pipeline.model import MEASURES, ParseWarning
from pipeline.tables.catalogue import Catalogue, Column, load_catalogue
from pipeline.tables.context import NOTE_RE, Context, read_context, read_note
from pipeline.document.numbers import is_amount
from pipeline.tables.header import (column_paths, header_depth, is_header_row, is_numbering_row,
                                    join_split_words)
from pipeline.tables import ocr_wording
from pipeline.tables.unread import unread_columns
from pipeline.tables.wraps import covering_text, join_wrapped_labels

#: A label starting a new item (numbered "一、", "1.", "（一）"), never the rest of one cut by a page.
_NUMBERED_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[）)])")


#: A subject code printed in the label's own cell ("[212]城乡社区支出", "2010301 行政运行").
_CODE_IN_LABEL_RE = re.compile(r"^\s*[\[【(（]?(\d{3}|\d{5}|\d{7})[\]】)）]?\s*(?![\d.、,])(\S.*)$")

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
    origin: str | None = None                         # "ocr": read from a page image
    confidence: dict[str, float] = field(default_factory=dict)


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
    #: ``code`` has one or two digits printed unlabelled (context.short_dept): kept only if ``name``
    #: is the department's as other header lines print it (parse._settle_short_codes).
    code_short: bool = False
    header_values: list[str] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    note: str | None = None
    last_page: int = 0
    xs: list[float] = field(default_factory=list)
    carried: dict[str, str] = field(default_factory=dict)
    #: Side-by-side labels seen without amounts, by (side, group): (label, page, bottom of its cell).
    wraps: dict[tuple[str, int], tuple[str, int, float]] = field(default_factory=dict)
    #: The rows read off the last grid row of the last page part (a label may go on over the page).
    tail: list[RawRow] = field(default_factory=list)
    #: The last label read in each label column, by the column's left edge (a merged label cell
    #: cut by a page break is printed again on the next page).
    last_labels: dict[float, str] = field(default_factory=dict)
    #: True when some page part of it printed amounts (a table with amounts and no row read is unread).
    had_amounts: bool = False
    #: Grid columns of its first page whose header the catalogue cannot map: index → header as printed.
    unknown: dict[int, str] = field(default_factory=dict)


@dataclass
class PageResult:
    drafts: list[TableDraft]
    warnings: list[ParseWarning]


class Recogniser:
    """Feed pages in order (:meth:`add_page`); :attr:`drafts` holds the tables found so far."""

    def __init__(self, catalogue: Catalogue | None = None):
        self.cat = catalogue or load_catalogue()
        self.drafts: list[TableDraft] = []
        self.warnings: list[ParseWarning] = []
        self._open: TableDraft | None = None       # the table that may continue on the next page
        self._pending: list = []                   # title lines left at the foot of the last page
        #: Text lines outside tables seen on earlier pages (a running header repeats on each page).
        self._seen: dict[str, int] = {}
        #: Ruled tables not read: (page, text above it, whether it holds amounts).
        self.unread: list[tuple[int, str, bool]] = []
        #: Table titles printed outside any ruled table: (kind, page, title). A title whose kind no
        #: table was read for is a table present but unread (drawn without ruling, or as an image).
        self.titles: list[tuple[str, int, str]] = []

    def add_page(self, page: PageContent) -> None:
        outside = page.lines_outside_tables()
        outside = [ln for ln in outside if not _is_page_number(ln, page)]
        outside = self._drop_running(_join_cut_titles(outside), page.number)
        titled = [(k, ln.text.strip()) for ln in outside
                  if len(label_key(ln.text)) <= 40 and (k := self.cat.kind_of_title(ln.text))]
        if len(titled) < 3:         # three titles or more: a contents page
            self.titles += [(k, page.number, t) for k, t in titled]
        self._note_overleaf(page, outside)
        prev_bottom = 0.0
        pending, self._pending = self._pending, []
        tables = [part for raw in page.tables for part in _split_at_titles(raw, self.cat)]
        for idx, raw in enumerate(tables):
            window = [ln for ln in outside if ln.top >= prev_bottom - 1 and ln.bottom <= raw.bbox[1] + 1]
            nxt_top = tables[idx + 1].bbox[1] if idx + 1 < len(tables) else page.height
            below = [ln for ln in outside if ln.top >= raw.bbox[3] - 1 and ln.bottom <= nxt_top + 1]
            ctx = read_context(window, self.cat)
            if raw.origin == "ocr" and ctx.kind is None and window:
                ctx = read_context(ocr_wording.correct_titles(window, raw, self.cat), self.cat)
            if idx == 0 and ctx.kind is None and pending and _title_inside(raw, ctx, self.cat)[1].kind is None:
                ctx = read_context(pending + window, self.cat)
            self._table(page, idx, raw, ctx, below)
            prev_bottom = raw.bbox[3]
        # a title printed at the foot of a page, its table on the next (Jiangsu)
        # (only below a table: a contents page lists titles too)
        tail = [ln for ln in outside if ln.top >= prev_bottom - 1 and not NOTE_RE.match(to_halfwidth(ln.text))
                and "表" in ln.text] if page.tables else []
        if tail and read_context(tail[-2:], self.cat).kind is not None:
            self._pending = tail[-2:]

    def _note_overleaf(self, page: PageContent, outside: list) -> None:
        """The 注 of an empty table printed at a page's foot, pushed by the page break to the top of
        the next page: the first line there, before any table, is still that table's note."""
        prev = self._open
        if prev is None or prev.rows or prev.note is not None or prev.last_page != page.number - 1:
            return
        top = page.tables[0].bbox[1] if page.tables else page.height
        head = sorted((ln for ln in outside if ln.bottom <= top + 1), key=lambda ln: ln.top)
        if head and NOTE_RE.match(to_halfwidth(head[0].text)):
            prev.note = read_note(head)

    def _drop_running(self, lines: list, number: int) -> list:
        """Lines printed again from an earlier page that are neither a title nor a meta line (a
        running header such as "无锡市X局2026年度部门预算公开"): they say nothing of the table below
        them, and must not stop a continuation page from joining its table."""
        out = []
        for ln in lines:
            key = label_key(ln.text)
            first = self._seen.setdefault(key, number)
            if (first < number and len(key) >= 6 and self.cat.kind_of_title(ln.text) is None
                    and not _is_meta_line(ln.text)):
                continue
            out.append(ln)
        return out

    # ---- one ruled table --------------------------------------------------------------------
    def _table(self, page: PageContent, idx: int, raw: RawTable, ctx: Context, below) -> None:
        cat = self.cat
        prev = self._open
        if ctx.kind is None:
            raw, ctx = _title_inside(raw, ctx, cat)
        if ctx.kind is None:
            columns, depth = None, 0
            unknown: dict[int, str] = {}
            if prev is not None and idx == 0 and ctx.only_meta and prev.last_page == page.number - 1:
                if raw.origin == "ocr":
                    raw = ocr_wording.correct_header(raw, cat, prev.kind)
                depth = header_depth(raw, cat, prev.kind)
                own = self._own_columns(raw, depth, prev.kind) if depth else None
                if own is not None:
                    columns, unknown = own
                else:
                    columns = _continued_columns(prev, raw)
                    # the same grid: the first page's header names its columns
                    unknown = prev.unknown if columns is prev.columns else {}
            if columns is not None:
                if not prev.rows and not any(prev.columns):
                    # the first page printed only the title block; the header is on this page
                    prev.columns, prev.ncols, prev.xs = columns, raw.ncols, list(raw.xs)
                    prev.unknown = unknown
                self._say_unread(prev, raw, depth, columns, unknown, page.number)
                self._rows(prev, page, raw, depth, continued=True, columns=columns)
                prev.had_amounts |= _has_amounts(raw)
                prev.pages.append(page.number)
                prev.last_page = page.number
                return
            self._open = None
            label = ctx.nearest_text or "(no title)"
            amounts = _has_amounts(raw)
            self.unread.append((page.number, label[:60], amounts))
            if amounts:
                self.warnings.append(ParseWarning("unparsed_table", f"a ruled table with amounts the catalogue "
                                             f"does not recognise (text above it: {label[:60]})",
                                             [page.number], [label[:60]]))
            return
        kind = ctx.kind
        raw, ctx = _meta_inside(raw, ctx, cat)
        if ctx.code_short and raw.origin == "ocr":
            # read from a page image, one or two digits before the name may be a longer code with
            # digits lost ("404" read "04"): not taken as a code there
            ctx.code = ctx.name = None
            ctx.code_short = False
        if raw.origin == "ocr":
            raw = ocr_wording.correct_header(raw, cat, kind)
        raw = join_split_words(raw, cat, kind)
        depth = header_depth(raw, cat, kind)
        paths, values = column_paths(raw, depth, cat, kind)
        columns = [cat.column(kind, p) if p else None for p in paths]
        if (prev is not None and idx == 0 and prev.kind == kind and not cat.kinds[kind].text_only
                and prev.last_page == page.number - 1 and ctx.title
                and label_key(ctx.title) == label_key(prev.title)):
            self._repeated_title(prev, page, raw, depth, columns, _printed_headers(raw, depth, paths, columns))
            return
        if cat.kinds[kind].unlabelled_names:
            first_amount = next((j for j, c in enumerate(columns) if c is not None and c.role in MEASURES),
                                len(columns))
            if any(c is not None and c.role == "name" for c in columns[:first_amount]):
                columns = [Column("name") if c is None and j < first_amount else c
                           for j, c in enumerate(columns)]
        # before repeated groups are set apart (those are said as unread_columns)
        unknown = _printed_headers(raw, depth, paths, columns)
        if not cat.kinds[kind].side_by_side:
            columns = self._separate_groups(columns, paths, page.number, ctx.title or kind)
        unit = ctx.unit
        if unit is None:
            unit = _unit_in_header(paths)
        subkind = cat.subkind(kind, ctx.title or "") if cat.kinds[kind].subkinds else None
        draft = TableDraft(kind=kind, title=ctx.title or "", subkind=subkind, columns=columns,
                           ncols=raw.ncols, unit=unit, year=ctx.year, code=ctx.code, name=ctx.name,
                           code_short=ctx.code_short,
                           as_of=ctx.as_of, pages=[page.number], header_values=values,
                           last_page=page.number, xs=list(raw.xs), unknown=unknown)
        draft.had_amounts = _has_amounts(raw)
        self._say_unread(draft, raw, depth, columns, unknown, page.number)
        self._rows(draft, page, raw, depth)
        if not draft.rows:
            draft.note = read_note(below)
        self.drafts.append(draft)
        self._open = draft

    def _say_unread(self, d: TableDraft, raw: RawTable, depth: int, columns: list[Column | None],
                    unknown: dict[int, str], page: int) -> None:
        """A page part's columns printing amounts under a header the catalogue cannot map (财政拨款收入
        read 财政拨蒜收入 from an image; a wording no rule knows): their figures are not recorded, and
        the rest of the table may still add up. Said (``unread_column``: title, header as printed,
        amounts left out), so the table and the document are not complete (completeness.assess; a
        scanned table is doubtful, parse._judge_scanned). Text-only kinds (forms, indicator lists)
        hold no amount columns of their own."""
        spec = self.cat.kinds[d.kind]
        if not unknown or spec.text_only or spec.form_amount_groups:
            return
        ocr = raw.origin == "ocr"
        rows = [_aligned_texts(columns, raw, r) for r in range(depth, len(raw.texts))
                if not is_numbering_row(raw.texts[r], self.cat, ocr)]
        measures = [j for j, c in enumerate(columns)
                    if c is not None and c.role in MEASURES and c.role not in self.cat.non_money]
        for u in unread_columns(rows, unknown, measures):
            where = "a column read from a page image" if ocr else "a column"
            self.warnings.append(ParseWarning(
                "unread_column", f"{d.title}: {where} prints {u.figures} amount{'s' if u.figures != 1 else ''} under a header the catalogue "
                f"does not know ({u.header!r}); its figures are not recorded", [page],
                [d.title, u.header, str(u.figures)]))

    def _repeated_title(self, prev: TableDraft, page: PageContent, raw: RawTable, depth: int,
                        columns: list[Column | None], unknown: dict[int, str]) -> None:
        """A page printing the open table's title again: its continuation (a wide table printed over
        several pages, the title repeated on each). Rows with a label of their own are read under the
        page's own header; columns carried over with no label column cannot be tied to their rows
        and are reported unread, never read as nameless rows."""
        labelled = any(c is not None and c.role in ("name", "code", "code_or_name") for c in columns)
        if labelled and any(c is not None and c.role in MEASURES for c in columns):
            self._say_unread(prev, raw, depth, columns, unknown, page.number)
            self._rows(prev, page, raw, depth, continued=True, columns=columns)
            prev.had_amounts |= _has_amounts(raw)
        elif _has_amounts(raw):
            self.unread.append((page.number, f"{prev.title} (columns continued without row labels)", True))
        prev.pages.append(page.number)
        prev.last_page = page.number

    def _separate_groups(self, columns: list[Column | None], paths: list[list[str]], page: int,
                         title: str) -> list[Column | None]:
        """Repeated column groups (当年预算 beside 上年结转, a 2025 group beside a 2026 one) give
        several columns one measure; one would overwrite the other. The group of this year's
        budget keeps the measure (the latest year printed, never a 上年/结转 group; else the first);
        the others are left unread and said so, never merged."""
        by_measure: dict[tuple[str, str | None], list[int]] = {}
        for j, c in enumerate(columns):
            if c is not None and c.role in MEASURES:
                by_measure.setdefault((c.role, c.side), []).append(j)
        out = list(columns)
        for (role, _), js in by_measure.items():
            if len({"/".join(paths[j]) for j in js}) < 2:
                continue        # one header cell ruled over several grid columns: one column
            best = max(js, key=lambda j: (_group_rank(paths[j]), -j))
            dropped = [j for j in js if j != best]
            for j in dropped:
                out[j] = None
            self.warnings.append(ParseWarning(
                "unread_columns", f"{title}: {len(js)} columns read as {role}; kept "
                f"{'/'.join(paths[best])}, not read: {'; '.join('/'.join(paths[j]) for j in dropped)}",
                [page], ["/".join(paths[j]) for j in dropped]))
        return out

    def _own_columns(self, raw: RawTable, depth: int,
                     kind: str) -> tuple[list[Column | None], dict[int, str]] | None:
        """The columns a continuation page's own header names (a header repeated, or printed only
        there) with the headers of those it cannot map, or None when it names no measure."""
        paths, _ = column_paths(raw, depth, self.cat, kind)
        cols = [self.cat.column(kind, p) if p else None for p in paths]
        if not any(c is not None and c.role in MEASURES for c in cols):
            return None
        return cols, _printed_headers(raw, depth, paths, cols)

    def _rows(self, d: TableDraft, page: PageContent, raw: RawTable, depth: int,
              continued: bool = False, columns: list[Column | None] | None = None) -> None:
        """Data rows of one page's part of a table (``continued``: a continuation page, where the
        first row reprints as empty the cells merged down from the previous page; ``columns``: its
        columns when its grid differs from the first page's)."""
        spec = self.cat.kinds[d.kind]
        columns = d.columns if columns is None else columns
        if not spec.text_only and not spec.form_amount_groups:
            raw = join_wrapped_labels(raw, depth)
        pending: tuple[list[str], str] | None = None
        keep = spec.name_spaces == "keep"
        first = True
        nameless: RawRow | None = None     # the last row, when it had amounts but no label
        n_before = len(d.rows)
        last_r = None
        for r in range(depth, len(raw.texts)):
            texts = raw.texts[r]
            if is_numbering_row(texts, self.cat, raw.origin == "ocr"):
                continue
            if not any(t and t.strip() for t in texts):
                continue
            last_r = r
            bbox = _row_bbox(raw, r)
            carry_empty = continued and first
            first = False
            if spec.form_amount_groups and self._form_pairs(d, page, raw, r, bbox):
                continue
            if spec.side_by_side:
                if carry_empty and self._continue_labels(d, raw, r, columns):
                    continue
                self._side_rows(d, page, raw, r, bbox, columns)
                continue
            texts = _aligned_texts(columns, raw, r)
            if carry_empty:
                texts = self._drop_reprinted(d, raw, r, columns, texts)
            for j, col in enumerate(columns):
                if col is not None and col.role == "name" and j < len(texts) and (texts[j] or "").strip():
                    d.last_labels[round(raw.xs[j], 1)] = clean_label(texts[j])
            code_parts: list[str] = []
            name = ""
            values: dict[str, Decimal] = {}
            attrs: dict[str, str] = {}
            for j, col in enumerate(columns):
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
                    elif t and t.strip() and not name:
                        name = clean_label(t, keep_spaces=keep)   # 合计 printed across the 类/款/项 cells
                elif col.role == "name":
                    # several label columns: the first filled (Jiangsu procurement) or the last
                    if t and t.strip() and (not name or spec.name_pick == "last"):
                        name = clean_label(t, keep_spaces=keep)
                elif col.role == "code_or_name":
                    c = digits_only(t)
                    if c:
                        code_parts.append(c)
                    elif t and t.strip() and not name:
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
                if (name or code_parts) and not attrs:
                    if nameless is not None:
                        # its amounts were on the grid row above (Jiangsu: "21,940.96" over "合计")
                        nameless.name, nameless.code = name, "".join(code_parts) or None
                        nameless = None
                        continue
                    pending = (code_parts, name)      # its amounts may be on the next grid row
                continue
            if not name and not code_parts and pending is not None and not attrs:
                code_parts, name = pending
            if not name and not code_parts:
                # a label cell merged down over this row from the one above (one 采购物品名称
                # for two lines)
                name = next((clean_label(t, keep_spaces=keep) for j, col in enumerate(columns)
                             if col is not None and col.role == "name"
                             and (t := covering_text(raw, r, j)) and t.strip()), "")
            pending = None
            if d.as_of:
                attrs["as_of"] = d.as_of
            if not code_parts and (m := _CODE_IN_LABEL_RE.match(name)):
                code_parts, name = [m.group(1)], m.group(2)     # "[212]城乡社区支出"
            d.rows.append(RawRow(None, "".join(code_parts) or None, name, values, page.number,
                                 bbox, attrs))
            nameless = d.rows[-1] if not name and not code_parts and not attrs else None
        top = raw.row_bboxes[last_r][1] - 0.5 if last_r is not None else None
        d.tail = [row for row in d.rows[n_before:] if top is not None and row.bbox[1] >= top]

    def _continue_labels(self, d: TableDraft, raw: RawTable, r: int,
                         columns: list[Column | None]) -> bool:
        """The first grid row of a continuation page holding only label text, none of it numbered:
        the rest of labels cut by the page break ("八、社会保障和就" / "业支出"). Each fragment is
        appended to the row of its side that the last grid row of the page before gave, under the
        same columns. True when the grid row was consumed so."""
        texts = _aligned_texts(columns, raw, r)
        frags = [(j, t) for j, t in enumerate(texts) if t and t.strip()]
        if not frags or not d.tail or any(is_amount(t) for _, t in frags):
            return False
        joins = []
        for j, t in frags:
            col = columns[j] if j < len(columns) else None
            if col is None or col.role != "name" or _NUMBERED_RE.match(t):
                return False
            cell = raw.cells[r][j] if j < len(raw.cells[r]) else None
            x0, x1 = (cell[0], cell[2]) if cell is not None else (raw.xs[j], raw.xs[j + 1])
            row = next((row for row in d.tail if row.side == col.side
                        and min(x1, row.bbox[2]) - max(x0, row.bbox[0]) > (x1 - x0) / 2), None)
            if row is None:
                return False
            joins.append((row, clean_label(t)))
        for row, frag in joins:
            row.name += frag
        return True

    def _drop_reprinted(self, d: TableDraft, raw: RawTable, r: int, columns: list[Column | None],
                        texts: list[str | None]) -> list[str | None]:
        """The first grid row of a continuation page with label cells merged down that repeat the
        last label of their column on the page before: a merged cell cut by the page break and
        printed again (Jiangsu 政府采购预算表). They do not name the row when another label does."""
        names = [j for j, col in enumerate(columns) if col is not None and col.role == "name"
                 and j < len(texts) and (texts[j] or "").strip()]
        nxt = raw.row_bboxes[r + 1][1] if r + 1 < len(raw.row_bboxes) else None

        def reprinted(j: int) -> bool:
            cell = raw.cells[r][j] if j < len(raw.cells[r]) else None
            last = next((v for x, v in d.last_labels.items() if abs(x - raw.xs[j]) <= 4), None)
            return (cell is not None and nxt is not None and cell[3] > nxt + 1
                    and last == clean_label(texts[j]))

        again = [j for j in names if reprinted(j)]
        if not again or len(again) == len(names):
            return texts
        out = list(texts)
        for j in again:
            out[j] = None
        return out

    def _form_pairs(self, d: TableDraft, page: PageContent, raw: RawTable, r: int, bbox) -> bool:
        """A form row under an amount group (first-column cell, merged down): each amount cell with
        the text cell before it is a row. False when the row is not in such a group."""
        texts = raw.texts[r]
        head = texts[0] if texts else None
        if head is not None:
            d.carried["__form_group"] = clean_label(head)
        group = d.carried.get("__form_group", "")
        spec = self.cat.kinds[d.kind]
        if not any(p.search(group) for p in spec.form_amount_groups):
            return False
        label, label_j = "", 0
        for j, t in enumerate(texts[1:], start=1):
            if t is None or not t.strip():
                continue
            if is_amount(t):
                v = self._amount(t, "amount", spec, page.number)
                if v is not None and label:
                    x0, x1 = raw.xs[label_j], raw.xs[min(j + 1, len(raw.xs) - 1)]
                    d.rows.append(RawRow(None, None, label, {"amount": v}, page.number,
                                         [x0, bbox[1], x1, bbox[3]], {"group": group}))
                label = ""
            else:
                label, label_j = clean_label(t), j
        return True

    def _side_rows(self, d: TableDraft, page: PageContent, raw: RawTable, r: int, bbox,
                   columns: list[Column | None]) -> None:
        """Each label/amount group of a side-by-side row is its own row. A side may hold several
        groups, each starting at a name column (Jiangsu: 功能分类 名称|金额 and 支出用途 名称|金额); a
        group with amounts but no label takes the label of the group before it that has no amounts
        (a total's label cell merged across the side)."""
        spec = self.cat.kinds[d.kind]
        texts = _aligned_texts(columns, raw, r)
        for side in ("revenue", "expenditure"):
            idx = [j for j, c in enumerate(columns) if c is not None and c.side == side]
            if not idx:
                continue
            groups: list[list[int]] = []
            for j in idx:
                if not groups or (columns[j].role == "name"
                                  and any(columns[k].role != "name" for k in groups[-1])):
                    groups.append([])
                groups[-1].append(j)
            pending = ""
            for gi, g in enumerate(groups):
                name = ""
                name_bottom = bbox[3]
                values: dict[str, Decimal] = {}
                for j in g:
                    col = columns[j]
                    t = texts[j] if j < len(texts) else None
                    if col.role == "name":
                        if t and t.strip() and not name:
                            name = clean_label(t)
                            cell = raw.cells[r][j] if j < len(raw.cells[r]) else None
                            name_bottom = cell[3] if cell is not None else bbox[3]
                    elif col.role not in ("seq", "skip", "code", "code_or_name", "attr"):
                        v = self._amount(t, col.role, spec, page.number)
                        if v is not None:
                            values[col.role] = v
                if not values:
                    pending = name or pending
                    if name:
                        d.wraps[(side, gi)] = (name, page.number, name_bottom)
                    continue
                wrapped, w_page, w_bottom = d.wraps.pop((side, gi), ("", 0, 0.0))
                if not name:
                    # this group's own label cell, from a grid row above, still spans this row
                    covers = wrapped and w_page == page.number and w_bottom > bbox[1] + 1
                    name, pending = (wrapped if covers else (pending or wrapped)), ""
                elif wrapped and len(name) <= 2 and not re.match(r"^[一二三四五六七八九十\d]", name):
                    name = wrapped + name       # a label wrapped onto the amount's grid row ("…经" + "费")
                x0 = raw.xs[min(g)]
                x1 = raw.xs[max(g) + 1]
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
            self.warnings.append(ParseWarning("ambiguous_number", f"cell under {measure} is not an amount: {text!r}",
                                         [page], [text]))
            return None


def _split_at_titles(raw: RawTable, cat: Catalogue) -> list[RawTable]:
    """One ruled grid holding the end of one table and the start of the next (Jiangsu 2017: a
    table's last rows, then "收入预算总表" in a full-width row): split before each such title row."""
    cuts = []
    seen_amount = False
    for r in range(1, len(raw.texts)):
        seen_amount |= any(t and is_amount(t) for t in raw.texts[r - 1])
        if not seen_amount:
            continue        # a header word, not a next table's title ("“三公”经费" over its columns)
        cells = [t for t in raw.texts[r] if t and t.strip()]
        if len(set(cells)) != 1 or is_amount(cells[0]):
            continue
        first = cells[0].split("\n")[0].strip()
        if len(label_key(first)) <= 40 and cat.kind_of_title(first) is not None:
            cuts.append(r)
    if not cuts:
        return [raw]
    parts, start = [], 0
    for c in cuts + [len(raw.texts)]:
        if c > start:
            top = raw.row_bboxes[start][1] if start else raw.bbox[1]
            bottom = raw.row_bboxes[c][1] if c < len(raw.row_bboxes) else raw.bbox[3]
            # a part's own right edge: the next table on the page may be ruled wider
            right = max((cell[2] for row in raw.cells[start:c] for cell in row if cell is not None),
                        default=raw.xs[-1])
            xs = raw.xs[:-1] + [right] if raw.xs[-2] < right < raw.xs[-1] else raw.xs
            parts.append(RawTable(bbox=(raw.bbox[0], top, xs[-1], bottom), xs=xs,
                                  row_bboxes=raw.row_bboxes[start:c], cells=raw.cells[start:c],
                                  texts=raw.texts[start:c], origin=raw.origin))
        start = c
    return parts


def _title_inside(raw: RawTable, ctx: Context, cat: Catalogue) -> tuple[RawTable, Context]:
    """Some exports rule the title and the department line into the table's first rows (Jiangsu):
    take them from there and drop those rows."""
    from pipeline.document.reader import TextLine

    for r in range(min(3, len(raw.texts))):
        cells = [t for t in raw.texts[r] if t and t.strip()]
        if len(set(cells)) != 1:
            continue
        parts = [p.strip() for p in cells[0].split("\n") if p.strip()]
        # the title may follow a table number on its own line ("公开06表\n财政拨款基本支出预算表")
        at = next((i for i, p in enumerate(parts[:3])
                   if len(label_key(p)) <= 40 and cat.kind_of_title(p) is not None), None)
        if at is None:
            continue
        parts = parts[at:]
        kind = cat.kind_of_title(parts[0])
        k = r + 1
        lines = [TextLine(p, 0, 0, 0, 0) for p in parts]
        while k < len(raw.texts) and k <= r + 4:
            row = [t for t in raw.texts[k] if t and t.strip()]
            text = " ".join(row)
            if not row:
                k += 1          # a blank ruled row between the title and the department line
                continue
            if not is_header_row(raw.texts[k], cat, kind) and not any(is_amount(t) for t in row):
                lines.append(TextLine(text, 0, 0, 0, 0))
                k += 1
            else:
                break
        new_ctx = read_context(lines, cat)
        cut = RawTable(bbox=(raw.bbox[0], raw.row_bboxes[k][1] if k < len(raw.row_bboxes) else raw.bbox[3],
                             raw.bbox[2], raw.bbox[3]),
                       xs=raw.xs, row_bboxes=raw.row_bboxes[k:], cells=raw.cells[k:], texts=raw.texts[k:], origin=raw.origin)
        return cut, new_ctx
    return raw, ctx


def _continued_columns(prev: TableDraft, raw: RawTable) -> list[Column | None] | None:
    """The columns of a title-less table continuing ``prev``, or None when it does not continue it.

    Same grid: ``prev``'s columns. Otherwise the table must lie within ``prev``'s width and each of
    its grid columns takes the role of a ``prev`` column with a role: the one whose left edge it
    shares, else the one it overlaps most (Jiangsu continuation pages drop an empty leading column,
    print 3 wide columns under 9 narrow ones, or cut a sliver column off a wide one). Each ``prev``
    amount column is found again once, in the grid column that matches it best (shared edge, then
    overlap); at least one must be found."""
    if prev.ncols == raw.ncols:
        return prev.columns
    if not prev.xs or abs(prev.xs[-1] - raw.xs[-1]) > 4 or raw.xs[0] < prev.xs[0] - 4:
        return None
    picks: list[tuple[int | None, tuple[int, float]]] = []
    for c in range(raw.ncols):
        a, b = raw.xs[c], raw.xs[c + 1]
        best, score = None, (0, 0.0)
        for k in range(prev.ncols):
            if prev.columns[k] is None:
                continue
            ov = min(b, prev.xs[k + 1]) - max(a, prev.xs[k])
            s = (1 if abs(a - prev.xs[k]) <= 4 and ov > 0 else 0, ov)
            if ov > 0 and s > score:
                best, score = k, s
        picks.append((best, score))
    out: list[Column | None] = []
    for c, (k, score) in enumerate(picks):
        col = prev.columns[k] if k is not None else None
        if col is not None and col.role in MEASURES and any(
                k2 == k and (s2 > score or (s2 == score and c2 < c))
                for c2, (k2, s2) in enumerate(picks) if c2 != c):
            col = None                      # one grid column per amount column: the best match
        out.append(col)
    if not any(c is not None and c.role in MEASURES for c in out):
        return None
    return out


#: A grid column narrower than this (pt) holds no amount of its own, only the end of a cut one.
_SLIVER = 15.0
_CUT_DECIMAL_RE = re.compile(r"^-?[\d,]*\d\.\d$")


def _aligned_texts(columns: list[Column | None], raw: RawTable, r: int) -> list[str | None]:
    """Row ``r``'s texts by column, a cell's text moved to the column with a header role that it
    spans when its own first column has none (Jiangsu exports rule a value cell across the grid
    columns of two header cells: the 金额 header starts one grid column right of the amount)."""
    texts = list(raw.texts[r])
    ncols = min(len(columns), len(texts))
    for j in range(ncols - 1):
        # a decimal cut by a ruling line into a sliver grid column ("267.8" | "0")
        a, b = (texts[j] or "").strip(), (texts[j + 1] or "").strip()
        cell = raw.cells[r][j + 1] if j + 1 < len(raw.cells[r]) else None
        if (_CUT_DECIMAL_RE.match(a) and re.fullmatch(r"\d", b) and cell is not None
                and cell[2] - cell[0] < _SLIVER):
            texts[j], texts[j + 1] = a + b, None
    for j in range(ncols):
        t = texts[j]
        if columns[j] is not None or t is None or not t.strip():
            continue
        cell = raw.cells[r][j] if j < len(raw.cells[r]) else None
        if cell is None:
            continue
        x0, _, x1, _ = cell
        span = [c for c in range(j + 1, ncols) if raw.xs[c] >= x0 - 1 and raw.xs[c] < x1 - 1]
        target = next((c for c in span if columns[c] is not None), None)
        if target is not None and not (texts[target] or "").strip():
            texts[target], texts[j] = t, None
    return texts


_META_ROW_RE = re.compile(r"^\s*(?:部门|单位|编制单位|编制部门|预算单位)(?:名称)?\s*[:：]")


def _meta_inside(raw: RawTable, ctx: Context, cat: Catalogue) -> tuple[RawTable, Context]:
    """Leading ruled rows that are blank or hold the department / unit line (Jiangsu: "部门： 江苏省
    人民检察院 … 单位：万元" inside the grid): dropped from the table, read into the context."""
    from pipeline.document.reader import TextLine
    from pipeline.tables.context import UNIT_RE

    k, lines = 0, []
    while k < len(raw.texts):
        row = [t for t in raw.texts[k] if t and t.strip()]
        if not row:
            k += 1
            continue
        text = " ".join(t.strip() for t in row)
        if not any(is_amount(t) for t in row) and (
                _META_ROW_RE.match(text) or (UNIT_RE.search(to_halfwidth(text).replace(" ", ""))
                                             and not is_header_row(raw.texts[k], cat, None))):
            lines.append(TextLine(text, 0, 0, 0, 0))
            k += 1
            continue
        break
    if not lines:
        return raw, ctx
    meta = read_context(lines, cat)
    if meta.name is not None and (ctx.name is None or (ctx.code_short and not meta.code_short)):
        ctx.code, ctx.name, ctx.code_short = meta.code, meta.name, meta.code_short
    for attr in ("code", "year", "unit", "as_of"):
        if getattr(ctx, attr) is None:
            setattr(ctx, attr, getattr(meta, attr))
    top = raw.row_bboxes[k][1] if k < len(raw.row_bboxes) else raw.bbox[3]
    cut = RawTable(bbox=(raw.bbox[0], top, raw.bbox[2], raw.bbox[3]), xs=raw.xs,
                   row_bboxes=raw.row_bboxes[k:], cells=raw.cells[k:], texts=raw.texts[k:], origin=raw.origin)
    return cut, ctx


def _printed_headers(raw: RawTable, depth: int, paths: list[list[str]],
                     columns: list[Column | None]) -> dict[int, str]:
    """Each column with no role: its header as printed (path levels joined by "/"; "(blank)")."""
    out = {}
    for j, col in enumerate(columns):
        if col is not None:
            continue
        path = paths[j] if j < len(paths) else []
        out[j] = "/".join(x for x in path if x) or "/".join(
            t.strip() for row in raw.texts[:depth] if j < len(row) and (t := row[j]) and t.strip()) or "(blank)"
    return out


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


_YEAR_IN_PATH = re.compile(r"((?:19|20)\d{2})年")
_PRIOR_GROUP = re.compile(r"上年|结转|结余|年初|执行数|决算")


def _group_rank(path: list[str]) -> tuple[int, int]:
    """How much a column's header path looks like this year's budget: not a prior-year or carry-over
    group first, then the latest year it prints."""
    text = "/".join(path)
    years = [int(y) for y in _YEAR_IN_PATH.findall(to_halfwidth(text))]
    return (0 if _PRIOR_GROUP.search(text) else 1, max(years) if years else 0)


def _has_amounts(raw: RawTable) -> bool:
    """True when a ruled table prints at least one amount with decimals or a thousands separator
    (a list of names or a form with counts is not a budget table)."""
    return any(t and is_amount(t) and re.search(r"[.,]\d", t) for row in raw.texts for t in row)


def _is_meta_line(text: str) -> bool:
    from pipeline.tables.context import AS_OF_RE, UNIT_RE, YEAR_RE, parse_dept

    t = to_halfwidth(text)
    return bool(YEAR_RE.search(t) or UNIT_RE.search(t) or AS_OF_RE.search(t) or parse_dept(text))


def _join_cut_titles(lines: list) -> list:
    """A title wrapped at the page's width, its last characters alone on the next line
    ("…项目绩效目" / "标表"): the two lines are one title."""
    from pipeline.document.reader import TextLine

    out: list = []
    for ln in lines:
        key = label_key(ln.text)
        if (out and len(key) <= 3 and key.endswith("表")
                and 0 <= ln.top - out[-1].bottom < max(12.0, out[-1].bottom - out[-1].top)
                and not label_key(out[-1].text).endswith("表")):
            prev = out.pop()
            ln = TextLine(prev.text.rstrip() + ln.text.strip(), min(prev.x0, ln.x0), max(prev.x1, ln.x1),
                          prev.top, ln.bottom)
        out.append(ln)
    return out
