"""One department code and one name in every table of a document (registry category ``department``)."""

from __future__ import annotations

from pipeline.checks.base import RuleContext, finding
from pipeline.checks.facts import DocFacts, normalise_name
from pipeline.checks.result import CheckResult


def _variants(doc: DocFacts, attr: str) -> dict[str, tuple[list[int], list[str]]]:
    """Header values of the printed tables that differ from the document's: value → (pages, titles)."""
    mine = getattr(doc, attr)
    key = normalise_name if attr == "department_name" else (lambda s: (s or "").strip())
    out: dict[str, tuple[list[int], list[str]]] = {}
    for t in doc.printed:
        v = getattr(t, attr)
        if v and mine and key(v) != key(mine):
            pages, titles = out.setdefault(v, ([], []))
            pages.extend(t.pages)
            titles.append(t.title or t.kind)
    return out


def department(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    """A code printed differently in a table header is an error; a name variant a warning.

    Table headers (document_tables) are the evidence when the warehouse has them, else the parser's
    department_*_variant warnings.
    """
    out = []
    for attr, check, kind in (("department_code", "department_code_consistent", "department_code_variant"),
                              ("department_name", "department_name_consistent", "department_name_variant")):
        mine = getattr(doc, attr)
        variants = _variants(doc, attr)
        if variants:
            for v, (pages, titles) in variants.items():
                out.append(finding(check, doc, v,
                                   f"the document's department {attr.split('_')[1]} is {mine}, but "
                                   f"{' / '.join(dict.fromkeys(titles))} (p. {','.join(map(str, sorted(set(pages))))}) "
                                   f"print{'s' if len(set(titles)) == 1 else ''} {v}", left_pages=sorted(set(pages))))
            continue
        for w in doc.warnings:
            if w.kind == kind:
                out.append(finding(check, doc, "/".join(w.values) or attr,
                                   f"{w.message or kind} (values: {' / '.join(w.values) or '?'}; "
                                   f"{'p. ' + ','.join(map(str, w.pages)) if w.pages else 'page unknown'}; "
                                   f"document: {mine})", left_pages=w.pages))
    return out
