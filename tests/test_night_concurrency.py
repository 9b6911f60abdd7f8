"""Nights and readers at the same time: a second night waits (bounded) or exits with a plain message
and exit 75; two runs started together on a fresh home never crash; a reader never makes the loader
fail (readers use the snapshot); a process holding the main file is named, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import measure_sums, seed_result, varied  # noqa: E402

from pipeline.clean.frames import frames_from_result
from pipeline.config import PROJECT_ROOT, Home
from pipeline.load.loader import load_staged
from pipeline.load.snapshot import connect_writer
from pipeline.load.sql import run_sql
from pipeline.load.staging import stage
from pipeline.night_errors import WarehouseBusy
from pipeline.nightlock import night_lock

pytestmark = pytest.mark.slow

HOLD_OPEN = """
import sys, time, duckdb
from pipeline.load.snapshot import connect_snapshot
path = sys.argv[2]
con = connect_snapshot(path) if sys.argv[1] == "snapshot" else duckdb.connect(path, read_only=True)
print(con.execute("SELECT sum(amount) FROM budget_lines").fetchone()[0], flush=True)
sys.stdin.readline()   # hold the file open until the test closes stdin
print(con.execute("SELECT sum(amount) FROM budget_lines").fetchone()[0], flush=True)
"""


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    from pipeline.demo import generate_district

    out = tmp_path_factory.mktemp("concurrency-district")
    generate_district(out, departments=2, years=(2023,), broken=False)
    return out


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), **extra)


def _run(home: Path, district: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(district),
                             "--home", str(home), "--no-gx", "--workers", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                            cwd=PROJECT_ROOT)


def _stage(home: Home, scale: Decimal, tag: str) -> dict:
    seed = seed_result()
    docs = {f"d{i}": varied(seed, str(200 + i), f"部门{i}", 2023, scale, tag * 63 + str(i)) for i in range(2)}
    for doc_id, r in docs.items():
        stage(home.staging, doc_id, frames_from_result(r, doc_id, f"{doc_id}.pdf"))
    return docs


def _total(docs: dict) -> Decimal:
    return sum((v for r in docs.values() for v in measure_sums(r).values()), Decimal(0))


def test_a_second_night_exits_plainly_or_waits_bounded(district, tmp_path):
    home = Home.at(tmp_path / "h")
    with night_lock(home):
        p = _run(home.root, district)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 75 and "Traceback" not in err, err
        assert "another night is running" in err and str(os.getpid()) in err, err
        p = _run(home.root, district, "--wait", "1")
        out, err = p.communicate(timeout=120)
        assert p.returncode == 75 and "still running after 1 s" in err and "Traceback" not in err, err
        assert "waiting up to 1 s" in out
    assert not home.db_path.exists(), "a night that did not start wrote the warehouse"


def test_two_runs_at_once_on_a_fresh_home(district, tmp_path):
    home = tmp_path / "fresh"
    waiting = [_run(home, district, "--wait", "300") for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in waiting]
    for out, err, code in results:
        assert code == 0 and "Traceback" not in err and "IOException" not in err, err
    assert sum("another night is running" in out for out, _, _ in results) == 1, "exactly one waited"
    eager = [_run(home, district) for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in eager]
    assert sorted(code for _, _, code in results) in ([0, 0], [0, 75]), results
    for _, err, code in results:
        assert "Traceback" not in err and (code == 0 or "another night is running" in err), err


def test_a_long_reader_never_makes_the_loader_fail(tmp_path):
    home = Home.at(tmp_path).ensure()
    old = _stage(home, Decimal(1), "a")
    load_staged(home)
    reader = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, "snapshot", str(home.db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert Decimal(reader.stdout.readline()) == _total(old)
        new = _stage(home, Decimal(3), "b")
        summary = load_staged(home)        # the reader holds the old snapshot open all along
        assert sorted(summary.loaded) == ["d0", "d1"]
        assert run_sql(home.db_path, "SELECT sum(amount) FROM budget_lines")[1][0][0] == _total(new)
        reader.stdin.close()
        assert Decimal(reader.stdout.readline()) == _total(old), "an open reader keeps its snapshot"
    finally:
        reader.kill()
        reader.wait()


def test_a_process_holding_the_main_file_is_named(tmp_path, district):
    home = Home.at(tmp_path).ensure()
    _stage(home, Decimal(1), "a")
    load_staged(home)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, "main", str(home.db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        holder.stdout.readline()
        with pytest.raises(WarehouseBusy, match=f"held by process {holder.pid}"):
            connect_writer(home.db_path, timeout=0.5)
        _stage(home, Decimal(2), "c")
        p = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(district),
                            "--home", str(home.root), "--no-gx", "--workers", "1"], capture_output=True,
                           text=True, env=_env(BUDGET_ETL_WRITER_WAIT="1"), timeout=300, cwd=PROJECT_ROOT)
        assert p.returncode == 75 and "Traceback" not in p.stderr, p.stderr
        assert f"held by process {holder.pid}" in p.stderr, p.stderr
    finally:
        holder.kill()
        holder.wait()
