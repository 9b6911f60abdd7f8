"""Run the same inputs through one source tree and dump `check_results` and `budget_lines` as row sets,
or compare two such dumps (issue 14's acceptance: a refactor leaves every result identical).

    PYTHONPATH=/work/main python bench/compare_results.py dump OUT_DIR --demo DEMO_DIR
    PYTHONPATH=$PWD      python bench/compare_results.py dump OUT_DIR2 --demo DEMO_DIR
    python bench/compare_results.py compare OUT_DIR OUT_DIR2

The tree under test is whichever `pipeline` PYTHONPATH finds. Inputs: the seed (the hand-built parse
result of tests/test_warehouse_support.py, of the tree under test), the demo district (rendered once into
DEMO_DIR, shared by both runs), the Jiangsu and Putuo corpus folders. Run ids and timestamps are left out;
every other column is compared exactly (decimals as text).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

CHECK_COLUMNS = ("document_id", "department", "year", "check_name", "severity", "left_value", "right_value",
                 "difference", "tolerance", "n", "left_pages", "right_pages", "message")
LINE_COLUMNS = ("document_id", "table_kind", "table_title", "table_index", "row_index", "side", "code", "name",
                "numbering", "measure", "amount", "page", "bbox", "row_role")


def _rows(db: Path, table: str, columns: tuple[str, ...], where: str = "") -> list[list[str]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                          [table]).fetchall()}
        cols = [c for c in columns if c in have]
        rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} {where}").fetchall()
    finally:
        con.close()
    return sorted([[str(v) for v in r] for r in rows])


def _latest_run_filter(db: Path) -> str:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        r = con.execute("SELECT run_id FROM check_runs ORDER BY finished_at DESC, run_id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return f"WHERE run_id = '{r[0]}'" if r else ""


def _dump_home(home, out: Path, name: str) -> None:
    db = home.db_path
    data = {"check_results": _rows(db, "check_results", CHECK_COLUMNS, _latest_run_filter(db)),
            "budget_lines": _rows(db, "budget_lines", LINE_COLUMNS)}
    (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{name}: {len(data['check_results'])} check_results, {len(data['budget_lines'])} budget_lines",
          flush=True)


def dump(out: Path, demo: Path, tests_dir: Path, only: list[str] | None) -> None:
    from pipeline.config import SHARED_DIR, Home
    from pipeline.night import run_night

    out.mkdir(parents=True, exist_ok=True)
    homes = out / "homes"
    quiet = (lambda *_: None)
    inputs = {"demo": demo, "jiangsu": SHARED_DIR / "corpus" / "jiangsu", "putuo": SHARED_DIR / "corpus" / "putuo"}
    for name, inbox in inputs.items():
        if only and name not in only:
            continue
        home = Home.at(homes / name)
        run_night(home, inbox=inbox, workers=1, progress=quiet, gx=False)
        _dump_home(home, out, name)
    if not only or "seed" in only:
        sys.path.insert(0, str(tests_dir))
        from test_warehouse_support import seed_result  # the tree's own hand-built seed result

        from pipeline.checks.engine import run_checks
        from pipeline.clean.frames import frames_from_result
        from pipeline.load.loader import load_staged
        from pipeline.load.staging import stage

        home = Home.at(homes / "seed").ensure()
        stage(home.staging, "seed", frames_from_result(seed_result(), "seed", "2023/125.pdf"))
        load_staged(home)
        run_checks(home.db_path)
        _dump_home(home, out, "seed")


def compare(a: Path, b: Path) -> int:
    bad = 0
    for fa in sorted(a.glob("*.json")):
        fb = b / fa.name
        if not fb.exists():
            print(f"{fa.stem}: missing in {b}")
            bad += 1
            continue
        da, db = json.loads(fa.read_text("utf-8")), json.loads(fb.read_text("utf-8"))
        for table in ("check_results", "budget_lines"):
            ca = Counter(tuple(r) for r in da[table])
            cb = Counter(tuple(r) for r in db[table])
            only_a, only_b = ca - cb, cb - ca
            status = "identical" if not (only_a or only_b) else "DIFFERENT"
            print(f"{fa.stem:8} {table:14} {sum(ca.values()):6} vs {sum(cb.values()):6} rows: {status}")
            for label, diff in (("only before", only_a), ("only after", only_b)):
                for row in list(diff)[:20]:
                    print(f"    {label}: {row}")
            bad += bool(only_a or only_b)
    return 1 if bad else 0


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out")
    d.add_argument("--demo", required=True, help="a rendered demo district (budget-etl demo-data DIR)")
    d.add_argument("--tests", help="the tree's tests/ folder (default: beside pipeline/)")
    d.add_argument("--only", nargs="*")
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    args = p.parse_args()
    if args.cmd == "dump":
        import pipeline

        tests = Path(args.tests) if args.tests else Path(pipeline.__file__).parent.parent / "tests"
        dump(Path(args.out), Path(args.demo), tests, args.only)
        return 0
    return compare(Path(args.before), Path(args.after))


if __name__ == "__main__":
    sys.exit(main())
