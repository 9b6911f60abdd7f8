"""The printable document model: what the renderer draws and what the truth records.

Why a separate model: the district generator and the seed both describe a document as blocks (ruled
tables, prose paragraphs, headings). The renderer lays them out and reports where each truth row and
each claim landed, so the truth's page/bbox are the renderer's own coordinates, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class TruthRow:
    """One truth row (CONTRACT.md row) emitted by a printed line; amounts in 万元."""

    side: str | None
    code: str | None
    name: str
    values: dict[str, Decimal]
    attrs: dict[str, str] = field(default_factory=dict)
    #: The printed columns this row occupies (inclusive), for its bbox; None = the whole line.
    cols: tuple[int, int] | None = None


@dataclass
class HeadCell:
    """A header cell at grid position (row, col) spanning rowspan × colspan."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Line:
    """One printed body line: a text per column ('' = empty cell) and the truth rows it carries.

    ``merged_above`` lists the columns whose cell continues the cell of the line above (a vertically
    merged cell, as in the 一级指标 column of a performance table): no rule is drawn between them.
    """

    cells: list[str]
    truth: list[TruthRow] = field(default_factory=list)
    merged_above: frozenset[int] = frozenset()
    #: Start a new page before this line (to reproduce a real document's page breaks).
    page_break_before: bool = False


@dataclass
class TableBlock:
    kind: str | None            # None: a ruled table that is not one of TABLE_KINDS (not in the truth)
    title: str
    dept_line: str              # "125 承德…" or "[125]承德…"
    meta: list[str]             # ["预算年度：2023", "金额单位：万元"]
    widths: list[float]         # column widths in points
    header: list[HeadCell]
    header_rows: int
    lines: list[Line]
    align: list[str]            # per column: "l", "c" or "r"
    note: str | None = None
    landscape: bool = False
    repeat_header: bool = True
    department_code: str | None = None
    department_name: str | None = None
    new_page: bool = True
    font_size: float = 9.0
    min_row_height: float = 18.0
    #: Header meta printed on one line with the department (financial summary style) or stacked.
    meta_inline: bool = False
    title_size: float = 16.0
    #: Print the department line and meta again at the top of continuation pages (procurement).
    repeat_meta: bool = False
    #: Print the title again at the top of continuation pages (variants; the seed never does).
    repeat_title: bool = False


@dataclass
class ClaimSpec:
    metric: str
    amount: Decimal             # 万元
    quote: str                  # a substring of the paragraph text


@dataclass
class Paragraph:
    text: str
    claims: list[ClaimSpec] = field(default_factory=list)
    size: float = 10.5
    heading: bool = False
    center: bool = False
    indent: bool = True
    new_page: bool = False


@dataclass
class DocSpec:
    """A whole disclosure: department, year, unit and the blocks in printing order."""

    department_code: str
    department_name: str
    year: int
    unit: str                   # "万元" or "元"
    blocks: list[TableBlock | Paragraph]
    faults: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
