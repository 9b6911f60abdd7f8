"""The hand-made truth of ../shared/corpus/cities (tests/truth/cities): schema, file identity, arithmetic.

Every cell-level table must be confirmed by its own arithmetic (Decimal): declared column identities
(合计 = 基本支出 + 项目支出 …), the subject-code hierarchy (类 = Σ款, 款 = Σ项) and the total row (合计 = Σ类).
A difference the document itself prints is listed in the table's `known_differences` with a note; any other
difference fails. The PDFs are not copied here: the sha256 check reads them from ../shared.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from cities_truth_arith import check_table

TRUTH = Path(__file__).parent / "truth" / "cities"
CLASSES = {"部门预算", "单位预算", "部门决算", "not_budget"}
KINDS = {
    "revenue_expenditure_summary", "revenue_summary", "expenditure_summary",
    "fiscal_revenue_expenditure_summary", "general_budget_expenditure",
    "general_budget_basic_expenditure", "government_fund_expenditure", "soe_capital_expenditure",
    "three_public", "procurement", "performance_targets", "assets", "other",
}
AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")


def _files() -> list[tuple[str, dict]]:
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(TRUTH.glob("*.json"))]


FILES = _files()


def test_inventory_covers_the_corpus_listing():
    assert len(FILES) == 87
    assert len({d["file"] for _, d in FILES}) == 87


@pytest.mark.parametrize("name,doc", FILES, ids=[n for n, _ in FILES])
def test_schema(name: str, doc: dict):
    for key in ("file", "sha256", "document_class", "scanned", "pages", "tables"):
        assert key in doc, f"{name}: {key} missing"
    assert doc["document_class"] in CLASSES
    assert re.fullmatch(r"[0-9a-f]{64}", doc["sha256"])
    if doc["document_class"] == "not_budget":
        assert doc.get("what"), f"{name}: a non-budget file says what it is"
    else:
        assert doc.get("department") and isinstance(doc.get("year"), int) and doc.get("unit") in ("元", "万元")
        assert doc["tables"], f"{name}: a budget lists its tables"
    for t in doc["tables"]:
        assert t["kind"] in KINDS, t["kind"]
        assert t["kind"] != "other" or t.get("subkind"), f"{name}: other needs a subkind"
        assert t.get("title")
        assert t["pages"] and all(1 <= p <= doc["pages"] for p in t["pages"]), (name, t["title"], t["pages"])
        if "rows" in t:
            if not t["rows"]:
                assert t.get("note"), f"{name} {t['title']}: an empty table carries a note"
            for r in t["rows"]:
                assert isinstance(r["label"], str)
                assert "code" not in r or re.fullmatch(r"\d+", r["code"])
                assert r["values"], f"{name}: rows have at least one amount"
                for k, v in r["values"].items():
                    assert k and AMOUNT.match(v), (name, r, k, v)


@pytest.mark.parametrize("name,doc", FILES, ids=[n for n, _ in FILES])
def test_sha256_matches_the_pdf(name: str, doc: dict, shared_dir: Path):
    pdf = shared_dir / "corpus" / "cities" / doc["file"]
    if not pdf.is_file():
        pytest.skip(f"{pdf} is missing: ../shared/corpus/cities not present")
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == doc["sha256"]


CELL_TABLES = [
    (f"{n}:{t['kind']}:{t['pages'][0]}", d, t)
    for n, d in FILES for t in d["tables"] if t.get("rows")
]


@pytest.mark.parametrize("tid,doc,table", CELL_TABLES, ids=[c[0] for c in CELL_TABLES])
def test_cell_table_arithmetic(tid: str, doc: dict, table: dict):
    ok, bad = check_table(table)
    print(f"{doc['file']} {table['title']} p{table['pages']}: " + "; ".join(ok))
    assert ok, f"{tid}: no identity confirms this table"
    assert bad == table.get("known_differences", []), f"{tid}: unexpected arithmetic differences {bad}"
    if bad:
        assert table.get("known_differences_note"), f"{tid}: a known difference needs a note"
    assert table.get("identities_checked") == ok, f"{tid}: the truth file states the identities it satisfies"


def test_cell_level_coverage():
    """At least 15 budget files carry every cell of at least two standard tables."""
    per_file = {}
    for n, d in FILES:
        std = [t for t in d["tables"] if t.get("rows") and t["kind"] != "other"]
        if len(std) >= 2:
            per_file[d["file"]] = len(std)
    assert len(per_file) >= 15, sorted(per_file)
