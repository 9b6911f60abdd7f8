"""Acceptance (c): every real PDF under ../shared/corpus parses without a traceback, in the contract's shape.

A file either gives a ParseResult whose JSON has the CONTRACT.md shape, or a typed DocumentError that is
not a parser bug (``parser_error``). The corpus is read in place (never copied into the project).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pipeline.config import SHARED_DIR
from pipeline.model import MEASURES, METRICS, TABLE_KINDS, DocumentError

CORPUS = SHARED_DIR / "corpus"
PDFS = sorted(CORPUS.rglob("*.pdf")) if CORPUS.is_dir() else []


def check_shape(d: dict) -> None:
    assert set(d) >= {"source", "department", "year", "unit", "tables", "narrative", "warnings"}
    assert set(d["source"]) >= {"path", "sha256", "pages"} and len(d["source"]["sha256"]) == 64
    pages = d["source"]["pages"]
    assert d["unit"] in ("万元", "元", "亿元")
    assert d["year"] is None or 1990 < d["year"] < 2100
    for t in d["tables"]:
        assert t["kind"] in TABLE_KINDS and isinstance(t["title"], str)
        assert t["pages"] and all(1 <= p <= pages for p in t["pages"])
        assert t["empty"] == (not t["rows"])
        for r in t["rows"]:
            assert r["side"] in (None, "revenue", "expenditure")
            assert r["code"] is None or r["code"].isdigit()
            assert set(r["values"]) <= set(MEASURES), set(r["values"]) - set(MEASURES)
            for v in r["values"].values():
                assert "E" not in v and Decimal(v) == Decimal(v)
            assert 1 <= r["page"] <= pages and len(r["bbox"]) == 4
    for c in d["narrative"]:
        assert c["metric"] in METRICS and 1 <= c["page"] <= pages and c["quote"]
        Decimal(c["amount"])
    for w in d["warnings"]:
        assert set(w) == {"kind", "message", "pages", "values"}


@pytest.mark.skipif(not PDFS, reason=f"no corpus at {CORPUS} (set BUDGET_ETL_SHARED)")
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_corpus_pdf_parses(pdf) -> None:
    from corpus_parses import parse_all, parse_once

    parse_all(PDFS)     # the whole corpus two at a time, once (later calls find them parsed)
    res = parse_once(pdf)
    if isinstance(res, DocumentError):
        assert res.kind != "parser_error", res.message
        return
    d = json.loads(res.to_json())
    check_shape(d)


@pytest.mark.skipif(not PDFS, reason=f"no corpus at {CORPUS} (set BUDGET_ETL_SHARED)")
def test_an_unread_column_never_leaves_its_table_complete() -> None:
    """Every column of amounts left unread (``unread_column``: title, header, count) names a table of
    the parse on that page, which is not ``found`` (partial or doubtful), in a document not complete."""
    from corpus_parses import parse_all, parse_once

    parse_all(PDFS)
    said = 0
    for pdf in PDFS:
        res = parse_once(pdf)
        if isinstance(res, DocumentError):
            continue
        for w in (w for w in res.warnings if w.kind == "unread_column"):
            said += 1
            title, header, count = w.values
            assert header and int(count) >= 1, (pdf.name, w.message)
            tables = [t for t in res.tables if t.title == title and set(w.pages) & set(t.pages)]
            assert tables, (pdf.name, w.message)
            assert all(t.status in ("partial", "doubtful") for t in tables), (pdf.name, w.message)
            assert res.completeness["status"] in ("partial", "not_budget"), (pdf.name, w.message)
    print(f"\nunread columns said on the corpus: {said}")
