"""Disclosures: the department-years the documents make up, rebuilt from what is loaded.

Why: a department-year is often published as two PDFs, the tables and the prose (Jiangsu:
"…部门预算公开表.pdf" beside "…部门预算.pdf"). Both stay documents with their own pages (provenance),
but they are one disclosure: the prose restates the tables' figures, so the checks must see both
together. A 部门预算 and a 单位预算 of the same department and year stay two disclosures.

Two documents are joined when they were published together (same folder of the inbox; same article
of the portal, since a TRS site keeps a month's attachments of every article in one folder), for the
same year, one holding tables and no prose and the other prose and no tables, and their budget kinds
do not disagree. Only an unambiguous pair is joined (one such file of each for the year); anything
else stays a disclosure of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import duckdb
import polars as pl


@dataclass(frozen=True)
class DocumentRow:
    document_id: str
    source: str
    department_code: str | None
    department_name: str | None
    year: int | None
    budget_kind: str | None
    content: str | None
    page: str | None = None      # the portal page that links the file (documents.source_page)


@dataclass(frozen=True)
class DisclosurePart:
    document_id: str
    disclosure_id: str
    part: str | None
    department_code: str | None
    department_name: str | None
    department_key: str
    year: int | None
    budget_kind: str | None
    previous_disclosure_id: str | None = None


_SCHEMA = {"document_id": pl.String, "disclosure_id": pl.String, "part": pl.String,
           "department_code": pl.String, "department_name": pl.String, "department_key": pl.String,
           "year": pl.Int32, "budget_kind": pl.String, "previous_disclosure_id": pl.String}

YearKey = tuple[str, str, int]


def year_key(department_key: str | None, budget_kind: str | None, year: int | None) -> YearKey | None:
    """(department, budget kind, year) of a disclosure: a 单位预算's previous year is the unit's, not its
    department's; a file saying neither kind counts as a 部门预算."""
    if not (department_key and year):
        return None
    return department_key, budget_kind or "department", year


def disclosures_by_year(parts: list[tuple[str, YearKey | None]]) -> dict[YearKey, str]:
    """(disclosure_id, year key) of the disclosures → the disclosure of each year key (of several, the
    first by id)."""
    out: dict[YearKey, str] = {}
    for disclosure_id, key in sorted(parts, key=lambda p: p[0]):
        if key is not None:
            out.setdefault(key, disclosure_id)
    return out


def previous_disclosure(index: dict[YearKey, str], key: YearKey | None) -> str | None:
    """The same department's disclosure of the same budget kind a year before: the one rule both the
    loader (disclosures.previous_disclosure_id) and the checks apply."""
    return index.get((key[0], key[1], key[2] - 1)) if key else None


def published_with(row: DocumentRow) -> str:
    """What a document was published with: the portal article that links it, else its folder."""
    return row.page or folder_of(row.source)


def folder_of(source: str) -> str:
    """The folder of a path or URL (without query)."""
    if "://" in source:
        u = urlsplit(source)
        return f"{u.scheme}://{u.netloc}{PurePosixPath(u.path).parent}"
    return str(PurePosixPath(source.replace("\\", "/")).parent)


#: Long forms a department's name is printed in some years and short in others (中国共产党江苏省委员会
#: 办公厅 = 中共江苏省委办公厅): the key uses the short form.
NAME_ABBREVIATIONS = ((re.compile(r"^中国共产党(.+?)委员会"), r"中共\1委"),)


def name_key(name: str) -> str:
    """A department's name without spaces, in its short form."""
    key = re.sub(r"\s+", "", name)
    for pattern, short in NAME_ABBREVIATIONS:
        key = pattern.sub(short, key)
    return key


def department_key(code: str | None, name: str | None, fallback: str,
                   codes_by_name: dict[str, set[str]] | None = None) -> str:
    """What follows a department over the years: its printed code; else the one code its name is
    printed with in other documents (``codes_by_name``: name_key → codes); else its name key."""
    if code:
        return code
    if name:
        key = name_key(name)
        codes = (codes_by_name or {}).get(key, set())
        return next(iter(codes)) if len(codes) == 1 else key
    return fallback


def _kinds_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def assign(rows: list[DocumentRow]) -> list[DisclosurePart]:
    """Each document's disclosure: companions joined under the tables file's id, others alone."""
    groups: dict[tuple[str, int | None], list[DocumentRow]] = defaultdict(list)
    for r in rows:
        if r.content in ("tables", "narrative"):
            groups[(published_with(r), r.year)].append(r)
    partner: dict[str, DocumentRow] = {}
    for (_, year), members in groups.items():
        tables = [r for r in members if r.content == "tables"]
        prose = [r for r in members if r.content == "narrative"]
        if year is not None and len(tables) == 1 and len(prose) == 1 \
                and _kinds_agree(tables[0].budget_kind, prose[0].budget_kind):
            partner[tables[0].document_id] = prose[0]
            partner[prose[0].document_id] = tables[0]
    codes_by_name: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.department_code and r.department_name:
            codes_by_name[name_key(r.department_name)].add(r.department_code)
    out: list[DisclosurePart] = []
    for r in rows:
        other = partner.get(r.document_id)
        tables, prose = (r, other) if r.content == "tables" or other is None else (other, r)
        code = tables.department_code or (prose.department_code if prose else None)
        name = tables.department_name or (prose.department_name if prose else None)
        kind = tables.budget_kind or (prose.budget_kind if prose else None)
        out.append(DisclosurePart(
            document_id=r.document_id, disclosure_id=tables.document_id, part=r.content,
            department_code=code, department_name=name,
            department_key=department_key(code, name, tables.document_id, codes_by_name),
            year=r.year, budget_kind=kind))
    index = disclosures_by_year([(p.disclosure_id, year_key(p.department_key, p.budget_kind, p.year))
                                 for p in out if p.document_id == p.disclosure_id])
    return [replace(p, previous_disclosure_id=previous_disclosure(
        index, year_key(p.department_key, p.budget_kind, p.year))) for p in out]


def refresh_disclosures(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``disclosures`` from the loaded documents (call inside a transaction); disclosure count."""
    rows = [DocumentRow(*r) for r in con.execute(
        "SELECT document_id, source, department_code, department_name, year, budget_kind, content, "
        "source_page FROM documents WHERE status = 'loaded' ORDER BY document_id").fetchall()]
    parts = assign(rows)
    con.execute("DELETE FROM disclosures")
    if parts:
        have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'disclosures'").fetchall()}
        frame = pl.DataFrame([asdict(p) for p in parts], schema=_SCHEMA).select(
            [c for c in _SCHEMA if c in have])   # before schema 15: no previous_disclosure_id
        con.register("_disclosures", frame.to_arrow())
        try:
            con.execute("INSERT INTO disclosures BY NAME SELECT * FROM _disclosures")
        finally:
            con.unregister("_disclosures")
    return len({p.disclosure_id for p in parts})
