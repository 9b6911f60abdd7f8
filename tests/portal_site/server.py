"""A real HTTP server (ThreadingHTTPServer on 127.0.0.1, port 0) serving a Site, with faults and a log.

Each Resource answers conditional GETs (ETag / Last-Modified → 304) like a real CMS's web server, and
can misbehave on purpose: 500 for its first n requests, a delay on the first or every request, a body
cut short, a redirect, a body (or the whole answer, status line included) trickled one byte at a time. The request log records every request the crawler made, so tests can assert what
a second crawl cost.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

LAST_MODIFIED = "Wed, 01 Feb 2023 08:00:00 GMT"


@dataclass
class Resource:
    body: bytes = b""
    content_type: str = "text/html"
    status: int = 200
    location: str | None = None       # redirect target (absolute URL) when status is 3xx
    fail_first: int = 0               # answer 500 to the first n requests
    delay_first: float = 0.0          # sleep before answering the first request
    delay: float = 0.0                # sleep before every answer
    truncate_first: int = 0           # send half the announced body to the first n requests
    conditional: bool = True          # send ETag / Last-Modified and honour If-None-Match
    trickle: float = 0.0              # seconds between two bytes of the body (0: send at once)
    trickle_headers: bool = False     # trickle the status line and headers too
    hits: int = 0

    @property
    def etag(self) -> str:
        return '"%s"' % hashlib.sha1(self.body).hexdigest()[:16]


@dataclass(frozen=True)
class LogEntry:
    path: str            # path with query, as requested
    status: int
    conditional: bool    # the request carried If-None-Match / If-Modified-Since


@dataclass
class Site:
    resources: dict[str, Resource] = field(default_factory=dict)      # "path" or "path?query"
    dynamic: dict[str, Callable[[dict[str, str]], Resource | None]] = field(default_factory=dict)

    def find(self, path: str, query: str) -> Resource | None:
        key = f"{path}?{query}" if query else path
        if key in self.resources:
            return self.resources[key]
        if path in self.dynamic:
            return self.dynamic[path](dict(parse_qsl(query)))
        return self.resources.get(path) if not query else None


class PortalServer:
    """Serve ``site`` on 127.0.0.1 until ``close()``; ``base`` is http://127.0.0.1:PORT."""

    def __init__(self, site: Site):
        self.site = site
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def _record(self, path: str, status: int, conditional: bool) -> None:
        with self._lock:
            self.log.append(LogEntry(path, status, conditional))

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        u = urlsplit(h.path)
        conditional = bool(h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since"))
        with self._lock:
            res = self.site.find(u.path, u.query)
            hit = 0
            if res is not None:
                res.hits += 1
                hit = res.hits
        try:
            if res is None:
                self._record(h.path, 404, conditional)
                body = b"<html><body><h1>404 Not Found</h1></body></html>"
                self._send(h, 404, "text/html", body)
                return
            if res.delay or (res.delay_first and hit == 1):
                time.sleep(res.delay or res.delay_first)
            if hit <= res.fail_first:
                self._record(h.path, 500, conditional)
                self._send(h, 500, "text/html", b"<html><body>500 Internal Server Error</body></html>")
                return
            if 300 <= res.status < 400:
                self._record(h.path, res.status, conditional)
                h.send_response(res.status)
                h.send_header("Location", res.location or "/")
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            if res.conditional and res.status == 200 and (
                    h.headers.get("If-None-Match") == res.etag
                    or (not h.headers.get("If-None-Match")
                        and h.headers.get("If-Modified-Since") == LAST_MODIFIED)):
                self._record(h.path, 304, conditional)
                h.send_response(304)
                h.send_header("ETag", res.etag)
                h.end_headers()
                return
            self._record(h.path, res.status, conditional)
            extra = {"ETag": res.etag, "Last-Modified": LAST_MODIFIED} if res.conditional else {}
            if res.trickle:
                self._trickle(h, res)
                return
            if hit <= res.truncate_first:
                h.send_response(res.status)
                h.send_header("Content-Type", res.content_type)
                h.send_header("Content-Length", str(len(res.body)))
                h.end_headers()
                h.wfile.write(res.body[: len(res.body) // 2])
                h.wfile.flush()
                h.close_connection = True
                return
            self._send(h, res.status, res.content_type, res.body, extra)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client gave up (timeout): that is the point of a slow resource

    @staticmethod
    def _trickle(h: BaseHTTPRequestHandler, res: Resource) -> None:
        """One byte every ``res.trickle`` s: each read of the client succeeds, the answer never ends soon."""
        head = (f"HTTP/1.1 {res.status} OK\r\nContent-Type: {res.content_type}\r\n"
                f"Content-Length: {len(res.body)}\r\nConnection: close\r\n\r\n").encode("ascii")
        h.close_connection = True
        if not res.trickle_headers:
            h.wfile.write(head)
            h.wfile.flush()
            head = b""
        for i in range(len(head) + len(res.body)):
            h.wfile.write((head + res.body)[i:i + 1])
            h.wfile.flush()
            time.sleep(res.trickle)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, ctype: str, body: bytes,
              extra: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)
