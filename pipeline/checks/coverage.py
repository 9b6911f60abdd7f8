"""Per document, how much the checks could verify: identities checked, holding, broken, unverifiable.

A reviewer reads it to see at a glance where the checks could not look (``check_coverage``, the report).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.checks.catalogue import ERROR, UNVERIFIABLE
from pipeline.checks.result import CheckResult, OK, WARNING


@dataclass
class Coverage:
    document_id: str
    department: str | None
    year: int | None
    checked: int = 0
    holding: int = 0
    broken: int = 0
    unverifiable: int = 0
    reasons: tuple[str, ...] = ()
    prose_figures: int = 0      # every amount the prose prints
    prose_resolved: int = 0     # of which resolved to a headline claim or a table cell

    def row(self, run_id: str) -> tuple:
        return (run_id, self.document_id, self.department, self.year, self.checked, self.holding, self.broken,
                self.unverifiable, "\n".join(self.reasons) or None, self.prose_figures, self.prose_resolved)


def coverage(results: list[CheckResult]) -> list[Coverage]:
    """One Coverage per document among the results (district results without a document are left out).
    ``table_unreliable`` findings are not identities: they give the reasons."""
    out: dict[str, Coverage] = {}
    unresolved: dict[str, int] = {}
    for r in results:
        if r.document_id is None:
            continue
        c = out.setdefault(r.document_id, Coverage(r.document_id, r.department, r.year))
        if r.check_name == "table_unreliable":
            c.reasons = c.reasons + (r.message,)
            continue
        if r.check_name == "prose_figure_vs_table":
            c.prose_figures += 1
            if r.severity == UNVERIFIABLE:
                unresolved[r.document_id] = unresolved.get(r.document_id, 0) + 1
                continue
            c.prose_resolved += 1
            if r.hidden:       # a claim's figure: its own identity is counted
                continue
        c.checked += 1
        if r.severity in (OK, WARNING):
            c.holding += 1
        elif r.severity == ERROR:
            c.broken += 1
        elif r.severity == UNVERIFIABLE:
            c.unverifiable += 1
            if not r.hidden and "; unverifiable: " not in r.message:
                c.reasons = c.reasons + (r.message,)
    for doc, n in unresolved.items():
        out[doc].reasons += (f"{n} of the {out[doc].prose_figures} amounts the prose prints resolve to no table cell "
                             "(a change over last year, a ratio, a part within a subject, or a label no row has)",)
    return list(out.values())


COLUMNS = ("run_id", "document_id", "department", "year", "checked", "holding", "broken", "unverifiable", "reasons",
           "prose_figures", "prose_resolved")
