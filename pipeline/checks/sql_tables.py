"""The SELECTs of the table identities' views (within one table, across the tables of a document,
procurement): each generated from the catalogue's parameters over the building blocks
(pipeline/checks/sql_blocks.py). A SELECT yields document_id, subject, left_value, right_value, n,
yuan_half and the pages; pipeline/checks/sql_identities.py wraps it into the identity's view."""

from __future__ import annotations

from pipeline.checks.catalogue import REGISTRY
from pipeline.checks.rules.within_table import _CLASS_NAMES, CODED_KINDS, ROW_RULES
from pipeline.checks.sql_blocks import half_printed_yuan as _hy

_SUMMARY = "revenue_expenditure_summary"
_BASIC = "general_budget_basic_expenditure"
_GB = "general_budget_expenditure"


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
    (收入总计, else 本年收入合计, equals the 一般公共预算/财政拨款 收入 line)."""
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
    """One SELECT per row rule of within_table.ROW_RULES, over each row's
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
            f"{n} AS n, {_hy(col(r.whole))} + {hy} AS yuan_half, [page] AS left_pages, [page] AS right_pages, "
            f"[table_index] AS table_indexes\n"
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
       coalesce(s.pages, []) AS right_pages, [m.table_index] AS table_indexes
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
       {_hy("t.amount")} + coalesce(s.hy, 0) AS yuan_half, [tr.page] AS left_pages, coalesce(s.pages, []) AS right_pages,
       [m.table_index] AS table_indexes
FROM measures m
JOIN tot_row tr USING (document_id, table_index)
LEFT JOIN tot t USING (document_id, table_index, measure)
LEFT JOIN sums s USING (document_id, table_index, measure)
WHERE t.amount IS NOT NULL OR coalesce(s.amount, 0) <> 0"""


def _summary_current_totals() -> str:
    """本年收入合计 / 本年支出合计 against the side's items, column by column (a side printing its items in
    two columns, left edges more than 20 pt apart, adds up in each); a column failing may be the 类 rows
    printed with their 款 rows: then the 类 rows alone, when they hold."""
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
       [current_page] AS left_pages, CASE WHEN by_classes THEN c_pages ELSE pages END AS right_pages,
       [table_index] AS table_indexes
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
       list_concat([c.page], coalesce(k.pages, [])) AS right_pages, [e.table_index] AS table_indexes
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
       [r.page] AS left_pages, [e.page] AS right_pages, [r.table_index] AS table_indexes
FROM g r JOIN g e ON e.document_id = r.document_id AND e.table_index = r.table_index
 AND r.side = 'revenue' AND e.side = 'expenditure'"""


# --- across the tables of one document -------------------------------------------------------------


def _summary_revenue_vs_revenue_table() -> str:
    # the revenue table's current year: its 本年收入 小计, else 合计 − 上年结转, else its 合计
    return f"""WITH {_summary_line("cur", "revenue", "current")}, {_first_total("revenue_summary", "rt")},
rev AS (
    SELECT document_id, any_value(page) AS page, any_value(table_index) AS table_index,
           CASE WHEN bool_or(measure = 'current_total') THEN any_value(amount) FILTER (WHERE measure = 'current_total')
                WHEN bool_or(measure = 'total') AND bool_or(measure = 'carryover')
                THEN any_value(amount) FILTER (WHERE measure = 'total') - any_value(amount) FILTER (WHERE measure = 'carryover')
                ELSE any_value(amount) FILTER (WHERE measure = 'total') END AS amount
    FROM rt GROUP BY document_id
)
SELECT c.document_id, '本年收入合计' AS subject, c.value AS left_value, r.amount AS right_value, 1 AS n,
       {_hy("c.value")} + {_hy("r.amount")} AS yuan_half, [c.page] AS left_pages, [r.page] AS right_pages,
       [c.table_index, r.table_index] AS table_indexes
FROM cur c JOIN rev r USING (document_id) WHERE r.amount IS NOT NULL"""


def _summary_expenditure_vs_expenditure_table() -> str:
    return f"""WITH {_summary_line("cur", "expenditure", "current")}, {_first_total("expenditure_summary", "et")}
SELECT c.document_id, '本年支出合计' AS subject, c.value AS left_value, e.amount AS right_value, 1 AS n,
       {_hy("c.value")} + {_hy("e.amount")} AS yuan_half, [c.page] AS left_pages, [e.page] AS right_pages,
       [c.table_index, e.table_index] AS table_indexes
FROM cur c JOIN et e ON e.document_id = c.document_id AND e.measure = 'total'"""


def _summary_class_vs_expenditure_table() -> str:
    """Each 类 row of the expenditure table against the summary's expenditure item of the same label (the
    first), in total; and its basic column against the item's 基本支出 (or 人员经费 + 公用经费)."""
    return f"""WITH classes AS (
    SELECT r.document_id, r.table_index, r.row_index, r.key, r.code, r.page, c.measure, c.amount
    FROM v_check_rows r JOIN v_check_cells c USING (document_id, table_kind, table_index, row_index)
    WHERE r.table_kind = 'expenditure_summary' AND r.first_of_kind AND length(r.code) = 3
      AND c.measure IN ('total', 'basic')
), items AS (
    SELECT document_id, table_index, row_index, key, value, page FROM v_check_summary_lines
    WHERE table_kind = '{_SUMMARY}' AND first_of_kind AND side = 'expenditure' AND is_item
    QUALIFY row_number() OVER (PARTITION BY document_id, key ORDER BY row_index) = 1
), item_basic AS (     -- the 基本支出 column, else 人员经费 + 公用经费 as printed
    SELECT i.document_id, i.table_index, i.key, i.page,
           CASE WHEN bool_or(c.measure = 'basic') THEN any_value(c.amount) FILTER (WHERE c.measure = 'basic')
                ELSE sum(c.amount) FILTER (WHERE c.measure IN ('personnel', 'public_funds')) END AS amount,
           CASE WHEN bool_or(c.measure = 'basic') THEN {_hy("any_value(c.amount) FILTER (WHERE c.measure = 'basic')")}
                ELSE sum({_hy("c.amount")}) FILTER (WHERE c.measure IN ('personnel', 'public_funds')) END AS hy
    FROM items i JOIN v_check_cells c ON c.document_id = i.document_id AND c.table_index = i.table_index
     AND c.row_index = i.row_index AND c.measure IN ('basic', 'personnel', 'public_funds')
    GROUP BY i.document_id, i.table_index, i.key, i.page
)
SELECT k.document_id, '类 ' || k.code AS subject, i.value AS left_value, k.amount AS right_value, 1 AS n,
       {_hy("i.value")} + {_hy("k.amount")} AS yuan_half, [i.page] AS left_pages, [k.page] AS right_pages,
       [i.table_index, k.table_index] AS table_indexes
FROM classes k JOIN items i USING (document_id, key) WHERE k.measure = 'total'
UNION ALL
SELECT k.document_id, '类 ' || k.code || ' basic', b.amount, k.amount, 1, {_hy("b.amount")} + b.hy, [b.page], [k.page],
       [b.table_index, k.table_index]
FROM classes k JOIN item_basic b USING (document_id, key)
WHERE k.measure = 'basic' AND b.amount IS NOT NULL
  AND EXISTS (SELECT 1 FROM classes t WHERE t.document_id = k.document_id AND t.row_index = k.row_index
              AND t.measure = 'total')"""


def _fiscal_summary_vs_summary() -> str:
    """The fiscal summary's 一般公共预算 / 政府性基金 / 国有资本经营 revenue items against the summary's item
    of the same label (the first)."""
    return f"""WITH items AS (
    SELECT document_id, table_kind, table_index, row_index, key, value, page FROM v_check_summary_lines
    WHERE table_kind IN ('fiscal_summary', '{_SUMMARY}') AND first_of_kind AND side = 'revenue' AND is_item
), summ AS (
    SELECT * FROM items WHERE table_kind = '{_SUMMARY}'
    QUALIFY row_number() OVER (PARTITION BY document_id, key ORDER BY row_index) = 1
)
SELECT f.document_id, f.key AS subject, f.value AS left_value, s.value AS right_value, 1 AS n,
       {_hy("f.value")} + {_hy("s.value")} AS yuan_half, [f.page] AS left_pages, [s.page] AS right_pages,
       [f.table_index, s.table_index] AS table_indexes
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
       {_hy("g.amount")} + {_hy("b.amount")} AS yuan_half, [g.page] AS left_pages, [b.page] AS right_pages,
       [g.table_index, b.table_index] AS table_indexes
FROM pairs p JOIN gt g ON g.measure = p.left_measure
JOIN bt b ON b.document_id = g.document_id AND b.measure = p.right_measure
UNION ALL
SELECT e.document_id, 'summary ' || c.measure AS subject, c.amount, b.amount, 1,
       {_hy("c.amount")} + {_hy("b.amount")}, [r.page], [b.page], [e.table_index, b.table_index]
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
       {_hy("b.amount")} + {_hy("c.amount")} AS yuan_half, [b.page] AS left_pages, c.pages AS right_pages,
       [b.table_index] AS table_indexes
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
       0 AS yuan_half, [orow.page] AS left_pages, [srow.page] AS right_pages,
       [t.table_index, e.table_index] AS table_indexes
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


#: identity → the SELECT of its instances.
INSTANCES: dict[str, str] = {
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
    "procurement_line_product": _procurement_line_product(),
    "procurement_budget_column": _procurement_budget_column(),
}
#: identities compared in a printed unit of their own, not the document's
UNITS: dict[str, str] = {"operating_expenses_vs_summary_public_funds": "'万元'"}
