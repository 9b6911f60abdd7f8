"""OCR wording put right against the catalogue's and the subject lists' own vocabulary.

Why: the engine misreads a character of budget wording now and then (支 read 文, 款 read 黎 or 蒜,
目 read 日), and a misread title loses its table, a misread header its column. A list of the misreads
seen fits the files at hand, not the next scan; the catalogue's title and header patterns and the
subject lists' names are the vocabulary a budget table is printed in. So a text read from an image
that matches none of them exactly is tried with ONE character substituted (never a digit, never an
insertion or a deletion); the correction is taken only when exactly one corrected text matches. Only
text read from images goes through here (text-layer pages never do).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

import regex

from pipeline.document.numbers import label_key

#: The least characters a text must have for one of them to be put right (one in two is a guess).
MIN_CHARS = 3
#: The least characters of a subject name put right: 退休费 and 离休费 are both names, one apart.
MIN_NAME_CHARS = 4
#: A row label's numbering (一、 1. （一） 其中：), kept as read; the rest is matched.
_PREFIX_RE = re.compile(r"^(?:其中[:：]?)?(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[）)])?")
_REGEX_META = set("\\^$.|?*+()[]{}")


def _literals(src: str) -> frozenset[str]:
    """The characters a pattern prints (what a substitution may put in)."""
    out = set()
    esc = False
    for ch in src:
        if esc:
            esc = False
            continue
        if ch == "\\":
            esc = True
            continue
        if ch in _REGEX_META or ch.isdigit() or ch.isascii() and ch.isalpha():
            continue
        out.add(ch)
    out.update(c for c in '()"' if "\\" + c in src or c == '"' and c in src)
    return frozenset(out)


@lru_cache(maxsize=512)
def _fuzzy(src: str) -> regex.Pattern:
    return regex.compile(f"(?b)(?:{src}){{s<=1}}")


def _key_map(text: str) -> tuple[str, list[int | None]]:
    """``label_key(text)`` and, for each of its characters, the index of the character of ``text``
    it comes from (None where one printed character gave several)."""
    key, where = [], []
    for i, ch in enumerate(text):
        k = label_key(ch)
        key.append(k)
        where += [i] if len(k) == 1 else [None] * len(k)
    return "".join(key), where


def one_substitution(text: str, sources: Iterable[str], accepts: Callable[[str], bool]) -> str | None:
    """``text`` with one character put right so that ``accepts`` takes it, or None.

    ``sources`` are the regular expressions of the vocabulary (searched in the text's label_key);
    each is matched allowing one substituted character, and where it matches so, the characters it
    prints are tried at that place. Taken only when exactly one corrected text is accepted, and
    never a digit changed."""
    key, where = _key_map(text)
    if len(key) < MIN_CHARS or accepts(text):
        return None
    found: set[str] = set()
    for src in sources:
        m = _fuzzy(src).search(key)
        if m is None or m.fuzzy_counts != (1, 0, 0):
            continue
        pos = m.fuzzy_changes[0][0]
        at = where[pos] if pos < len(where) else None
        # never the match's last character: there a word of the vocabulary may simply end and
        # another begin (国有资本 is not 国有资产 misread, 主要内容 not 表); measured on 2,067 text-layer
        # lines naming no kind and 4,914 short pieces that are no header: none is changed
        if at is None or text[at].isdigit() or not m.start() <= pos < m.end() - 1:
            continue
        for ch in _literals(src):
            if ch == text[at]:
                continue
            fixed = text[:at] + ch + text[at + 1:]
            if accepts(fixed):
                found.add(fixed)
    return found.pop() if len(found) == 1 else None


def one_from_names(label: str, names: Iterable[str]) -> str | None:
    """The one name of ``names`` that ``label`` (its numbering kept aside) is one substituted
    character away from (a digit never), as ``label`` would print it; else None."""
    m = _PREFIX_RE.match(label)
    head, body = label[:m.end()], label[m.end():]
    if len(body) < MIN_NAME_CHARS:
        return None
    hits = set()
    for name in names:
        if len(name) != len(body):
            continue
        diff = [i for i, (a, b) in enumerate(zip(body, name)) if a != b]
        if not diff:
            return None                 # read as a name exactly
        if len(diff) == 1 and not body[diff[0]].isdigit():
            hits.add(name)
    return head + hits.pop() if len(hits) == 1 else None


#: The packaged subject lists (as pipeline.clean.codes.REFERENCE_FILES).
SUBJECT_FILES = {"functional": "functional_subjects.csv", "economic": "economic_subjects.csv"}


@lru_cache(maxsize=1)
def subject_names() -> dict[str, dict[str, tuple[str, ...]]]:
    """classification → code → its names (a code renamed over the years has several: 20805 行政
    事业单位离退休, later 行政事业单位养老支出), from the packaged subject lists (read here with the
    csv module: pipeline.clean.codes would bring polars into the parsing worker)."""
    from pipeline.packaged import packaged

    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for cls, file_name in SUBJECT_FILES.items():
        path = packaged("pipeline.reference") / file_name
        if not path.is_file():
            continue
        for rec in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            code, name = (rec.get("code") or "").strip(), (rec.get("name") or "").strip()
            if code and name:
                have = out.setdefault(cls, {}).get(code, ())
                out[cls][code] = have + (name,) if name not in have else have
    return out


# ---- the catalogue's vocabulary ---------------------------------------------------------------

def _title_sources(cat) -> list[str]:
    return [p.pattern for k in cat.title_order for p in cat.kinds[k].titles]


_SOURCES: dict[tuple[int, str | None], list[str]] = {}


def _header_sources(cat, kind: str | None) -> list[str]:
    got = _SOURCES.get((id(cat), kind))
    if got is None:
        got = _SOURCES[(id(cat), kind)] = _header_sources_of(cat, kind)
    return got


def _header_sources_of(cat, kind: str | None) -> list[str]:
    specs = [cat.kinds[kind]] if kind else list(cat.kinds.values())
    return ([p.pattern for s in specs for p, _ in s.columns] + [p.pattern for p, _ in cat.default_columns]
            + [p.pattern for p in cat.header_patterns] + [g.pattern for g, _ in cat.group_measures]
            + [re.escape(w) for w in cat.header_words]
            + [p.pattern for ps in cat.side_headers.values() for p in ps])


def _header_end(raw) -> int:
    """The first grid row printing an amount (the header is above it)."""
    from pipeline.document.numbers import is_amount

    return next((r for r, row in enumerate(raw.texts) if any(t and is_amount(t) for t in row)), len(raw.texts))


def correct_header(raw, cat, kind: str | None):
    """A table read from an image with each header cell (the rows above its first amount) that is
    no header vocabulary put right by one substituted character when exactly one correction is
    (``kind`` None: the vocabulary of every kind)."""
    from pipeline.document.reader import RawTable

    sources = _header_sources(cat, kind)

    def known(t: str) -> bool:
        return is_header_word(cat, kind, t)

    texts = [list(row) for row in raw.texts]
    changed = False
    for r in range(_header_end(raw)):
        for j, t in enumerate(texts[r]):
            if not t or not t.strip():
                continue
            fixed = one_substitution(t, sources, known)
            if fixed is not None:
                texts[r][j] = fixed
                changed = True
    if not changed:
        return raw
    return RawTable(bbox=raw.bbox, xs=raw.xs, row_bboxes=raw.row_bboxes, cells=raw.cells, texts=texts,
                    origin=raw.origin)


def is_header_word(cat, kind: str | None, text: str) -> bool:
    """Whether a header cell's whole text is vocabulary: a header word, or a text one of the
    column, header or group patterns matches from its first character to its last (项目文出 holds
    项目, a word of the catalogue, but is none)."""
    key = label_key(text)
    key = re.sub(r"^其中[:：]?", "", key) or key
    if not key:
        return False
    if key in cat.header_words:
        return True
    return any(re.fullmatch(src, key) for src in _header_sources(cat, kind))


def prints_both_sides(raw, cat) -> bool:
    """Whether a table's header names a revenue side and an expenditure side (a side-by-side 收支
    table), its header read with every kind's vocabulary."""
    raw = correct_header(raw, cat, None)
    sides = {cat.side_of(label_key(t)) for row in raw.texts[:_header_end(raw)] for t in row if t}
    return {"revenue", "expenditure"} <= sides


def correct_titles(lines: list, raw, cat) -> list:
    """The text lines above a table read from an image, a line that names no kind put right by one
    substituted character when exactly one correction names a kind, and a side-by-side kind only
    over a table printing both sides (收文预算总表 is 收支 or 收入 by its table, not by its wording)."""
    from dataclasses import replace

    from pipeline.tables.context import TITLE_MAX

    both: bool | None = None
    out = []
    for ln in lines:
        if (len(label_key(ln.text)) > TITLE_MAX or cat.kind_of_title(ln.text) is not None
                or is_header_word(cat, None, ln.text)):     # (绩效指标 is a header, not 绩效目标)
            out.append(ln)
            continue
        if both is None:
            both = prints_both_sides(raw, cat)

        def accepts(t: str, both: bool = both) -> bool:
            kind = cat.kind_of_title(t)
            return kind is not None and cat.kinds[kind].side_by_side == both

        fixed = one_substitution(ln.text, _title_sources(cat), accepts)
        out.append(replace(ln, text=fixed) if fixed is not None else ln)
    return out


def correct_labels(draft, cat) -> None:
    """Row labels of a table read from an image put right by one substituted character toward the
    subject lists: a coded row's toward the name of its code (the code as read, its digits never
    changed); a row without a code (a 收支总表 names its functional classes: 四、住房保障文出)
    toward the names of the classes (类) of the table's classification; a label on one side of a
    side-by-side table (文出总计 under 支出) toward naming its own side, when it then reads as a row's
    role or header vocabulary (支出总计, 基本支出). The read text is kept in
    ``attrs["ocr_read"]``. The catalogue's row wording is not a target: a label one character away
    from it may be printed so (收入合计 is not 收入总计)."""
    if not any(row.origin == "ocr" for row in draft.rows):
        return                          # a text-layer table: nothing here touches it
    correct_numbering(draft)
    cls = cat.classification_of(draft.kind)
    if cls == "none":
        return
    names = subject_names().get(cls, {})
    classes = [n for c, ns in names.items() if len(c) == 3 for n in ns]
    for row in draft.rows:
        if row.origin != "ocr" or not row.name:
            continue
        if row.code:
            fixed = one_from_names(row.name, names.get(row.code, ()))
        else:
            fixed = one_from_names(row.name, classes)
            if fixed is None and row.side:
                fixed = _side_word(row.name, row.side, cat)
        if fixed is not None and fixed != row.name:
            row.attrs.setdefault("ocr_read", row.name)
            row.name = fixed


#: The word a side-by-side table's side is printed with.
_SIDE_WORDS = {"revenue": "收入", "expenditure": "支出"}


def _side_word(label: str, side: str, cat) -> str | None:
    """``label`` with the word of its own side put right by one character (文出 → 支出 on the
    expenditure side) when it names no side as read and then reads as a row role or a header word;
    exactly one such correction, else None."""
    word = _SIDE_WORDS.get(side)
    if word is None or any(w in label for w in _SIDE_WORDS.values()):
        return None
    m = _PREFIX_RE.match(label)
    head, body = label[:m.end()], label[m.end():]
    found = set()
    for i in range(len(body) - 1):
        pair = body[i:i + 2]
        diff = [k for k in range(2) if pair[k] != word[k]]
        if len(diff) != 1 or pair[diff[0]].isdigit():
            continue
        fixed = body[:i] + word + body[i + 2:]
        # a side's items end in its word (外交文出 under 支出), or read as a role or header word
        if i + 2 == len(body) or cat.row_role(fixed, None) is not None or is_header_word(cat, None, fixed):
            found.add(head + fixed)
    return found.pop() if len(found) == 1 else None


# ---- a column's Chinese numbering ----------------------------------------------------------------

_NUMERALS = "一二三四五六七八九"
#: A label's numbering up to its 、: one to four characters, none a Chinese character other than
#: a numeral (a misread numeral is often a Latin letter or a mark: F五、, -、).
_NUMBERING_RE = re.compile(r"^(?:[^\u4e00-\u9fff、\s\d]|[一二三四五六七八九十]){1,4}(?=、)")


def numeral_value(text: str) -> int | None:
    """一 … 九十九 → 1 … 99; anything else (a misread numeral) None."""
    m = re.fullmatch(r"(?:([二三四五六七八九])?(十))?([一二三四五六七八九])?", text)
    if not text or m is None:
        return None
    tens = (_NUMERALS.index(m.group(1)) + 1 if m.group(1) else 1) if m.group(2) else 0
    ones = _NUMERALS.index(m.group(3)) + 1 if m.group(3) else 0
    return tens * 10 + ones or None


def numeral_text(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ((_NUMERALS[tens - 1] if tens > 1 else "") + "十" if tens else "") + (_NUMERALS[ones - 1] if ones else "")


def correct_numbering(draft) -> None:
    """Chinese numberings (一、 二、 …) of one label column of a table read from an image put right by
    their neighbours: a numbering counts up by one down its column, so an item whose numeral was
    misread (十 read F or dropped: 七、 between 十六、 and 十八、; 一 doubled: 一一、) takes the value its
    neighbours imply, when a neighbour that agrees with its own neighbour implies it and none
    contradicts. The read text is kept in ``attrs["ocr_read"]``."""
    columns: dict[tuple, list] = {}
    for row in draft.rows:
        if row.origin != "ocr" or not row.name:
            continue
        m = _NUMBERING_RE.match(row.name)
        if m is None:
            continue
        key = (row.side, next((k[1] for k in columns if k[0] == row.side and abs(k[1] - row.bbox[0]) <= 3),
                              row.bbox[0]))
        columns.setdefault(key, []).append(row)
    for items in columns.values():
        for _ in range(len(items)):     # an item put right confirms its neighbours: go round again
            if not _renumber(items):
                break


def _renumber(items: list) -> bool:
    """One pass over one column's rows: each unconfirmed numbering that its confirmed neighbours
    imply put right; whether any was."""
    prefixes = [_NUMBERING_RE.match(row.name).group(0) for row in items]
    vals = [numeral_value(p) for p in prefixes]
    n = len(items)
    sure = [v is not None and ((i > 0 and vals[i - 1] == v - 1) or (i + 1 < n and vals[i + 1] == v + 1))
            for i, v in enumerate(vals)]
    done = False
    for i, row in enumerate(items):
        if sure[i]:
            continue
        implied = {vals[i - 1] + 1} if i > 0 and sure[i - 1] else set()
        implied |= {vals[i + 1] - 1} if i + 1 < n and sure[i + 1] else set()
        if len(implied) != 1:
            continue
        want = implied.pop()
        if want < 1 or want == vals[i]:
            continue
        # a numeral read as another numeral: only between two neighbours that both imply it, and
        # one character away (十七 read 七, 一 read 十); a printed numbering may skip a number
        if vals[i] is not None and not (0 < i < n - 1 and sure[i - 1] and sure[i + 1]
                                        and _one_edit(prefixes[i], numeral_text(want))):
            continue
        row.attrs.setdefault("ocr_read", row.name)
        row.name = numeral_text(want) + row.name[len(prefixes[i]):]
        done = True
    return done


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one character substituted, dropped or added."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
