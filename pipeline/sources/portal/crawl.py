"""Walk a 预决算公开 column: listing pages → articles → attachments → SourceDocuments.

Every listing page's outcome is remembered (``work_dir/listings/``), so when the portal answers a listing
page with 304 its articles are known and their documents are reused without a request; only documents
that failed for a transient reason (5xx, timeout, connection) make the page be walked again.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.atomic import write_text_atomic
from pipeline.sources.base import SourceDocument
from pipeline.sources.portal.cms import SitePatterns, analyse_listing
from pipeline.sources.portal.http import (FetchError, HttpClient, OffsiteError, allowed_origins,
                                          origin_label)
from pipeline.sources.portal.links import Link, clean_text, extension, parse_html
from pipeline.sources.portal.meta import parse_department, parse_year

Progress = Callable[[str], None]


class PortalError(Exception):
    """The crawl cannot start (the start page is unreachable or outside the allowlist)."""


@dataclass
class _Result:
    doc: SourceDocument
    transient: bool = False   # failed for a reason worth trying again next crawl

    def to_dict(self) -> dict:
        d = asdict(self.doc)
        d["path"] = str(self.doc.path) if self.doc.path else None
        return {"doc": d, "transient": self.transient}

    @classmethod
    def from_dict(cls, d: dict) -> "_Result":
        doc = dict(d["doc"])
        doc["path"] = Path(doc["path"]) if doc["path"] else None
        return cls(SourceDocument(**doc), bool(d.get("transient")))


def crawl(start_url: str, work_dir: Path, *, allowed_hosts: set[str] | None = None,
          rate_limit_s: float | None = None, timeout_s: float | None = None, max_bytes: int = 50 * 2**20,
          patterns: SitePatterns | None = None, progress: Progress | None = None,
          retries: int | None = None, backoff_s: float | None = None, max_pages: int = 500,
          max_articles: int = 5000, max_seconds: float = 4 * 3600, total_timeout_s: float | None = None,
          connect_timeout_s: float | None = None, fetch: bool = True) -> list[SourceDocument]:
    """Every document the column at ``start_url`` offers, each once, in the order first found.

    ``fetch=False`` lists without downloading: listing and article pages are read, attachments are
    not requested at all, and each PDF comes back with status 'listed' (no path, no sha256). That is
    what the discovery sensor may afford in a tick; the night crawls with ``fetch=True`` (its own
    ``work_dir``), where each download is retried with backoff (``retries``, ``backoff_s``).

    ``work_dir`` holds the HTTP cache (``http/``), the per-listing outcomes (``listings/``) and the
    downloads (``files/<sha256>.pdf``). Sites outside the allowlist are never fetched; their links become
    documents with status 'offsite'. The allowlist is of origins, scheme + host + port: the start URL's
    (default) or ``allowed_hosts`` (origins like ``https://host:8443``, or bare hosts taken with the
    start URL's scheme and port); see ``http.allowed_origins``. Every fetch is bounded by
    ``connect_timeout_s``, ``timeout_s`` (between reads) and ``total_timeout_s`` (the whole fetch);
    every option left None takes its value from pipeline.settings (one default each).
    """
    work_dir = Path(work_dir)
    client = HttpClient(work_dir, allowed=allowed_origins(start_url, allowed_hosts), rate_limit_s=rate_limit_s,
                        timeout_s=timeout_s, max_bytes=max_bytes, retries=retries, backoff_s=backoff_s,
                        total_timeout_s=total_timeout_s, connect_timeout_s=connect_timeout_s)
    return _Crawler(client, work_dir, patterns or SitePatterns(), progress or (lambda _m: None),
                    max_pages, max_articles, max_seconds, fetch).run(start_url)


class _Crawler:
    def __init__(self, client: HttpClient, work_dir: Path, patterns: SitePatterns, progress: Progress,
                 max_pages: int, max_articles: int, max_seconds: float, fetch: bool = True):
        self.client = client
        self.fetch = fetch
        self.listings_dir = work_dir / "listings"
        self.listings_dir.mkdir(parents=True, exist_ok=True)
        self.pat = patterns
        self.say = progress
        self.max_pages = max_pages
        self.max_articles = max_articles
        self.deadline = time.monotonic() + max_seconds
        self.articles: dict[str, list[_Result]] = {}
        self.attachments: dict[str, _Result] = {}

    # ------------------------------------------------------------------------------------ listing pages
    def run(self, start_url: str) -> list[SourceDocument]:
        if not self.client.is_allowed(start_url):
            raise PortalError(f"start URL {start_url} is outside the allowed hosts "
                              f"{sorted('%s://%s:%d' % o for o in self.client.allowed)}")
        found: dict[str, SourceDocument] = {}
        queue, queued = deque([start_url]), {start_url}
        n_pages = 0
        while queue:
            if n_pages >= self.max_pages or time.monotonic() > self.deadline:
                self.say(f"stopped: page or time limit reached; {len(queue)} listing pages not read")
                break
            url = queue.popleft()
            n_pages += 1
            try:
                page = self.client.get_page(url)
            except FetchError as e:
                if url == start_url:
                    raise PortalError(f"cannot read the start page {url}: {e.message}") from None
                self.say(f"listing {url}: {e.message}; skipped")
                continue
            parsed = parse_html(page.text, page.final_url)
            listing = analyse_listing(page.text, parsed, self.pat)
            for nxt in listing.pages:
                if nxt not in queued and self.client.is_allowed(nxt):
                    queued.add(nxt)
                    queue.append(nxt)
            cached = self._load_listing(url) if page.not_modified and self.fetch else None
            if cached is not None:
                results = cached
                self.say(f"listing {url}: unchanged (304), {len(results)} documents known")
            else:
                self.say(f"listing {url}: {listing.family}, {len(listing.articles)} articles, "
                          f"{len(listing.attachments)} attachments")
                results = self._walk(listing.articles, listing.attachments, page.final_url)
                if self.fetch:   # a listing without downloads must not stand for a walk that fetched
                    self._save_listing(url, results)
            for r in results:
                found.setdefault(r.doc.locator, r.doc)
        return list(found.values())

    def _walk(self, articles: list[Link], attachments: list[Link], page_url: str) -> list[_Result]:
        out: list[_Result] = []
        for link in attachments:
            out.append(self._attachment(link, [link.title, link.text], page_url))
        for link in articles:
            if len(self.articles) >= self.max_articles or time.monotonic() > self.deadline:
                self.say("stopped: article or time limit reached")
                break
            out.extend(self._article(link))
        return out

    def _listing_path(self, url: str) -> Path:
        return self.listings_dir / f"{hashlib.sha1(url.encode('utf-8')).hexdigest()}.json"

    def _load_listing(self, url: str) -> list[_Result] | None:
        """The remembered outcome of a listing page, if it can stand for a fresh walk."""
        try:
            results = [_Result.from_dict(d) for d in json.loads(self._listing_path(url).read_text("utf-8"))]
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            return None
        for r in results:
            if r.transient or (r.doc.status == "ok" and not (r.doc.path and Path(r.doc.path).exists())):
                return None
        return results

    def _save_listing(self, url: str, results: list[_Result]) -> None:
        write_text_atomic(self._listing_path(url),
                          json.dumps([r.to_dict() for r in results], ensure_ascii=False))

    # ----------------------------------------------------------------------------------------- articles
    def _article(self, link: Link) -> list[_Result]:
        url = link.url
        if url in self.articles:
            return self.articles[url]
        label = link.title or link.text
        base = SourceDocument(locator=url, path=None, sha256=None, format="html", title=label or None,
                              department=self._department(label), year=self._year(label))
        if not self.client.is_allowed(url):
            res = [_Result(replace(base, status="offsite",
                                   error=f"article on another site ({origin_label(url)}); not fetched"))]
        else:
            try:
                page = self.client.get_page(url)
            except OffsiteError as e:
                res = [_Result(replace(base, status="offsite", error=f"article {e.message}"))]
            except FetchError as e:
                res = [_Result(replace(base, status="failed", error=f"article page: {e.message}"),
                               e.transient)]
            else:
                res = self._article_documents(link, page.text, page.final_url, base)
        self.articles[url] = res
        return res

    def _article_documents(self, link: Link, text: str, final_url: str,
                           base: SourceDocument) -> list[_Result]:
        parsed = parse_html(text, final_url)
        title = clean_text(parsed.meta.get("articletitle", "")) or (parsed.headings[0] if parsed.headings
                                                                   else "") or base.title or parsed.title
        atts: dict[str, Link] = {}
        for a in parsed.links:
            is_att = (re.search(self.pat.attachment_url, a.url) is not None if self.pat.attachment_url
                      else extension(a.url) is not None)
            if is_att and (a.url not in atts or (not atts[a.url].text and a.text)):
                atts[a.url] = a
        if not atts:
            return [_Result(replace(base, status="unsupported", title=title or base.title,
                                    department=self._department(title, base.title),
                                    year=self._year(title, base.title),
                                    error="the article has no attachment (the disclosure, if any, is "
                                          "in the page text, which is not parsed)"))]
        return [self._attachment(a, [title, base.title], final_url) for a in atts.values()]

    # -------------------------------------------------------------------------------------- attachments
    def _attachment(self, link: Link, context: list[str | None], page_url: str) -> _Result:
        url = link.url
        if url in self.attachments:
            return self.attachments[url]
        name = link.text or link.title or unquote(Path(urlsplit(url).path).name)
        ext = extension(url) or "pdf"
        doc = SourceDocument(locator=url, path=None, sha256=None, format=ext, title=name,
                             department=self._department(name, *context),
                             year=self._year(name, *context), page=page_url)
        if not self.client.is_allowed(url):
            res = _Result(replace(doc, status="offsite",
                                  error=f"attachment on another site ({origin_label(url)}); not fetched"))
        elif ext != "pdf":
            res = _Result(replace(doc, status="unsupported",
                                  error=f".{ext} attachments are not parsed (only PDF)"))
        elif not self.fetch:
            res = _Result(replace(doc, status="listed"))
        else:
            res = self._download(doc)
        self.attachments[url] = res
        return res

    def _download(self, doc: SourceDocument) -> _Result:
        try:
            d = self.client.download(doc.locator)
        except OffsiteError as e:
            return _Result(replace(doc, status="offsite", error=f"redirected: {e.message}"))
        except FetchError as e:
            return _Result(replace(doc, status="failed", error=e.message), e.transient)
        if d.error:
            return _Result(replace(doc, status="failed", error=d.error))
        self.say(f"{'unchanged' if d.not_modified else 'downloaded'} {doc.locator}")
        return _Result(replace(doc, path=d.path, sha256=d.sha256))

    # ------------------------------------------------------------------------------------------ titles
    def _department(self, *texts: str | None) -> str | None:
        if self.pat.title:
            for t in texts:
                m = re.search(self.pat.title, t or "")
                if m and m.groupdict().get("department"):
                    return m.group("department")
        return parse_department(*texts)

    def _year(self, *texts: str | None) -> int | None:
        if self.pat.title:
            for t in texts:
                m = re.search(self.pat.title, t or "")
                if m and (m.groupdict().get("year") or "").isdigit():
                    return int(m.group("year"))
        return parse_year(*texts)
