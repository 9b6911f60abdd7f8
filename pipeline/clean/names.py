"""Label normalisation: one spelling per printed label, its numbering ("一、") split off.

Text extraction leaves line breaks, full-width spaces and stray spaces inside narrow cells
("城乡社区 支出"); a label is only comparable across tables and years once those are gone. The
numbering is kept in its own column because it is printed, not part of the name.
"""

from __future__ import annotations

import re

_CN_NUM = "一二三四五六七八九十百零〇"
#: Numbering printed before a label: 一、 十二、 （一） (二) 1、 2. 3．  (ASCII or full-width digits).
_NUMBERING = re.compile(
    rf"^(?:"
    rf"[{_CN_NUM}]+[、，,．.]"              # 一、  二十一、
    rf"|[（(][{_CN_NUM}\d０-９]+[）)][、，．.]?"  # （一） (1)
    rf"|[\d０-９]{{1,3}}[、．]"               # 1、 2．
    rf"|[\d０-９]{{1,3}}\.(?![\d０-９])"      # 3. but not 3.5
    rf")"
)
_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
#: A character that needs no space beside it: CJK ideographs, CJK and full-width punctuation.
_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")


def normalise_text(text: str | None) -> str | None:
    """Remove line breaks, full-width and stray spaces; keep one space between two Latin words."""
    if text is None:
        return None
    s = _WS.sub(" ", text).strip()
    s = _SPACE_NEAR_CJK.sub("", s)
    return s


def split_numbering(label: str | None) -> tuple[str | None, str | None]:
    """(numbering as printed or None, label without it), after normalising the label."""
    s = normalise_text(label)
    if not s:
        return None, s
    m = _NUMBERING.match(s)
    if not m or m.end() == len(s):
        return None, s
    return m.group(0), s[m.end():].lstrip()
