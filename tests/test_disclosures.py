"""Disclosures: companion PDFs joined into one department-year, 部门预算 and 单位预算 kept apart, and the
year-over-year checks fed by the same department's previous disclosure.

The pairing rules are tested on rows (pipeline.load.disclosures.assign); the corpus tests compare the
warehouse built from ../shared/corpus with the truth files' own statements (companion_file,
document_kind), which were written by hand, not by this code.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.engine import compute_results
from pipeline.load.disclosures import DocumentRow, assign, department_key, folder_of


def row(doc_id: str, source: str, content: str | None, year: int | None = 2019, kind: str | None = None,
        name: str | None = None, code: str | None = None, page: str | None = None) -> DocumentRow:
    return DocumentRow(doc_id, source, code, name, year, kind, content, page)


def by_doc(rows: list[DocumentRow]) -> dict[str, tuple[str, str | None]]:
    return {p.document_id: (p.disclosure_id, p.part) for p in assign(rows)}


def test_tables_and_prose_published_together_are_one_disclosure():
    got = by_doc([row("t", "委办/2019年度部门预算公开表格.pdf", "tables", name="中共江苏省委办公厅"),
                  row("n", "委办/2019年度部门预算公开文件.pdf", "narrative", kind="department")])
    assert got == {"t": ("t", "tables"), "n": ("t", "narrative")}
    parts = {p.document_id: p for p in assign([row("t", "a/x.pdf", "tables", name="中共江苏省委办公厅"),
                                              row("n", "a/y.pdf", "narrative", kind="department")])}
    # the disclosure takes the name from the tables and the budget kind from the prose
    assert {(p.department_name, p.budget_kind) for p in parts.values()} == {("中共江苏省委办公厅", "department")}


@pytest.mark.parametrize("rows", [
    [row("t", "a/x.pdf", "tables"), row("n", "b/y.pdf", "narrative")],                       # other folders
    [row("t", "a/x.pdf", "tables", 2018), row("n", "a/y.pdf", "narrative", 2019)],           # other years
    [row("t", "a/x.pdf", "tables", kind="unit"), row("n", "a/y.pdf", "narrative", kind="department")],
    [row("t", "a/x.pdf", "tables"), row("u", "a/z.pdf", "tables"), row("n", "a/y.pdf", "narrative")],  # ambiguous
    [row("t", "a/x.pdf", "tables+narrative"), row("n", "a/y.pdf", "narrative")],             # already whole
    [row("t", "a/x.pdf", "tables", None), row("n", "a/y.pdf", "narrative", None)],           # no year
])
def test_documents_that_are_not_an_unambiguous_pair_stay_alone(rows):
    assert {d: disc for d, (disc, _) in by_doc(rows).items()} == {r.document_id: r.document_id for r in rows}


def test_portal_attachments_pair_by_their_article_folder():
    assert folder_of("http://127.0.0.1:8000/col/col1/art/2019/a.pdf?x=1") == "http://127.0.0.1:8000/col/col1/art/2019"
    got = by_doc([row("t", "http://h/2019/P1.pdf", "tables"), row("n", "http://h/2019/P2.pdf", "narrative")])
    assert got["n"] == ("t", "narrative")


def test_portal_pairs_share_a_month_folder_but_not_an_article():
    """A TRS site keeps every article's attachments of a month in ./YYYYMM/: two departments' pairs in
    one folder are told apart by the article that links them."""
    art = {d: f"http://h/col/201903/t20190301_{d}.html" for d in "ab"}
    rows = [row(f"{d}{c}", f"http://h/col/201903/P{d}{c}.pdf", content, page=art[d])
            for d in "ab" for c, content in (("t", "tables"), ("n", "narrative"))]
    assert by_doc(rows) == {"at": ("at", "tables"), "an": ("at", "narrative"),
                            "bt": ("bt", "tables"), "bn": ("bt", "narrative")}
    # Without the article, the folder holds two of each: ambiguous, so nothing is joined.
    unlinked = [row(r.document_id, r.source, r.content) for r in rows]
    assert {d: disc for d, (disc, _) in by_doc(unlinked).items()} == {r.document_id: r.document_id for r in rows}


def test_department_key_follows_a_department_over_years():
    assert department_key("125", "承德高新区", "d") == "125"
    assert department_key(None, "中国共产党江苏省委员会办公厅", "d") == department_key(None, "中共江苏省委办公厅", "d")
    assert department_key(None, "上海市普陀区 司法局", "d") == "上海市普陀区司法局"
    assert department_key(None, None, "doc-1") == "doc-1"


def test_a_year_without_a_printed_code_joins_the_department_printing_its_name_with_one():
    rows = [row("a22", "i/2022/a.pdf", "tables+narrative", 2022, name="承德高新区财政局", code="130"),
            row("a23", "i/2023/a.pdf", "tables+narrative", 2023, name="承德高新区 财政局"),
            row("b22", "i/2022/b.pdf", "tables+narrative", 2022, name="某局", code="140"),
            row("b23", "i/2023/b.pdf", "tables+narrative", 2023, name="某局", code="141"),
            row("b24", "i/2024/b.pdf", "tables+narrative", 2024, name="某局")]
    keys = {p.document_id: p.department_key for p in assign(rows)}
    assert keys["a23"] == keys["a22"] == "130"
    assert keys["b24"] == "某局"        # printed with two codes: which one is not for us to guess


contents = st.sampled_from(["tables", "narrative", "tables+narrative", None])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([2018, 2019, None]), contents,
                          st.sampled_from([None, "department", "unit"])), max_size=8))
def test_every_document_is_in_exactly_one_disclosure_of_at_most_one_tables_and_one_prose_part(specs):
    rows = [row(f"d{i}", f"{folder}/f{i}.pdf", content, year, kind) for i, (folder, year, content, kind)
            in enumerate(specs)]
    parts = assign(rows)
    assert sorted(p.document_id for p in parts) == sorted(r.document_id for r in rows)
    groups: dict[str, list] = {}
    for p in parts:
        groups.setdefault(p.disclosure_id, []).append(p)
    for disclosure_id, members in groups.items():
        assert disclosure_id in {m.document_id for m in members}          # named after one of its files
        if len(members) > 1:
            assert sorted(m.part for m in members) == ["narrative", "tables"]
            assert len({(m.year, m.budget_kind, m.department_key) for m in members}) == 1


# ------------------------------------------------------------------------------------- real corpus
def _truth(corpus_dir: Path, region: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus_dir / region / "truth").glob("*.json"))]


def _query(home, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_jiangsu_companion_files_are_joined_as_the_truth_pairs_them(corpus_dir, corpus_warehouses):
    truth = _truth(corpus_dir, "jiangsu")
    expected = {frozenset({Path(t["file"]).name, Path(t["companion_file"]).name}) if t.get("companion_file")
                else frozenset({Path(t["file"]).name}) for t in truth}
    got = {frozenset(files) for (files,) in _query(corpus_warehouses["jiangsu"], "SELECT files FROM v_disclosures")}
    assert got == expected
    assert sum(len(s) == 2 for s in got) == 6


def test_companion_prose_is_checked_against_its_tables(corpus_warehouses):
    """The prose of 委办 2017 is a file of its own; its headline figures are compared with the cells of
    the tables file (prose_* identities evaluated under the tables document's id)."""
    home = corpus_warehouses["jiangsu"]
    (tables_id, prose_id), = _query(home, "SELECT tables_document_id, narrative_document_id FROM v_disclosures "
                                          "WHERE list_contains(files, '江苏省委办公厅2017年预算公开表格.pdf')")
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        results, _ = compute_results(con)
    finally:
        con.close()
    prose = [r for r in results if r.check_name == "prose_total_expenditure" and r.document_id == tables_id]
    assert prose and prose[0].severity == "ok" and prose[0].right_pages  # a table cell was found for it
    assert not [r for r in results if r.document_id == prose_id]            # not checked a second time


def test_putuo_department_and_unit_budgets_are_distinct_and_labelled(corpus_dir, corpus_warehouses):
    truth = {t["file"]: ("unit" if "unit" in t["document_kind"] else "department") for t in _truth(corpus_dir, "putuo")}
    got = {f: k for f, k in _query(corpus_warehouses["putuo"], "SELECT file_name, budget_kind FROM v_documents")}
    assert got == truth
    pairs = _query(corpus_warehouses["putuo"], "SELECT department_key, year, list(budget_kind ORDER BY budget_kind) "
                                               "FROM v_disclosures GROUP BY ALL HAVING count(*) > 1 ORDER BY 1")
    assert pairs == [("上海市普陀区人民政府办公室", 2025, ["department", "unit"]),
                     ("上海市普陀区司法局", 2026, ["department", "unit"])]


def test_putuo_wanli_2024_changes_are_checked_against_its_2023_disclosure(corpus_warehouses):
    """Truth 02 (万里街道 2024): its stated changes against 2023 hold (财政拨款 −876.75, 三公 +25,
    公务用车购置及运行 +25, 购置 +25); they must be evaluated against the 2023 document, not skipped."""
    home = corpus_warehouses["putuo"]
    (doc_2024,), = _query(home, "SELECT document_id FROM v_documents WHERE department LIKE '%万里街道%' AND year = 2024")
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        results, _ = compute_results(con)
    finally:
        con.close()
    yoy = {r.subject.split()[0]: r for r in results
           if r.check_name == "prose_increase_vs_last_year" and r.document_id == doc_2024}
    assert set(yoy) >= {"increase_fiscal_appropriation", "increase_three_public", "increase_vehicle_total",
                        "increase_vehicle_purchase"}
    assert all(r.severity != "error" and r.right_value is not None for r in yoy.values()), yoy
    assert yoy["increase_fiscal_appropriation"].left_value == -876.75


def test_departments_printing_no_code_are_in_the_department_dimension(corpus_dir, corpus_warehouses):
    """Neither corpus prints a department code. Jiangsu keeps each department in its own folder (its
    names vary: 中国共产党江苏省委员会办公厅 / 中共江苏省委办公厅); Putuo's truth names six departments,
    办公室 with a 部门预算 and a 单位预算 of 2025."""
    home = corpus_warehouses["jiangsu"]
    folders = {}
    for source, key in _query(home, "SELECT source, department_key FROM v_documents"):
        folders.setdefault(Path(source).parent.name, set()).add(key)
    assert all(len(keys) == 1 for keys in folders.values()), folders
    rows = {k: (code, n, y0, y1) for k, code, n, y0, y1 in _query(
        home, "SELECT department_key, department_code, documents, first_year, last_year FROM departments")}
    assert set(rows) == {next(iter(k)) for k in folders.values()} and len(rows) == 4
    assert all(code is None for code, *_ in rows.values())
    assert sum(n for _, n, *_ in rows.values()) == len(_truth(corpus_dir, "jiangsu"))
    assert {(y0, y1) for _, _, y0, y1 in rows.values()} == {(2017, 2019), (2017, 2018)}

    truth = _truth(corpus_dir, "putuo")
    got = {k: (name, kinds) for k, name, kinds in _query(
        corpus_warehouses["putuo"], "SELECT department_key, canonical_name, budget_kinds FROM departments")}
    assert {name for name, _ in got.values()} == {t["department"] for t in truth}
    assert got["上海市普陀区人民政府办公室"][1] == ["department", "unit"]
    # Every loaded document names its department's canonical name.
    assert not _query(corpus_warehouses["putuo"], "SELECT * FROM v_documents d LEFT JOIN departments USING "
                                                 "(department_key) WHERE canonical_name IS NULL")
