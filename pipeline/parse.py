"""``parse_document(path) -> ParseResult``: one disclosure PDF → the CONTRACT.md JSON.

Why one pass: each page is read once by pdfplumber (reader), its ruled tables go to the recogniser
and its remaining text to the narrative; the department, year and unit are decided from what the
tables print, and amounts are converted to 万元 only then.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pipeline.config import PARSER_VERSION
from pipeline.document import department
from pipeline.document.numbers import to_wan
from pipeline.document.reader import limit_error, open_document
from pipeline.document.reader import source_info as _source_info
from pipeline.model import DocumentError, ParseResult, Row, Table, ParseWarning
from pipeline.narrative.claims import ProseText, find_claims
from pipeline.narrative.figures import find_figures
from pipeline.tables import ocr_wording
from pipeline.tables.catalogue import Catalogue, load_catalogue
from pipeline.tables import ocr_trust
from pipeline.tables.completeness import assess, table_status
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
    prose_pages: list[tuple[int, list[str]]] = []
    ocr_cells: dict[int, list] = {}
    for page in doc.pages():
        if page.origin == "ocr":
            ocr_cells[page.number] = page.ocr_cells
        rec.add_page(page)
        lines = [ln.text for ln in page.lines_outside_tables()
                 if not (ln.text.strip().isdigit() and ln.top > page.height - 70)]
        prose_pages.append((page.number, lines))
        if page.number <= TITLE_PAGES:
            early_text.append(" ".join(ln.text for ln in page.lines))
    prose.add_lines(prose_pages)
    drafts = rec.drafts
    ocr_trust.attach(drafts, ocr_cells)
    for d in drafts:
        _classify_by_codes(d, cat, rec.warnings)
        ocr_wording.correct_labels(d, cat)
    warnings: list[ParseWarning] = list(rec.warnings)
    sources: dict[str, str] = {}

    unit = department.majority([d.unit for d in drafts], default="万元")
    file_name, file_year = department.from_file_name(path.stem)
    year = department.majority([d.year for d in drafts])
    sources["year"] = "tables"
    if year is None:
        year, sources["year"] = department.year_from_text(" ".join(early_text)), "text"
    if year is None:  # Jiangsu table files: only a title says it ("2017年政府采购预算表")
        year, sources["year"] = department.majority([department.year_in_title(d.title) for d in drafts]), "title"
    if year is None:
        year, sources["year"] = file_year, "file_name"
    if year is None:
        sources["year"] = "none"
    cover = early_text[0] if early_text else ""
    cover_name = department.name_from_cover(cover)
    _settle_short_codes(drafts, cover_name)
    code = department.majority([d.code for d in drafts])
    name = department.majority([d.name for d in drafts])
    sources["department"] = "tables"
    if name is None:
        name, sources["department"] = cover_name, "cover"
    if name is None:
        name, sources["department"] = file_name, "file_name"
    if name is None:
        sources["department"] = "none"
    warnings += department.variants("department_code_variant", "code",
                                  [(d.code, d.title, d.pages[0]) for d in drafts], code)
    warnings += department.variants("department_name_variant", "name",
                                  [(d.name, d.title, d.pages[0]) for d in drafts], name)
    warnings += department.variants("unit_variant", "unit", [(d.unit, d.title, d.pages[0]) for d in drafts], unit)
    warnings += department.variants("year_variant", "year", [(d.year, d.title, d.pages[0]) for d in drafts], year)
    for d in drafts:
        if d.as_of and year and int(d.as_of[:4]) < year - 1:
            warnings.append(ParseWarning("year_variant", f"{d.title} dated {d.as_of} in a {year} budget",
                                    list(d.pages), [d.as_of]))
    tables = [_table(d, unit, cat) for d in drafts]
    narrative = find_claims(prose)
    budget_kind = department.budget_kind_from_cover(cover)
    budget_tables = sum(1 for d in drafts if d.kind in cat.standard_kinds)
    doc_class = department.document_class(cover, " ".join(early_text), budget_kind, budget_tables,
                                        len(narrative))
    read = [(d.kind, d.title, sorted(set(d.pages)), not d.rows, d.note, d.had_amounts,
             [r.values for r in d.rows], _tolerance(d.unit or unit)) for d in drafts]
    done = assess(cat, doc_class, read, rec.unread, warnings, rec.titles)
    for t, r in zip(tables, read):
        t.status = table_status(r, done)
    if ocr_cells:
        _judge_scanned(tables, unit, done, warnings, doc, unit_read=any(d.unit for d in drafts))
    if doc_class in ("not_budget", "final_accounts"):
        warnings.append(ParseWarning("not_a_budget", f"document class {doc_class}: {len(tables)} tables "
                                "recorded, not loaded as a budget", [], [doc_class]))
    return ParseResult(source=doc.source(), department={"code": code, "name": name}, year=year,
                       budget_kind=budget_kind,
                       unit=unit, tables=tables, narrative=narrative, warnings=warnings,
                       parser_version=PARSER_VERSION, document_class=doc_class,
                       identity_sources=sources, completeness=done.to_dict(),
                       figures=find_figures(prose))


def _judge_scanned(tables: list[Table], unit: str, done, warnings: list[ParseWarning], doc,
                   unit_read: bool = True) -> None:
    """Tables read from page images are trusted only when their own arithmetic holds (ocr_trust);
    a doubtful one leaves the parse partial, as a misread text table does. A scan on which no unit
    line was read has figures of unknown scale (a table adds up in 元 as in 万元: 单位，元 misread once
    made a whole 元 document 万元): its tables read from images are doubtful, and it says why."""
    verdicts, found = ocr_trust.judge(tables, unit)
    warnings += found
    # a column whose header could not be read lost its figures: the table is not whole
    lost = {(w.values[0], p) for w in warnings if w.kind == "unread_column" for p in w.pages}
    for t, v in ((t, v) for t in tables for v in verdicts
                 if t.origin == "ocr" and v["title"] == t.title and v["pages"] == list(t.pages)):
        if any((t.title, p) in lost for p in t.pages) and t.status != "doubtful":
            t.status, v["verdict"] = "doubtful", "doubtful"
            warnings.append(ParseWarning("ocr_doubtful", f"{t.title}: a table read from a page image with a "
                                         "column whose header was not read; its other figures are kept",
                                         list(t.pages), []))
    if not unit_read:
        scanned = [t for t in tables if t.origin == "ocr" and t.rows]
        for t in scanned:
            if t.status != "doubtful":
                warnings.append(ParseWarning("ocr_doubtful", f"{t.title}: a table read from a page image "
                                             "whose unit was not read; its figures are kept, their scale "
                                             "is unverified", list(t.pages), []))
            t.status = "doubtful"
        for v in verdicts:
            v["verdict"], v["unit_read"] = "doubtful", False
        if scanned:
            warnings.append(ParseWarning("ocr_unit_unread", f"no unit line (单位：…) was read from the page "
                                         f"images; the figures are taken in {unit}, unverified", [], [unit]))
            done.reasons.append(f"no unit line read from the page images: figures taken in {unit}, unverified")
            if done.status != "not_budget":
                done.status = "partial"
    done.ocr = {"engine": doc.ocr, "pages": [{"page": p, "seconds": s} for p, s in doc.ocr_pages],
                "tables": verdicts}
    for v in verdicts:
        if v.get("unit_read") is False and not v["identities_failing"] and v["identities_checked"]:
            continue                     # its reason is the unit (above), not its arithmetic
        if v["verdict"] == "doubtful" and done.status != "not_budget":
            done.reasons.append(f"{v['title']} p{v['pages']}: read from a page image, its own arithmetic "
                                f"does not hold ({v['identities_failing']} of {v['identities_checked']} "
                                "identities fail)")
            done.status = "partial"


def _settle_short_codes(drafts: list[TableDraft], cover_name: str | None) -> None:
    """A code of one or two digits printed before a name with no label ("86 XX局") is the department's
    code only when that name is the department's as a header line read otherwise (a longer code, a
    label) or the cover prints it: "12 XX" alone may be a numbered line. Otherwise neither is read."""
    trusted = {d.name for d in drafts if d.name and not d.code_short} | ({cover_name} if cover_name else set())
    for d in drafts:
        if d.code_short and d.name not in trusted:
            d.code = d.name = None
        d.code_short = False


def _tolerance(unit: str) -> Decimal:
    """Half the last printed digit (amounts are printed to 0.01 of their unit)."""
    return Decimal("0.005")


def _classify_by_codes(d: TableDraft, cat: Catalogue, warnings: list[ParseWarning]) -> None:
    """A table's classification from the codes its rows print, whatever its title says: most codes
    economic (3xx) under a functional kind → its economic counterpart; functional (2xx) codes under an
    economic kind are reported."""
    codes = [r.code for r in d.rows if r.code and len(r.code) in (3, 5, 7)]
    if len(codes) < 2:
        return
    economic = sum(1 for c in codes if c[0] == "3" and len(c) in (3, 5))
    functional = sum(1 for c in codes if c[0] == "2")
    cls = cat.classification_of(d.kind)
    if cls == "functional" and economic > len(codes) / 2:
        other = cat.economic_counterpart.get(d.kind)
        warnings.append(ParseWarning("kind_by_codes", f"{d.title}: its rows print economic codes; read as "
                                f"{other or 'an economic table'}", sorted(set(d.pages)), [d.kind, str(other)]))
        if other:
            d.kind = other
    elif cls == "economic" and functional > len(codes) / 2:
        warnings.append(ParseWarning("kind_by_codes", f"{d.title}: a {d.kind} table printing functional codes",
                                sorted(set(d.pages)), [d.kind]))


def _table(d: TableDraft, doc_unit: str, cat: Catalogue) -> Table:
    unit = d.unit or doc_unit
    non_money = cat.non_money
    rows = [Row(side=r.side, code=r.code, name=r.name,
                values={k: (v if k in non_money else to_wan(v, unit)) for k, v in r.values.items()},
                page=r.page, bbox=[round(float(b), 2) for b in r.bbox], attrs=r.attrs,
                role=cat.row_role(r.name, r.code) if not cat.kinds[d.kind].text_only else None,
                origin=r.origin, confidence=dict(r.confidence))
            for r in d.rows]
    return Table(kind=d.kind, title=d.title, pages=sorted(set(d.pages)), empty=not rows, rows=rows,
                 note=d.note, department_code=d.code, department_name=d.name,
                 origin="ocr" if any(r.origin == "ocr" for r in d.rows) else None)
