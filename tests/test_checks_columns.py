"""Two-sided summary tables that list the expenditure items twice, in two columns (Jiangsu)."""

from __future__ import annotations

from decimal import Decimal

from pipeline.checks.rules.within_table import _by_column
from pipeline.checks.facts import Line


def _line(i: int, x0: float | None, amount: str) -> Line:
    return Line(row_index=i, side="expenditure", code=None, name=f"item {i}", numbering=None, page=1,
                values={"amount": Decimal(amount)}, x0=x0)


def test_items_in_two_columns_are_two_groups_each_in_print_order():
    lines = [_line(0, 438.0, "22395.50"), _line(1, 814.0, "11700.63"), _line(2, 814.2, "13025.38"),
             _line(3, 438.4, "1374.63"), _line(4, 813.9, "2938.21"), _line(5, 438.0, "3894.09")]
    groups = _by_column(lines)
    assert [[ln.row_index for ln in g] for g in groups] == [[0, 3, 5], [1, 2, 4]]
    # Each column adds up to the side's total on its own (the figures of 江苏省委办公厅 2019).
    assert {sum(ln.values["amount"] for ln in g) for g in groups} == {Decimal("27664.22")}


def test_one_column_or_unknown_positions_stay_one_group():
    one = [_line(i, 438.0 + i, "1.00") for i in range(4)]
    assert _by_column(one) == [one]
    unknown = [_line(0, None, "1.00"), _line(1, 814.0, "2.00")]
    assert _by_column(unknown) == [unknown]
