"""great-expectations over the identity views (pipeline/checks/sql_identities.py): one suite per view, one
expectation deciding each instance, so the Data Docs, check_results and a user's own SQL stand on the
same two sides.

The expectation is ``expect_column_pair_values_a_to_be_greater_than_b``: tolerance_units ≥
abs_difference_units, the view's own columns as exact integer counts of 0.0000001 万元 (GX's SQL
datasource over duckdb-engine fails, so the view is read into a pandas frame, ARCHITECTURE.md; no
amount becomes a float). great_expectations is imported inside the functions: it takes seconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from pipeline.checks.catalogue import REGISTRY
from pipeline.checks.sql_identities import (SQL_IDENTITIES, blocks_computed_once, failed_by_rule,
                                            instance_key, view_name)

#: Columns of a view's frame (the view's, amounts as text, pages joined).
COLUMNS = ("document_id", "department", "year", "subject", "left", "right", "difference", "tolerance", "n",
           "abs_difference_units", "tolerance_units", "within_tolerance", "left_pages", "right_pages")


@dataclass
class ViewOutcome:
    identity: str
    success: bool
    evaluated: int
    failing: int
    #: (document_id, subject, left, right) of each instance GX found broken beyond tolerance
    broken: list[tuple[str, str, Decimal | None, Decimal | None]] = field(default_factory=list)


def suite_name(identity: str) -> str:
    return f"view.{identity}"


def view_frame(con: duckdb.DuckDBPyConnection, identity: str) -> Any:
    """The view's instances as a pandas frame (amounts as exact text, units as int64)."""
    import pandas as pd

    rows = con.execute(
        "SELECT document_id, department, year, subject, left_value, right_value, difference, tolerance, n, "
        "abs_difference_units, tolerance_units, within_tolerance, left_pages, right_pages "
        f"FROM {view_name(identity)} ORDER BY document_id, subject").fetchall()
    text = lambda v: "" if v is None else str(v)   # noqa: E731
    out = [(d, dep or "", y or 0, s, text(lv), text(rv), text(df), text(tol), n, a, t, bool(w),
            ",".join(map(str, lp or [])), ",".join(map(str, rp or [])))
           for d, dep, y, s, lv, rv, df, tol, n, a, t, w, lp, rp in rows]
    return pd.DataFrame(out, columns=list(COLUMNS)).astype(
        {"abs_difference_units": "int64", "tolerance_units": "int64", "n": "int64", "year": "int64"})


def build_view_suite(identity: str) -> Any:
    """The one-expectation suite of an identity's view."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    ident = REGISTRY[identity]
    meta = {"identity": identity, "view": view_name(identity), "description": ident.description,
            "left": ident.left, "right": ident.right, "n": ident.n_rule, "severity": ident.severity}
    suite = gx.ExpectationSuite(name=suite_name(identity), meta={"notes": f"SQL view {view_name(identity)}: "
                                                                          f"{ident.description}", **meta})
    suite.add_expectation(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="tolerance_units", column_B="abs_difference_units", or_equal=True,
        meta={**meta, "meaning": "|left − right| within n × half the printed unit (units of 0.0000001 万元)"}))
    return suite


def validate_views(con: duckdb.DuckDBPyConnection, ctx: Any = None,
                   identities: list[str] | None = None) -> list[ViewOutcome]:
    """Run each identity view's suite on the view's rows (in ``ctx``, a GX context, when given: the Data
    Docs then show them beside the identity suites)."""
    import logging

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if ctx is None:
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = ctx.data_sources.add_pandas("identity_views")
    with blocks_computed_once(con):
        frames = {name: view_frame(con, name) for name in identities or list(SQL_IDENTITIES)}
    out = []
    for name, df in frames.items():
        batch = source.add_dataframe_asset(view_name(name)).add_batch_definition_whole_dataframe("all_instances")
        suite = ctx.suites.add(build_view_suite(name))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite_name(name), data=batch, suite=suite))
        res = vd.run(batch_parameters={"dataframe": df}, result_format={"result_format": "COMPLETE"})
        idx = sorted({int(i["index"]) if isinstance(i, dict) else int(i) for e in res.results
                      for i in ((e.result or {}).get("unexpected_index_list") or [])})
        broken = [(_document(df["document_id"].iloc[i]), df["subject"].iloc[i], _dec(df["left"].iloc[i]),
                   _dec(df["right"].iloc[i])) for i in idx]
        out.append(ViewOutcome(name, bool(res.success), len(df), len(idx), broken))
    return out


def _document(value: Any) -> str | None:
    """A frame's document_id: a finding on no document (roster_disclosed) is NULL in the view, NaN here."""
    return value if isinstance(value, str) and value else None


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def disagreements(outcomes: list[ViewOutcome], results: list) -> list[str]:
    """Instances that GX's verdict over a view and check_results (before any downgrade: built from the view
    for a view-owned identity, pipeline/checks/viewed.py, from its Python rule otherwise) do not both find
    broken beyond tolerance: empty when they stand on the same sides."""
    out = []
    for o in outcomes:
        # multisets: equal amounts compare equal whatever their scale; a finding view's rows are the findings
        gx_broken = Counter(instance_key(o.identity, *b) for b in o.broken)
        py_broken = Counter(instance_key(o.identity, r.document_id, r.subject, r.left_value, r.right_value)
                            for r in results if r.check_name == o.identity and failed_by_rule(o.identity, r))
        if gx_broken != py_broken:
            out.append(f"{o.identity}: view {sum(gx_broken.values())} broken, rule {sum(py_broken.values())}")
    return out
