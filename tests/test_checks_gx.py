"""The great-expectations suites built from the registry: a broken identity fails its expectation, a
holding one passes, and the Data Docs are written as HTML."""

from __future__ import annotations

import pytest

from test_checks_support import D, build_warehouse, mini_document

from pipeline.checks.catalogue import REGISTRY_LIST


@pytest.fixture(scope="module")
def gx_run(tmp_path_factory):
    from pipeline.checks.gx import run_suites

    bad = mini_document(code="202")
    leaf = next(r for t in bad.tables if t.kind == "expenditure_summary" for r in t.rows if r.code == "2120101")
    leaf.values["total"] += D("1.00")                       # row_total and code_hierarchy broken
    warn = mini_document(code="203")
    basic = next(t for t in warn.tables if t.kind == "general_budget_basic_expenditure")
    for m in ("total", "personnel"):
        next(r for r in basic.rows if r.code == "301").values[m] += D("0.01")   # within rounding, not exact
    root = tmp_path_factory.mktemp("gx")
    home = build_warehouse(root, {"2023/201_mini.pdf": mini_document(), "2023/202_mini.pdf": bad,
                                  "2023/203_mini.pdf": warn})
    docs = home.reports / "data_docs"
    return run_suites(home.db_path, docs), docs


def test_one_suite_per_identity(gx_run):
    summary, _ = gx_run
    assert [s.identity for s in summary.suites] == [i.name for i in REGISTRY_LIST]


def test_a_broken_identity_fails_its_expectation_and_a_holding_one_passes(gx_run):
    summary, _ = gx_run
    row_total = summary.outcome("row_total")
    assert not row_total.success and row_total.failing == 1
    assert "expect_column_values_to_be_between:excess" in row_total.failed_expectations
    for name in ("summary_balance", "summary_revenue_vs_revenue_table", "procurement_lines_sum",
                 "prose_basic_expenditure"):
        o = summary.outcome(name)
        assert o.success and o.evaluated >= 3, name
    assert not summary.success


def test_within_rounding_fails_only_the_exactness_expectation(gx_run):
    summary, _ = gx_run
    p = summary.outcome("personnel_is_301_303")
    assert not p.success and p.failing == 0
    assert p.failed_expectations == ["expect_column_values_to_be_between:abs_difference"]


def test_data_docs_are_written(gx_run):
    summary, docs = gx_run
    assert summary.data_docs_index == docs / "index.html" and summary.data_docs_index.exists()
    pages = list((docs / "validations").rglob("*.html"))
    assert len(pages) >= len(REGISTRY_LIST) // 2
    assert any("identity.row_total" in p.read_text(encoding="utf-8", errors="ignore") for p in pages)


def test_data_docs_are_readable_offline_with_amounts_in_wan_yuan(gx_run):
    summary, docs = gx_run
    import re

    for page in docs.rglob("*.html"):   # nothing fetched from another machine (a government intranet)
        html = page.read_text(encoding="utf-8", errors="ignore")
        assert not re.search(r"""<(script|link|img)[^>]*(src|href)=["']?(https?:)?//""", html, re.I), page
    index = summary.data_docs_index.read_text(encoding="utf-8")
    assert "../discrepancies.html" in index and "万元" in index
    failing = [o for o in summary.suites if not o.success]
    assert failing and all(o.identity in index for o in failing)
    for href in re.findall(r'href="(validations/[^"]+)"', index):
        assert (docs / href).exists(), href


def test_each_identity_view_is_validated_beside_the_suites_and_agrees_with_the_rules(gx_run):
    import json
    import re

    from pipeline.checks.sql_identities import SQL_IDENTITIES

    summary, docs = gx_run
    assert [v.identity for v in summary.views] == list(SQL_IDENTITIES) and summary.views_error is None
    assert summary.view_disagreements == []
    views = {v.identity: v for v in summary.views}
    assert not views["row_total"].success and views["row_total"].failing == 1   # the leaf planted in 202
    assert views["personnel_is_301_303"].success     # within rounding holds: exactness is the suites' concern
    index = summary.data_docs_index.read_text(encoding="utf-8")
    assert all(f"view.{name}" in index for name in SQL_IDENTITIES)
    assert any("v_identity_row_total" in href for href in re.findall(r'href="(validations/[^"]+)"', index))
    assert json.loads((docs / "summary.json").read_text("utf-8"))["view_disagreements"] == []
