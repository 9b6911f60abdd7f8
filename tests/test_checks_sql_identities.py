"""Identities stated in SQL (issue 14, item 4): each identity view yields the same two sides, tolerance
and pages per instance as check_results, and the GX expectation over the view fails exactly the
instances check_results finds broken beyond tolerance (before any downgrade), on planted faults, on the
demo district (its seed document included) and on the real Jiangsu and Putuo corpora.

For an identity still computed by its Python rule this compares two computations; for one its view owns
(pipeline/checks/viewed.VIEW_OWNED) it holds the engine's results to be the view's rows, and the planted
faults (PLANTED: this test's own arithmetic, and the findings planted below) to fail exactly their views."""

from __future__ import annotations

import copy
from collections import Counter

import duckdb
import pytest

from pipeline.model import Claim, Row, Table

from test_checks_support import D, build_warehouse, load_truth_dir, mini_document

from pipeline.checks.catalogue import REGISTRY
from pipeline.checks.engine import compute_results
from pipeline.checks.sql_gx import disagreements, validate_views
from pipeline.load.roster import load_roster
from pipeline.checks.sql_identities import (BOUND_VIEWS, FINDING_VIEWS, FINDINGS_IN_PYTHON, PYTHON_ONLY,
                                            failed_by_rule, instance_key, SQL_IDENTITIES, blocks_computed_once,
                                            create_identity_views, view_name)


def test_every_catalogue_identity_is_in_sql_or_says_why_not():
    assert set(SQL_IDENTITIES).isdisjoint(PYTHON_ONLY)
    assert set(SQL_IDENTITIES) | set(PYTHON_ONLY) == set(REGISTRY)
    assert all(reason.strip() and "\n" not in reason for reason in PYTHON_ONLY.values())
    assert set(FINDINGS_IN_PYTHON) | set(FINDING_VIEWS) | set(BOUND_VIEWS) <= set(SQL_IDENTITIES)


def _sides(con: duckdb.DuckDBPyConnection, name: str) -> Counter:
    if name in FINDING_VIEWS:   # a finding view: its rows are the findings, each outside its zero tolerance
        rows = con.execute(f"SELECT document_id, subject, within_tolerance, left_value > 0, tolerance, n "
                           f"FROM {view_name(name)}").fetchall()
        assert all(not w and found and tol == 0 and n == 0 for _, _, w, found, tol, n in rows), name
        return Counter((d, s) for d, s, *_ in rows)
    return Counter((d, s, lv, rv, tol, n, tuple(lp), tuple(rp)) for d, s, lv, rv, tol, n, lp, rp in con.execute(
        f"SELECT document_id, subject, left_value, right_value, tolerance, n, left_pages, right_pages "
        f"FROM {view_name(name)}").fetchall())


def _two_sided(r) -> bool:
    """An instance a view yields: all of it, except a finding (no tolerance) of an identity whose
    findings stay in Python (FINDINGS_IN_PYTHON)."""
    return r.check_name not in FINDINGS_IN_PYTHON or r.tolerance is not None


def _rule_sides(results: list, name: str) -> Counter:
    if name in FINDING_VIEWS:   # its findings (an instance that holds is no row)
        return Counter((r.document_id, r.subject) for r in results if r.check_name == name and failed_by_rule(name, r))
    if name in BOUND_VIEWS:   # the rule prints (change, level − change); the view bounds level − change by 0
        return Counter((r.document_id, r.subject, r.right_value, 0, r.tolerance, r.n,
                        tuple(sorted(set(r.left_pages) | set(r.right_pages))), ())
                       for r in results if r.check_name == name)
    return Counter((r.document_id, r.subject, r.left_value, r.right_value,
                    r.tolerance if r.rule_tolerance is None else r.rule_tolerance, r.n,
                    tuple(sorted(set(r.left_pages))), tuple(sorted(set(r.right_pages))))
                   for r in results if r.check_name == name and _two_sided(r))


def _broken_by_rule(results: list) -> dict[str, Counter]:
    """Each SQL identity's instances broken beyond tolerance as the rule computed them, before any
    downgrade (a downgrade lowers the severity and may judge with a wider tolerance, never moves a side)."""
    return {name: Counter(instance_key(name, r.document_id, r.subject, r.left_value, r.right_value)
                          for r in results if r.check_name == name and failed_by_rule(name, r))
            for name in SQL_IDENTITIES}


def assert_views_stand_for_the_rules(con: duckdb.DuckDBPyConnection, gx: bool = True) -> dict[str, Counter]:
    """Views' sides equal the rules', and the instances broken beyond tolerance (GX's verdict over the
    view; without ``gx``, the view's own within_tolerance column) equal the rules'; returns the broken.
    The views are read with their blocks computed once (as GX reads them): the same rows as the live
    views, which test_a_planted_fault… compares."""
    results, _ = compute_results(con)
    with blocks_computed_once(con):
        for name in SQL_IDENTITIES:
            assert _sides(con, name) == _rule_sides(results, name), name
        view_broken = {name: Counter(instance_key(name, *row) for row in con.execute(
                           f"SELECT document_id, subject, left_value, right_value FROM {view_name(name)} "
                           f"WHERE NOT within_tolerance").fetchall())
                       for name in SQL_IDENTITIES}
    broken = _broken_by_rule(results)
    assert view_broken == broken
    if gx:
        outcomes = validate_views(con)
        assert {o.identity: Counter(instance_key(o.identity, *b) for b in o.broken) for o in outcomes} == broken
        assert all(o.success == (not broken[o.identity]) for o in outcomes)
        assert disagreements(outcomes, results) == []
    return broken


# --- planted faults in a small document ---------------------------------------------------------------

def _assets_and_duties(result, as_of: str, second_duty: str) -> None:
    """An assets table dated ``as_of`` (and a line dated 2022-12-31), and a duty table whose top-level
    activities (80.00 and ``second_duty``; a sub-activity not summed) add up to 本年支出合计 when it is 25.00."""
    def row(name, values, attrs):
        return Row(side=None, code=None, name=name, values={k: D(v) for k, v in values.items()}, page=9,
                   bbox=[0, 0, 1, 1], attrs=attrs)
    result.tables.append(Table("assets", "国有资产占有情况表", [9], False, [
        row("资产总额", {"amount": "50.00"}, {"as_of": as_of}), row("房屋", {"amount": "50.00"}, {"as_of": "2022-12-31"})]))
    result.tables.append(Table("performance_targets", "部门职责-工作活动绩效目标表", [9], False, [
        row("一、履行职责", {"budget": "80.00"}, {"subkind": "duty"}),
        row("1、日常运转", {"budget": "30.00"}, {"subkind": "duty"}),
        row("二、重点工作", {"budget": second_duty}, {"subkind": "duty"})]))


def _planted(code: str, fault: str):
    """Department ``code``'s mini document with one cell 1.00 higher: the basic table's 301 row or its 合计
    (``basic_total``), or the expenditure table's 2120101 leaf; ``clean``: none; ``as_of``: its assets
    table dated in the budget year; ``duty``: its duty budgets 1.00 higher."""
    result = copy.deepcopy(mini_document(code=code))
    _assets_and_duties(result, "2023-06-30" if fault == "as_of" else "2022-12-31", "26.00" if fault == "duty" else "25.00")
    if fault in ("fixed", "fixed_clean"):   # 固定资产 = its top numbered lines: 60 + 40 (not the 办公用房 under 房屋)
        assets = next(t for t in result.tables if t.kind == "assets")
        for name, amount in (("1、房屋", "60.00"), ("（1）办公用房", "40.00"), ("2、车辆", "40.00")):
            assets.rows.append(Row(side=None, code=None, name=name, values={"amount": D(amount)}, page=9,
                                   bbox=[0, 0, 1, 1], attrs={"as_of": "2022-12-31"}))
        assets.rows = [r for r in assets.rows if r.name != "房屋"]
        assets.rows[0].values["amount"] = D("100.00")
        amount = "101.00" if fault == "fixed" else "100.00"
        result.narrative.append(Claim("fixed_assets", D(amount), 9, f"固定资产 {amount} 万元"))
    if fault == "unverifiable":             # a 三公 figure without a 三公 table; a figure within a subject
        result.narrative += [Claim("overseas_travel", D("1.00"), 9, "因公出国（境）费 1.00 万元"),
                             Claim("personnel_expenditure", D("18.00"), 9, "“城乡社区支出”科目 105 万元，主要用于人员经费 18 万元")]
    if fault in ("clean", "as_of", "duty", "fixed", "fixed_clean", "unverifiable"):
        return result
    if fault == "leaf":
        row = next(r for t in result.tables if t.kind == "expenditure_summary" for r in t.rows if r.code == "2120101")
    else:
        basic = next(t for t in result.tables if t.kind == "general_budget_basic_expenditure")
        row = next(r for r in basic.rows if (r.code == fault) or (fault == "basic_total" and r.name == "合计"))
    row.values["total"] += D("1.00")
    return result


#: department → (the fault planted in its document, the identities it breaks: this test's own arithmetic)
PLANTED = {   # a raised total breaks its row's sum of columns (row_total) too
    "201": ("clean", set()),
    "202": ("301", {"row_total", "personnel_is_301_303", "code_hierarchy", "column_total"}),  # 301 = Σ 301xx
    "203": ("basic_total", {"row_total", "general_budget_vs_basic_table", "column_total"}),   # 合计 total only
    "204": ("leaf", {"row_total", "code_hierarchy"}),                                          # 21201 = Σ 项
    "205": ("as_of", {"assets_as_of_date"}),                                 # dated in the budget year
    "206": ("duty", {"duty_budget_relates_to_total"}),                       # 80 + 26 is no total printed
    "207": ("fixed_clean", set()),                                           # 固定资产 100 = 60 + 40
    "208": ("fixed", {"prose_fixed_assets"}),                                # stated 101
    "209": ("unverifiable", {"prose_unverifiable"}),
}

#: one view of each generator, read live (each live view costs DuckDB ~0.3 s of planning its blocks)
LIVE = ("row_total", "code_hierarchy", "summary_carryover", "summary_class_vs_expenditure_table",
        "general_budget_vs_basic_table", "prose_total_revenue", "prose_assets_total", "procurement_budget_column")


def test_a_planted_fault_fails_its_views_and_no_other(tmp_path):
    home = build_warehouse(tmp_path, {f"2023/{code}_mini.pdf": _planted(code, fault)
                                      for code, (fault, _) in PLANTED.items()})
    with duckdb.connect(str(home.db_path), read_only=True) as con:
        live = {name: _sides(con, name) for name in LIVE}
        broken = assert_views_stand_for_the_rules(con)
        live_fixed = sorted(con.execute("SELECT document_id, subject, left_value, right_value "
                                        "FROM v_identity_prose_fixed_assets").fetchall())
        with blocks_computed_once(con):
            assert {name: _sides(con, name) for name in LIVE} == live
        assert all(_sides(con, name) for name in ("column_total", "code_hierarchy", "summary_balance",
                                                   "personnel_is_301_303", "procurement_line_product"))
        department = dict(con.execute("SELECT document_id, department_code FROM documents").fetchall())
    for code, (_, meant) in PLANTED.items():
        assert {name for name, b in broken.items() if any(department[d] == code for d, *_ in b)} == meant, code
    assert {s for d, s in broken["prose_unverifiable"]} == {"overseas_travel", "personnel_expenditure"}  # no 三公 table; scoped
    assert [(department[d], lv, rv) for d, _, lv, rv in live_fixed] == [("207", D("100.00"), D("100.00")),
                                                                         ("208", D("101.00"), D("100.00"))]
    with duckdb.connect(str(home.db_path)) as con:   # a view replaced by hand is made again by the next load
        con.execute("CREATE OR REPLACE VIEW v_identity_row_total AS SELECT 1 AS one")
        create_identity_views(con)
        assert _sides(con, "row_total") == live["row_total"]


def test_planted_findings_bounds_and_last_year_are_the_views_rows(tmp_path):
    bad = copy.deepcopy(mini_document(code="302"))
    next(r for t in bad.tables if t.kind == "expenditure_summary" for r in t.rows
         if r.code == "2120102").code = "99901"   # 999 is no functional 类
    summary = next(t for t in bad.tables if t.kind == "expenditure_summary")
    fund = copy.deepcopy(next(r for r in summary.rows if r.code == "99901"))
    fund.code, fund.values = "2120801", {"total": D("4.00"), "basic": D("0"), "project": D("4.00")}
    summary.rows.insert(-1, fund)   # a government-fund subject, while the fund table is printed empty
    renamed = mini_document(code="301", year=2022)
    renamed.department["name"] = "测试部门301（旧名）"                       # 301 renamed since 2022
    header = next(t for t in bad.tables if t.kind == "procurement")
    header.department_code, header.department_name = "3020", "其他部门"   # one table names another department
    bad.narrative += [   # 302's totals: 105 this year, 95 last year (basic 80 against 70)
        Claim("increase_total", D("10.00"), 9, "比上年增加 10.00 万元"),
        Claim("increase_basic", D("12.00"), 9, "比上年增加 12.00 万元"),                       # 80 − 70 = 10
        Claim("government_fund_expenditure", D("10.00"), 9, "政府性基金预算支出 10.00 万元"),
        Claim("increase_government_fund", D("3.00"), 9, "比上年增加 3.00 万元"),             # last year 7
        Claim("soe_capital_expenditure", D("2.00"), 10, "国有资本经营预算支出 2.00 万元"),
        Claim("increase_soe_capital", D("5.00"), 10, "比上年增加 5.00 万元")]                 # last year −3
    home = build_warehouse(tmp_path, {
        "2023/301_a.pdf": mini_document(code="301"),
        "2023/301_copy.pdf": mini_document(code="301"),                        # the same content again
        "2023/301_other.pdf": mini_document(code="301", second_leaf="6.00"),  # the department-year again
        "2023/302_mini.pdf": bad, "2022/302_mini.pdf": mini_document(code="302", year=2022, basic_leaf="70.00"),
        "2022/301_mini.pdf": renamed})
    with duckdb.connect(str(home.db_path), read_only=True) as con:
        broken = assert_views_stand_for_the_rules(con)
        assert Counter(s for _, s, *_ in broken["prose_increase_vs_last_year"]) == {"increase_basic": 1}
        assert {s for _, s, *_ in _sides(con, "prose_increase_vs_last_year")} == {"increase_total", "increase_basic"}
        assert [s for _, s in broken["prose_change_vs_level"]] == ["increase_soe_capital"]
        assert len(_sides(con, "prose_change_vs_level")) == 2
        subjects = {name: {s for _, s in _sides(con, name)} for name in FINDING_VIEWS}
        clean = con.execute("SELECT count(*) FROM v_identity_subject_codes_valid v JOIN documents d "
                            "USING (document_id) WHERE d.department_code = '301'").fetchone()[0]
    assert subjects["subject_codes_valid"] == {"99901"} and clean == 0
    assert subjects["department_code_consistent"] == {"3020"}
    assert subjects["department_name_consistent"] == {"其他部门"}
    assert subjects["department_name_across_years"] == {"301 2023"}
    assert subjects["government_fund_subject_without_table"] == {"code 2120801"}
    assert any(s.startswith("sha-301") for s in subjects["duplicate_documents"])       # same content
    assert any(s.endswith("/2023") for s in subjects["duplicate_documents"])           # same department-year


def _load_roster(home, tmp_path, text: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("department_code,name,years\n" + text, encoding="utf-8")
    with duckdb.connect(str(home.db_path)) as con:
        load_roster(con, path)


def test_planted_roster_faults_are_the_roster_views_rows_and_break_no_other(tmp_path):
    home = build_warehouse(tmp_path / "home", {
        "2023/201_mini.pdf": mini_document(code="201"), "2023/202_mini.pdf": mini_document(code="202"),
        "2023/203_broken.pdf": {"error": {"kind": "not_pdf", "message": "not a PDF"}},  # code, year: its path
        "2023/203_again.pdf": {"error": {"kind": "encrypted", "message": "encrypted"}},
        "notes/readme.pdf": {"error": {"kind": "not_pdf", "message": "no year nor code in its path"}}})
    with duckdb.connect(str(home.db_path)) as con:   # a failed file whose code and year were read, not its path's
        con.execute("UPDATE documents SET department_code = '204', year = 2023 WHERE source = 'notes/readme.pdf'")
    _load_roster(home, tmp_path, "201,测试部门201,2023\n202,测试部门202,2023\n")   # the clean district
    with duckdb.connect(str(home.db_path), read_only=True) as con:
        clean = assert_views_stand_for_the_rules(con)
        assert not _sides(con, "roster_disclosed") and not _sides(con, "department_in_roster")
        failed = dict(con.execute("SELECT source, document_id FROM documents WHERE status = 'failed'").fetchall())
    _load_roster(home, tmp_path,                  # replaced whole: 202 gone, so its document is not on it
                 "201,测试部门201,2022;2023\n203,某部门,2023\n204,又一部门,2023\n205,测试部门202,2023\n"
                 "206,新部门,2024;2024\n")
    with duckdb.connect(str(home.db_path), read_only=True) as con:
        broken = assert_views_stand_for_the_rules(con)
        on = dict(con.execute("SELECT subject, department FROM v_identity_roster_disclosed "
                              "WHERE document_id IS NULL").fetchall())
    assert {n for n in broken if broken[n] != clean[n]} == {"roster_disclosed", "department_in_roster"}
    first_203 = min(failed["2023/203_broken.pdf"], failed["2023/203_again.pdf"])
    assert broken["roster_disclosed"] == Counter({(None, "201/2022"): 1, (first_203, "203/2023"): 1,
                                                  (failed["notes/readme.pdf"], "204/2023"): 1,
                                                  (None, "205/2023"): 1, (None, "206/2024"): 2})
    assert on == {"201/2022": "201", "205/2023": "205", "206/2024": "206"}
    assert broken["department_in_roster"] == Counter({(_doc_of(home, "202"), "202"): 1})


def _doc_of(home, code: str) -> str:
    with duckdb.connect(str(home.db_path), read_only=True) as con:
        return con.execute("SELECT document_id FROM documents WHERE department_code = ?", [code]).fetchone()[0]


# --- the demo district with its seed, and the real corpora ---------------------------------------------

@pytest.fixture(scope="module")
def demo_warehouse(demo_district, tmp_path_factory):   # the fixed-seed district, its seed document and roster
    home = build_warehouse(tmp_path_factory.mktemp("sql-identities-demo"), load_truth_dir(demo_district))
    with duckdb.connect(str(home.db_path)) as con:
        load_roster(con, demo_district / "roster.csv")   # what a run given the demo's roster stores
    return home


def test_the_views_stand_for_the_rules_on_the_demo_district_and_its_seed(demo_warehouse):
    with duckdb.connect(str(demo_warehouse.db_path), read_only=True) as con:
        broken = assert_views_stand_for_the_rules(con)
        assert _sides(con, "prose_increase_vs_last_year")   # the demo states increases over last year
        # the demo's roster (its 41 departments) is fully disclosed, its broken files not on it: no finding
        assert con.execute("SELECT count(*) FROM roster").fetchone()[0] == 41
        assert not _sides(con, "roster_disclosed") and not _sides(con, "department_in_roster")
        seed = {d for (d,) in con.execute("SELECT document_id FROM documents WHERE source LIKE '%2023/125_%'").fetchall()}
    assert seed and any(d in seed for b in broken.values() for d, *_ in b)   # the seed's quirks are among them


@pytest.mark.parametrize("region", ["jiangsu", "putuo"])
def test_the_views_stand_for_the_rules_on_the_corpus(corpus_warehouses, region):
    with duckdb.connect(str(corpus_warehouses[region].db_path), read_only=True) as con:
        assert_views_stand_for_the_rules(con, gx=False)   # GX's verdict is the view's: shown above
        evaluated = sum(con.execute(f"SELECT count(*) FROM {view_name(n)}").fetchone()[0] for n in SQL_IDENTITIES)
    assert evaluated > 50
