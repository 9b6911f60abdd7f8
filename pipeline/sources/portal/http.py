"""A polite, cached HTTP client for government portals.

Why not plain ``requests.get``: portals serve GBK pages without a charset header, fail with 5xx under
load, redirect to other hosts, and serve HTML error pages behind ``.pdf`` links. This client retries
transient failures with backoff (a bounded number of times), keeps a minimum interval between requests,
follows redirects itself so that every hop is checked against the allowlist, remembers ETag /
Last-Modified per URL so that an unchanged page costs one 304, caps download size, and writes
downloads to a temp file that is renamed only when complete and verified (removed otherwise).

The allowlist is of origins, scheme + host + port (``origin_of``): a link or a redirect to another
port of an allowed host is another service and is not requested. The one exception is the same host
moving from http on port 80 to https on port 443 (portals redirect to https routinely).

Deadlines, per fetch (one ``get_page`` or ``download``, its redirects and retries included):
``connect_timeout_s`` to connect, ``timeout_s`` between two reads of the socket, and
``total_timeout_s`` for the whole fetch. Socket timeouts alone cannot bound a server that trickles one
byte every few seconds (each read succeeds), so a watchdog timer shuts the fetch's socket down when
the total deadline passes; the fetch then fails as a timeout, and its temp file is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from pipeline.atomic import write_bytes_atomic, write_text_atomic
from pipeline.settings import settings

USER_AGENT = "district-budget-etl/0.1 (budget disclosure harvester; polite crawler)"
_RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A URL that could not be fetched. ``transient`` failures are worth trying again on a later crawl."""

    def __init__(self, url: str, message: str, *, status: int | None = None, transient: bool = False,
                 broken_transfer: bool = False):
        super().__init__(message)
        self.broken_transfer = broken_transfer   # the body was cut short: worth asking again now
        self.url = url
        self.message = message
        self.status = status
        self.transient = transient


class OffsiteError(FetchError):
    """The URL (or a redirect hop) points to a host outside the allowlist; it was not fetched."""


@dataclass(frozen=True)
class Page:
    url: str            # the URL asked for
    final_url: str      # after redirects (base for relative links)
    text: str
    encoding: str
    not_modified: bool  # answered 304: text comes from the local cache


@dataclass(frozen=True)
class Download:
    url: str
    final_url: str
    path: Path | None
    sha256: str | None
    not_modified: bool
    error: str | None = None   # a content failure remembered for this ETag (e.g. an HTML page, not a PDF)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


_DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin:
    """(scheme, host, port) of ``url``, the port made explicit; ("", "", 0) when it has none."""
    u = urlsplit(url)
    scheme = (u.scheme or "").lower()
    try:
        port = u.port
    except ValueError:          # a port that is not a number: matches nothing
        return (scheme, (u.hostname or "").lower(), -1)
    return (scheme, (u.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0))


def origin_label(url: str) -> str:
    scheme, host, port = origin_of(url)
    return f"{scheme}://{host}:{port}"


def allowed_origins(start_url: str, hosts: set[str] | None = None) -> set[Origin]:
    """The origins a crawl of ``start_url`` may request.

    ``hosts``: extra entries, each an origin (``https://host:8443``) or a bare host name, which is
    taken with the start URL's scheme and port. An http origin on port 80 also allows its host's
    https on port 443 (the usual upgrade redirect); nothing else on another port is allowed.
    """
    scheme, _, port = origin_of(start_url)
    found: set[Origin] = set()
    for h in hosts if hosts is not None else {start_url}:
        found.add(origin_of(h) if "://" in h else (scheme, h.lower(), port))
    for sch, host, p in list(found):
        if (sch, p) == ("http", 80):
            found.add(("https", host, 443))
    return found


# ------------------------------------------------------------------------------------------- deadlines
_current = threading.local()


class _Deadline:
    """The total deadline of one fetch: at expiry, every socket the fetch used is shut down."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.append(sock)
            if self.expired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._socks:
                _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _watch(sock: socket.socket | None) -> None:
    d = getattr(_current, "deadline", None)
    if d is not None:
        d.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args, **kwargs):
        _watch(self.sock)   # a kept-alive connection: connect() is not called again
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args, **kwargs):
        _watch(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections register their sockets with the current fetch's deadline."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


# --------------------------------------------------------------------------------------------- decoding
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)


def _norm_charset(name: str | None) -> str | None:
    if not name:
        return None
    n = name.strip().lower().replace("_", "-")
    if n in ("gb2312", "gbk", "gb-2312", "gb2312-80", "x-gbk", "cp936", "gb18030", "euc-cn"):
        return "gb18030"          # a superset: GBK pages often carry characters outside GB2312
    if n in ("utf8", "utf-8"):
        return "utf-8"
    try:
        "".encode(n)
    except LookupError:
        return None
    return n


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Text and encoding of an HTML/XML body: header charset, then meta charset, then sniffing.

    Each candidate must decode the body strictly; a wrong declaration (common on GBK sites) falls through
    to the next candidate instead of producing mojibake.
    """
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    head = body[:4096]
    cands: list[str | None] = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        cands.append(_norm_charset(m.group(1)))
    for rx in (_META_CHARSET, _XML_ENCODING):
        if m := rx.search(head):
            cands.append(_norm_charset(m.group(1).decode("ascii", "ignore")))
    cands += ["utf-8", "gb18030"]
    for enc in dict.fromkeys(c for c in cands if c):
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return body.decode("gb18030", errors="replace"), "gb18030"


def looks_like_pdf(head: bytes) -> bool:
    """A PDF starts with %PDF- within its first 1024 bytes (readers tolerate a little junk before it)."""
    return b"%PDF-" in head[:1024]


def describe_non_pdf(head: bytes, content_type: str | None) -> str:
    low = head[:2048].lower()
    if b"<html" in low or b"<!doctype" in low or (content_type or "").startswith("text/html"):
        return "the server returned an HTML page, not a PDF"
    return f"the file is not a PDF (it does not start with %PDF-; content type {content_type or 'unknown'})"


# ----------------------------------------------------------------------------------------------- client
class HttpClient:
    """GET with cache, retries, rate limit, allowlist and size cap. Not thread-safe (one crawl, one client)."""

    def __init__(self, work_dir: Path, *, allowed_hosts: set[str] | None = None,
                 allowed: set[Origin] | None = None, rate_limit_s: float | None = None,
                 timeout_s: float | None = None, max_bytes: int = 50 * 2**20, retries: int | None = None,
                 backoff_s: float | None = None, max_redirects: int = 5, total_timeout_s: float | None = None,
                 connect_timeout_s: float | None = None,
                 max_requests: int = 20000, session: requests.Session | None = None):
        self.cache_dir = Path(work_dir) / "http"
        self.files_dir = Path(work_dir) / "files"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        #: origins (scheme, host, port); bare ``allowed_hosts`` mean that host on http:80 / https:443
        self.allowed = set(allowed or ())
        for h in allowed_hosts or ():
            self.allowed |= {("http", h.lower(), 80), ("https", h.lower(), 443)}
        self.allowed_hosts = {h for _, h, _ in self.allowed}
        st = settings()   # each option left None takes the setting's value: one default each
        self.rate_limit_s = st.portal_rate if rate_limit_s is None else rate_limit_s
        self.timeout_s = timeout_s or st.portal_timeout
        self.connect_timeout_s = connect_timeout_s or min(st.portal_connect_timeout, self.timeout_s)
        self.total_timeout_s = total_timeout_s or max(st.portal_total_timeout, self.timeout_s)
        self.max_bytes = max_bytes
        self.retries = st.portal_retries if retries is None else retries
        self.backoff_s = st.portal_backoff if backoff_s is None else backoff_s
        self.max_redirects = max_redirects
        self.max_requests = max_requests
        self.requests_made = 0
        self.session = session or requests.Session()
        self.session.mount("http://", _WatchedAdapter())
        self.session.mount("https://", _WatchedAdapter())
        self.session.headers["User-Agent"] = USER_AGENT
        self._last_request = 0.0
        self._remove_stale_parts()

    def _remove_stale_parts(self) -> None:
        """Temp files a killed crawl left (no live fetch is older than its total deadline)."""
        cutoff = time.time() - max(600.0, 2 * self.total_timeout_s)
        for p in self.files_dir.glob(".dl.*.part"):
            try:
                if p.stat().st_mtime < cutoff:
                    p.unlink()
            except OSError:
                pass

    # -- cache entries
    def _entry_path(self, url: str) -> Path:
        return self.cache_dir / f"{hashlib.sha1(url.encode('utf-8')).hexdigest()}.json"

    def _load_entry(self, url: str) -> dict | None:
        try:
            return json.loads(self._entry_path(url).read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def _save_entry(self, url: str, entry: dict) -> None:
        write_text_atomic(self._entry_path(url), json.dumps(entry, ensure_ascii=False))

    def is_allowed(self, url: str) -> bool:
        return origin_of(url) in self.allowed

    # -- the total deadline of one fetch
    def _fetch(self, fn, url: str):
        """``fn(url)`` under a fresh total deadline (see the module docstring)."""
        deadline = _Deadline(self.total_timeout_s)
        outer = getattr(_current, "deadline", None)
        _current.deadline = deadline
        try:
            result = fn(url)
        except FetchError:
            if deadline.expired:
                raise self._too_long(url) from None
            raise
        except (requests.RequestException, OSError):
            if deadline.expired:
                raise self._too_long(url) from None
            raise
        finally:
            deadline.cancel()
            _current.deadline = outer
        if deadline.expired:   # a body read "to the end" because the watchdog closed the socket
            raise self._too_long(url)
        return result

    def _too_long(self, url: str) -> FetchError:
        return FetchError(url, f"no complete answer within {self.total_timeout_s:g} s (the limit per request); "
                               f"stopped", transient=True)

    def _check_deadline(self, url: str) -> None:
        d = getattr(_current, "deadline", None)
        if d is not None and (d.expired or d.remaining() <= 0):
            raise self._too_long(url)

    # -- the request loop
    def _wait_turn(self) -> None:
        delay = self.rate_limit_s - (time.monotonic() - self._last_request)
        if delay > 0:
            time.sleep(delay)
        self._last_request = time.monotonic()

    def _open(self, url: str, cond: dict[str, str]) -> tuple[requests.Response, str]:
        """The response to ``url`` (stream mode, not yet read) after redirects and retries."""
        current = url
        for _hop in range(self.max_redirects + 1):
            if not self.is_allowed(current):
                raise OffsiteError(current, f"links to another site ({origin_label(current)}); not fetched")
            resp = self._request_with_retries(current, cond if current == url else {})
            if resp.status_code in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                nxt = urljoin(current, resp.headers["Location"])
                resp.close()
                current = nxt
                continue
            return resp, current
        raise FetchError(url, f"more than {self.max_redirects} redirects")

    def _request_with_retries(self, url: str, headers: dict[str, str]) -> requests.Response:
        last_error = "no attempt made"
        for attempt in range(self.retries + 1):
            self._check_deadline(url)
            if attempt:
                time.sleep(min(self.backoff_s * 2 ** (attempt - 1), 30.0, self._remaining()))
            if self.requests_made >= self.max_requests:
                raise FetchError(url, f"request budget of {self.max_requests} exhausted", transient=True)
            self._wait_turn()
            self._check_deadline(url)
            self.requests_made += 1
            try:
                resp = self.session.get(url, headers=headers, stream=True, allow_redirects=False,
                                        timeout=(min(self.connect_timeout_s, self._remaining()),
                                                 min(self.timeout_s, self._remaining())))
            except requests.Timeout:
                self._check_deadline(url)
                last_error = f"timed out after {self.timeout_s:g} s"
                continue
            except requests.RequestException as e:
                self._check_deadline(url)
                last_error = f"connection failed ({type(e).__name__})"
                continue
            if resp.status_code in _RETRY_STATUS:
                last_error = f"HTTP {resp.status_code} {resp.reason or ''}".strip()
                resp.close()
                continue
            return resp
        raise FetchError(url, f"{last_error} (after {self.retries + 1} attempts)", transient=True)

    def _read_capped(self, resp: requests.Response, url: str, sink) -> int:
        """Stream the body into ``sink``; enforce the size cap and the total time bound."""
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            resp.close()
            raise FetchError(url, f"larger than the {self.max_bytes} byte limit ({length} bytes announced)")
        n = 0
        try:
            for chunk in resp.iter_content(64 * 1024):
                n += len(chunk)
                if n > self.max_bytes:
                    raise FetchError(url, f"larger than the {self.max_bytes} byte limit; download stopped")
                self._check_deadline(url)
                sink(chunk)
        except requests.RequestException as e:
            self._check_deadline(url)
            raise FetchError(url, f"transfer broken ({type(e).__name__})", transient=True,
                             broken_transfer=True) from None
        finally:
            resp.close()
        self._check_deadline(url)
        return n

    def _remaining(self) -> float:
        d = getattr(_current, "deadline", None)
        return max(d.remaining(), 0.001) if d is not None else float(self.total_timeout_s)

    @staticmethod
    def _conditional(entry: dict | None) -> dict[str, str]:
        h: dict[str, str] = {}
        if entry:
            if entry.get("etag"):
                h["If-None-Match"] = entry["etag"]
            if entry.get("last_modified"):
                h["If-Modified-Since"] = entry["last_modified"]
        return h

    def _check_status(self, resp: requests.Response, url: str) -> None:
        if resp.status_code >= 400:
            status, reason = resp.status_code, resp.reason or ""
            resp.close()
            raise FetchError(url, f"HTTP {status} {reason}".strip(), status=status,
                             transient=status in _RETRY_STATUS)

    # -- public API
    def _again_on_broken_transfer(self, fn, url: str):
        """``fn(url)``, asked again (a bounded number of times) when the body arrives cut short."""
        for attempt in range(self.retries + 1):
            try:
                return fn(url)
            except FetchError as e:
                if not e.broken_transfer or attempt == self.retries:
                    if e.broken_transfer:
                        e.message = f"{e.message} (after {self.retries + 1} attempts)"
                    raise
                self._check_deadline(url)
                time.sleep(min(self.backoff_s * 2 ** attempt, 30.0, self._remaining()))
        raise AssertionError("unreachable")

    def get_page(self, url: str) -> Page:
        """An HTML (or XML) page as text; a 304 returns the cached text with ``not_modified``."""
        return self._fetch(lambda u: self._again_on_broken_transfer(self._get_page_once, u), url)

    def download(self, url: str, *, expect_pdf: bool = True) -> Download:
        """Fetch an attachment into ``files/<sha256>.pdf`` atomically (temp file, then rename).

        A body that is not a PDF is refused (the temp file removed) and the refusal remembered under the
        response's ETag, so an unchanged bad link is not downloaded again.
        """
        return self._fetch(lambda u: self._again_on_broken_transfer(
            lambda v: self._download_once(v, expect_pdf), u), url)

    def _get_page_once(self, url: str) -> Page:
        entry = self._load_entry(url)
        body_path = self.cache_dir / f"{hashlib.sha1(url.encode('utf-8')).hexdigest()}.body"
        if entry and not body_path.exists():
            entry = None
        resp, final = self._open(url, self._conditional(entry))
        if resp.status_code == 304 and entry:
            resp.close()
            text, enc = decode_html(body_path.read_bytes(), entry.get("content_type"))
            return Page(url, entry.get("final_url", final), text, enc, True)
        self._check_status(resp, url)
        chunks: list[bytes] = []
        self._read_capped(resp, url, chunks.append)
        body = b"".join(chunks)
        ctype = resp.headers.get("Content-Type")
        text, enc = decode_html(body, ctype)
        write_bytes_atomic(body_path, body)
        self._save_entry(url, {"url": url, "final_url": final, "etag": resp.headers.get("ETag"),
                               "last_modified": resp.headers.get("Last-Modified"), "content_type": ctype})
        return Page(url, final, text, enc, False)

    def _download_once(self, url: str, expect_pdf: bool) -> Download:
        entry = self._load_entry(url)
        if entry and entry.get("sha256") and not (self.files_dir / f"{entry['sha256']}.pdf").exists():
            entry = None
        resp, final = self._open(url, self._conditional(entry))
        if resp.status_code == 304 and entry:
            resp.close()
            path = self.files_dir / f"{entry['sha256']}.pdf" if entry.get("sha256") else None
            return Download(url, entry.get("final_url", final), path, entry.get("sha256"), True,
                            entry.get("error"))
        self._check_status(resp, url)
        ctype = resp.headers.get("Content-Type")
        fd, tmp_name = tempfile.mkstemp(dir=self.files_dir, prefix=".dl.", suffix=".part")
        tmp = Path(tmp_name)
        h = hashlib.sha256()
        head = bytearray()
        try:
            with os.fdopen(fd, "wb") as f:
                def sink(chunk: bytes) -> None:
                    if len(head) < 2048:
                        head.extend(chunk[: 2048 - len(head)])
                    h.update(chunk)
                    f.write(chunk)
                self._read_capped(resp, url, sink)
                f.flush()
                os.fsync(f.fileno())
            base = {"url": url, "final_url": final, "etag": resp.headers.get("ETag"),
                    "last_modified": resp.headers.get("Last-Modified"), "content_type": ctype}
            if expect_pdf and not looks_like_pdf(bytes(head)):
                error = describe_non_pdf(bytes(head), ctype)
                tmp.unlink(missing_ok=True)
                if base["etag"] or base["last_modified"]:
                    self._save_entry(url, {**base, "sha256": None, "error": error})
                return Download(url, final, None, None, False, error)
            sha = h.hexdigest()
            dest = self.files_dir / f"{sha}.pdf"
            os.replace(tmp, dest)
            self._save_entry(url, {**base, "sha256": sha, "error": None})
            return Download(url, final, dest, sha, False)
        finally:
            tmp.unlink(missing_ok=True)
