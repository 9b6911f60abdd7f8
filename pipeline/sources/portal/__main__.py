"""``python -m pipeline.sources.portal URL WORK_DIR``: crawl and print one tab-separated line a document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.sources.portal import PortalError, crawl


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.sources.portal", description=__doc__)
    ap.add_argument("url", help="start URL of the 预决算公开 column")
    ap.add_argument("work_dir", type=Path, help="HTTP cache and downloads")
    ap.add_argument("--host", action="append", default=None, help="allowed host (repeatable)")
    ap.add_argument("--rate", type=float, default=None, help="seconds between requests "
                    "(default: $BUDGET_ETL_PORTAL_RATE or pipeline.settings')")
    ap.add_argument("--timeout", type=float, default=None, help="seconds between two reads of a response "
                    "(default: $BUDGET_ETL_PORTAL_TIMEOUT or pipeline.settings')")
    ap.add_argument("--list-only", action="store_true", help="list the documents, download none")
    ap.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    a = ap.parse_args(argv)
    say = (lambda m: print(m, file=sys.stderr)) if a.verbose else None
    try:
        docs = crawl(a.url, a.work_dir, allowed_hosts=set(a.host) if a.host else None,
                     rate_limit_s=a.rate, timeout_s=a.timeout, progress=say,
                     fetch=not a.list_only)
    except PortalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for d in docs:
        print("\t".join([d.status, str(d.year or ""), d.department or "", d.title or "", d.locator,
                         d.sha256 or "", d.error or ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
