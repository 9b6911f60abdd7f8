"""The distributed night's benchmark (a script, not a test): documents per minute with 1 and 2 Celery
parse workers, and the single writer's load and check times at 10,000 documents.

    python bench/bench_scale.py workers [--departments 8] [--runs 3] [--batch N]
    python bench/bench_scale.py writer [--docs 10000]

`workers`: real services on 127.0.0.1 (Postgres, redis-server, moto S3, tests/scale_services.py), a demo
district of --departments departments over two years, then for 1 and 2 parse workers (plus the
writer worker) --runs nights each on a fresh home, store prefix and parse caches. The parse rate is
documents / (first parse step start → last parse step end, from the run's event log), so the
orchestration before and the load after are not in it; the night's wall time is printed beside it,
and so is the share of the parse steps' time spent outside parsing (the per-step and per-document
overhead: Celery, Dagster's events, S3). --batch: documents per parse step (default: the job's).
`writer`: the demo's truth JSONs cloned to --docs department-years (bench/bench_load.py's method, no
PDF rendering), staged, then load_staged (fresh warehouse) and run_checks timed: the part of a night
that stays on one host however many workers parse.
Prints the load average before and after: the machine is shared, read the figures with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_window(instance, run_id: str) -> dict:
    """From the run's events: seconds from the first parse step's start to the last one's success, the
    parse steps and documents, and the steps' summed time against the documents' summed parse time."""
    starts, ends, docs, parse_s, step_s = {}, {}, 0, 0.0, 0.0
    for e in instance.all_logs(run_id):
        ev = e.dagster_event
        if ev is None or not (e.step_key or "").startswith("parse_document"):
            continue
        if ev.event_type_value == "STEP_START":
            starts.setdefault(e.step_key, e.timestamp)
        elif ev.event_type_value == "STEP_SUCCESS":
            ends[e.step_key] = e.timestamp
        elif ev.event_type_value in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION"):
            data = ev.event_specific_data
            md = data.materialization.metadata if ev.event_type_value == "ASSET_MATERIALIZATION" \
                else data.asset_observation.metadata
            item = data.materialization if ev.event_type_value == "ASSET_MATERIALIZATION" else data.asset_observation
            key = item.asset_key
            if key.path[-1] == "parsed_document" and "parse_seconds" in md:
                docs += 1
                parse_s += float(md["parse_seconds"].value)
    for k, t in ends.items():
        step_s += t - starts.get(k, t)
    window = max(ends.values()) - min(starts.values()) if starts and ends else float("nan")
    return {"window": window, "steps": len(ends), "docs": docs, "parse_s": parse_s, "step_s": step_s}


def bench_workers(departments: int, runs: int, batch: int | None = None) -> None:
    import logging

    import dagster as dg

    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # moto's request log

    from pipeline.demo import generate_district
    from scale_services import Services

    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    s = Services(work)
    try:
        s.start_postgres()
        s.start_redis()
        s.start_s3()
        s.write_dagster_home()
        os.environ.update(s.env)
        os.environ.update({"BUDGET_ETL_OBJECT_STORE": f"s3://{s.bucket}/orchestrator"})
        from assets.run import QUIET
        from assets.scale import run_distributed_night

        demo = work / "demo"
        generate_district(demo, departments=departments)
        n_pdf = len(list(demo.rglob("*.pdf")))
        print(f"demo district: {departments} departments × 2 years, {n_pdf} PDFs; load average {load()}")
        config = dict(QUIET, **({"ops": {"plan_night": {"config": {"batch": batch}}}} if batch else {}))
        results: dict[int, list[tuple[float, float, int]]] = {1: [], 2: []}
        for i in range(runs):
            for k in (1, 2):
                tag = f"k{k}-r{i}"
                tmp = work / tag
                env = {"BUDGET_ETL_HOME": str(tmp / "home"), "BUDGET_ETL_INBOX": str(demo), "BUDGET_ETL_GX": "0",
                       "BUDGET_ETL_OBJECT_STORE": f"s3://{s.bucket}/{tag}"}
                procs = [s.start_worker(f"writer-{tag}", "writer", role="writer", env={
                    **env, "BUDGET_ETL_WORKER_DIR": str(tmp / "writer"), "BUDGET_ETL_PARSE_CACHE": str(tmp / "wc")})]
                for j in range(k):
                    procs.append(s.start_worker(f"w{j}-{tag}", "dagster", env={
                        **env, "BUDGET_ETL_WORKER_DIR": str(tmp / f"w{j}"), "BUDGET_ETL_PARSE_CACHE": str(tmp / f"c{j}")}))
                try:
                    with dg.DagsterInstance.from_config(s.env["DAGSTER_HOME"]) as inst:
                        t = time.perf_counter()
                        r = run_distributed_night(inst, tags={"bench": tag}, run_config=config)
                        wall = time.perf_counter() - t
                        assert r.success, f"run {tag} failed"
                        pw = parse_window(inst, r.run_id)
                        window, n = pw["window"], pw["docs"]
                finally:
                    for p in procs:
                        s.stop_worker(p)
                results[k].append((window, wall, n))
                outside = 1 - pw["parse_s"] / pw["step_s"] if pw["step_s"] else float("nan")
                print(f"  {k} worker(s), run {i + 1}: {n} documents in {pw['steps']} parse steps, {window:.1f} s "
                      f"({n / window * 60:.1f} docs/min), night {wall:.1f} s; {pw['step_s'] / n:.2f} s of step "
                      f"a document, {outside:.0%} of it outside parsing; load average {load()}", flush=True)
        med = {}
        for k in (1, 2):
            rates = [n / w * 60 for w, _, n in results[k]]
            med[k] = statistics.median(rates)
            print(f"{k} worker(s): median {med[k]:.1f} documents/minute (runs: "
                  f"{', '.join(f'{x:.1f}' for x in rates)}); median night "
                  f"{statistics.median(w for _, w, _ in results[k]):.1f} s")
        print(f"speed-up with 2 workers: {med[2] / med[1]:.2f}×; load average {load()} (cpus={os.cpu_count()})")
    finally:
        s.stop()
        shutil.rmtree(work, ignore_errors=True)


def bench_writer(n: int, staged: Path | None = None) -> None:
    from bench_load import scaled, truths

    from pipeline.clean.frames import frames_from_json
    from pipeline.config import Home
    from pipeline.demo import generate_district
    from pipeline.load.staging import stage
    from pipeline.sources.identity import document_id

    if staged is not None:   # a home already staged (e.g. a run cut short): time the writer alone
        home = Home.at(staged)
        n_sets = len([p for p in home.staging.iterdir() if not p.name.startswith(".")])
        print(f"{n_sets} staged sets in {staged}; load average {load()} (cpus={os.cpu_count()})", flush=True)
        _load_and_check(home)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-writer-"))
    try:
        demo = work / "demo"
        generate_district(demo, departments=10, broken=False)   # the truths are cloned: 20 are enough
        docs = scaled(truths(demo), n)
        home = Home.at(work / "home").ensure()
        print(f"{n} synthetic department-years; load average {load()} (cpus={os.cpu_count()})", flush=True)
        t = time.perf_counter()
        for rel, data in docs:
            doc_id = document_id(rel)
            stage(home.staging, doc_id, frames_from_json(data, doc_id, rel))
        print(f"  stage (clean + Parquet, what the workers do after parsing): {time.perf_counter() - t:8.1f} s",
              flush=True)
        _load_and_check(home)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load_and_check(home) -> None:
    from pipeline.checks import run_checks
    from pipeline.load.loader import load_staged

    t = time.perf_counter()
    s = load_staged(home)
    print(f"  load (one transaction a batch, fresh warehouse):            {time.perf_counter() - t:8.1f} s "
          f"({len(s.loaded)} loaded, {len(s.failed)} failed); load average {load()}", flush=True)
    t = time.perf_counter()
    c = run_checks(home.db_path)
    print(f"  checks (every identity over the warehouse):                 {time.perf_counter() - t:8.1f} s "
          f"({c.errors} errors, {c.warnings} warnings); load average {load()}", flush=True)
    print(f"  warehouse {home.db_path.stat().st_size / 1e6:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    w = sub.add_parser("workers")
    w.add_argument("--departments", type=int, default=8)
    w.add_argument("--runs", type=int, default=3)
    w.add_argument("--batch", type=int, default=None, help="documents per parse step (default: the job's)")
    wr = sub.add_parser("writer")
    wr.add_argument("--docs", type=int, default=10000)
    wr.add_argument("--staged", type=Path, help="a home already staged: time load and checks only")
    args = ap.parse_args()
    if args.what == "workers":
        bench_workers(args.departments, args.runs, args.batch)
    else:
        bench_writer(args.docs, args.staged)


if __name__ == "__main__":
    main()
