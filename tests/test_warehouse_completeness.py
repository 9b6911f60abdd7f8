"""Completeness and document class in the warehouse (migration 006): a user can filter on what was
read, a partial document is never shown as complete, and a document that is not a budget keeps its
documents row but loads no table rows."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import seed_result  # noqa: E402

from pipeline.clean.frames import frames_from_result
from pipeline.config import Home
from pipeline.load.loader import load_staged
from pipeline.load.staging import stage


@pytest.fixture()
def home(tmp_path) -> Home:
    return Home.at(tmp_path).ensure()


def test_completeness_class_and_row_roles_are_loaded(home: Home) -> None:
    complete = seed_result("a" * 64)
    complete.document_class = "department_budget"
    complete.completeness = {"status": "complete", "document_class": "department_budget", "tables": [],
                             "unread_tables": [], "arithmetic_failing": [], "unread_columns": [],
                             "reasons": []}
    complete.tables[0].rows[3].role = "current_total"
    partial = copy.deepcopy(complete)
    partial.source = dict(partial.source, sha256="b" * 64)
    partial.completeness = dict(complete.completeness, status="partial",
                                unread_tables=[{"page": 9, "title": "项目支出表"}],
                                reasons=["p9: a ruled table with amounts not read (项目支出表)"])
    notice = copy.deepcopy(complete)
    notice.source = dict(notice.source, sha256="c" * 64)
    notice.document_class = "not_budget"
    notice.completeness = dict(complete.completeness, status="not_budget", document_class="not_budget")
    for doc_id, r in (("complete", complete), ("partial", partial), ("notice", notice)):
        stage(home.staging, doc_id, frames_from_result(r, doc_id, f"inbox/{doc_id}.pdf"))
    load_staged(home, snapshot=False)
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        docs = dict(con.execute("SELECT document_id, completeness FROM documents").fetchall())
        assert docs == {"complete": "complete", "partial": "partial", "notice": "not_budget"}
        detail = json.loads(con.execute("SELECT completeness_detail FROM documents "
                                        "WHERE document_id = 'partial'").fetchone()[0])
        assert detail["unread_tables"] == [{"page": 9, "title": "项目支出表"}]
        lines = dict(con.execute("SELECT document_id, count(*) FROM budget_lines GROUP BY ALL").fetchall())
        assert lines.get("notice") is None and lines["complete"] == lines["partial"] > 0
        assert con.execute("SELECT document_class FROM documents WHERE document_id = 'notice'"
                           ).fetchone()[0] == "not_budget"
        roles = con.execute("SELECT DISTINCT row_role FROM budget_lines WHERE document_id = 'complete' "
                            "AND name = '本年收入合计'").fetchall()
        assert roles == [("current_total",)]
    finally:
        con.close()
    from pipeline.night import NightSummary
    from pipeline.summary import render_summary

    text = render_summary(NightSummary(home=home))
    assert "1 complete, 1 partial, 1 not budgets" in text
    assert "partial.pdf: partial: p9: a ruled table with amounts not read" in text

    from pipeline.report.render import write_report

    html = write_report(home.db_path, home.root / "report").read_text("utf-8")
    assert "Documents read in part" in html and "inbox/partial.pdf" in html
    assert "p9: a ruled table with amounts not read" in html


def test_a_document_that_is_not_a_budget_passes_the_gate_and_is_recorded(home: Home) -> None:
    """The blocking check keeps out a budget with no table read, but a notice is recorded with its class
    (a night must account for it), never loaded as a budget's tables."""
    from pipeline.validate import validate_frames

    notice = seed_result("d" * 64)
    notice.document_class = "not_budget"
    empty_budget = seed_result("e" * 64)
    empty_budget.tables = []
    frames = {doc_id: frames_from_result(r, doc_id, f"inbox/{doc_id}.pdf")
              for doc_id, r in (("notice", notice), ("empty", empty_budget))}
    assert validate_frames(frames["notice"]) == []
    assert frames["notice"]["budget_lines"].height == 0
    assert any("no budget lines" in p for p in validate_frames(frames["empty"]))
    unread = seed_result("f" * 64)
    unread.tables = []
    unread.completeness = {"status": "partial", "document_class": "unit_budget", "tables": [],
                           "unread_tables": [{"page": 3, "title": "收支总表"}], "arithmetic_failing": [],
                           "unread_columns": [], "reasons": ["p3: a table with amounts not read (收支总表)"]}
    # a budget whose tables could not be read is recorded as partial (shown, filterable), not held out
    assert validate_frames(frames_from_result(unread, "unread", "inbox/unread.pdf")) == []
