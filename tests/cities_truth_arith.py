"""Arithmetic of a cell-level truth table (Decimal): column identities, code hierarchy, total row.

Kept apart from the test so the truth builder and the test check the same identities.
"""
from __future__ import annotations

from decimal import Decimal

TOTAL_LABELS = ("合计", "总计")


def _d(values: dict, key: str) -> Decimal:
    v = values.get(key)
    return Decimal(v) if v not in (None, "", "-") else Decimal(0)


def _tol(n: int, unit: str | None) -> Decimal:
    """Rounding allowance n × 0.005 (DOMAIN.md); below one cent per term, so 元 integer tables are exact."""
    return Decimal("0.005") * max(n, 1)


def check_table(table: dict) -> tuple[list[str], list[str]]:
    """Return (identities satisfied, failures) for one table with rows."""
    rows = table["rows"]
    ok: list[str] = []
    bad: list[str] = []
    cols = sorted({k for r in rows for k in r["values"]})
    unit = table.get("unit")
    # 1. column identities declared in the truth file: total column = sum of part columns, every row
    for total, parts in table.get("column_identities", []):
        fails = []
        for r in rows:
            v = r["values"]
            if total not in v and not any(p in v for p in parts):
                continue
            lhs, rhs = _d(v, total), sum((_d(v, p) for p in parts), Decimal(0))
            if abs(lhs - rhs) > _tol(len(parts), unit):
                fails.append(f"{r.get('code', '')} {r['label']}: {total}={lhs} vs Σ{parts}={rhs}")
        (bad.extend(fails) if fails else ok.append(f"row-wise {total} = {' + '.join(parts)}"))
    # 2. code hierarchy: a parent code row = sum of its direct children, every column
    coded = [r for r in rows if r.get("code")]
    lengths = sorted({len(r["code"]) for r in coded})
    n_par = 0
    for r in coded:
        c = r["code"]
        nxt = [n for n in lengths if n > len(c)]
        if not nxt:
            continue
        kids = [k for k in coded if len(k["code"]) == nxt[0] and k["code"].startswith(c)]
        if not kids:
            continue
        n_par += 1
        for col in cols:
            lhs = _d(r["values"], col)
            rhs = sum((_d(k["values"], col) for k in kids), Decimal(0))
            if abs(lhs - rhs) > _tol(len(kids), unit):
                bad.append(f"hierarchy {c} {r['label']} [{col}]: {lhs} vs Σ children {rhs}")
    if n_par:
        ok.append(f"code hierarchy ({n_par} parent rows = Σ children)")
    # 3. total row = sum of the top-level coded rows
    tot = [r for r in rows if not r.get("code") and r["label"].replace(" ", "") in TOTAL_LABELS]
    if tot and coded:
        top = [r for r in coded if len(r["code"]) == lengths[0]]
        for col in cols:
            lhs = _d(tot[0]["values"], col)
            rhs = sum((_d(r["values"], col) for r in top), Decimal(0))
            if abs(lhs - rhs) > _tol(len(top), unit):
                bad.append(f"total [{col}]: {lhs} vs Σ top-level rows {rhs}")
        ok.append(f"total row = Σ {len(top)} top-level rows, {len(cols)} columns")
    # 4. explicit row identities (e.g. two-sided summaries, 三公): [lhs_label, col, [[label, col], ...]]
    for lhs_ref, rhs_refs in table.get("row_identities", []):
        def cell(ref):
            lab, col = ref
            m = [r for r in rows if r["label"] == lab and col in r["values"]]
            return Decimal(m[0]["values"][col]) if m else Decimal(0)
        if not any(r["label"] == lhs_ref[0] and lhs_ref[1] in r["values"] for r in rows):
            bad.append(f"row identity: {lhs_ref} is not a recorded cell")
            continue
        lhs = cell(lhs_ref)
        rhs = sum((cell(x) for x in rhs_refs), Decimal(0))
        name = f"{lhs_ref[0]}[{lhs_ref[1]}] = " + " + ".join(f"{a}[{b}]" for a, b in rhs_refs)
        if abs(lhs - rhs) > _tol(len(rhs_refs), unit):
            bad.append(f"{name}: {lhs} vs {rhs}")
        else:
            ok.append(name)
    return ok, bad
