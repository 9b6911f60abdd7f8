"""The portal source: crawl a district's 预决算公开 column (TRS WCM, Hanweb JCMS or plain HTML).

``crawl(start_url, work_dir)`` → list[SourceDocument]; see crawl.py. ``python -m pipeline.sources.portal
URL WORK_DIR`` prints one line per document.
"""

from pipeline.sources.portal.cms import SitePatterns
from pipeline.sources.portal.crawl import PortalError, crawl

__all__ = ["crawl", "SitePatterns", "PortalError"]
