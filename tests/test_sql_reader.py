"""`budget-etl sql` is a reader: only SELECT-like statements (DuckDB's own statement types), no file
access, no extensions, no configuration changes; the warehouse's views still read. Each refusal is
tried for real and its would-be effect looked for (the file not written, the snapshot intact)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import seed_result  # noqa: E402

from pipeline.clean.frames import frames_from_result
from pipeline.config import PROJECT_ROOT, Home
from pipeline.load.loader import load_staged
from pipeline.load.snapshot import snapshot_path
from pipeline.load.sql import SqlError, run_sql
from pipeline.load.staging import stage


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Home:
    h = Home.at(tmp_path_factory.mktemp("sqlhome")).ensure()
    stage(h.staging, "seed", frames_from_result(seed_result(), "seed", "seed.pdf"))
    load_staged(h)
    return h


@pytest.fixture()
def outside(tmp_path) -> Path:
    """A folder outside the home, with a CSV and a Parquet file a query might try to read."""
    (tmp_path / "secret.csv").write_text("a,b\n1,2\n", "utf-8")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 1 AS a) TO '{tmp_path / 'secret.parquet'}' (FORMAT parquet)")
    con.close()
    return tmp_path


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_queries_and_views_read(home):
    _, rows = run_sql(home.db_path, "SELECT count(*) FROM v_budget_lines")
    assert rows[0][0] > 0
    cols, rows = run_sql(home.db_path, "WITH t AS (SELECT year FROM v_documents) SELECT * FROM t")
    assert cols == ["year"] and rows == [(2023,)]
    assert any(r[0] == "budget_lines" for r in run_sql(home.db_path, "SHOW TABLES")[1])
    assert any(r[0] == "amount" for r in run_sql(home.db_path, "DESCRIBE budget_lines")[1])
    assert run_sql(home.db_path, "SUMMARIZE SELECT amount FROM budget_lines")[1]
    assert run_sql(home.db_path, "EXPLAIN SELECT * FROM v_district_class_totals")[1]
    assert run_sql(home.db_path, "FROM documents SELECT document_id")[1] == [("seed",)]


@pytest.mark.parametrize("statement", [
    "COPY (SELECT 1) TO '{out}/x.csv'",
    "COPY budget_lines TO '{snap}' (FORMAT csv)",
    "EXPORT DATABASE '{out}/export'",
    "ATTACH '{out}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET threads = 1",
    "RESET threads",
    "PRAGMA version",
    "CALL pragma_version()",
    "CHECKPOINT",
    "DELETE FROM budget_lines",
    "CREATE TABLE x AS SELECT 1",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}/x.csv'",
    "SELECT 1; COPY (SELECT 1) TO '{out}/x.csv'",
    "DETACH snapshot",
    "USE memory",
])
def test_statements_other_than_queries_are_refused(home, tmp_path, statement):
    snap = snapshot_path(home.db_path)
    before = _digest(snap)
    q = statement.format(out=tmp_path, snap=snap)
    with pytest.raises(SqlError, match="only queries are allowed"):
        run_sql(home.db_path, q)
    assert _digest(snap) == before
    assert list(tmp_path.iterdir()) == [], "a refused statement wrote a file"


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('{out}/secret.csv')",
    "SELECT * FROM '{out}/secret.csv'",
    "SELECT * FROM read_parquet('{out}/secret.parquet')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_blob('{out}/secret.csv')",
    "SELECT * FROM glob('{out}/*')",
    "SELECT * FROM read_text('{home}/warehouse/district.duckdb')",
])
def test_file_reading_functions_are_refused(home, outside, query):
    with pytest.raises(SqlError, match="disabled by configuration|Permission"):
        run_sql(home.db_path, query.format(out=outside, home=home.root))


def test_extensions_cannot_be_autoloaded_nor_configuration_changed(home):
    _, rows = run_sql(home.db_path, "SELECT current_setting('enable_external_access'),"
                                    " current_setting('lock_configuration')")
    assert rows == [(False, True)]
    with pytest.raises(SqlError):
        run_sql(home.db_path, "SELECT * FROM read_json_auto('https://127.0.0.1:9/x.json')")


def test_cli_refusal_is_a_plain_message(home, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    target = tmp_path / "out.csv"
    p = subprocess.run([sys.executable, "-m", "pipeline.cli", "sql", f"COPY budget_lines TO '{target}'",
                        "--home", str(home.root)], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "COPY" in p.stderr, p.stderr
    assert not target.exists()
    missing = subprocess.run([sys.executable, "-m", "pipeline.cli", "sql", "SELECT 1", "--home",
                              str(tmp_path / "nowhere")], capture_output=True, text=True, env=env,
                             timeout=120)
    assert missing.returncode == 66 and "Traceback" not in missing.stderr
    assert "no home" in missing.stderr, missing.stderr


def test_missing_or_uncreatable_home_is_a_plain_message(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    for args, code, words in (
            (["report", "--home", str(tmp_path / "nowhere")], 66, "no home"),
            (["sql", "SELECT 1", "--home", str(tmp_path)], 66, "no warehouse"),
            (["run", "--inbox", str(tmp_path), "--home", str(blocker / "home")], 66, "cannot create the home")):
        p = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                           env=env, timeout=120)
        assert p.returncode == code and "Traceback" not in p.stderr and words in p.stderr, (args, p.stderr)
