"""Identities stated in SQL: for each identity SQL can say, a view over the warehouse yields its two sides
per instance with the tolerance, and a great-expectations expectation over that view decides pass/fail
(issue 14, item 4: started with the basic-expenditure splits, 人员经费 = 301 + 303 and 公用经费 = 302 + 310,
and the general-budget table's 基本支出 / 人员经费 / 公用经费 against the basic-expenditure table's 合计).

The views are generated from the registry's parameters (the 类 summed, the measure compared), so the
SQL, the Python rule and the GX suite read one statement of the identity. The Python rules stay the
source of check_results for now: tests/test_checks_sql_identities.py holds the views' sides and verdicts
equal to the Python rule's on the demo district, the instance before any downgrade.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from pipeline.checks.catalogue import REGISTRY

#: Half the last printed digit, in 万元, by the document's unit (pipeline.checks.result.HALF_UNIT).
_HALF_UNIT_SQL = "CASE WHEN trim(coalesce(d.unit, '万元')) = '元' THEN 0.0000005 ELSE 0.005 END"
#: A 元 amount printed without fen may be off by half a 元 (pipeline.checks.base.half_printed_yuan).
_HALF_YUAN_SQL = "CASE WHEN {a} % 0.0001 = 0 THEN 0.00005 ELSE 0.0000005 END"

_CLASS_SPLIT = """
CREATE OR REPLACE VIEW v_identity_{name} AS
WITH basic AS (          -- each document's first basic-expenditure table
    SELECT document_id, min(table_index) AS table_index FROM budget_lines
    WHERE table_kind = 'general_budget_basic_expenditure' GROUP BY document_id
), lines AS (
    SELECT b.document_id, b.row_index, nullif(trim(b.code), '') AS code,
           regexp_replace(coalesce(b.name, ''), '\\s+', '', 'g') AS key, b.measure, b.amount, b.page
    FROM budget_lines b JOIN basic USING (document_id, table_index)
), rows_of AS (
    SELECT document_id, row_index, any_value(code) AS code, any_value(key) AS key, count(*) AS measures
    FROM lines GROUP BY document_id, row_index
), total_row AS (        -- the 合计 row; or the only row of a one-row table printed without a label
    SELECT r.document_id, min(r.row_index) FILTER (WHERE r.code IS NULL
               AND regexp_full_match(r.key, '合计|总计|总合计|支出合计|收入合计|本年收入合计')) AS labelled,
           CASE WHEN count(*) = 1 AND any_value(r.code) IS NULL AND any_value(r.key) = ''
                THEN any_value(r.row_index) END AS lone
    FROM rows_of r GROUP BY r.document_id
), left_side AS (
    SELECT l.document_id, l.amount AS left_value, l.page
    FROM total_row t JOIN lines l ON l.document_id = t.document_id
     AND l.row_index = coalesce(t.labelled, t.lone) AND l.measure = '{measure}'
), class_rows AS (       -- the first row printing each 类, when it prints a total
    SELECT f.document_id, f.code, l.amount
    FROM (SELECT document_id, code, min(row_index) AS row_index FROM rows_of
          WHERE code IN ({classes}) GROUP BY document_id, code) f
    JOIN lines l ON l.document_id = f.document_id AND l.row_index = f.row_index AND l.measure = 'total'
), right_side AS (
    SELECT document_id, sum(amount) AS right_value, count(*) AS n FROM class_rows GROUP BY document_id
)
SELECT '{name}' AS identity, s.document_id, '{measure}' AS subject, s.left_value, r.right_value,
       s.left_value - r.right_value AS difference, r.n,
       CASE WHEN trim(coalesce(d.unit, '万元')) = '元'
            THEN greatest(r.n * {half_unit}, {half_yuan_left} + {half_yuan_right})
            ELSE r.n * {half_unit} END AS tolerance
FROM left_side s
JOIN right_side r USING (document_id)
JOIN documents d USING (document_id)
WHERE d.status IN ('loaded', 'partial')
"""


def _total_line(kind: str, alias: str) -> str:
    """CTEs ``{alias}_lines`` (the first table of ``kind`` in each document, labels without spaces) and
    ``{alias}_total`` (its 合计 row's measures), as pipeline.checks.facts.TableFacts.total_line reads them."""
    return f"""{alias}_table AS (
    SELECT document_id, min(table_index) AS table_index FROM budget_lines
    WHERE table_kind = '{kind}' GROUP BY document_id
), {alias}_lines AS (
    SELECT b.document_id, b.row_index, nullif(trim(b.code), '') AS code,
           regexp_replace(coalesce(b.name, ''), '\\s+', '', 'g') AS key, b.measure, b.amount, b.page
    FROM budget_lines b JOIN {alias}_table USING (document_id, table_index)
), {alias}_rows AS (
    SELECT document_id, row_index, any_value(code) AS code, any_value(key) AS key
    FROM {alias}_lines GROUP BY document_id, row_index
), {alias}_total_row AS (
    SELECT document_id, coalesce(
               min(row_index) FILTER (WHERE code IS NULL
                   AND regexp_full_match(key, '合计|总计|总合计|支出合计|收入合计|本年收入合计')),
               CASE WHEN count(*) = 1 AND any_value(code) IS NULL AND any_value(key) = ''
                    THEN any_value(row_index) END) AS row_index
    FROM {alias}_rows GROUP BY document_id
), {alias}_total AS (
    SELECT l.document_id, l.measure, l.amount, l.page
    FROM {alias}_total_row t JOIN {alias}_lines l USING (document_id, row_index)
)"""


def _tolerance(n: str, amounts: tuple[str, ...]) -> str:
    """n × half the printed unit; in a 元 document at least half the last printed digit of each amount."""
    halves = " + ".join(_HALF_YUAN_SQL.format(a=a) for a in amounts)
    return (f"CASE WHEN trim(coalesce(d.unit, '万元')) = '元' THEN greatest({n} * {_HALF_UNIT_SQL}, {halves}) "
            f"ELSE {n} * {_HALF_UNIT_SQL} END")


def _table_totals(name: str, left_kind: str, right_kind: str) -> str:
    """One instance per measure pair (registry ``params["measures"]``): the left table's 合计 in one
    measure against the right table's 合计 in another, n = 1."""
    pairs = ", ".join(f"('{a}', '{b}')" for a, b in REGISTRY[name].params["measures"])
    return f"""
CREATE OR REPLACE VIEW v_identity_{name} AS
WITH {_total_line(left_kind, "l")}, {_total_line(right_kind, "r")},
pairs(left_measure, right_measure) AS (VALUES {pairs})
SELECT '{name}' AS identity, lt.document_id, p.left_measure AS subject, lt.amount AS left_value,
       rt.amount AS right_value, lt.amount - rt.amount AS difference, 1 AS n,
       {_tolerance("1", ("lt.amount", "rt.amount"))} AS tolerance
FROM pairs p
JOIN l_total lt ON lt.measure = p.left_measure
JOIN r_total rt ON rt.document_id = lt.document_id AND rt.measure = p.right_measure
JOIN documents d ON d.document_id = lt.document_id
WHERE d.status IN ('loaded', 'partial')
"""


def _class_split(name: str) -> str:
    p = REGISTRY[name].params
    return _CLASS_SPLIT.format(name=name, measure=p["measure"], classes=", ".join(f"'{c}'" for c in p["classes"]),
                               half_unit=_HALF_UNIT_SQL, half_yuan_left=_HALF_YUAN_SQL.format(a="s.left_value"),
                               half_yuan_right=_HALF_YUAN_SQL.format(a="r.right_value"))


#: identity → the SQL creating its view (generated from the registry's parameters).
SQL_IDENTITIES: dict[str, str] = {
    **{name: _class_split(name) for name in ("personnel_is_301_303", "public_funds_is_302_310")},
    "general_budget_vs_basic_table": _table_totals("general_budget_vs_basic_table", "general_budget_expenditure",
                                                   "general_budget_basic_expenditure"),
}


def subjects(identity: str) -> frozenset[str]:
    """The instances (CheckResult.subject) a view states; the Python rule may evaluate more (the summary's
    人员经费 against the basic table is general_budget_vs_basic_table's too, not yet in SQL)."""
    p = REGISTRY[identity].params
    return frozenset([p["measure"]] if "measure" in p else [a for a, _ in p["measures"]])


def view_name(identity: str) -> str:
    return f"v_identity_{identity}"


def create_identity_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every identity view (pipeline.load.schema.ensure_schema calls it after views.sql)."""
    for sql in SQL_IDENTITIES.values():
        con.execute(sql)


#: Amounts as integers of this unit (0.0000001 万元): exact, and GX compares integers (as pipeline.checks.gx).
UNIT = Decimal("0.0000001")


def identity_frame(con: duckdb.DuckDBPyConnection, identity: str) -> Any:
    """The view's instances as a pandas frame with ``excess`` = |left − right| − tolerance in UNITs."""
    import pandas as pd

    rows = con.execute(f"SELECT document_id, subject, left_value, right_value, difference, n, tolerance "
                       f"FROM {view_name(identity)} ORDER BY document_id").fetchall()
    out = [{"document_id": d, "subject": s, "left": str(lv), "right": str(rv), "n": n,
            "excess": int(((abs(diff) - tol) / UNIT).to_integral_value())}
           for d, s, lv, rv, diff, n, tol in rows]
    return pd.DataFrame(out, columns=["document_id", "subject", "left", "right", "n", "excess"]).astype(
        {"excess": "int64", "n": "int64"})


def validate_identity_views(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[bool, list[str]]]:
    """identity → (GX success, document_ids of the instances GX finds broken beyond tolerance)."""
    import logging

    import great_expectations as gx
    import great_expectations.expectations as gxe

    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = ctx.data_sources.add_pandas("identity_views")
    out = {}
    for name in SQL_IDENTITIES:
        df = identity_frame(con, name)
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all_instances")
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"sql.{name}", expectations=[gxe.ExpectColumnValuesToBeBetween(
            column="excess", max_value=0, meta={"identity": name, "severity": REGISTRY[name].severity})]))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=f"sql.{name}", data=batch, suite=suite))
        res = vd.run(batch_parameters={"dataframe": df}, result_format={"result_format": "COMPLETE"})
        idx = sorted({int(i["index"]) if isinstance(i, dict) else int(i) for e in res.results
                      for i in ((e.result or {}).get("unexpected_index_list") or [])})
        out[name] = (bool(res.success), [df["document_id"].iloc[i] for i in idx])
    return out
