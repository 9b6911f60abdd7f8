"""A night killed (SIGKILL) during the load, the checks or the report, or stopped by a full disk at
staging or at the checkpoint, is completed by the next normal night: the same budget_lines, check
results and report as an uninterrupted night, the readers' snapshot current, no process left.

The kills happen at named hold points (pipeline/testhooks.py, $BUDGET_ETL_LOAD_HOLD), the full disk
is an injected ENOSPC ($BUDGET_ETL_FAULT): no timers, no races. A small demo district (3 departments,
2 years, fixed seed) keeps each night to a few seconds; parses are shared through the session cache.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.config import PROJECT_ROOT, Home
from pipeline.load.loader import HOLD_ENV
from pipeline.load.snapshot import snapshot_generation, snapshot_path, state_token
from pipeline.testhooks import FAULT_ENV
from pipeline.testhooks import HOLD_ENV as STAGE_HOLD_ENV

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    from pipeline.demo import generate_district

    out = tmp_path_factory.mktemp("fault-district")
    generate_district(out, departments=3, broken=False)
    return out


def _cmd(home: Path, district: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(district), "--home", str(home),
            "--no-gx", "--workers", "1"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (HOLD_ENV, STAGE_HOLD_ENV, FAULT_ENV)}
    return dict(env, PYTHONPATH=str(PROJECT_ROOT), **extra)


def night(home: Path, district: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(home, district), capture_output=True, text=True, env=_env(**env),
                          timeout=300, cwd=PROJECT_ROOT)


def kill_at(home: Path, district: Path, hold_line: str, **env: str) -> None:
    """Start a night, SIGKILL it when it prints ``hold_line``, and check nothing of it survives."""
    proc = subprocess.Popen(_cmd(home, district), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env=_env(**env), cwd=PROJECT_ROOT, start_new_session=True)
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 240
        for line in proc.stderr:
            seen.append(line.rstrip())
            if seen[-1] == hold_line:
                os.kill(proc.pid, signal.SIGKILL)
                break
            assert time.monotonic() < deadline, seen
    finally:
        if proc.poll() is None and seen[-1:] != [hold_line]:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert seen[-1:] == [hold_line], seen[-20:]
    assert proc.returncode == -signal.SIGKILL
    assert_no_process_left(proc.pid)


def assert_no_process_left(session: int) -> None:
    """No process of the night's session (its workers, a resource tracker) outlives it."""
    deadline = time.monotonic() + 10
    while True:
        left = [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _session_of(p) == session]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not left, f"processes left behind: {left}"


def _session_of(proc_dir: Path) -> int | None:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[3]) if fields[0] != "Z" else None   # field 6 of stat: the session id


def fingerprint(home: Path) -> dict:
    """What an interrupted-then-completed night must reproduce exactly."""
    h = Home.at(home)
    con = duckdb.connect(str(h.db_path), read_only=True)
    try:
        lines = con.execute("SELECT * EXCLUDE (bbox) FROM budget_lines ORDER BY ALL").fetchall()
        docs = con.execute("SELECT document_id, sha256, status, error_kind FROM documents ORDER BY 1").fetchall()
        depts = con.execute("SELECT department_key, canonical_name FROM departments ORDER BY 1").fetchall()
        runs = con.execute("SELECT run_id, generation FROM check_runs ORDER BY finished_at DESC").fetchall()
        gen = con.execute("SELECT generation FROM load_generation").fetchone()[0]
        assert runs, "the checks never ran"
        checks = con.execute(
            "SELECT * EXCLUDE (run_id, checked_at) FROM check_results WHERE run_id = ? ORDER BY ALL",
            [runs[0][0]]).fetchall()
        token = state_token(con)
    finally:
        con.close()
    report = (h.reports / "discrepancies.html").read_text("utf-8")
    report = re.sub(r"run \S+ · 生成于 [\d\-: ]+", "run · 生成于", report)
    assert runs[0][1] == gen, "the latest check run did not read the latest warehouse"
    assert snapshot_generation(snapshot_path(h.db_path)) == token, "the readers' snapshot is stale"
    assert not Path(f"{h.db_path}.wal").exists(), "the write-ahead log was not merged"
    return {"budget_lines": lines, "documents": docs, "departments": depts, "checks": checks,
            "report": report}


@pytest.fixture(scope="module")
def reference(district, tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("uninterrupted")
    p = night(home, district)
    assert p.returncode == 0, p.stderr
    fp = fingerprint(home)
    assert fp["budget_lines"] and fp["checks"], "the demo district must load rows and find faults"
    return fp


def _second_document(district: Path, scratch: Path) -> str:
    from pipeline.sources import discover

    ids = sorted(d.document_id for d in discover(Home.at(scratch), inbox=district))
    assert len(ids) >= 3
    return ids[1]


def _completes(home: Path, district: Path, reference: dict, expect: str | None = None) -> None:
    p = night(home, district)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    if expect:
        assert expect in p.stdout, p.stdout
    assert fingerprint(home) == reference


def test_sigkill_during_load(district, reference, tmp_path):
    doc = _second_document(district, tmp_path / "scratch")
    kill_at(tmp_path / "h", district, f"HOLD {doc}", **{HOLD_ENV: doc})
    _completes(tmp_path / "h", district, reference)


def test_sigkill_during_checks(district, reference, tmp_path):
    kill_at(tmp_path / "h", district, "HOLD checks", **{STAGE_HOLD_ENV: "checks"})
    _completes(tmp_path / "h", district, reference, expect="checking the accounting identities")


def test_sigkill_during_report(district, reference, tmp_path):
    kill_at(tmp_path / "h", district, "HOLD report", **{STAGE_HOLD_ENV: "report"})
    p = night(tmp_path / "h", district)
    assert p.returncode == 0 and "checking" not in p.stdout, "checks already done must not run again"
    assert "nothing changed" not in p.stdout
    assert fingerprint(tmp_path / "h") == reference


def test_full_disk_at_staging(district, reference, tmp_path):
    p = night(tmp_path / "h", district, **{FAULT_ENV: "staging"})
    assert p.returncode == 74, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr and "disk is full" in p.stderr, p.stderr
    staging = Home.at(tmp_path / "h").staging
    assert not [x for x in staging.iterdir() if x.name.endswith(".tmp")], "a temp staging folder was left"
    _completes(tmp_path / "h", district, reference)


def test_full_disk_at_checkpoint(district, reference, tmp_path):
    p = night(tmp_path / "h", district, **{FAULT_ENV: "checkpoint"})
    assert p.returncode == 74, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr and "disk is full" in p.stderr and "CHECKPOINT" in p.stderr
    _completes(tmp_path / "h", district, reference, expect="the last run was interrupted")


@pytest.fixture(params=["1200k", "3m"])
def small_disk(request, tmp_path):
    """A real small tmpfs (needs root and mount). Measured with this district: 1200 KiB fills up while
    staging, 3 MiB at the warehouse's CHECKPOINT. Remount it bigger with ``grow()``."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs a tmpfs mount (root); the injected ENOSPC tests cover it")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={request.param}", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({p.stderr.strip()}); the injected ENOSPC tests cover it")

    def grow() -> None:
        subprocess.run(["mount", "-o", "remount,size=256m", str(mnt)], check=True)
    try:
        yield mnt, grow
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_real_full_disk(district, reference, small_disk):
    mnt, grow = small_disk
    home = mnt / "h"
    p = night(home, district)
    assert p.returncode == 74, (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    assert "Traceback" not in p.stderr and "disk is full" in p.stderr, p.stderr
    grow()
    _completes(home, district, reference)
