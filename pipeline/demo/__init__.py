"""The embedded demo district: seed-format disclosure PDFs with truth JSON, deterministic for a seed.

``generate_district(out_dir)`` writes ``<year>/<code>_<short>.pdf`` + ``.truth.json`` for every
department and year, the seed rendition ``2023/125_社区管理办公室.pdf``, broken files, ``roster.csv`` and
``manifest.json``. See pipeline/demo/README.md for the header → measure map and the fault records.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from pipeline import config
from pipeline.demo import build, district
from pipeline.demo.budget import Budget
from pipeline.demo.render import render_document

FAULT_KINDS = ("row_sum", "prose_mismatch", "cross_table", "procurement_line", "department_code")
#: Faults on the project forms' 项目资金 block, which only the departments chosen for them print (their
#: own random stream, so the district's other documents are drawn as before).
PERFORMANCE_FAULT_KINDS = ("form_funds", "prose_project_budget")


@dataclass
class DistrictFile:
    path: str            # relative to out_dir
    kind: str            # clean | fault | broken | seed
    truth: str           # relative path of the truth JSON
    department_code: str | None = None
    year: int | None = None
    faults: list[str] = field(default_factory=list)


@dataclass
class DistrictManifest:
    out_dir: str
    seed: int
    files: list[DistrictFile]

    def of_kind(self, kind: str) -> list[DistrictFile]:
        return [f for f in self.files if f.kind == kind]


def _write_truth(path: Path, result_dict: dict, faults: list[dict], broken: str | None = None) -> None:
    result_dict["truth"] = {"faults": faults, "broken": broken}
    path.write_text(json.dumps(result_dict, ensure_ascii=False, indent=1), encoding="utf-8")


def _fault_plan(rng: random.Random, codes: list[str], years: tuple[int, ...]) -> dict[tuple[str, int], str]:
    """Each fault kind in two documents of different departments; departments not reused."""
    picks = rng.sample(codes, min(len(codes), 2 * len(FAULT_KINDS)))
    plan = {}
    for i, code in enumerate(picks):
        plan[(code, rng.choice(years))] = FAULT_KINDS[i // 2 % len(FAULT_KINDS)]
    return plan


def _performance_plan(rng: random.Random, codes: list[str], years: tuple[int, ...]
                      ) -> dict[str, tuple[int, str]]:
    """Departments whose project forms print their 项目资金 block (both years) → (year, fault kind):
    each performance fault kind in two departments, the other year of each printing it clean."""
    picks = rng.sample(codes, min(len(codes), 2 * len(PERFORMANCE_FAULT_KINDS)))
    return {code: (rng.choice(years), PERFORMANCE_FAULT_KINDS[i // 2 % len(PERFORMANCE_FAULT_KINDS)])
            for i, code in enumerate(picks)}


def inject_performance(kind: str, b: Budget, t: build.Tweaks, rng: random.Random) -> dict:
    """Plant a project-form fault in ``t`` (the forms print their funds); its truth record."""
    step = Decimal("100.00") if b.unit == "元" else Decimal("0.01")
    delta = step * rng.choice([3, 10, 25, 100])
    rec: dict = {"fault": kind, "table_kind": "performance_targets", "code": None, "measure": "amount",
                 "metric": None, "pages": [], "description": ""}
    funded = [pt for pt in b.perf if pt.funds is not None]
    if kind == "form_funds":
        pt = rng.choice(funded)
        t.form_part[pt.code] = delta
        rec.update(code=pt.code, project=pt.project,
                   description=f"form {pt.project}: 当年财政拨款 printed {delta} {b.unit} above, so 当年财政拨款 + "
                               f"上年结转资金 + 其他资金 ≠ its 年度资金申请总额")
    elif kind == "prose_project_budget":
        true = sum((sum(pt.funds, Decimal(0)) for pt in funded), Decimal(0))
        t.prose["project_targets_budget"] = true + delta
        rec.update(metric="project_targets_budget",
                   description=f"prose 涉及项目预算资金 is {delta} {b.unit} above the {len(funded)} forms' "
                               f"年度资金申请总额 ({true})")
    return rec


def inject(kind: str, b: Budget, rng: random.Random) -> tuple[build.Tweaks, dict]:
    """Printed-figure tweaks for one fault kind and its truth record (pages filled in after rendering)."""
    t = build.Tweaks()
    step = Decimal("100.00") if b.unit == "元" else Decimal("0.01")
    delta = step * rng.choice([3, 10, 25, 100])
    rec: dict = {"fault": kind, "table_kind": None, "code": None, "measure": None, "metric": None,
                 "pages": [], "description": ""}
    if kind == "row_sum":
        ln = rng.choice(b.lines)
        t.cell[("expenditure_summary", ln.code, "total")] = delta
        rec.update(table_kind="expenditure_summary", code=ln.code, measure="total",
                   description=f"项 {ln.code} total printed {delta} {b.unit} above its basic + project "
                               f"and its 款 {ln.code[:5]}")
    elif kind == "prose_mismatch":
        metric = rng.choice(["basic_expenditure", "personnel_expenditure", "project_expenditure"])
        true = {"basic_expenditure": b.s("basic"), "personnel_expenditure": b.personnel,
                "project_expenditure": b.s("project")}[metric]
        t.prose[metric] = true + delta
        rec.update(metric=metric, table_kind="expenditure_summary",
                   description=f"prose {metric} is {delta} {b.unit} above the table figure {true}")
    elif kind == "cross_table":
        ln = rng.choice([x for x in b.lines if x.revenue_fiscal])
        for key in (ln.code, "合计"):
            t.cell[("revenue_summary", key, "fiscal_appropriation")] = delta
        rec.update(table_kind="revenue_summary", code=ln.code, measure="total",
                   description=f"revenue table 合计 is {delta} {b.unit} above the summary's 本年收入合计 "
                               f"(row {ln.code} raised consistently within the table)")
    elif kind == "procurement_line":
        if not b.procurement:
            item, uq, price = district.ITEMS[0]
            pr = district._scale(Decimal(price), b.unit)
            b.procurement.append(district.ProcLine("日常公用", item, uq, Decimal(5), pr,
                                                                  5 * pr, 5 * pr))
        x = rng.choice(b.procurement)
        x.amount = x.quantity * x.price * 2
        rec.update(table_kind="procurement", code=None, measure="amount",
                   description=f"{x.item}: {x.quantity} × {x.price} ≠ printed amount {x.amount} "
                               f"(预算资金 {x.budget}); 合计 and the prose include the printed amount")
        rec["item"] = x.item
    elif kind == "department_code":
        other = str(int(b.code) + rng.choice([-20, 7, 30]))
        t.header_code["procurement"] = other
        rec.update(table_kind="procurement", code=other,
                   description=f"procurement header prints department code {other}, elsewhere {b.code}")
        if not b.procurement:
            item, uq, price = district.ITEMS[1]
            pr = district._scale(Decimal(price), b.unit)
            b.procurement.append(district.ProcLine("日常公用", item, uq, Decimal(2), pr, 2 * pr, 2 * pr))
    return t, rec


def _fault_pages(rec: dict, res: dict) -> list[int]:
    if rec["metric"]:
        return sorted({c["page"] for c in res["narrative"] if c["metric"] == rec["metric"]})
    if rec["fault"] == "form_funds":   # the form's 项目资金 block (its first rows)
        form = next(t for t in res["tables"] if t["kind"] == "performance_targets"
                    and any(r["attrs"].get("project") == rec["project"] for r in t["rows"]))
        return sorted({r["page"] for r in form["rows"] if r["attrs"].get("group")})
    pages: set[int] = set()
    for t in res["tables"]:
        if t["kind"] != rec["table_kind"]:
            continue
        if rec["fault"] == "department_code":
            return t["pages"]
        for r in t["rows"]:
            if (rec["code"] and r["code"] in (rec["code"], rec["code"][:5], rec["code"][:3])) or \
               r["name"] in ("合计", rec.get("item")):
                pages.add(r["page"])
    return sorted(pages)


def district_budgets(seed: int, years: tuple[int, ...], departments: int, faults: bool):
    """Each department-year of the district in order: (profile, year, budget, tweaks, fault records).

    One random stream per seed, so every renderer (reportlab, Chromium) draws the same budgets and faults.
    """
    rng = random.Random(seed)
    years = tuple(sorted(years))
    depts = district.departments(departments, rng)
    profiles = [district.DeptProfile(random.Random(rng.random()), *d) for d in depts]
    plan = _fault_plan(random.Random(rng.random()), [p.code for p in profiles], years) if faults else {}
    # the first department is left as drawn: the broken files are cut from its first clean document
    faulted = {code for code, _ in plan}
    perf_plan = _performance_plan(random.Random(f"{seed}:performance"),
                                  [p.code for p in profiles[1:] if p.code not in faulted], years) if faults else {}
    for prof in profiles:
        drng = random.Random(f"{seed}:{prof.code}")
        prev: Budget | None = None
        for year in years:
            b = district.budget(drng, prof, year)
            if prev is None:
                b.prior = district.prior_of(b, drng)
                b.prior_three_public = b.three_public.total
            else:
                b.prior = (prev.s("total"), prev.s("basic"), prev.s("project"))
                b.prior_three_public = prev.three_public.total
            prev = b
            fkind = plan.get((prof.code, year))
            tweaks, recs = build.Tweaks(), []
            if fkind:
                tweaks, rec = inject(fkind, b, drng)
                recs.append(rec)
            if prof.code in perf_plan and b.perf:
                district.print_form_funds(b)
                pyear, pkind = perf_plan[prof.code]
                if year == pyear:
                    recs.append(inject_performance(pkind, b, tweaks,
                                                   random.Random(f"{seed}:{prof.code}:{year}:performance")))
            yield prof, year, b, tweaks, recs


def generate_district(out_dir: str | Path, seed: int = config.DEMO_SEED,
                      years: tuple[int, ...] = config.DEMO_YEARS,
                      departments: int = config.DEMO_DEPARTMENTS, faults: bool = True,
                      broken: bool = True, include_seed: bool = True,
                      scanned: bool = False) -> DistrictManifest:
    """Write the demo district under ``out_dir`` and return its manifest. ``scanned``: with the
    scanned disclosure (pipeline/demo/scanned.py; parsing it needs the OCR engine, ~1 min)."""
    from pipeline.demo import broken as broken_mod
    from pipeline.demo import seed as seed_mod

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    years = tuple(sorted(years))
    files: list[DistrictFile] = []
    roster: list[tuple[str, str, list[int]]] = []
    first_clean: Path | None = None
    for prof, year, b, tweaks, recs in district_budgets(seed, years, departments, faults):
        rel = f"{year}/{prof.code}_{prof.short}.pdf"
        res = render_document(build.document(b, tweaks), out / rel, source_path=rel).to_dict()
        for rec in recs:
            rec["pages"] = _fault_pages(rec, res)
        truth_rel = rel[:-4] + ".truth.json"
        _write_truth(out / truth_rel, res, recs)
        files.append(DistrictFile(rel, "fault" if recs else "clean", truth_rel, prof.code, year,
                                  [r["fault"] for r in recs]))
        if first_clean is None and not recs:
            first_clean = out / rel
        if year == years[-1]:
            roster.append((prof.code, prof.name, list(years)))
    if include_seed:
        files.append(seed_mod.write_seed(out))
        roster.append((seed_mod.SEED_CODE, seed_mod.SEED_NAME, [2023]))
    if broken and first_clean is not None:
        files += broken_mod.write_broken(out, first_clean, years[-1])
    if scanned:
        from pipeline.demo.scanned import write_scanned

        files.append(write_scanned(out))
        f = files[-1]
        if f.department_code not in {c for c, _, _ in roster}:
            name = json.loads((out / f.truth).read_text("utf-8"))["department"].get("name") or ""
            roster.append((f.department_code, name, [f.year]))
    roster.sort()
    with (out / "roster.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["department_code", "name", "years"])
        for code, name, ys in roster:
            w.writerow([code, name, ";".join(str(y) for y in ys)])
    man = DistrictManifest(str(out), seed, files)
    (out / "manifest.json").write_text(
        json.dumps({"seed": seed, "years": list(years), "files": [asdict(f) for f in files]},
                   ensure_ascii=False, indent=1), encoding="utf-8")
    return man


__all__ = ["generate_district", "DistrictManifest", "DistrictFile", "FAULT_KINDS", "PERFORMANCE_FAULT_KINDS"]
