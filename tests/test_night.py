"""The night's stages without Dagster: skipping, catching up, and one bad document failing alone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.config import Home
from pipeline.night import pending_loads, process_all, run_night
from pipeline.process import process_document, read_state
from pipeline.sources.inbox import scan_inbox


@pytest.fixture()
def two_docs(demo_district, tmp_path) -> Path:
    """An inbox with the seed rendition and one generated document (copies of the demo's PDFs)."""
    inbox = tmp_path / "inbox"
    for src in [next(demo_district.glob("2023/125_*.pdf")), next(demo_district.glob("2022/101_*.pdf"))]:
        dst = inbox / src.relative_to(demo_district)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
    return inbox


def test_a_run_that_died_before_loading_is_caught_up(two_docs, tmp_path):
    home = Home.at(tmp_path / "home").ensure()
    docs = list(scan_inbox(two_docs))
    outs = process_all(home, docs, workers=1, progress=lambda _: None)  # staged, never loaded
    assert [o.status for o in outs] == ["parsed", "parsed"]
    assert sorted(pending_loads(home)) == sorted(d.document_id for d in docs)

    summary = run_night(home, inbox=two_docs, progress=lambda _: None, gx=False)
    assert summary.counts["skipped"] == 2, "nothing is parsed again"
    assert pending_loads(home) == []
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0] == 2
    finally:
        con.close()


def test_a_parser_bug_fails_its_document_only(two_docs, tmp_path, monkeypatch):
    home = Home.at(tmp_path / "home").ensure()
    seed, other = sorted(scan_inbox(two_docs), key=lambda d: "125_" not in d.locator)
    import pipeline.parse

    real = pipeline.parse.parse_document

    def flaky(path):
        if Path(path).read_bytes() == Path(seed.path).read_bytes():
            raise RuntimeError("boom")
        return real(path)

    monkeypatch.setattr(pipeline.parse, "parse_document", flaky)
    monkeypatch.setenv("BUDGET_ETL_PARSE_CACHE", str(tmp_path / "no-cache"))
    # in-process (isolated=False): the patched parser lives in this process only
    bad, good = process_document(home, seed, isolated=False), process_document(home, other, isolated=False)
    assert (bad.status, bad.error_kind) == ("failed", "parser_error") and "boom" in bad.error
    assert good.status == "parsed"
    assert read_state(home, seed.document_id)["status"] == "failed"
    assert (home.staging / seed.document_id / "documents.parquet").exists(), "the failure is staged"
