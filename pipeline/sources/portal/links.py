"""Every link a page offers, wherever the CMS hid it: <a href>, onclick/window.open, iframes, embeds,
pdf.js viewer ``?file=`` URLs, URLs inside scripts, and Hanweb's ``<script type="text/xml">`` datastore.

Standard library only (html.parser): the portal pages are small and no HTML library is installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, parse_qsl, unquote, urljoin, urlsplit, urlunsplit

#: Attachment extensions: 'pdf' is parsed, the others are recorded as unsupported.
ATTACHMENT_EXTS = ("pdf", "doc", "docx", "xls", "xlsx", "zip", "rar", "wps", "et", "ofd", "7z")

_JS_URL = re.compile(
    r"""(?:window\.open|location\.href\s*=|location\s*=|location\.assign|location\.replace|openFile|"""
    r"""downloadFile|download)\s*\(?\s*['"]([^'"]+)['"]""", re.I)
_SCRIPT_FILE = re.compile(
    r"""['"]([^'"\s<>]+?\.(?:%s))(?:\?[^'"\s<>]*)?['"]""" % "|".join(ATTACHMENT_EXTS), re.I)
_SCRIPT_ANCHOR = re.compile(
    r"""<a[^>]+href\s*=\s*\\?['"]([^'"\\]+)\\?['"][^>]*>(.*?)</a>""", re.I | re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Link:
    url: str            # absolute, without fragment
    text: str           # visible text (whitespace collapsed), '' when none
    kind: str           # a | onclick | iframe | embed | viewer | script | datastore
    title: str = ""     # the title attribute, often the full name when the text is cut short


@dataclass
class ParsedPage:
    base_url: str
    title: str = ""                       # <title>
    headings: list[str] = field(default_factory=list)   # h1/h2 texts in order
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=… content=…>, names lower-cased
    links: list[Link] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)    # inline script bodies (not text/xml)
    datastores: list[str] = field(default_factory=list)  # raw text of <script type="text/xml">


def clean_text(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u3000", " ").replace("\xa0", " ")).strip()


def absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, fragment removed; None for javascript:/mailto: and junk."""
    href = (href or "").strip()
    if not href or href.startswith("#") or re.match(r"(?i)(javascript|mailto|tel|data):", href):
        return None
    u = urlsplit(urljoin(base, href))
    if u.scheme not in ("http", "https"):
        return None
    return urlunsplit((u.scheme, u.netloc, u.path or "/", u.query, ""))


def extension(url: str) -> str | None:
    """The attachment extension of a URL (lower-case), or None.

    Read from the path, or for download scripts (``downfile.jsp?filename=预算.pdf``) from a file-name
    parameter of the query.
    """
    u = urlsplit(url)
    m = _EXT_RX.search(unquote(u.path).lower())
    if m and m.group(1) in ATTACHMENT_EXTS:
        return m.group(1)
    if m and m.group(1) in ("html", "htm", "shtml"):
        return None
    for key, value in parse_qsl(u.query):
        if key.lower() in _FILE_KEYS and (m := _EXT_RX.search(value.lower())) and m.group(1) in ATTACHMENT_EXTS:
            return m.group(1)
    return None


_EXT_RX = re.compile(r"\.([a-z0-9]{1,5})$")
_FILE_KEYS = {"filename", "fname", "name", "filepath", "attachname"}


def viewer_target(url: str) -> str | None:
    """The document a pdf.js-style viewer URL (``viewer.html?file=…``) shows, resolved like pdf.js does."""
    q = parse_qs(urlsplit(url).query)
    for key in ("file", "src", "url", "path"):
        for v in q.get(key, []):
            target = absolute(url, v)
            if target and extension(target):
                return target
    return None


class _Parser(HTMLParser):
    def __init__(self, page: ParsedPage):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.base = page.base_url
        self._a: dict | None = None
        self._capture: str | None = None   # 'title' | 'h' | 'script' | 'xml'
        self._buf: list[str] = []

    def _add(self, href: str | None, text: str, kind: str, title: str = "") -> None:
        url = absolute(self.base, href or "")
        if url:
            self.page.links.append(Link(url, clean_text(text), kind, clean_text(title)))

    def handle_starttag(self, tag: str, attrs_list):
        attrs = {k.lower(): (v or "") for k, v in attrs_list}
        if tag == "base" and attrs.get("href"):
            self.base = urljoin(self.base, attrs["href"])
        elif tag == "meta" and attrs.get("name"):
            self.page.meta[attrs["name"].lower()] = attrs.get("content", "")
        elif tag == "a":
            self._a = {"href": attrs.get("href", ""), "title": attrs.get("title", ""),
                       "onclick": attrs.get("onclick", ""), "text": []}
        elif tag in ("iframe", "frame", "embed"):
            self._add(attrs.get("src"), attrs.get("title", ""), "iframe" if tag != "embed" else "embed")
        elif tag == "object":
            self._add(attrs.get("data"), attrs.get("title", ""), "embed")
        elif tag == "title":
            self._capture, self._buf = "title", []
        elif tag in ("h1", "h2") and self._capture is None:
            self._capture, self._buf = "h", []
        elif tag == "script":
            self._capture = "xml" if "xml" in attrs.get("type", "").lower() else "script"
            self._buf = []
        if tag != "a":
            for ev in ("onclick", "ondblclick"):
                if attrs.get(ev):
                    for m in _JS_URL.finditer(attrs[ev]):
                        self._add(m.group(1), attrs.get("title", ""), "onclick", attrs.get("title", ""))

    def handle_endtag(self, tag: str):
        if tag == "a" and self._a is not None:
            a, self._a = self._a, None
            text = "".join(a["text"])
            href = a["href"]
            if absolute(self.base, href):
                self._add(href, text, "a", a["title"])
            for m in _JS_URL.finditer(a["onclick"] + " " + href):
                self._add(m.group(1), text, "onclick", a["title"])
        elif tag == "title" and self._capture == "title":
            self.page.title = clean_text("".join(self._buf))
            self._capture = None
        elif tag in ("h1", "h2") and self._capture == "h":
            t = clean_text("".join(self._buf))
            if t:
                self.page.headings.append(t)
            self._capture = None
        elif tag == "script" and self._capture in ("script", "xml"):
            body = "".join(self._buf)
            (self.page.datastores if self._capture == "xml" else self.page.scripts).append(body)
            self._capture = None

    def handle_data(self, data: str):
        if self._a is not None:
            self._a["text"].append(data)
        if self._capture:
            self._buf.append(data)


def parse_html(text: str, base_url: str) -> ParsedPage:
    """Links, title, headings, meta and scripts of one page, with every URL made absolute."""
    page = ParsedPage(base_url=base_url)
    p = _Parser(page)
    try:
        p.feed(text)
        p.close()
    except Exception:  # html.parser is lenient; a pathological page should still yield what it had
        pass
    base = p.base
    for script in page.scripts:
        seen: set[str] = set()
        for m in _SCRIPT_ANCHOR.finditer(script):
            url = absolute(base, m.group(1))
            if url:
                seen.add(url)
                page.links.append(Link(url, clean_text(_TAGS.sub("", m.group(2))), "script"))
        for rx in (_JS_URL, _SCRIPT_FILE):
            for m in rx.finditer(script):
                url = absolute(base, m.group(1))
                if url and url not in seen:
                    seen.add(url)
                    page.links.append(Link(url, "", "script"))
    if not page.datastores and re.search(r"<datastore[\s>]", text[:2000], re.I):
        page.datastores.append(text)   # a data-proxy answer: the datastore is the whole document
    for store in page.datastores:
        for rec in records_of_datastore(store):
            for link in parse_html(rec, base).links:
                page.links.append(Link(link.url, link.text, "datastore", link.title))
    # pdf.js viewers: the document is the ?file= target, not the viewer page
    extra = []
    for link in page.links:
        target = viewer_target(link.url) if not extension(link.url) else None
        if target:
            extra.append(Link(target, link.text, "viewer", link.title))
    page.links.extend(extra)
    return page


def records_of_datastore(xml: str) -> list[str]:
    """The HTML fragments of a Hanweb datastore's <record> elements (CDATA sections)."""
    body = xml
    m = re.search(r"<recordset>(.*?)</recordset>", xml, re.S | re.I)
    if m:
        body = m.group(1)
    return [c for c in _CDATA.findall(body)]
