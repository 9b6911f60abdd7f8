"""Build the test portal from templates: a TRS WCM district (every disclosure, faults included), a small
Hanweb JCMS site and a small plain-HTML site; and the documents a correct crawl must report.

``Expected`` is written down while the pages are built, from what each link *is* (its file, its fault),
never from anything the crawler computes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader

from .district import DISTRICT, Disclosure
from .server import Resource, Site

TEMPLATES = Path(__file__).parent / "templates"
TRS_START = "/xxgk/yjsgk/index.html"
JCMS_START = "/col/col1234/index.html"
PLAIN_START = "/zwgk/bmys/list.html"
OFFSITE = "http://cdn.offsite.invalid"
TRS_PER_PAGE = 15


@dataclass(frozen=True)
class Expected:
    path: str                 # path on the test server, or an absolute URL for offsite links
    status: str               # ok | failed | unsupported | offsite
    department: str | None
    year: int | None
    format: str = "pdf"
    sha256: str | None = None
    fault: str = ""           # which fault this link carries ('' for none)
    site: str = "trs"
    article: str = ""         # path of the article page that links it (TRS)


@dataclass
class Portal:
    site: Site
    expected: list[Expected]
    trs_listing_paths: list[str]
    jcms_listing_paths: list[str]      # the column page and the proxy answers
    plain_listing_paths: list[str]


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, keep_trailing_newline=True)


def _render(template: str, **kw) -> str:
    return _env.get_template(template).render(district=DISTRICT, **kw)


def _gbk(text: str) -> bytes:
    return text.encode("gbk", errors="xmlcharrefreplace")


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _served(pdf: bytes) -> tuple[str, str | None]:
    """(status, sha256) a crawl must report for bytes served as a PDF (demo 'broken' files may not be)."""
    return ("ok", _sha(pdf)) if b"%PDF-" in pdf[:1024] else ("failed", None)


def build_portal(disclosures: list[Disclosure]) -> Portal:
    site = Site()
    expected: list[Expected] = []
    trs = _build_trs(site, expected, disclosures)
    jcms = _build_jcms(site, expected, [d for d in disclosures if d.year == max(x.year for x in disclosures)][:10])
    plain = _build_plain(site, expected, [d for d in disclosures if d.year == min(x.year for x in disclosures)][:6])
    error_page = _render("error_page.html").encode("utf-8")
    site.resources["/errors/missing.html"] = Resource(error_page, "text/html; charset=utf-8")
    return Portal(site, expected, trs, jcms, plain)


# ------------------------------------------------------------------------------------------------ TRS
#: Fault of the n-th disclosure (0-based, newest first) on the TRS district.
TRS_FAULTS = {
    5: "attachment_404", 6: "attachment_slow_once", 7: "article_500_twice", 8: "attachment_redirect_offsite",
    10: "attachment_html_error_page", 11: "extra_xls", 12: "attachment_offsite_link",
    13: "attachment_truncated_once", 16: "extra_docx", 17: "article_pinned_everywhere",
}
STYLES = ["a", "onclick", "iframe", "viewer", "script"]


def _build_trs(site: Site, expected: list[Expected], disclosures: list[Disclosure]) -> list[str]:
    col = "/xxgk/yjsgk/"
    ordered = sorted(disclosures, key=lambda d: (-d.year, d.code))
    items = []
    pinned = None
    for i, d in enumerate(ordered):
        fault = TRS_FAULTS.get(i, "")
        day = date(d.year, 1, 20) + timedelta(days=i % 40)
        ym, ymd = day.strftime("%Y%m"), day.strftime("%Y%m%d")
        art_id = 100000 + i
        art_path = f"{col}{ym}/t{ymd}_{art_id}.html"
        title = f"{d.name}{d.year}年部门预算公开"
        style = STYLES[i % len(STYLES)] if not fault else "a"
        pdf_name = f"P0{ymd}{art_id}{i:03d}.pdf"
        pdf_path = f"{col}{ym}/{pdf_name}"
        text = f"{d.year}年{d.name}部门预算.pdf"
        atts = [{"style": style, "href": f"./{pdf_name}", "abs": pdf_path, "text": text, "id": art_id}]
        pdf_res = Resource(d.pdf, "application/pdf")
        (status, sha), locator = _served(d.pdf), pdf_path
        if fault == "attachment_404":
            pdf_res, status, sha = None, "failed", None
        elif fault == "attachment_slow_once":
            pdf_res.delay_first = 3.0          # beyond the test client's 2 s timeout, once
        elif fault == "attachment_redirect_offsite":
            pdf_res = Resource(status=302, location=f"{OFFSITE}/files/{pdf_name}")
            status, sha = "offsite", None
        elif fault == "attachment_html_error_page":
            pdf_res = Resource(_render("error_page.html").encode("utf-8"), "text/html; charset=utf-8")
            status, sha = "failed", None
        elif fault == "attachment_offsite_link":
            atts[0]["href"] = f"{OFFSITE}/upload/{pdf_name}"
            locator, status, sha, pdf_res = f"{OFFSITE}/upload/{pdf_name}", "offsite", None, None
        elif fault == "attachment_truncated_once":
            pdf_res.truncate_first = 1
        if pdf_res is not None:
            site.resources[pdf_path] = pdf_res
        expected.append(Expected(locator, status, d.name, d.year, "pdf", sha, fault, article=art_path))
        for ext, key in (("xls", "extra_xls"), ("docx", "extra_docx")):
            if fault == key:
                other = f"P0{ymd}{art_id}9.{ext}"
                atts.append({"style": "a", "href": f"./{other}", "abs": f"{col}{ym}/{other}",
                             "text": f"{d.year}年{d.name}部门预算公开表.{ext}", "id": art_id})
                site.resources[f"{col}{ym}/{other}"] = Resource(b"PK\x03\x04 placeholder", "application/octet-stream")
                expected.append(Expected(f"{col}{ym}/{other}", "unsupported", d.name, d.year, ext, None, fault,
                                         article=art_path))
        html = _render("trs_article.html", title=title, name=d.name, year=d.year, date=day.isoformat(),
                       attachments=atts)
        # a few servers declare the wrong charset in the header; the meta tag and sniffing must win
        ctype = "text/html; charset=utf-8" if i % 7 == 3 else "text/html; charset=GBK"
        site.resources[art_path] = Resource(_gbk(html), ctype,
                                            fail_first=2 if fault == "article_500_twice" else 0)
        item = {"href": f"./{ym}/t{ymd}_{art_id}.html", "title": title,
                "short": title if len(title) <= 16 else title[:15] + "…", "date": day.isoformat()}
        if fault == "article_pinned_everywhere":
            pinned = item
        items.append(item)
    pages = [items[k:k + TRS_PER_PAGE] for k in range(0, len(items), TRS_PER_PAGE)]
    paths = []
    for n, chunk in enumerate(pages):
        if pinned is not None and pinned not in chunk:
            chunk = [pinned] + chunk          # a 置顶 article shown on top of every listing page
        html = _render("trs_list.html", items=chunk, page=n, count=len(pages))
        path = f"{col}index.html" if n == 0 else f"{col}index_{n}.html"
        # listing pages: GBK, charset only in the meta tag; page 2 is slow but within the timeout
        site.resources[path] = Resource(_gbk(html), "text/html", delay=0.3 if n == 1 else 0.0)
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------------------------- JCMS
def _build_jcms(site: Site, expected: list[Expected], disclosures: list[Disclosure]) -> list[str]:
    colid, unitid, per = 1234, 5678, 3
    records = []
    for i, d in enumerate(disclosures):
        day = date(d.year, 2, 1) + timedelta(days=i)
        art = f"/art/{day.year}/{day.month}/{day.day}/art_{colid}_{5000 + i}.html"
        title = f"{d.year}年{d.name}部门预算"
        fname = hashlib.md5(f"{d.code}{d.year}".encode()).hexdigest() + ".pdf"
        href = (f"/module/download/downfile.jsp?classid=0&filename={fname}" if i == 4
                else f"/picture/0/{fname}")
        site.resources[href] = Resource(d.pdf, "application/pdf")
        atts = [{"href": href, "text": f"{d.name}{d.year}年部门预算公开.pdf"}]
        html = _render("jcms_article.html", title=title, name=d.name, year=d.year, date=day.isoformat(),
                       colid=colid, attachments=atts)
        site.resources[art] = Resource(html.encode("utf-8"), "text/html; charset=utf-8")
        expected.append(Expected(href, *_served(d.pdf)[:1], d.name, d.year, "pdf", _served(d.pdf)[1], "", "jcms"))
        records.append({"href": art, "title": title, "date": day.isoformat()})
    group = per * 3
    col_path = f"/col/col{colid}/index.html"
    site.resources[col_path] = Resource(_render(
        "jcms_col.html", colid=colid, unitid=unitid, records=records[:group], total=len(records),
        per=per).encode("utf-8"), "text/html; charset=utf-8")
    proxy_paths: list[str] = []

    def proxy(q: dict[str, str]) -> Resource | None:
        try:
            start, end = int(q["startrecord"]), int(q["endrecord"])
        except (KeyError, ValueError):
            return None
        if q.get("columnid") != str(colid):
            return None
        recs = records[start - 1:end]
        xml = _render("jcms_proxy.xml", records=recs, total=len(records),
                      pages=-(-len(records) // per))
        return proxy_cache.setdefault((start, end), Resource(xml.encode("utf-8"), "text/xml; charset=utf-8"))

    proxy_cache: dict = {}
    site.dynamic["/module/web/jpage/dataproxy.jsp"] = proxy
    for start in range(group + 1, len(records) + 1, group):
        proxy_paths.append(f"/module/web/jpage/dataproxy.jsp?startrecord={start}")
    return [col_path] + proxy_paths


# ---------------------------------------------------------------------------------------------- plain
PLAIN_RENAMED = {2: "区堃园街道办事处"}   # 堃 is in GBK but not in GB2312: the decoder must use GB18030/GBK


def _build_plain(site: Site, expected: list[Expected], disclosures: list[Disclosure]) -> list[str]:
    items = []
    for i, d in enumerate(disclosures):
        name = PLAIN_RENAMED.get(i, d.name)
        art = f"/zwgk/bmys/show.asp?id={300 + i}"
        title = f"关于{name}{d.year}年部门预算公开的说明"
        pdf = f"/uploads/{d.year}/{d.code}.pdf"
        style = ["viewer", "button", "a"][i % 3]
        atts = [{"style": style, "href": pdf, "abs": quote(pdf), "text": f"{name}部门预算.pdf"}]
        site.resources[pdf] = Resource(d.pdf, "application/pdf")
        expected.append(Expected(pdf, _served(d.pdf)[0], name, d.year, "pdf", _served(d.pdf)[1], "", "plain"))
        if i == 1:
            doc = f"/uploads/{d.year}/{d.code}_说明.docx"
            atts.append({"style": "a", "href": quote(doc), "text": f"{name}{d.year}年部门预算说明.docx"})
            site.resources[quote(doc)] = Resource(b"PK\x03\x04 placeholder", "application/octet-stream")
            expected.append(Expected(quote(doc), "unsupported", name, d.year, "docx", None, "extra_docx", "plain"))
        html = _render("plain_article.html", title=title, name=name, year=d.year, attachments=atts)
        site.resources[art] = Resource(_gbk(html), "text/html")
        items.append({"href": f"show.asp?id={300 + i}", "title": title, "date": f"{d.year}-03-0{i + 1}"})
    per = 2
    chunks = [items[k:k + per] for k in range(0, len(items), per)]
    names = ["list.html"] + [f"list_{n + 1}.html" for n in range(1, len(chunks))]
    paths = []
    for n, chunk in enumerate(chunks):
        html = _render("plain_list.html", items=chunk, page=n + 1,
                       prev=names[n - 1] if n else None, next=names[n + 1] if n + 1 < len(chunks) else None)
        path = f"/zwgk/bmys/{names[n]}"
        site.resources[path] = Resource(_gbk(html), "text/html")   # GBK with no charset anywhere: sniff
        paths.append(path)
    return paths
