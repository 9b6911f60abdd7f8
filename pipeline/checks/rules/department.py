"""One department code and one name in every table of a document (registry category ``department``): the
findings are their views' (pipeline/checks/sql_findings.py); what the result says is here."""

from __future__ import annotations

from pipeline.checks.facts import DocFacts
from pipeline.checks.result import CheckResult


def as_printed(doc: DocFacts, results: list[CheckResult]) -> list[CheckResult]:
    """department_code_consistent / department_name_consistent (their views': a code or name a table header
    prints otherwise than the document, else the parse's variant warning): the view's left_value counts the
    tables printing it, not an amount, so the result carries none; the message says what the document has."""
    for r in results:
        attr = "code" if r.check_name == "department_code_consistent" else "name"
        mine = getattr(doc, f"department_{attr}")
        r.message = (f"the document's department {attr} is {mine}, but {r.subject} is printed "
                     f"({'p. ' + ','.join(map(str, r.left_pages)) if r.left_pages else 'page unknown'})")
        r.left_value = None
    return results
