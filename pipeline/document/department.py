"""The document's own department, year and unit, read from its tables, and its disagreements with itself.

Why majority: the seed prints code 125 on most table headers and 106 on the procurement headers, the
name without 新 on one header and a short name on another. The document's department is what most of
its tables print; every other spelling is kept as a warning (docs/DESIGN.md warning kinds).
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.model import ParseWarning

YEAR_TEXT_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:部门|单位)?\s*(?:预算|决算)")


def majority(values: list, default=None):
    """The most frequent value; ties go to the one printed first."""
    vals = [v for v in values if v is not None]
    if not vals:
        return default
    counts = Counter(vals)
    best = max(counts.values())
    return next(v for v in vals if counts[v] == best)


def variants(kind: str, what: str, printed: list[tuple[str | None, str, int]], chosen) -> list[ParseWarning]:
    """One warning per spelling other than ``chosen``: which tables print it, on which pages."""
    out = []
    others: dict[str, tuple[list[str], list[int]]] = {}
    for value, title, page in printed:
        if value is None or value == chosen:
            continue
        titles, pages = others.setdefault(value, ([], []))
        titles.append(title)
        pages.append(page)
    for value, (titles, pages) in others.items():
        names = "、".join(dict.fromkeys(titles))
        out.append(ParseWarning(kind, f"{names} header prints {what} {value}, other tables {chosen}",
                           sorted(set(pages)), [str(chosen), str(value)]))
    return out


def year_from_text(text: str) -> int | None:
    """A budget year stated in running text ("2023 年部门预算信息公开")."""
    m = YEAR_TEXT_RE.search(text)
    return int(m.group(1)) if m else None


TITLE_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")


def year_in_title(title: str) -> int | None:
    """A year printed in a table title ("2017年政府采购预算表")."""
    m = TITLE_YEAR_RE.search(title or "")
    return int(m.group(1)) if m else None


#: A cover's department: "预算主管部门：X" (部门预算), "预算单位：X" (单位预算), "部门：X".
COVER_LABEL_RE = re.compile(r"(?:预算主管部门|预算单位|主管部门|部门名称)\s*[:：]\s*([^\s:：]{2,40}?)(?=\s|目录|$)")
#: A cover title: "X2017年度部门预算", "X2024年单位预算" (the name printed before the year).
COVER_TITLE_RE = re.compile(r"^\s*([^\s\d]{2,40}?)\s*(?:19|20)\d{2}\s*年\s*度?\s*(?:部门|单位)?\s*预算")
BUDGET_KIND_RE = re.compile(r"(部门|单位)\s*预\s*算")
#: A cover printing the year, the name and the kind on lines of their own ("2026 年度 / 泉州市人民政府办公室 /
#: 部门预算"), the lines joined by spaces.
COVER_STACK_RE = re.compile(r"(?:19|20)\d{2}\s*年\s*度?\s+([^\s\d]{2,40}(?:\s+[^\s\d]{1,40}){0,2}?)"
                            r"\s+(?:部门|单位)\s*预\s*算")


def name_from_cover(text: str) -> str | None:
    """The department as the cover names it, for documents whose tables print no 部门/单位 header
    (prose-only files, and layouts that state it only on the cover)."""
    m = COVER_LABEL_RE.search(text)
    if m:
        return m.group(1)
    m = COVER_TITLE_RE.match(text)
    if m and not re.search(r"(?:省|市|区|县)级?$", m.group(1)):
        return m.group(1)
    m = COVER_STACK_RE.search(text[:200])
    name = re.sub(r"\s+", "", m.group(1)) if m else ""
    if 4 <= len(name) <= 40 and not re.search(r"(?:省|市|区|县)级?$", name):
        return name
    return None


def from_file_name(stem: str) -> tuple[str | None, int | None]:
    """(department, year) a file's own name states ("…_无锡市统计局2026年度部门预算公开"): the last
    "_" part read as a cover title; the year of "2026年" anywhere in it."""
    part = stem.rsplit("_", 1)[-1]
    m = COVER_TITLE_RE.match(part)
    name = m.group(1) if m and not re.search(r"(?:省|市|区|县)级?$", m.group(1)) else None
    y = YEAR_TEXT_RE.search(stem)
    return name, (int(y.group(1)) if y else None)


FINAL_ACCOUNTS_RE = re.compile(r"决\s*算")
BUDGET_COVER_RE = re.compile(r"(?:19|20)\d{2}\s*年\s*度?.{0,40}?(?:部门|单位)\s*预\s*算")


def document_class(cover: str, early: str, budget_kind: str | None, budget_tables: int,
                   narrative: int) -> str:
    """department_budget / unit_budget / budget (kind not stated) / final_accounts / not_budget,
    from the content: budget tables recognised, or a budget cover with budget prose; a 决算 cover
    without budget tables is final accounts; anything else (a notice, a form, a flow chart) is not a
    budget disclosure."""
    head = cover[:300]
    if budget_tables == 0 and FINAL_ACCOUNTS_RE.search(head) and not BUDGET_KIND_RE.search(head):
        return "final_accounts"
    if budget_tables > 0 or (BUDGET_COVER_RE.search(early[:600]) and narrative > 0):
        return {"department": "department_budget", "unit": "unit_budget"}.get(budget_kind or "", "budget")
    return "not_budget"


def budget_kind_from_cover(text: str) -> str | None:
    """'department' for a 部门预算 (the consolidated budget of a department and its units), 'unit'
    for a 单位预算 (one unit's own budget): the first of the two the cover page prints."""
    m = BUDGET_KIND_RE.search(text)
    if not m:
        return None
    return "department" if m.group(1) == "部门" else "unit"
