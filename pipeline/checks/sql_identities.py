"""Identities stated in SQL (issue 14, item 4): for each identity SQL can say, a view ``v_identity_<name>``
over the warehouse yields its two sides per instance with the tolerance, and a great-expectations
expectation over that view decides pass/fail (pipeline/checks/sql_gx.py).

Every view has the same columns: identity, document_id, department, year, subject (the instance, worded
as CheckResult.subject), left_value, right_value, difference, n, tolerance, within_tolerance,
left_pages, right_pages (INTEGER[]), then abs_difference_units and tolerance_units (BIGINT counts of
0.0000001 万元, exact, for GX). Amounts are DECIMAL; nothing is a float.

The views are generated from the building blocks (pipeline/checks/sql_blocks.py) and the catalogue's
parameters, never written one by one. An identity SQL cannot honestly say stays in Python, with its
reason, in ``PYTHON_ONLY``; a test holds every catalogue identity to be in exactly one of the two.

The Python rules stay the source of check_results: a view yields the instance as the rule computes it
*before* any downgrade (pipeline/checks/severity.py: consequences, conventions, unread tables are policy
over the verdict, in Python). tests/test_checks_sql_identities.py holds the views' sides, tolerances
and failing instances equal to the rules' on the demo district (with the seed) and on Jiangsu and Putuo.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from typing import Iterator

import duckdb

from pipeline.checks.catalogue import REGISTRY, REGISTRY_LIST, Cell
from pipeline.checks.sql_blocks import blocks_sql, normalised
from pipeline.checks.rules.performance import _FORM_PARTS, _FORM_TOTAL
from pipeline.checks.rules.prose_restated import PER_ITEM
from pipeline.checks.rules.within_table import _CLASS_NAMES, CODED_KINDS, ROW_RULES, SUMMARY_KINDS

_SUMMARY = "revenue_expenditure_summary"
_BASIC = "general_budget_basic_expenditure"
_GB = "general_budget_expenditure"


def _hy(a: str) -> str:
    """pipeline.checks.base.half_printed_yuan in SQL: half a 元 for a whole number of 元, else half a fen."""
    return f"(CASE WHEN coalesce({a}, 0) % 0.0001 = 0 THEN 0.00005 ELSE 0.0000005 END)"


#: the building blocks, longest name first (so a replacement never cuts a longer name)
_BLOCKS = ("v_check_summary_lines", "v_check_claims", "v_check_total_rows", "v_check_row_values", "v_check_code_rows",
           "v_check_cells", "v_check_rows")


def _view(name: str, instances: str, unit: str = "d.unit") -> str:
    """The view of one identity: ``instances`` selects document_id, subject, left_value, right_value, n,
    yuan_half (the sum of half the last printed digit of each amount of a 元 document: base.compare's
    ``parts``) and the pages; the tolerance is base.compare's (n × half the printed unit, in a 元
    document at least yuan_half)."""
    blocks = []
    for block in _BLOCKS:    # each block the view reads, computed once (inlined, DuckDB plans it per reference)
        if block in instances:
            instances = instances.replace(block, f"_{block}")
            blocks.append(f"_{block} AS MATERIALIZED (SELECT * FROM {block})")
    return f"""CREATE OR REPLACE VIEW v_identity_{name} AS
WITH {"".join(b + ", " for b in blocks)}instances AS (
{instances}
), judged AS (
    SELECT '{name}' AS identity, i.document_id, d.department, d.year, i.subject, i.left_value, i.right_value,
           coalesce(i.left_value, 0) - coalesce(i.right_value, 0) AS difference, i.n,
           CASE WHEN trim(coalesce({unit}, '万元')) = '元' THEN greatest(i.n * 0.0000005, i.yuan_half)
                ELSE i.n * 0.005 END AS tolerance,
           list_sort(list_distinct(i.left_pages)) AS left_pages, list_sort(list_distinct(i.right_pages)) AS right_pages
    FROM instances i JOIN v_check_documents d USING (document_id)
)
SELECT identity, document_id, department, year, subject, left_value, right_value, difference, n, tolerance,
       abs(difference) <= tolerance AS within_tolerance, left_pages, right_pages,
       CAST(abs(difference) * 10000000 AS BIGINT) AS abs_difference_units,
       CAST(tolerance * 10000000 AS BIGINT) AS tolerance_units
FROM judged"""


def _first_total(kind: str, alias: str) -> str:
    """CTE ``alias``: the 合计 row of each document's first table of ``kind``, one row per measure."""
    return f"""{alias} AS (
    SELECT t.document_id, t.table_index, c.measure, c.amount, r.page
    FROM v_check_total_rows t
    JOIN v_check_cells c USING (document_id, table_index, row_index)
    JOIN v_check_rows r USING (document_id, table_index, row_index)
    WHERE t.table_kind = '{kind}' AND t.first_of_kind
)"""


def _summary_line(alias: str, side: str, which: str) -> str:
    """CTE ``alias``: the first summary table's ``which`` line (current | grand | grand_or_current) of a side."""
    if which == "grand_or_current":
        pick = "coalesce(arg_min(row_index, row_index) FILTER (WHERE is_grand), " \
               "arg_min(row_index, row_index) FILTER (WHERE is_current))"
        return f"""{alias} AS (
    SELECT s.document_id, s.table_index, s.row_index, s.value, s.page, s.key
    FROM v_check_summary_lines s
    JOIN (SELECT document_id, table_index, {pick} AS row_index FROM v_check_summary_lines
          WHERE table_kind = '{_SUMMARY}' AND first_of_kind AND side = '{side}' GROUP BY ALL) p
      USING (document_id, table_index, row_index)
)"""
    return f"""{alias} AS (
    SELECT document_id, table_index, row_index, value, page, key FROM v_check_summary_lines
    WHERE table_kind = '{_SUMMARY}' AND first_of_kind AND side = '{side}' AND is_{which}
)"""


def _all_fiscal() -> str:
    """CTE ``all_fiscal``: documents whose summary's revenue is all fiscal appropriation
    (cross_table._all_fiscal: 收入总计, else 本年收入合计, equals the 一般公共预算/财政拨款 收入 line)."""
    return f"""{_summary_line("rev_whole", "revenue", "grand_or_current")}, fiscal_line AS (
    SELECT document_id, table_index, value FROM v_check_summary_lines
    WHERE table_kind = '{_SUMMARY}' AND first_of_kind AND side = 'revenue'
      AND regexp_full_match(key, '(一般公共预算|财政拨款)(拨款)?收入')
    QUALIFY row_number() OVER (PARTITION BY document_id, table_index ORDER BY row_index) = 1
), all_fiscal AS (
    SELECT w.document_id FROM rev_whole w JOIN fiscal_line f USING (document_id, table_index)
    WHERE w.value IS NOT NULL AND w.value = f.value
)"""


# --- within one table -------------------------------------------------------------------------


def _row_total() -> str:
    """One SELECT per row rule of within_table.ROW_RULES (the data the Python rule reads), over each row's
    measures as columns: whole = Σ the parts the row prints, the alternative parts when they add up and
    the first do not."""
    measures = sorted({m for r in ROW_RULES for m in (r.whole, *r.parts, *(r.alt or ()),
                                                      *(x for _, ms in r.when for x in ms))})
    col = lambda m: f"m_{m}"   # noqa: E731
    pivot = ", ".join(f"any_value(c.amount) FILTER (WHERE c.measure = '{m}') AS {col(m)}" for m in measures)

    def cond(how: str, ms: tuple[str, ...]) -> str:
        has = [f"{col(m)} IS NOT NULL" for m in ms]
        return {"all": " AND ".join(has), "any": "(" + " OR ".join(has) + ")",
                "none": "NOT (" + " OR ".join(has) + ")"}[how]

    def summed(parts: tuple[str, ...]) -> tuple[str, str, str]:
        return (" + ".join(f"coalesce({col(p)}, 0)" for p in parts),
                " + ".join(f"CAST({col(p)} IS NOT NULL AS INTEGER)" for p in parts),
                " + ".join(f"CASE WHEN {col(p)} IS NOT NULL THEN {_hy(col(p))} ELSE 0 END" for p in parts))

    selects = []
    for r in ROW_RULES:
        s, n, hy = summed(r.parts)
        kinds = ", ".join(f"'{k}'" for k in r.kinds)
        where = " AND ".join([f"table_kind IN ({kinds})", f"{col(r.whole)} IS NOT NULL", cond("any", r.parts)]
                             + [cond(how, ms) for how, ms in r.when])
        if r.alt:
            a_s, a_n, a_hy = summed(r.alt)
            use_alt = f"(({s}) <> {col(r.whole)} AND ({a_s}) = {col(r.whole)})"
            s, n, hy = (f"CASE WHEN {use_alt} THEN {a_s} ELSE {s} END",
                        f"CASE WHEN {use_alt} THEN {a_n} ELSE {n} END",
                        f"CASE WHEN {use_alt} THEN {a_hy} ELSE {hy} END")
        subject = f"table_kind || ' row ''' || label || ''' {r.whole}'"
        selects.append(
            f"SELECT document_id, {subject} AS subject, {col(r.whole)} AS left_value, {s} AS right_value, "
            f"{n} AS n, {_hy(col(r.whole))} + {hy} AS yuan_half, [page] AS left_pages, [page] AS right_pages\n"
            f"FROM row_measures WHERE {where}")
    union = "\nUNION ALL\n".join(selects)
    return f"""WITH row_measures AS MATERIALIZED (
    SELECT r.document_id, r.table_index, r.row_index, r.table_kind, r.label, r.page, {pivot}
    FROM v_check_rows r JOIN v_check_cells c USING (document_id, table_kind, table_index, row_index)
    GROUP BY r.document_id, r.table_index, r.row_index, r.table_kind, r.label, r.page
)
{union}"""


def _code_hierarchy() -> str:
    return f"""WITH kids AS (
    SELECT k.document_id, k.table_index, k.table_kind, k.parent, c.measure, c.amount, k.page
    FROM v_check_code_rows k JOIN v_check_cells c USING (document_id, table_index, row_index)
    WHERE k.parent IS NOT NULL
), parents AS (       -- each parent code's first row
    SELECT p.document_id, p.table_index, p.code, min(p.row_index) AS row_index
    FROM v_check_code_rows p
    JOIN (SELECT DISTINCT document_id, table_index, parent AS code FROM kids) k USING (document_id, table_index, code)
    GROUP BY ALL
), parent_cells AS (
    SELECT p.document_id, p.table_index, p.code, c.measure, c.amount, r.page
    FROM parents p JOIN v_check_cells c USING (document_id, table_index, row_index)
    JOIN v_check_rows r USING (document_id, table_index, row_index)
), sums AS (
    SELECT document_id, table_index, any_value(table_kind) AS table_kind, parent AS code, measure,
           sum(amount) AS amount, count(*) AS n, sum({_hy("amount")}) AS hy, list(page) AS pages
    FROM kids GROUP BY document_id, table_index, parent, measure
), measures AS (
    SELECT DISTINCT document_id, table_index, code, measure FROM parent_cells
    UNION SELECT document_id, table_index, code, measure FROM sums
), parent_page AS (
    SELECT p.document_id, p.table_index, p.code, r.page, r.table_kind FROM parents p
    JOIN v_check_rows r USING (document_id, table_index, row_index)
)
SELECT m.document_id, pp.table_kind || ' ' || m.code || '.' || m.measure AS subject, pc.amount AS left_value,
       coalesce(s.amount, 0) AS right_value, greatest(coalesce(s.n, 0), 1) AS n,
       {_hy("pc.amount")} + coalesce(s.hy, 0) AS yuan_half, [pp.page] AS left_pages,
       coalesce(s.pages, []) AS right_pages
FROM measures m
JOIN parent_page pp USING (document_id, table_index, code)
LEFT JOIN parent_cells pc USING (document_id, table_index, code, measure)
LEFT JOIN sums s USING (document_id, table_index, code, measure)"""


def _column_total() -> str:
    return f"""WITH roots AS (
    SELECT k.document_id, k.table_index, k.table_kind, c.measure, c.amount, k.page
    FROM v_check_code_rows k JOIN v_check_cells c USING (document_id, table_index, row_index)
    WHERE k.parent IS NULL
), rooted AS (SELECT DISTINCT document_id, table_index FROM v_check_code_rows WHERE parent IS NULL
), tot AS (
    SELECT t.document_id, t.table_index, t.table_kind, c.measure, c.amount, r.page
    FROM v_check_total_rows t JOIN rooted USING (document_id, table_index)
    JOIN v_check_cells c USING (document_id, table_index, row_index)
    JOIN v_check_rows r USING (document_id, table_index, row_index)
    WHERE t.table_kind IN ({", ".join(f"'{k}'" for k in CODED_KINDS)})
), tot_row AS (
    SELECT t.document_id, t.table_index, t.table_kind, r.page FROM v_check_total_rows t
    JOIN rooted USING (document_id, table_index) JOIN v_check_rows r USING (document_id, table_index, row_index)
    WHERE t.table_kind IN ({", ".join(f"'{k}'" for k in CODED_KINDS)})
), sums AS (
    SELECT document_id, table_index, measure, sum(amount) AS amount, count(*) AS n, sum({_hy("amount")}) AS hy,
           list(page) AS pages
    FROM roots GROUP BY ALL
), measures AS (
    SELECT document_id, table_index, measure FROM tot UNION SELECT document_id, table_index, measure FROM sums
)
SELECT m.document_id, tr.table_kind || ' 合计.' || m.measure AS subject, t.amount AS left_value,
       coalesce(s.amount, 0) AS right_value, greatest(coalesce(s.n, 0), 1) AS n,
       {_hy("t.amount")} + coalesce(s.hy, 0) AS yuan_half, [tr.page] AS left_pages, coalesce(s.pages, []) AS right_pages
FROM measures m
JOIN tot_row tr USING (document_id, table_index)
LEFT JOIN tot t USING (document_id, table_index, measure)
LEFT JOIN sums s USING (document_id, table_index, measure)
WHERE t.amount IS NOT NULL OR coalesce(s.amount, 0) <> 0"""


def _summary_current_totals() -> str:
    """本年收入合计 / 本年支出合计 against the side's items, column by column (a side printing its items in
    two columns, left edges more than 20 pt apart, adds up in each); a column failing may be the 类 rows
    printed with their 款 rows: then the 类 rows alone, when they hold (within_table.summary_identities)."""
    classes = ", ".join(f"'{k}'" for k in sorted(_CLASS_NAMES))
    tol = lambda n, hy: (f"CASE WHEN trim(coalesce(d.unit, '万元')) = '元' THEN greatest(({n}) * 0.0000005, {hy}) "   # noqa: E731
                         f"ELSE ({n}) * 0.005 END")
    return f"""WITH items AS (
    SELECT * FROM v_check_summary_lines WHERE is_item
), sides AS (        -- a side with a current total and items; its 类 rows stand in only on an unnumbered side
    SELECT i.document_id, i.table_index, i.table_kind, i.side, c.row_index AS current_row, c.value AS current_value,
           c.key AS current_key, c.page AS current_page, bool_or(i.x0 IS NULL) FILTER (WHERE i.value IS NOT NULL) AS no_x,
           NOT bool_or(i.numbered) AND count(*) FILTER (WHERE i.key IN ({classes})) BETWEEN 1 AND count(*) - 1 AS by_class
    FROM items i JOIN v_check_summary_lines c ON c.document_id = i.document_id AND c.table_index = i.table_index
     AND c.side = i.side AND c.is_current
    GROUP BY ALL
), present AS (
    SELECT i.document_id, i.table_index, i.side, i.row_index, i.value, i.page, i.key, i.x0,
           CASE WHEN s.no_x THEN 0 ELSE coalesce(i.x0 - lag(i.x0) OVER w > 20, false)::INTEGER END AS new_column,
           s.by_class AND i.key IN ({classes}) AS is_class
    FROM items i JOIN sides s USING (document_id, table_index, side)
    WHERE i.value IS NOT NULL
    WINDOW w AS (PARTITION BY i.document_id, i.table_index, i.side ORDER BY i.x0, i.row_index)
), columns AS (
    SELECT *, sum(new_column) OVER (PARTITION BY document_id, table_index, side ORDER BY x0, row_index
                                    ROWS UNBOUNDED PRECEDING) AS col
    FROM present
), sums AS (
    SELECT document_id, table_index, side, col,
           sum(value) AS amount, count(*) AS n, sum({_hy("value")}) AS hy, list(page) AS pages,
           sum(value) FILTER (WHERE is_class) AS c_amount, count(*) FILTER (WHERE is_class) AS c_n,
           sum({_hy("value")}) FILTER (WHERE is_class) AS c_hy, list(page) FILTER (WHERE is_class) AS c_pages
    FROM columns GROUP BY ALL
    UNION ALL            -- a side whose items print no amount: one column adding up to nothing
    SELECT document_id, table_index, side, 0, 0, 0, 0, [], NULL, 0, NULL, NULL FROM sides s
    WHERE NOT EXISTS (SELECT 1 FROM present p WHERE p.document_id = s.document_id
                      AND p.table_index = s.table_index AND p.side = s.side)
), judged AS (
    SELECT s.*, x.col, x.amount, x.n, x.hy, x.pages, x.c_amount, x.c_n, x.c_hy, x.c_pages,
           abs(coalesce(s.current_value, 0) - x.amount) > {tol("greatest(x.n, 1)", _hy("s.current_value") + " + x.hy")}
           AND x.c_n > 0 AND x.c_n < x.n
           AND abs(coalesce(s.current_value, 0) - x.c_amount) <= {tol("x.c_n", _hy("s.current_value") + " + x.c_hy")}
               AS by_classes
    FROM sides s JOIN sums x USING (document_id, table_index, side) JOIN v_check_documents d USING (document_id)
)
SELECT document_id, table_kind || ' ' || current_key || CASE WHEN col > 0 THEN ' #' || (col + 1) ELSE '' END
           AS subject,
       current_value AS left_value, CASE WHEN by_classes THEN c_amount ELSE amount END AS right_value,
       CASE WHEN by_classes THEN c_n ELSE greatest(n, 1) END AS n,
       {_hy("current_value")} + CASE WHEN by_classes THEN c_hy ELSE hy END AS yuan_half,
       [current_page] AS left_pages, CASE WHEN by_classes THEN c_pages ELSE pages END AS right_pages
FROM judged"""


def _summary_carryover() -> str:
    return f"""WITH ends AS (
    SELECT document_id, table_index, table_kind, side,
           arg_min(row_index, row_index) FILTER (WHERE is_grand) AS grand_row,
           arg_min(row_index, row_index) FILTER (WHERE is_current) AS current_row
    FROM v_check_summary_lines GROUP BY ALL
), carry AS (
    SELECT document_id, table_index, side, sum(value) AS amount, count(*) AS n, sum({_hy("value")}) AS hy,
           list(page) AS pages
    FROM v_check_summary_lines WHERE is_carry AND value IS NOT NULL GROUP BY ALL
)
SELECT e.document_id, e.table_kind || ' ' || g.key AS subject, g.value AS left_value,
       c.value + coalesce(k.amount, 0) AS right_value, 1 + coalesce(k.n, 0) AS n,
       {_hy("g.value")} + {_hy("c.value")} + coalesce(k.hy, 0) AS yuan_half, [g.page] AS left_pages,
       list_concat([c.page], coalesce(k.pages, [])) AS right_pages
FROM ends e
JOIN v_check_summary_lines g ON g.document_id = e.document_id AND g.table_index = e.table_index
 AND g.side = e.side AND g.row_index = e.grand_row
JOIN v_check_summary_lines c ON c.document_id = e.document_id AND c.table_index = e.table_index
 AND c.side = e.side AND c.row_index = e.current_row
LEFT JOIN carry k ON k.document_id = e.document_id AND k.table_index = e.table_index AND k.side = e.side"""


def _summary_balance() -> str:
    return f"""WITH g AS (SELECT * FROM v_check_summary_lines WHERE is_grand)
SELECT r.document_id, r.table_kind || ' 收入总计=支出总计' AS subject, r.value AS left_value,
       e.value AS right_value, 1 AS n, {_hy("r.value")} + {_hy("e.value")} AS yuan_half,
       [r.page] AS left_pages, [e.page] AS right_pages
FROM g r JOIN g e ON e.document_id = r.document_id AND e.table_index = r.table_index
 AND r.side = 'revenue' AND e.side = 'expenditure'"""


# --- across the tables of one document -------------------------------------------------------------


def _summary_revenue_vs_revenue_table() -> str:
    # the revenue table's current year: its 本年收入 小计, else 合计 − 上年结转, else its 合计
    return f"""WITH {_summary_line("cur", "revenue", "current")}, {_first_total("revenue_summary", "rt")},
rev AS (
    SELECT document_id, any_value(page) AS page,
           CASE WHEN bool_or(measure = 'current_total') THEN any_value(amount) FILTER (WHERE measure = 'current_total')
                WHEN bool_or(measure = 'total') AND bool_or(measure = 'carryover')
                THEN any_value(amount) FILTER (WHERE measure = 'total') - any_value(amount) FILTER (WHERE measure = 'carryover')
                ELSE any_value(amount) FILTER (WHERE measure = 'total') END AS amount
    FROM rt GROUP BY document_id
)
SELECT c.document_id, '本年收入合计' AS subject, c.value AS left_value, r.amount AS right_value, 1 AS n,
       {_hy("c.value")} + {_hy("r.amount")} AS yuan_half, [c.page] AS left_pages, [r.page] AS right_pages
FROM cur c JOIN rev r USING (document_id) WHERE r.amount IS NOT NULL"""


def _summary_expenditure_vs_expenditure_table() -> str:
    return f"""WITH {_summary_line("cur", "expenditure", "current")}, {_first_total("expenditure_summary", "et")}
SELECT c.document_id, '本年支出合计' AS subject, c.value AS left_value, e.amount AS right_value, 1 AS n,
       {_hy("c.value")} + {_hy("e.amount")} AS yuan_half, [c.page] AS left_pages, [e.page] AS right_pages
FROM cur c JOIN et e ON e.document_id = c.document_id AND e.measure = 'total'"""


def _summary_class_vs_expenditure_table() -> str:
    """Each 类 row of the expenditure table against the summary's expenditure item of the same label (the
    first), in total; and its basic column against the item's 基本支出 (or 人员经费 + 公用经费)."""
    return f"""WITH classes AS (
    SELECT r.document_id, r.row_index, r.key, r.code, r.page, c.measure, c.amount
    FROM v_check_rows r JOIN v_check_cells c USING (document_id, table_kind, table_index, row_index)
    WHERE r.table_kind = 'expenditure_summary' AND r.first_of_kind AND length(r.code) = 3
      AND c.measure IN ('total', 'basic')
), items AS (
    SELECT document_id, table_index, row_index, key, value, page FROM v_check_summary_lines
    WHERE table_kind = '{_SUMMARY}' AND first_of_kind AND side = 'expenditure' AND is_item
    QUALIFY row_number() OVER (PARTITION BY document_id, key ORDER BY row_index) = 1
), item_basic AS (     -- cross_table._basic_of: the 基本支出 column, else 人员经费 + 公用经费 as printed
    SELECT i.document_id, i.key, i.page,
           CASE WHEN bool_or(c.measure = 'basic') THEN any_value(c.amount) FILTER (WHERE c.measure = 'basic')
                ELSE sum(c.amount) FILTER (WHERE c.measure IN ('personnel', 'public_funds')) END AS amount,
           CASE WHEN bool_or(c.measure = 'basic') THEN {_hy("any_value(c.amount) FILTER (WHERE c.measure = 'basic')")}
                ELSE sum({_hy("c.amount")}) FILTER (WHERE c.measure IN ('personnel', 'public_funds')) END AS hy
    FROM items i JOIN v_check_cells c ON c.document_id = i.document_id AND c.table_index = i.table_index
     AND c.row_index = i.row_index AND c.measure IN ('basic', 'personnel', 'public_funds')
    GROUP BY i.document_id, i.key, i.page
)
SELECT k.document_id, '类 ' || k.code AS subject, i.value AS left_value, k.amount AS right_value, 1 AS n,
       {_hy("i.value")} + {_hy("k.amount")} AS yuan_half, [i.page] AS left_pages, [k.page] AS right_pages
FROM classes k JOIN items i USING (document_id, key) WHERE k.measure = 'total'
UNION ALL
SELECT k.document_id, '类 ' || k.code || ' basic', b.amount, k.amount, 1, {_hy("b.amount")} + b.hy, [b.page], [k.page]
FROM classes k JOIN item_basic b USING (document_id, key)
WHERE k.measure = 'basic' AND b.amount IS NOT NULL
  AND EXISTS (SELECT 1 FROM classes t WHERE t.document_id = k.document_id AND t.row_index = k.row_index
              AND t.measure = 'total')"""


def _fiscal_summary_vs_summary() -> str:
    """The fiscal summary's 一般公共预算 / 政府性基金 / 国有资本经营 revenue items against the summary's item
    of the same label (the first)."""
    return f"""WITH items AS (
    SELECT document_id, table_kind, row_index, key, value, page FROM v_check_summary_lines
    WHERE table_kind IN ('fiscal_summary', '{_SUMMARY}') AND first_of_kind AND side = 'revenue' AND is_item
), summ AS (
    SELECT * FROM items WHERE table_kind = '{_SUMMARY}'
    QUALIFY row_number() OVER (PARTITION BY document_id, key ORDER BY row_index) = 1
)
SELECT f.document_id, f.key AS subject, f.value AS left_value, s.value AS right_value, 1 AS n,
       {_hy("f.value")} + {_hy("s.value")} AS yuan_half, [f.page] AS left_pages, [s.page] AS right_pages
FROM items f JOIN summ s USING (document_id, key)
WHERE f.table_kind = 'fiscal_summary' AND regexp_matches(f.key, '一般公共预算|政府性基金|国有资本经营')
  AND f.value IS NOT NULL AND s.value IS NOT NULL"""


def _general_budget_vs_basic_table() -> str:
    """The general-budget table's 合计 against the basic table's, per measure pair of the catalogue; and,
    when all the summary's money is fiscal, the summary's 人员经费 / 公用经费 (支出总计, else 本年支出合计)."""
    pairs = ", ".join(f"('{a}', '{b}')" for a, b in REGISTRY["general_budget_vs_basic_table"].params["measures"])
    return f"""WITH {_first_total(_GB, "gt")}, {_first_total(_BASIC, "bt")}, {_all_fiscal()},
{_summary_line("exp_row", "expenditure", "grand_or_current")},
pairs(left_measure, right_measure) AS (VALUES {pairs})
SELECT g.document_id, p.left_measure AS subject, g.amount AS left_value, b.amount AS right_value, 1 AS n,
       {_hy("g.amount")} + {_hy("b.amount")} AS yuan_half, [g.page] AS left_pages, [b.page] AS right_pages
FROM pairs p JOIN gt g ON g.measure = p.left_measure
JOIN bt b ON b.document_id = g.document_id AND b.measure = p.right_measure
UNION ALL
SELECT e.document_id, 'summary ' || c.measure AS subject, c.amount, b.amount, 1,
       {_hy("c.amount")} + {_hy("b.amount")}, [r.page], [b.page]
FROM exp_row e
JOIN all_fiscal USING (document_id)
JOIN v_check_cells c ON c.document_id = e.document_id AND c.table_index = e.table_index
 AND c.row_index = e.row_index AND c.measure IN ('personnel', 'public_funds')
JOIN v_check_rows r ON r.document_id = e.document_id AND r.table_index = e.table_index AND r.row_index = e.row_index
JOIN bt b ON b.document_id = e.document_id AND b.measure = c.measure"""


def _class_split(name: str) -> str:
    """人员经费 = 301 + 303, 公用经费 = 302 + 310: the basic table's 合计 in one measure against the 合计
    column of the first row printing each 类 (catalogue params ``measure`` and ``classes``)."""
    p = REGISTRY[name].params
    classes = ", ".join(f"'{c}'" for c in p["classes"])
    return f"""WITH {_first_total(_BASIC, "bt")}, firsts AS (
    SELECT document_id, table_index, code, min(row_index) AS row_index FROM v_check_rows
    WHERE table_kind = '{_BASIC}' AND first_of_kind AND code IN ({classes}) GROUP BY ALL
), classes AS (
    SELECT f.document_id, sum(c.amount) AS amount, count(*) AS n, list(r.page) AS pages
    FROM firsts f JOIN v_check_cells c USING (document_id, table_index, row_index)
    JOIN v_check_rows r USING (document_id, table_index, row_index)
    WHERE c.measure = 'total' GROUP BY f.document_id
)
SELECT b.document_id, '{p["measure"]}' AS subject, b.amount AS left_value, c.amount AS right_value, c.n,
       {_hy("b.amount")} + {_hy("c.amount")} AS yuan_half, [b.page] AS left_pages, c.pages AS right_pages
FROM bt b JOIN classes c USING (document_id) WHERE b.measure = '{p["measure"]}'"""


def _operating_expenses_vs_summary_public_funds() -> str:
    """The 三公 table's 机关运行经费 (its 合计 row, or its only row) against the summary's 公用经费, when all
    the summary's money is fiscal and the basic table prints a 合计 (compared in 万元)."""
    return f"""WITH {_all_fiscal()}, {_summary_line("exp_row", "expenditure", "grand_or_current")},
basic AS (SELECT document_id FROM v_check_total_rows
          WHERE table_kind = '{_BASIC}' AND first_of_kind AND row_index IS NOT NULL),
three AS (
    SELECT t.document_id, t.table_index, coalesce(t.row_index, CASE WHEN count(r.row_index) = 1
           THEN any_value(r.row_index) END) AS row_index
    FROM v_check_total_rows t JOIN v_check_rows r USING (document_id, table_index)
    WHERE t.table_kind = 'three_public' AND t.first_of_kind GROUP BY t.document_id, t.table_index, t.row_index
)
SELECT e.document_id, '机关运行经费' AS subject, o.amount AS left_value, s.amount AS right_value, 1 AS n,
       0 AS yuan_half, [orow.page] AS left_pages, [srow.page] AS right_pages
FROM exp_row e JOIN all_fiscal USING (document_id) JOIN basic USING (document_id)
JOIN three t USING (document_id)
JOIN v_check_cells o ON o.document_id = t.document_id AND o.table_index = t.table_index
 AND o.row_index = t.row_index AND o.measure = 'operating_expenses_of_organ'
JOIN v_check_rows orow ON orow.document_id = t.document_id AND orow.table_index = t.table_index
 AND orow.row_index = t.row_index
JOIN v_check_cells s ON s.document_id = e.document_id AND s.table_index = e.table_index
 AND s.row_index = e.row_index AND s.measure = 'public_funds'
JOIN v_check_rows srow ON srow.document_id = e.document_id AND srow.table_index = e.table_index
 AND srow.row_index = e.row_index"""


# --- prose restating one table cell (the catalogue's Cell entries) ------------------------------------


def _cell(cell: Cell) -> str:
    """SELECT document_id, value, page of one catalogue Cell: the first table of its kind printing it
    (prose_restated.resolve_cell)."""
    if cell.table_kind == "procurement":
        return """SELECT document_id, amount AS value, page FROM procurement_lines
    WHERE is_total QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY table_index, row_index) = 1"""
    if cell.row.startswith("grand:"):   # the grand total, when the side prints a carry-over
        side = cell.row[6:]
        rows = f"""SELECT document_id, table_index, row_index FROM v_check_summary_lines g
    WHERE table_kind = '{cell.table_kind}' AND side = '{side}' AND is_grand
      AND EXISTS (SELECT 1 FROM v_check_summary_lines c WHERE c.document_id = g.document_id
                  AND c.table_index = g.table_index AND c.side = g.side AND c.is_carry AND c.value <> 0)"""
    elif cell.row == "total":           # the 合计 row, or the only row of a one-row table
        rows = f"""SELECT t.document_id, t.table_index, coalesce(t.row_index,
           CASE WHEN count(r.row_index) = 1 THEN any_value(r.row_index) END) AS row_index
    FROM v_check_total_rows t JOIN v_check_rows r USING (document_id, table_kind, table_index)
    WHERE t.table_kind = '{cell.table_kind}' GROUP BY t.document_id, t.table_index, t.row_index"""
    else:
        how, _, what = cell.row.partition(":")
        column = {"code": "code", "name": "key"}[how]
        rows = f"""SELECT document_id, table_index, min(row_index) AS row_index FROM v_check_rows
    WHERE table_kind = '{cell.table_kind}' AND {column} = '{what}' GROUP BY document_id, table_index"""
    if cell.measure is None:
        value = "JOIN v_check_row_values v USING (document_id, table_index, row_index)"
    else:
        value = (f"JOIN v_check_cells v ON v.document_id = x.document_id AND v.table_index = x.table_index "
                 f"AND v.row_index = x.row_index AND v.measure = '{cell.measure}'")
    found = f"""SELECT x.document_id, x.table_index, {'v.value' if cell.measure is None else 'v.amount'} AS value, r.page
    FROM ({rows}) x {value}
    JOIN v_check_rows r ON r.document_id = x.document_id AND r.table_index = x.table_index AND r.row_index = x.row_index"""
    tables = f"""SELECT document_id, value, page FROM ({found}) f WHERE value IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY table_index) = 1"""
    if cell.table_kind == "assets":     # the assets table's own rows first: the first whose label holds the name
        what = cell.row.partition(":")[2]
        return f"""SELECT document_id, amount AS value, page FROM assets
    WHERE amount IS NOT NULL AND contains({normalised("item")}, '{what}')
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY row_index) = 1
UNION ALL
SELECT * FROM ({tables}) WHERE document_id NOT IN (SELECT document_id FROM assets)"""
    return tables


def _prose(name: str) -> str:
    """Each distinct amount the prose states for the metric (not scoped to a subject) against the first
    cell of the catalogue entry the document prints that equals it; else the grand total when the quote
    says 总计, else the first current-year cell printed (prose_restated.restatements)."""
    ident = REGISTRY[name]
    cells = "\nUNION ALL\n".join(
        f"SELECT document_id, {i} AS pos, {str(c.row.startswith('grand:')).upper()} AS grand, value, page "
        f"FROM ({_cell(c)})" for i, c in enumerate(ident.cells))
    return f"""WITH amounts AS (
    SELECT document_id, amount, arg_min(quote, ord) AS quote, list(page ORDER BY ord) AS pages
    FROM v_check_claims WHERE metric = '{ident.metric}' AND NOT scoped GROUP BY document_id, amount
), cells AS (
{cells}
), picked AS (
    SELECT a.document_id, a.amount, a.pages, coalesce(
        min(c.pos) FILTER (WHERE c.value = a.amount),
        CASE WHEN contains(coalesce(a.quote, ''), '总计') THEN min(c.pos) FILTER (WHERE c.grand) END,
        min(c.pos) FILTER (WHERE NOT c.grand), min(c.pos)) AS pos
    FROM amounts a JOIN cells c USING (document_id) GROUP BY a.document_id, a.amount, a.pages, a.quote
)
SELECT p.document_id, '{ident.metric}' AS subject, p.amount AS left_value, c.value AS right_value, 1 AS n,
       0 AS yuan_half, p.pages AS left_pages, [c.page] AS right_pages
FROM picked p JOIN cells c ON c.document_id = p.document_id AND c.pos = p.pos"""


def _first_claims(metrics: tuple[str, ...]) -> str:
    """CTE ``first_claims``: each document's first statement of each metric (not scoped to a subject)."""
    listed = ", ".join(f"'{m}'" for m in metrics)
    return f"""first_claims AS (
    SELECT document_id, metric, amount, page, quote FROM v_check_claims WHERE metric IN ({listed}) AND NOT scoped
    QUALIFY row_number() OVER (PARTITION BY document_id, metric ORDER BY ord) = 1
)"""


def _prose_increase_parts() -> str:
    """The stated increase against its stated 基本 + 项目 parts, when all three are stated."""
    return f"""WITH {_first_claims(("increase_total", "increase_basic", "increase_project"))}
SELECT t.document_id, 'increase_total' AS subject, t.amount AS left_value, b.amount + p.amount AS right_value,
       2 AS n, 0 AS yuan_half, [t.page] AS left_pages, [b.page, p.page] AS right_pages
FROM first_claims t
JOIN first_claims b ON b.document_id = t.document_id AND b.metric = 'increase_basic'
JOIN first_claims p ON p.document_id = t.document_id AND p.metric = 'increase_project'
WHERE t.metric = 'increase_total'"""


def _prose_self_consistent() -> str:
    """Each metric's first stated amount against every other amount stated for it (n = 0: one figure)."""
    per_item = ", ".join(f"'{m}'" for m in sorted(PER_ITEM))
    return f"""WITH amounts AS (
    SELECT document_id, metric, amount, min(ord) AS first, list(page ORDER BY ord) AS pages
    FROM v_check_claims WHERE NOT scoped AND metric NOT IN ({per_item}) GROUP BY ALL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY document_id, metric ORDER BY first) AS k FROM amounts
)
SELECT o.document_id, o.metric AS subject, f.amount AS left_value, o.amount AS right_value, 0 AS n,
       0 AS yuan_half, f.pages AS left_pages, o.pages AS right_pages
FROM ranked o JOIN ranked f ON f.document_id = o.document_id AND f.metric = o.metric AND f.k = 1
WHERE o.k > 1"""


def _prose_operating_expenses_is_302() -> str:
    """Each statement that the 机关运行经费 equals the basic table's 302 line, against that line's total."""
    return f"""WITH first302 AS (   -- the first 302 row (basic.by_code), when it prints a total
    SELECT document_id, table_index, min(row_index) AS row_index FROM v_check_rows
    WHERE table_kind = '{_BASIC}' AND first_of_kind AND code = '302' GROUP BY document_id, table_index
), row302 AS (
    SELECT f.document_id, r.page, c.amount FROM first302 f
    JOIN v_check_rows r USING (document_id, table_index, row_index)
    JOIN v_check_cells c USING (document_id, table_kind, table_index, row_index)
    WHERE c.measure = 'total'
)
SELECT c.document_id, '机关运行经费 = 302' AS subject, c.amount AS left_value, r.amount AS right_value, 1 AS n,
       0 AS yuan_half, [c.page] AS left_pages, [r.page] AS right_pages
FROM v_check_claims c JOIN row302 r USING (document_id)
WHERE c.metric = 'operating_expenses_stated_as_302' AND NOT c.scoped"""


# --- performance-target project forms ------------------------------------------------------------------


def _project_forms() -> str:
    """CTEs ``form_totals`` (each project form's 年度资金申请总额) and ``form_parts`` (its 当年财政拨款 / 上年结转资金 /
    其他资金 rows, the first of each name), as performance.project_forms reads them."""
    parts = ", ".join(f"'{p}'" for p in _FORM_PARTS)
    return f"""form_rows AS (
    SELECT r.document_id, r.table_index, r.row_index, r.page, v.value,
           CASE WHEN starts_with(r.key, '其中:') THEN r.key[4:] ELSE r.key END AS part_key, r.key
    FROM v_check_rows r JOIN v_check_row_values v USING (document_id, table_kind, table_index, row_index)
    WHERE r.table_kind = 'performance_targets' AND v.table_kind = 'performance_targets' AND v.value IS NOT NULL
), form_totals AS (
    SELECT document_id, table_index, value, page FROM form_rows WHERE key = '{_FORM_TOTAL}'
    QUALIFY row_number() OVER (PARTITION BY document_id, table_index ORDER BY row_index) = 1
), form_parts AS (
    SELECT p.document_id, p.table_index, p.value, p.page FROM form_rows p
    JOIN form_totals USING (document_id, table_index)
    WHERE p.part_key IN ({parts})
    QUALIFY row_number() OVER (PARTITION BY p.document_id, p.table_index, p.part_key ORDER BY p.row_index) = 1
)"""


def _project_form_funds_add_up() -> str:
    return f"""WITH {_project_forms()}, sums AS (
    SELECT document_id, table_index, sum(value) AS amount, count(*) AS n, sum({_hy("value")}) AS hy,
           list(page) AS pages
    FROM form_parts GROUP BY ALL
)
SELECT t.document_id, 'form table ' || t.table_index AS subject, t.value AS left_value, s.amount AS right_value, s.n,
       {_hy("t.value")} + s.hy AS yuan_half, [t.page] AS left_pages, s.pages AS right_pages
FROM form_totals t JOIN sums s USING (document_id, table_index)"""


def _prose_project_budget_vs_forms() -> str:
    """The prose's first 涉及项目预算资金 (not scoped to a subject) against the forms' 年度资金申请总额 summed."""
    return f"""WITH {_project_forms()}, claim AS (
    SELECT document_id, amount, page FROM v_check_claims WHERE metric = 'project_targets_budget' AND NOT scoped
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY ord) = 1
), forms AS (
    SELECT document_id, sum(value) AS amount, count(*) AS n, list(page) AS pages FROM form_totals GROUP BY ALL
)
SELECT c.document_id, 'project_targets_budget' AS subject, c.amount AS left_value, f.amount AS right_value, f.n,
       0 AS yuan_half, [c.page] AS left_pages, f.pages AS right_pages
FROM claim c JOIN forms f USING (document_id)"""


# --- procurement ---------------------------------------------------------------------------------


def _procurement_line_product() -> str:
    return f"""SELECT p.document_id, 'line ' || p.row_index || ' ' || coalesce(p.item, 'None') AS subject,
       p.quantity * p.unit_price AS left_value, p.amount AS right_value,
       CAST(ceil(abs(p.quantity)) AS INTEGER) + 1 AS n,
       {_hy("p.quantity * p.unit_price")} + {_hy("p.amount")} AS yuan_half, [p.page] AS left_pages,
       [p.page] AS right_pages
FROM procurement_lines p JOIN v_check_documents USING (document_id)
WHERE NOT p.is_total AND p.quantity IS NOT NULL AND p.unit_price IS NOT NULL AND p.amount IS NOT NULL"""


def _procurement_budget_column() -> str:
    """The 预算资金 column against the 合计 (its 预算资金, else its amount), when the 合计 prints an amount."""
    return f"""WITH lines AS (
    SELECT p.* FROM procurement_lines p JOIN v_check_documents USING (document_id)
), tot AS (
    SELECT document_id, amount, budget, page FROM lines WHERE is_total
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY table_index, row_index) = 1
), budgets AS (
    SELECT document_id, sum(budget) AS amount, count(*) AS n, list(page) AS pages
    FROM lines WHERE NOT is_total AND budget IS NOT NULL GROUP BY document_id
)
SELECT t.document_id, '预算资金' AS subject, coalesce(t.budget, t.amount) AS left_value, b.amount AS right_value,
       b.n, {_hy("coalesce(t.budget, t.amount)")} + {_hy("b.amount")} AS yuan_half, [t.page] AS left_pages,
       b.pages AS right_pages
FROM tot t JOIN budgets b USING (document_id) WHERE t.amount IS NOT NULL"""


#: prose restatements whose cell SQL does not resolve: which asset lines are fixed assets is read from the
#: table's numbering levels (prose_restated.resolve_asset)
_PROSE_PYTHON = {"prose_fixed_assets"}

#: identity → the SELECT of its instances (generated from the catalogue's parameters and the blocks).
_INSTANCES = {
    "row_total": _row_total(),
    "column_total": _column_total(),
    "code_hierarchy": _code_hierarchy(),
    "summary_current_totals": _summary_current_totals(),
    "summary_carryover": _summary_carryover(),
    "summary_balance": _summary_balance(),
    "summary_revenue_vs_revenue_table": _summary_revenue_vs_revenue_table(),
    "summary_expenditure_vs_expenditure_table": _summary_expenditure_vs_expenditure_table(),
    "summary_class_vs_expenditure_table": _summary_class_vs_expenditure_table(),
    "fiscal_summary_vs_summary": _fiscal_summary_vs_summary(),
    "general_budget_vs_basic_table": _general_budget_vs_basic_table(),
    **{name: _class_split(name) for name in ("personnel_is_301_303", "public_funds_is_302_310")},
    "operating_expenses_vs_summary_public_funds": _operating_expenses_vs_summary_public_funds(),
    **{i.name: _prose(i.name) for i in REGISTRY_LIST if i.cells and i.name not in _PROSE_PYTHON},
    "prose_self_consistent": _prose_self_consistent(),
    "prose_increase_parts": _prose_increase_parts(),
    "prose_operating_expenses_is_302": _prose_operating_expenses_is_302(),
    "project_form_funds_add_up": _project_form_funds_add_up(),
    "prose_project_budget_vs_forms": _prose_project_budget_vs_forms(),
    "procurement_line_product": _procurement_line_product(),
    "procurement_budget_column": _procurement_budget_column(),
}
#: identities compared in a printed unit of their own, not the document's
_UNITS = {"operating_expenses_vs_summary_public_funds": "'万元'",
          **{name: "'万元'" for name in ("prose_project_budget_vs_forms", "prose_self_consistent",
                                         "prose_increase_parts", "prose_operating_expenses_is_302")},
          **{i.name: "'万元'" for i in REGISTRY_LIST if i.cells}}   # the prose prints 万元

#: identity → the SQL creating its view, in catalogue order.
SQL_IDENTITIES: dict[str, str] = {i.name: _view(i.name, _INSTANCES[i.name], _UNITS.get(i.name, "d.unit"))
                                  for i in REGISTRY_LIST if i.name in _INSTANCES}

#: identity → why it stays in Python (one line each): what its rule decides that SQL cannot say plainly.
PYTHON_ONLY: dict[str, str] = {
    "table_unreliable": "a review over the other rules' results (their failure share, unread pages), not two sides",
    "government_fund_subject_without_table": "a finding (an amount on a fund subject while the fund table is "
                                             "empty), not two sides compared within a tolerance",
    "prose_fixed_assets": "which asset lines make up 固定资产 is read from the table's numbering levels "
                          "(prose_restated.resolve_asset)",
    "prose_unverifiable": "a finding: a prose figure whose cell the document does not print",
    "prose_figure_vs_table": "resolves a free-text label to a table cell by name (prose_figures), not SQL",
    "prose_parts_add_up": "a failing sum is judged again with what the tables' whole holds beyond the stated parts, "
                          "and of a whole stated twice the best-judged amount is kept",
    "prose_increase_vs_last_year": "not yet in SQL: this year's figure less last year's, each resolved from its "
                                   "own document's claims or cells (previous_disclosure_id)",
    "prose_item_vs_table": "resolves a quoted 类/款/项 path to its table row (prose_items)",
    "prose_item_budget_restated": "pairs prose item claims by their quoted path",
    "prose_item_change_pct": "an interval over each printed amount's rounding, with a percentage",
    "prose_change_vs_level": "a range test (level − change ≥ 0) over prose claims, not two sides",
    "duty_budget_relates_to_total": "a finding: whether the duty budgets match any of several totals",
    "procurement_lines_sum": "a table printed as a tree is summed over its top-level rows, found by a search "
                             "over the amounts (procurement.top_level_lines)",
    "assets_as_of_date": "a date finding, not two amounts",
    "department_code_consistent": "a finding over the table headers' codes and the parse's variant warnings",
    "department_name_consistent": "a finding over the table headers' names and the parse's variant warnings",
    "roster_disclosed": "needs the roster CSV, which is not in the warehouse",
    "department_in_roster": "needs the roster CSV, which is not in the warehouse",
    "department_name_across_years": "a finding (one name per code across years), not two amounts",
    "subject_codes_valid": "a finding, downgraded when a misprint is found among the document's other rows",
    "duplicate_documents": "a finding (same content or department-year twice), not two amounts",
}


def view_name(identity: str) -> str:
    return f"v_identity_{identity}"


def block_names() -> list[str]:
    """The building-block views, in dependency order."""
    return [re.search(r"VIEW (\w+)", sql).group(1) for sql in blocks_sql(CODED_KINDS, SUMMARY_KINDS)]


@contextmanager
def blocks_computed_once(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within the block, this connection reads each building block from a temporary table holding its
    rows, computed once, instead of planning the nested views again in every identity view (DuckDB
    spends most of a view's time planning them). Temporary tables shadow the block views of the same
    name, also inside the identity views; a read-only connection may create them. The identity views'
    SQL is unchanged: they state the same rows either way (tests/test_checks_sql_identities.py)."""
    made = []
    try:
        for name in block_names():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM main.{name}")
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
