"""Helpers for the checks tests: a warehouse built through the real loader, and a small consistent
document to break on purpose. (Imported by the other test_checks*/test_report* files.)"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.clean.frames import failure_frames, frames_from_result
from pipeline.config import Home
from pipeline.load.loader import load_staged
from pipeline.load.staging import stage
from pipeline.model import Claim, ParseResult, Row, Table
from pipeline.sources.identity import document_id

D = Decimal


def build_warehouse(root: Path, results: dict[str, ParseResult | dict]) -> Home:
    """A home under ``root`` whose warehouse holds ``results`` (locator → ParseResult, or a broken
    truth dict with an "error"), loaded by the project's loader exactly as the pipeline would."""
    home = Home.at(root).ensure()
    for locator, res in results.items():
        doc_id = document_id(locator)
        if isinstance(res, dict):
            frames = failure_frames(doc_id, locator, res.get("source", {}).get("sha256", ""),
                                    res["error"]["kind"], res["error"].get("message", ""))
        else:
            frames = frames_from_result(res, doc_id, locator)
        stage(home.staging, doc_id, frames)
    load_staged(home)
    return home


def load_truth_dir(district: Path) -> dict[str, ParseResult | dict]:
    """locator → ParseResult (or broken truth dict) of every .truth.json under a demo district."""
    out: dict[str, ParseResult | dict] = {}
    for p in sorted(district.rglob("*.truth.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        locator = p.relative_to(district).as_posix().replace(".truth.json", ".pdf")
        out[locator] = d if "error" in d else ParseResult.from_dict(d)
    return out


def truth_faults(district: Path) -> dict[str, list[dict]]:
    """locator → the truth's fault records."""
    out = {}
    for p in sorted(district.rglob("*.truth.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        out[p.relative_to(district).as_posix().replace(".truth.json", ".pdf")] = (d.get("truth") or {}).get("faults", [])
    return out


def failing(con_or_path, document_id_: str | None = None) -> list[tuple]:
    """(check_name, severity, message) rows of check_results (of one document when given)."""
    con = con_or_path if isinstance(con_or_path, duckdb.DuckDBPyConnection) else duckdb.connect(
        str(con_or_path), read_only=True)
    try:
        q = "SELECT check_name, severity, message FROM check_results"
        if document_id_ is None:
            return con.execute(q + " ORDER BY check_name").fetchall()
        return con.execute(q + " WHERE document_id = ? ORDER BY check_name", [document_id_]).fetchall()
    finally:
        if con is not con_or_path:
            con.close()


# --- a small consistent document ------------------------------------------------------------

def _row(name, values, page, code=None, side=None, attrs=None):
    return Row(side=side, code=code, name=name, values={k: D(v) for k, v in values.items() if v is not None},
               page=page, bbox=[0, 0, 1, 1], attrs=attrs or {})


def mini_document(code: str = "201", year: int = 2023, unit: str = "万元",
                  basic_leaf: str = "80.00", project_leaf: str = "20.00", second_leaf: str = "5.00",
                  personnel: str = "70.00") -> ParseResult:
    """A consistent disclosure with two 项 under one 类 and every identity of the registry exercised.

    Amounts are in 万元 (the loader's unit); ``unit`` only changes the printed unit (the tolerance).
    """
    b1, p1, l2 = D(basic_leaf), D(project_leaf), D(second_leaf)
    pers = D(personnel)
    pub = b1 - pers
    t1 = b1 + p1
    total = t1 + l2
    basic, project = b1, p1 + l2
    s = lambda v: format(v, "f")  # noqa: E731
    exp_rows = [
        _row("城乡社区支出", {"total": s(total), "basic": s(basic), "project": s(project)}, 3, "212"),
        _row("城乡社区管理事务", {"total": s(total), "basic": s(basic), "project": s(project)}, 3, "21201"),
        _row("行政运行", {"total": s(t1), "basic": s(b1), "project": s(p1)}, 3, "2120101"),
        _row("一般行政管理事务", {"total": s(l2), "basic": "0", "project": s(l2)}, 3, "2120102"),
        _row("合计", {"total": s(total), "basic": s(basic), "project": s(project)}, 3),
    ]
    gb_rows = [_row("合计", {"total": s(total), "basic": s(basic), "personnel": s(pers), "public_funds": s(pub),
                            "project": s(project)}, 5)] + [
        _row(n, {"total": s(total), "basic": s(basic), "personnel": s(pers), "public_funds": s(pub),
                 "project": s(project)}, 5, c) for n, c in (("城乡社区支出", "212"), ("城乡社区管理事务", "21201"))]
    wage2 = D("1.00")
    basic_rows = [
        _row("合计", {"total": s(basic), "personnel": s(pers), "public_funds": s(pub)}, 6),
        _row("工资福利支出", {"total": s(pers - D("0.50")), "personnel": s(pers - D("0.50"))}, 6, "301"),
        _row("基本工资", {"total": s(pers - D("0.50") - wage2), "personnel": s(pers - D("0.50") - wage2)}, 6, "30101"),
        _row("津贴补贴", {"total": s(wage2), "personnel": s(wage2)}, 6, "30102"),
        _row("商品和服务支出", {"total": s(pub), "public_funds": s(pub)}, 6, "302"),
        _row("办公费", {"total": s(pub - D("2.00")), "public_funds": s(pub - D("2.00"))}, 6, "30201"),
        _row("会议费", {"total": "2.00", "public_funds": "2.00"}, 6, "30215"),
        _row("对个人和家庭的补助", {"total": "0.50", "personnel": "0.50"}, 6, "303"),
        _row("奖励金", {"total": "0.50", "personnel": "0.50"}, 6, "30309"),
    ]
    summary = [
        _row("一、一般公共预算拨款收入", {"amount": s(total)}, 1, side="revenue"),
        _row("本年收入合计", {"amount": s(total)}, 1, side="revenue"),
        _row("上年结转结余", {"amount": "0"}, 1, side="revenue"),
        _row("收入总计", {"amount": s(total)}, 1, side="revenue"),
        _row("十二、城乡社区支出", {"amount": s(total)}, 1, side="expenditure"),
        _row("本年支出合计", {"amount": s(total)}, 1, side="expenditure"),
        _row("年终结转结余", {"amount": "0"}, 1, side="expenditure"),
        _row("支出总计", {"amount": s(total)}, 1, side="expenditure"),
    ]
    revenue = [_row("合计", {"total": s(total), "fiscal_appropriation": s(total)}, 2),
               _row("行政运行", {"total": s(total), "fiscal_appropriation": s(total)}, 2, "2120101")]
    proc = [
        _row("合计", {"amount": "3.00"}, 8),
        _row("台式计算机", {"budget": "2.00", "quantity": "5", "unit_price": "0.40", "amount": "2.00"}, 8,
             attrs={"project": "日常公用"}),
        _row("打印机", {"budget": "1.00", "quantity": "2", "unit_price": "0.50", "amount": "1.00"}, 8,
             attrs={"project": "日常公用"}),
    ]
    tables = [
        Table("revenue_expenditure_summary", "部门预算收支总表", [1], False, summary),
        Table("revenue_summary", "部门预算收入总表", [2], False, revenue),
        Table("expenditure_summary", "部门预算支出总表", [3], False, exp_rows),
        Table("fiscal_summary", "部门预算财政拨款收支总表", [4], False, [
            _row(r.name, {k: s(v) for k, v in r.values.items()}, 4, side=r.side) for r in summary]),
        Table("general_budget_expenditure", "一般公共预算财政拨款支出表", [5], False, gb_rows),
        Table("general_budget_basic_expenditure", "一般公共预算财政拨款基本支出表", [6], False, basic_rows),
        Table("government_fund_expenditure", "政府性基金预算财政拨款支出表", [7], True, [], note="注：无"),
        Table("procurement", "单位政府采购预算", [8], False, proc),
    ]
    narrative = [
        Claim("total_revenue", total, 9, f"预算收入合计为 {s(total)} 万元"),
        Claim("total_expenditure", total, 9, f"本年支出合计 {s(total)} 万元"),
        Claim("basic_expenditure", basic, 9, f"基本支出 {s(basic)} 万元"),
        Claim("personnel_expenditure", pers, 9, f"人员经费 {s(pers)} 万元"),
        Claim("public_funds_expenditure", pub, 9, f"公用经费 {s(pub)} 万元"),
        Claim("project_expenditure", project, 9, f"项目支出 {s(project)} 万元"),
        Claim("meeting_expenses", D("2.00"), 10, "会议费 2.00 万元"),
        Claim("procurement_total", D("3.00"), 10, "政府采购预算 3.00 万元"),
    ]
    return ParseResult(source={"path": f"{year}/{code}_mini.pdf", "sha256": f"sha-{code}-{year}-{total}",
                               "pages": 10},
                       department={"code": code, "name": f"测试部门{code}"}, year=year, unit=unit,
                       tables=tables, narrative=narrative)


__all__ = ["build_warehouse", "load_truth_dir", "truth_faults", "failing", "mini_document", "D"]


def facts_warehouse(path: Path, docs: list) -> duckdb.DuckDBPyConnection:
    """A warehouse at ``path`` (schema, dimensions and identity views as the loader makes them) holding the
    documents and table lines of ``docs`` (DocFacts built in Python, each under its own document_id), so
    the identities their SQL view owns are evaluated on exactly those facts. Returns an open connection."""
    from pipeline.load.dimensions import refresh_table_kinds
    from pipeline.load.schema import ensure_schema

    con = duckdb.connect(str(path))
    ensure_schema(con)
    refresh_table_kinds(con)
    add_facts(con, docs)
    return con


def add_facts(con: duckdb.DuckDBPyConnection, docs: list) -> None:
    """Insert what the identity views read of ``docs`` (DocFacts) into a facts_warehouse: the documents,
    table lines, printed tables, prose claims, assets, procurement lines and parse warnings."""
    import pyarrow as pa

    if not docs:
        return
    _insert(con, "documents", ("document_id", "sha256", "source", "department_code", "department_name", "year",
                               "pages", "unit", "status"),
            [(d.document_id, d.sha256 or d.document_id, d.source or d.document_id, d.department_code,
              d.department_name, d.year, d.pages, d.unit, d.status) for d in docs])
    cols: dict[str, list] = {c: [] for c in ("document_id", "table_kind", "table_title", "table_index", "row_index",
                                             "side", "code", "name", "numbering", "measure", "amount", "page", "bbox")}
    for d in docs:
        for t in d.tables:
            for ln in t.lines:
                for measure, amount in ln.values.items():
                    if amount is None:
                        continue
                    for c, v in zip(cols, (d.document_id, t.kind, t.title, t.index, ln.row_index, ln.side, ln.code,
                                           ln.name, ln.numbering, measure, amount, ln.page,
                                           None if ln.x0 is None else [float(ln.x0), 0.0, 1.0, 1.0])):
                        cols[c].append(v)
    arrow = pa.table({**cols, "amount": pa.array(cols["amount"], type=pa.decimal128(20, 6)),
                      "bbox": pa.array(cols["bbox"], type=pa.list_(pa.float64()))})
    con.register("_facts_lines", arrow)
    try:
        con.execute("INSERT INTO budget_lines BY NAME SELECT * FROM _facts_lines")
    finally:
        con.unregister("_facts_lines")
    _insert(con, "narrative_claims", ("document_id", "claim_index", "metric", "amount", "page", "quote"),
            [(d.document_id, c.index, c.metric, c.amount, c.page, c.quote) for d in docs for c in d.claims])
    _insert(con, "document_tables", ("document_id", "table_index", "table_kind", "title", "pages", "empty", "note",
                                     "department_code", "department_name", "row_count", "status"),
            [(d.document_id, t.index, t.kind, t.title, list(t.pages), t.empty, t.note, t.department_code,
              t.department_name, 0, t.status) for d in docs for t in d.printed])
    _insert(con, "assets", ("document_id", "table_index", "row_index", "item", "numbering", "amount", "as_of", "page"),
            [(d.document_id, 0, a.row_index, a.item, a.numbering, a.amount, a.as_of, a.page)
             for d in docs for a in d.assets])
    _insert(con, "procurement_lines", ("document_id", "table_index", "row_index", "project", "item", "quantity",
                                       "unit_price", "amount", "budget", "is_total", "page"),
            [(d.document_id, 0, p.row_index, p.project, p.item, p.quantity, p.unit_price, p.amount, p.budget,
              p.is_total, p.page) for d in docs for p in d.procurement])
    _insert(con, "document_warnings", ("document_id", "warning_index", "kind", "message", "pages", "values"),
            [(d.document_id, i, w.kind, w.message, list(w.pages), list(w.values))
             for d in docs for i, w in enumerate(d.warnings)])


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows into a warehouse table by column name, through Arrow (executemany is slow row by row)."""
    import pyarrow as pa

    if not rows:
        return
    con.register("_facts_rows", pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(columns)}))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _facts_rows")
    finally:
        con.unregister("_facts_rows")


def facts_results(con: duckdb.DuckDBPyConnection, docs: list, last_year=None) -> dict[str, list]:
    """document_id → document_results of each of ``docs`` (already in the facts_warehouse ``con``): the
    view-owned identities from their views, the rest from their Python rules."""
    from pipeline.checks.engine import document_results
    from pipeline.checks.viewed import view_results

    by_id = {d.document_id: d for d in docs}
    viewed = view_results(con, by_id, list(by_id))
    return {d.document_id: document_results(d, last_year, viewed.get(d.document_id, [])) for d in docs}
