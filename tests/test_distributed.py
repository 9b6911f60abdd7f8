"""The distributed night's stages without Dagster or services (pipeline/distributed.py): how documents
are batched into parse steps, one published object per document, and a batch run a second time (its
worker killed after some documents) taking what it already published instead of parsing it again.
The object store is a folder here; tests/test_scale_integration.py runs the same over S3 and Celery."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Home
from pipeline.distributed import (BUNDLE, batches, collect_published, parse_batch, plan_documents,
                                  staged_prefix)
from pipeline.objectstore import LocalStore
from pipeline.sources.base import SourceDocument


def _doc(i: int, path: Path | None = None, status: str = "ok") -> SourceDocument:
    return SourceDocument(locator=f"2024/{i:03d}_x.pdf", path=path, sha256=f"{i:064x}", status=status)


def test_batches_cover_every_document_once_heaviest_first_and_taper(tmp_path):
    docs = []
    for i in range(23):
        p = tmp_path / f"{i}.pdf"
        p.write_bytes(b"x" * (100 + 37 * ((i * 7) % 23)))
        docs.append(_doc(i, p))
    docs.append(_doc(99, None, status="failed"))     # no bytes: costs nothing, goes last
    got = batches(docs, 3)
    flat = [d.document_id for b in got for d in b]
    assert sorted(flat) == sorted(d.document_id for d in docs) and len(flat) == len(set(flat))
    sizes = [len(b) for b in got]
    assert max(sizes) == 3 and sizes == sorted(sizes, reverse=True), sizes
    assert sizes[-2:] == [1, 1], "the last steps are single documents, so the workers end together"
    weights = [d.path.stat().st_size if d.path else 0 for b in got for d in b]
    assert weights == sorted(weights, reverse=True), "heaviest documents are taken first"
    assert got[-1][0].document_id == docs[-1].document_id
    assert [len(b) for b in batches(docs, 1)] == [1] * len(docs)
    assert batches([], 3) == []


@pytest.fixture(scope="module")
def two_documents(small_demo) -> list[SourceDocument]:
    """One readable demo PDF and one broken file (a failure is a published set too)."""
    from pipeline.sources.inbox import scan_inbox

    docs = list(scan_inbox(small_demo))
    good = next(d for d in docs if d.locator.endswith("101_人大办.pdf"))
    broken = next(d for d in docs if "损坏" in d.locator)
    return [good, broken]


def test_a_batch_run_again_takes_what_it_published(two_documents, tmp_path):
    store = LocalStore(tmp_path / "store")
    home = Home.at(tmp_path / "home").ensure()
    todo, unchanged = plan_documents(home, store, two_documents)
    assert [d.document_id for d in todo] == [d.document_id for d in two_documents] and unchanged == []

    first = parse_batch(store, todo, scratch=Home.at(tmp_path / "w1").ensure())
    assert [r["outcome"]["status"] for r in first] == ["parsed", "failed"]
    assert not any(r.get("resumed") for r in first)
    for d in todo:   # one object per document's staged set, nothing else under its prefix
        prefix = store.root / staged_prefix(d.document_id, d.sha256)
        assert sorted(p.name for p in prefix.iterdir()) == [BUNDLE]

    # The same batch delivered again to another worker (the first died before its step ended):
    # nothing is parsed again, the outcomes are the published ones.
    w2 = Home.at(tmp_path / "w2").ensure()
    again = parse_batch(store, todo, scratch=w2)
    assert all(r["resumed"] for r in again)
    assert [r["outcome"] for r in again] == [r["outcome"] for r in first]
    assert not any(w2.raw.rglob("*.pdf")), "no PDF fetched again"
    assert not any(w2.staging.glob("*")) and not any(w2.parsed.glob("*")), "nothing parsed or staged twice"

    outcomes = collect_published(home, store, again)
    assert [o.status for o in outcomes] == ["parsed", "failed"]
    good, broken = todo
    assert (home.parsed / f"{good.document_id}.json").exists(), "the parse travels inside the set"
    assert any((home.staging / good.document_id).glob("*.parquet"))
    assert any((home.staging / broken.document_id).glob("*.parquet")), "a failure is staged as on one machine"
    assert plan_documents(home, store, two_documents)[0] == [], "collected: unchanged the next night"
