"""Property test of the checks over random variants of one document (issue 12, item 4, on the checks side):
hierarchies of 类/款/项, summary sides with numbered or unnumbered items, 其中 sub-rows, column-number
rows, carry-overs printed as 收入总计 or as a plain 收入合计 under 本年收入合计, asset tables as a fixed-asset
list or a full 一、/（一）/1、 tree, and the prose stating 收入总计 or 本年收入合计. A clean variant raises no
error; one planted fault raises an error from the identity meant for it. Built as DocFacts and written
straight into one warehouse (tests/test_checks_support.facts_warehouse: the identities their SQL view owns
are evaluated there), so 500 variants take seconds; the fixed seed makes a failure reproducible."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from test_checks_support import facts_results, facts_warehouse

from pipeline.checks.facts import AssetLine, ClaimFact, DocFacts, Line, PrintedTable, TableFacts
from pipeline.checks.subjects import FUNCTIONAL_CLASSES

VARIANTS = 500
CENT = Decimal("0.01")
CN = "一二三四五六七八九十"


def _amount(rng: random.Random, lo: int = 1, hi: int = 500_00) -> Decimal:
    return Decimal(rng.randint(lo, hi)) * CENT


class Builder:
    """One random, consistent document; ``fault`` plants one inconsistency and names the check for it."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.tables: list[TableFacts] = []
        self.claims: list[ClaimFact] = []
        self.assets: list[AssetLine] = []
        self.row = 0

    def line(self, t: TableFacts, name: str, values: dict, code: str | None = None, side: str | None = None,
             page: int = 1, numbering: str | None = None) -> Line:
        self.row += 1
        ln = Line(self.row, side, code, name, numbering, page, dict(values), x0=None)
        t.lines.append(ln)
        return ln

    def expenditure(self) -> tuple[TableFacts, list[Line]]:
        t = TableFacts("expenditure_summary", "支出总表", 1)
        rng = self.rng
        classes = rng.sample(sorted(FUNCTIONAL_CLASSES), rng.randint(1, 4))
        tot = self.line(t, "合计", {}, page=3)
        leaves, class_rows = [], []
        for c in classes:
            cl = self.line(t, FUNCTIONAL_CLASSES[c], {}, c, page=3)
            class_rows.append(cl)
            for k in range(rng.randint(1, 3)):
                kc = f"{c}{k + 1:02d}"
                kl = self.line(t, f"款{kc}", {}, kc, page=3)
                sums = {"basic": Decimal(0), "project": Decimal(0)}
                for x in range(rng.randint(1, 3)):
                    b, p = _amount(rng), (_amount(rng) if rng.random() < .6 else Decimal(0))
                    leaf = self.line(t, f"项{kc}{x + 1:02d}", {"total": b + p, "basic": b, "project": p},
                                     f"{kc}{x + 1:02d}", page=3)
                    leaves.append(leaf)
                    sums["basic"] += b
                    sums["project"] += p
                kl.values = {"total": sums["basic"] + sums["project"], **sums}
            kids = [ln for ln in t.lines if ln.code and len(ln.code) == 5 and ln.code.startswith(c)]
            cl.values = {m: sum((k.values[m] for k in kids), Decimal(0)) for m in ("total", "basic", "project")}
        tot.values = {m: sum((c.values[m] for c in class_rows), Decimal(0)) for m in ("total", "basic", "project")}
        self.tables.append(t)
        return t, class_rows

    def summary(self, total: Decimal, classes: list[Line]) -> TableFacts:
        rng = self.rng
        t = TableFacts("revenue_expenditure_summary", "收支总表", 0)
        if rng.random() < .5:   # the column-number row
            self.line(t, "甲", {"amount": Decimal(1)}, side="revenue")
            self.line(t, "乙", {"amount": Decimal(2)}, side="expenditure")
        fiscal = _amount(rng, 1, int(total / CENT)) if total > CENT else total
        other = total - fiscal
        items = [("一般公共预算拨款收入", fiscal), ("事业收入", other)]
        for i, (name, v) in enumerate(items):
            self.line(t, f"{CN[i]}、{name}", {"amount": v}, side="revenue", numbering=f"{CN[i]}、")
            if rng.random() < .4 and v > CENT:   # a 其中 sub-row, never added on top of its item
                self.line(t, "其中：专项", {"amount": (v / 2).quantize(CENT)}, side="revenue")
        carry = _amount(rng) if rng.random() < .6 else Decimal(0)
        self.line(t, "本年收入合计", {"amount": total}, side="revenue")
        self.line(t, "上年结转结余", {"amount": carry}, side="revenue")
        if rng.random() < .5:
            self.line(t, "其中：财政拨款结转", {"amount": carry}, side="revenue")
        grand_name = rng.choice(["收入总计", "收入合计"])
        self.line(t, grand_name, {"amount": total + carry}, side="revenue")
        numbered = rng.random() < .5
        for i, cl in enumerate(classes):
            name = f"{CN[i]}、{cl.name}" if numbered else cl.name
            self.line(t, name, {"amount": cl.values["total"]}, side="expenditure",
                      numbering=f"{CN[i]}、" if numbered else None)
            if not numbered and rng.random() < .5:   # its 款 printed under it, unnumbered
                self.line(t, "其中款", {"amount": cl.values["total"]}, side="expenditure")
        self.line(t, "本年支出合计", {"amount": total}, side="expenditure")
        self.line(t, "结转下年", {"amount": carry}, side="expenditure")
        self.line(t, "支出总计", {"amount": total + carry}, side="expenditure")
        self.tables.append(t)
        self.grand, self.current, self.carry = total + carry, total, carry
        return t

    def asset_table(self) -> Decimal:
        rng = self.rng
        rows: list[tuple[str, Decimal | None]] = []
        if rng.random() < .5:   # a fixed-asset list: 资产总额, 1、 2、 … with 其中 sub-lines
            fixed = Decimal(0)
            for i in range(rng.randint(1, 4)):
                v = _amount(rng)
                fixed += v
                rows.append((f"{i + 1}、类别{i}", v))
                if rng.random() < .5:
                    rows.append(("其中：办公用房", (v / 2).quantize(CENT)))
            rows.insert(0, ("资产总额", fixed + _amount(rng)))
        else:                   # a full tree: 一、流动资产 二、固定资产 (（一） 1、 under it)
            current, parts = _amount(rng), [_amount(rng) for _ in range(rng.randint(1, 3))]
            fixed = sum(parts, Decimal(0))
            rows += [("资产总额", current + fixed), ("一、流动资产", current), ("二、固定资产", fixed)]
            for i, v in enumerate(parts):
                rows.append((f"（{CN[i]}）类别{i}", v))
                rows.append((f"1、明细{i}", v))
        for i, (item, v) in enumerate(rows):
            self.assets.append(AssetLine(i, item, v, None, 12))
        return fixed

    def build(self) -> DocFacts:
        exp, classes = self.expenditure()
        total = exp.lines[0].values["total"]
        self.summary(total, classes)
        fixed = self.asset_table()
        if self.rng.random() < .5:
            self.claims.append(ClaimFact(0, "total_revenue", self.grand, 9, f"预算收入总计{self.grand}万元"))
        else:
            self.claims.append(ClaimFact(0, "total_revenue", self.current, 9, f"本年收入合计{self.current}万元"))
        self.claims.append(ClaimFact(1, "fixed_assets", fixed, 9, f"固定资产{fixed}万元"))
        printed = [PrintedTable(t.index, t.kind, t.title, [t.lines[0].page if t.lines else 1], False, None, None,
                                None) for t in self.tables]
        return DocFacts("d", "201", "测试", 2023, "万元", "loaded", tables=self.tables, claims=self.claims,
                        assets=self.assets, printed=printed, pages=20)


FAULTS = ("leaf", "total", "prose_revenue", "prose_fixed", "summary_item")


def _plant(doc: DocFacts, fault: str, rng: random.Random) -> set[str]:
    """Plant one fault; the checks meant to report it."""
    delta = Decimal(rng.randint(10, 999)) * CENT   # beyond any rounding tolerance of this document
    exp = next(t for t in doc.tables if t.kind == "expenditure_summary")
    if fault == "leaf":
        leaf = rng.choice([ln for ln in exp.lines if ln.code and len(ln.code) == 7])
        leaf.values["total"] += delta
        return {"row_total", "code_hierarchy"}
    if fault == "total":
        exp.lines[0].values["total"] += delta
        return {"column_total"}
    if fault == "prose_revenue":
        doc.claims[0].amount += delta
        return {"prose_total_revenue"}
    if fault == "prose_fixed":
        doc.claims[1].amount += delta
        return {"prose_fixed_assets"}
    summ = next(t for t in doc.tables if t.kind == "revenue_expenditure_summary")
    item = next(ln for ln in summ.lines if ln.numbering == "一、" and ln.side == "revenue")
    item.values["amount"] += delta
    return {"summary_current_totals"}


def test_clean_variants_raise_no_error_and_each_planted_fault_its_error(tmp_path):
    rng = random.Random(20261203)
    cleans, faulty = [], []
    for i in range(VARIANTS):
        seed = rng.randrange(1 << 30)
        clean = Builder(random.Random(seed)).build()
        clean.document_id = f"clean-{i}"
        fault = FAULTS[i % len(FAULTS)]
        doc = Builder(random.Random(seed)).build()
        doc.document_id = f"fault-{i}"
        cleans.append((seed, clean))
        faulty.append((seed, fault, doc, _plant(doc, fault, random.Random(seed + 1))))
    docs = [d for _, d in cleans] + [d for _, _, d, _ in faulty]
    con = facts_warehouse(tmp_path / "variants.duckdb", docs)   # the view-owned identities read the warehouse
    try:
        results = facts_results(con, docs)
    finally:
        con.close()
    missed, false = [], []
    for seed, clean in cleans:
        errors = [r for r in results[clean.document_id] if r.severity == "error"]
        if errors:
            false.append((seed, [r.message for r in errors][:3]))
    for seed, fault, doc, meant in faulty:
        hits = [r for r in results[doc.document_id] if r.severity == "error" and r.check_name in meant]
        if not hits:
            missed.append((seed, fault))
    assert false == [], false[:5]
    assert missed == [], missed[:10]


@pytest.mark.parametrize("fault", FAULTS)
def test_the_planted_fault_is_also_missed_by_nothing_else(fault, tmp_path):
    """The fault is reported by its check, and the other errors it causes name the same figures."""
    doc = Builder(random.Random(7)).build()
    meant = _plant(doc, fault, random.Random(8))
    con = facts_warehouse(tmp_path / "variant.duckdb", [doc])
    try:
        errors = [r for r in facts_results(con, [doc])[doc.document_id] if r.severity == "error"]
    finally:
        con.close()
    assert {r.check_name for r in errors} & meant
