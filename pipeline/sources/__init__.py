"""Where documents come from: a local inbox folder or a district portal."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Home
from pipeline.sources.base import SourceDocument
from pipeline.sources.hashcache import HashCache


def discover(home: Home, inbox: Path | None = None, portal: str | None = None,
             progress=None) -> list[SourceDocument]:
    """Every document the configured source offers now (the inbox by default)."""
    if portal:
        from pipeline.config import PORTAL_RATE_LIMIT_S, PORTAL_TIMEOUT_S
        from pipeline.sources.portal import crawl

        return list(crawl(portal, home.portal_cache, progress=progress, rate_limit_s=PORTAL_RATE_LIMIT_S,
                          timeout_s=PORTAL_TIMEOUT_S))
    from pipeline.sources.inbox import scan_inbox, skip_summary

    skipped: list[tuple[str, str]] = []
    docs = list(scan_inbox(Path(inbox or home.inbox), HashCache(home.hash_cache),
                           on_skip=lambda rule, locator: skipped.append((rule, locator))))
    line = skip_summary(skipped)
    if line and progress is not None:
        progress(line)
    return docs
