"""check_results → the district's discrepancy page (jinja2, inline CSS, no external resources)."""

from __future__ import annotations

import json

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import jinja2

from pipeline.checks.base import fmt
from pipeline.checks.registry import REGISTRY
from pipeline.model import DocumentError
from pipeline.testhooks import hold

TEMPLATES = Path(__file__).parent / "templates"
REPORT_NAME = "discrepancies.html"


@dataclass
class Finding:
    check_name: str
    label_zh: str
    description: str
    severity: str
    left: str
    right: str
    difference: str
    tolerance: str
    n: int | None
    left_pages: str
    right_pages: str
    message: str
    document_id: str | None


@dataclass
class DepartmentSection:
    code: str | None
    name: str
    years: list[int]
    documents: list[str]
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # per disclosure: its file(s), joined by " + "
    coverage: list[dict] = field(default_factory=list)   # per document: checked / holding / broken / unverifiable

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def unverifiable(self) -> int:
        return sum(f.severity == "unverifiable" for f in self.findings)

    @property
    def anchor(self) -> str:
        return f"dept-{self.code or 'district'}"

    @property
    def has_companions(self) -> bool:
        return any(" + " in f for f in self.files)

    @property
    def printed_code(self) -> str:
        """The code shown before the name: only a printed code (a department without one is keyed by name)."""
        return self.code if self.code and self.code != self.name else ""


def _amount(v: Decimal | None) -> str:
    return "" if v is None else fmt(v)


def _unnamed(dept: str | None) -> str:
    if dept is None:
        return "全区 / District"
    return f"部门 {dept}" if dept.isdigit() else dept   # a department keyed by its name


def _disclosure_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each disclosure's files ("tables.pdf + prose.pdf"), keyed by the id its results carry."""
    try:
        return {d: " + ".join(f) for d, f in con.execute(
            "SELECT disclosure_id, list(file_name ORDER BY content DESC NULLS LAST, file_name) FROM v_documents "
            "GROUP BY disclosure_id").fetchall()}
    except duckdb.Error:   # a warehouse from before schema version 3
        return {}


def sections(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> tuple[str | None, list[DepartmentSection]]:
    """The findings of one run (the latest when None) grouped by department, most errors first."""
    if run_id is None:
        from pipeline.checks.engine import latest_run_id

        run_id = latest_run_id(con)   # a full run with no failure is the latest too
    names = {code: name for code, name in con.execute(
        "SELECT department_code, any_value(department_name) FROM documents WHERE status = 'loaded' "
        "AND department_code IS NOT NULL GROUP BY department_code").fetchall()}
    try:
        names.update({c: n for c, n in con.execute(
            "SELECT department_key, canonical_name FROM departments").fetchall() if n})
    except duckdb.Error:
        pass
    rows = [] if run_id is None else con.execute(
        "SELECT document_id, department, year, check_name, severity, left_value, right_value, difference, "
        "tolerance, n, left_pages, right_pages, message FROM check_results WHERE run_id = ? "
        "ORDER BY department NULLS FIRST, year, CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, "
        "check_name",
        [run_id]).fetchall()
    by_dept: dict[str | None, DepartmentSection] = {}
    years: dict[str | None, set] = defaultdict(set)
    docs: dict[str | None, set] = defaultdict(set)
    for (doc, dept, year, name, sev, lv, rv, diff, tol, n, lp, rp, msg) in rows:
        ident = REGISTRY.get(name)
        sec = by_dept.get(dept)
        if sec is None:
            sec = by_dept[dept] = DepartmentSection(dept, names.get(dept, _unnamed(dept)), [], [])
        if year:
            years[dept].add(year)
        if doc:
            docs[dept].add(doc)
        sec.findings.append(Finding(
            check_name=name, label_zh=ident.label_zh if ident else name,
            description=ident.description if ident else name, severity=sev, left=_amount(lv),
            right=_amount(rv), difference=_amount(diff), tolerance=_amount(tol), n=n, left_pages=lp or "",
            right_pages=rp or "", message=msg, document_id=doc))
    files = _disclosure_files(con)
    cover = _coverage(con, run_id)
    for dept, c in cover.items():
        if dept in by_dept:
            by_dept[dept].coverage = c
    for dept, sec in by_dept.items():
        sec.years = sorted(years[dept])
        sec.documents = sorted(docs[dept])
        sec.files = [files[d] for d in sec.documents if d in files]
    ordered = sorted(by_dept.values(), key=lambda s: (-s.errors, -s.warnings, s.code or ""))
    return run_id, ordered


def _coverage(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str | None, list[dict]]:
    """Per department, each document's verification counts of the run (empty before schema version 7)."""
    if run_id is None:
        return {}
    try:
        rows = con.execute(
            "SELECT department, document_id, year, checked, holding, broken, unverifiable, reasons, prose_figures, "
            "prose_resolved FROM check_coverage "
            "WHERE run_id = ? ORDER BY department, year, document_id", [run_id]).fetchall()
    except duckdb.Error:
        return {}
    out: dict[str | None, list[dict]] = defaultdict(list)
    for dept, doc, year, checked, holding, broken, unver, reasons, figures, resolved in rows:
        out[dept].append({"document_id": doc, "year": year, "checked": checked, "holding": holding,
                          "broken": broken, "unverifiable": unver, "figures": figures or 0, "resolved": resolved or 0,
                          "reasons": [r for r in (reasons or "").split("\n") if r]})
    return out


def unreadable_documents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Documents whose latest version could not be read: failed, or kept at their previous version."""
    rows = con.execute("""
        SELECT source, coalesce(last_error_kind, error_kind), coalesce(last_error, error),
               CASE WHEN status = 'loaded' THEN 'previous version kept' ELSE 'not loaded' END
        FROM documents WHERE status <> 'loaded' OR last_error_kind IS NOT NULL ORDER BY source""").fetchall()
    return [{"source": s, "kind": k, "message": m, "status": st} for s, k, m, st in rows]


def partly_read_documents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Loaded documents the parser could read only in part, or that are not budgets (schema 006):
    shown with what was not read, never counted as clean."""
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'documents'").fetchall()}
    if "completeness" not in cols:
        return []
    rows = con.execute("""
        SELECT source, completeness, completeness_detail FROM documents
        WHERE status = 'loaded' AND completeness IN ('partial', 'not_budget')
        ORDER BY completeness DESC, source""").fetchall()
    out = []
    for source, status, detail in rows:
        reasons = (json.loads(detail) if detail else {}).get("reasons") or []
        out.append({"source": source, "status": status, "reasons": reasons})
    return out


def render(run_id: str | None, secs: list[DepartmentSection], documents: int,
           unreadable: list[dict] | None = None, coverage: list[dict] | None = None,
           partial: list[dict] | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(
        run_id=run_id, sections=secs, documents=documents, unreadable=unreadable or [], coverage=coverage or [],
        partial=partial or [],
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        errors=sum(s.errors for s in secs), warnings=sum(s.warnings for s in secs),
        unverifiable=sum(s.unverifiable for s in secs),
        # a document read in part is not clean, whatever its checks say
        clean=documents - len({d for s in secs if s.errors for d in s.documents}) - len(partial or []))


def write_report(db_path: Path, out_dir: Path, run_id: str | None = None) -> Path:
    """Write out_dir/discrepancies.html from the warehouse's latest check run; returns its path."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.exists():
        raise DocumentError("unreadable", f"no warehouse at {db_path}")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        run_id, secs = sections(con, run_id)
        documents = con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0]
        unreadable = unreadable_documents(con)
        coverage = [dict(row, department=dept) for dept, rows in _coverage(con, run_id).items() for row in rows]
        partial = partly_read_documents(con)
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / REPORT_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render(run_id, secs, documents, unreadable, coverage, partial), encoding="utf-8")
    hold("report")
    tmp.replace(path)
    return path
