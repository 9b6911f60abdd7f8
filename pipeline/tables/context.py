"""The printed text around a table: title, department line, 预算年度, unit, 截止时间, and its 注.

Why separate: titles and header lines are the only evidence of a table's kind and of the department
and year; the same rules read them for every kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document.numbers import label_key, to_halfwidth
from pipeline.document.reader import TextLine
from pipeline.tables.catalogue import Catalogue

YEAR_RE = re.compile(r"预算年度\s*[:：]?\s*(\d{4})\s*年?")
UNIT_RE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元|亿元)")
AS_OF_RE = re.compile(r"截[止至](?:时间|日期)?\s*[:：]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DEPT_RE = re.compile(r"^\s*[\[【［(（]?\s*(\d{3,9})\s*[\]】］)）]?\s*(.+?)\s*$")
#: A code of one or two digits before the name ("86 XX局", "[86]XX局"): read only when the name
#: printed beside it is the department's name as another header line or the cover prints it
#: (``Context.code_short``; parse.py), since "12 XX" may as well be a numbered line.
SHORT_DEPT_RE = re.compile(r"^\s*(?:([\[【［(（])\s*(\d{1,2})\s*[\]】］)）]|(\d{1,2})(?=\s))\s*([\u4e00-\u9fff].+?)\s*$")
#: The label of a department line ("部门：", "单位名称：", "部门（单位）：").
_DEPT_LABEL = r"(?:部门|单位|预算单位|编制单位|部门[（(]单位[)）])(?:名称)?\s*[:：]"
#: A labelled department line with its code before the name ("部门（单位）：86 XX局"): the label makes
#: any number of digits a code.
LABELLED_DEPT_RE = re.compile(r"^\s*" + _DEPT_LABEL + r"\s*[\[【［(（]?\s*(\d{1,9})\s*[\]】］)）]?\s*(.+?)\s*$")
#: A code stated by its own label ("单位编码：86", "部门代码：086").
CODE_LABEL_RE = re.compile(r"(?:部门|单位|预算单位)(?:编码|代码)\s*[:：]\s*(\d{1,9})(?!\d)")
META_STRIP = [YEAR_RE, UNIT_RE, AS_OF_RE, re.compile(r"(?:编制|填报)单位\s*[:：]")]
NAMED_DEPT_RE = re.compile(r"^\s*" + _DEPT_LABEL + r"\s*([\u4e00-\u9fff（）()]+)")
NOTE_RE = re.compile(r"^\s*注\s*[:：]")
#: The longest line taken as a title (prose lines are longer).
TITLE_MAX = 40


@dataclass
class Context:
    title: str | None = None
    kind: str | None = None
    code: str | None = None
    name: str | None = None
    year: int | None = None
    unit: str | None = None
    as_of: str | None = None
    #: True when ``code`` has one or two digits printed with no label before the name: a department
    #: code only if that name is the department's as other header lines or the cover print it.
    code_short: bool = False
    #: True when the window holds nothing but department and meta lines (a continuation page).
    only_meta: bool = True
    nearest_text: str | None = None


def _strip_meta(text: str) -> str:
    s = text
    for r in META_STRIP:
        s = r.sub(" ", s)
    return s


def _name_ok(name: str) -> bool:
    """A department name: three characters or more, ideographs among them, no figure in it, and not
    the rest of a number ("125.5 万元", "12% …": the digits were an amount or a rate, not a code)."""
    return (len(name) >= 3 and bool(re.search(r"[\u4e00-\u9fff]", name)) and not re.search(r"\d{2,}", name)
            and not re.match(r"^[.,，．。%％‰\d]", name))


#: A number followed by a date's unit (2024年, 24年度, 12月份) is a date, never a code.
_DATE_AFTER_RE = re.compile(r"^(?:年|月份)")


def parse_dept(text: str) -> tuple[str | None, str] | None:
    """"125 承德…" / "[125]承德…" / "125承德…" / "部门（单位）：86 承德…" / "单位名称：承德… 单位编码：86"
    (meta parts removed) → (code, name); None when the line is no department line. A code of one or
    two digits with no label is not read here (``short_dept``)."""
    s = _strip_meta(text)
    coded = CODE_LABEL_RE.search(s)
    if coded:
        s = (s[:coded.start()] + " " + s[coded.end():]).strip()
    m = LABELLED_DEPT_RE.match(s) or DEPT_RE.match(s)
    if not m:
        n = NAMED_DEPT_RE.match(s)
        if n and len(re.sub(r"\s+", "", n.group(1))) >= 3:
            return (coded.group(1) if coded else None), re.sub(r"\s+", "", n.group(1))
        bare = re.sub(r"\s+", "", s)
        if coded and re.fullmatch(r"[\u4e00-\u9fff（）()]+", bare) and _name_ok(bare):
            return coded.group(1), bare           # "XX局 单位编码：86"
        return None
    code, name = m.group(1), re.sub(r"\s+", "", m.group(2))
    if _DATE_AFTER_RE.match(name) or not _name_ok(name):
        return None
    return code, name


def short_dept(text: str) -> tuple[str, str] | None:
    """"86 承德…" / "[86]承德…" → (code, name): a code of one or two digits before a name, the code
    set apart by a bracket or a space. A candidate only: the caller keeps it when the name is the
    department's as printed elsewhere. Never a date (12 月), a title (…表) or an amount (86.50 …)."""
    m = SHORT_DEPT_RE.match(_strip_meta(text))
    if not m:
        return None
    code, name = m.group(2) or m.group(3), re.sub(r"\s+", "", m.group(4))
    if _DATE_AFTER_RE.match(name) or not _name_ok(name) or name.endswith("表"):
        return None
    return code, name


def read_context(lines: list[TextLine], cat: Catalogue) -> Context:
    """Read the window of text lines between the previous table (or the page top) and a table."""
    ctx = Context()
    for ln in lines:
        t = to_halfwidth(ln.text)
        if ctx.year is None and (m := YEAR_RE.search(t)):
            ctx.year = int(m.group(1))
        if ctx.unit is None and (m := UNIT_RE.search(t)):
            ctx.unit = m.group(1)
        if ctx.as_of is None and (m := AS_OF_RE.search(t)):
            ctx.as_of = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    for ln in reversed(lines):
        key = label_key(ln.text)
        # (a 注 line belongs to the table before it: it does not stop a continuation)
        is_meta = bool(YEAR_RE.search(to_halfwidth(ln.text)) or UNIT_RE.search(to_halfwidth(ln.text))
                       or AS_OF_RE.search(to_halfwidth(ln.text)) or NOTE_RE.match(to_halfwidth(ln.text)))
        kind = cat.kind_of_title(ln.text) if len(key) <= TITLE_MAX else None
        dept = parse_dept(ln.text) if kind is None else None
        if dept and (ctx.name is None or ctx.code_short):    # a department line outranks a candidate
            ctx.code, ctx.name = dept
            ctx.code_short = False
        elif kind is None and ctx.name is None and (short := short_dept(ln.text)):
            # (not a meta line: a numbered line of text must not pass a table off as continued)
            ctx.code, ctx.name = short
            ctx.code_short = True
        if kind and ctx.title is None and not dept:
            ctx.title, ctx.kind = ln.text.strip(), kind
        if not (is_meta or dept):
            ctx.only_meta = False
            if ctx.nearest_text is None:
                ctx.nearest_text = ln.text.strip()
        if ctx.title:
            break
    return ctx


def read_note(lines: list[TextLine]) -> str | None:
    """The 注 printed under a table: its first line starting with 注 and the lines that follow it."""
    out: list[str] = []
    last_bottom = None
    for ln in lines:
        if not out:
            if NOTE_RE.match(to_halfwidth(ln.text)):
                out.append(ln.text.strip())
                last_bottom = ln.bottom
        elif last_bottom is not None and ln.top - last_bottom < 8:
            out.append(ln.text.strip())
            last_bottom = ln.bottom
        else:
            break
    return "".join(out) if out else None
