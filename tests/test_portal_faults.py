"""Crawler behaviour on small purpose-built sites: cache semantics, limits, atomicity, bounded loops."""

from __future__ import annotations

import time

import pytest

from pipeline.sources.portal import SitePatterns, crawl
from portal_site.district import placeholder_pdf
from portal_site.server import PortalServer, Resource, Site

FAST = dict(rate_limit_s=0.0, timeout_s=2.0, backoff_s=0.02, retries=2)


def _page(links: list[tuple[str, str]], extra: str = "") -> bytes:
    body = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
    return (f'<html><head><meta charset="gbk"><title>预决算公开</title></head><body><ul>{body}</ul>'
            f"{extra}</body></html>").encode("gbk")


def _article(title: str, att: str, text: str) -> bytes:
    return (f'<html><head><meta charset="gbk"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<a href="{att}">{text}</a></body></html>').encode("gbk")


def _small_site(n: int = 3) -> Site:
    site = Site()
    links = []
    for i in range(n):
        title = f"区第{i}局2023年部门预算公开"
        site.resources[f"/a/{i}.html"] = Resource(_article(title, f"/f/{i}.pdf", f"{title}.pdf"))
        site.resources[f"/f/{i}.pdf"] = Resource(placeholder_pdf(str(i), 2023), "application/pdf")
        links.append((f"/a/{i}.html", title))
    site.resources["/list.html"] = Resource(_page(links))
    return site


@pytest.fixture
def serve():
    servers = []

    def start(site: Site) -> PortalServer:
        s = PortalServer(site)
        servers.append(s)
        return s
    yield start
    for s in servers:
        s.close()


def test_persistent_500_is_failed_and_retried_on_the_next_crawl(serve, tmp_path):
    site = _small_site()
    site.resources["/f/1.pdf"].fail_first = 1000
    srv = serve(site)
    docs = {d.locator: d for d in crawl(srv.url("/list.html"), tmp_path, **FAST)}
    bad = docs[srv.url("/f/1.pdf")]
    assert bad.status == "failed" and "HTTP 500" in bad.error and "3 attempts" in bad.error
    assert [x.status for x in srv.log if x.path == "/f/1.pdf"] == [500, 500, 500]
    # the listing is unchanged (304) but holds a transient failure: it is walked again
    site.resources["/f/1.pdf"].fail_first = 0
    srv.clear_log()
    docs = {d.locator: d for d in crawl(srv.url("/list.html"), tmp_path, **FAST)}
    assert docs[srv.url("/f/1.pdf")].status == "ok"
    fetched = {x.path: x.status for x in srv.log}
    assert fetched["/list.html"] == 304 and fetched["/f/1.pdf"] == 200
    assert fetched["/f/0.pdf"] == 304          # known attachments cost a 304, not a download


def test_changed_listing_downloads_only_the_new_document(serve, tmp_path):
    site = _small_site(3)
    srv = serve(site)
    crawl(srv.url("/list.html"), tmp_path, **FAST)
    title = "区新设局2023年部门预算公开"
    site.resources["/a/new.html"] = Resource(_article(title, "/f/new.pdf", "新设局.pdf"))
    site.resources["/f/new.pdf"] = Resource(placeholder_pdf("999", 2023), "application/pdf")
    links = [("/a/new.html", title)] + [(f"/a/{i}.html", f"区第{i}局2023年部门预算公开") for i in range(3)]
    site.resources["/list.html"] = Resource(_page(links))
    srv.clear_log()
    docs = crawl(srv.url("/list.html"), tmp_path, **FAST)
    assert len(docs) == 4
    downloads = [x.path for x in srv.log if x.status == 200]
    assert sorted(downloads) == ["/a/new.html", "/f/new.pdf", "/list.html"]
    new = next(d for d in docs if d.locator.endswith("/f/new.pdf"))
    assert new.department == "区新设局" and new.year == 2023 and new.status == "ok"


def test_endless_next_links_are_bounded(serve, tmp_path):
    site = Site()

    def page(q):
        n = int(q.get("p", "1"))
        return Resource(_page([], f'<a href="/list?p={n + 1}">下一页</a>'))
    site.dynamic["/list"] = page
    srv = serve(site)
    t0 = time.monotonic()
    msgs: list[str] = []
    docs = crawl(srv.url("/list?p=1"), tmp_path, max_pages=25, progress=msgs.append, **FAST)
    assert docs == [] and len(srv.log) == 25 and time.monotonic() - t0 < 10
    assert any("limit" in m for m in msgs)


def test_download_larger_than_max_bytes_is_failed_and_not_kept(serve, tmp_path):
    site = _small_site(1)
    site.resources["/f/0.pdf"] = Resource(placeholder_pdf("0", 2023, size=50_000), "application/pdf")
    srv = serve(site)
    (doc,) = crawl(srv.url("/list.html"), tmp_path, max_bytes=10_000, **FAST)
    assert doc.status == "failed" and "10000 byte limit" in doc.error
    assert not any((tmp_path / "files").iterdir())


def test_always_truncated_transfer_fails_without_partial_files(serve, tmp_path):
    site = _small_site(1)
    site.resources["/f/0.pdf"].truncate_first = 1000
    srv = serve(site)
    (doc,) = crawl(srv.url("/list.html"), tmp_path, **FAST)
    assert doc.status == "failed" and "transfer broken" in doc.error
    assert not any((tmp_path / "files").iterdir())


def test_dead_article_link_is_a_failed_document(serve, tmp_path):
    site = _small_site(2)
    del site.resources["/a/1.html"]
    srv = serve(site)
    docs = {d.locator: d for d in crawl(srv.url("/list.html"), tmp_path, **FAST)}
    dead = docs[srv.url("/a/1.html")]
    assert dead.status == "failed" and "404" in dead.error and dead.format == "html"
    assert dead.department == "区第1局" and dead.year == 2023


def test_article_without_attachment_is_reported(serve, tmp_path):
    site = _small_site(1)
    site.resources["/a/0.html"] = Resource(
        "<html><head><meta charset='utf-8'><title>区文联2023年部门预算公开</title></head>"
        "<body><p>正文</p></body></html>".encode(), "text/html; charset=utf-8")
    srv = serve(site)
    (doc,) = crawl(srv.url("/list.html"), tmp_path, **FAST)
    assert doc.status == "unsupported" and doc.format == "html" and "no attachment" in doc.error


def test_rate_limit_spaces_requests(serve, tmp_path):
    srv = serve(_small_site(2))
    t0 = time.monotonic()
    crawl(srv.url("/list.html"), tmp_path, **{**FAST, "rate_limit_s": 0.1})
    assert len(srv.log) == 5 and time.monotonic() - t0 >= 0.4


def test_site_patterns_override_the_guesses(serve, tmp_path):
    site = Site()
    site.resources["/list.html"] = Resource(_page([("/doc?id=7", "查看"), ("/about.html", "关于我们")],
                                                  '<a href="/list2.html">更多</a>'))
    site.resources["/list2.html"] = Resource(_page([("/doc?id=8", "查看")]))
    for i in (7, 8):
        site.resources[f"/doc?id={i}"] = Resource(
            _article("公开", f"/getfile?fid={i}", f"财政局_{2020 + i}_预算"))
        site.resources[f"/getfile?fid={i}"] = Resource(placeholder_pdf(str(i), 2020 + i), "application/pdf")
    srv = serve(site)
    pat = SitePatterns(article_url=r"/doc\?id=\d+", attachment_url=r"/getfile\?fid=",
                       next_page_text=r"^更多$", title=r"(?P<department>[^_]+)_(?P<year>\d{4})_")
    docs = crawl(srv.url("/list.html"), tmp_path, patterns=pat, **FAST)
    assert sorted((d.department, d.year, d.status) for d in docs) == [
        ("财政局", 2027, "ok"), ("财政局", 2028, "ok")]


def test_attachments_linked_straight_from_the_listing(serve, tmp_path):
    site = Site()
    site.resources["/list.html"] = Resource(_page([
        ("/f/a.pdf", "区档案馆2023年部门预算.pdf"),
        ("/pdfjs/web/viewer.html?file=/f/b.pdf", "2022年区史志办部门预算"),
        ("/f/c.rar", "区机关工委2023年部门预算（压缩包）"),
        ("/f/a.pdf", "区档案馆2023年部门预算.pdf"),          # listed twice: one document
    ]))
    for n in ("a", "b"):
        site.resources[f"/f/{n}.pdf"] = Resource(placeholder_pdf(n, 2023), "application/pdf")
    srv = serve(site)
    docs = crawl(srv.url("/list.html"), tmp_path, **FAST)
    assert sorted((d.locator.rsplit("/", 1)[1], d.status, d.department, d.year) for d in docs) == [
        ("a.pdf", "ok", "区档案馆", 2023), ("b.pdf", "ok", "区史志办", 2022),
        ("c.rar", "unsupported", "区机关工委", 2023)]
