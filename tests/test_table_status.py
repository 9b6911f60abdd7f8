"""The parser's per-table completeness reaches the checks (issue 12 with issue 11): each read table states
found / empty / unread / partial / doubtful (pipeline.tables.completeness.table_status), the warehouse keeps
it in document_tables.status, and an identity standing on an unread, partial or doubtful table is reported
unverifiable with its reason, never as an error."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from test_checks_demo import FAULT_CHECKS
from test_checks_support import build_warehouse

from pipeline.checks.engine import checked_document
from pipeline.checks.facts import load_facts
from pipeline.demo import variants as V
from pipeline.model import ParseResult, ParseWarning
from pipeline.parse import parse_document
from pipeline.sources.identity import document_id
from pipeline.tables.catalogue import load_catalogue
from pipeline.tables.completeness import assess, table_status

D = Decimal
TOL = D("0.005")


def _t(kind, title, pages, rows, had_amounts=True):
    return (kind, title, pages, not rows, None, had_amounts, rows, TOL)


def test_each_read_table_gets_the_status_its_reading_earns():
    ok = _t("expenditure_summary", "支出总表", [2], [{"total": D(3), "basic": D(1), "project": D(2)}] * 4)
    wrong = _t("general_budget_expenditure", "一般公共预算支出表", [3],
               [{"total": D(9), "basic": D(1), "project": D(2)}] * 4)      # 合计 ≠ 基本 + 项目 on every row
    grouped = _t("revenue_summary", "收入总表", [1], [{"total": D(5)}])
    unread = _t("three_public", "三公表", [4], [])
    empty = _t("government_fund_expenditure", "政府性基金表", [5], [], had_amounts=False)
    dropped = ParseWarning("unread_columns", "收入总表: 2 columns read as total; kept 合计, not read: 2024年/合计", [1],
                      ["2024年/合计"])
    tables = [ok, wrong, grouped, unread, empty]
    done = assess(load_catalogue(), "department_budget", tables, [], [dropped])
    assert [table_status(t, done) for t in tables] == ["found", "doubtful", "partial", "unread", "empty"]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> tuple[Path, ParseResult, list[dict]]:
    root = tmp_path_factory.mktemp("status")
    v = V.Variant(seed=7, unit="万元", all_categories=False, fault="cross_table")
    _, faults = V.render_variant(v, root / "a.pdf")
    return root, parse_document(root / "a.pdf"), faults


def _results(root: Path, parsed: ParseResult):
    home = build_warehouse(root, {"status/a.pdf": parsed})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        stored = con.execute("SELECT table_index, status FROM document_tables ORDER BY table_index").fetchall()
        doc = load_facts(con)[document_id("status/a.pdf")]
        return stored, checked_document(con, doc, None)
    finally:
        con.close()


def test_a_partial_table_makes_the_identity_on_it_unverifiable(faulty, tmp_path):
    root, parsed, faults = faulty
    assert faults and all(t.status == "found" for t in parsed.tables), [(t.kind, t.status) for t in parsed.tables]
    assert ParseResult.from_dict(parsed.to_dict()).tables[0].status == "found"

    stored, results = _results(tmp_path / "read", parsed)
    assert [s for _, s in stored] == [t.status for t in parsed.tables]
    hit = [r for r in results if r.severity == "error" and r.check_name in FAULT_CHECKS["cross_table"]]
    assert hit, "the planted cross-table fault is an error while every table was read in full"

    # the same document, the parse having left a column group of one of those tables unread
    index = hit[0].tables[-1]
    parsed.tables[index].status = "partial"
    try:
        _, results = _results(tmp_path / "partial", parsed)
    finally:
        parsed.tables[index].status = "found"
    same = [r for r in results if r.check_name == hit[0].check_name and r.subject == hit[0].subject]
    assert same and all(r.severity == "unverifiable" for r in same), [(r.severity, r.message) for r in same]
    assert "partial" in same[0].message
