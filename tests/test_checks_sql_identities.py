"""Identities stated in SQL (issue 14, item 4, started): the view of an identity yields the same two sides
and tolerance per instance as the Python rule, and the GX expectation over the view fails exactly the
instances broken beyond tolerance, on a clean document and on one with a planted fault."""

from __future__ import annotations

import copy

import duckdb
import pytest

from test_checks_support import D, build_warehouse, mini_document

from pipeline.checks.engine import compute_results
from pipeline.checks.sql_identities import SQL_IDENTITIES, subjects, validate_identity_views, view_name


def _planted(code: str):
    """The mini document with the basic table's 301 or 302 row, or its 合计 (``basic_total``), 1.00 higher."""
    result = copy.deepcopy(mini_document())
    basic = next(t for t in result.tables if t.kind == "general_budget_basic_expenditure")
    row = next(r for r in basic.rows if (r.code == code) or (code == "basic_total" and r.name == "合计"))
    row.values["total"] += D("1.00")
    return result


@pytest.fixture(scope="module", params=["clean", "301", "302", "basic_total"])
def warehouse(request, tmp_path_factory):
    result = mini_document() if request.param == "clean" else _planted(request.param)
    home = build_warehouse(tmp_path_factory.mktemp(f"sql-identities-{request.param}"),
                           {"2023/201_mini.pdf": result})
    con = duckdb.connect(str(home.db_path), read_only=True)
    yield request.param, con
    con.close()


def test_each_view_states_the_rules_two_sides_and_tolerance(warehouse):
    _, con = warehouse
    results, _ = compute_results(con)
    for name in SQL_IDENTITIES:
        view = {tuple(r[:2]): tuple(r[2:]) for r in con.execute(
            f"SELECT document_id, subject, left_value, right_value, tolerance, n FROM {view_name(name)}").fetchall()}
        python = {(r.document_id, r.subject): (r.left_value, r.right_value, r.tolerance, r.n)
                  for r in results if r.check_name == name and r.subject in subjects(name)}
        assert view and view == python, name


def test_the_gx_expectation_over_the_view_decides_like_the_rule(warehouse):
    planted, con = warehouse
    results, _ = compute_results(con)
    verdicts = validate_identity_views(con)
    broken = {name: sorted(r.document_id for r in results if r.check_name == name and r.subject in subjects(name)
                           and abs(r.difference) > r.tolerance) for name in SQL_IDENTITIES}
    assert {name: v[1] for name, v in verdicts.items()} == broken
    meant = {"clean": set(), "301": {"personnel_is_301_303"}, "302": {"public_funds_is_302_310"},
             "basic_total": {"general_budget_vs_basic_table"}}[planted]
    assert {name for name, (success, _) in verdicts.items() if not success} == meant
