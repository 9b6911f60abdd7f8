"""The product measured on a rendering it has never seen (issue 12, last acceptance).

    PYTHONPATH=$PWD python bench/unseen_rendering.py [--departments 20] [--variants 20] [--work DIR]

The seed, a demo district (N departments × 2 years, faults planted as generate_district plants them)
and random layout variants (pipeline/demo/variants.py) are printed by headless Chromium from HTML + CSS
(pipeline/demo/render_html.py) instead of reportlab. The product then runs on them as a user runs it
(`budget-etl run --inbox DIR --home H --no-gx`, one home for the district and the seed, one for the
variants, whose department codes may collide), and this script compares with the truth:

- cells read exactly (every value of every truth row, rows matched by side/code/name in order);
- tables recognised (every cell), partial (some cells), unread (none), and the parser's own status;
- errors on clean documents; planted faults found by their check (tests/test_checks_demo.matches);
- the seed's errors against the 11 of ../shared/DOMAIN.md (its seed_quirks of severity error);
- prose: headline claims equal to the truth's, and the share of prose figures resolved to a cell.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import duckdb  # noqa: E402

from pipeline.checks.engine import document_results, run_checks  # noqa: E402
from pipeline.checks.evaluate_figures import resolve  # noqa: E402
from pipeline.checks.facts import load_facts  # noqa: E402
from pipeline.checks.viewed import view_results  # noqa: E402
from pipeline.config import Home  # noqa: E402
from pipeline.demo import unseen  # noqa: E402
from pipeline.sources.identity import document_id  # noqa: E402
from test_checks_demo import matches  # noqa: E402  (which check reports which fault: the tests' knowledge)


# ---- parse vs truth -----------------------------------------------------------------------------
def _key(r: dict) -> tuple:
    return (r.get("side"), r.get("code"), r.get("name"))


def table_score(parsed: dict | None, truth: dict) -> tuple[int, int, int, int]:
    """(cells exact, cells, rows exact, rows) of one truth table against the parsed table matched to it."""
    cells = sum(len(r["values"]) for r in truth["rows"])
    if parsed is None:
        return 0, cells, 0, len(truth["rows"])
    pool: dict[tuple, list[dict]] = {}
    for r in parsed["rows"]:
        pool.setdefault(_key(r), []).append(r)
    good = rows_ok = 0
    for rb in truth["rows"]:
        cand = pool.get(_key(rb)) or []
        ra = cand.pop(0) if cand else None
        ok = 0
        for k, v in rb["values"].items():
            ok += ra is not None and k in ra["values"] and Decimal(ra["values"][k]) == Decimal(v)
        good += ok
        rows_ok += ra is not None and ok == len(rb["values"]) and len(ra["values"]) == len(rb["values"])
    return good, cells, rows_ok, len(truth["rows"])


def match_tables(parsed: list[dict], truth: list[dict]) -> list[dict | None]:
    """Each truth table's parsed counterpart: same kind, first one (in order) whose pages overlap."""
    used: set[int] = set()
    out: list[dict | None] = []
    for t in truth:
        hit = None
        for i, p in enumerate(parsed):
            if i not in used and p["kind"] == t["kind"] and set(p["pages"]) & set(t["pages"]):
                hit = i
                break
        if hit is None:
            hit = next((i for i, p in enumerate(parsed) if i not in used and p["kind"] == t["kind"]), None)
        if hit is not None:
            used.add(hit)
        out.append(parsed[hit] if hit is not None else None)
    return out


class Tally:
    def __init__(self) -> None:
        self.c = Counter()
        self.notes: dict[str, list[str]] = {}

    def note(self, key: str, text: str, keep: int = 12) -> None:
        lst = self.notes.setdefault(key, [])
        if len(lst) < keep:
            lst.append(text)


def score_parse(printed: list, home: Home, t: Tally) -> dict[str, dict]:
    parsed_by_loc = {}
    for p in printed:
        f = home.parsed / f"{document_id(p.locator)}.json"
        if not f.is_file():
            t.c["docs_not_parsed"] += 1
            t.note("not parsed", p.locator)
            continue
        d = json.loads(f.read_text(encoding="utf-8"))
        if "error" in d:
            t.c["docs_parse_error"] += 1
            t.note("parse errors", f"{p.locator}: {d['error']}")
            continue
        parsed_by_loc[p.locator] = d
        for key in ("department", "year", "unit"):
            if d.get(key) != p.truth.get(key):
                t.c[f"doc_{key}_wrong"] += 1
                t.note(f"{key} wrong", f"{p.locator}: {d.get(key)} != {p.truth.get(key)}")
        truth_tables = p.truth["tables"]
        for tt, pt in zip(truth_tables, match_tables(d["tables"], truth_tables)):
            g, n, rg, rn = table_score(pt, tt)
            t.c["cells_exact"] += g
            t.c["cells"] += n
            if tt["empty"]:
                t.c["tables_empty_truth"] += 1
                t.c["tables_empty_ok"] += pt is not None and not pt["rows"]
                continue
            t.c["tables"] += 1
            status = (pt or {}).get("status") or "missing"
            if g == n and rg == rn and pt is not None and len(pt["rows"]) == rn:
                t.c["tables_recognised"] += 1
                t.c[f"parser_status_when_right:{status}"] += 1
            elif g > 0:
                t.c["tables_partial"] += 1
                t.c[f"parser_status_when_partial:{status}"] += 1
                t.note("partial tables", f"{p.locator} {tt['kind']} p{tt['pages']}: {g}/{n} cells, "
                                         f"{rg}/{rn} rows ({len(pt['rows']) if pt else 0} read), status {status}")
            else:
                t.c["tables_unread"] += 1
                t.c[f"parser_status_when_unread:{status}"] += 1
                t.note("unread tables", f"{p.locator} {tt['kind']} {tt['title']} p{tt['pages']}: status {status}")
        want = Counter((c["metric"], Decimal(c["amount"]), c["page"]) for c in p.truth["narrative"])
        got = Counter((c["metric"], Decimal(c["amount"]), c["page"]) for c in d["narrative"])
        t.c["claims"] += sum(want.values())
        t.c["claims_exact"] += sum((want & got).values())
        t.c["claims_extra"] += sum((got - want).values())
        for x in (want - got):
            t.note("claims missed", f"{p.locator}: {x[0]} {x[1]} p{x[2]}")
        for x in (got - want):
            t.note("claims extra", f"{p.locator}: {x[0]} {x[1]} p{x[2]}")
    return parsed_by_loc


def _reports(f: dict, r, variant) -> bool:
    """``matches``; a row printed without its code (a names-only hierarchy) is named by its label
    (as tests/test_demo_variants.py reads it)."""
    if f["fault"] == "row_sum" and variant is not None and variant.hierarchy == "names":
        return matches(dict(f, code=None), r) and f["name"] in r.subject
    return matches(f, r)


def score_checks(printed: list, results_by_doc: dict[str, list], t: Tally, scope: str) -> None:
    for p in printed:
        errors = [r for r in results_by_doc.get(document_id(p.locator), []) if r.severity == "error"]
        faults = p.truth["truth"]["faults"]
        if p.kind == "seed":
            want = [q for q in faults if q.get("severity", "error") == "error"]
            t.c["seed_errors_expected"] += len(want)
            for q in want:
                hit = any(matches(q, r) for r in errors)
                t.c["seed_errors_found"] += hit
                if not hit:
                    t.note("seed errors missed", q["description"])
            for r in errors:
                if not any(matches(q, r) and q.get("severity", "error") == "error" for q in faults):
                    t.c["seed_errors_extra"] += 1
                    t.note("seed extra errors", f"{r.check_name}: {r.message}")
            continue
        if not faults:
            t.c[f"{scope}_clean_docs"] += 1
            t.c[f"{scope}_clean_docs_with_error"] += bool(errors)
            t.c[f"{scope}_false_errors"] += len(errors)
            for r in errors:
                t.c[f"false_by_check:{r.check_name}"] += 1
                t.note(f"{scope} false errors", f"{p.locator}: {r.check_name}: {r.message}"[:220], 20)
        for f in faults:
            t.c[f"{scope}_faults"] += 1
            hit = any(_reports(f, r, p.variant) for r in errors)
            t.c[f"{scope}_faults_found"] += hit
            if not hit:
                t.note(f"{scope} faults missed", f"{p.locator}: {f['fault']}: {f['description']}; errors "
                                                 f"{sorted({r.check_name for r in errors})}")


def prose_share(db: Path, t: Tally) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = load_facts(con)
    finally:
        con.close()
    why = Counter()
    for d in docs.values():
        if d.part_of is not None:
            continue
        for f in d.figures:
            r = resolve(d, f)
            t.c["figures"] += 1
            if r.how == "unresolved":
                why[r.why.split(":")[0]] += 1
            else:
                t.c["figures_resolved"] += 1
    for w, n in why.most_common(6):
        t.note("unresolved figures", f"{n} × {w}")


def run_cli(inbox: Path, home: Path, roster: Path | None) -> float:
    cmd = [sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(inbox), "--home", str(home), "--no-gx"]
    if roster:
        cmd += ["--roster", str(roster)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    took = time.perf_counter() - t0
    print(f"  budget-etl run --inbox {inbox.name}: exit {proc.returncode} in {took:.1f} s", flush=True)
    if proc.returncode not in (0, 1):
        print(proc.stdout[-2000:], proc.stderr[-2000:])
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--departments", type=int, default=20)
    ap.add_argument("--variants", type=int, default=20)
    ap.add_argument("--seed", type=int, default=None, help="district seed (default: the demo's)")
    ap.add_argument("--work", default=None)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="unseen-"))
    work.mkdir(parents=True, exist_ok=True)
    kw = {"seed": a.seed} if a.seed is not None else {}
    t0 = time.perf_counter()
    planned = [unseen.plan_seed()] + unseen.plan_district(a.departments, **kw)
    printed = unseen.print_all(planned, work / "district", a.workers)
    variants = unseen.print_all(unseen.plan_variants(a.variants), work / "variants", a.workers) if a.variants else []
    print(f"printed {len(printed)} district documents + {len(variants)} variants with Chromium in "
          f"{time.perf_counter() - t0:.1f} s ({work})", flush=True)
    roster = work / "roster.csv"
    seen: dict[str, tuple[str, set]] = {}
    for p in printed:
        code, name = p.truth["department"]["code"], p.truth["department"]["name"]
        seen.setdefault(code, (name, set()))[1].add(p.truth["year"])
    roster.write_text("department_code,name,years\n" + "".join(
        f"{c},{n},{';'.join(str(y) for y in sorted(ys))}\n" for c, (n, ys) in sorted(seen.items())), encoding="utf-8")

    t = Tally()
    homes = {"district": Home.at(work / "home-district"), "variants": Home.at(work / "home-variants")}
    run_cli(work / "district", homes["district"].root, roster)
    score_parse(printed, homes["district"], t)
    summary = run_checks(homes["district"].db_path, run_id="unseen", roster=roster)
    by_doc: dict[str, list] = {}
    for r in summary.results:
        by_doc.setdefault(r.document_id, []).append(r)
    score_checks(printed, by_doc, t, "district")
    prose_share(homes["district"].db_path, t)
    if variants:
        run_cli(work / "variants", homes["variants"].root, None)
        score_parse(variants, homes["variants"], t)
        con = duckdb.connect(str(homes["variants"].db_path), read_only=True)
        try:
            docs = load_facts(con)
            viewed = view_results(con, docs)
        finally:
            con.close()
        vres = {i: document_results(d, None, viewed.get(i, []))   # document scope: codes may collide
                for i, d in docs.items()}
        score_checks(variants, vres, t, "variants")

    c = t.c
    pct = lambda a_, b_: f"{a_}/{b_} ({100 * a_ / max(b_, 1):.1f}%)"  # noqa: E731
    print("\n== unseen rendering (Chromium) ==")
    print(f"documents: {len(printed)} district+seed, {len(variants)} variants; not parsed {c['docs_not_parsed']}, "
          f"parse errors {c['docs_parse_error']}; department/year/unit wrong {c['doc_department_wrong']}/"
          f"{c['doc_year_wrong']}/{c['doc_unit_wrong']}")
    print(f"cells read exactly: {pct(c['cells_exact'], c['cells'])}")
    print(f"tables with amounts: {c['tables']}: recognised {c['tables_recognised']}, partial {c['tables_partial']}, "
          f"unread {c['tables_unread']}; empty tables read empty {pct(c['tables_empty_ok'], c['tables_empty_truth'])}")
    print("  parser status: " + ", ".join(f"{k.split(':', 1)[1]}={v}" for k, v in sorted(c.items())
                                          if k.startswith("parser_status")))
    for scope in ("district", "variants"):
        if c[f"{scope}_clean_docs"] or c[f"{scope}_faults"]:
            print(f"{scope}: clean documents with an error {pct(c[f'{scope}_clean_docs_with_error'], c[f'{scope}_clean_docs'])}"
                  f" ({c[f'{scope}_false_errors']} false errors); planted faults found by their check "
                  f"{pct(c[f'{scope}_faults_found'], c[f'{scope}_faults'])}")
    print("  false errors by check: " + ", ".join(f"{k.split(':', 1)[1]}={v}" for k, v in
                                                  sorted(c.items(), key=lambda kv: -kv[1]) if k.startswith("false_by_check")))
    print(f"seed: DOMAIN.md errors found {c['seed_errors_found']}/{c['seed_errors_expected']}, other errors "
          f"{c['seed_errors_extra']}")
    print(f"prose: headline claims exact {pct(c['claims_exact'], c['claims'])} (+{c['claims_extra']} extra); "
          f"figures resolved {pct(c['figures_resolved'], c['figures'])} (district + seed)")
    for k, lst in t.notes.items():
        print(f"-- {k}:")
        for x in lst:
            print(f"   {x}")


if __name__ == "__main__":
    main()
