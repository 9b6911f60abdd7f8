"""What a person watching the night wants to see, read from the warehouse (no Dagster here).

assets/night.py turns these into Dagster metadata; the counts come from check_results, the same rows
the HTML report and the GX suites are built from, so all three give one count of errors and warnings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model import TABLE_KINDS, ParseResult
from pipeline.process import Outcome

#: The nine tables every 部门预算 disclosure publishes (DOMAIN.md); the others are extras.
STANDARD_TABLES = TABLE_KINDS[:9]


@dataclass
class DocumentFacts:
    """One document as the monitoring shows it."""

    department_code: str | None = None
    department_name: str | None = None
    year: int | None = None
    pages: int | None = None
    tables_found: list[str] = field(default_factory=list)
    parse_warnings: int = 0
    parse_seconds: float = 0.0
    read_status: str | None = None   # the parse's completeness: complete | partial | not_budget
    not_read: list[str] = field(default_factory=list)   # the parse's reasons for a partial read
    errors: int | None = None        # None: not checked (not loaded, or no check ran)
    warnings: int | None = None
    report_anchor: str | None = None

    @property
    def tables_missing(self) -> list[str]:
        return [k for k in STANDARD_TABLES if k not in self.tables_found]

    @property
    def completeness(self) -> str:
        found = len([k for k in STANDARD_TABLES if k in self.tables_found])
        counted = f"{found}/{len(STANDARD_TABLES)} standard tables"
        if self.read_status is None:
            return counted
        return f"{self.read_status}: {counted}" + (f"; not read: {'; '.join(self.not_read)}" if self.not_read else "")

    @property
    def department(self) -> str:
        return " ".join(x for x in (self.department_code, self.department_name) if x) or "?"


def facts_of(parsed: ParseResult | None, outcome: Outcome | None) -> DocumentFacts:
    """What the parse result (or, failing that, the night's outcome) says about a document."""
    f = DocumentFacts()
    if parsed is not None:
        f.department_code = parsed.department.get("code")
        f.department_name = parsed.department.get("name")
        f.year = parsed.year
        f.pages = parsed.source.get("pages")
        f.tables_found = sorted({t.kind for t in parsed.tables})
        f.parse_warnings = len(parsed.warnings)
        if parsed.completeness:
            f.read_status = parsed.completeness.get("status")
            f.not_read = [str(r) for r in parsed.completeness.get("reasons") or []][:10]
    if outcome is not None:
        f.department_name = f.department_name or outcome.department
        f.year = f.year or outcome.year
        f.pages = f.pages or outcome.pages
        f.parse_seconds = outcome.seconds
        if parsed is None:
            f.tables_found = list(outcome.kinds)
            f.parse_warnings = outcome.warnings
    return f


def findings_by_document(db_path: Path, run_id: str | None) -> dict[str, tuple[int, int, str]]:
    """document_id → (errors, warnings, department key) of one check run, for loaded documents.

    A disclosure published as two files has its findings under its tables part (disclosure_id); both
    documents show the disclosure's counts.
    """
    from pipeline.load.sql import run_sql

    if run_id is None or not Path(db_path).exists():
        return {}
    _, rows = run_sql(Path(db_path), f"""
        SELECT d.document_id, d.department_key,
               count(*) FILTER (WHERE c.severity = 'error'), count(*) FILTER (WHERE c.severity = 'warning')
        FROM v_documents d
        LEFT JOIN check_results c ON c.document_id = d.disclosure_id AND c.run_id = '{_q(run_id)}'
        GROUP BY ALL""")
    return {doc: (int(e), int(w), key) for doc, key, e, w in rows}


@dataclass
class Fault:
    department: str        # "101 人大办", or "全区 / District"
    year: int | None
    severity: str
    pages: str             # "p. 3 ↔ p. 7", "" when the identity has no page
    message: str


def faults_by_check(db_path: Path, run_id: str | None) -> dict[str, list[Fault]]:
    """check_name → the faults (errors, then warnings) of one check run, with departments and pages."""
    from pipeline.load.sql import run_sql

    if run_id is None or not Path(db_path).exists():
        return {}
    _, names = run_sql(Path(db_path), "SELECT department_key, any_value(department) FROM v_documents GROUP BY 1")
    name_of = dict(names)
    _, rows = run_sql(Path(db_path), f"""
        SELECT check_name, department, year, severity, coalesce(left_pages, ''), coalesce(right_pages, ''),
               message
        FROM check_results WHERE run_id = '{_q(run_id)}'
        ORDER BY check_name, CASE severity WHEN 'error' THEN 0 ELSE 1 END, department NULLS FIRST, year""")
    out: dict[str, list[Fault]] = defaultdict(list)
    for name, dept, year, sev, lp, rp, msg in rows:
        name_ = name_of.get(dept)
        who = "全区 / District" if dept is None else (f"{dept} {name_}" if name_ and name_ != dept else dept)
        pages = " ↔ ".join(f"p. {p}" for p in (lp, rp) if p)
        out[name].append(Fault(who, year, sev, pages, msg))
    return dict(out)


def faults_markdown(faults: list[Fault], limit: int = 25) -> str:
    """A markdown table of faults (department, year, pages, message), at most ``limit`` rows."""
    head = "| severity | department | year | pages | finding |\n|---|---|---|---|---|\n"
    body = "".join(f"| {f.severity} | {f.department} | {f.year or ''} | {f.pages} | {_md(f.message)} |\n"
                   for f in faults[:limit])
    more = f"\n… and {len(faults) - limit} more (see the report)\n" if len(faults) > limit else ""
    return head + body + more


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def _q(s: str) -> str:
    return s.replace("'", "''")
