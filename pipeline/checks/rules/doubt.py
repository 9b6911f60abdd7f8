"""Which tables of a document the checks cannot rely on, and what that makes of the identities on them.

An error is a claim that the document contradicts itself; it may only rest on what was read for certain.
A table is doubtful when
- the parse marks it unread, partial or doubtful (document_tables.status, when the warehouse has it);
- its rows run on past what was read: the sums it prints exceed the rows read along the chain of the last
  row read (its 款, its 类, the 合计) and the page after it belongs to no table (a continuation page the
  parse did not join);
- most of its own identities (row, column and code sums) fail: a misread, not a document's errors.
Every broken identity standing on a doubtful table becomes ``unverifiable`` with the reason; the table's
own broken identities are reported once, as one ``table_unreliable`` finding of that table."""

from __future__ import annotations

from pipeline.checks.base import finding
from pipeline.checks.facts import DocFacts, TableFacts
from pipeline.checks.catalogue import ERROR, UNVERIFIABLE
from pipeline.checks.result import CheckResult
from pipeline.checks.rules.procurement import top_level_lines
from pipeline.checks.kinds import CODED_KINDS
from pipeline.checks.rules.within_table import _parent_of
from pipeline.checks.severity import OCR_FIGURE, UNREAD, downgrade


#: The parse's completeness statuses that leave a table's figures uncertain.
DOUBTFUL_STATUS = frozenset({"unread", "partial", "doubtful"})
#: A table's own identities: when most of them fail, the table was misread.
OWN = frozenset({"row_total", "column_total", "code_hierarchy", "summary_current_totals", "summary_carryover",
                 "summary_balance"})
MIN_OWN_FAILURES = 3


def _page_unread(doc: DocFacts, page: int) -> bool:
    """A page of the document that no printed table claims (where a table's continuation would be)."""
    if doc.pages is None or page > doc.pages:
        return False
    return not any(page in t.pages for t in doc.printed)


def _last_pages(doc: DocFacts, index: int, fallback: list[int]) -> int | None:
    printed = next((t for t in doc.printed if t.index == index), None)
    pages = (printed.pages if printed and printed.pages else fallback)
    return max(pages) if pages else None


def _runs_on(doc: DocFacts, t: TableFacts, broken: list[CheckResult]) -> bool:
    """The table's broken sums all fall short by rows after the last row read, and the page after it is
    unread: the table continues on a page the parse did not join to it."""
    coded = [ln for ln in t.lines if ln.code]
    if not coded or not broken:
        return False
    codes = {ln.code for ln in coded}
    chain, code = set(), coded[-1].code
    economic = t.classification == "economic"
    while code is not None:
        chain.add(code)
        code = _parent_of(code, codes, economic)
    for r in broken:
        if r.check_name not in ("code_hierarchy", "column_total") or r.difference is None or r.difference <= 0:
            return False
        if r.check_name == "code_hierarchy" and r.subject.split(" ", 1)[1].split(".")[0] not in chain:
            return False
    last = _last_pages(doc, t.index, [ln.page for ln in t.lines])
    return last is not None and _page_unread(doc, last + 1)


def table_doubts(doc: DocFacts, results: list[CheckResult]) -> dict[int, str]:
    """table_index → why the checks cannot rely on that table."""
    doubts: dict[int, str] = {}
    for p in doc.printed:
        if p.status in DOUBTFUL_STATUS:
            doubts[p.index] = f"the parse marks {p.title or p.kind} (p. {','.join(map(str, p.pages))}) {p.status}"
    own: dict[int, list[CheckResult]] = {}
    for r in results:
        if r.check_name in OWN and len(r.tables) == 1:
            own.setdefault(r.tables[0], []).append(r)
    for t in doc.tables:
        if t.index in doubts:
            continue
        rs = own.get(t.index, [])
        broken = [r for r in rs if r.severity == ERROR]
        if t.kind in CODED_KINDS and _runs_on(doc, t, broken):
            last = _last_pages(doc, t.index, [ln.page for ln in t.lines])
            doubts[t.index] = (f"{t.title or t.kind} runs on past p. {last}: its sums exceed the rows read by the "
                               f"rows after the last one read, and p. {last + 1} was not read as part of it")
        elif len(broken) >= MIN_OWN_FAILURES and 2 * len(broken) > len(rs):
            doubts[t.index] = (f"{t.title or t.kind}: {len(broken)} of its {len(rs)} own sums fail, a misread "
                               "of the table rather than the document's errors")
    idx = _procurement_doubt(doc, results)
    if idx is not None:
        doubts[idx[0]] = idx[1]
    return doubts


def _nesting_levels(total_value, lines_sum) -> int | None:
    """k ≥ 2 when the lines' sum is exactly k × the total: k levels (groups, sub-groups, items) each
    adding up to the total, printed in one column of lines."""
    if not total_value or lines_sum is None or total_value <= 0:
        return None
    k = lines_sum / total_value
    return int(k) if k >= 2 and k == k.to_integral_value() and k <= 5 else None


def _procurement_doubt(doc: DocFacts, results: list[CheckResult]) -> tuple[int, str] | None:
    """The procurement table's lines falling short of its 合计 with an unread page after it: its items
    continue on a page the parse did not join to it."""
    r = next((r for r in results if r.check_name == "procurement_lines_sum" and r.severity == ERROR), None)
    printed = doc.printed_of("procurement")
    if r is None or not printed or r.difference is None:
        return None
    p = printed[0]
    levels = _nesting_levels(r.left_value, r.right_value)
    if levels:
        return p.index, (f"{p.title or '政府采购表'}: its lines add up to exactly {levels} × its 合计, so group "
                         f"and sub-group rows are printed among the items at {levels} levels that the parse "
                         f"could not tell apart (no numbering or codes mark them)")
    last = max(p.pages) if p.pages else max((x.page for x in doc.procurement), default=None)
    if last is None:
        return None
    if not _page_unread(doc, last + 1):
        return None
    if r.difference < 0 and not _tree_cut_short(doc, r.left_value):
        return None   # lines adding up to more than the 合计 that no missing tail explains: a wrong line
    how = ("its group rows and items fit together once the items its last groups miss are added"
           if r.difference < 0 else "its lines fall short of its 合计")
    return p.index, f"{p.title or '政府采购表'} runs on past p. {last}: {how}, and p. {last + 1} was not read as part of it"


def _tree_cut_short(doc: DocFacts, target) -> bool:
    """Procurement lines printed as a tree (group rows over their items) that fit together once the items
    the last groups still miss are added at the end: the table was cut short, not wrong. The missing amount
    is read off a group (its amount minus all the lines after it), the same for every open group."""
    from pipeline.checks.facts import ProcurementLine

    lines = [p for p in doc.procurement if not p.is_total and p.amount is not None]
    if target is None or not lines or len(lines) > 200:
        return False
    tried = set()
    for i, g in enumerate(lines):
        missing = g.amount - sum((p.amount for p in lines[i + 1:]), start=type(g.amount)(0))
        if missing <= 0 or missing in tried:
            continue
        tried.add(missing)
        tail = ProcurementLine(-1, None, None, None, None, missing, None, False, lines[-1].page)
        if top_level_lines(lines + [tail], target) is not None:
            return True
    return False


def scanned_prose(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """Errors whose prose side was read by OCR (a page without a text layer) made unverifiable: a
    figure of the prose has no arithmetic of its own to tell a misread digit from the department's
    error (a scanned table's figures are trusted only when their table adds up: its status says so)."""
    if not doc.ocr_pages:
        return results
    for r in results:
        if r.severity != ERROR or not r.check_name.startswith("prose"):
            continue
        pages = sorted((set(r.left_pages) | set(r.right_pages)) & doc.ocr_pages)
        if pages:
            downgrade(r, UNVERIFIABLE, OCR_FIGURE)
            r.message += (f"; unverifiable: a figure read by OCR from a scanned page (p. {pages[0]}), which "
                          "no arithmetic of its own can confirm")
    return results


def apply(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """The results with every error standing on a doubtful table made unverifiable, and one
    ``table_unreliable`` finding per doubtful table in place of its own broken sums."""
    results = scanned_prose(doc, results)
    doubts = table_doubts(doc, results)
    if not doubts:
        return results
    out: list[CheckResult] = []
    hidden: dict[int, int] = {}
    for r in results:
        on = [i for i in r.tables if i in doubts]
        if r.severity != ERROR or not on:
            out.append(r)
            continue
        if r.check_name in OWN and len(r.tables) == 1 or r.check_name == "procurement_lines_sum":
            hidden[on[0]] = hidden.get(on[0], 0) + 1
            downgrade(r, UNVERIFIABLE, UNREAD)
            r.message += f"; unverifiable: {doubts[on[0]]}"
            r.hidden = True
            out.append(r)
            continue
        downgrade(r, UNVERIFIABLE, UNREAD)
        r.message += "; unverifiable: " + "; ".join(doubts[i] for i in on)
        out.append(r)
    titles = {p.index: (p.title or p.kind, p.pages) for p in doc.printed}
    for i, why in doubts.items():
        title, pages = titles.get(i, (str(i), []))
        n = hidden.get(i, 0)
        out.append(finding("table_unreliable", doc, f"table {i} {title}",
                           why + (f" ({n} broken sums of the table not reported one by one)" if n else ""),
                           left_pages=list(pages), tables=(i,)))
    return out
