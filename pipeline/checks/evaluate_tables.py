"""Identities within one table and across the tables of one document (registry categories
``within_table`` and ``cross_table``)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from pipeline.checks.base import compare, finding, fmt, total
from pipeline.checks.facts import DocFacts, Line, TableFacts, is_chinese_numbered, is_column_number, normalise_name
from pipeline.checks.result import CheckResult, tolerance
from pipeline.checks.subjects import FUNCTIONAL_CLASSES, is_government_fund_code, structural_problem

#: Tables whose rows are subject codes (functional, or economic for the basic-expenditure table).
CODED_KINDS = ("revenue_summary", "expenditure_summary", "general_budget_expenditure",
               "general_budget_basic_expenditure", "government_fund_expenditure", "soe_capital_expenditure")
SUMMARY_KINDS = ("revenue_expenditure_summary", "fiscal_summary")
EXP_PARTS = ("basic", "project", "operating_expenditure", "remit_upper", "subsidy_affiliated", "reserve")
REVENUE_PARTS = ("fiscal_special_account", "upper_subsidy", "business_income", "operating_income",
                 "affiliated_remittance", "other_income")
FISCAL_PARTS = ("general_budget", "government_fund", "soe_capital")

# --- row totals -----------------------------------------------------------------------------


def _row_rules(kind: str, v: dict[str, Decimal]) -> list[tuple[str, tuple[str, ...], tuple[str, ...] | None]]:
    """(whole, parts, alternative parts) sums that a row of this table kind must satisfy."""
    rules: list = []
    if kind in ("expenditure_summary", "government_fund_expenditure", "soe_capital_expenditure",
                "general_budget_expenditure"):
        # 基本支出 printed as its parts (人员经费 / 公用经费) with no 小计 column of its own: the parts stand in
        if "basic" not in v and ("personnel" in v or "public_funds" in v):
            rules.append(("total", ("personnel", "public_funds") + EXP_PARTS[1:], None))
        elif "basic" in v or "project" in v:
            rules.append(("total", EXP_PARTS, None))
        if "basic" in v and ("personnel" in v or "public_funds" in v):
            rules.append(("basic", ("personnel", "public_funds"), None))
    elif kind in SUMMARY_KINDS:
        # an expenditure row printed with its 基本 (人员 / 公用) and 项目 columns (Putuo's 收支总表)
        if "basic" in v and "project" in v:
            rules.append(("total", ("basic", "project"), None))
        elif ("personnel" in v or "public_funds" in v) and "project" in v:
            rules.append(("total", ("personnel", "public_funds", "project"), None))
        if "basic" in v and ("personnel" in v or "public_funds" in v):
            rules.append(("basic", ("personnel", "public_funds"), None))
    elif kind == "general_budget_basic_expenditure":
        rules.append(("total", ("personnel", "public_funds"), None))
    elif kind == "revenue_summary":
        fiscal = ("fiscal_appropriation",) if "fiscal_appropriation" in v else FISCAL_PARTS
        parts = fiscal + REVENUE_PARTS
        rules.append(("total", parts, parts + ("carryover",)))
        if "fiscal_appropriation" in v and any(p in v for p in FISCAL_PARTS):
            rules.append(("fiscal_appropriation", FISCAL_PARTS, None))
    elif kind == "three_public":
        if any(p in v for p in FISCAL_PARTS):
            rules.append(("total", FISCAL_PARTS, None))
        veh = ("vehicle_total",) if "vehicle_total" in v else ("vehicle_purchase", "vehicle_operation")
        if any(p in v for p in ("overseas_travel", "official_reception") + veh):
            # Tables that also print 会议费/培训费 (Jiangsu) give the 三公 sum its own column.
            whole = "three_public_total" if "three_public_total" in v else "total"
            rules.append((whole, ("overseas_travel", "official_reception") + veh, None))
        if "three_public_total" in v and "total" in v:
            rules.append(("total", ("three_public_total", "meeting", "training"), None))
        if "vehicle_total" in v and ("vehicle_purchase" in v or "vehicle_operation" in v):
            rules.append(("vehicle_total", ("vehicle_purchase", "vehicle_operation"), None))
    return rules


def row_totals(doc: DocFacts) -> list[CheckResult]:
    out = []
    for t in doc.tables:
        for ln in t.lines:
            v = ln.values
            for whole, parts, alt in _row_rules(t.kind, v):
                present = [p for p in parts if p in v]
                if whole not in v or not present:
                    continue
                s = total(v[p] for p in present)
                if alt is not None and s != v[whole]:
                    alt_present = [p for p in alt if p in v]
                    if total(v[p] for p in alt_present) == v[whole]:
                        present, s = alt_present, v[whole]
                out.append(compare(
                    "row_total", doc, f"{t.kind} row '{ln.label()}' {whole}", v[whole], s, len(present),
                    [ln.page], [ln.page], f"{t.title or t.kind} '{ln.label()}' {whole}",
                    " + ".join(present), parts=[v[p] for p in present], tables=(t.index,)))
    return out


# --- column totals and the code hierarchy -----------------------------------------------------


def _parent_of(code: str, codes: set[str], economic: bool = False) -> str | None:
    """The nearest printed ancestor (5-digit 款 then 3-digit 类) of a subject code.

    A code whose 类 part is misprinted ("71102" for 2101102: the 类 digits lost, 款 11 and 项 02 kept) has
    no printed ancestor by its prefix; it belongs to the one printed 款 that ends in its 款 digits."""
    for k in (5, 3):
        if len(code) > k and code[:k] in codes:
            return code[:k]
    if len(code) >= 5 and structural_problem(code, "economic" if economic else "functional"):
        kuan = [c for c in codes if len(c) == 5 and c != code and c.endswith(code[-4:-2])
                and not structural_problem(c, "economic" if economic else "functional")]
        if len(kuan) == 1:
            return kuan[0]
    return None


def column_totals_and_hierarchy(doc: DocFacts) -> list[CheckResult]:
    out = []
    for t in doc.tables:
        if t.kind not in CODED_KINDS:
            continue
        coded = [ln for ln in t.lines if ln.code]
        codes = {ln.code for ln in coded}
        children: dict[str, list[Line]] = {}
        roots: list[Line] = []
        for ln in coded:
            p = _parent_of(ln.code, codes, economic=t.kind == "general_budget_basic_expenditure")
            if p is None:
                roots.append(ln)
            else:
                children.setdefault(p, []).append(ln)
        for parent_code, kids in children.items():
            parent = t.by_code(parent_code)
            for m in sorted(set(parent.values) | {m for k in kids for m in k.values}):
                if m not in parent.values and not any(m in k.values for k in kids):
                    continue
                present = [k for k in kids if m in k.values]
                out.append(compare(
                    "code_hierarchy", doc, f"{t.kind} {parent_code}.{m}", parent.get(m),
                    total(k.values[m] for k in present), max(len(present), 1), [parent.page],
                    [k.page for k in present], f"{t.title or t.kind} {parent.label()} {m}",
                    "sum of " + ", ".join(k.code for k in present) if present else "its sub-codes (none printed)",
                    parts=[k.values[m] for k in present], tables=(t.index,)))
        tot = t.total_line()
        if tot is not None and roots:
            for m in sorted(set(tot.values) | {m for r in roots for m in r.values}):
                present = [r for r in roots if m in r.values]
                s = total(r.values[m] for r in present)
                if m not in tot.values and s == 0:
                    continue
                r = compare(
                    "column_total", doc, f"{t.kind} 合计.{m}", tot.get(m), s, max(len(present), 1),
                    [tot.page], [r.page for r in present], f"{t.title or t.kind} 合计 {m}",
                    "sum of " + ", ".join(r.code for r in present), parts=[r.values[m] for r in present],
                    tables=(t.index,))
                out.append(within_leaf_rounding(r, doc, [ln for ln in coded if ln.code not in children
                                                         and m in ln.values]))
    return out


# --- the two-sided summary tables ------------------------------------------------------------

_CURRENT = {"revenue": re.compile(r"^(本年)?收入合计$"), "expenditure": re.compile(r"^(本年)?支出合计$")}
_GRAND = {"revenue": re.compile(r"^收入总计$"), "expenditure": re.compile(r"^支出总计$")}
_CARRY_PART = re.compile(r"^(其中|财政拨款结转|非财政拨款结转)")
_CARRY_WORDS = re.compile(r"结转|结余|弥补")
_CLASS_NAMES = frozenset(normalise_name(n) for n in FUNCTIONAL_CLASSES.values())


class SummarySide:
    """One side (revenue or expenditure) of a summary table, its rows classified by label."""

    def __init__(self, lines: list[Line], side: str):
        self.side = side
        self.lines = lines
        self.current = next((ln for ln in lines if _CURRENT[side].match(ln.key)), None)
        self.grand = next((ln for ln in lines if _GRAND[side].match(ln.key)), None)
        if self.grand is None and self.current is not None and self.current.key.startswith("本年"):
            # 本年收入合计 … 上年结转结余 … 收入合计: the plain 合计 below the carry-over is the grand total
            self.grand = next((ln for ln in lines if ln.row_index > self.current.row_index
                               and _CURRENT[side].match(ln.key) and not ln.key.startswith("本年")), None)
        numbered = [ln for ln in lines if is_chinese_numbered(ln.numbering) and not _CARRY_WORDS.search(ln.key)]
        if numbered:
            self.items = numbered
        else:
            self.items = [ln for ln in lines if ln is not self.current and ln is not self.grand
                          and not _CARRY_WORDS.search(ln.key) and not ln.key.startswith("其中")
                          and (self.current is None or ln.row_index < self.current.row_index)]
        # 类 rows printed with their 款 rows and no numbering: the 类 (by their names) are the items, never a
        # 类 and its own 款 together (used when the whole list does not add up and the 类 do)
        classes = [ln for ln in self.items if ln.key in _CLASS_NAMES] if not numbered else []
        self.class_items = classes if 0 < len(classes) < len(self.items) else []
        # lines between the current total and the grand total that add to it (上年结转, 年终结转结余 …)
        self.carry = [ln for ln in lines if _CARRY_WORDS.search(ln.key) and not _CARRY_PART.match(ln.key)
                      and ln is not self.current and ln is not self.grand]


def summary_sides(t: TableFacts) -> dict[str, SummarySide]:
    """The two sides of a summary table; a column-number row (甲 1 乙 2) is never an item."""
    return {s: SummarySide([ln for ln in t.lines if ln.side == s and not is_column_number(ln.key)], s)
            for s in ("revenue", "expenditure")}


def _by_column(lines: list[Line], gap: float = 20.0) -> list[list[Line]]:
    """Lines grouped by the column they are printed in (left edges more than ``gap`` pt apart)."""
    if any(ln.x0 is None for ln in lines):
        return [lines]
    columns: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.x0):
        if columns and ln.x0 - columns[-1][-1].x0 <= gap:
            columns[-1].append(ln)
        else:
            columns.append([ln])
    return [sorted(c, key=lambda ln: ln.row_index) for c in columns] or [lines]


def summary_identities(doc: DocFacts) -> list[CheckResult]:
    out = []
    for t in doc.tables:
        if t.kind not in SUMMARY_KINDS:
            continue
        sides = summary_sides(t)
        title = t.title or t.kind
        for s in sides.values():
            if s.current is not None and s.items:
                present = [ln for ln in s.items if ln.get(None) is not None]
                # A side may list its items twice, in two columns (Jiangsu: 功能分类 and 支出用途):
                # each column's items add up to the total on their own.
                for col, items in enumerate(_by_column(present)):
                    what = f"sum of the {s.side} items" + (f" (column {col + 1})" if col else "")
                    r = compare(
                        "summary_current_totals", doc, f"{t.kind} {s.current.key}" + (f" #{col + 1}" if col else ""),
                        s.current.get(None), total(ln.get(None) for ln in items), max(len(items), 1),
                        [s.current.page], [ln.page for ln in items], f"{title} {s.current.name}", what,
                        parts=[ln.get(None) for ln in items], tables=(t.index,))
                    classes = [ln for ln in items if ln in s.class_items]
                    if r.severity == "error" and classes and len(classes) < len(items):
                        alt = compare(
                            "summary_current_totals", doc, r.subject, s.current.get(None),
                            total(ln.get(None) for ln in classes), len(classes), [s.current.page],
                            [ln.page for ln in classes], f"{title} {s.current.name}",
                            f"sum of the {s.side} 类 rows (their 款 rows below each are parts of them)",
                            parts=[ln.get(None) for ln in classes], tables=(t.index,))
                        r = alt if alt.severity != "error" else r
                    out.append(r)
            if s.grand is not None and s.current is not None:
                carry = [ln for ln in s.carry if ln.get(None) is not None]
                out.append(compare(
                    "summary_carryover", doc, f"{t.kind} {s.grand.key}", s.grand.get(None),
                    s.current.get(None) + total(ln.get(None) for ln in carry), 1 + len(carry),
                    [s.grand.page], [s.current.page] + [ln.page for ln in carry], f"{title} {s.grand.name}",
                    " + ".join([s.current.name] + [ln.name for ln in carry]),
                    parts=[s.current.get(None)] + [ln.get(None) for ln in carry], tables=(t.index,)))
        rg, eg = sides["revenue"].grand, sides["expenditure"].grand
        if rg is not None and eg is not None:
            out.append(compare("summary_balance", doc, f"{t.kind} 收入总计=支出总计", rg.get(None), eg.get(None), 1,
                               [rg.page], [eg.page], f"{title} 收入总计", "支出总计", tables=(t.index,)))
    return out


# --- across tables ---------------------------------------------------------------------------


def _summary_line(doc: DocFacts, kind: str, side: str, which: str) -> Line | None:
    t = doc.table(kind)
    if t is None:
        return None
    s = summary_sides(t)[side]
    return getattr(s, which)


def cross_tables(doc: DocFacts) -> list[CheckResult]:
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
        for gm, bm in (("basic", "total"), ("personnel", "personnel"), ("public_funds", "public_funds")):
            if gb_tot.get(gm) is None or b_tot.get(bm) is None:
                continue
            out.append(compare("general_budget_vs_basic_table", doc, gm, gb_tot.get(gm), b_tot.get(bm), 1,
                               [gb_tot.page], [b_tot.page], f"{gb.title or '一般公共预算支出表'} 合计 {gm}",
                               f"{basic.title or '基本支出表'} 合计 {bm}", tables=(gb.index, basic.index)))
    if b_tot is not None:
        for name, measure, classes in (("personnel_is_301_303", "personnel", ("301", "303")),
                                       ("public_funds_is_302_310", "public_funds", ("302", "310"))):
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
                r.severity = "warning"
                r.message += (f"; the table's own {measure} column of its 类 rows adds up to its 合计 "
                              f"{fmt(own)}: it files part of {' / '.join(classes)} under the other column")
            out.append(r)
    out.extend(_government_fund_subjects(doc))
    return out


def within_leaf_rounding(r: CheckResult, doc: DocFacts, leaves: list[Line]) -> CheckResult:
    """A total printed as the rounded sum of the leaf rows beneath (元 amounts printed in 万元) may differ
    from the sum of its rounded parents by up to half a unit per leaf: within that, a warning."""
    if r.severity != "error" or r.difference is None or len(leaves) <= (r.n or 0):
        return r
    tol = tolerance(len(leaves), doc.unit)
    if abs(r.difference) <= tol:
        r.severity = "warning"
        r.message += (f"; within the rounding of the {len(leaves)} leaf rows it totals (tolerance {fmt(tol)}): "
                      "the printed total is their rounded sum")
    return r


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
            r.severity = "ok"   # the 万元 table prints the summary's 元 rounded
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


def evaluate(doc: DocFacts) -> list[CheckResult]:
    return row_totals(doc) + column_totals_and_hierarchy(doc) + summary_identities(doc) + cross_tables(doc)
