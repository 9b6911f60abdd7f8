"""Findings a reviewer can trust (issue 12): sums follow the row hierarchy, an error rests only on what was
read for certain (else ``unverifiable`` with its reason, one finding per misread table), every prose
figure is resolved to its cell or listed, and check_coverage says per document how much was verified.
Each rule is shown on a small document both ways: where it holds, and where it must still fail."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from test_checks_support import D, _row, build_warehouse, mini_document

from pipeline.checks.engine import compute_results, run_checks
from pipeline.checks.rules.prose_figures import resolve
from pipeline.checks.facts import FigureFact, load_facts, numbering_level
from pipeline.model import Claim, Figure, Table
from pipeline.narrative.claims import ProseText, find_claims
from pipeline.narrative.figures import find_figures

LOC = "2023/201_mini.pdf"


def _results(tmp_path, result, status: dict[str, str] | None = None):
    home = build_warehouse(tmp_path, {LOC: result})
    con = duckdb.connect(str(home.db_path), read_only=status is None)
    try:
        if status:   # the table-reading rewrite's per-table completeness, as it will be stored
            con.execute("ALTER TABLE document_tables ADD COLUMN IF NOT EXISTS status VARCHAR")
            for kind, st in status.items():
                con.execute("UPDATE document_tables SET status = ? WHERE table_kind = ?", [st, kind])
        return compute_results(con)[0]
    finally:
        con.close()


def _sev(results, name):
    return [r.severity for r in results if r.check_name == name]


def _errors(results):
    return [r for r in results if r.severity == "error"]


def _table(doc, kind):
    return next(t for t in doc.tables if t.kind == kind)


def _cut_last_leaf(doc):
    """The expenditure table read without its last 项 (a continuation page the parse did not join)."""
    exp = _table(doc, "expenditure_summary")
    exp.rows = [r for r in exp.rows if r.code != "2120102"]


def test_a_table_running_on_past_an_unread_page_is_unverifiable_once(tmp_path):
    doc = mini_document()
    _cut_last_leaf(doc)
    _table(doc, "fiscal_summary").pages = [5]           # p. 4, after the expenditure table, belongs to no table
    results = _results(tmp_path / "a", doc)
    assert not _errors(results), [r.message for r in _errors(results)]
    [why] = [r for r in results if r.check_name == "table_unreliable"]
    assert why.severity == "unverifiable" and "p. 4" in why.message and why.left_pages == [3]
    # the same cut with p. 4 read as another table: the shortfall is the document's own, an error
    doc = mini_document()
    _cut_last_leaf(doc)
    assert "error" in _sev(_results(tmp_path / "b", doc), "code_hierarchy")


def test_rows_exceeding_their_total_stay_an_error_before_an_unread_page(tmp_path):
    doc = mini_document()
    _table(doc, "fiscal_summary").pages = [5]
    exp = _table(doc, "expenditure_summary")
    # the first 项 printed too high: rows missing after the last one read cannot explain that
    exp.rows[2].values["total"] += D("1.00")
    exp.rows[2].values["basic"] += D("1.00")
    results = _results(tmp_path, doc)
    assert any(r.check_name in ("code_hierarchy", "row_total") for r in _errors(results))


def test_a_table_the_parse_marks_partial_makes_its_identities_unverifiable(tmp_path):
    doc = mini_document()
    _table(doc, "expenditure_summary").rows[0].values["total"] += D("3.00")   # 212 printed 3.00 too high
    assert _errors(_results(tmp_path / "a", doc))
    results = _results(tmp_path / "b", doc, status={"expenditure_summary": "partial"})
    assert not _errors(results), [r.message for r in _errors(results)]
    [why] = [r for r in results if r.check_name == "table_unreliable"]
    assert "partial" in why.message


def test_a_table_failing_on_most_rows_is_one_finding(tmp_path):
    doc = mini_document()
    basic = _table(doc, "general_budget_basic_expenditure")
    for i, r in enumerate(basic.rows[1:]):
        r.values["total"] += D(i + 1)   # the total column read from another column on every row
    results = _results(tmp_path, doc)
    own = [r for r in results if r.check_name in ("row_total", "column_total", "code_hierarchy")
           and r.severity != "ok"]
    assert own and all(r.severity == "unverifiable" and r.hidden for r in own)
    assert len([r for r in results if r.check_name == "table_unreliable"]) == 1


def test_column_number_rows_are_never_items(tmp_path):
    doc = mini_document()
    summ = _table(doc, "revenue_expenditure_summary")
    summ.rows.insert(0, _row("甲", {"amount": "1"}, 1, side="revenue"))
    summ.rows.insert(1, _row("乙", {"amount": "2"}, 1, side="expenditure"))
    assert set(_sev(_results(tmp_path, doc), "summary_current_totals")) == {"ok"}


def test_prose_grand_total_restates_the_tables_grand_total(tmp_path):
    doc = mini_document()
    summ = _table(doc, "revenue_expenditure_summary")
    total = summ.rows[1].values["amount"]
    carry = D("6.39")
    for r in summ.rows:
        if r.name == "上年结转结余":
            r.values["amount"] = carry
        if r.name == "收入总计":
            r.values["amount"] = total + carry
    summ.rows = [r for r in summ.rows if r.side != "expenditure"] + [
        _row("十二、城乡社区支出", {"amount": format(total + carry, "f")}, 1, side="expenditure"),
        _row("本年支出合计", {"amount": format(total + carry, "f")}, 1, side="expenditure"),
        _row("支出总计", {"amount": format(total + carry, "f")}, 1, side="expenditure")]
    for c in doc.narrative:
        if c.metric == "total_revenue":
            c.amount, c.quote = total + carry, f"预算收入总计 {total + carry} 万元"
    results = _results(tmp_path / "a", doc)
    assert _sev(results, "prose_total_revenue") == ["ok"]
    for c in doc.narrative:
        if c.metric == "total_revenue":
            c.amount = total + carry + D("1")
    [r] = [r for r in _results(tmp_path / "b", doc) if r.check_name == "prose_total_revenue"]
    assert r.severity == "error" and r.right_value == total + carry   # compared with 收入总计, its scope


def test_asset_lines_are_summed_at_their_top_numbering_level(tmp_path):
    assert [numbering_level(x) for x in ("一、流动资产", "（一）房屋", "1、房屋", "（1）车", "其中：办公用房", "资产总额")] \
        == [0, 1, 2, 3, 4, None]
    doc = mini_document()
    doc.tables.append(Table("assets", "资产占用情况表", [11], False, [
        _row("资产总额", {"amount": "100.00"}, 11),
        _row("1、房屋", {"amount": "30.00"}, 11), _row("其中：办公用房", {"amount": "20.00"}, 11),
        _row("2、车辆", {"amount": "10.00"}, 11), _row("（1）轿车", {"amount": "10.00"}, 11),
        _row("3、其他固定资产", {"amount": "5.00"}, 11)]))
    doc.narrative.append(Claim("fixed_assets", D("45.00"), 10, "固定资产 45.00 万元"))
    assert _sev(_results(tmp_path / "a", doc), "prose_fixed_assets") == ["ok"]
    doc.narrative[-1] = Claim("fixed_assets", D("75.00"), 10, "固定资产 75.00 万元")   # lines and sub-lines summed
    assert _sev(_results(tmp_path / "b", doc), "prose_fixed_assets") == ["error"]


def test_a_figure_scoped_to_a_subject_is_unverifiable_not_an_error(tmp_path):
    prose = ProseText()
    prose.add(10, "2.“农林水支出”科目83万元，主要用于人员经费18万元、公用经费58万元。")
    claims = find_claims(prose)
    assert [c.metric for c in claims] == ["personnel_expenditure", "public_funds_expenditure"]
    doc = mini_document()
    doc.narrative.extend(claims)
    results = _results(tmp_path, doc)
    assert not _errors(results), [r.message for r in _errors(results)]
    assert sorted(r.subject for r in results if r.check_name == "prose_unverifiable"
                  and r.severity == "unverifiable") == ["personnel_expenditure", "public_funds_expenditure"]


def test_every_prose_amount_is_a_figure_and_resolved_or_listed(tmp_path):
    prose = ProseText()
    prose.add(10, "2023年“三公”经费财政拨款预算 6.48 万元，比上年减少 1.20 万元，下降15.6%。其中：因公出国（境）费 0 万元；"
                  "会议费2.00万元，办公费3.25万元。")
    figures = find_figures(prose)
    assert [(f.amount, f.unit) for f in figures] == [(D("6.48"), "万元"), (D("1.20"), "万元"), (D("15.6"), "%"),
                                                      (D("0"), "万元"), (D("2.00"), "万元"), (D("3.25"), "万元")]
    assert figures[1].label.startswith("比上年减少") and figures[0].sentence.startswith("2023年")
    doc = mini_document()
    doc.tables.append(Table("three_public", "三公经费表", [11], False, [
        _row("合计", {"total": "6.48", "overseas_travel": "0", "official_reception": "2.48",
                    "vehicle_total": "4.00"}, 11)]))
    doc.figures = figures
    home = build_warehouse(tmp_path, {LOC: doc})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        facts = next(iter(load_facts(con).values()))
    finally:
        con.close()
    how = [(resolve(facts, f).how, resolve(facts, f).why) for f in facts.figures]
    assert how[0] == ("cell", "three_public_total") and how[3] == ("cell", "overseas_travel")
    assert how[1][0] == how[2][0] == "unresolved"                   # a change and a ratio: no cell
    assert how[5][0] == "cell" and "办公费" in how[5][1]             # a basic-table line by its name
    summary = run_checks(home.db_path, run_id="t")
    assert summary.errors == 0
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        [(checked, holding, broken, unver, reasons, figures_, resolved)] = con.execute(
            "SELECT checked, holding, broken, unverifiable, reasons, prose_figures, prose_resolved FROM check_coverage "
            "WHERE run_id = 't'").fetchall()
    finally:
        con.close()
    assert checked == holding + broken + unver and broken == 0
    assert (figures_, resolved) == (6, 4) and "2 of the 6 amounts the prose prints" in reasons


def test_a_figure_differing_from_its_cell_is_a_warning(tmp_path):
    doc = mini_document()
    doc.figures = [Figure("办公费", D("9.99"), "万元", 10, "办公费9.99万元。")]
    results = _results(tmp_path, doc)
    [r] = [r for r in results if r.check_name == "prose_figure_vs_table"]
    assert r.severity == "warning" and r.right_value == Decimal("8.00")
    assert FigureFact  # the warehouse's form of a figure
