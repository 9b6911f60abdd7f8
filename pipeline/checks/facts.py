"""A document's facts as the checks need them, read from the warehouse in a few set-wise queries.

The checks read the warehouse (never parse results), so they check what analysts query. One query per
warehouse table for all selected documents keeps 1,000 department-years fast.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal

import duckdb

from pipeline.load.disclosures import disclosures_by_year, previous_disclosure, year_key
from pipeline.tables.catalogue import load_catalogue

_NUMBERING = re.compile(r"^\s*([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[、.．](?!\d))")
_SPACES = re.compile(r"\s+")
#: Labels of a column-number row (甲 1 乙 2, 栏次 1 2 3): the columns' numbers, never an item of the table.
_COLUMN_NUMBERS = re.compile(r"^(栏次|行次|[甲乙丙丁戊己])$")


def normalise_name(name: str | None) -> str:
    """A label without numbering, spaces or full-width parentheses: what two tables' labels share."""
    if not name:
        return ""
    s = _SPACES.sub("", name).replace("（", "(").replace("）", ")").replace("：", ":")
    s = _NUMBERING.sub("", s)
    return s


def is_column_number(key: str) -> bool:
    """A column-number row's label (甲 1 乙 2, 栏次 1 2 3): it numbers the columns, never an item."""
    return bool(_COLUMN_NUMBERS.match(key or ""))


def numbering_of(name: str | None, numbering: str | None) -> str | None:
    """The printed numbering ('一、'), from the loader's column or the label itself."""
    if numbering:
        return numbering
    m = _NUMBERING.match(_SPACES.sub("", name or ""))
    return m.group(1) if m else None


def is_chinese_numbered(numbering: str | None) -> bool:
    return bool(numbering) and numbering[0] in "一二三四五六七八九十百"


_LEVELS = (
    (re.compile(r"^[一二三四五六七八九十百]+[、.．]"), 0),            # 一、
    (re.compile(r"^[（(][一二三四五六七八九十]+[)）]"), 1),          # （一）
    (re.compile(r"^\d+[、.．](?!\d)"), 2),                            # 1、 1.
    (re.compile(r"^[（(]\d+[)）]"), 3),                               # （1）
    (re.compile(r"^其中[:：]?"), 4),                                    # 其中：
)


def numbering_level(name: str | None, numbering: str | None = None) -> int | None:
    """The depth a row's printed numbering gives it (一、 0, （一） 1, 1、 2, （1） 3, 其中 4), None when the
    row prints no numbering. A sum over a table's rows takes one level only: never a row and its sub-rows."""
    text = _SPACES.sub("", (numbering or "") + (name or "") if numbering and not (name or "").startswith(numbering)
                        else (name or ""))
    for pattern, level in _LEVELS:
        if pattern.match(text):
            return level
    return None


@dataclass
class Line:
    """One printed table row with all its measures."""

    row_index: int
    side: str | None
    code: str | None
    name: str
    numbering: str | None
    page: int
    values: dict[str, Decimal] = field(default_factory=dict)
    x0: float | None = None     # left edge of the row's cells: which column of a two-sided table

    @cached_property
    def key(self) -> str:
        return normalise_name(self.name)

    def get(self, measure: str | None) -> Decimal | None:
        if measure is None:
            return next(iter(self.values.values()), None) if len(self.values) == 1 else (
                self.values.get("amount", self.values.get("total", self.values.get("budget"))))
        return self.values.get(measure)

    def label(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass
class TableFacts:
    kind: str
    title: str | None
    index: int
    lines: list[Line] = field(default_factory=list)

    @property
    def classification(self) -> str:
        """The subject classification of the kind's codes (functional | economic | none): the template
        model's, which the warehouse holds as table_kinds for the views."""
        return load_catalogue().classification_of(self.kind)

    def total_line(self) -> Line | None:
        """The 合计/总计 row: an uncoded row labelled as a total; or the only row of a one-row table
        printed without a label (Putuo's 三公 table: one row of amounts under the item columns)."""
        for ln in self.lines:
            if not ln.code and re.fullmatch(r"(合计|总计|总合计|支出合计|收入合计|本年收入合计)", ln.key):
                return ln
        if len(self.lines) == 1 and not self.lines[0].code and not self.lines[0].key:
            return self.lines[0]
        return None

    def by_code(self, code: str) -> Line | None:
        return next((ln for ln in self.lines if ln.code == code), None)

    def by_name(self, key: str) -> Line | None:
        return next((ln for ln in self.lines if ln.key == key), None)


@dataclass
class ProcurementLine:
    row_index: int
    project: str | None
    item: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal | None
    budget: Decimal | None
    is_total: bool
    page: int


@dataclass
class AssetLine:
    row_index: int
    item: str | None
    amount: Decimal | None
    as_of: str | None
    page: int
    numbering: str | None = None


@dataclass
class ClaimFact:
    index: int
    metric: str
    amount: Decimal
    page: int
    quote: str | None
    document_id: str | None = None   # the companion file it is printed in; None: this document

    @property
    def scoped(self) -> bool:
        """The sentence scopes the figure to a subject (“农林水支出”科目 … 人员经费 18 万元): it is a part of
        that subject, not the document's figure of its name, and restates no document-level cell."""
        from pipeline.narrative.claims import subject_scoped
        return self.metric not in ("item_amount", "item_prior_actual", "item_budget", "item_change_pct") \
            and subject_scoped(self.quote)


@dataclass
class FigureFact:
    """Any amount the prose prints (prose_figures), to be resolved to the cell it restates."""

    index: int
    label: str
    amount: Decimal
    unit: str
    page: int
    sentence: str


@dataclass
class DocWarning:
    kind: str
    message: str | None
    pages: list[int]
    values: list[str]


@dataclass
class PrintedTable:
    """A table as printed (from document_tables): also the empty ones, with their header's department."""

    index: int
    kind: str
    title: str | None
    pages: list[int]
    empty: bool
    note: str | None
    department_code: str | None
    department_name: str | None
    status: str | None = None   # the parse's completeness: found | printed-empty | absent | unread | partial | doubtful


@dataclass
class DutyBudget:
    """A row of a performance-targets table with a budget amount (部门职责-工作活动 年度预算数)."""

    table_index: int
    row_index: int
    subkind: str | None
    name: str | None
    numbering: str | None
    budget: Decimal
    page: int


def _ocr_pages(con: duckdb.DuckDBPyConnection, docs: dict[str, "DocFacts"]) -> None:
    """Each document's pages read by OCR, from the parse's completeness account (when it has one)."""
    import json

    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'documents'").fetchall()}
    if "completeness_detail" not in cols:
        return
    for doc, detail in con.execute("SELECT document_id, completeness_detail FROM documents "
                                   "WHERE completeness_detail LIKE '%\"ocr\"%'").fetchall():
        if doc in docs:
            try:
                pages = (json.loads(detail).get("ocr") or {}).get("pages") or []
            except (ValueError, AttributeError):
                continue
            docs[doc].ocr_pages = frozenset(int(p["page"]) for p in pages)


@dataclass
class DocFacts:
    document_id: str
    department_code: str | None
    department_name: str | None
    year: int | None
    unit: str | None
    status: str
    sha256: str | None = None
    source: str | None = None
    error_kind: str | None = None
    tables: list[TableFacts] = field(default_factory=list)
    claims: list[ClaimFact] = field(default_factory=list)
    procurement: list[ProcurementLine] = field(default_factory=list)
    assets: list[AssetLine] = field(default_factory=list)
    warnings: list[DocWarning] = field(default_factory=list)
    printed: list[PrintedTable] = field(default_factory=list)
    duty_budgets: list[DutyBudget] = field(default_factory=list)
    budget_kind: str | None = None        # of the disclosure: 'department' | 'unit' | None
    department_key: str | None = None     # code, else name: the same department in other years
    part_of: str | None = None            # a companion file: the document its facts were joined to
    companions: list[str] = field(default_factory=list)   # file names joined into this one
    pages: int | None = None               # the document's page count
    figures: list[FigureFact] = field(default_factory=list)   # every amount of the prose (schema 7)
    #: last year's disclosure as the loader stored it (disclosures.previous_disclosure_id, schema 15);
    #: ``previous_known`` False: the warehouse does not say (no disclosures row, or an older schema)
    previous_disclosure_id: str | None = None
    previous_known: bool = False
    #: Pages read by OCR (no text layer): their prose figures cannot be verified by arithmetic (schema 018)
    ocr_pages: frozenset[int] = frozenset()

    @property
    def department(self) -> str | None:
        """How check results name the department: its printed code, else its key (the name)."""
        return self.department_code or self.department_key or self.department_name

    @property
    def year_key(self) -> tuple[str, str, int] | None:
        """(department, budget kind, year): a 单位预算's previous year is the unit's, not its department's."""
        return year_key(self.department_key or self.department_code, self.budget_kind, self.year)

    def printed_of(self, kind: str) -> list[PrintedTable]:
        return [t for t in self.printed if t.kind == kind]

    def tables_of(self, kind: str) -> list[TableFacts]:
        return [t for t in self.tables if t.kind == kind]

    def table(self, kind: str) -> TableFacts | None:
        """The first table of a kind (a kind printed over several pages is one table)."""
        ts = self.tables_of(kind)
        return ts[0] if ts else None

    def claims_of(self, metric: str) -> list[ClaimFact]:
        """The claims of a metric that state the document's figure (not one scoped to a subject)."""
        return [c for c in self.claims if c.metric == metric and not c.scoped]

    def first_claim(self, metric: str) -> ClaimFact | None:
        cs = self.claims_of(metric)
        return cs[0] if cs else None


def _ids_clause(document_ids: list[str] | None) -> tuple[str, list]:
    if document_ids is None:
        return "", []
    return " WHERE document_id IN (SELECT UNNEST(?::VARCHAR[]))", [list(document_ids)]


def load_facts(con: duckdb.DuckDBPyConnection, document_ids: list[str] | None = None) -> dict[str, DocFacts]:
    """All facts of the given documents (all documents when None), keyed by document_id.

    The companion files of a disclosure (pipeline/load/disclosures.py) are loaded with it, and their
    claims and warnings joined to the tables file's facts, which the checks then see as one document.
    """
    cols = _columns(con)
    has_disclosures = "disclosures" in cols
    if document_ids is not None and has_disclosures:
        document_ids = [r[0] for r in con.execute(
            "SELECT DISTINCT b.document_id FROM disclosures a JOIN disclosures b USING (disclosure_id) "
            "WHERE a.document_id IN (SELECT UNNEST(?::VARCHAR[])) ORDER BY 1", [list(document_ids)]).fetchall()
            ] + list(document_ids)
        document_ids = list(dict.fromkeys(document_ids))
    where, params = _ids_clause(document_ids)
    docs: dict[str, DocFacts] = {}
    for r in con.execute(
            "SELECT document_id, department_code, department_name, year, unit, status, sha256, source, "
            f"error_kind, pages FROM documents{where} ORDER BY document_id", params).fetchall():
        docs[r[0]] = DocFacts(document_id=r[0], department_code=r[1], department_name=r[2], year=r[3],
                              unit=r[4], status=r[5], sha256=r[6], source=r[7], error_kind=r[8], pages=r[9])
    _ocr_pages(con, docs)

    tables: dict[tuple[str, int], TableFacts] = {}
    lines: dict[tuple[str, int, int], Line] = {}
    for (doc, kind, title, ti, ri, side, code, name, numbering, measure, amount, page, x0) in con.execute(
            "SELECT document_id, table_kind, table_title, table_index, row_index, side, code, name, numbering, "
            f"measure, amount, page, bbox[1] FROM budget_lines{where} "
            "ORDER BY document_id, table_index, row_index", params).fetchall():
        if doc not in docs:
            continue
        t = tables.get((doc, ti))
        if t is None:
            t = tables[(doc, ti)] = TableFacts(kind=kind, title=title, index=ti)
            docs[doc].tables.append(t)
        ln = lines.get((doc, ti, ri))
        if ln is None and not (code or "").strip() and _COLUMN_NUMBERS.match(normalise_name(name)):
            continue   # the column-number row (甲 1 乙 2 / 栏次 1 2 3) numbers the columns: never an item
        if ln is None:
            code = (code or "").strip() or None
            ln = lines[(doc, ti, ri)] = Line(row_index=ri, side=side, code=code, name=name or "",
                                              numbering=numbering_of(name, numbering), page=page, x0=x0)
            t.lines.append(ln)
        ln.values[measure] = amount

    for (doc, ci, metric, amount, page, quote) in con.execute(
            f"SELECT document_id, claim_index, metric, amount, page, quote FROM narrative_claims{where} "
            "ORDER BY document_id, claim_index", params).fetchall():
        if doc in docs:
            docs[doc].claims.append(ClaimFact(ci, metric, amount, page, quote))

    for (doc, ri, project, item, q, p, a, b, is_total, page) in con.execute(
            "SELECT document_id, row_index, project, item, quantity, unit_price, amount, budget, is_total, page "
            f"FROM procurement_lines{where} ORDER BY document_id, table_index, row_index", params).fetchall():
        if doc in docs:
            docs[doc].procurement.append(ProcurementLine(ri, project, item, q, p, a, b, bool(is_total), page))

    for (doc, ri, item, amount, as_of, page, numbering) in con.execute(
            f"SELECT document_id, row_index, item, amount, as_of, page, numbering FROM assets{where} "
            "ORDER BY document_id, row_index", params).fetchall():
        if doc in docs:
            docs[doc].assets.append(AssetLine(ri, item, amount, as_of, page, numbering))

    for (doc, kind, message, pages, values) in con.execute(
            f'SELECT document_id, kind, message, pages, "values" FROM document_warnings{where}',
            params).fetchall():
        if doc in docs:
            docs[doc].warnings.append(DocWarning(kind, message, list(pages or []), list(values or [])))

    if "prose_figures" in cols:
        for (doc, fi, label, amount, unit, page, sentence) in con.execute(
                "SELECT document_id, figure_index, label, amount, unit, page, sentence FROM prose_figures"
                f"{where} ORDER BY document_id, figure_index", params).fetchall():
            if doc in docs:
                docs[doc].figures.append(FigureFact(fi, label or "", amount, unit, page, sentence or ""))
    if "document_tables" in cols:
        # the parse's per-table completeness, when the warehouse carries it (table-reading rewrite)
        status = "status" if "status" in cols["document_tables"] else "NULL"
        for (doc, ti, kind, title, pages, empty, note, code, name, st) in con.execute(
                "SELECT document_id, table_index, table_kind, title, pages, empty, note, department_code, "
                f"department_name, {status} FROM document_tables{where} ORDER BY document_id, table_index",
                params).fetchall():
            if doc in docs:
                docs[doc].printed.append(PrintedTable(ti, kind, title, list(pages or []), bool(empty), note,
                                                      code or None, name or None, st or None))
    if {"budget", "subkind", "table_index"} <= cols.get("performance_targets", set()):
        for (doc, ti, ri, subkind, budget, page) in con.execute(
                "SELECT document_id, table_index, row_index, subkind, budget, page FROM performance_targets"
                f"{where}{' AND' if where else ' WHERE'} budget IS NOT NULL ORDER BY document_id, table_index, "
                "row_index", params).fetchall():
            if doc in docs:
                docs[doc].duty_budgets.append(DutyBudget(ti, ri, subkind, None, None, budget, page))
    if has_disclosures:
        _join_disclosures(con, docs, where, params)
    if docs:
        _name_duty_rows(docs)
        for d in docs.values():
            for t in d.tables_of("three_public"):
                _three_public_items(t)
    return docs




def _three_public_items(t: TableFacts) -> None:
    """A 三公 table printed one item per row gets the column form's measures on its 合计 row, so both
    forms are checked (and restated by the prose) alike."""
    tot = t.total_line()
    if tot is None:
        return
    for ln in t.lines:
        if ln is tot or ln.get("total") is None:
            continue
        key = ln.key.removeprefix("其中:")
        for pattern, measure in load_catalogue().three_public_rows:   # also v_three_public's (three_public_rows)
            if pattern.search(key):
                tot.values.setdefault(measure, ln.get("total"))
                break


def _join_disclosures(con: duckdb.DuckDBPyConnection, docs: dict[str, DocFacts], where: str,
                      params: list) -> None:
    """Disclosure facts on every document; a companion's prose joined to its tables file."""
    has_previous = "previous_disclosure_id" in _columns(con).get("disclosures", set())
    previous = "previous_disclosure_id" if has_previous else "NULL"
    for (doc, disclosure, name, key, kind, prev) in con.execute(
            f"SELECT document_id, disclosure_id, department_name, department_key, budget_kind, {previous} "
            f"FROM disclosures{where} ORDER BY document_id", params).fetchall():
        d = docs.get(doc)
        if d is None:
            continue
        d.department_name = d.department_name or name
        d.department_key, d.budget_kind = key, kind
        d.previous_disclosure_id, d.previous_known = prev, has_previous
        primary = docs.get(disclosure)
        if disclosure == doc or primary is None:
            continue
        d.part_of = disclosure
        primary.companions.append(d.source.rsplit("/", 1)[-1] if d.source else doc)
        primary.claims.extend(ClaimFact(c.index, c.metric, c.amount, c.page, c.quote, doc) for c in d.claims)
        primary.figures.extend(d.figures)
        primary.warnings.extend(d.warnings)


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Columns of the warehouse's tables: later schema versions add some the checks use when present."""
    out: dict[str, set[str]] = defaultdict(set)
    for t, c in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        out[t].add(c)
    return out


def _name_duty_rows(docs: dict[str, DocFacts]) -> None:
    """Give duty budgets the label and numbering of their budget_lines row (same table and row index)."""
    for d in docs.values():
        if not d.duty_budgets:
            continue
        lines = {(t.index, ln.row_index): ln for t in d.tables for ln in t.lines}
        for b in d.duty_budgets:
            ln = lines.get((b.table_index, b.row_index))
            if ln is not None:
                b.name, b.numbering = ln.name, ln.numbering


def previous_year_index(docs: dict[str, DocFacts]) -> dict[tuple[str, str, int], str]:
    """Loaded disclosures by (department, budget kind, year): last year's disclosure of a document the
    warehouse holds no disclosures row for (pipeline.load.disclosures applies the same rule)."""
    return disclosures_by_year([(d.document_id, d.year_key) for d in docs.values()
                                if d.status == "loaded" and d.part_of is None])


def last_year_id(doc: DocFacts, index: dict[tuple[str, str, int], str] | None = None) -> str | None:
    """The id of the same department's disclosure of the same budget kind a year before: as stored in
    ``disclosures.previous_disclosure_id``, else by the same rule over ``index``."""
    if doc.previous_known:
        return doc.previous_disclosure_id
    return previous_disclosure(index or {}, doc.year_key)


def last_year_of(doc: DocFacts, docs: dict[str, DocFacts],
                 index: dict[tuple[str, str, int], str] | None = None) -> DocFacts | None:
    """Last year's disclosure among ``docs``, when loaded."""
    prev = last_year_id(doc, index)
    return docs.get(prev) if prev else None


def group_by(items, key) -> dict:
    out: dict = defaultdict(list)
    for it in items:
        out[key(it)].append(it)
    return out
