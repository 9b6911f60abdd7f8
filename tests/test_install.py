"""A plain (non-editable) install runs the demo: the SQL, templates and reference data ship as package data.

The project is built into a wheel from a copy of its files (so the build leaves nothing in the
checkout), the wheel is installed without dependencies into a folder of its own, and the CLI runs
from a directory outside the project with only that folder on the path (the dependencies are this
interpreter's). Were a file still found through the source tree, it would be missing here.
The fresh-venv variant (`python3.11 -m venv v && v/bin/pip install .`, dependencies from the index)
is what the lead runs by hand; this test keeps the same property under two minutes in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "pipeline", "assets", "expectations", "warehouse")


def _copy_project(dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.duckdb", "*.duckdb.wal", "*.lock", "*.egg-info")
    for name in SOURCES:
        src = PROJECT_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=ignore)
        else:
            shutil.copy2(src, dst / name)


def _run(args: list[str], env: dict, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd,
                       timeout=timeout)
    assert p.returncode == 0, f"{' '.join(args)} exited {p.returncode}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


def test_an_installed_wheel_runs_the_demo_outside_the_source_tree(tmp_path):
    src, wheels, target, outside = (tmp_path / n for n in ("src", "wheels", "site", "outside"))
    src.mkdir()
    outside.mkdir()
    _copy_project(src)
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run(["-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)],
         base_env, tmp_path)
    (wheel,) = wheels.glob("district_budget_etl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in ("warehouse/views.sql", "warehouse/schema/001_init.sql", "pipeline/tables/catalogue.yaml",
                     "pipeline/narrative/patterns.yaml", "pipeline/reference/economic_subjects.csv",
                     "pipeline/report/templates/report.html.j2", "pipeline/demo/seed_perf.tsv"):
        assert packaged in names, f"{packaged} is not in the wheel"
    assert not any(n.startswith("tests/") for n in names)
    _run(["-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
         base_env, tmp_path)
    shutil.rmtree(src)   # nothing of the project's own folder is left to be found by accident

    env = dict(base_env, PYTHONPATH=str(target))
    where = _run(["-c", "import pipeline, warehouse, assets; print(pipeline.__file__); print(warehouse.__file__)"],
                 env, outside).stdout.split()
    assert all(Path(w).is_relative_to(target) for w in where), where
    district, home = outside / "district", outside / "home"
    _run(["-m", "pipeline.cli", "demo-data", str(district), "--departments", "2"], env, outside)
    run = _run(["-m", "pipeline.cli", "run", "--inbox", str(district), "--home", str(home), "--no-gx"], env, outside)
    assert "report:" in run.stdout
    pdfs = sorted(district.glob("20*/*.pdf"))
    sql = _run(["-m", "pipeline.cli", "sql", "SELECT status, count(*) AS n FROM documents GROUP BY ALL ORDER BY 1",
                "--home", str(home), "--format", "csv"], env, outside).stdout
    counts = dict(line.split(",") for line in sql.strip().splitlines()[1:])
    assert sum(int(n) for n in counts.values()) >= len(pdfs) and int(counts["loaded"]) >= 4, sql
    views = _run(["-m", "pipeline.cli", "sql", "SELECT count(*) FROM v_budget_lines", "--home", str(home),
                  "--format", "csv"], env, outside).stdout
    assert int(views.strip().splitlines()[-1]) > 100, "the views (views.sql) exist and read the lines"
    report = Path(run.stdout.split("report:")[1].split()[0])
    assert report.is_file() and "dept-" in report.read_text("utf-8")
