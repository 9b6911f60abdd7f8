"""Which CMS built a listing page, and what it lists: articles, direct attachments, further pages.

Three families cover most Chinese government sites without site-specific configuration:
- TRS WCM: index.html, index_1.html … with the page count in ``createPageHTML(n, i, "index", "html")``;
  articles ./YYYYMM/tYYYYMMDD_id.html.
- Hanweb JCMS: /col/colN/index.html; the list sits in ``<script type="text/xml"><datastore>`` records,
  later records come from its data proxy (``/module/web/jpage/dataproxy.jsp?startrecord=…``);
  articles /art/YYYY/M/D/art_C_A.html.
- plain HTML: links with 下一页 / next.
``SitePatterns`` overrides any of the guesses for one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from pipeline.sources.portal.links import Link, ParsedPage, extension

TRS_ARTICLE = re.compile(r"/t\d{8}_\d+\.s?html?$", re.I)
JCMS_ARTICLE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$", re.I)
_CREATE_PAGE = re.compile(
    r"""createPageHTML\(\s*([\w.]+)\s*,\s*([\w.]+)\s*,\s*["']([\w\-]+)["']\s*,\s*["'](\w+)["']""")
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|next(?:\s*page)?|>|›|»|>>)\s*$", re.I)
_TITLE_HINT = re.compile(r"20\d\d")
_KIND_HINT = re.compile(r"预算|决算")
_TOTAL_RECORD = re.compile(r"""totalRecord['"]?\s*[:=]\s*['"]?(\d+)""", re.I)
_PER_PAGE = re.compile(r"""perPage['"]?\s*[:=]\s*['"]?(\d+)""", re.I)
_XML_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


@dataclass(frozen=True)
class SitePatterns:
    """Per-site overrides (regular expressions, ``re.search`` on absolute URLs or link texts)."""

    family: str | None = None          # force 'trs' | 'jcms' | 'plain'
    article_url: str | None = None     # links on a listing page that are articles
    attachment_url: str | None = None  # links on an article that are attachments
    next_page_url: str | None = None   # links on a listing page that lead to further listing pages
    next_page_text: str | None = None  # … recognised by their text instead
    title: str | None = None           # regex with named groups (?P<department>…) (?P<year>…) on titles


@dataclass
class Listing:
    family: str
    articles: list[Link] = field(default_factory=list)
    attachments: list[Link] = field(default_factory=list)   # documents linked straight from the list
    pages: list[str] = field(default_factory=list)          # further listing pages (absolute URLs)


def detect_family(text: str, page: ParsedPage) -> str:
    if "createPageHTML" in text or any(TRS_ARTICLE.search(urlsplit(l.url).path) for l in page.links):
        return "trs"
    if page.datastores or "/module/web/jpage/" in text or "/col/col" in page.base_url:
        return "jcms"
    return "plain"


def analyse_listing(text: str, page: ParsedPage, patterns: SitePatterns | None = None) -> Listing:
    """What one listing page links to: articles, attachments and the other listing pages it knows."""
    pat = patterns or SitePatterns()
    family = pat.family or detect_family(text, page)
    out = Listing(family=family)
    seen: set[str] = set()
    for link in page.links:
        if link.url in seen:
            continue
        if extension(link.url):
            seen.add(link.url)
            out.attachments.append(link)
        elif _is_article(link, family, pat):
            seen.add(link.url)
            out.articles.append(link)
    out.pages = _further_pages(text, page, family, pat)
    return out


def _is_article(link: Link, family: str, pat: SitePatterns) -> bool:
    if pat.article_url:
        return re.search(pat.article_url, link.url) is not None
    path = urlsplit(link.url).path
    if TRS_ARTICLE.search(path) or JCMS_ARTICLE.search(path):
        return True
    if family == "jcms" and link.kind != "datastore":
        return False   # JCMS lists only inside its datastore; other links are navigation
    label = link.title or link.text
    return bool(label and _TITLE_HINT.search(label) and _KIND_HINT.search(label)
                and not _NEXT_TEXT.match(link.text)
                and re.search(r"\.(s?html?|jsp|aspx?|php)$|[?&](id|articleid|contentid)=", link.url, re.I))


def _further_pages(text: str, page: ParsedPage, family: str, pat: SitePatterns) -> list[str]:
    pages: list[str] = []
    if pat.next_page_url or pat.next_page_text:
        for link in page.links:
            if (pat.next_page_url and re.search(pat.next_page_url, link.url)) or (
                    pat.next_page_text and re.search(pat.next_page_text, link.text)):
                pages.append(link.url)
        return list(dict.fromkeys(pages))
    if family == "trs":
        pages += trs_pages(text, page.base_url)
    if family == "jcms":
        nxt = jcms_proxy_url(text, page.base_url)
        if nxt:
            pages.append(nxt)
    for link in page.links:
        if _NEXT_TEXT.match(link.text) or _NEXT_TEXT.match(link.title or "-"):
            pages.append(link.url)
    return list(dict.fromkeys(pages))


def trs_pages(text: str, base_url: str) -> list[str]:
    """All listing pages a TRS ``createPageHTML(n, i, "index", "html")`` call announces."""
    m = _CREATE_PAGE.search(text)
    if not m:
        return []
    count = _resolve_int(m.group(1), text)
    if not count or count < 2:
        return []
    stem, ext = m.group(3), m.group(4)
    count = min(count, 1000)
    return [urljoin(base_url, f"{stem}.{ext}")] + [urljoin(base_url, f"{stem}_{k}.{ext}")
                                                   for k in range(1, count)]


def _resolve_int(token: str, text: str) -> int | None:
    if token.isdigit():
        return int(token)
    m = re.search(r"\b%s\s*=\s*(\d+)" % re.escape(token), text)
    return int(m.group(1)) if m else None


# ------------------------------------------------------------------------------------------ Hanweb JCMS
def jcms_group(text: str) -> tuple[int | None, int, int]:
    """(total records, records in this datastore, records per page) of a JCMS page or proxy answer."""
    total = None
    if m := (_XML_TOTAL.search(text) or _TOTAL_RECORD.search(text)):
        total = int(m.group(1))
    per = int(m.group(1)) if (m := _PER_PAGE.search(text)) else 15
    n = len(re.findall(r"<record>", text, re.I))
    return total, n, max(per, 1)


def jcms_proxy_url(text: str, base_url: str, start: int | None = None) -> str | None:
    """The data-proxy URL for the next group of records after the ones on this page, or None.

    The proxy is asked with GET (parameters in the query), which the JCMS proxy accepts and which lets
    the client's conditional-GET cache work for it as for any listing page.
    """
    total, n, per = jcms_group(text)
    q = dict(parse_qsl(urlsplit(base_url).query))
    if "startrecord" in q and "endrecord" in q:        # this page is itself a proxy answer
        if n == 0 or not q["endrecord"].isdigit():
            return None
        first = int(q["endrecord"]) + 1
        proxy = urlsplit(base_url)
        per = int(q["perpage"]) if q.get("perpage", "").isdigit() else per
    else:
        m = _NEXTGROUP.search(text)
        h = _HREF.search(m.group(1)) if m else None
        if not h:
            return None
        first = n + 1
        proxy = urlsplit(urljoin(base_url, h.group(1).replace("&amp;", "&")))
    if start is not None:
        first = start
    if total is not None and first > total:
        return None
    group = per * 3
    params = dict(parse_qsl(proxy.query))
    params.update({"startrecord": str(first), "endrecord": str(first + group - 1), "perpage": str(per)})
    return urlunsplit((proxy.scheme, proxy.netloc, proxy.path, urlencode(params), ""))
