"""Identities across the tables of one document: the summary against the revenue/expenditure tables, the
basic-expenditure table's splits, 机关运行经费 and government-fund subjects (registry category ``cross_table``)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from pipeline.checks.base import RuleContext, compare, finding, fmt, total
from pipeline.checks.facts import DocFacts, Line, TableFacts
from pipeline.checks.catalogue import REGISTRY, WARNING
from pipeline.checks.result import OK, CheckResult
from pipeline.checks.rules.within_table import summary_sides, within_leaf_rounding
from pipeline.checks.severity import downgrade
from pipeline.checks.subjects import is_government_fund_code


# --- across tables ---------------------------------------------------------------------------


def _summary_line(doc: DocFacts, kind: str, side: str, which: str) -> Line | None:
    t = doc.table(kind)
    if t is None:
        return None
    s = summary_sides(t)[side]
    return getattr(s, which)


def cross_tables(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    out = []
    summ = doc.table("revenue_expenditure_summary")
    rev, exp = doc.table("revenue_summary"), doc.table("expenditure_summary")
    gb, basic = doc.table("general_budget_expenditure"), doc.table("general_budget_basic_expenditure")
    fiscal = doc.table("fiscal_summary")

    cur_rev = _summary_line(doc, "revenue_expenditure_summary", "revenue", "current")
    rev_tot = rev.total_line() if rev else None
    # a 收入总表 printing a 本年收入 group beside 上年结转 gives the current year its own 小计 (current_total);
    # its 合计 then includes the carry-over, which the summary's 本年收入合计 does not
    # Without that 小计, a 上年结转 column beside the current year's sources is still in the 合计: the
    # current year is the 合计 less the carry-over.
    rev_current, rev_label = None, "合计"
    if rev_tot is not None:
        if rev_tot.get("current_total") is not None:
            rev_current, rev_label = rev_tot.get("current_total"), "本年收入 小计"
        elif rev_tot.get("total") is not None and rev_tot.get("carryover") is not None:
            rev_current, rev_label = rev_tot.get("total") - rev_tot.get("carryover"), "合计 − 上年结转"
        else:
            rev_current = rev_tot.get("total")
    if cur_rev is not None and rev_current is not None:
        out.append(compare("summary_revenue_vs_revenue_table", doc, "本年收入合计", cur_rev.get(None),
                           rev_current, 1, [cur_rev.page], [rev_tot.page],
                           f"{summ.title or '收支总表'} 本年收入合计", f"{rev.title or '收入总表'} {rev_label}",
                           tables=(summ.index, rev.index)))
    cur_exp = _summary_line(doc, "revenue_expenditure_summary", "expenditure", "current")
    exp_tot = exp.total_line() if exp else None
    if cur_exp is not None and exp_tot is not None and exp_tot.get("total") is not None:
        out.append(compare("summary_expenditure_vs_expenditure_table", doc, "本年支出合计", cur_exp.get(None),
                           exp_tot.get("total"), 1, [cur_exp.page], [exp_tot.page],
                           f"{summ.title or '收支总表'} 本年支出合计", f"{exp.title or '支出总表'} 合计",
                           tables=(summ.index, exp.index)))
    if summ is not None and exp is not None:
        items = summary_sides(summ)["expenditure"].items
        for ln in exp.lines:
            if not ln.code or len(ln.code) != 3 or ln.get("total") is None:
                continue
            match = next((it for it in items if it.key == ln.key), None)
            if match is None:
                continue
            out.append(compare("summary_class_vs_expenditure_table", doc, f"类 {ln.code}", match.get(None),
                               ln.get("total"), 1, [match.page], [ln.page],
                               f"{summ.title or '收支总表'} {match.name}", f"{exp.title or '支出总表'} {ln.label()}",
                               tables=(summ.index, exp.index)))
            b_of = _basic_of(match)
            if b_of is not None and ln.get("basic") is not None:
                out.append(compare("summary_class_vs_expenditure_table", doc, f"类 {ln.code} basic", b_of[0],
                                   ln.get("basic"), 1, [match.page], [ln.page],
                                   f"{summ.title or '收支总表'} {match.name} {b_of[1]}",
                                   f"{exp.title or '支出总表'} {ln.label()} basic", parts=b_of[2],
                                   tables=(summ.index, exp.index)))
    if summ is not None and fiscal is not None:
        f_items = summary_sides(fiscal)["revenue"].items
        s_items = summary_sides(summ)["revenue"].items
        for fl in f_items:
            if not re.search(r"一般公共预算|政府性基金|国有资本经营", fl.key) or fl.get(None) is None:
                continue
            sl = next((x for x in s_items if x.key == fl.key), None)
            if sl is None or sl.get(None) is None:
                continue
            out.append(compare("fiscal_summary_vs_summary", doc, fl.key, fl.get(None), sl.get(None), 1,
                               [fl.page], [sl.page], f"{fiscal.title or '财政拨款收支总表'} {fl.name}",
                               f"{summ.title or '收支总表'} {sl.name}", tables=(fiscal.index, summ.index)))
    out.extend(_summary_basic_vs_basic_table(doc, summ, basic))
    gb_tot = gb.total_line() if gb else None
    b_tot = basic.total_line() if basic else None
    if gb_tot is not None and b_tot is not None:
        for gm, bm in REGISTRY["general_budget_vs_basic_table"].params["measures"]:
            if gb_tot.get(gm) is None or b_tot.get(bm) is None:
                continue
            out.append(compare("general_budget_vs_basic_table", doc, gm, gb_tot.get(gm), b_tot.get(bm), 1,
                               [gb_tot.page], [b_tot.page], f"{gb.title or '一般公共预算支出表'} 合计 {gm}",
                               f"{basic.title or '基本支出表'} 合计 {bm}", tables=(gb.index, basic.index)))
    if b_tot is not None:
        for name in ("personnel_is_301_303", "public_funds_is_302_310"):
            measure, classes = REGISTRY[name].params["measure"], REGISTRY[name].params["classes"]
            rows = [basic.by_code(c) for c in classes]
            rows = [r for r in rows if r is not None and r.get("total") is not None]
            if b_tot.get(measure) is None or not rows:
                continue
            r = compare(name, doc, measure, b_tot.get(measure), total(r.get("total") for r in rows),
                        len(rows), [b_tot.page], [r.page for r in rows],
                        f"{basic.title or '基本支出表'} 合计 {measure}",
                        " + ".join(r.label() for r in rows), tables=(basic.index,))
            leaves = [ln for ln in basic.lines if ln.code and ln.code[:3] in classes and ln.get("total") is not None
                      and not any(o.code != ln.code and o.code and o.code.startswith(ln.code) for o in basic.lines)]
            r = within_leaf_rounding(r, doc, leaves)
            own = _classes_by_column(basic, measure)
            if r.severity == "error" and own is not None and own == b_tot.get(measure):
                # the table prints each 类's money in its own 人员/公用 columns, and they add up: it files a
                # class under the other column (上海: 303 under 公用经费), a convention, not an inconsistency
                downgrade(r, WARNING, "the table files part of a 类 under the other column (a convention)")
                r.message += (f"; the table's own {measure} column of its 类 rows adds up to its 合计 "
                              f"{fmt(own)}: it files part of {' / '.join(classes)} under the other column")
            out.append(r)
    out.extend(_government_fund_subjects(doc))
    return out


def _classes_by_column(basic: TableFacts, measure: str) -> Decimal | None:
    """The sum of a measure's column over the basic table's 类 rows, when they print it."""
    classes = [ln for ln in basic.lines if ln.code and len(ln.code) == 3]
    if not classes or not any(measure in ln.values for ln in classes):
        return None
    return total(ln.get(measure) for ln in classes)


def _basic_of(ln: Line) -> tuple[Decimal, str, list[Decimal]] | None:
    """A summary row's basic expenditure: its 基本支出 column, or 人员经费 + 公用经费 (value, label, amounts)."""
    if ln.get("basic") is not None:
        return ln.get("basic"), "basic", [ln.get("basic")]
    parts = [ln.get(m) for m in ("personnel", "public_funds") if ln.get(m) is not None]
    if not parts:
        return None
    return total(parts), "personnel + public_funds", parts


def _all_fiscal(summ: TableFacts) -> bool:
    """The summary's revenue is all fiscal appropriation (the basic-expenditure table, fiscal funds only,
    then covers the same money)."""
    rev = summary_sides(summ)["revenue"]
    grand = rev.grand or rev.current
    fiscal = next((ln for ln in rev.lines if re.fullmatch(r"(一般公共预算|财政拨款)(拨款)?收入", ln.key)), None)
    return grand is not None and fiscal is not None and grand.get(None) is not None and \
        grand.get(None) == fiscal.get(None)


def _summary_basic_vs_basic_table(doc: DocFacts, summ: TableFacts | None,
                                  basic: TableFacts | None) -> list[CheckResult]:
    """The summary's 人员经费 / 公用经费 (支出总计 row) against the basic-expenditure table's 合计, when the
    summary prints those columns and all its money is fiscal (else the two cover different funds)."""
    if summ is None or basic is None or not _all_fiscal(summ):
        return []
    side = summary_sides(summ)["expenditure"]
    row = side.grand or side.current
    b_tot = basic.total_line()
    if row is None or b_tot is None:
        return []
    out = []
    three = doc.table("three_public")
    organ = three.total_line() or (three.lines[0] if len(three.lines) == 1 else None) if three else None
    if organ is not None and organ.get("operating_expenses_of_organ") is not None and row.get("public_funds") is not None:
        left, right = organ.get("operating_expenses_of_organ"), row.get("public_funds")
        r = compare("operating_expenses_vs_summary_public_funds", doc, "机关运行经费", left, right, 1,
                    [organ.page], [row.page], f"{three.title or '三公经费表'} 机关运行经费",
                    f"{summ.title or '收支总表'} {row.name} public_funds", unit="万元",
                    tables=(three.index, summ.index))
        if r.severity != "ok" and right.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == left:
            downgrade(r, OK, "the 万元 table prints the summary's 元 figure rounded")
        out.append(r)
    for m in ("personnel", "public_funds"):
        if row.get(m) is None or b_tot.get(m) is None:
            continue
        out.append(compare("general_budget_vs_basic_table", doc, f"summary {m}", row.get(m), b_tot.get(m), 1,
                           [row.page], [b_tot.page], f"{summ.title or '收支总表'} {row.name} {m}",
                           f"{basic.title or '基本支出表'} 合计 {m}", tables=(summ.index, basic.index)))
    return out


def _government_fund_subjects(doc: DocFacts) -> list[CheckResult]:
    if any(t.kind == "government_fund_expenditure" and t.lines for t in doc.tables):
        return []
    printed = doc.printed_of("government_fund_expenditure")
    state = ("printed empty" + (f": “{printed[0].note}”" if printed[0].note else "")
             + f" (p. {','.join(map(str, printed[0].pages))})") if printed else "not printed"
    out = []
    t = doc.table("expenditure_summary") or doc.table("general_budget_expenditure")
    if t is None:
        return out
    codes = {ln.code for ln in t.lines if ln.code}
    for ln in t.lines:
        if not ln.code or not is_government_fund_code(ln.code):
            continue
        if any(c != ln.code and c.startswith(ln.code) for c in codes):
            continue  # report the most detailed code only
        amt = ln.get("total")
        if amt is None or amt == 0:
            continue
        out.append(finding(
            "government_fund_subject_without_table", doc, f"code {ln.code}",
            f"{ln.label()} carries {fmt(amt)} (p. {ln.page}) on a government-fund subject, but the "
            f"government-fund expenditure table is {state}",
            left=amt, left_pages=[ln.page]))
    return out
