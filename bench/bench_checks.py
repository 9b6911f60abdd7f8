"""Time the whole identity suite: the demo district, then N generated department-years (default 1,000).

    python bench/bench_checks.py [--n 1000] [--work DIR] [--skip-gx]

Both warehouses are built from the demo generator's truth JSONs through the loader (the parser is not
timed here). The N department-years are the demo's documents cloned under new department codes and
years (two years per department, so the year-on-year comparison runs). Prints one line per stage.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.checks import run_checks  # noqa: E402
from pipeline.clean.frames import failure_frames, frames_from_result  # noqa: E402
from pipeline.config import Home  # noqa: E402
from pipeline.load.loader import load_staged  # noqa: E402
from pipeline.load.staging import stage  # noqa: E402
from pipeline.model import ParseResult  # noqa: E402
from pipeline.report import write_report  # noqa: E402
from pipeline.sources.identity import document_id  # noqa: E402


def timed(label: str, fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    print(f"{label:<48} {time.perf_counter() - t0:8.2f} s", flush=True)
    return out


def truths(district: Path) -> dict[str, dict]:
    return {p.relative_to(district).as_posix().replace(".truth.json", ".pdf"): json.loads(p.read_text("utf-8"))
            for p in sorted(district.rglob("*.truth.json"))}


def load(home: Home, docs: dict[str, dict]) -> None:
    for loc, d in docs.items():
        doc_id = document_id(loc)
        if "error" in d:
            frames = failure_frames(doc_id, loc, d["source"].get("sha256", ""), d["error"]["kind"], "")
        else:
            frames = frames_from_result(ParseResult.from_dict(d), doc_id, loc)
        stage(home.staging, doc_id, frames)
    load_staged(home)


def cloned(docs: dict[str, dict], n: int) -> dict[str, dict]:
    """n department-years: the demo's departments (both years together, so the year-on-year comparison
    holds) cloned under new department codes."""
    by_dept: dict[str, list[dict]] = {}
    for d in docs.values():
        if "error" not in d:
            by_dept.setdefault(d["department"]["code"], []).append(d)
    pairs = [sorted(v, key=lambda d: d["year"]) for _, v in sorted(by_dept.items())]
    out: dict[str, dict] = {}
    k = 0
    while len(out) < n:
        code = str(5000 + k)
        for src in pairs[k % len(pairs)]:
            if len(out) >= n:
                break
            d = copy.deepcopy(src)
            d["department"] = {"code": code, "name": f"{d['department']['name']}{code}"}
            d["source"] = {**d["source"], "sha256": f"{len(out):064x}"}
            for t in d["tables"]:
                t["department_code"] = code if t.get("department_code") else None
                t["department_name"] = d["department"]["name"] if t.get("department_name") else None
            d["warnings"] = [w for w in d["warnings"] if not w["kind"].startswith("department_")]
            out[f"{d['year']}/{code}_bench.pdf"] = d
        k += 1
    return out


def bench(label: str, home: Home, docs: dict[str, dict], roster: Path | None, skip_gx: bool) -> None:
    from pipeline.checks.gx import run_suites

    timed(f"[{label}] load {len(docs)} documents (loader)", load, home, docs)
    s = timed(f"[{label}] run_checks (all identities, write)", run_checks, home.db_path, roster=roster)
    print(f"[{label}]   {s.documents} documents: {s.errors} errors, {s.warnings} warnings, "
          f"{s.by_severity['ok']} holding instances")
    if not skip_gx:
        g = timed(f"[{label}] run_suites (GX, {len(s.by_check)}+ suites, Data Docs)", run_suites, home.db_path,
                  home.reports / "data_docs", roster=roster)
        print(f"[{label}]   GX: {sum(not o.success for o in g.suites)} of {len(g.suites)} suites failing")
    timed(f"[{label}] write_report", write_report, home.db_path, home.reports)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--skip-gx", action="store_true")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="bench-checks-"))
    try:
        from pipeline.demo import generate_district

        district = work / "district"
        timed("generate demo district", generate_district, district)
        docs = truths(district)
        bench("demo", Home.at(work / "demo").ensure(), docs, district / "roster.csv", a.skip_gx)
        bench(f"{a.n} dept-years", Home.at(work / "big").ensure(), cloned(docs, a.n), None, a.skip_gx)
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
