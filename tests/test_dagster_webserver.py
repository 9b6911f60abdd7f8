"""As a user: `budget-etl run`, then `budget-etl ui` (a real webserver and daemon on 127.0.0.1, started
with no PATH) shows that night through GraphQL; a night launched through GraphQL (the schedule's job)
fills a fresh home with the same warehouse contents as the CLI's night.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipeline.checks.catalogue import REGISTRY

pytestmark = pytest.mark.slow

LOCATION = {"repositoryLocationName": "district_budget_etl", "repositoryName": "__repository__"}

META = """metadataEntries { label __typename ... on IntMetadataEntry { intValue }
          ... on TextMetadataEntry { text } ... on PathMetadataEntry { path } }"""

NIGHT_QUERY = """
{ assetNodes { assetKey { path } isPartitioned }
  parsed: assetNodeOrError(assetKey: {path: ["parsed_document"]}) { ... on AssetNode {
    partitionKeys
    assetMaterializations(limit: 200) { partition runId %(meta)s }
    assetObservations(limit: 200) { partition %(meta)s } } }
  cleaned: assetNodeOrError(assetKey: {path: ["cleaned_frames"]}) { ... on AssetNode {
    assetMaterializations(limit: 200) { partition } } }
  warehouse: assetNodeOrError(assetKey: {path: ["warehouse"]}) { ... on AssetNode {
    assetMaterializations(limit: 5) { runId %(meta)s } } }
  report: assetNodeOrError(assetKey: {path: ["discrepancy_report"]}) { ... on AssetNode {
    assetMaterializations(limit: 5) { runId %(meta)s } } }
  readable: assetCheckExecutions(assetKey: {path: ["parsed_document"]}, checkName: "document_readable",
                                 limit: 200) { partition status evaluation { description } }
  rowTotal: assetCheckExecutions(assetKey: {path: ["discrepancy_report"]}, checkName: "row_total", limit: 5) {
    status evaluation { description %(meta)s } }
  runsOrError { ... on Runs { results { runId jobName status } } } }
""" % {"meta": META}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(base: str, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        out = json.loads(r.read())
    assert "errors" not in out, out["errors"]
    return out["data"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, f"budget-etl {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p


@contextlib.contextmanager
def ui(home: Path, inbox: Path, log: Path):
    """`budget-etl ui --home HOME` with no PATH in its environment; yields the base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "HOME", "BUDGET_ETL_PARSE_CACHE", "LANG")}
    env.update(BUDGET_ETL_INBOX=str(inbox), BUDGET_ETL_GX="0")
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ui", "--home", str(home), "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base}/server_info", timeout=5) as r:
                    if r.status == 200:
                        break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"budget-etl ui did not come up on {base}: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cli_night(small_demo, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("cli-night")
    out = _cli("run", "--inbox", str(small_demo), "--home", str(home), "--no-gx")
    assert "[1/" in out.stdout and "documents:" in out.stdout and "dagster:   run" in out.stdout
    return home


def _meta(event: dict) -> dict:
    return {m["label"]: m.get("intValue", m.get("text", m.get("path"))) for m in event["metadataEntries"]}


def test_the_ui_shows_the_cli_night(cli_night, small_demo, tmp_path):
    log = tmp_path / "ui.log"
    with ui(cli_night, small_demo, log) as base:
        data = _post(base, NIGHT_QUERY)
    startup = log.read_text(errors="replace")
    assert "SupersessionWarning" not in startup and "DeprecationWarning" not in startup, startup[-2000:]

    (run,) = data["runsOrError"]["results"]
    assert run["jobName"] == "night_job" and run["status"] == "SUCCESS"
    nodes = {"/".join(n["assetKey"]["path"]): n["isPartitioned"] for n in data["assetNodes"]}
    assert nodes == {"raw_pdf": True, "parsed_document": True, "cleaned_frames": True, "warehouse": False,
                     "discrepancy_report": False}

    pdfs = sorted(small_demo.rglob("*.pdf"))
    keys = data["parsed"]["partitionKeys"]
    assert len(keys) == len(pdfs) and "125 社区管理办公室 · 2023" in keys
    mats = {m["partition"]: _meta(m) for m in data["parsed"]["assetMaterializations"]}
    obs = {o["partition"]: _meta(o) for o in data["parsed"]["assetObservations"]}
    assert set(mats) | set(obs) == set(keys) and not set(mats) & set(obs)
    assert len(obs) == 4 and {o["error_kind"] for o in obs.values()} == {"truncated", "not_pdf", "no_text", "encrypted"}
    for m in mats.values():
        assert {"department", "year", "pages", "tables_found", "tables_missing", "completeness", "errors",
                "warnings", "parse_seconds", "report_section"} <= set(m), m
        assert m["report_section"].split("#")[1].startswith("dept-")
    assert {m["partition"] for m in data["cleaned"]["assetMaterializations"]} == set(mats)
    assert all(m["runId"] == run["runId"] for m in data["parsed"]["assetMaterializations"])

    readable = {e["partition"]: e["status"] for e in data["readable"]}
    assert {k for k, s in readable.items() if s == "FAILED"} == set(obs)
    assert all(readable[k] == "SUCCEEDED" for k in mats)

    (wh,) = data["warehouse"]["assetMaterializations"]
    assert _meta(wh)["documents_loaded"] == len(mats) and _meta(wh)["documents_failed"] == len(obs)
    assert "unreadable_documents" in _meta(wh)
    (rep,) = data["report"]["assetMaterializations"]
    assert _meta(rep)["errors"] > 0
    (row_total,) = data["rowTotal"]
    assert row_total["status"] == "FAILED" and "p. " in row_total["evaluation"]["description"]


def _contents(home: Path) -> dict:
    con = duckdb.connect(str(home / "warehouse" / "district.duckdb"), read_only=True)
    try:
        return {
            "documents": con.execute("SELECT document_id, status, error_kind, department_code, year, pages "
                                     "FROM documents ORDER BY 1").fetchall(),
            "lines": con.execute("SELECT document_id, table_kind, count(*), sum(amount) FROM budget_lines "
                                 "GROUP BY ALL ORDER BY ALL").fetchall(),
            "findings": con.execute("SELECT check_name, severity, count(*) FROM check_results WHERE run_id = "
                                    "(SELECT max_by(run_id, checked_at) FROM check_results) GROUP BY ALL "
                                    "ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


def test_the_schedules_job_launched_through_graphql_fills_the_same_warehouse(cli_night, small_demo, tmp_path):
    home = tmp_path / "ui-home"
    with ui(home, small_demo, tmp_path / "ui2.log") as base:
        schedules = _post(base, """query($r: RepositorySelector!) { schedulesOrError(repositorySelector: $r) {
            ... on Schedules { results { name pipelineName } } } }""", {"r": LOCATION})
        (schedule,) = [s for s in schedules["schedulesOrError"]["results"] if s["name"] == "nightly_ingestion"]
        launched = _post(base, """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
            __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
                         {"p": {"selector": {**LOCATION, "jobName": schedule["pipelineName"]},
                                "executionMetadata": {"tags": [{"key": "launched_by", "value": "test"}]}}})
        assert launched["launchRun"]["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["launchRun"]["run"]["runId"]
        deadline = time.monotonic() + 600
        status = None
        while time.monotonic() < deadline:
            status = _post(base, 'query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }',
                           {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            time.sleep(3)
        assert status == "SUCCESS", (tmp_path / "ui2.log").read_text(errors="replace")[-3000:]
        keys = _post(base, '{ assetNodeOrError(assetKey: {path: ["parsed_document"]}) { ... on AssetNode { partitionKeys } } }')
    assert len(keys["assetNodeOrError"]["partitionKeys"]) == len(list(small_demo.rglob("*.pdf")))
    ui_night, cli = _contents(home), _contents(cli_night)
    assert ui_night["documents"] == cli["documents"] and len(cli["documents"]) == 11
    assert ui_night["lines"] == cli["lines"] and ui_night["findings"] == cli["findings"]
    assert {n for n, _, _ in cli["findings"]} <= set(REGISTRY)
