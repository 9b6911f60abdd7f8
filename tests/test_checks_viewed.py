"""check_results of the identities their SQL view owns (issue 14, item 4; pipeline/checks/viewed.py):
each identity has exactly one owner (its view or its Python rule, never both), and the engine's results
of a view-owned identity are its view's rows, judged as base.compare judges, in a whole run and in one
document's checks alike."""

from __future__ import annotations

import copy
import inspect
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from test_checks_support import D, build_warehouse, mini_document

from pipeline.checks.catalogue import DISTRICT, DOCUMENT, REGISTRY, REGISTRY_LIST
from pipeline.checks.engine import compute_results, rules_of, run_document_checks
from pipeline.checks.result import classify
from pipeline.checks.rules import resolve
from pipeline.checks.sql_identities import FINDING_VIEWS, SQL_IDENTITIES, view_name
from pipeline.checks.viewed import VIEW_OWNED

RULES = Path(__file__).parent.parent / "pipeline" / "checks" / "rules"


def test_each_identity_has_exactly_one_owner():
    owned = set(VIEW_OWNED)
    assert owned <= set(SQL_IDENTITIES) and len(owned) == len(VIEW_OWNED)
    for rule in rules_of(DOCUMENT) + rules_of(DISTRICT):
        names = {i.name for i in REGISTRY_LIST if i.rule == rule}
        assert names <= owned or not names & owned, (rule, names & owned)   # a rule computes none of them
    for name in VIEW_OWNED:   # a view-owned identity's rule is its policy over the view's results
        first = "doc" if REGISTRY[name].scope == DOCUMENT else "docs"
        assert list(inspect.signature(resolve(REGISTRY[name].rule)).parameters) == [first, "results"], name
    # and no rule module builds a result of a view-owned identity itself
    built = re.compile(r"""(compare|finding|passed)\(\s*["'](\w+)["']|check_name\s*=\s*["'](\w+)["']""")
    for f in sorted(RULES.glob("*.py")):
        for m in built.finditer(f.read_text(encoding="utf-8")):
            assert (m.group(2) or m.group(3)) not in owned, f"{f.name} computes {m.group(2) or m.group(3)}"


def _faulty(code: str, fault: str):
    doc = copy.deepcopy(mini_document(code=code))
    if fault == "leaf":
        row = next(r for t in doc.tables if t.kind == "expenditure_summary" for r in t.rows if r.code == "2120101")
    elif fault == "summary":
        row = next(r for t in doc.tables if t.kind == "revenue_expenditure_summary" for r in t.rows
                   if r.name == "收入总计")
    else:
        return doc
    key = "total" if "total" in row.values else next(iter(row.values))
    row.values[key] += D("1.00")
    return doc


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    home = build_warehouse(tmp_path_factory.mktemp("viewed"), {
        "2023/201_mini.pdf": _faulty("201", "clean"), "2023/202_mini.pdf": _faulty("202", "leaf"),
        "2023/203_mini.pdf": _faulty("203", "summary")})
    return home.db_path


def _sides(results) -> Counter:
    """The instances of the view-owned identities; a finding view's by where it is (its row's amounts are
    no two sides: a finding has no right side and no tolerance)."""
    return Counter((r.check_name, r.document_id, r.subject, r.left_value, r.right_value,
                    r.tolerance if r.rule_tolerance is None else r.rule_tolerance, r.n,
                    tuple(sorted(set(r.left_pages))), tuple(sorted(set(r.right_pages))))
                   if r.check_name not in FINDING_VIEWS else (r.check_name, r.document_id, r.subject)
                   for r in results if r.check_name in VIEW_OWNED)


def test_the_engines_results_are_the_views_rows(planted):
    with duckdb.connect(str(planted), read_only=True) as con:
        results, _ = compute_results(con)
        rows = Counter((name, d, s, lv, rv, tol, n, tuple(lp), tuple(rp)) if name not in FINDING_VIEWS
                       else (name, d, s) for name in VIEW_OWNED
                       for d, s, lv, rv, tol, n, lp, rp in con.execute(
                           f"SELECT document_id, subject, left_value, right_value, tolerance, n, left_pages, "
                           f"right_pages FROM {view_name(name)}").fetchall())
        docs = [d for (d,) in con.execute("SELECT document_id FROM documents ORDER BY 1").fetchall()]
    assert rows and _sides(results) == rows
    for r in results:
        if r.check_name in VIEW_OWNED and r.check_name not in FINDING_VIEWS and not r.downgraded:
            assert r.severity == classify(r.difference, r.tolerance, REGISTRY[r.check_name].severity), r
            # the tables its sides stand on (rules/doubt.py): one for a within-table identity
            assert len(r.tables) == 1 if REGISTRY[r.check_name].category == "within_table" else r.tables, r
    failing = {(r.check_name, r.document_id) for r in results if r.check_name in VIEW_OWNED and r.failed}
    assert {n for n, _ in failing} >= {"row_total", "code_hierarchy", "summary_carryover"}
    assert len({d for _, d in failing}) == 2    # the clean document holds
    # one document's checks (its blocks alone) are the whole run's for that document
    for d in docs:
        alone = run_document_checks(planted, d)
        assert _sides(alone) == _sides(r for r in results if r.document_id == d), d
        assert (Counter((r.check_name, r.subject, r.severity, r.tables) for r in alone if r.check_name in VIEW_OWNED)
                == Counter((r.check_name, r.subject, r.severity, r.tables) for r in results
                           if r.document_id == d and r.check_name in VIEW_OWNED))
