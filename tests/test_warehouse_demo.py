"""The demo district loaded from its truth JSONs: documented row counts, and for every document the
sum of each measure in the warehouse equals the sum over its parse JSON."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import demo_or_none, stage_truth_dir  # noqa: E402,F401

from pipeline.config import PROJECT_ROOT, Home
from pipeline.load.loader import load_staged

README = PROJECT_ROOT / "warehouse" / "README.md"


def expected_counts(truths: dict[str, dict]) -> dict[str, int]:
    """Row counts every table must have, computed from the truth JSONs alone."""
    ok = [d for d in truths.values() if "error" not in d]
    rows_of = lambda kind: sum(len(t["rows"]) for d in ok for t in d["tables"] if t["kind"] == kind)  # noqa: E731
    return {
        "documents": len(truths),
        "documents_failed": len(truths) - len(ok),
        "document_tables": sum(len(d["tables"]) for d in ok),
        "budget_lines": sum(len(r["values"]) for d in ok for t in d["tables"] for r in t["rows"]),
        "narrative_claims": sum(len(d.get("narrative", [])) for d in ok),
        "procurement_lines": rows_of("procurement"),
        "performance_targets": rows_of("performance_targets"),
        "assets": rows_of("assets"),
        "document_warnings": sum(len(d.get("warnings", [])) for d in ok),
        "departments": len({d["department"]["code"] for d in ok}),
    }


def warehouse_counts(con) -> dict[str, int]:
    one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
    out = {t: one(f"SELECT count(*) FROM {t}") for t in (
        "documents", "document_tables", "budget_lines", "narrative_claims", "procurement_lines",
        "performance_targets", "assets", "document_warnings", "departments")}
    out["documents_failed"] = one("SELECT count(*) FROM documents WHERE status = 'failed'")
    return out


def documented_counts() -> dict[str, int]:
    text = README.read_text(encoding="utf-8").split("## Demo district row counts", 1)[1]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| (\w+) \| (\d+) \|$", text, re.M)}


@pytest.fixture(scope="module")
def loaded(demo_district, tmp_path_factory):
    home = Home.at(tmp_path_factory.mktemp("demo-home")).ensure()
    truths = stage_truth_dir(home, demo_district)
    summary = load_staged(home)
    return home, truths, summary


def test_row_counts_match_the_truth_and_the_readme(loaded):
    home, truths, summary = loaded
    want = expected_counts(truths)
    assert len(summary.loaded) + len(summary.failed) == len(truths)
    assert len(summary.failed) == want["documents_failed"] > 0
    con = duckdb.connect(str(home.db_path), read_only=True)
    assert warehouse_counts(con) == want
    assert documented_counts() == want, "update the table in warehouse/README.md"


def test_every_document_measure_sum_equals_its_parse_json(loaded):
    home, truths, _ = loaded
    con = duckdb.connect(str(home.db_path), read_only=True)
    got: dict[str, dict[str, Decimal]] = {}
    for doc, measure, s in con.execute(
            "SELECT document_id, measure, sum(amount) FROM budget_lines GROUP BY ALL").fetchall():
        got.setdefault(doc, {})[measure] = s
    claims = dict(con.execute("SELECT document_id, sum(amount) FROM narrative_claims GROUP BY 1").fetchall())
    checked = 0
    for doc_id, data in truths.items():
        if "error" in data:
            assert doc_id not in got
            continue
        want: dict[str, Decimal] = {}
        for t in data["tables"]:
            for r in t["rows"]:
                for m, v in r["values"].items():
                    want[m] = want.get(m, Decimal(0)) + Decimal(v)
        assert got.get(doc_id, {}) == want, doc_id
        assert claims.get(doc_id) == (sum(Decimal(c["amount"]) for c in data["narrative"])
                                      if data["narrative"] else None), doc_id
        checked += 1
    assert checked == len(truths) - expected_counts(truths)["documents_failed"]


def test_reloading_the_district_changes_nothing(loaded):
    home, _, _ = loaded
    tables = ("documents", "document_tables", "budget_lines", "narrative_claims", "procurement_lines",
              "performance_targets", "assets", "document_warnings", "departments")

    def snapshot():
        con = duckdb.connect(str(home.db_path), read_only=True)
        try:
            return {t: sorted(map(repr, con.execute(
                f"SELECT * EXCLUDE (loaded_at, last_attempt_at) FROM {t}" if t == "documents"
                else f"SELECT * FROM {t}").fetchall())) for t in tables}
        finally:
            con.close()

    before = snapshot()
    summary = load_staged(home, force=True)
    assert summary.loaded and not summary.kept_previous
    assert snapshot() == before
