"""Hostile PDFs built byte by byte for the tests (never stored): loops, bombs, huge counts, damage.

Why hand-built: each file must carry exactly one hostility (a reference that names itself, a stream
that inflates to gigabytes, a page of 600,000 characters …) in a few kilobytes, with a correct xref so
that every reader gets as far as the hostile part.
"""

from __future__ import annotations

import random
import zlib

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def build(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with the given objects (number → body) and a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def stream(data: bytes, filters: int = 1, extra: bytes = b"") -> bytes:
    """A stream object body, FlateDecode applied ``filters`` times."""
    names = b" ".join([b"/FlateDecode"] * filters)
    for _ in range(filters):
        data = zlib.compress(data, 9)
    return b"<< /Length %d /Filter [%s] %s>>\nstream\n" % (len(data), names, extra) + data + b"\nendstream"


def one_page(content_obj: bytes) -> bytes:
    return build({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                  3: PAGE, 4: content_obj, 5: FONT})


def text_page(text: str = "Hello") -> bytes:
    """A plain, valid one-page PDF (the control)."""
    return one_page(stream(b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode()))


def self_reference() -> bytes:
    """``4 0 obj 4 0 R endobj``: the page's content stream is a reference to itself."""
    return one_page(b"4 0 R")


def reference_cycle() -> bytes:
    """Objects 4 → 6 → 7 → 4, the page's contents and its font both inside the cycle."""
    pdf = build({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 3: PAGE.replace(b"/F1 5 0 R", b"/F1 6 0 R"), 4: b"6 0 R", 5: FONT, 6: b"7 0 R",
                 7: b"4 0 R"})
    return pdf


def page_tree_cycle() -> bytes:
    """The page tree lists itself among its own kids."""
    return build({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                  2: b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", 3: PAGE,
                  4: stream(b"BT /F1 12 Tf 72 720 Td (loop) Tj ET"), 5: FONT})


def _flate_of_repeats(chunk: bytes, times: int) -> bytes:
    """A zlib stream that inflates to ``chunk * times``, built without compressing all of it.

    After a full flush the compressor forgets its history, so every later copy of ``chunk``
    compresses to the same bytes; the Adler-32 of the whole is computed chunk by chunk.
    """
    c = zlib.compressobj(9)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)[:-4]          # the final empty block, without c's checksum
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(chunk, adler)
    return first + again * (times - 1) + tail + adler.to_bytes(4, "big")


def zip_bomb(gib: float = 4.0) -> bytes:
    """A page whose content stream inflates to ``gib`` GiB of blanks (a few MB on disk)."""
    chunk = b" " * (1 << 24)
    data = _flate_of_repeats(chunk, int(gib * 64))
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return one_page(body)


def double_zip_bomb(gib: float = 1.0) -> bytes:
    """Twice FlateDecode: a few KB on disk, ``gib`` GiB once both filters are undone."""
    inner = _flate_of_repeats(b" " * (1 << 24), int(gib * 64))
    outer = zlib.compress(inner, 9)
    body = (b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(outer) + outer
            + b"\nendstream")
    return one_page(body)


def char_bomb(chars: int = 600_000) -> bytes:
    """One page showing ``chars`` characters (a few KB compressed)."""
    return one_page(stream(b"BT /F1 1 Tf 10 10 Td (" + b"x" * chars + b") Tj ET"))


def drawing_bomb(rects: int = 300_000) -> bytes:
    """One page drawing ``rects`` rectangles, plus a line of text."""
    ops = b"0.1 w " + b"10 10 5 5 re S " * rects + b"BT /F1 12 Tf 72 720 Td (grid) Tj ET"
    return one_page(stream(ops))


def many_pages(pages: int = 2000) -> bytes:
    """``pages`` pages sharing one small content stream."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 4: stream(b"BT /F1 12 Tf 72 720 Td (p) Tj ET"),
            5: FONT}
    kids = []
    for i in range(pages):
        num = 6 + i
        objs[num] = PAGE.replace(b"/Parent 2 0 R", b"/Parent 2 0 R")
        kids.append(b"%d 0 R" % num)
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return build(objs)


def deep_nesting(depth: int = 100_000) -> bytes:
    """An array nested ``depth`` levels deep in the page's resources."""
    page = PAGE.replace(b"/Resources <<", b"/Deep " + b"[" * depth + b"]" * depth + b" /Resources <<")
    return build({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                  3: page, 4: stream(b"BT /F1 12 Tf 72 720 Td (deep) Tj ET"), 5: FONT})


def trailing_bytes(pdf: bytes, n: int = 10_000) -> bytes:
    """A valid PDF followed by ``n`` bytes of junk after its %%EOF (what some servers append)."""
    return pdf + bytes(random.Random(7).randrange(256) for _ in range(n))


def truncated(pdf: bytes, fraction: float) -> bytes:
    return pdf[: int(len(pdf) * fraction)]


def byte_flips(pdf: bytes, seed: int, flips: int = 40) -> bytes:
    rnd = random.Random(seed)
    b = bytearray(pdf)
    for _ in range(flips):
        i = rnd.randrange(len(b))
        b[i] ^= 1 << rnd.randrange(8)
    return bytes(b)
