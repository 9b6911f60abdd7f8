"""Shared fixtures: the shared/ folder, the real corpus, and the demo district (rendered once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import SHARED_DIR


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
