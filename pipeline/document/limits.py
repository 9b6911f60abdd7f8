"""The limits one document is parsed under, and the guards that enforce them inside pdfminer.

Why: the night ingests files nobody here controls. A PDF can name itself as its own content
(``4 0 obj 4 0 R``: pdfminer loops forever), inflate a 1 MB stream to gigabytes, show 600,000
characters on one page or claim thousands of pages. The counting caps below stop such a file inside
the parser with a typed error saying which limit it passed; the wall-time deadline and the memory
limit (enforced by the process that runs the parse, pipeline/workers.py) stop whatever the caps miss.
Every limit can be set by environment variable, so tests use small ones.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import asdict, dataclass

from pipeline.model import DocumentError

MIB = 1 << 20


def _env_num(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        return default


@dataclass(frozen=True)
class ParseLimits:
    """Per-document limits. Defaults leave room for the largest real disclosures (328 pages, 2.8 MB)."""

    timeout_s: float = 300.0           # wall time of one document's parse
    memory_mib: int = 1024             # address space of a parsing process (RLIMIT_AS)
    max_file_mib: int = 256            # size of the file itself
    max_stream_mib: int = 64           # one stream once its filters are undone
    max_pages: int = 1000
    max_chars_per_page: int = 50_000
    max_objects_per_page: int = 100_000  # drawn paths (each subpath) and images

    @classmethod
    def from_env(cls) -> "ParseLimits":
        """The defaults, each overridden by its BUDGET_ETL_PARSE_* variable when set."""
        d = cls()
        return cls(
            timeout_s=_env_num("BUDGET_ETL_PARSE_TIMEOUT", d.timeout_s),
            memory_mib=int(_env_num("BUDGET_ETL_PARSE_MEMORY_MIB", d.memory_mib)),
            max_file_mib=int(_env_num("BUDGET_ETL_PARSE_MAX_FILE_MIB", d.max_file_mib)),
            max_stream_mib=int(_env_num("BUDGET_ETL_PARSE_MAX_STREAM_MIB", d.max_stream_mib)),
            max_pages=int(_env_num("BUDGET_ETL_PARSE_MAX_PAGES", d.max_pages)),
            max_chars_per_page=int(_env_num("BUDGET_ETL_PARSE_MAX_CHARS", d.max_chars_per_page)),
            max_objects_per_page=int(_env_num("BUDGET_ETL_PARSE_MAX_OBJECTS", d.max_objects_per_page)),
        )

    def to_env(self) -> dict[str, str]:
        """The variables that make a child process read these same limits."""
        names = {"timeout_s": "TIMEOUT", "memory_mib": "MEMORY_MIB", "max_file_mib": "MAX_FILE_MIB",
                 "max_stream_mib": "MAX_STREAM_MIB", "max_pages": "MAX_PAGES",
                 "max_chars_per_page": "MAX_CHARS", "max_objects_per_page": "MAX_OBJECTS"}
        return {f"BUDGET_ETL_PARSE_{names[k]}": str(v) for k, v in asdict(self).items()}


class LimitExceeded(DocumentError):
    """A document past one of the counting caps: ``too_large``, with the limit in the message."""

    def __init__(self, message: str):
        super().__init__("too_large", message)


class _BoundedInflater:
    """zlib.decompressobj with a ceiling on the bytes it may produce in total."""

    def __init__(self, cap: int):
        self._d = zlib.decompressobj()
        self._cap = cap
        self._out = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self._d.decompress(data, self._cap - self._out + 1)
        self._out += len(out)
        if self._out > self._cap:
            raise _stream_too_large(self._cap)
        return out

    def flush(self, *args) -> bytes:
        out = self._d.flush(*args)
        self._out += len(out)
        if self._out > self._cap:
            raise _stream_too_large(self._cap)
        return out

    @property
    def eof(self) -> bool:
        return self._d.eof


def _stream_too_large(cap: int) -> LimitExceeded:
    return LimitExceeded(f"a compressed stream inflates past the limit of {cap // MIB} MiB "
                         "(a decompression bomb, or a document far larger than a disclosure)")


class _BoundedZlib:
    """What pdfminer.pdftypes uses of the zlib module, with every inflation capped."""

    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS

    def __init__(self, cap: int):
        self.cap = cap

    def decompressobj(self, *args, **kwargs) -> _BoundedInflater:
        return _BoundedInflater(self.cap)

    def decompress(self, data: bytes, *args, **kwargs) -> bytes:
        d = _BoundedInflater(self.cap)
        out = d.decompress(data)
        if not d.eof:  # what zlib.decompress itself raises, so pdfminer's own fallback still runs
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out


def _resolver():
    """PDFObjRef.resolve that follows a chain of references itself and fails on a cycle.

    pdfminer's resolve1 loops ``while isinstance(x, PDFObjRef)``: an object that is a reference to
    itself (or a ring of them) never ends. Returning the end of the chain ends that loop too.
    """
    from pdfminer.pdftypes import PDFObjectNotFound, PDFObjRef

    def resolve(self, default: object = None):
        try:
            obj = self.doc.getobj(self.objid)
        except PDFObjectNotFound:
            return default
        if type(obj) is not PDFObjRef and not isinstance(obj, PDFObjRef):
            return obj
        seen = [self.objid]
        while True:
            if obj.objid in seen or len(seen) > 64:
                chain = " → ".join(str(n) for n in seen + [obj.objid])
                raise DocumentError("malformed", f"object {seen[0]} is a reference to itself through "
                                                 f"a cycle of references ({chain}): the file is corrupt")
            seen.append(obj.objid)
            try:
                obj = obj.doc.getobj(obj.objid)
            except PDFObjectNotFound:
                return default
            if not isinstance(obj, PDFObjRef):
                return obj

    return resolve


_installed: int | None = None


def install_guards(limits: ParseLimits) -> None:
    """Put the stream cap and the reference-cycle guard into pdfminer (idempotent, per process)."""
    global _installed
    cap = limits.max_stream_mib * MIB
    if _installed == cap:
        return
    import pdfminer.pdftypes as pdftypes

    pdftypes.zlib = _BoundedZlib(cap)
    pdftypes.PDFObjRef.resolve = _resolver()
    _installed = cap


def set_memory_limit(memory_mib: int) -> None:
    """Cap this process's address space: a runaway allocation fails here, not on the machine."""
    import resource

    if memory_mib <= 0:
        return
    limit = memory_mib * MIB
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
