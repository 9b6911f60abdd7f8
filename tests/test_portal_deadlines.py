"""The crawler's limits against hostile servers on 127.0.0.1: a server trickling one byte at a time
holds a request no longer than its total cap (body or headers), leaves no partial file; another port
of the same host is another site (never requested, by link or by redirect); a start page that cannot
be read is a plain message (exit 69), not a traceback. The cap is short here (1.5 s) to keep it fast."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.sources.portal import PortalError, crawl
from pipeline.sources.portal.http import allowed_origins, origin_of
from portal_site.district import placeholder_pdf
from portal_site.server import PortalServer, Resource, Site

CAP = 1.5
FAST = dict(rate_limit_s=0.0, timeout_s=1.0, backoff_s=0.02, retries=2, total_timeout_s=CAP)
TRICKLE = 0.3   # a byte every 0.3 s: each read succeeds well within the 1 s read timeout


def _page(links: list[tuple[str, str]]) -> bytes:
    body = "".join(f'<li><a href="{h}">区第{t}局2023年部门预算公开</a></li>' for h, t in links)
    return (f'<html><head><meta charset="utf-8"><title>预决算公开</title></head><body><ul>{body}</ul>'
            f'</body></html>').encode()


def _article(att: str) -> bytes:
    title = "区第1局2023年部门预算公开"
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<a href="{att}">{title}.pdf</a></body></html>').encode()


@pytest.fixture
def serve():
    servers: list[PortalServer] = []

    def start(site: Site) -> PortalServer:
        servers.append(PortalServer(site))
        return servers[-1]
    yield start
    for s in servers:
        s.close()


def _parts(work) -> list:
    return sorted(p.name for p in (work / "files").glob("*.part")) + \
        sorted(p.name for p in (work / "files").glob(".*.part"))


def test_a_trickling_body_is_cut_at_the_cap_and_leaves_no_partial_file(serve, tmp_path):
    site = Site()
    site.resources["/list.html"] = Resource(_page([("/a/1.html", "一")]))
    site.resources["/a/1.html"] = Resource(_article("/f/1.pdf"))
    site.resources["/f/1.pdf"] = Resource(placeholder_pdf("1", 2023, size=400), "application/pdf",
                                          trickle=TRICKLE)
    srv = serve(site)
    t = time.monotonic()
    docs = crawl(srv.url("/list.html"), tmp_path, **FAST)
    took = time.monotonic() - t
    assert took < CAP + 2.0, f"the crawl took {took:.1f} s against a cap of {CAP} s per request"
    (doc,) = docs
    assert doc.status == "failed" and f"{CAP:g} s" in doc.error and doc.path is None, doc
    assert site.resources["/f/1.pdf"].hits == 1, "a request cut at its cap is not asked again at once"
    assert _parts(tmp_path) == [], "a partial download was left"
    assert not list((tmp_path / "files").glob("*.pdf"))


def test_trickled_headers_are_cut_at_the_cap_too(serve, tmp_path):
    site = Site()
    site.resources["/list.html"] = Resource(_page([("/a/1.html", "一")]))
    site.resources["/a/1.html"] = Resource(_article("/f/1.pdf"), trickle=TRICKLE, trickle_headers=True)
    srv = serve(site)
    t = time.monotonic()
    (doc,) = crawl(srv.url("/list.html"), tmp_path, **FAST)
    assert time.monotonic() - t < CAP + 2.0
    assert doc.status == "failed" and f"{CAP:g} s" in doc.error


def test_a_trickling_start_page_is_a_portal_error_within_the_cap(serve, tmp_path):
    site = Site()
    site.resources["/list.html"] = Resource(_page([]), trickle=TRICKLE)
    srv = serve(site)
    t = time.monotonic()
    with pytest.raises(PortalError, match="cannot read the start page"):
        crawl(srv.url("/list.html"), tmp_path, **FAST)
    assert time.monotonic() - t < CAP + 2.0


def test_another_port_of_the_same_host_is_never_requested(serve, tmp_path):
    other = Site()
    other.resources["/f/9.pdf"] = Resource(placeholder_pdf("9", 2023), "application/pdf")
    other_srv = serve(other)
    site = Site()
    site.resources["/list.html"] = Resource(_page([("/a/1.html", "一"), ("/a/2.html", "二")]))
    site.resources["/a/1.html"] = Resource(_article(other_srv.url("/f/9.pdf")))      # a link
    site.resources["/a/2.html"] = Resource(_article("/f/2.pdf"))
    site.resources["/f/2.pdf"] = Resource(status=302, location=other_srv.url("/f/9.pdf"))  # a redirect
    srv = serve(site)
    docs = {d.locator: d for d in crawl(srv.url("/list.html"), tmp_path, **FAST)}
    assert other_srv.log == [], "a service on another port of the same host was requested"
    linked, redirected = docs[other_srv.url("/f/9.pdf")], docs[srv.url("/f/2.pdf")]
    assert linked.status == "offsite" and str(other_srv.port) in linked.error
    assert redirected.status == "offsite" and str(other_srv.port) in redirected.error


def test_the_allowlist_is_scheme_host_and_port():
    allowed = allowed_origins("http://budget.example.gov.cn/yjsgk/index.html")
    assert origin_of("http://budget.example.gov.cn:80/x.pdf") in allowed
    assert origin_of("https://budget.example.gov.cn/x.pdf") in allowed       # the usual upgrade
    assert origin_of("http://budget.example.gov.cn:8080/x.pdf") not in allowed
    assert origin_of("https://budget.example.gov.cn:8443/x.pdf") not in allowed
    assert origin_of("ftp://budget.example.gov.cn/x.pdf") not in allowed
    assert origin_of("http://other.example.gov.cn/x.pdf") not in allowed
    tls = allowed_origins("https://a.example:8443/")
    assert tls == {("https", "a.example", 8443)}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_or_failing_start_page_is_a_plain_message(serve, tmp_path):
    site = Site()
    site.resources["/list.html"] = Resource(b"down", fail_first=1000)
    srv = serve(site)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), BUDGET_ETL_PORTAL_RATE="0",
               BUDGET_ETL_PORTAL_TIMEOUT="1", BUDGET_ETL_PORTAL_TOTAL_TIMEOUT=str(CAP))
    for url in (f"http://127.0.0.1:{_closed_port()}/list.html", srv.url("/list.html")):
        p = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--portal", url, "--home",
                            str(tmp_path / "h"), "--no-gx"], capture_output=True, text=True, env=env,
                           timeout=120, cwd=PROJECT_ROOT)
        assert p.returncode == 69 and "Traceback" not in p.stderr, p.stderr
        assert "cannot read the start page" in p.stderr, p.stderr
