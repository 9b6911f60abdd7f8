"""Shared fixtures: the shared/ folder, the real corpus, and the demo district (rendered once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.config import SHARED_DIR

# Pages without a text layer are read by OCR only in the tests of OCR (tests/test_ocr.py): the
# whole-corpus parses and nights keep to the text layer, as OCR of the corpus's 99 scanned pages
# would cost minutes (bench/bench_ocr.py measures it).
os.environ.setdefault("BUDGET_ETL_OCR", "0")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"../shared is not beside the project ({SHARED_DIR} missing): real-data tests skipped")
    return SHARED_DIR


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    p = shared_dir / "corpus"
    if not p.is_dir():
        pytest.skip(f"{p} is missing: corpus tests skipped")
    return p


@pytest.fixture(scope="session")
def demo_district(tmp_path_factory) -> Path:
    """The default demo district (fixed seed), rendered once per test session."""
    from pipeline.demo import generate_district

    out = tmp_path_factory.mktemp("demo-district")
    generate_district(out)
    return out


@pytest.fixture(scope="session", autouse=True)
def shared_parse_cache(tmp_path_factory):
    """One content-addressed parse cache for the session: a PDF the suite already parsed through the
    pipeline is not parsed again by the next pipeline test (parse_document itself is never cached)."""
    old = os.environ.get("BUDGET_ETL_PARSE_CACHE")
    os.environ["BUDGET_ETL_PARSE_CACHE"] = str(tmp_path_factory.mktemp("parse-cache"))
    yield
    if old is None:
        os.environ.pop("BUDGET_ETL_PARSE_CACHE", None)
    else:
        os.environ["BUDGET_ETL_PARSE_CACHE"] = old


@pytest.fixture(scope="session")
def demo_parsed(demo_district, tmp_path_factory):
    """The demo district parsed once, in two processes, through the pipeline's own stages.

    Fills the session's parse cache, so the pipeline tests that follow (Dagster, portal) reuse the
    results by content instead of parsing the district again. Returns the Home it used.
    """
    from pipeline.config import Home
    from pipeline.night import process_all
    from pipeline.sources.inbox import scan_inbox

    home = Home.at(tmp_path_factory.mktemp("demo-parsed")).ensure()
    process_all(home, list(scan_inbox(demo_district)), workers=2, progress=lambda _: None)
    return home


@pytest.fixture(scope="session")
def corpus_warehouses(corpus_dir: Path, tmp_path_factory) -> dict[str, "Home"]:
    """Each real corpus region run through the whole pipeline (no GX) into its own home, once."""
    from pipeline.config import Home
    from pipeline.night import run_night

    homes = {}
    for region in ("jiangsu", "putuo"):
        home = Home.at(tmp_path_factory.mktemp(f"corpus-{region}"))
        run_night(home, inbox=corpus_dir / region, workers=2, progress=lambda *_: None, gx=False)
        homes[region] = home
    return homes


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Path:
    """A small demo district (3 departments over two years, plus the broken files), rendered once."""
    from pipeline.demo import generate_district

    out = tmp_path_factory.mktemp("small-demo")
    generate_district(out, departments=3)
    return out
