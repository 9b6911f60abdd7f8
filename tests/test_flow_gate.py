"""The blocking check is a gate in every driver: a document failing staged_frames_valid is not loaded.

A real demo PDF is given a planted parse: its real parse result with every table row's page set to 0,
put in a private parse cache under the file's sha256 (what the pipeline reads instead of parsing it
again). Its staged frames then break a gate rule (pages below 1), while a second, untouched demo PDF
goes through. The same inbox runs through `budget-etl run` (a subprocess), the Dagster job and
run_night: each time the planted document is staged, refused, and absent from the warehouse.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.config import PARSER_VERSION, Home
from pipeline.sources.identity import document_id, sha256_file
from pipeline.document.reader import backend_from_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planted(small_demo, tmp_path_factory) -> dict:
    """An inbox of two demo PDFs, the second with a planted parse (rows on page 0) in its own cache."""
    from pipeline.parse import parse_document

    root = tmp_path_factory.mktemp("gate")
    inbox, cache = root / "inbox", root / "parse-cache"
    good, bad = sorted(small_demo.glob("2023/1*.pdf"))[:2]
    for p in (good, bad):
        (inbox / "2023").mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, inbox / "2023" / p.name)
    result = parse_document(bad)
    assert result.tables, "the demo document has tables to plant the fault in"
    for t in result.tables:
        for r in t.rows:
            r.page = 0
    cache.mkdir()
    (cache / f"{sha256_file(bad)}-{PARSER_VERSION}-{backend_from_env()}.json").write_text(result.to_json(), "utf-8")
    return {"root": root, "inbox": inbox, "cache": cache,
            "good": document_id(f"2023/{good.name}"), "bad": document_id(f"2023/{bad.name}")}


@pytest.fixture
def private_cache(planted, monkeypatch):
    monkeypatch.setenv("BUDGET_ETL_PARSE_CACHE", str(planted["cache"]))


def _in_warehouse(home: Home, doc_id: str) -> tuple[int, int]:
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        docs = con.execute("SELECT count(*) FROM documents WHERE document_id = ?", [doc_id]).fetchone()[0]
        lines = con.execute("SELECT count(*) FROM budget_lines WHERE document_id = ?", [doc_id]).fetchone()[0]
    finally:
        con.close()
    return docs, lines


def _assert_gated(home: Home, planted: dict) -> None:
    from pipeline.night import gate_problems

    assert (home.staging / planted["bad"]).is_dir(), "the planted document was parsed and staged"
    assert any("page number below 1" in p for p in gate_problems(home, planted["bad"]))
    assert _in_warehouse(home, planted["bad"]) == (0, 0), "a document failing the gate was loaded"
    docs, lines = _in_warehouse(home, planted["good"])
    assert docs == 1 and lines > 100, "the good document beside it was loaded"


def test_budget_etl_run_does_not_load_a_document_failing_the_gate(planted, private_cache):
    home = Home.at(planted["root"] / "cli-home")
    env = dict(os.environ, BUDGET_ETL_PARSE_CACHE=str(planted["cache"]))
    p = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(planted["inbox"]),
                        "--home", str(home.root), "--no-gx"], capture_output=True, text=True, env=env,
                       timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"not loaded: {planted['bad']} fails staged_frames_valid" in p.stdout
    _assert_gated(home, planted)


def test_the_dagster_job_does_not_load_it_and_fails_its_blocking_check(planted, private_cache):
    from assets.definitions import build_defs
    from assets.resources import EtlSettings

    home = Home.at(planted["root"] / "dagster-home")
    job = build_defs(EtlSettings(home_dir=str(home.root), inbox=str(planted["inbox"]), gx=False)
                     ).resolve_job_def("night_job")
    with dg.instance_for_test() as instance:
        res = job.execute_in_process(instance=instance, raise_on_error=False)
        assert res.success
        key = dg.AssetCheckKey(dg.AssetKey("cleaned_frames"), "staged_frames_valid")
        evals = {e.partition: e.status.value for e in
                 instance.event_log_storage.get_asset_check_execution_history(key, limit=100)}
    _assert_gated(home, planted)
    failed = [k for k, v in evals.items() if v == "FAILED"]
    assert len(failed) == 1 and len(evals) == 2, evals


def test_run_night_without_dagster_gates_the_same_way(planted, private_cache):
    from pipeline.night import run_night

    home = Home.at(planted["root"] / "stages-home")
    summary = run_night(home, inbox=planted["inbox"], gx=False, progress=lambda _: None)
    assert set(summary.refused) == {planted["bad"]}
    _assert_gated(home, planted)
