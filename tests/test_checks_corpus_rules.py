"""The rules the real corpora taught the checks, each on a small document: a procurement table printed
as a tree, prose figures at the precision they are printed, parts of a whole of wider scope, subject
items of the prose, and a fund's change against its level. Each is also shown to fail when it should."""

from __future__ import annotations

from types import SimpleNamespace

import duckdb

from test_checks_support import D, _row, build_warehouse, mini_document

from pipeline.checks.engine import compute_results
from pipeline.checks.rules.procurement import top_level_lines
from pipeline.model import Claim

LOC = "2023/201_mini.pdf"


def _results(tmp_path, result):
    home = build_warehouse(tmp_path, {LOC: result})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        return compute_results(con)[0]
    finally:
        con.close()


def _by(results, name):
    return [r for r in results if r.check_name == name]


def _lines(*amounts, quantity=None):
    return [SimpleNamespace(amount=D(a), quantity=quantity, unit_price=None) for a in amounts]


def test_a_procurement_tree_is_summed_by_its_top_level_rows():
    # 货物 355.67 = 办公设备 300 (= 18 + 282) + 会议 55.67; 服务 926.09 = 926.09
    tree = _lines("355.67", "300", "18", "282", "55.67", "926.09", "926.09")
    top = top_level_lines(tree, D("1281.76"))
    assert [x.amount for x in top] == [D("355.67"), D("926.09")]
    assert top_level_lines(tree, D("1281.75")) is None           # a total one cent off fits no tree
    assert top_level_lines(_lines("5", "2", "3"), D("10")) is None  # flat, and not a tree: None
    # a line with a quantity is an item, never a group over the lines after it
    assert top_level_lines(_lines("5", "2", "3", quantity=D(1)), D("5")) is None


def test_a_hierarchical_procurement_table_holds_and_a_broken_one_is_an_error(tmp_path):
    doc = mini_document()
    proc = next(t for t in doc.tables if t.kind == "procurement")
    proc.rows = [_row("合计", {"amount": "3.00"}, 8), _row("货物", {"amount": "3.00"}, 8),
                 _row("办公设备", {"amount": "3.00"}, 8), _row("台式计算机", {"amount": "2.00"}, 8),
                 _row("打印机", {"amount": "1.00"}, 8)]
    assert [r.severity for r in _by(_results(tmp_path / "a", doc), "procurement_lines_sum")] == ["ok"]
    proc.rows[-1].values["amount"] = D("1.50")
    assert [r.severity for r in _by(_results(tmp_path / "b", doc), "procurement_lines_sum")] == ["error"]


def test_prose_in_wan_restating_a_yuan_table_at_its_printed_precision(tmp_path):
    doc = mini_document(unit="元")
    total = next(c for c in doc.narrative if c.metric == "total_expenditure").amount
    summ = next(t for t in doc.tables if t.kind == "revenue_expenditure_summary")
    row = next(r for r in summ.rows if r.name == "本年支出合计")
    row.values["amount"] -= D("0.4831")       # the cells the prose may restate, 4,831 元 lower
    exp = next(t for t in doc.tables if t.kind == "expenditure_summary")
    next(r for r in exp.rows if r.name == "合计").values["total"] -= D("0.4831")
    for c in doc.narrative:
        if c.metric == "total_expenditure":
            c.amount, c.quote = total, f"支出预算{total:.0f}万元"   # printed to the 万: rounds right
    r = next(r for r in _by(_results(tmp_path / "a", doc), "prose_total_expenditure"))
    assert r.severity == "ok", r.message
    for c in doc.narrative:
        if c.metric == "total_expenditure":
            c.quote = f"支出预算{total:.2f}万元"                    # printed to the cent: 0.48 off
    r = next(r for r in _by(_results(tmp_path / "b", doc), "prose_total_expenditure"))
    assert r.severity == "error", r.message


def test_a_truncated_prose_figure_is_a_warning_and_a_wrong_one_an_error(tmp_path):
    doc = mini_document(unit="元")
    exp = next(t for t in doc.tables if t.kind == "expenditure_summary")
    leaf = next(r for r in exp.rows if r.code == "2120101")
    leaf_total = leaf.values["total"] + D("0.0078")     # …x.xx78 万元: truncation and rounding differ
    quote = f"“城乡社区支出（类）城乡社区管理事务（款）{leaf.name}（项）”{{}}万元"
    truncated = leaf_total.quantize(D("0.01"), rounding="ROUND_DOWN")
    leaf.values["total"] = leaf_total
    doc.narrative += [Claim("item_amount", truncated, 9, quote.format(truncated)),
                      Claim("item_amount", D("1234.56"), 9, quote.format("1234.56"))]
    items = _by(_results(tmp_path, doc), "prose_item_vs_table")
    assert sorted(r.severity for r in items) == ["error", "warning"], [r.message for r in items]


def test_stated_item_figures_and_percentages(tmp_path):
    doc = mini_document()
    q = "“城乡社区支出（类）城乡社区管理事务（款）行政运行（项）”{}万元"
    doc.narrative += [
        Claim("item_amount", D("220.63"), 9, q.format("220.63")),
        Claim("item_prior_actual", D("132.59"), 9, "当年预算执行数为132.59万元"),
        Claim("item_budget", D("441.25"), 9, "2023年预算安排441.25万元"),
        Claim("item_change_pct", D("60.54"), 9, "比2022年预算执行数增加60.54%"),
        Claim("government_fund_expenditure", D("0"), 9, "政府性基金拨款支出预算0万元"),
        Claim("increase_government_fund", D("1421.25"), 9, "政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元"),
    ]
    results = _results(tmp_path, doc)
    restated = _by(results, "prose_item_budget_restated")
    assert [(r.severity, r.left_value, r.right_value) for r in restated] == [("error", D("441.25"), D("220.63"))]
    pct = _by(results, "prose_item_change_pct")
    assert [r.severity for r in pct] == ["error"] and abs(pct[0].right_value - D("232.7928")) < D("0.0001")
    level = _by(results, "prose_change_vs_level")
    assert [(r.severity, r.right_value) for r in level] == [("error", D("-1421.25"))]


def test_a_whole_of_wider_scope_than_its_parts_is_not_an_error(tmp_path):
    doc = mini_document()
    claims = {c.metric: c for c in doc.narrative}
    # the prose's whole is the table's (it includes a 预留 the prose does not name): holds with the tables
    extra = D("15.00")
    summ = next(t for t in doc.tables if t.kind == "revenue_expenditure_summary")
    exp = next(t for t in doc.tables if t.kind == "expenditure_summary")
    for t in (summ, exp):
        for r in t.rows:
            if r.name in ("本年支出合计", "合计", "支出总计") and "total" in r.values:
                r.values["total"] += extra
            elif r.name in ("本年支出合计", "支出总计") and "amount" in r.values:
                r.values["amount"] += extra
    claims["total_expenditure"].amount += extra
    parts = _by(_results(tmp_path / "a", doc), "prose_parts_add_up")
    tot = next(r for r in parts if r.subject == "total_expenditure")
    assert tot.severity != "error", tot.message
    # without tables to tell the scope the same prose cannot be verified: a warning, never an error
    doc.tables = [t for t in doc.tables if t.kind == "procurement"]
    parts = _by(_results(tmp_path / "b", doc), "prose_parts_add_up")
    assert [r.severity for r in parts if r.subject == "total_expenditure"] == ["warning"]


def test_a_misprinted_code_is_the_documents_variant_not_an_error(tmp_path):
    doc = mini_document()
    exp = next(t for t in doc.tables if t.kind == "expenditure_summary")
    leaf = next(r for r in exp.rows if r.code == "2120101")
    leaf.code = "70101"                            # 类 digits lost: 款 01, 项 01 kept; 收入总表 prints 2120101
    results = _results(tmp_path, doc)
    codes = [r for r in _by(results, "subject_codes_valid") if r.subject == "70101"]
    assert [r.severity for r in codes] == ["warning"], [r.message for r in codes]
    assert not [r for r in results if r.check_name in ("column_total", "code_hierarchy") and r.severity == "error"]



def test_a_stated_identity_is_checked_and_quotes_the_sentence_printing_the_figure(tmp_path):
    """Jiangsu: "…支出数一致，并按…“款”级细化列示。…机关运行经费预算支出5619.31万元" against the 302 line."""
    doc = mini_document()
    basic = next(t for t in doc.tables if t.kind == "general_budget_basic_expenditure")
    row302 = next(r for r in basic.rows if r.code == "302")
    stated = row302.values["total"] + D("100")
    quote = (f"基本支出预算表》的“商品和服务支出”支出数一致，并按经济分类“款”级细化列示。"
             f"本部门机关运行经费预算支出{stated}万元")
    doc.narrative.append(Claim("operating_expenses_stated_as_302", stated, 9, quote))
    (r,) = _by(_results(tmp_path, doc), "prose_operating_expenses_is_302")
    assert r.severity == "error" and r.difference == D("100")
    assert f"prose “本部门机关运行经费预算支出{stated}万元” (stated equal to the 302 line)" in r.message
