"""A page's objects as pdfplumber's ``Page.objects`` gives them, converted faster.

Why: after pdfminer's interpretation, the largest cost of reading a page is pdfplumber turning each
layout object into a dict (``Page.process_object``: one closure call and a ``resolve_all`` walk per
attribute, a regex per object). Characters and the ruling (lines, rectangles) are nearly all of a
disclosure's objects and their attributes are plain numbers, strings and tuples of numbers, so they
are converted here directly; any other object, and any attribute that is not plain, goes through
pdfplumber's own code. The result is the same dicts (tests/test_reader.py compares both on every
page of the real corpus), stored where ``Page.objects`` caches them, so everything pdfplumber derives
from them (chars, edges, tables, text) is unchanged. Written against pdfplumber 0.11 (pinned).
"""

from __future__ import annotations

from typing import NamedTuple
from unicodedata import normalize as normalize_unicode

from pdfminer.layout import LTChar, LTContainer, LTCurve
from pdfplumber.page import ALL_ATTRS, Page, lt_pat
from pdfplumber.utils import resolve_all, resolve_and_decode

from pipeline.document.radicals import has_radicals, unify_radicals

_PLAIN = frozenset((float, int, str, bool, type(None)))


class _Frame(NamedTuple):
    """What every object of one page needs from it, read once."""

    height: float
    doctop: float
    page_number: int
    mb_x0: float
    mb_top: float
    unicode_norm: str | None


def _attrs(obj: object) -> dict:
    """The object's pdfplumber attributes; only values that are not plain go through resolve_all."""
    attr = {}
    for k, v in obj.__dict__.items():
        if k in ALL_ATTRS:
            t = type(v)
            if t in _PLAIN or (t is tuple and all(type(x) in _PLAIN for x in v)):
                attr[k] = v
            else:
                attr[k] = resolve_all(v)
    return attr


def _placed(attr: dict, f: _Frame) -> dict:
    """pdfplumber's top-left coordinates (and the MediaBox offset) on a converted object."""
    top = (f.height - attr["y1"]) + f.mb_top
    attr["top"] = top
    attr["bottom"] = (f.height - attr["y0"]) + f.mb_top
    attr["doctop"] = f.doctop + top
    if f.mb_x0 != 0:
        attr["x0"] += f.mb_x0
        attr["x1"] += f.mb_x0
    return attr


def _char(obj: LTChar, page: Page, f: _Frame, cs_names: dict) -> dict:
    """A character, as Page.process_object makes it."""
    attr = _attrs(obj)
    attr["object_type"] = "char"
    attr["page_number"] = f.page_number
    for cs in ("ncs", "scs"):
        space = getattr(obj, cs, None)
        if space is not None:
            name = space.name
            if name not in cs_names:
                cs_names[name] = resolve_and_decode(name)
            attr[cs] = cs_names[name]
    text = obj.get_text()
    attr["text"] = normalize_unicode(f.unicode_norm, text) if f.unicode_norm is not None else text
    gs = obj.graphicstate
    attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
    attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
    if isinstance(attr.get("fontname"), bytes):
        return page.process_object(obj)
    return _placed(attr, f)


_KINDS: dict[type, str] = {}


def _curve(obj: LTCurve, page: Page, f: _Frame) -> dict:
    """Lines, rectangles and curves (the ruling of every table), as Page.process_object makes them."""
    if hasattr(obj, "ncs") or hasattr(obj, "scs"):
        return page.process_object(obj)   # pdfminer exposes no colour spaces for curves today
    cls = type(obj)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = lt_pat.sub("", cls.__name__).lower()
    attr = _attrs(obj)
    attr["object_type"] = kind
    attr["page_number"] = f.page_number
    x0, dy = f.mb_x0, f.mb_top + f.height    # Page.point2coord
    attr["pts"] = [(x0 + x, dy - y) for x, y in attr["pts"]]
    attr["path"] = [(cmd, *((x0 + x, dy - y) for x, y in pts)) for cmd, *pts in obj.original_path]
    attr["dash"] = obj.dashing_style
    return _placed(attr, f)


def parse_objects(page: Page) -> dict[str, list[dict]]:
    """``page.parse_objects()``, with characters and ruling converted directly (:func:`_char`,
    :func:`_curve`) and every other object by pdfplumber."""
    mb_x0, mb_top = page.mediabox[:2]
    frame = _Frame(page.height, page.initial_doctop, page.page_number, mb_x0, mb_top, page.pdf.unicode_norm)
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
            _add(objects, _char(obj, page, frame, cs_names))
        elif isinstance(obj, LTCurve) and hasattr(obj, "original_path"):
            _add(objects, _curve(obj, page, frame))
        else:
            _add(objects, page.process_object(obj))
    return objects


def _add(objects: dict[str, list[dict]], attr: dict) -> None:
    kind = attr["object_type"]
    if kind != "anno":
        objects.setdefault(kind, []).append(attr)


def load_objects(page: Page) -> None:
    """Fill the cache ``Page.objects`` reads (``page.close()`` clears it as usual), each character's
    text with CJK radicals read as their ideographs (radicals.py: a producer may map 门's glyph to ⻔)."""
    if not hasattr(page, "_objects"):
        page._objects = parse_objects(page)
        unify_char_radicals(page._objects)


def unify_char_radicals(objects: dict[str, list[dict]]) -> None:
    """Each character's text with CJK radicals read as their ideographs, whichever backend read it."""
    for c in objects.get("char", ()):
        t = c["text"]
        if "\u2e80" <= t <= "\u2fdf" or (len(t) > 1 and has_radicals(t)):
            c["text"] = unify_radicals(t)
