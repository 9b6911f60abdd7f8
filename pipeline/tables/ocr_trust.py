"""Figures read from page images: their origin and confidence, and whether their table adds up.

Why: OCR misreads digits (8/3, 1/7, 0/6 …) and a misread digit is not the department's error. A
scanned table is trusted only when its own arithmetic holds: every row identity (whole = Σ parts),
every code level (类 = Σ款, 款 = Σ项, 合计 = Σ类) and, on a side-by-side summary, each side's sums and
the two sides' totals. A table where one fails is doubtful: its figures are kept, its status says
``doubtful`` (the checks then report the identities on it as unverifiable, never as errors), and a
digit that one OCR confusion would change to make a failed identity hold is reported as such — the
figure itself is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.document.numbers import AmountError, parse_amount, to_wan
from pipeline.model import ParseWarning, Row, Table
from pipeline.tables.completeness import PERSONNEL_TOTAL_KINDS, ROW_IDENTITIES

#: Digit pairs an OCR engine confuses (both ways).
CONFUSIONS = (("8", "3"), ("8", "6"), ("8", "0"), ("8", "9"), ("1", "7"), ("0", "6"), ("5", "6"),
              ("3", "5"), ("6", "9"), ("0", "9"), ("4", "1"), ("2", "7"), ("5", "9"))
_PARTNERS: dict[str, list[str]] = {}
for _a, _b in CONFUSIONS:
    _PARTNERS.setdefault(_a, []).append(_b)
    _PARTNERS.setdefault(_b, []).append(_a)
#: Half the last printed digit (amounts are printed to 0.01 of their unit).
HALF = Decimal("0.005")


@dataclass
class Cell:
    """One figure an identity stands on: its row, measure and value (万元)."""

    row: Row
    measure: str

    @property
    def value(self) -> Decimal:
        return self.row.values[self.measure]


@dataclass
class Identity:
    """whole = Σ parts, as printed; ``holds`` within the rounding of its figures."""

    name: str
    whole: list[Cell]
    parts: list[Cell]
    tolerance: Decimal

    @property
    def difference(self) -> Decimal:
        return sum((c.value for c in self.whole), Decimal(0)) - sum((c.value for c in self.parts), Decimal(0))

    @property
    def holds(self) -> bool:
        return abs(self.difference) <= self.tolerance


@dataclass
class Verdict:
    """An OCR table's own arithmetic: the identities checked and those failing."""

    checked: int
    failing: list[Identity] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.checked > 0 and not self.failing


# ---- origin and confidence ---------------------------------------------------------------------
def attach(drafts: list, cells_by_page: dict[int, list]) -> None:
    """Mark the rows read on OCR pages (``origin = "ocr"``) and give each figure the confidence of
    the cell it was read from: the cell in the row's band whose text reads as that figure."""
    for d in drafts:
        for r in d.rows:
            cells = cells_by_page.get(r.page)
            if cells is None:
                continue
            r.origin = "ocr"
            top, bottom = r.bbox[1] - 1, r.bbox[3] + 1
            band = [c for c in cells if top <= (c.bbox[1] + c.bbox[3]) / 2 <= bottom
                    and r.bbox[0] - 1 <= (c.bbox[0] + c.bbox[2]) / 2 <= r.bbox[2] + 1]
            for k, v in r.values.items():
                same = [c.conf for c in band if _reads_as(c.text, v)]
                conf = min(same) if same else (min(c.conf for c in band) if band else 0.0)
                r.confidence[k] = round(conf, 2)


def _reads_as(text: str, value: Decimal) -> bool:
    try:
        return parse_amount(text) == value
    except AmountError:
        return False


# ---- the table's own arithmetic ------------------------------------------------------------------
def identities(t: Table, unit: str) -> list[Identity]:
    """The identities a table's own figures must satisfy (values in 万元, tolerance from the unit)."""
    half = to_wan(HALF, unit)
    out: list[Identity] = []
    rows = [r for r in t.rows if r.values]
    extra = (("total", ("personnel", "public_funds")),) if t.kind in PERSONNEL_TOTAL_KINDS else ()
    for r in rows:
        vals = r.values
        for whole, parts in ROW_IDENTITIES + extra:
            if whole not in vals or not any(p in vals for p in parts):
                continue
            if whole == "total" and parts == ("basic", "project") and any(
                    m in vals for m in ("operating_expenditure", "remit_upper", "subsidy_affiliated",
                                        "reserve", "carryover_next")):
                continue
            ps = [Cell(r, p) for p in parts if p in vals]
            out.append(Identity(f"{_label(r)}: {whole} = {' + '.join(parts)}", [Cell(r, whole)], ps,
                                half * (len(ps) + 1)))
            break
    out += _check_row_identities(t.kind, rows, half, {i.name for i in out})
    for r in rows:      # a total column = the fund sources beside it (三公: 合计 = 一般公共预算 + 基金 + 国资)
        sources = [m for m in FUND_SOURCES if m in r.values]
        if "total" in r.values and len(sources) >= 2 and not any(p in r.values for p in ("basic", "personnel")):
            out.append(Identity(f"{_label(r)}: total = {' + '.join(sources)}", [Cell(r, "total")],
                                [Cell(r, m) for m in sources], half * (len(sources) + 1)))
    if any(r.side for r in rows):
        out += _side_identities(rows, half)
    elif any(r.code for r in rows):
        out += _code_identities(rows, half)
    else:
        out += _listed_identities(rows, half)
    return out


def _check_row_identities(kind: str, rows: list[Row], half: Decimal, have: set[str]) -> list[Identity]:
    """The row sums the checks will run on this table (checks/rules/within_table._row_rules), so a
    scanned table is never accepted while a row check on it can fail: a misread header that loses
    a column (财政拨款收入 read 财政拨黎收入) leaves a row's total beside only some of its parts."""
    from pipeline.checks.rules.within_table import _row_rules

    out = []
    for r in rows:
        for whole, parts, alt in _row_rules(kind, r.values):
            present = [p for p in parts if p in r.values]
            if whole not in r.values or not present:
                continue
            idn = Identity(f"{_label(r)}: {whole} = {' + '.join(present)}", [Cell(r, whole)],
                           [Cell(r, p) for p in present], half * (len(present) + 1))
            if not idn.holds and alt is not None:
                other = [p for p in alt if p in r.values]
                alt_idn = Identity(f"{_label(r)}: {whole} = {' + '.join(other)}", [Cell(r, whole)],
                                   [Cell(r, p) for p in other], half * (len(other) + 1))
                idn = alt_idn if alt_idn.holds else idn
            if idn.name not in have:
                out.append(idn)
                have.add(idn.name)
    return out


#: Fund-source columns a row's total is the sum of (三公, procurement).
FUND_SOURCES = ("general_budget", "government_fund", "soe_capital", "fiscal_special_account", "other_income")
#: Measures that are no sums (a quantity, a price).
NOT_SUMMED = frozenset({"quantity", "unit_price"})


def _listed_identities(rows: list[Row], half: Decimal) -> list[Identity]:
    """A table of named lines with no codes (三公, procurement): its 合计 = Σ its lines (其中 lines
    excluded), and a line followed by 其中 lines = Σ of them."""
    out = []
    total = next((r for r in rows if r.name.replace(" ", "") in ("合计", "总计")), None)
    plain = [r for r in rows if r is not total and r.role != "sub_item"
             and not r.name.replace(" ", "").startswith("其中")]
    if total is not None and plain:
        for m in total.values:
            if m in NOT_SUMMED:
                continue
            ps = [Cell(r, m) for r in plain if m in r.values]
            if ps:
                out.append(Identity(f"{_label(total)} = Σ {len(ps)} lines ({m})", [Cell(total, m)], ps,
                                    half * (len(ps) + 1)))
    for i, r in enumerate(rows):
        subs = []
        for x in rows[i + 1:]:
            if x.role == "sub_item" or x.name.replace(" ", "").startswith("其中"):
                subs.append(x)
            else:
                break
        if r in plain and len(subs) >= 2:
            out += _sum_identities(f"{_label(r)} = Σ its 其中 lines", r, subs, half)
    return out


def _label(r: Row) -> str:
    return " ".join(x for x in (r.code, r.name) if x) or f"row on p{r.page}"


def _code_identities(rows: list[Row], half: Decimal) -> list[Identity]:
    """类 = Σ款, 款 = Σ项 (codes of 3/5/7 digits, or 3/5 economic) and 合计 = Σ top-level codes."""
    out = []
    coded = [r for r in rows if r.code and len(r.code) in (3, 5, 7)]
    codes = {r.code for r in coded}
    for parent in coded:
        kids = [r for r in coded if len(r.code) == len(parent.code) + 2 and r.code.startswith(parent.code)]
        if kids:
            out += _sum_identities(f"{_label(parent)} = Σ its subjects", parent, kids, half)
    tops = [r for r in coded if len(r.code) == min(len(c) for c in codes)] if codes else []
    total = next((r for r in rows if not r.code and r.role in ("total", "grand_total")
                  or (not r.code and r.name.replace(" ", "") in ("合计", "总计"))), None)
    if total is not None and tops:
        out += _sum_identities(f"{_label(total)} = Σ {len(tops)} top-level subjects", total, tops, half)
    return out


def _sum_identities(name: str, whole: Row, parts: list[Row], half: Decimal) -> list[Identity]:
    out = []
    for m, v in whole.values.items():
        ps = [Cell(r, m) for r in parts if m in r.values]
        if ps:
            out.append(Identity(f"{name} ({m})", [Cell(whole, m)], ps, half * (len(ps) + 1)))
    return out


def _side_identities(rows: list[Row], half: Decimal) -> list[Identity]:
    """A side-by-side summary: each side's 本年合计 = Σ its plain lines, 总计 = 本年合计 + carry-over
    lines, and the two 总计 equal."""
    out = []
    grand: dict[str, Row] = {}
    for side in ("revenue", "expenditure"):
        mine = [r for r in rows if r.side == side and "amount" in r.values]
        current = next((r for r in mine if r.role == "current_total"), None)
        plain = [r for r in mine if r.role is None]
        if current is not None and plain:
            out.append(Identity(f"{side}: {current.name} = Σ {len(plain)} lines", [Cell(current, "amount")],
                                [Cell(r, "amount") for r in plain], half * (len(plain) + 1)))
        g = next((r for r in mine if r.role == "grand_total"), None)
        carry = [r for r in mine if r.role in ("carryover", "carryover_next")]
        if g is not None and current is not None:
            out.append(Identity(f"{side}: {g.name} = {current.name} + carry-over", [Cell(g, "amount")],
                                [Cell(current, "amount")] + [Cell(r, "amount") for r in carry],
                                half * (len(carry) + 2)))
        if g is not None:
            grand[side] = g
    if len(grand) == 2:
        out.append(Identity("revenue 总计 = expenditure 总计", [Cell(grand["revenue"], "amount")],
                            [Cell(grand["expenditure"], "amount")], half * 2))
    return out


def verify(t: Table, unit: str) -> Verdict:
    ids = identities(t, unit)
    return Verdict(checked=len(ids), failing=[i for i in ids if not i.holds])


# ---- one-confusion readings ----------------------------------------------------------------------
def confusions(idn: Identity, unit: str) -> list[tuple[Cell, Decimal, str]]:
    """The cells of a failed identity that one OCR digit confusion would make it hold: (cell, the
    other reading in 万元, "a/b")."""
    out = []
    factor = to_wan(Decimal(1), unit)
    diff = idn.difference
    for cell, sign in [(c, 1) for c in idn.whole] + [(c, -1) for c in idn.parts]:
        printed = format((cell.value / factor).normalize(), "f") if factor != 1 else format(cell.value, "f")
        for i, ch in enumerate(printed):
            for other in _PARTNERS.get(ch, []):
                alt = printed[:i] + other + printed[i + 1:]
                new = Decimal(alt) * factor
                # the identity with this cell read as `new`
                if abs(diff + sign * (new - cell.value)) <= idn.tolerance:
                    out.append((cell, new, f"{ch}/{other}"))
    return out


def judge(tables: list[Table], unit: str) -> tuple[list[dict], list[ParseWarning]]:
    """Each OCR table's verdict (for the completeness) and the warnings it gives: a doubtful table's
    failed identities (unverifiable, its figures kept) and the one-confusion readings that would
    reconcile them. Sets ``status = "doubtful"`` on the tables that do not add up."""
    verdicts, warnings = [], []
    for t in tables:
        if t.origin != "ocr" or not t.rows:
            continue
        v = verify(t, unit)
        pages = list(t.pages)
        entry = {"kind": t.kind, "title": t.title, "pages": pages, "identities_checked": v.checked,
                 "identities_failing": len(v.failing), "verdict": "accepted" if v.accepted else "doubtful"}
        verdicts.append(entry)
        if v.accepted:
            continue
        t.status = "doubtful"
        why = (f"{len(v.failing)} of {v.checked} of its own identities fail" if v.checked
               else "it has no identity of its own to verify it")
        warnings.append(ParseWarning("ocr_doubtful", f"{t.title}: a table read from a page image whose arithmetic "
                                f"does not hold ({why}); its figures are kept, the identities on it are "
                                "unverifiable", pages, [i.name for i in v.failing][:20]))
        for idn in v.failing:
            for cell, new, pair in confusions(idn, unit):
                warnings.append(ParseWarning(
                    "ocr_confusion", f"{t.title} p{cell.row.page}: {_label(cell.row)} {cell.measure} read "
                    f"{cell.value}; read as {new} (a {pair} confusion) it would make '{idn.name}' hold — "
                    "not changed", [cell.row.page], [str(cell.value), str(new), cell.measure]))
    return verdicts, warnings
