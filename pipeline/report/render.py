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
from pipeline.report.changes import since_previous_run
from pipeline.report.charts import district_charts
from pipeline.report.evidence import EvidenceMaker
from pipeline.report.export import write_csv, write_xlsx
from pipeline.report.wording import non_financial, plain, tolerance_words
from pipeline.checks.catalogue import REGISTRY
from pipeline.model import DocumentError
from pipeline.testhooks import hold

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
    department_code: str | None = None
    department: str = ""
    year: int | None = None
    file: str = ""
    tolerance_words: str = ""
    evidence: list = field(default_factory=list)

    @property
    def pages(self) -> str:
        return f"{self.left_pages or '—'} / {self.right_pages or '—'}"


@dataclass
class DepartmentSection:
    code: str | None
    name: str
    years: list[int]
    documents: list[str]
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # per disclosure: its file(s), joined by " + "
    coverage: list[dict] = field(default_factory=list)   # per document: checked / holding / broken / unverifiable
    noise: list[Finding] = field(default_factory=list)   # first loaded year: summarised, not listed

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


#: A comparison with the year before that fails only because the warehouse holds no such year: one
#: summary line for the district, not a warning per document.
FIRST_YEAR_CHECKS = ("prose_increase_vs_last_year",)


def sections(con: duckdb.DuckDBPyConnection, run_id: str | None = None,
             evidence: EvidenceMaker | None = None) -> tuple[str | None, list[DepartmentSection]]:
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
    loaded_years = {(c, y) for c, y in con.execute(
        "SELECT department_code, year FROM documents WHERE status = 'loaded'").fetchall()}
    files = _disclosure_files(con)
    doc_year = dict(con.execute("SELECT document_id, year FROM documents").fetchall())
    doc_dept = dict(con.execute("SELECT document_id, department_code FROM documents WHERE status = 'loaded'").fetchall())
    doc_files = dict(con.execute("SELECT document_id, coalesce(file_name, source) FROM documents").fetchall())
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
        f = Finding(
            check_name=name, label_zh=(ident.label_zh or ident.description) if ident else name,
            description=ident.description if ident else name, severity=sev, left=_amount(lv),
            right=_amount(rv), difference=_amount(diff), tolerance=_amount(tol), n=n, left_pages=lp or "",
            right_pages=rp or "", message=plain(msg), document_id=doc, department_code=dept,
            department=sec.name, year=year, file=files.get(doc) or doc_files.get(doc, "") if doc else "",
            tolerance_words=tolerance_words(tol, n))
        if name in FIRST_YEAR_CHECKS and year and (dept, year - 1) not in loaded_years:
            sec.noise.append(f)
            continue
        if evidence is not None and doc:
            f.evidence = evidence.for_finding(doc, lv, rv, lp, rp, msg)
        sec.findings.append(f)
    cover = _coverage(con, run_id)
    for dept, c in cover.items():
        if dept in by_dept:
            by_dept[dept].coverage = c
    for dept, sec in by_dept.items():
        # every loaded year of the department, not only the years with findings
        sec.years = sorted(years[dept] | {y for c, y in loaded_years if c == dept and y})
        sec.documents = sorted(docs[dept])
        # each disclosure once, with its year (a department's two years print the same file name)
        all_docs = sorted({d for d, c in doc_dept.items() if c == dept} | set(sec.documents),
                          key=lambda d: (doc_year.get(d) or 0, d))
        sec.files = list(dict.fromkeys(f"{doc_year.get(d) or '—'}: {files[d]}" for d in all_docs if d in files))
    ordered = sorted(by_dept.values(), key=lambda s: (-s.errors, -s.warnings, s.code or ""))
    return run_id, ordered


def _coverage(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str | None, list[dict]]:
    """Per department, each document's verification counts of the run (empty before schema version 7),
    with its file, class and completeness (tables found / printed empty / missing / unread)."""
    if run_id is None:
        return {}
    try:
        rows = con.execute(
            "SELECT c.department, c.document_id, c.year, c.checked, c.holding, c.broken, c.unverifiable, c.reasons, "
            "c.prose_figures, c.prose_resolved, coalesce(d.file_name, d.source), d.document_class, d.completeness, "
            "d.completeness_detail FROM check_coverage c LEFT JOIN documents d USING (document_id) "
            "WHERE c.run_id = ? ORDER BY c.department, c.year, c.document_id", [run_id]).fetchall()
    except duckdb.Error:
        return {}
    out: dict[str | None, list[dict]] = defaultdict(list)
    for dept, doc, year, checked, holding, broken, unver, reasons, figures, resolved, file, klass, comp, detail in rows:
        tables = (json.loads(detail) if detail else {}).get("tables") or []
        ocr = ocr_note((json.loads(detail) if detail else {}).get("ocr"))
        status = defaultdict(int)
        for t in tables:
            status[t.get("status") or "?"] += 1
        unread = [u for u in (json.loads(detail) if detail else {}).get("unread_tables") or []
                  if not non_financial(json.dumps(u, ensure_ascii=False))]
        out[dept].append({"document_id": doc, "year": year, "checked": checked, "holding": holding,
                          "broken": broken, "unverifiable": unver, "figures": figures or 0, "resolved": resolved or 0,
                          "reasons": [r for r in (reasons or "").split("\n") if r and not non_financial(r)],
                          "file": file or doc, "document_class": klass or "", "completeness": comp or "",
                          "tables": dict(status), "unread": len(unread), "ocr": ocr})
    return out


def ocr_note(ocr: dict | None) -> str:
    """A document read from page images, in a few words: pages read by OCR, and its scanned tables
    that add up (accepted) or not (doubtful: their identities are unverifiable). '' for a text PDF."""
    if not ocr or not ocr.get("pages"):
        return ""
    verdicts = [t.get("verdict") for t in ocr.get("tables") or []]
    return (f"扫描件 scanned: {len(ocr['pages'])} 页 OCR pages, 表格 tables "
            f"{verdicts.count('accepted')} 核实 accepted / {verdicts.count('doubtful')} 存疑 doubtful")


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
        SELECT document_id, source, completeness, completeness_detail FROM documents
        WHERE status = 'loaded' AND completeness IN ('partial', 'not_budget')
        ORDER BY completeness DESC, source""").fetchall()
    out = []
    for doc, source, status, detail in rows:
        reasons = (json.loads(detail) if detail else {}).get("reasons") or []
        kept = [r for r in reasons if not non_financial(r)]
        if status == "partial" and reasons and not kept:
            continue   # only known non-financial tables (机构设置, 名词解释) were left unread: not partial
        out.append({"document_id": doc, "source": source, "status": status, "reasons": kept,
                    "non_financial": len(reasons) - len(kept)})
    return out


def headline(documents: list[str], secs: list[DepartmentSection], partial: list[dict]) -> dict:
    """The headline counts, per document (not per department): a document is clean when none of its
    findings is an error and it was read in full."""
    with_errors = {f.document_id for s in secs for f in s.findings if f.severity == "error" and f.document_id}
    part = {p["document_id"] for p in partial if p.get("document_id")}
    loaded = set(documents)
    return {"documents": len(loaded), "with_errors": len(with_errors & loaded),
            "partial": len((part - with_errors) & loaded), "clean": len(loaded - with_errors - part)}


def render(run_id: str | None, secs: list[DepartmentSection], documents: list[str],
           unreadable: list[dict] | None = None, coverage: list[dict] | None = None,
           partial: list[dict] | None = None, charts: list | None = None, exports: dict | None = None,
           data_docs: str | None = None, changes=None) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("pipeline.report", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    findings = [f for s in secs for f in s.findings]
    noise = [f for s in secs for f in s.noise]
    non_fin = sum(p.get("non_financial", 0) for p in partial or [])
    return env.get_template("report.html.j2").render(
        run_id=run_id, sections=[s for s in secs if s.findings], documents=len(documents),
        unreadable=unreadable or [], coverage=coverage or [], partial=partial or [], findings=findings,
        noise=noise, non_financial=non_fin, changes=changes, charts=charts or [], exports=exports or {}, data_docs=data_docs,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        # every warning counts in the headline, the summarised first-year ones too: one count of errors
        # and warnings, the same as Dagster's and the Data Docs'
        errors=sum(s.errors for s in secs), warnings=sum(s.warnings for s in secs) + len(noise),
        unverifiable=sum(s.unverifiable for s in secs),
        years=sorted({f.year for f in findings if f.year}), checks=sorted({f.label_zh for f in findings}),
        departments=sorted({f.department for f in findings}),
        head=headline(documents, secs, partial or []))


def write_report(db_path: Path, out_dir: Path, run_id: str | None = None, raw_dir: Path | None = None) -> Path:
    """Write out_dir/discrepancies.html (with evidence/ crops and the findings as CSV and Excel) from the
    warehouse's latest check run; returns its path. ``raw_dir`` is the home's raw store (default: the
    home the warehouse belongs to, ``<home>/data/raw``)."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.exists():
        raise DocumentError("unreadable", f"no warehouse at {db_path}")
    raw_dir = Path(raw_dir) if raw_dir else db_path.resolve().parent.parent / "data" / "raw"
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=True)
    maker = EvidenceMaker(con, raw_dir, out_dir)
    try:
        run_id, secs = sections(con, run_id, maker)
        documents = [d for (d,) in con.execute("SELECT document_id FROM documents WHERE status = 'loaded'").fetchall()]
        unreadable = unreadable_documents(con)
        dept_names = dict(con.execute("SELECT department_code, any_value(department_name) FROM documents "
                                      "GROUP BY ALL").fetchall())
        dept_names.update({s.code: s.name for s in secs})
        coverage = [dict(row, department=dept, department_name=dept_names.get(dept))
                    for dept, rows in _coverage(con, run_id).items() for row in rows]
        partial = partly_read_documents(con)
        errors_by_check: dict[str, int] = defaultdict(int)
        for s in secs:
            for f in s.findings:
                if f.severity == "error":
                    errors_by_check[f.label_zh] += 1
        charts = district_charts(con, dict(errors_by_check))
        changes = since_previous_run(con, run_id, dept_names)
    finally:
        maker.close()
        con.close()
    findings = [f for s in secs for f in s.findings]
    exports = {"csv": write_csv(findings, out_dir / "findings.csv").name,
               "xlsx": write_xlsx(findings, out_dir / "findings.xlsx").name}
    docs = out_dir / "data_docs" / "index.html"
    path = out_dir / REPORT_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render(run_id, secs, documents, unreadable, coverage, partial, charts, exports,
                          "data_docs/index.html" if docs.exists() else None, changes), encoding="utf-8")
    hold("report")
    tmp.replace(path)
    maker.prune()
    return path
