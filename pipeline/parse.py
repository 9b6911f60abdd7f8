"""``parse_document(path) -> ParseResult``: one disclosure PDF → the CONTRACT.md JSON.

Why one pass: each page is read once by pdfplumber (reader), its ruled tables go to the recogniser
and its remaining text to the narrative; the department, year and unit are decided from what the
tables print, and amounts are converted to 万元 only then.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import PARSER_VERSION
from pipeline.document import identity
from pipeline.document.numbers import to_wan
from pipeline.document.reader import limit_error, open_document
from pipeline.document.reader import source_info as _source_info
from pipeline.model import DocumentError, ParseResult, Row, Table, Warning
from pipeline.narrative.claims import ProseText, find_claims
from pipeline.tables.catalogue import load_catalogue
from pipeline.tables.recognise import Recogniser, TableDraft

#: How many leading pages are searched for the budget year when no table header states it.
TITLE_PAGES = 3


def source_info(path: Path) -> dict:
    """``{"path", "sha256", "pages"}`` for the error output of an unreadable file."""
    return _source_info(Path(path))


def parse_document(path: Path) -> ParseResult:
    """Parse one disclosure; raises DocumentError (typed) for anything that is not a readable one."""
    path = Path(path)
    try:
        return _parse(path)
    except DocumentError:
        raise
    except Exception as e:  # never a traceback for the caller: a typed, recorded failure
        raise (limit_error(e) or DocumentError("parser_error", f"{type(e).__name__}: {e}")) from e


def _parse(path: Path) -> ParseResult:
    doc = open_document(path)
    cat = load_catalogue()
    rec = Recogniser(cat)
    prose = ProseText()
    early_text: list[str] = []
    for page in doc.pages():
        rec.add_page(page)
        lines = [ln.text for ln in page.lines_outside_tables()
                 if not (ln.text.strip().isdigit() and ln.top > page.height - 70)]
        prose.add(page.number, "".join(lines))
        if page.number <= TITLE_PAGES:
            early_text.append(" ".join(ln.text for ln in page.lines))
    drafts = rec.drafts
    warnings: list[Warning] = list(rec.warnings)

    unit = identity.majority([d.unit for d in drafts], default="万元")
    year = identity.majority([d.year for d in drafts])
    if year is None:
        year = identity.year_from_text(" ".join(early_text))
    if year is None:  # Jiangsu table files: only a title says it ("2017年政府采购预算表")
        year = identity.majority([identity.year_in_title(d.title) for d in drafts])
    code = identity.majority([d.code for d in drafts])
    name = identity.majority([d.name for d in drafts])
    cover = early_text[0] if early_text else ""
    if name is None:
        name = identity.name_from_cover(cover)
    warnings += identity.variants("department_code_variant", "code",
                                  [(d.code, d.title, d.pages[0]) for d in drafts], code)
    warnings += identity.variants("department_name_variant", "name",
                                  [(d.name, d.title, d.pages[0]) for d in drafts], name)
    warnings += identity.variants("unit_variant", "unit", [(d.unit, d.title, d.pages[0]) for d in drafts], unit)
    warnings += identity.variants("year_variant", "year", [(d.year, d.title, d.pages[0]) for d in drafts], year)
    for d in drafts:
        if d.as_of and year and int(d.as_of[:4]) < year - 1:
            warnings.append(Warning("year_variant", f"{d.title} dated {d.as_of} in a {year} budget",
                                    list(d.pages), [d.as_of]))
    tables = [_table(d, unit, cat.non_money) for d in drafts]
    return ParseResult(source=doc.source(), department={"code": code, "name": name}, year=year,
                       budget_kind=identity.budget_kind_from_cover(cover),
                       unit=unit, tables=tables, narrative=find_claims(prose), warnings=warnings,
                       parser_version=PARSER_VERSION)


def _table(d: TableDraft, doc_unit: str, non_money: frozenset[str]) -> Table:
    unit = d.unit or doc_unit
    rows = [Row(side=r.side, code=r.code, name=r.name,
                values={k: (v if k in non_money else to_wan(v, unit)) for k, v in r.values.items()},
                page=r.page, bbox=[round(float(b), 2) for b in r.bbox], attrs=r.attrs)
            for r in d.rows]
    return Table(kind=d.kind, title=d.title, pages=sorted(set(d.pages)), empty=not rows, rows=rows,
                 note=d.note, department_code=d.code, department_name=d.name)
