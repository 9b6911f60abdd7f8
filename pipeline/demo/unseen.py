"""The demo documents (seed, district, layout variants) printed by another publisher (Chromium).

Why: the same budgets, faults and wordings as the district generator (``generate_district``,
``variants.render_variant``), but through ``render_html`` instead of reportlab, so the product can be
measured on a rendering it has never seen. Each document comes with its truth (the DocSpec's values,
the Chromium PDF's pages) and its planted faults in the district's ``truth.faults`` format.
"""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config
from pipeline.demo import _fault_pages, build, district_budgets
from pipeline.demo import seed as seed_mod
from pipeline.demo import variants as V
from pipeline.demo.layout import DocSpec
from pipeline.demo.render_html import render_document_html


@dataclass
class Planned:
    """A document to print: its locator (inbox-relative path), DocSpec and fault records."""

    locator: str
    doc: DocSpec
    kind: str                       # seed | clean | fault
    faults: list[dict] = field(default_factory=list)
    seed_quirks: bool = False
    variant: V.Variant | None = None


@dataclass
class Printed:
    locator: str
    pdf: Path
    kind: str
    truth: dict                     # ParseResult dict + {"truth": {"faults": [...]}}
    variant: V.Variant | None = None


def plan_seed() -> Planned:
    return Planned(seed_mod.SEED_PATH, seed_mod.seed_doc(), "seed", seed_quirks=True)


def plan_district(departments: int, seed: int = config.DEMO_SEED,
                  years: tuple[int, ...] = config.DEMO_YEARS, faults: bool = True) -> list[Planned]:
    """The district's documents as ``generate_district`` draws them (same budgets and fault plan)."""
    return [Planned(f"{year}/{prof.code}_{prof.short}.pdf", build.document(b, tweaks),
                    "fault" if recs else "clean", recs)
            for prof, year, b, tweaks, recs in district_budgets(seed, years, departments, faults)]


def plan_variants(n: int, seed: int = 20261203, fault_rate: float = 0.5) -> list[Planned]:
    """``n`` random layout variants (varied titles, header words, hierarchies, prose wordings)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        v = V.random_variant(rng, fault_rate)
        b, tweaks, recs = V.planted(v)
        out.append(Planned(f"{i:03d}_{v.seed}.pdf", V.variant_document(b, v, tweaks),
                           "fault" if recs else "clean", recs, variant=v))
    return out


def print_one(p: Planned, root: Path) -> Printed:
    """Print one planned document under ``root`` and write its ``.truth.json`` beside it."""
    pdf = root / p.locator
    res = render_document_html(p.doc, pdf, source_path=p.locator)
    d = res.to_dict()
    faults = [dict(f) for f in p.faults]
    if p.seed_quirks:
        faults = seed_mod.seed_quirks(res)
    for rec in faults:
        if not rec.get("seed_quirk"):
            rec["pages"] = _fault_pages(rec, d)
    d["truth"] = {"faults": faults, "broken": None}
    pdf.with_name(pdf.name[:-4] + ".truth.json").write_text(json.dumps(d, ensure_ascii=False, indent=1),
                                                           encoding="utf-8")
    return Printed(p.locator, pdf, p.kind, d, p.variant)


def print_all(planned: list[Planned], root: str | Path, workers: int = 2) -> list[Printed]:
    """Print every planned document (``workers`` Chromium processes at a time), in plan order."""
    root = Path(root)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda p: print_one(p, root), planned))


__all__ = ["Planned", "Printed", "plan_seed", "plan_district", "plan_variants", "print_one", "print_all"]
