"""The identities on small documents built to hold, then broken one figure at a time."""

from __future__ import annotations

import copy
import threading
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from test_checks_support import D, build_warehouse, failing, mini_document

from pipeline.checks import REGISTRY, run_checks, run_document_checks
from pipeline.checks.engine import compute_results
from pipeline.checks.rules.district import read_roster
from pipeline.checks.catalogue import REGISTRY_LIST
from pipeline.checks.result import classify, tolerance
from pipeline.model import DocumentError
from pipeline.sources.identity import document_id

LOC = "2023/201_mini.pdf"


def _results(tmp_path: Path, result, roster: Path | None = None):
    home = build_warehouse(tmp_path, {LOC: result})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        return compute_results(con, roster=roster)[0]
    finally:
        con.close()


def _failed(results, severity=None):
    return sorted({(r.check_name, r.subject) for r in results
                   if r.failed and (severity is None or r.severity == severity)})


def _table(result, kind):
    return next(t for t in result.tables if t.kind == kind)


def _row(result, kind, code=None, name=None):
    t = _table(result, kind)
    return next(r for r in t.rows if (code is not None and r.code == code) or (name is not None and r.name == name))


def test_registry_entries_are_complete_and_unique():
    assert len(REGISTRY) == len(REGISTRY_LIST) >= 40
    for ident in REGISTRY_LIST:
        assert ident.description and ident.left and ident.right and ident.n_rule and ident.label_zh, ident.name
        assert ident.severity in ("error", "warning", "unverifiable") and ident.scope in ("document", "district")
        if ident.category == "prose" and ident.metric:
            assert ident.cells, ident.name


def test_every_identity_has_an_evaluator():
    """Each registry name is produced by exactly the evaluator modules (no name written elsewhere): its
    SQL view (pipeline/checks/viewed.VIEW_OWNED) or its rule (tests/test_checks_viewed.py: never both)."""
    from pipeline.checks.sql_identities import SQL_IDENTITIES
    from pipeline.checks.viewed import VIEW_OWNED

    src = "".join(f.read_text(encoding="utf-8")
                  for f in sorted((Path(__file__).parent.parent / "pipeline" / "checks" / "rules").glob("*.py")))
    for ident in REGISTRY_LIST:
        assert (ident.name in VIEW_OWNED and ident.name in SQL_IDENTITIES or f'"{ident.name}"' in src
                or (ident.metric and "PROSE_BY_METRIC" in src)), ident.name


def test_a_consistent_document_passes_every_identity(tmp_path):
    results = _results(tmp_path, mini_document())
    assert _failed(results) == []
    evaluated = {r.check_name for r in results}
    # the mini document exercises the table, cross-table, prose and procurement identities
    assert {"row_total", "column_total", "code_hierarchy", "summary_current_totals", "summary_carryover",
            "summary_balance", "summary_revenue_vs_revenue_table", "summary_class_vs_expenditure_table",
            "fiscal_summary_vs_summary", "general_budget_vs_basic_table", "personnel_is_301_303",
            "public_funds_is_302_310", "prose_basic_expenditure", "prose_meeting_expenses",
            "prose_parts_add_up", "procurement_line_product", "procurement_lines_sum",
            "procurement_budget_column"} <= evaluated


def test_a_leaf_printed_too_high_breaks_its_row_and_its_parent(tmp_path):
    doc = mini_document()
    _row(doc, "expenditure_summary", code="2120101").values["total"] += D("0.25")
    errors = _failed(_results(tmp_path, doc), "error")
    assert errors == [("code_hierarchy", "expenditure_summary 21201.total"),
                      ("row_total", "expenditure_summary row '2120101 行政运行' total")]


def test_within_rounding_is_a_warning_and_beyond_it_an_error(tmp_path):
    doc = mini_document()
    for m in ("total", "personnel"):
        _row(doc, "general_budget_basic_expenditure", code="301").values[m] += D("0.01")
    results = _results(tmp_path / "a", doc)
    assert _failed(results, "error") == []
    warned = {name for name, _ in _failed(results, "warning")}
    assert {"code_hierarchy", "column_total", "personnel_is_301_303"} <= warned
    hier = next(r for r in results if r.subject == "general_budget_basic_expenditure 301.total")
    assert (hier.n, hier.tolerance, hier.difference) == (2, D("0.010"), D("0.01"))
    # printed in 元 the same 0.01 万元 (100 元) is far beyond rounding
    doc.unit = "元"
    errors = {name for name, _ in _failed(_results(tmp_path / "b", doc), "error")}
    assert {"code_hierarchy", "column_total", "personnel_is_301_303"} <= errors


@pytest.mark.parametrize("metric,field", [("basic_expenditure", "basic"), ("personnel_expenditure", "personnel"),
                                          ("project_expenditure", "project")])
def test_a_prose_figure_off_by_cents_is_an_error_with_both_figures_and_pages(tmp_path, metric, field):
    doc = mini_document()
    claim = next(c for c in doc.narrative if c.metric == metric)
    claim.amount += D("0.03")
    results = _results(tmp_path, doc)
    r = next(r for r in results if r.check_name == f"prose_{metric}")
    table_value = _row(doc, "general_budget_expenditure", name="合计").values[field]
    assert (r.severity, r.left_value, r.right_value, r.difference) == ("error", claim.amount, table_value, D("0.03"))
    assert r.left_pages == [9] and r.right_pages == [5]


def test_prose_conflicts_unverifiable_figures_and_unchecked_increases(tmp_path):
    doc = mini_document()
    doc.narrative += [
        type(doc.narrative[0])("meeting_expenses", D("0.35"), 11, "会议费支出0.35万元"),
        type(doc.narrative[0])("training_expenses", D("10"), 11, "培训费支出10万元"),
        type(doc.narrative[0])("increase_total", D("3.00"), 9, "较上年增加 3.00 万元"),
        type(doc.narrative[0])("increase_basic", D("1.00"), 9, "基本支出增加 1.00 万元"),
        type(doc.narrative[0])("increase_project", D("1.50"), 9, "项目支出增加 1.50 万元"),
    ]
    results = _results(tmp_path, doc)
    assert _failed(results, "error") == [("prose_increase_parts", "increase_total"),
                                         ("prose_meeting_expenses", "meeting_expenses"),
                                         ("prose_self_consistent", "meeting_expenses")]
    assert _failed(results, "warning") == [
        ("prose_increase_vs_last_year", "increase_total,increase_basic,increase_project"),
        ("prose_unverifiable", "training_expenses")]


def test_increase_is_checked_against_last_years_document(tmp_path):
    last = mini_document(year=2022, basic_leaf="70.00")     # basic 70, total 95
    this = mini_document(year=2023)                         # basic 80, total 105
    Claim = type(this.narrative[0])
    this.narrative += [Claim("increase_total", D("10.00"), 9, "增加 10.00"),
                       Claim("increase_basic", D("10.00"), 9, "基本支出增加 10.00"),
                       Claim("increase_project", D("0.10"), 9, "项目支出增加 0.10")]
    home = build_warehouse(tmp_path, {"2022/201_mini.pdf": last, LOC: this})
    results = run_document_checks(home.db_path, document_id(LOC))
    inc = {r.subject: r for r in results if r.check_name == "prose_increase_vs_last_year"}
    assert inc["increase_total"].severity == "ok" and inc["increase_basic"].severity == "ok"
    assert inc["increase_project"].severity == "error"
    assert inc["increase_project"].right_value == D("0")


def test_procurement_line_and_its_consequence_on_the_budget_column(tmp_path):
    doc = mini_document()
    proc = _table(doc, "procurement")
    line = proc.rows[1]
    line.values["amount"] = line.values["quantity"] * line.values["unit_price"] * 2   # 4.00, 预算资金 2.00
    proc.rows[0].values["amount"] += D("2.00")                                        # 合计 includes it
    next(c for c in doc.narrative if c.metric == "procurement_total").amount += D("2.00")
    results = _results(tmp_path, doc)
    assert _failed(results, "error") == [("procurement_line_product", "line 1 台式计算机")]
    budget = next(r for r in results if r.check_name == "procurement_budget_column")
    assert budget.severity == "warning" and "consequence" in budget.message
    assert (budget.left_value, budget.right_value) == (D("5.00"), D("3.00"))


def test_a_budget_column_gap_nothing_explains_is_an_error(tmp_path):
    doc = mini_document()
    _table(doc, "procurement").rows[2].values["budget"] = D("0.40")
    results = _results(tmp_path, doc)
    assert ("procurement_budget_column", "预算资金") in _failed(results, "error")


def test_department_variants_from_table_headers(tmp_path):
    doc = mini_document()
    for t in doc.tables:
        t.department_code, t.department_name = "201", "测试部门201"
    _table(doc, "procurement").department_code = "206"
    _table(doc, "revenue_summary").department_name = "测试部"
    results = _results(tmp_path, doc)
    assert _failed(results, "error") == [("department_code_consistent", "206")]
    assert _failed(results, "warning") == [("department_name_consistent", "测试部")]


def test_summary_identities_break_where_the_carry_over_is_missing(tmp_path):
    doc = mini_document()
    summary = _table(doc, "revenue_expenditure_summary")
    next(r for r in summary.rows if r.name == "上年结转结余").values["amount"] = D("15.00")
    errors = _failed(_results(tmp_path, doc), "error")
    assert errors == [("summary_carryover", "revenue_expenditure_summary 收入总计")]


def test_cross_table_revenue_total(tmp_path):
    doc = mini_document()
    for r in _table(doc, "revenue_summary").rows:
        for m in ("total", "fiscal_appropriation"):
            r.values[m] += D("1.00")
    errors = _failed(_results(tmp_path, doc), "error")
    assert ("summary_revenue_vs_revenue_table", "本年收入合计") in errors
    assert all(name != "row_total" and name != "column_total" for name, _ in errors)


def test_roster_disclosure_and_department_identity(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("department_code,name,years\n201,测试部门201,2022;2023\n202,另一部门,2023\n", encoding="utf-8")
    results = _results(tmp_path / "home", mini_document(), roster=roster)
    errors = [r for r in results if r.severity == "error"]
    assert sorted((r.check_name, r.department, r.year) for r in errors) == [
        ("roster_disclosed", "201", 2022), ("roster_disclosed", "202", 2023)]
    assert all(r.document_id is None for r in errors)


def test_a_department_code_that_differs_from_the_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("department_code,name,years\n999,测试部门201,2023\n", encoding="utf-8")
    results = _results(tmp_path / "home", mini_document(), roster=roster)
    assert ("department_in_roster", "201") in _failed(results, "error")


def test_invalid_subject_code_is_an_error(tmp_path):
    doc = mini_document()
    _row(doc, "expenditure_summary", code="2120102").code = "2180102"    # no 218 类
    assert ("subject_codes_valid", "2180102") in _failed(_results(tmp_path, doc), "error")


def test_bad_roster_and_missing_warehouse_are_typed_errors(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("department_code,name,years\n201,x,twenty\n", encoding="utf-8")
    with pytest.raises(DocumentError):
        read_roster(bad)
    with pytest.raises(DocumentError):
        read_roster(tmp_path / "absent.csv")
    with pytest.raises(DocumentError):
        run_checks(tmp_path / "absent.duckdb")
    home = build_warehouse(tmp_path / "home", {LOC: mini_document()})
    with pytest.raises(DocumentError):
        run_document_checks(home.db_path, "no-such-document")


def test_run_checks_stores_failures_once_per_run_and_replaces_documents(tmp_path):
    bad = mini_document(code="202")
    _row(bad, "expenditure_summary", code="2120101").values["total"] += D("1.00")
    home = build_warehouse(tmp_path, {LOC: mini_document(), "2023/202_mini.pdf": bad})
    s1 = run_checks(home.db_path, run_id="r1")
    assert s1.errors == 2 and s1.documents == 2
    run_checks(home.db_path, run_id="r1")
    run_checks(home.db_path, run_id="r1", document_ids=[document_id("2023/202_mini.pdf")])
    rows = failing(home.db_path)
    assert [r[:2] for r in rows] == [("code_hierarchy", "error"), ("row_total", "error")]
    con = duckdb.connect(str(home.db_path), read_only=True)
    stored = con.execute("SELECT department, year, left_value, right_value, difference, tolerance, n, left_pages, "
                         "right_pages FROM check_results WHERE check_name = 'row_total'").fetchall()
    con.close()
    assert stored == [("202", 2023, D("101.000000"), D("100.000000"), D("1.000000"), D("0.0100000"), 2, "3", "3")]


def test_run_checks_waits_for_the_writer_lock(tmp_path):
    home = build_warehouse(tmp_path, {LOC: mini_document()})
    done = threading.Event()
    with FileLock(str(home.lock_path)):
        t = threading.Thread(target=lambda: (run_checks(home.db_path, run_id="locked"), done.set()))
        t.start()
        time.sleep(1.0)
        assert not done.is_set()
    t.join(30)
    assert done.is_set()


def test_classify_and_tolerance():
    assert tolerance(3, "万元") == D("0.015") and tolerance(3, "元") == D("0.0000015")
    assert classify(D("0"), D("0.01")) == "ok"
    assert classify(D("-0.01"), D("0.01")) == "warning"
    assert classify(D("0.011"), D("0.01")) == "error"
    assert classify(D("0.011"), D("0.01"), "warning") == "warning"


cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@example(basic=Decimal("0.01"), project=Decimal("0.01"), second=Decimal("0.01"), bump=2)
@given(basic=cents, project=cents, second=cents, bump=st.integers(min_value=2, max_value=500))
def test_any_consistent_document_holds_and_any_cent_more_on_a_leaf_breaks_it(tmp_path_factory, basic, project,
                                                                            second, bump):
    doc = mini_document(basic_leaf=str(basic + 100), project_leaf=str(project), second_leaf=str(second),
                        personnel=str(basic + 2))
    assert _failed(_results(tmp_path_factory.mktemp("ok"), doc)) == []
    # a 2-part row (total = basic + project) tolerates 2 × 0.005: two cents or more are beyond rounding
    broken = copy.deepcopy(doc)
    _row(broken, "expenditure_summary", code="2120102").values["project"] += Decimal(bump) / 100
    errors = {name for name, _ in _failed(_results(tmp_path_factory.mktemp("bad"), broken), "error")}
    assert {"row_total", "code_hierarchy"} <= errors


def test_importing_the_checks_does_not_import_great_expectations():
    import subprocess
    import sys

    code = ("import sys, pipeline.checks, pipeline.checks.gx, pipeline.report, expectations.suites; "
            "assert 'great_expectations' not in sys.modules, 'imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
