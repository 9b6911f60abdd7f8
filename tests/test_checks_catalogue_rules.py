"""Every identity of the registry has a rule, fires on a fault planted for it and is silent on a clean
document (issue 14, item 1).

The clean document is the small consistent disclosure of test_checks_support, given the performance
tables it does not print (a 部门职责-工作活动 duty table, two project forms with their 年度资金申请总额 block
and the prose naming them), loaded through the real loader, read back as facts once, then given what
the loader's warehouse does not hold for it (a 三公 table, an assets table, more prose). Each fault is planted on a copy of those facts: one figure, label or code
changed the way a misprint changes it. Facts-level, so all identities take a second.
"""

from __future__ import annotations

import copy
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Callable

import duckdb
import pytest

from test_checks_support import D, build_warehouse, facts_results, facts_warehouse, mini_document

from pipeline.checks.engine import district_results, rules_of
from pipeline.checks.facts import AssetLine, ClaimFact, DocFacts, FigureFact, Line, TableFacts, load_facts
from pipeline.checks.catalogue import DISTRICT, DOCUMENT, REGISTRY, REGISTRY_LIST
from pipeline.checks.rules import resolve
from pipeline.checks.rules.district import RosterEntry
from pipeline.checks.rules.prose_restated import resolve_cell
from pipeline.checks.viewed import view_results
from pipeline.model import Claim, ParseResult, Row, Table

ONE = D("1.00")


def _line(doc: DocFacts, kind: str, code: str | None = None, key: str | None = None) -> Line:
    t = doc.table(kind)
    return next(ln for ln in t.lines if (code is not None and ln.code == code) or (key is not None and ln.key == key))


def _claim(doc: DocFacts, metric: str) -> ClaimFact:
    return next(c for c in doc.claims if c.metric == metric)


def _add_claim(doc: DocFacts, metric: str, amount: Decimal, quote: str, page: int = 11) -> ClaimFact:
    c = ClaimFact(max((x.index for x in doc.claims), default=0) + 1, metric, amount, page, quote)
    doc.claims.append(c)
    return c


def _perf_row(name: str, values: dict[str, str], page: int, **attrs: str) -> Row:
    return Row(None, None, name, {k: D(v) for k, v in values.items()}, page, [0, 0, 1, 1], attrs)


def _form(project: str, parts: tuple[str, str, str], page: int) -> Table:
    """A project performance-target form (Putuo's 绩效目标填报表): its 项目资金 block of label | amount
    rows, 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金, then its indicators (text only)."""
    total = format(sum(D(p) for p in parts), "f")
    money = [("项目资金总额", total), ("其中：财政资金", total), ("年度资金申请总额", total),
             ("其中：当年财政拨款", parts[0]), ("上年结转资金", parts[1]), ("其他资金", parts[2])]
    rows = [_perf_row(n, {"amount": v}, page, project=project) for n, v in money]
    rows.append(_perf_row("完成及时率", {}, page, project=project, level1="产出指标", level2="时效指标",
                          indicator="完成及时率", value="100%", subkind="project"))
    return Table("performance_targets", "财政项目支出绩效目标填报表", [page], False, rows)


def with_performance(res: ParseResult) -> ParseResult:
    """The mini document with the performance tables of a full disclosure: a duty table whose top-level
    activities' 年度预算数 add up to 本年支出合计, the project forms of its two 项 (their 年度资金申请总额
    add up to 项目支出) and the prose sentence naming the projects and their budget."""
    exp = {ln.code: ln.values for t in res.tables if t.kind == "expenditure_summary" for ln in t.rows if ln.code}
    leaf1, leaf2 = exp["2120101"]["project"], exp["2120102"]["project"]
    total = exp["212"]["total"]
    duty = Table("performance_targets", "部门职责-工作活动绩效目标", [17], False, [
        _perf_row("一、综合管理", {"budget": format(total - D("30.00"), "f")}, 17, project="一、综合管理",
                  subkind="duty"),
        _perf_row("1、办公室", {"budget": format(total - D("30.00"), "f")}, 17, project="1、办公室", subkind="duty"),
        _perf_row("二、社区服务", {"budget": "30.00"}, 17, project="二、社区服务", subkind="duty"),
    ])
    forms = [_form("1.行政运行", (format(leaf1 - D("2.00"), "f"), "2.00", "0.00"), 18),
             _form("2.一般行政管理事务", (format(leaf2, "f"), "0.00", "0.00"), 19)]
    res.tables += [duty] + forms
    res.narrative += [Claim("project_targets_count", D(2), 18, "编报绩效目标的项目2个"),
                      Claim("project_targets_budget", leaf1 + leaf2, 18,
                            f"涉及项目预算资金{format(leaf1 + leaf2, 'f')}万元")]
    return res


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> DocFacts:
    home = build_warehouse(tmp_path_factory.mktemp("registry-rules"),
                           {"2023/201_mini.pdf": with_performance(mini_document())})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        (doc,) = load_facts(con).values()
    finally:
        con.close()
    pub = _line(doc, "general_budget_basic_expenditure", key="合计").get("public_funds")
    # the summary's 支出总计 prints its 公用经费, which the 三公 table's 机关运行经费 restates
    _line(doc, "revenue_expenditure_summary", key="支出总计").values["public_funds"] = pub
    three = TableFacts("three_public", "三公经费表", 20, [Line(900, None, None, "合计", None, 12, {
        "total": D("6.00"), "overseas_travel": D("1.00"), "official_reception": D("2.00"),
        "vehicle_total": D("3.00"), "vehicle_purchase": D("1.00"), "vehicle_operation": D("2.00"),
        "meeting": D("2.00"), "training": D("0.50"), "operating_expenses_of_organ": pub})])
    doc.tables.append(three)
    doc.assets = [AssetLine(0, "资产总额", D("50.00"), "2022-12-31", 13), AssetLine(1, "固定资产", D("30.00"), "2022-12-31", 13)]
    for ident in REGISTRY_LIST:   # every headline figure the document prints, restated by the prose
        if ident.metric and not doc.claims_of(ident.metric):
            cell = next((r for r in (resolve_cell(doc, c) for c in ident.cells) if r is not None), None)
            if cell is not None:
                _add_claim(doc, ident.metric, cell[0], f"{ident.metric} {cell[0]} 万元")
    for m in ("increase_total", "increase_basic", "increase_project"):   # nothing changed since last year
        _add_claim(doc, m, D("0.00"), f"{m} 0.00 万元")
    item = _add_claim(doc, "item_amount", D("100.00"),
                      "城乡社区支出（类）城乡社区管理事务（款）行政运行（项）100.00万元", page=14)
    _add_claim(doc, "item_prior_actual", D("80.00"), "2022年执行数为80.00万元", page=14)
    _add_claim(doc, "item_budget", item.amount, "2023年预算安排100.00万元", page=14)
    _add_claim(doc, "item_change_pct", D("25.00"), "增长25.00%", page=14)
    _add_claim(doc, "government_fund_expenditure", D("5.00"), "政府性基金预算支出5.00万元", page=15)
    _add_claim(doc, "increase_government_fund", D("1.00"), "比上年增加1.00万元", page=15)
    _add_claim(doc, "operating_expenses_stated_as_302", _line(doc, "general_budget_basic_expenditure", "302").get("total"),
               "机关运行经费即商品和服务支出", page=16)
    office = _line(doc, "general_budget_basic_expenditure", "30201")
    doc.figures.append(FigureFact(0, "办公费", office.get("total"), "万元", 16, f"办公费{office.get('total')}万元"))
    return doc


def _planted(clean: DocFacts) -> dict[str, DocFacts]:
    """Every document these tests check: the clean one, each document fault planted, each prose figure
    misstated (a copy of the clean facts each)."""
    docs = {"clean": copy.deepcopy(clean)}
    for name, plant in DOCUMENT_FAULTS.items():
        docs[name] = copy.deepcopy(clean)
        plant(docs[name])
    for ident in REGISTRY_LIST:
        if ident.metric and clean.claims_of(ident.metric):
            docs[f"prose:{ident.name}"] = copy.deepcopy(clean)
            _bump_claim(ident.metric)(docs[f"prose:{ident.name}"])
    return docs


@pytest.fixture(scope="module")
def evaluated(clean, tmp_path_factory) -> dict[str, list]:
    """document_results of every planted document, all written into one warehouse under their own ids
    and checked at once: the identities their SQL view owns (pipeline/checks/viewed.py) are evaluated
    there on the same facts."""
    docs = _planted(clean)
    for key, doc in docs.items():
        doc.document_id = f"doc-{key}"
    con = facts_warehouse(tmp_path_factory.mktemp("registry-facts") / "facts.duckdb", list(docs.values()))
    try:
        results = facts_results(con, list(docs.values()), _last_year(clean))
    finally:
        con.close()
    return {key: results[doc.document_id] for key, doc in docs.items()}


def _last_year(doc: DocFacts) -> DocFacts:
    """Last year's disclosure: the same figures (every stated increase is 0)."""
    last = copy.deepcopy(doc)
    last.document_id, last.year, last.sha256 = "last", doc.year - 1, "sha-last"
    return last


Plant = Callable[[DocFacts], None]


def _bump(kind: str, measure: str, code: str | None = None, key: str | None = None) -> Plant:
    def plant(doc: DocFacts) -> None:
        _line(doc, kind, code, key).values[measure] += ONE
    return plant


def _bump_claim(metric: str) -> Plant:
    def plant(doc: DocFacts) -> None:
        _claim(doc, metric).amount += ONE
    return plant


def _gov_fund_line(doc: DocFacts) -> None:
    doc.table("expenditure_summary").lines.append(Line(950, None, "2296002", "用于社会福利的彩票公益金支出", None, 3,
                                                       {"total": ONE}))


def _bump_duty(doc: DocFacts) -> None:
    """A top-level duty activity's 年度预算数 misprinted: the activities add up to no total of the tables."""
    next(b for b in doc.duty_budgets if b.numbering == "二、").budget += ONE


def _bump_form_part(doc: DocFacts) -> None:
    """A form's 当年财政拨款 misprinted (its 年度资金申请总额, which the prose restates, kept)."""
    form = next(t for t in doc.tables_of("performance_targets") if t.index == max(
        f.index for f in doc.tables_of("performance_targets")))
    next(ln for ln in form.lines if ln.key == "其中:当年财政拨款").values["amount"] += ONE


def _unreadable(doc: DocFacts) -> None:
    next(p for p in doc.printed if p.kind == "expenditure_summary").status = "unread"


#: A planted fault per document identity (the prose restatements are planted generically below).
DOCUMENT_FAULTS: dict[str, Plant] = {
    "row_total": _bump("general_budget_expenditure", "basic", key="合计"),
    "column_total": _bump("expenditure_summary", "total", key="合计"),
    "code_hierarchy": _bump("expenditure_summary", "total", code="21201"),
    "summary_current_totals": _bump("revenue_expenditure_summary", "amount", key="一般公共预算拨款收入"),
    "summary_carryover": _bump("revenue_expenditure_summary", "amount", key="收入总计"),
    "summary_balance": _bump("revenue_expenditure_summary", "amount", key="支出总计"),
    "table_unreliable": _unreadable,
    "summary_revenue_vs_revenue_table": _bump("revenue_summary", "total", key="合计"),
    "summary_expenditure_vs_expenditure_table": _bump("revenue_expenditure_summary", "amount", key="本年支出合计"),
    "summary_class_vs_expenditure_table": _bump("revenue_expenditure_summary", "amount", key="城乡社区支出"),
    "fiscal_summary_vs_summary": _bump("fiscal_summary", "amount", key="一般公共预算拨款收入"),
    "general_budget_vs_basic_table": _bump("general_budget_basic_expenditure", "total", key="合计"),
    "personnel_is_301_303": _bump("general_budget_basic_expenditure", "total", code="301"),
    "public_funds_is_302_310": _bump("general_budget_basic_expenditure", "total", code="302"),
    "operating_expenses_vs_summary_public_funds": _bump("three_public", "operating_expenses_of_organ", key="合计"),
    "government_fund_subject_without_table": _gov_fund_line,
    "prose_unverifiable": lambda d: d.tables.remove(d.table("three_public")),   # the 三公 figures restate nothing
    "prose_figure_vs_table": lambda d: setattr(d.figures[0], "amount", d.figures[0].amount + ONE),
    "prose_self_consistent": lambda d: _add_claim(d, "basic_expenditure", _claim(d, "basic_expenditure").amount + ONE,
                                                  "基本支出另一数"),
    "prose_parts_add_up": _bump_claim("project_expenditure"),
    "prose_increase_parts": _bump_claim("increase_total"),
    "prose_increase_vs_last_year": _bump_claim("increase_basic"),
    "prose_item_vs_table": _bump_claim("item_amount"),
    "prose_item_budget_restated": _bump_claim("item_budget"),
    "prose_item_change_pct": _bump_claim("item_change_pct"),
    "prose_change_vs_level": lambda d: setattr(_claim(d, "increase_government_fund"), "amount", D("9.00")),
    "prose_operating_expenses_is_302": _bump_claim("operating_expenses_stated_as_302"),
    "procurement_line_product": lambda d: setattr(d.procurement[1], "quantity", D("6")),
    "procurement_lines_sum": lambda d: setattr(d.procurement[0], "amount", d.procurement[0].amount + ONE),
    "procurement_budget_column": lambda d: setattr(d.procurement[1], "budget", d.procurement[1].budget + ONE),
    "assets_as_of_date": lambda d: setattr(d.assets[0], "as_of", "2020-12-31"),
    "department_code_consistent": lambda d: setattr(d.printed[0], "department_code", "999"),
    "department_name_consistent": lambda d: setattr(d.printed[0], "department_name", "另一个部门"),
    "duty_budget_relates_to_total": _bump_duty,
    "project_form_funds_add_up": _bump_form_part,
    "prose_project_budget_vs_forms": _bump_claim("project_targets_budget"),
}


def _district(docs: dict[str, DocFacts], roster: list[RosterEntry] | None) -> list:
    """district_results of these documents: written into a warehouse of their own (the district
    identities their SQL view owns read every document there), then checked."""
    with tempfile.TemporaryDirectory() as tmp:
        con = facts_warehouse(Path(tmp) / "district.duckdb", list(docs.values()))
        try:
            viewed = [r for rs in view_results(con, docs, None, DISTRICT).values() for r in rs]
        finally:
            con.close()
    return district_results(docs, roster, {}, viewed)


def _roster(doc: DocFacts, extra: bool = False) -> list[RosterEntry]:
    out = [RosterEntry(doc.department_code, doc.department_name or "", (doc.year,))]
    return out + ([RosterEntry("777", "未公开部门", (doc.year,))] if extra else [])


def _next_year(doc: DocFacts, name: str | None = None, sha: str = "sha-next") -> DocFacts:
    d = copy.deepcopy(doc)
    d.document_id, d.year, d.sha256 = "next", doc.year + 1, sha
    d.department_name = name or doc.department_name
    return d


#: A planted fault per district identity: (documents, roster) of the clean district made faulty.
DISTRICT_FAULTS: dict[str, Callable[[DocFacts], tuple[dict, list | None]]] = {
    "roster_disclosed": lambda d: ({d.document_id: d}, _roster(d, extra=True)),
    "department_in_roster": lambda d: ({d.document_id: d}, [RosterEntry("555", "别的部门", (d.year,))]),
    "department_name_across_years": lambda d: ({d.document_id: d, "next": _next_year(d, "改名后的部门")}, None),
    "subject_codes_valid": lambda d: (_with_line(d, "12345"), None),
    "duplicate_documents": lambda d: ({d.document_id: d, "next": _next_year(d, sha=d.sha256)}, None),
}


def _with_line(doc: DocFacts, code: str) -> dict:
    d = copy.deepcopy(doc)
    d.table("expenditure_summary").lines.append(Line(960, None, code, "不是科目", None, 3, {"total": ONE}))
    return {d.document_id: d}


def _fired(results, name: str) -> list:
    return [r for r in results if r.check_name == name and r.failed]


def test_every_registry_entry_names_a_rule_the_engine_runs():
    document_rules, review, district = rules_of(DOCUMENT), rules_of(DOCUMENT, review=True), rules_of(DISTRICT)
    for ident in REGISTRY_LIST:
        assert ident.rule, f"{ident.name} names no rule"
        assert callable(resolve(ident.rule)), ident.name
        assert ident.rule in (document_rules + review if ident.scope == DOCUMENT else district), ident.name
    assert set(DOCUMENT_FAULTS) | set(DISTRICT_FAULTS) | {
        i.name for i in REGISTRY_LIST if i.metric} == set(REGISTRY), "an identity with no planted fault"


def test_the_clean_document_is_silent(clean, evaluated):
    results = evaluated["clean"]
    assert [(r.check_name, r.message) for r in results if r.failed] == []
    district = _district({clean.document_id: clean, "next": _next_year(clean)},
                         _roster(clean) + [RosterEntry(clean.department_code, "", (clean.year + 1,))])
    assert [(r.check_name, r.message) for r in district if r.failed] == []
    # the clean document exercises the rule of every planted identity (a silent rule proves nothing)
    evaluated = {r.check_name for r in results}
    assert {i.name for i in REGISTRY_LIST if i.metric and i.metric in {c.metric for c in clean.claims}} <= evaluated


@pytest.mark.parametrize("name", sorted(DOCUMENT_FAULTS))
def test_a_planted_fault_fires_its_document_identity(evaluated, name):
    fired = _fired(evaluated[name], name)
    assert fired, f"{name} is silent on its planted fault"
    assert not _fired(evaluated["clean"], name)


@pytest.mark.parametrize("name", ["duty_budget_relates_to_total", "project_form_funds_add_up",
                                  "prose_project_budget_vs_forms"])
def test_a_performance_table_fault_fires_only_its_identity(evaluated, name):
    """The performance tables restate figures other identities read too: a misprint on them is reported
    once, by the identity that owns it (the prose's project budget is compared with the forms' totals,
    not with their parts; the duty budgets with the tables' totals, not the reverse)."""
    assert {r.check_name for r in evaluated[name] if r.failed} == {name}


@pytest.mark.parametrize("name", sorted(i.name for i in REGISTRY_LIST if i.metric))
def test_a_misstated_prose_figure_fires_its_restatement(clean, evaluated, name):
    if not clean.claims_of(REGISTRY[name].metric):
        pytest.fail(f"the clean document prints no cell {REGISTRY[name].right} for {name}")
    assert _fired(evaluated[f"prose:{name}"], name), name


@pytest.mark.parametrize("name", sorted(DISTRICT_FAULTS))
def test_a_planted_fault_fires_its_district_identity(clean, name):
    docs, roster = DISTRICT_FAULTS[name](clean)
    assert _fired(_district(docs, roster), name), f"{name} is silent on its planted fault"
    clean_docs = {clean.document_id: clean, "next": _next_year(clean)}
    assert not _fired(_district(clean_docs, _roster(clean) + [RosterEntry(clean.department_code, "",
                                                                          (clean.year + 1,))]), name)


def test_severity_is_lowered_only_through_the_downgrade_function():
    """No rule assigns a severity itself: every lowering names its reason (pipeline/checks/severity.py)."""
    import re
    from pathlib import Path

    rules = Path(__file__).parent.parent / "pipeline" / "checks" / "rules"
    for f in sorted(rules.glob("*.py")):
        src = f.read_text(encoding="utf-8")
        assert not re.search(r"\.severity\s*(,[^=]*)?=(?!=)", src), f"{f.name} sets a severity directly"
