"""What a parse did and did not read, as a result: per standard table, unread tables, failing arithmetic.

Why a result and not a log line: a document read in part must never look complete. The status is
``complete`` only when every ruled table with amounts was read, every read table holds its rows, no
column group or column of amounts was left unread and no table's own arithmetic fails throughout (a misread column looks
like that; a document's own error is local). Documents that are not budgets say so instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.tables.catalogue import Catalogue

#: Row identities checked inside one row: whole = sum of parts (a missing part printed empty is 0).
ROW_IDENTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("basic", "project")),
    ("basic", ("personnel", "public_funds")),
    ("vehicle_total", ("vehicle_purchase", "vehicle_operation")),
)
#: Kinds whose 合计 column is 人员经费 + 公用经费 (no 基本 column of their own).
PERSONNEL_TOTAL_KINDS = frozenset({"general_budget_basic_expenditure", "fiscal_appropriation_basic_expenditure"})
#: A table "fails throughout" when at least this share of its checkable rows fail (and ≥ 3 are checkable).
FAIL_SHARE = 0.5
MIN_CHECKED = 3


@dataclass
class Completeness:
    """The parse's own account of what it read (CONTRACT.md ``completeness``)."""

    status: str                                 # complete | partial | not_budget
    document_class: str                         # department_budget | unit_budget | budget | final_accounts | not_budget
    tables: list[dict] = field(default_factory=list)          # per standard kind: kind, status, pages
    unread_tables: list[dict] = field(default_factory=list)   # page, title
    arithmetic_failing: list[dict] = field(default_factory=list)
    unread_columns: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    #: Pages read from images: the engine, seconds per page, each OCR table's verdict (ocr_trust).
    ocr: dict | None = None

    def to_dict(self) -> dict:
        return {"status": self.status, "document_class": self.document_class, "tables": self.tables,
                "unread_tables": self.unread_tables, "arithmetic_failing": self.arithmetic_failing,
                "unread_columns": self.unread_columns, "reasons": self.reasons,
                **({"ocr": self.ocr} if self.ocr else {})}

    @classmethod
    def from_dict(cls, d: dict) -> "Completeness":
        return cls(status=d["status"], document_class=d.get("document_class", "budget"),
                   tables=list(d.get("tables", [])), unread_tables=list(d.get("unread_tables", [])),
                   arithmetic_failing=list(d.get("arithmetic_failing", [])),
                   unread_columns=list(d.get("unread_columns", [])), reasons=list(d.get("reasons", [])),
                   ocr=d.get("ocr"))


def row_arithmetic(kind: str, rows: list[dict[str, Decimal]], tolerance: Decimal) -> tuple[int, int]:
    """(rows checkable, rows failing) of one table's row identities (values in one unit)."""
    checked = failing = 0
    identities = ROW_IDENTITIES + ((("total", ("personnel", "public_funds")),)
                                   if kind in PERSONNEL_TOTAL_KINDS else ())
    for values in rows:
        if "basic" not in values and ("personnel" in values or "public_funds" in values):
            # 基本支出 printed only as its 人员经费 and 公用经费 columns
            values = {**values, "basic": values.get("personnel", Decimal(0))
                      + values.get("public_funds", Decimal(0))}
        for whole, parts in identities:
            if whole not in values or not any(p in values for p in parts):
                continue
            if whole == "total" and parts == ("basic", "project") and any(
                    m in values for m in ("operating_expenditure", "remit_upper", "subsidy_affiliated",
                                          "reserve", "carryover_next")):
                continue    # the 支出总表's other columns are parts too
            checked += 1
            s = sum((values.get(p, Decimal(0)) for p in parts), Decimal(0))
            if abs(values[whole] - s) > tolerance * (len(parts) + 1):
                failing += 1
            break
    return checked, failing


def assess(cat: Catalogue, document_class: str, tables: list, unread: list[tuple[int, str, bool]],
           warnings: list, titles: list[tuple[str, int, str]] = ()) -> Completeness:
    """The completeness of one parse.

    ``tables``: (kind, title, pages, empty, note, had_amounts, rows as value dicts, tolerance) tuples;
    ``unread``: the recogniser's (page, text above it, holds amounts) for tables it did not read."""
    if document_class in ("not_budget", "final_accounts"):
        # (its tables are recorded all the same: a column left unread still marks its table partial)
        return Completeness(status="not_budget", document_class=document_class,
                            unread_columns=[u for u, _ in _unread_columns(warnings)],
                            reasons=[f"document class {document_class}: its tables are not loaded as a budget"])
    c = Completeness(status="complete", document_class=document_class)
    by_kind: dict[str, list] = {}
    for t in tables:
        by_kind.setdefault(t[0], []).append(t)
    for kind in cat.standard_kinds:
        found = by_kind.get(kind, [])
        pages = sorted({p for t in found for p in t[2]})
        titled = sorted({p for k, p, _ in titles if k == kind})
        if not found and titled:
            c.tables.append({"kind": kind, "status": "unread", "pages": titled})
            c.reasons.append(f"{kind} p{titled}: its title is printed, no ruled table read under it")
        elif not found:
            c.tables.append({"kind": kind, "status": "absent", "pages": []})
        elif any(t[6] for t in found):
            c.tables.append({"kind": kind, "status": "found", "pages": pages})
        elif any(t[5] for t in found):
            c.tables.append({"kind": kind, "status": "unread", "pages": pages})
            c.reasons.append(f"{kind} p{pages}: printed with amounts, no row read")
        else:
            c.tables.append({"kind": kind, "status": "empty", "pages": pages})
    for kind, title, pages, empty, note, had_amounts, rows, tol in tables:
        if kind not in cat.standard_kinds and had_amounts and not rows:
            c.reasons.append(f"{kind} {title} p{pages}: printed with amounts, no row read")
        if not rows:
            continue
        checked, failing = row_arithmetic(kind, rows, tol)
        if checked >= MIN_CHECKED and failing >= FAIL_SHARE * checked:
            c.arithmetic_failing.append({"kind": kind, "title": title, "pages": pages,
                                         "rows_checked": checked, "rows_failing": failing})
            c.reasons.append(f"{title} p{pages}: its own row arithmetic fails in {failing} of {checked} rows")
    for page, title, amounts in unread:
        if amounts:
            c.unread_tables.append({"page": page, "title": title})
            c.reasons.append(f"p{page}: a ruled table with amounts not read ({title})")
    for u, reason in _unread_columns(warnings):
        c.unread_columns.append(u)
        c.reasons.append(reason)
    if c.reasons:
        c.status = "partial"
    return c


def _unread_columns(warnings: list) -> list[tuple[dict, str]]:
    """(``unread_columns`` entry, reason) for each column group set apart (``unread_columns``) and each
    column of amounts under a header no rule maps (``unread_column``: title, header, amounts left out)."""
    out = []
    for w in warnings:
        if w.kind == "unread_columns":
            out.append(({"pages": w.pages, "columns": w.values, "message": w.message}, w.message))
        elif w.kind == "unread_column":
            out.append(({"pages": w.pages, "columns": [w.values[1]], "message": w.message},
                        f"p{w.pages}: {w.message}"))
    return out


def table_status(table: tuple, done: Completeness) -> str:
    """One read table's completeness, for the checks (document_tables.status): ``unread`` when it printed
    amounts and no row was read, ``doubtful`` when its own row arithmetic fails throughout (a misread),
    ``partial`` when a column group or a column of amounts of it was left unread, else ``found`` (``empty``: printed empty).

    ``table``: one tuple of ``assess``'s ``tables``; ``done``: what ``assess`` made of them all. The checks make
    every identity standing on an unread, partial or doubtful table unverifiable, never an error."""
    kind, title, pages, _empty, _note, had_amounts, rows, _tol = table
    if not rows:
        return "unread" if had_amounts else "empty"
    if any(a["kind"] == kind and a["title"] == title and a["pages"] == pages for a in done.arithmetic_failing):
        return "doubtful"
    # the recogniser names the table its unread column group belongs to: "<title>: …", on one of its pages
    if any(u["message"].startswith(f"{title}:") and set(u["pages"]) & set(pages) for u in done.unread_columns):
        return "partial"
    return "found"
