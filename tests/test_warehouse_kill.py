"""A loader killed with SIGKILL mid-way leaves every document at its previous or its new version,
never half of one, and a batch of documents (one transaction) whole or not at all; readers meanwhile
get the snapshot; the next load completes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import measure_sums, seed_result, varied  # noqa: E402

from pipeline.clean.frames import frames_from_result
from pipeline.config import PROJECT_ROOT, Home
from pipeline.load.loader import HOLD_ENV, load_staged
from pipeline.load.sql import run_sql
from pipeline.load.staging import stage

LOADER = "import sys; from pipeline.config import Home; from pipeline.load.loader import load_staged; " \
         "load_staged(Home.at(sys.argv[1]), batch_size=2)"


def versions(scale: Decimal, tag: str) -> dict:
    seed = seed_result()
    return {f"d{i}": varied(seed, str(200 + i), f"部门{i}", 2023, scale, tag * 63 + str(i))
            for i in range(4)}


def sums(db: Path) -> dict[str, dict[str, Decimal]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, dict[str, Decimal]] = {}
        for doc, m, s in con.execute("SELECT document_id, measure, sum(amount) FROM budget_lines"
                                     " GROUP BY ALL").fetchall():
            out.setdefault(doc, {})[m] = s
        return out
    finally:
        con.close()


def test_sigkill_mid_transaction_keeps_previous_versions(tmp_path):
    home = Home.at(tmp_path).ensure()
    old, new = versions(Decimal(1), "a"), versions(Decimal(3), "b")
    for doc_id, r in old.items():
        stage(home.staging, doc_id, frames_from_result(r, doc_id, f"{doc_id}.pdf"))
    load_staged(home)
    for doc_id, r in new.items():
        stage(home.staging, doc_id, frames_from_result(r, doc_id, f"{doc_id}.pdf"))

    env = dict(os.environ, **{HOLD_ENV: "d3"}, PYTHONPATH=str(PROJECT_ROOT))
    proc = subprocess.Popen([sys.executable, "-c", LOADER, str(tmp_path)], env=env,
                            stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line.strip())
            if seen[-1] == "HOLD d3":  # batch d0+d1 committed, d2+d3 replaced, not committed
                # While the loader holds the file, readers get the snapshot of the last load.
                _, rows = run_sql(home.db_path, "SELECT count(*) FROM budget_lines")
                assert rows[0][0] == sum(len(r.values) for d in old.values()
                                         for t in d.tables for r in t.rows)
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait()
        watchdog.cancel()
    assert seen == ["BEGIN d0", "BEGIN d1", "COMMIT d0", "COMMIT d1", "BEGIN d2", "BEGIN d3",
                    "HOLD d3"], seen
    assert proc.returncode == -signal.SIGKILL

    got = sums(home.db_path)  # opens: the WAL replays committed transactions only
    for doc_id in ("d0", "d1"):
        assert got[doc_id] == measure_sums(new[doc_id]), doc_id
    for doc_id in ("d2", "d3"):   # d2 was loaded whole in the killed transaction: not visible either
        assert got[doc_id] == measure_sums(old[doc_id]), doc_id
    con = duckdb.connect(str(home.db_path), read_only=True)
    rows = con.execute("SELECT document_id, sha256 FROM documents ORDER BY 1").fetchall()
    con.close()
    assert rows == [(d, new[d].source["sha256"]) for d in ("d0", "d1")] + [
        (d, old[d].source["sha256"]) for d in ("d2", "d3")]

    summary = load_staged(home)  # the stale lock file does not block: flock died with the process
    assert sorted(summary.loaded) == ["d2", "d3"] and summary.skipped == ["d0", "d1"]
    assert sums(home.db_path) == {d: measure_sums(r) for d, r in new.items()}
