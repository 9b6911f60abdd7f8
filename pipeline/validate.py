"""Structural validation of one document's staged frames: what must hold before it may be loaded.

These are not accounting identities (those are findings about the document, pipeline/checks): they
say the parse produced something the warehouse can hold. A document failing them must not reach the
warehouse, so the Dagster check that runs them is blocking.
"""

from __future__ import annotations

import polars as pl

from pipeline.model import MEASURES, TABLE_KINDS


def validate_frames(frames: dict[str, pl.DataFrame]) -> list[str]:
    """Problems found, in plain words; empty when the frames may be loaded."""
    problems: list[str] = []
    docs = frames.get("documents")
    if docs is None or docs.height != 1:
        return ["the staged set has no single documents row"]
    if docs["status"][0] != "loaded":
        return []  # a recorded failure: loading it records the failure, nothing else
    lines = frames.get("budget_lines")
    doc_class = docs["document_class"][0] if "document_class" in docs.columns else None
    if doc_class in ("not_budget", "final_accounts"):
        return []  # recorded with its class and shown, never loaded as a budget's tables (it has none)
    partial = "completeness" in docs.columns and docs["completeness"][0] == "partial"
    if (lines is None or lines.height == 0) and not partial:
        # (a budget the parse marks partial says itself what it could not read: it is recorded as such)
        problems.append("no budget lines: no table was recognised in the document")
        return problems
    bad_kind = lines.filter(~pl.col("table_kind").is_in(TABLE_KINDS))["table_kind"].unique().to_list()
    if bad_kind:
        problems.append(f"unknown table kinds {bad_kind}")
    bad_measure = lines.filter(~pl.col("measure").is_in(MEASURES))["measure"].unique().to_list()
    if bad_measure:
        problems.append(f"measures not in the schema {bad_measure}")
    if lines["amount"].null_count():
        problems.append(f"{lines['amount'].null_count()} budget lines without an amount")
    if not isinstance(lines.schema["amount"], pl.Decimal):
        problems.append(f"amounts are {lines.schema['amount']}, not Decimal")
    if lines.filter(pl.col("page") < 1).height:
        problems.append("budget lines with a page number below 1")
    return problems
