"""Department and year as a portal states them, read from article and attachment titles.

Titles come in two orders — "区财政局2023年部门预算公开" and "2023年区财政局部门预算" — often wrapped in
"关于…的说明", prefixed "附件1：" or suffixed with the file extension. The department is kept as printed;
matching it to the roster is the cleaning stage's job.
"""

from __future__ import annotations

import re

_YEAR_NIAN = re.compile(r"(20\d\d)\s*年")
_YEAR_ANY = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_KIND = re.compile(r"(?:部门|单位)?(?:整体)?(?:预算|决算|预决算)")
_PREFIX = re.compile(r"^(?:附件\s*\d*\s*[:：.、]?\s*|关于\s*|【[^】]*】\s*|\[[^\]]*\]\s*|\d+\s*[.、]\s*)+")
_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|zip|rar|wps|et|ofd|7z)$", re.I)
_TRIM = " \t-—_·:：,，、()（）《》“”\"'的"
_GENERIC = {"", "部门", "单位", "本部门", "本单位", "区", "县", "市", "全区", "全县", "区级", "县级"}


def parse_year(*texts: str | None) -> int | None:
    """The year a title states (2023年 preferred over a bare 2023), from the first text that has one."""
    for rx in (_YEAR_NIAN, _YEAR_ANY):
        for t in texts:
            if t and (m := rx.search(t)):
                return int(m.group(1))
    return None


def parse_department(*texts: str | None) -> str | None:
    """The department a title names, from the first text that names one (None if none does)."""
    for t in texts:
        d = _department_of(t) if t else None
        if d:
            return d
    return None


def _department_of(title: str) -> str | None:
    t = _EXT.sub("", title.strip())
    t = _PREFIX.sub("", t)
    m = _YEAR_NIAN.search(t) or _YEAR_ANY.search(t)
    if not m:
        return None
    before = t[: m.start()].strip(_TRIM)
    if before not in _GENERIC:
        return before
    after = t[m.end():]
    k = _KIND.search(after)
    if not k:
        return None
    cand = after[: k.start()].strip(_TRIM)
    return None if cand in _GENERIC else cand
