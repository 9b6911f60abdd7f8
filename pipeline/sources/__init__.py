"""Where documents come from: a local inbox folder or a district portal.

Two calls, the first two stages of the one document flow (pipeline/night.py):
``list_sources`` says what the source offers without downloading anything (what a sensor tick can
afford), ``discover`` lists and fetches, so every PDF it returns has its bytes on this machine.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Home
from pipeline.sources.base import SourceDocument
from pipeline.sources.hashcache import HashCache


def list_sources(home: Home, inbox: Path | None = None, portal: str | None = None,
                 progress=None) -> list[SourceDocument]:
    """Every document the source offers now, no attachment downloaded.

    A portal's PDFs come back with status 'listed' (located, not fetched), from the sensor's own HTTP
    cache (Home.portal_listing), so a listing the sensor read cannot answer the night's crawl with 304.
    An inbox's files are local: they are listed with their sha256 (remembered by size and mtime).
    """
    if portal:
        from pipeline.sources.portal import crawl

        return list(crawl(portal, home.portal_listing, progress=progress, fetch=False))
    return _scan_inbox(home, inbox, progress)


def discover(home: Home, inbox: Path | None = None, portal: str | None = None,
             progress=None) -> list[SourceDocument]:
    """List and fetch: every document the source offers now, each PDF's bytes local.

    A portal's attachments are downloaded here, in the night's run (conditional GETs: an unchanged
    file is not sent again), each request retried with exponential backoff on a transient failure
    (pipeline.settings: portal_retries, portal_backoff); a document still failing is recorded as
    failed and fetched again by the next night.
    """
    if portal:
        from pipeline.sources.portal import crawl

        return list(crawl(portal, home.portal_cache, progress=progress, fetch=True))
    return _scan_inbox(home, inbox, progress)


def _scan_inbox(home: Home, inbox: Path | None, progress) -> list[SourceDocument]:
    from pipeline.sources.inbox import scan_inbox, skip_summary

    skipped: list[tuple[str, str]] = []
    docs = list(scan_inbox(Path(inbox or home.inbox), HashCache(home.hash_cache),
                           on_skip=lambda rule, locator: skipped.append((rule, locator))))
    line = skip_summary(skipped)
    if line and progress is not None:
        progress(line)
    return docs
