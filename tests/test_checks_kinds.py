"""The checks' table-kind sets are the warehouse's table-kind dimension read back (issue 14, item 2): a
view joining ``table_kinds`` and a rule iterating CODED_KINDS / SUMMARY_KINDS see the same kinds."""

from __future__ import annotations

import duckdb
import pytest

from test_checks_support import build_warehouse, mini_document

from pipeline.checks.kinds import CODED_KINDS, SUMMARY_KINDS, TEXT_ONLY_KINDS, UNCODED_KINDS


@pytest.fixture(scope="module")
def dimension(tmp_path_factory) -> dict[str, tuple[str, bool, bool, bool]]:
    home = build_warehouse(tmp_path_factory.mktemp("kinds"), {"2023/201_mini.pdf": mini_document()})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        rows = con.execute("SELECT table_kind, classification, side_by_side, text_only, standard "
                           "FROM table_kinds").fetchall()
    finally:
        con.close()
    return {k: (c, s, t, st) for k, c, s, t, st in rows}


def test_the_checks_kind_sets_are_the_warehouse_dimension(dimension):
    assert set(SUMMARY_KINDS) == {k for k, (_, side, _, _) in dimension.items() if side}
    assert set(CODED_KINDS) == {k for k, (c, side, _, std) in dimension.items() if c != "none" and not side and std}
    assert UNCODED_KINDS == {k for k, (c, _, _, _) in dimension.items() if c == "none"}
    assert TEXT_ONLY_KINDS == {k for k, (_, _, text, _) in dimension.items() if text}


def test_the_hierarchy_runs_on_the_one_sided_coded_tables(dimension):
    """What the code hierarchy sums: the functional tables and the economic basic-expenditure table,
    never a side-by-side summary or a table without subject codes."""
    assert {"expenditure_summary", "general_budget_basic_expenditure"} <= set(CODED_KINDS)
    assert not set(CODED_KINDS) & (set(SUMMARY_KINDS) | UNCODED_KINDS)
    assert dimension["general_budget_basic_expenditure"][0] == "economic"
