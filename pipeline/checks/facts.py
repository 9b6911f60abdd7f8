"""A document's facts as the checks need them, read from the warehouse in a few set-wise queries.

The checks read the warehouse (never parse results), so they check what analysts query. One query per
warehouse table for all selected documents keeps 1,000 department-years fast.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

_NUMBERING = re.compile(r"^\s*([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[、.．](?!\d))")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str | None) -> str:
    """A label without numbering, spaces or full-width parentheses: what two tables' labels share."""
    if not name:
        return ""
    s = _SPACES.sub("", name).replace("（", "(").replace("）", ")").replace("：", ":")
    s = _NUMBERING.sub("", s)
    return s


def numbering_of(name: str | None, numbering: str | None) -> str | None:
    """The printed numbering ('一、'), from the loader's column or the label itself."""
    if numbering:
        return numbering
    m = _NUMBERING.match(_SPACES.sub("", name or ""))
    return m.group(1) if m else None


def is_chinese_numbered(numbering: str | None) -> bool:
    return bool(numbering) and numbering[0] in "一二三四五六七八九十百"


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

    @property
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

    def total_line(self) -> Line | None:
        """The 合计/总计 row: an uncoded row labelled as a total."""
        for ln in self.lines:
            if not ln.code and re.fullmatch(r"(合计|总计|总合计|支出合计|收入合计|本年收入合计)", ln.key):
                return ln
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


@dataclass
class ClaimFact:
    index: int
    metric: str
    amount: Decimal
    page: int
    quote: str | None


@dataclass
class DocWarning:
    kind: str
    message: str | None
    pages: list[int]
    values: list[str]


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

    def tables_of(self, kind: str) -> list[TableFacts]:
        return [t for t in self.tables if t.kind == kind]

    def table(self, kind: str) -> TableFacts | None:
        """The first table of a kind (a kind printed over several pages is one table)."""
        ts = self.tables_of(kind)
        return ts[0] if ts else None

    def claims_of(self, metric: str) -> list[ClaimFact]:
        return [c for c in self.claims if c.metric == metric]

    def first_claim(self, metric: str) -> ClaimFact | None:
        cs = self.claims_of(metric)
        return cs[0] if cs else None


def _ids_clause(document_ids: list[str] | None) -> tuple[str, list]:
    if document_ids is None:
        return "", []
    return " WHERE document_id IN (SELECT UNNEST(?::VARCHAR[]))", [list(document_ids)]


def load_facts(con: duckdb.DuckDBPyConnection, document_ids: list[str] | None = None) -> dict[str, DocFacts]:
    """All facts of the given documents (all documents when None), keyed by document_id."""
    where, params = _ids_clause(document_ids)
    docs: dict[str, DocFacts] = {}
    for r in con.execute(
            "SELECT document_id, department_code, department_name, year, unit, status, sha256, source, "
            f"error_kind FROM documents{where} ORDER BY document_id", params).fetchall():
        docs[r[0]] = DocFacts(document_id=r[0], department_code=r[1], department_name=r[2], year=r[3],
                              unit=r[4], status=r[5], sha256=r[6], source=r[7], error_kind=r[8])

    tables: dict[tuple[str, int], TableFacts] = {}
    lines: dict[tuple[str, int, int], Line] = {}
    for (doc, kind, title, ti, ri, side, code, name, numbering, measure, amount, page) in con.execute(
            "SELECT document_id, table_kind, table_title, table_index, row_index, side, code, name, numbering, "
            f"measure, amount, page FROM budget_lines{where} ORDER BY document_id, table_index, row_index",
            params).fetchall():
        if doc not in docs:
            continue
        t = tables.get((doc, ti))
        if t is None:
            t = tables[(doc, ti)] = TableFacts(kind=kind, title=title, index=ti)
            docs[doc].tables.append(t)
        ln = lines.get((doc, ti, ri))
        if ln is None:
            code = (code or "").strip() or None
            ln = lines[(doc, ti, ri)] = Line(row_index=ri, side=side, code=code, name=name or "",
                                              numbering=numbering_of(name, numbering), page=page)
            t.lines.append(ln)
        ln.values[measure] = amount

    for (doc, ci, metric, amount, page, quote) in con.execute(
            f"SELECT document_id, claim_index, metric, amount, page, quote FROM narrative_claims{where} "
            "ORDER BY document_id, claim_index", params).fetchall():
        if doc in docs:
            docs[doc].claims.append(ClaimFact(ci, metric, amount, page, quote))

    for (doc, ri, project, item, q, p, a, b, is_total, page) in con.execute(
            "SELECT document_id, row_index, project, item, quantity, unit_price, amount, budget, is_total, page "
            f"FROM procurement_lines{where} ORDER BY document_id, row_index", params).fetchall():
        if doc in docs:
            docs[doc].procurement.append(ProcurementLine(ri, project, item, q, p, a, b, bool(is_total), page))

    for (doc, ri, item, amount, as_of, page) in con.execute(
            f"SELECT document_id, row_index, item, amount, as_of, page FROM assets{where} "
            "ORDER BY document_id, row_index", params).fetchall():
        if doc in docs:
            docs[doc].assets.append(AssetLine(ri, item, amount, as_of, page))

    for (doc, kind, message, pages, values) in con.execute(
            f'SELECT document_id, kind, message, pages, "values" FROM document_warnings{where}',
            params).fetchall():
        if doc in docs:
            docs[doc].warnings.append(DocWarning(kind, message, list(pages or []), list(values or [])))
    return docs


def previous_year_index(docs: dict[str, DocFacts]) -> dict[tuple[str, int], DocFacts]:
    """Loaded documents by (department_code, year), for the 较上年增减 comparison."""
    idx: dict[tuple[str, int], DocFacts] = {}
    for d in docs.values():
        if d.status == "loaded" and d.department_code and d.year:
            idx.setdefault((d.department_code, d.year), d)
    return idx


def group_by(items, key) -> dict:
    out: dict = defaultdict(list)
    for it in items:
        out[key(it)].append(it)
    return out
