"""Smoke test: `dagster dev` on 127.0.0.1 serves the code location; GraphQL lists what users rely on."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assets.instance import write_instance_yaml
from pipeline.checks.registry import REGISTRY
from pipeline.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

QUERY = """
{ assetNodes { assetKey { path } isPartitioned
    assetChecksOrError { __typename ... on AssetChecks { checks { name blocking } } } }
  workspaceOrError { __typename ... on Workspace { locationEntries { name locationOrLoadError {
    __typename
    ... on RepositoryLocation { repositories { schedules { name cronSchedule executionTimezone }
                                              sensors { name } jobs { name } } }
    ... on PythonError { message } } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, query: str) -> dict:
    req = urllib.request.Request(url, data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    dagster_home = tmp_path_factory.mktemp("dagster_home")
    write_instance_yaml(dagster_home)
    port = _free_port()
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home),
               BUDGET_ETL_HOME=str(tmp_path_factory.mktemp("etl_home")))
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen([str(dagster), "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"),
                             "-h", "127.0.0.1", "-p", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                pytest.fail(f"dagster dev did not come up on {base}: {out[-3000:]}")
            time.sleep(1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_graphql_lists_assets_checks_schedule_and_sensors(server):
    data = _post(f"{server}/graphql", QUERY)["data"]
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    assert set(nodes) == {"raw_pdf", "parsed_document", "cleaned_frames", "warehouse", "discrepancy_report"}
    assert all(nodes[k]["isPartitioned"] for k in ("raw_pdf", "parsed_document", "cleaned_frames"))
    assert not nodes["warehouse"]["isPartitioned"]

    doc_checks = {c["name"]: c["blocking"] for c in nodes["cleaned_frames"]["assetChecksOrError"]["checks"]}
    assert doc_checks == {"staged_frames_valid": True, "document_identities": False}
    report_checks = {c["name"] for c in nodes["discrepancy_report"]["assetChecksOrError"]["checks"]}
    assert set(REGISTRY) | {"great_expectations_suites"} == report_checks

    (entry,) = data["workspaceOrError"]["locationEntries"]
    loc = entry["locationOrLoadError"]
    assert loc["__typename"] == "RepositoryLocation", loc
    (repo,) = loc["repositories"]
    assert {"name": "nightly_ingestion", "cronSchedule": "0 2 * * *",
            "executionTimezone": "Asia/Shanghai"} in repo["schedules"]
    assert {s["name"] for s in repo["sensors"]} == {"document_discovery", "warehouse_automation"}
    assert {"document_job", "warehouse_job"} <= {j["name"] for j in repo["jobs"]}
