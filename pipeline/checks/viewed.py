"""check_results of the identities their SQL view owns (issue 14, item 4): read the rows of
``v_identity_<name>`` and judge each as pipeline.checks.base.compare does, so check_results, the Data Docs
(GX over the same view) and a user's own SQL stand on one statement of the identity.

An identity in ``VIEW_OWNED`` has no Python computation of its sides: the registry's ``rule`` names its
policy (pipeline/checks/rules/: the downgrades SQL cannot say, applied to these results with the
document's facts), and the review rules (rules/doubt.py) then see the results as before, their
``tables`` read from the view's ``table_indexes`` column.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from pipeline.checks.base import fmt, pages_text
from pipeline.checks.catalogue import DOCUMENT, REGISTRY, REGISTRY_LIST
from pipeline.checks.facts import DocFacts
from pipeline.checks.result import CheckResult, classify
from pipeline.checks.sql_identities import FINDING_VIEWS, blocks_computed_once, view_name

#: The identities whose check_results are built from their view, family by family (the rest are still
#: computed by their Python rule; tests/test_checks_viewed.py holds each identity to exactly one owner).
VIEW_OWNED: tuple[str, ...] = (
    # within one table
    "row_total", "column_total", "code_hierarchy", "summary_current_totals", "summary_carryover",
    "summary_balance",
    # across the tables of one document
    "summary_revenue_vs_revenue_table", "summary_expenditure_vs_expenditure_table",
    "summary_class_vs_expenditure_table", "fiscal_summary_vs_summary", "general_budget_vs_basic_table",
    "personnel_is_301_303", "public_funds_is_302_310", "operating_expenses_vs_summary_public_funds",
    "government_fund_subject_without_table",
    # the prose restating one table cell, and against itself
    *(i.name for i in REGISTRY_LIST if i.metric),
    "prose_self_consistent", "prose_operating_expenses_is_302",
    # the project forms
    "project_form_funds_add_up", "prose_project_budget_vs_forms",
    # one department in every table of a document
    "department_code_consistent", "department_name_consistent",
    # across the district's documents
    "department_name_across_years", "duplicate_documents",
)

_COLUMNS = ("document_id, subject, left_value, right_value, difference, n, tolerance, left_pages, right_pages, "
            "table_indexes")


def _result(name: str, doc: DocFacts, row: tuple) -> CheckResult:
    """One view row as the CheckResult base.compare (two sides) or base.finding (a finding view) makes."""
    _, subject, left, right, diff, n, tol, left_pages, right_pages, tables = row
    ident = REGISTRY[name]
    common = dict(check_name=name, document_id=doc.document_id, department=doc.department, year=doc.year,
                  subject=subject, left_value=left, right_value=right, left_pages=list(left_pages or []),
                  right_pages=list(right_pages or []), tables=tuple(tables or ()))
    if name in FINDING_VIEWS:   # a row is a finding, at the registry's severity
        return CheckResult(severity=ident.severity, difference=None, tolerance=None, n=0,
                           message=f"{ident.description}: {subject} ({pages_text(common['left_pages'])})",
                           **{**common, "right_value": None})
    sev = classify(diff, tol, ident.severity)
    if sev == "ok":
        msg = f"{subject}: {ident.left} = {ident.right}"
    else:
        msg = (f"{subject}: {ident.left} {fmt(left)} ({pages_text(left_pages or [])}) vs {ident.right} "
               f"{fmt(right)} ({pages_text(right_pages or [])}): difference {fmt(diff)}, tolerance {fmt(tol)} "
               f"(n={n})")
    return CheckResult(severity=sev, message=msg, difference=diff, tolerance=tol, n=n, **common)


def view_results(con: duckdb.DuckDBPyConnection, docs: dict[str, DocFacts],
                 document_ids: Iterable[str] | None = None, scope: str = DOCUMENT) -> dict[str, list[CheckResult]]:
    """document_id → the results of every view-owned identity of ``scope`` on it (passing ones included):
    of a document identity, for the documents given (all checked documents when None), their blocks
    computed once for just those; of a district identity, over every document (``document_ids`` None)."""
    ids = None if document_ids is None else sorted(set(document_ids))
    out: dict[str, list[CheckResult]] = {}
    names = [n for n in VIEW_OWNED if REGISTRY[n].scope == scope]
    if ids == [] or not names:
        return out
    where = "" if ids is None else " WHERE document_id IN (SELECT UNNEST(?::VARCHAR[]))"
    with blocks_computed_once(con, ids):
        for name in names:
            rows = con.execute(f"SELECT {_COLUMNS} FROM {view_name(name)}{where} ORDER BY document_id, subject, "
                               "left_value, right_value", [] if ids is None else [ids]).fetchall()
            for row in rows:
                doc = docs.get(row[0])
                if doc is not None:
                    out.setdefault(row[0], []).append(_result(name, doc, row))
    return out

