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
