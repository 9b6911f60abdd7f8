"""ParseResult → one polars frame per warehouse table: the canonical, typed form of a document.

Frames are keyed by warehouse table name and match the DDL in warehouse/schema/ column for
column, so the loader inserts them BY NAME without reshaping. Amounts go through
``pipeline.clean.amounts`` (exact string, then strict cast); labels through
``pipeline.clean.names``. Every table row with values lands in ``budget_lines`` (long form: one
row per row and measure); procurement, targets and assets are also given their own wide tables.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import polars as pl

from pipeline.clean.amounts import DECIMAL, cast_amounts, check_decimal
from pipeline.clean.names import normalise_text, split_numbering
from pipeline.model import DocumentError, ParseResult

S, I = pl.Utf8, pl.Int32
BBOX = pl.List(pl.Float64)

#: The warehouse tables a parse fills (one frame each, staged as Parquet), in loading order.
FRAME_TABLES = ("documents", "document_tables", "budget_lines", "narrative_claims", "prose_figures",
                "procurement_lines", "performance_targets", "assets", "document_warnings")
#: Columns of those tables the loader fills, not the parse (the load time, the last failed attempt).
LOADER_COLUMNS = frozenset({"loaded_at", "last_attempt_at", "last_attempt_sha256", "last_attempt_parser_version",
                            "last_error_kind", "last_error"})
_POLARS_TYPES: dict[str, pl.DataType] = {"VARCHAR": S, "INTEGER": I, "BOOLEAN": pl.Boolean, "DOUBLE[]": BBOX,
                                         "INTEGER[]": pl.List(I), "VARCHAR[]": pl.List(S),
                                         "DOUBLE": pl.Float64}


def _polars_type(sql_type: str) -> pl.DataType:
    return DECIMAL if sql_type.startswith("DECIMAL") else _POLARS_TYPES[sql_type]


def _frame_schemas() -> dict[str, dict[str, pl.DataType]]:
    """Each frame's columns and types, from the warehouse DDL (pipeline.load.ddl): the one statement."""
    from pipeline.load.ddl import warehouse_tables

    tables = warehouse_tables()
    return {t: {c.name: _polars_type(c.sql_type) for c in tables[t] if c.name not in LOADER_COLUMNS}
            for t in FRAME_TABLES}


#: The column types of every frame (and so of every staged Parquet file).
SCHEMAS: dict[str, dict[str, pl.DataType]] = _frame_schemas()
TABLES = tuple(SCHEMAS)
_TOTAL_NAMES = {"合计", "总计", "小计"}
#: Document classes whose tables are not loaded as a budget (pipeline.document.department.document_class).
NOT_BUDGET_CLASSES = frozenset({"not_budget", "final_accounts"})


def empty_frames() -> dict[str, pl.DataFrame]:
    """One empty frame per table, with its schema."""
    return {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}


def _frame(table: str, records: list[dict[str, Any]]) -> pl.DataFrame:
    """Build a frame from records whose Decimal columns hold exact strings, casting them strictly."""
    schema = SCHEMAS[table]
    text_schema = {c: (S if t == DECIMAL else t) for c, t in schema.items()}
    df = pl.DataFrame(records, schema=text_schema)
    casts = [cast_amounts(df[c]).alias(c) for c, t in schema.items() if t == DECIMAL]
    return df.with_columns(casts) if casts else df


def _amount(v: Decimal | None, where: str) -> str | None:
    return None if v is None else check_decimal(v, where)


def _bbox(b: list[float] | None) -> list[float] | None:
    if not b:
        return None
    if len(b) != 4:
        raise DocumentError("unreadable", f"bbox must have 4 numbers, got {b!r}")
    return [float(x) for x in b]


def content_of(result: ParseResult) -> str | None:
    """What a document holds: 'tables', 'narrative' or 'tables+narrative' (a department-year split
    over two PDFs is one of each: pipeline/load/disclosures.py joins them)."""
    has_tables = any(not t.empty for t in result.tables)
    parts = [p for p, has in (("tables", has_tables), ("narrative", bool(result.narrative))) if has]
    return "+".join(parts) or None


def frames_from_result(result: ParseResult, document_id: str, source: str,
                       listing: dict | None = None) -> dict[str, pl.DataFrame]:
    """The canonical frames of one parsed document (keys: warehouse table names).

    ``listing``: what the source states about it (SourceDocument.listing(): title, department, year,
    linking page), kept beside what the document itself prints.
    Raises DocumentError (kind 'unreadable') for an amount that is not exact in DECIMAL(20,6).
    """
    doc_code = normalise_text(result.department.get("code"))
    doc_name = normalise_text(result.department.get("name"))
    documents = [{
        "document_id": document_id, "sha256": result.source.get("sha256") or "", "source": source,
        "file_name": PurePath(str(source)).name,  # the name it was published under, not the raw store's
        "department_code": doc_code or None, "department_name": doc_name or None,
        "year": result.year, "pages": result.source.get("pages"), "unit": result.unit,
        "parser_version": result.parser_version, "status": "loaded", "error_kind": None,
        "error": None, "tables_found": len(result.tables), "budget_kind": result.budget_kind,
        "content": content_of(result), **(listing or {}),
        "document_class": result.document_class,
        "completeness": (result.completeness or {}).get("status"),
        "completeness_detail": (json.dumps(result.completeness, ensure_ascii=False)
                                if result.completeness is not None else None),
    }]
    tables, lines, procurement, targets, assets = [], [], [], [], []
    # only budgets are loaded as budgets: a notice or a 决算 keeps its documents row and its class
    budget = result.document_class not in NOT_BUDGET_CLASSES
    for ti, t in enumerate(result.tables if budget else []):
        tables.append({
            "document_id": document_id, "table_index": ti, "table_kind": t.kind, "title": t.title,
            "pages": list(t.pages), "empty": t.empty, "note": t.note,
            "department_code": normalise_text(t.department_code),
            "department_name": normalise_text(t.department_name), "row_count": len(t.rows),
            "status": getattr(t, "status", None),
            "origin": getattr(t, "origin", None),
        })
        for ri, r in enumerate(t.rows):
            numbering, name = split_numbering(r.name)
            name = name or None  # a code-only row (收入总表) has no label
            code = normalise_text(r.code) or None
            where = f"(table {ti} {t.kind}, row {ri} {r.name!r})"
            bbox = _bbox(r.bbox)
            for measure, value in r.values.items():
                lines.append({
                    "document_id": document_id, "table_kind": t.kind, "table_title": t.title,
                    "table_index": ti, "row_index": ri, "side": r.side, "code": code, "name": name,
                    "numbering": numbering, "measure": measure, "amount": _amount(value, where),
                    "page": r.page, "bbox": bbox, "row_role": r.role,
                    "origin": r.origin, "confidence": r.confidence.get(measure) if r.origin else None,
                })
            a = {k: normalise_text(v) for k, v in r.attrs.items()}
            v = r.values
            if t.kind == "procurement":
                procurement.append({
                    "document_id": document_id, "table_index": ti, "row_index": ri,
                    "project": a.get("project"), "item": name, "catalogue_no": a.get("catalogue_no"),
                    "unit_of_quantity": a.get("unit_of_quantity"),
                    "quantity": _amount(v.get("quantity"), where),
                    "unit_price": _amount(v.get("unit_price"), where),
                    "amount": _amount(v.get("amount", v.get("total")), where),
                    "budget": _amount(v.get("budget"), where),
                    "is_total": name in _TOTAL_NAMES, "page": r.page, "bbox": bbox,
                })
            elif t.kind == "performance_targets":
                targets.append({
                    "document_id": document_id, "table_index": ti, "row_index": ri,
                    "subkind": a.get("subkind"), "project": a.get("project") or name,
                    "level1": a.get("level1"), "level2": a.get("level2"),
                    "indicator": a.get("indicator"), "description": a.get("description"),
                    "target_value": a.get("value"), "basis": a.get("basis"),
                    "budget": _amount(v.get("budget", v.get("amount")), where), "page": r.page,
                })
            elif t.kind == "assets":
                assets.append({
                    "document_id": document_id, "table_index": ti, "row_index": ri, "item": name,
                    "numbering": numbering, "quantity": _amount(v.get("quantity"), where),
                    "amount": _amount(v.get("amount", v.get("total")), where),
                    "as_of": a.get("as_of"), "page": r.page,
                })
    claims = [{
        "document_id": document_id, "claim_index": ci, "metric": c.metric,
        "amount": _amount(c.amount, f"(claim {ci} {c.metric})"), "page": c.page,
        "quote": normalise_text(c.quote),
    } for ci, c in enumerate(result.narrative if budget else [])]
    figures = [{
        "document_id": document_id, "figure_index": fi, "label": normalise_text(f.label),
        "amount": _amount(f.amount, f"(prose figure {fi})"), "unit": f.unit, "page": f.page,
        "sentence": normalise_text(f.sentence),
    } for fi, f in enumerate(result.figures if budget else [])]
    warnings = [{
        "document_id": document_id, "warning_index": wi, "kind": w.kind, "message": w.message,
        "pages": list(w.pages), "values": [str(x) for x in w.values],
    } for wi, w in enumerate(result.warnings)]
    return {
        "documents": _frame("documents", documents),
        "document_tables": _frame("document_tables", tables),
        "budget_lines": _frame("budget_lines", lines),
        "narrative_claims": _frame("narrative_claims", claims),
        "prose_figures": _frame("prose_figures", figures),
        "procurement_lines": _frame("procurement_lines", procurement),
        "performance_targets": _frame("performance_targets", targets),
        "assets": _frame("assets", assets),
        "document_warnings": _frame("document_warnings", warnings),
    }


def failure_frames(document_id: str, source: str, sha256: str, error_kind: str,
                   message: str, parser_version: str | None = None,
                   listing: dict | None = None) -> dict[str, pl.DataFrame]:
    """The frames of a document that could not be parsed: a 'failed' documents row, nothing else.

    The loader keeps a previously loaded good version visible and records this failure beside it.
    """
    from pipeline.config import PARSER_VERSION

    frames = empty_frames()
    frames["documents"] = _frame("documents", [{
        "document_id": document_id, "sha256": sha256 or "", "source": source,
        "file_name": PurePath(str(source)).name, "department_code": None,
        "department_name": None, "year": None, "pages": None, "unit": None,
        "parser_version": parser_version or PARSER_VERSION, "status": "failed",
        "error_kind": error_kind, "error": message, "tables_found": 0, **(listing or {}),
    }])
    return frames


def frames_from_json(data: dict[str, Any], document_id: str, source: str) -> dict[str, pl.DataFrame]:
    """Frames from a CONTRACT.md JSON object: a parse result, or an ``{"source", "error"}`` failure.

    Extra keys (a truth file's ``truth``) are ignored. A malformed object is a DocumentError.
    """
    src = data.get("source") or {}
    if "error" in data:
        err = data["error"] or {}
        return failure_frames(document_id, source, src.get("sha256") or "",
                              err.get("kind") or "unreadable", err.get("message") or "",
                              data.get("parser_version"))
    try:
        result = ParseResult.from_dict(data)
    except (KeyError, TypeError, ValueError, ArithmeticError) as e:
        raise DocumentError("unreadable", f"not a parse result: {type(e).__name__}: {e}") from e
    return frames_from_result(result, document_id, source)
