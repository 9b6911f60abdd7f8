"""Two-sided summary tables that list the expenditure items twice, in two columns (Jiangsu): the view of
summary_current_totals (which owns the identity's check_results) sums each column on its own."""

from __future__ import annotations

from decimal import Decimal

from test_checks_support import facts_results, facts_warehouse

from pipeline.checks.facts import DocFacts, Line, TableFacts


def _line(i: int, x0: float | None, amount: str) -> Line:
    return Line(row_index=i, side="expenditure", code=None, name=f"item {i}", numbering=None, page=1,
                values={"amount": Decimal(amount)}, x0=x0)


def _summary(doc_id: str, items: list[Line], current: str) -> DocFacts:
    t = TableFacts("revenue_expenditure_summary", "收支总表", 0,
                   items + [Line(len(items), "expenditure", None, "本年支出合计", None, 1,
                                 {"amount": Decimal(current)}, x0=438.0)])
    return DocFacts(doc_id, "201", "测试", 2023, "万元", "loaded", tables=[t])


def _columns(tmp_path, docs: list[DocFacts]) -> dict[str, list[tuple]]:
    con = facts_warehouse(tmp_path / "columns.duckdb", docs)
    try:
        results = facts_results(con, docs)
    finally:
        con.close()
    return {d: sorted((r.subject, r.right_value, r.n, r.severity) for r in rs if r.check_name == "summary_current_totals")
            for d, rs in results.items()}


def test_items_in_two_columns_are_two_groups_each_adding_up(tmp_path):
    lines = [_line(0, 438.0, "22395.50"), _line(1, 814.0, "11700.63"), _line(2, 814.2, "13025.38"),
             _line(3, 438.4, "1374.63"), _line(4, 813.9, "2938.21"), _line(5, 438.0, "3894.09")]
    # Each column adds up to the side's total on its own (the figures of 江苏省委办公厅 2019).
    got = _columns(tmp_path, [_summary("two", lines, "27664.22")])["two"]
    assert got == [("revenue_expenditure_summary 本年支出合计", Decimal("27664.22"), 3, "ok"),
                   ("revenue_expenditure_summary 本年支出合计 #2", Decimal("27664.22"), 3, "ok")]


def test_one_column_or_unknown_positions_stay_one_group(tmp_path):
    one = [_line(i, 438.0 + i, "1.00") for i in range(4)]
    unknown = [_line(0, None, "1.00"), _line(1, 814.0, "2.00")]
    got = _columns(tmp_path, [_summary("one", one, "4.00"), _summary("unknown", unknown, "3.00")])
    assert got["one"] == [("revenue_expenditure_summary 本年支出合计", Decimal("4.00"), 4, "ok")]
    assert got["unknown"] == [("revenue_expenditure_summary 本年支出合计", Decimal("3.00"), 2, "ok")]
