"""Benchmark (not a test): a night of the demo district three ways, side by side, median of N.

    python bench/bench_dagster_night.py [--repeat 3] [--departments 40] [--no-gx]

1. stages   pipeline.night.run_night: the stages alone, no Dagster (what `budget-etl run` cost before).
2. cli      `budget-etl run`: the Dagster night_job executed in process on the home's instance.
3. ui       the schedule's night: night_job launched through the GraphQL API of `budget-etl ui`
            (webserver + daemon), timed from the launch to the run's success, as a scheduled tick runs it.

Every run starts from an empty home and an empty parse cache, so every document is parsed. The three
ways run in turn within each repetition, so the machine's noise falls on all of them alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCATION = {"repositoryLocationName": "district_budget_etl", "repositoryName": "__repository__"}


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, BUDGET_ETL_PARSE_CACHE=str(cache), PYTHONPATH=str(ROOT), **extra)
    return env


def run_stages(inbox: Path, home: Path, cache: Path, gx: bool) -> float:
    code = ("import sys; from pathlib import Path; from pipeline.config import Home; "
            "from pipeline.night import run_night; "
            f"run_night(Home.at({str(home)!r}), inbox=Path({str(inbox)!r}), gx={gx}, progress=lambda *_: None)")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=_env(cache), check=True, capture_output=True)
    return time.perf_counter() - t


def run_cli(inbox: Path, home: Path, cache: Path, gx: bool) -> float:
    args = [sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(inbox), "--home", str(home)]
    t = time.perf_counter()
    subprocess.run(args + ([] if gx else ["--no-gx"]), env=_env(cache), check=True, capture_output=True)
    return time.perf_counter() - t


def _post(base: str, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["data"]


@contextlib.contextmanager
def ui(home: Path, inbox: Path, cache: Path, gx: bool):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env(cache, BUDGET_ETL_INBOX=str(inbox), BUDGET_ETL_GX="1" if gx else "0")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ui", "--home", str(home), "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base}/server_info", timeout=5):
                    break
            time.sleep(1)
        _post(base, "{ assetNodes { id } }")  # the code location is loaded before the clock starts
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def run_ui(inbox: Path, home: Path, cache: Path, gx: bool) -> float:
    with ui(home, inbox, cache, gx) as base:
        t = time.perf_counter()
        out = _post(base, """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
            __typename ... on LaunchRunSuccess { run { runId } } } }""",
                    {"p": {"selector": {**LOCATION, "jobName": "night_job"}}})
        run_id = out["launchRun"]["run"]["runId"]
        while True:
            status = _post(base, 'query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }',
                           {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - t
    if status != "SUCCESS":
        raise SystemExit(f"the UI's night ended {status}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--departments", type=int, default=None, help="default: the demo district's")
    ap.add_argument("--no-gx", action="store_true")
    args = ap.parse_args()
    from bench.bench_night import machine
    from pipeline.demo import generate_district

    print(machine())
    gx = not args.no_gx
    ways = {"stages": run_stages, "cli": run_cli, "ui": run_ui}
    times: dict[str, list[float]] = {k: [] for k in ways}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inbox = work / "demo"
        kw = {"departments": args.departments} if args.departments else {}
        generate_district(inbox, **kw)
        n = len(list(inbox.rglob("*.pdf")))
        for r in range(args.repeat):
            for name, fn in ways.items():
                times[name].append(fn(inbox, work / f"{name}-{r}", work / f"cache-{name}-{r}", gx))
                print(f"  repetition {r + 1}: {name} {times[name][-1]:.1f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"a night of {n} documents{'' if gx else ' (no GX)'}, median of {args.repeat}:")
    for k, v in med.items():
        print(f"  {k:7s} {v:6.1f} s  (runs {[round(x, 1) for x in times[k]]})  {v / med['stages']:.2f} × stages, "
              f"{v / med['cli']:.2f} × cli")


if __name__ == "__main__":
    main()
