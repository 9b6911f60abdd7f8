"""Identities stated in SQL (issue 14, item 4): for each identity SQL can say, a view ``v_identity_<name>``
over the warehouse yields its two sides per instance with the tolerance, and a great-expectations
expectation over that view decides pass/fail (pipeline/checks/sql_gx.py).

Every view has the same columns: identity, document_id, department, year, subject (the instance, worded
as CheckResult.subject), left_value, right_value, difference, n, tolerance, within_tolerance,
left_pages, right_pages, table_indexes (INTEGER[]: the tables an instance stands on, when its SELECT
names them), then abs_difference_units and tolerance_units (BIGINT counts of
0.0000001 万元, exact, for GX). Amounts are DECIMAL; nothing is a float. A finding view (FINDING_VIEWS)
has one failing row per finding; a bound view (BOUND_VIEWS) holds when left_value ≥ right_value.

The views are generated from the building blocks (pipeline/checks/sql_blocks.py) and the catalogue's
parameters (the SELECTs: pipeline/checks/sql_tables.py, sql_prose.py, sql_findings.py), never written one by one. An identity SQL cannot honestly say stays in Python, with its
reason, in ``PYTHON_ONLY``; a test holds every catalogue identity to be in exactly one of the two.

check_results of an identity in pipeline/checks/viewed.VIEW_OWNED are built from its view's rows (the
sides are computed here only; its registry rule is the policy over them: consequences, conventions, the
prose's printed precision, with rules/doubt.py's unread tables reading the ``table_indexes`` column). The
identities not yet moved are still computed by their Python rule, and for them a view yields the instance
as the rule computes it *before* any downgrade: tests/test_checks_sql_identities.py holds the views'
sides, tolerances and failing instances equal to the rules' on the demo district (with the seed) and on
Jiangsu and Putuo, and the engine's results of a view-owned identity equal its view's rows.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from typing import Iterator

import duckdb

from pipeline.checks.catalogue import REGISTRY_LIST
from pipeline.checks.rules.within_table import CODED_KINDS, SUMMARY_KINDS
from pipeline.checks import sql_findings, sql_prose, sql_tables
from pipeline.checks.sql_blocks import blocks_sql

#: the building blocks, longest name first (so a replacement never cuts a longer name)
_BLOCKS = ("v_check_summary_lines", "v_check_claims", "v_check_total_rows", "v_check_row_values", "v_check_code_rows",
           "v_check_cells", "v_check_rows")


def _view(name: str, instances: str, unit: str = "d.unit", documents: str | None = "v_check_documents",
          bound: bool = False) -> str:
    """The view of one identity: ``instances`` selects document_id, subject, left_value, right_value, n,
    yuan_half (the sum of half the last printed digit of each amount of a 元 document: base.compare's
    ``parts``) and the pages; the tolerance is base.compare's (n × half the printed unit, in a 元
    document at least yuan_half). ``documents`` gives each instance its department and year; None: the
    instances select them (a finding on no document)."""
    tables = bool(re.search(r"\bAS table_indexes\b", instances))   # the instances name the tables they stand on
    blocks = []
    for block in _BLOCKS:    # each block the view reads, computed once (inlined, DuckDB plans it per reference)
        if block in instances:
            instances = instances.replace(block, f"_{block}")
            blocks.append(f"_{block} AS MATERIALIZED (SELECT * FROM {block})")
    src = "i" if documents is None else "d"
    return f"""CREATE OR REPLACE VIEW v_identity_{name} AS
WITH {"".join(b + ", " for b in blocks)}instances AS (
{instances}
), judged AS (
    SELECT '{name}' AS identity, i.document_id, {src}.department, {src}.year, i.subject, i.left_value, i.right_value,
           coalesce(i.left_value, 0) - coalesce(i.right_value, 0) AS difference, i.n,
           CASE WHEN trim(coalesce({unit}, '万元')) = '元' THEN greatest(i.n * 0.0000005, i.yuan_half)
                ELSE i.n * 0.005 END AS tolerance,
           list_sort(list_distinct(i.left_pages)) AS left_pages, list_sort(list_distinct(i.right_pages)) AS right_pages,
           {"i.table_indexes" if tables else "[]::INTEGER[]"} AS table_indexes
    FROM instances i{"" if documents is None else f" JOIN {documents} d USING (document_id)"}
)
SELECT identity, document_id, department, year, subject, left_value, right_value, difference, n, tolerance,
       {"left_value >= right_value - tolerance" if bound else "abs(difference) <= tolerance"} AS within_tolerance,
       left_pages, right_pages, table_indexes,
       CAST({"greatest(right_value - left_value, 0)" if bound else "abs(difference)"} * 10000000 AS BIGINT)
           AS abs_difference_units,
       CAST(tolerance * 10000000 AS BIGINT) AS tolerance_units
FROM judged"""


_INSTANCES = {**sql_tables.INSTANCES, **sql_prose.INSTANCES}
_UNITS = {**sql_tables.UNITS, **sql_prose.UNITS}

#: identity → the SQL creating its view, in catalogue order.
SQL_IDENTITIES: dict[str, str] = {
    i.name: _view(i.name, _INSTANCES[i.name], _UNITS.get(i.name, "d.unit"), bound=i.name in sql_prose.BOUNDS)
    if i.name in _INSTANCES
    else _view(i.name, sql_findings.FINDINGS[i.name][0], "'万元'", sql_findings.FINDINGS[i.name][1])
    for i in REGISTRY_LIST if i.name in _INSTANCES or i.name in sql_findings.FINDINGS}

#: identity → what a row of its view is: a finding the rule states (one row each, left_value = how many
#: it found, right_value = 0, n = 0, so every row is outside the tolerance: the rule's "no finding" is
#: the view's "no row"). Such a view is compared with its rule by (document_id, subject), not amounts.
FINDING_VIEWS: dict[str, str] = {
    "government_fund_subject_without_table": "a non-zero total on a government-fund code while no fund table prints "
                                             "a row; left_value = that total, right_value = 0",
    "department_code_consistent": "a department code a table header prints otherwise than the document (left_value "
                                  "= tables printing it), else a parse warning of a code variant (left_value = 1)",
    "department_name_consistent": "a department name a table header prints otherwise than the document (left_value "
                                  "= tables printing it), else a parse warning of a name variant (left_value = 1)",
    "subject_codes_valid": "a code printed in a coded table that is no subject code of the table's "
                           "classification, or named otherwise in subject_codes; left_value = rows printing it",
    "department_name_across_years": "a loaded document naming its department code otherwise (normalised) than "
                                    "the code's first document by year; left_value = 1",
    "duplicate_documents": "a loaded document with the content, or the department-year, of one of a smaller "
                           "id; left_value = how many such earlier documents",
    "roster_disclosed": "a year of a roster entry (table roster) no loaded document has, on the first document of "
                        "that code and year that did not load, else on no document; left_value = 1",
    "department_in_roster": "a loaded document's department code no roster entry has (a roster given); "
                            "left_value = 1",
    "assets_as_of_date": "a date an assets table is printed with (as_of, one row each) that is not an ISO date of "
                         "the year before the budget year; left_value = the asset lines dated so",
    "duty_budget_relates_to_total": "a duty table whose top-level activities' budgets add up to none of the totals "
                                    "the tables print within n × half the unit; left_value = the activities",
    "prose_unverifiable": "a metric stated with one amount (not 0) none of whose cells the document prints, or a "
                          "figure scoped to a subject (each statement); left_value = 1",
}


#: identity → what its view bounds: a range test, not two sides equal. A bound view's row holds when
#: left_value ≥ right_value − tolerance; its abs_difference_units count the shortfall (right − left, at
#: least 0), so the same GX expectation decides it.
BOUND_VIEWS: dict[str, str] = {
    "prose_change_vs_level": "left_value = the last-year budget the prose implies (level − change), right_value = "
                             "its lower bound 0 (the rule's result prints left = the change, right = level − change)",
}


def instance_key(identity: str, document_id: str, subject: str, left, right) -> tuple:
    """What identifies an instance when comparing a view with its rule: (document_id, subject) for a
    finding or bound view (their amounts are not the rule's two sides), else with its two sides."""
    if identity in FINDING_VIEWS or identity in BOUND_VIEWS:
        return (document_id, subject)
    return (document_id, subject, left, right)


def failed_by_rule(identity: str, result) -> bool:
    """Whether the rule found the instance failing before any downgrade: a finding of a finding view,
    a failing verdict (or a downgraded one) of a bound view, else broken beyond the rule's tolerance."""
    if identity in FINDING_VIEWS:   # a finding, not an instance that holds (assets_as_of_date states those)
        return result.tolerance is None and (result.severity != "ok" or bool(result.downgraded))
    if identity in BOUND_VIEWS:
        return result.severity != "ok" or bool(result.downgraded)
    return result.broken_by_rule

#: identity → why it stays in Python (one line each): what its rule decides that SQL cannot say plainly.
PYTHON_ONLY: dict[str, str] = {
    "table_unreliable": "a review over the other rules' results (the share of a table's identities failing, its "
                        "unread pages), run after them: it has no sides in the warehouse, only in check_results",
    "prose_figure_vs_table": "a free-text label resolved by an ordered cascade (phrasing regexes for 三公, headline "
                             "and procurement figures, then the longest row name the label ends with, then asset "
                             "lines: prose_figures.resolve), the first branch matching deciding: a second copy",
    "prose_parts_add_up": "a failing sum is judged again with what the tables' whole holds beyond the stated parts, "
                          "and of a whole stated twice the best-judged amount is kept",
    "prose_item_vs_table": "the 类/款/项 path is parsed out of the quoted sentence (prose_items._item_path) and matched "
                           "to a row by its code digits, else by 项 name under the 款 named (loosely) in the quote",
    "prose_item_budget_restated": "pairs each item claim with the 预算安排 stated after it on its page or the next "
                                  "(prose_items.item_groups), subject the path parsed from the quote, judged at the "
                                  "decimals the quotes print",
    "prose_item_change_pct": "the stated % against the range of %s the printed 执行数 and 预算安排 allow, each ± half "
                             "its last digit as the quote prints it (printed_places): no printed amount on either side",
    "procurement_lines_sum": "when the lines do not add up, the top-level rows of a table printed as a tree are "
                             "found by a memoised depth-first search over the amounts in print order, first "
                             "solution kept, capped at 50,000 states (procurement.top_level_lines); SQL would need "
                             "a second copy of that search to pick the same rows",
}


#: identity in SQL → the findings (no two sides, so no view row) its Python rule also states, and why.
#: The view yields every instance with two sides; these findings stay in check_results from Python.
FINDINGS_IN_PYTHON: dict[str, str] = {
    "prose_increase_vs_last_year": "a stated increase that cannot be checked (last year's disclosure not loaded, "
                                   "or the figure not printed in both years) is a finding without a right side",
}


def view_name(identity: str) -> str:
    return f"v_identity_{identity}"


def block_names() -> list[str]:
    """The building-block views, in dependency order."""
    return [re.search(r"VIEW (\w+)", sql).group(1) for sql in blocks_sql(CODED_KINDS, SUMMARY_KINDS)]


@contextmanager
def blocks_computed_once(con: duckdb.DuckDBPyConnection, document_ids: list[str] | None = None) -> Iterator[None]:
    """Within the block, this connection reads each building block from a temporary table holding its
    rows, computed once, instead of planning the nested views again in every identity view (DuckDB
    spends most of a view's time planning them). Temporary tables shadow the block views of the same
    name, also inside the identity views; a read-only connection may create them. The identity views'
    SQL is unchanged: they state the same rows either way (tests/test_checks_sql_identities.py).

    ``document_ids``: only these documents are checked (v_check_documents, which every other block and
    view stands on, holds just them), so one document's checks cost one document's blocks."""
    made = []
    try:
        for name in block_names():
            only = ("" if name != "v_check_documents" or document_ids is None
                    else " WHERE document_id IN (SELECT UNNEST(?::VARCHAR[]))")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM main.{name}{only}",
                        [list(document_ids)] if only else [])
            made.append(name)
        yield
    finally:
        for name in reversed(made):
            con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def create_identity_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the building blocks and every identity view (pipeline.load.schema.ensure_schema calls
    it after views.sql)."""
    statements = [*blocks_sql(CODED_KINDS, SUMMARY_KINDS), *SQL_IDENTITIES.values()]
    digest = hashlib.sha256("\n".join(statements).encode("utf-8")).hexdigest()
    names = [*block_names(), *(view_name(n) for n in SQL_IDENTITIES)]
    have = con.execute("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND comment = ? "
                       "AND view_name IN (SELECT UNNEST(?::VARCHAR[]))", [digest, names]).fetchone()[0]
    if have == len(names):
        return   # every view as this code makes it (each carries the digest): binding ~50 views costs ~0.6 s
    for sql in statements:
        con.execute(sql)
    for name in names:   # a view replaced by hand loses its comment, so the next load makes it again
        con.execute(f"COMMENT ON VIEW {name} IS '{digest}'")
