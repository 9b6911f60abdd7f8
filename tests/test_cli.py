"""`budget-etl` as a user runs it: parse, run (twice), sql, report, with plain errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("budget-etl")
    p = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=900)
    if check and p.returncode != 0:
        raise AssertionError(f"budget-etl {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


@pytest.fixture(scope="module")
def small_district(tmp_path_factory) -> Path:
    from pipeline.demo import generate_district

    out = tmp_path_factory.mktemp("small-district")
    generate_district(out, departments=3)
    return out


def _manifest_files(district: Path) -> list[dict]:
    return json.loads((district / "manifest.json").read_text("utf-8"))["files"]


def test_parse_prints_the_contract_json(demo_district):
    pdf = next(demo_district.glob("2023/125_*.pdf"))
    p = cli("parse", str(pdf))
    doc = json.loads(p.stdout)
    assert doc["department"]["code"] == "125" and doc["year"] == 2023 and doc["unit"] == "万元"
    assert {"source", "tables", "narrative", "warnings"} <= set(doc)
    assert doc["source"]["pages"] > 20


def test_parse_of_a_broken_file_exits_3_with_a_typed_error(demo_district):
    truths = [json.loads(p.read_text("utf-8")) for p in demo_district.rglob("*.truth.json")]
    broken = [t for t in truths if "error" in t]
    assert broken
    for t in broken:
        pdf = demo_district / t["source"]["path"] if not Path(t["source"]["path"]).is_absolute() \
            else Path(t["source"]["path"])
        p = cli("parse", str(pdf), check=False)
        assert p.returncode == 3, p.stderr
        out = json.loads(p.stdout)
        assert out["error"]["kind"] == t["error"]["kind"]
        assert "Traceback" not in p.stderr


def test_run_twice_then_query(small_district, tmp_path):
    home = tmp_path / "home"
    first = cli("run", "--inbox", str(small_district), "--home", str(home), "--no-gx")
    assert "parsed" in first.stdout and "report:" in first.stdout
    assert (home / "warehouse" / "district.duckdb").exists()
    report = Path(first.stdout.split("report:")[1].split()[0])
    html = report.read_text("utf-8")
    assert "<html" in html.lower()
    broken = [f for f in _manifest_files(small_district) if f["kind"] == "broken"]
    assert broken and all(Path(f["path"]).name in html for f in broken), "unreadable files listed"

    second = cli("run", "--inbox", str(small_district), "--home", str(home), "--no-gx")
    assert "[1/" not in second.stdout, "a second run with nothing changed parsed something"
    assert "unchanged" in second.stdout

    q = cli("sql", "SELECT department_code, year, status FROM documents ORDER BY 1, 2", "--home", str(home),
            "--format", "json")
    rows = json.loads(q.stdout)
    assert {"department_code": "125", "year": 2023, "status": "loaded"} in rows

    bad = cli("sql", "SELECT nope FROM nowhere", "--home", str(home), check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "nowhere" in bad.stderr
