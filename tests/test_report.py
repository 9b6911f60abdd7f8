"""The discrepancy report: one self-contained HTML page, a section per department, each failed
identity with both figures, the difference and the pages, departments ordered by errors."""

from __future__ import annotations

import re

import pytest

from test_checks_support import D, build_warehouse, mini_document

from pipeline.checks import run_checks
from pipeline.model import DocumentError
from pipeline.report import write_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    two = mini_document(code="202")
    next(c for c in two.narrative if c.metric == "basic_expenditure").amount += D("0.03")   # 80.03 vs 80.00
    three = mini_document(code="203")
    leaf = next(r for t in three.tables if t.kind == "expenditure_summary" for r in t.rows if r.code == "2120101")
    leaf.values["total"] += D("1.00")
    next(c for c in three.narrative if c.metric == "project_expenditure").amount += D("5.00")
    home = build_warehouse(tmp_path_factory.mktemp("report"), {
        "2023/201_mini.pdf": mini_document(), "2023/202_mini.pdf": two, "2023/203_mini.pdf": three})
    run_checks(home.db_path, run_id="old")
    run_checks(home.db_path, run_id="new")
    path = write_report(home.db_path, home.reports)
    return path, path.read_text(encoding="utf-8")


def test_report_is_one_self_contained_page(report):
    path, html = report
    assert path.name == "discrepancies.html"
    assert "<style>" in html
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "run new" in html


def test_each_department_has_a_section_ordered_by_errors(report):
    _, html = report
    summary = html.split("汇总 Summary", 1)[1].split("<h2", 1)[0]   # the charts come first
    rows = re.findall(r"<tr><td>(\d+)</td>.*?<td class=\"num error\">(\d+)</td>", summary, re.S)
    assert [code for code, _ in rows] == ["203", "202"]
    assert [int(n) for _, n in rows] == sorted((int(n) for _, n in rows), reverse=True)
    assert 'id="dept-203"' in html and 'id="dept-202"' in html and 'id="dept-201"' not in html


def test_a_failed_identity_shows_both_figures_difference_and_pages(report):
    _, html = report
    section = html.split('id="dept-202"', 1)[1]
    assert "说明中的基本支出与表格一致" in section            # the registry's wording
    assert "80.03" in section and "80.00" in section and "0.03" in section
    assert "9 / 5" in section                                 # prose page / table page


def test_report_without_a_warehouse_is_a_typed_error(tmp_path):
    with pytest.raises(DocumentError):
        write_report(tmp_path / "none.duckdb", tmp_path)


def test_changes_since_the_previous_run_list_new_and_resolved_findings(tmp_path):
    """A fault fixed between two nights is resolved, a fault introduced is new, nothing else moves."""
    import duckdb

    from pipeline.report.changes import since_previous_run

    two = mini_document(code="202")
    next(c for c in two.narrative if c.metric == "basic_expenditure").amount += D("1.00")
    home = build_warehouse(tmp_path / "a", {"2023/201_mini.pdf": mini_document(), "2023/202_mini.pdf": two})
    run_checks(home.db_path, run_id="night1")
    con = duckdb.connect(str(home.db_path))
    try:   # the second night: 202's prose fixed, 201's prose broken
        con.execute("UPDATE narrative_claims SET amount = amount - 1 WHERE document_id LIKE '202%' "
                    "AND metric = 'basic_expenditure'")
        con.execute("UPDATE narrative_claims SET amount = amount + 2 WHERE document_id LIKE '201%' "
                    "AND metric = 'basic_expenditure'")
    finally:
        con.close()
    run_checks(home.db_path, run_id="night2")
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        ch = since_previous_run(con, "night2", {})
        first = since_previous_run(con, "night1", {})
    finally:
        con.close()
    assert ch.previous_run == "night1" and first.previous_run is None
    assert ch.new and all(s.startswith("201 ") for s in ch.new), ch.new
    assert ch.resolved and all(s.startswith("202 ") for s in ch.resolved), ch.resolved


def test_plain_words_replace_internal_names_and_state_the_rounding():
    from pipeline.report.wording import non_financial, plain, tolerance_words

    text = plain("the document prints no three_public[total].training or else "
                 "general_budget_basic_expenditure[code:30216].total: difference 1.00, tolerance 0.255 (n=51)")
    assert "[" not in text and "tolerance" not in text and "三公" in text and "30216" in text
    assert tolerance_words(D("0.0300000"), 6).startswith("印刷取整允许 ±0.03 万元")
    assert "51" in tolerance_words(D("0.255"), 51)
    assert tolerance_words(None, 0) == ""
    assert non_financial("a ruled table … (text above it: 部门机构设置情况)") and not non_financial("部门预算支出总表")


def test_a_document_read_in_part_is_not_clean_unless_only_non_financial_tables_went_unread(tmp_path):
    import json

    import duckdb

    from pipeline.report.render import headline, partly_read_documents, sections

    home = build_warehouse(tmp_path, {"2023/201_mini.pdf": mini_document(), "2023/202_mini.pdf": mini_document(code="202"),
                                      "2023/203_mini.pdf": mini_document(code="203")})
    run_checks(home.db_path, run_id="r")
    con = duckdb.connect(str(home.db_path))
    try:
        docs = [d for (d,) in con.execute("SELECT document_id FROM documents ORDER BY document_id").fetchall()]
        for doc, reasons in ((docs[0], ["a ruled table the catalogue does not recognise (部门机构设置情况)"]),
                             (docs[1], ["部门预算支出总表 p. 6 unread"])):
            con.execute("UPDATE documents SET completeness = 'partial', completeness_detail = ? WHERE document_id = ?",
                        [json.dumps({"reasons": reasons}, ensure_ascii=False), doc])
        partial = partly_read_documents(con)
        _, secs = sections(con, "r")
    finally:
        con.close()
    assert [p["document_id"] for p in partial] == [docs[1]]
    head = headline(docs, secs, partial)
    assert head["documents"] == 3 and head["clean"] == 3 - head["with_errors"] - 1
