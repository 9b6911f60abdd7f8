"""A page's objects as pdfplumber's ``Page.objects`` gives them, with the characters converted faster.

Why: after pdfminer's interpretation, the largest cost of reading a page is pdfplumber turning each
character into a dict (``Page.process_object``: one closure call and a ``resolve_all`` walk per
attribute, a regex per object). Characters are nearly all of a disclosure's objects and their
attributes are plain numbers, strings and tuples of numbers, so they are converted here directly;
every other object, and any character attribute that is not plain, goes through pdfplumber's own
code. The result is the same dicts (tests/test_reader.py compares both on real pages), stored where
``Page.objects`` caches them, so everything pdfplumber derives from them (chars, edges, tables, text)
is unchanged. Written against pdfplumber 0.11 (pinned).
"""

from __future__ import annotations

from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar, LTContainer
from pdfplumber.page import ALL_ATTRS, Page
from pdfplumber.utils import resolve_all, resolve_and_decode

_PLAIN = (float, int, str, bool, type(None))


def _plain(v: object) -> bool:
    t = type(v)
    return t in _PLAIN or (t is tuple and all(type(x) in _PLAIN for x in v))  # type: ignore[union-attr]


def _char(page: Page, obj: LTChar, mb_x0: float, mb_top: float, cs_names: dict) -> dict:
    attr = {}
    for k, v in obj.__dict__.items():
        if k in ALL_ATTRS:
            attr[k] = v if _plain(v) else resolve_all(v)
    attr["object_type"] = "char"
    attr["page_number"] = page.page_number
    for cs in ("ncs", "scs"):
        space = getattr(obj, cs, None)
        if space is not None:
            name = space.name
            if name not in cs_names:
                cs_names[name] = resolve_and_decode(name)
            attr[cs] = cs_names[name]
    text = obj.get_text()
    norm = page.pdf.unicode_norm
    attr["text"] = normalize_unicode(norm, text) if norm is not None else text
    gs = obj.graphicstate
    attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
    attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
    if isinstance(attr.get("fontname"), bytes):
        return page.process_object(obj)
    attr["top"] = (page.height - attr["y1"]) + mb_top
    attr["bottom"] = (page.height - attr["y0"]) + mb_top
    attr["doctop"] = page.initial_doctop + attr["top"]
    if mb_x0 != 0:
        attr["x0"] += mb_x0
        attr["x1"] += mb_x0
    return attr


def parse_objects(page: Page) -> dict[str, list[dict]]:
    """``page.parse_objects()`` with characters converted by :func:`_char`."""
    mb_x0, mb_top = page.mediabox[:2]
    laparams = page.pdf.laparams
    cs_names: dict = {}
    objects: dict[str, list[dict]] = {}
    stack = [iter(page.layout._objs)]
    while stack:
        obj = next(stack[-1], None)
        if obj is None:
            stack.pop()
            continue
        if isinstance(obj, LTContainer):
            if laparams is not None:
                _add(objects, page.process_object(obj))
            stack.append(iter(obj._objs))
        elif type(obj) is LTChar and hasattr(obj, "graphicstate"):
            _add(objects, _char(page, obj, mb_x0, mb_top, cs_names))
        else:
            _add(objects, page.process_object(obj))
    return objects


def _add(objects: dict[str, list[dict]], attr: dict) -> None:
    kind = attr["object_type"]
    if kind != "anno":
        objects.setdefault(kind, []).append(attr)


def load_objects(page: Page) -> None:
    """Fill the cache ``Page.objects`` reads (``page.close()`` clears it as usual)."""
    if not hasattr(page, "_objects"):
        page._objects = parse_objects(page)
