"""Acceptance on the demo district (generated with the project's fixed seed): every injected fault and
every quirk of the seed rendition is reported with its severity, and no clean document has an error.

The warehouse is built from the generator's truth JSONs through the loader, so these tests do not
depend on the parser. Which identity reports which fault kind is this test's own knowledge (FAULT_CHECKS),
not read from the code under test.
"""

from __future__ import annotations

import pytest

from test_checks_support import build_warehouse, load_truth_dir, truth_faults

from pipeline.checks import run_checks
from pipeline.report import write_report
from pipeline.sources.identity import document_id

#: fault kind (and, for 'unverifiable', the table or metric) → identities that may report it
FAULT_CHECKS = {
    "row_sum": {"row_total", "code_hierarchy", "column_total"},
    "prose_mismatch": None,     # prose_<metric>
    "cross_table": {"summary_revenue_vs_revenue_table", "summary_expenditure_vs_expenditure_table",
                    "summary_class_vs_expenditure_table", "fiscal_summary_vs_summary",
                    "general_budget_vs_basic_table"},
    "procurement_line": {"procurement_line_product"},
    "department_code": {"department_code_consistent"},
    "department_name": {"department_name_consistent"},
    "prose_sum": {"prose_parts_add_up", "prose_increase_parts"},
    "prose_conflict": {"prose_self_consistent"},
    "procurement_budget_sum": {"procurement_budget_column"},
    "year_variant": {"assets_as_of_date"},
    "form_funds": {"project_form_funds_add_up"},
    "prose_project_budget": {"prose_project_budget_vs_forms"},
    ("unverifiable", "performance_targets"): {"duty_budget_relates_to_total"},
    ("unverifiable", "government_fund_expenditure"): {"government_fund_subject_without_table"},
    ("unverifiable", "training_expenses"): {"prose_unverifiable"},
    ("unverifiable", "increase_total"): {"prose_increase_vs_last_year"},
}


def _checks_for(fault: dict) -> set[str]:
    kind = fault["fault"]
    if kind == "prose_mismatch":
        return {f"prose_{fault['metric']}"}
    if kind == "unverifiable":
        return FAULT_CHECKS[(kind, fault.get("table_kind") or fault.get("metric"))]
    return FAULT_CHECKS[kind]


def matches(fault: dict, r) -> bool:
    """Does result ``r`` report ``fault`` (same identity family, same metric / item / code)?"""
    if r.check_name not in _checks_for(fault):
        return False
    if fault.get("metric") and fault["fault"] != "prose_mismatch" and fault["metric"] not in r.subject:
        return False
    if fault.get("item") and fault["item"] not in r.subject:
        return False
    if fault["fault"] in ("row_sum", "department_code") and fault.get("code"):
        code = fault["code"]
        if not any(c in r.subject for c in (code, code[:5])):
            return False
    return True


@pytest.fixture(scope="module")
def checked(demo_district, tmp_path_factory):   # demo_district: tests/conftest.py (fixed seed)
    home = build_warehouse(tmp_path_factory.mktemp("checks-demo"), load_truth_dir(demo_district))
    summary = run_checks(home.db_path, run_id="demo", roster=demo_district / "roster.csv")
    return home, summary, truth_faults(demo_district)


def _seed(faults: dict) -> str:
    return next(loc for loc in faults if loc.startswith("2023/125_"))


def test_every_seed_quirk_is_reported_with_its_severity_figures_and_pages(checked):
    _, summary, faults = checked
    loc = _seed(faults)
    results = [r for r in summary.results if r.document_id == document_id(loc) and r.failed]
    quirks = faults[loc]
    assert len(quirks) >= 19 and all(q.get("seed_quirk") for q in quirks)
    for q in quirks:
        hits = [r for r in results if matches(q, r) and r.severity == q.get("severity", "error")]
        assert hits, f"not reported as {q.get('severity')}: {q['description']}"
        if q.get("severity", "error") == "error" and q["fault"] not in ("department_code",):
            r = hits[0]
            assert r.left_value is not None and r.right_value is not None, r.message
            assert r.left_pages and r.right_pages, r.message
            if q["pages"]:
                assert set(q["pages"]) & set(r.left_pages + r.right_pages), (q["description"], r.message)


def test_nothing_else_on_the_seed_is_an_error_or_a_warning(checked):
    _, summary, faults = checked
    loc = _seed(faults)
    quirks = faults[loc]
    for r in summary.results:
        if r.document_id != document_id(loc) or not r.failed:
            continue
        assert any(matches(q, r) and q.get("severity", "error") == r.severity for q in quirks), r.message


def test_the_seeds_known_figures(checked):
    """Spot values DOMAIN.md states, read straight from check_results."""
    _, summary, faults = checked
    seed = document_id(_seed(faults))
    by = {(r.check_name, r.subject): r for r in summary.results if r.document_id == seed}
    total = by[("prose_total_expenditure", "total_expenditure")]
    assert (str(total.left_value), str(total.right_value)) == ("2119.290000", "2134.290000")
    budget = by[("procurement_budget_column", "预算资金")]
    assert (budget.severity, str(budget.left_value), str(budget.right_value)) == ("warning", "231.650000", "220.650000")
    meeting = by[("prose_self_consistent", "meeting_expenses")]
    assert meeting.severity == "error" and {meeting.left_value, meeting.right_value} == {0, meeting.right_value}
    assert str(meeting.right_value) == "0.350000"


def test_every_injected_fault_is_reported_recall_100(checked):
    _, summary, faults = checked
    injected = {loc: fs for loc, fs in faults.items() if fs and not loc.startswith("2023/125_")}
    assert len(injected) >= 10
    missed = []
    for loc, fs in injected.items():
        results = [r for r in summary.results if r.document_id == document_id(loc) and r.severity == "error"]
        for f in fs:
            if not any(matches(f, r) for r in results):
                missed.append((loc, f["fault"], f["description"]))
    assert missed == []


def test_no_clean_document_has_an_error_precision_100(checked):
    _, summary, faults = checked
    clean = {document_id(loc) for loc, fs in faults.items() if not fs}
    false = [(r.document_id, r.check_name, r.message) for r in summary.results
             if r.severity == "error" and r.document_id in clean]
    assert false == []
    # district-wide errors would have no document: the roster is fully disclosed
    assert [r.message for r in summary.results if r.severity == "error" and r.document_id is None] == []


def test_the_report_lists_the_faulty_departments_first(checked, tmp_path):
    home, summary, faults = checked
    html = write_report(home.db_path, tmp_path).read_text(encoding="utf-8")
    assert "承德高新技术产业开发区社区管理办公室" in html
    assert "2134.29" in html and "2119.29" in html
    # the summary table is ordered by errors: the seed (most errors) comes before every other department
    table = html.split("汇总 Summary", 1)[1].split("<h2", 1)[0]
    seed_pos = table.index("社区管理办公室")
    for loc in faults:
        code = loc.split("/")[1].split("_")[0]
        if not faults[loc] and f"<td>{code}</td>" in table:
            assert table.index(f"<td>{code}</td>") > seed_pos
