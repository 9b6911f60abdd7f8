"""The night past one machine (issue 16): Dagster on Postgres, steps on Celery workers over Redis, raw
PDFs and staged Parquet on an S3 endpoint, all real services on 127.0.0.1 (tests/scale_services.py).

Two parse workers and the one writer worker (queue `writer`, where the DuckDB writer's steps are pinned)
run the nightly job over a small demo district; the warehouse must equal the local default's, row for
row. Then a parse worker is killed (SIGKILL to its process group, as a host dies) while it holds a step:
the run must complete on the other worker with nothing lost or loaded twice. Skipped with the reason
where a service cannot start (.ci/run installs redis-server, Postgres and the `scale` extra).
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from pathlib import Path

import pytest

from pipeline.config import Home

pytestmark = pytest.mark.slow

#: Seconds before Redis hands a dead worker's step to another (short here; 900 in production).
VISIBILITY = "20"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    try:
        import boto3  # noqa: F401
        import celery  # noqa: F401
        import dagster_aws  # noqa: F401
        import dagster_celery  # noqa: F401
        import dagster_postgres  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        pytest.skip(f"the deployment profile's packages are not installed ({e}); .ci/run installs them")
    from scale_services import ServiceUnavailable, Services

    s = Services(tmp_path_factory.mktemp("scale"))
    saved = dict(os.environ)
    try:
        s.start_postgres()
        s.start_redis()
        s.start_s3()
        s.write_dagster_home()
    except ServiceUnavailable as e:
        s.stop()
        pytest.skip(f"the distributed night's services cannot start here: {e}")
    except BaseException:
        s.stop()
        raise
    # The run's orchestrator is this process: it reads the broker and the instance from the environment.
    os.environ.update(s.env)
    os.environ.update({"BUDGET_ETL_OBJECT_STORE": f"s3://{s.bucket}/orchestrator",
                       "BUDGET_ETL_CELERY_VISIBILITY_TIMEOUT": VISIBILITY})
    try:
        yield s
    finally:
        s.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def local_rows(small_demo, tmp_path_factory):
    """The local default's warehouse of the same district (night_job, one process)."""
    from assets.run import run_night_in_dagster
    from scale_services import warehouse_rows

    home = Home.at(tmp_path_factory.mktemp("scale-local"))
    result = run_night_in_dagster(home, inbox=small_demo, workers=2, gx=False)
    assert result.success
    return warehouse_rows(home.db_path)


def _workers(services, tmp: Path, inbox: Path, prefix: str, own_cache: bool = True) -> tuple[Home, dict]:
    """Two parse workers and the writer worker for one night into a fresh home and store prefix.

    ``own_cache``: each worker parses for real (its own parse cache), else the session's shared cache
    (filled by the local night) spares the parse but not the rest (fetch, clean, stage, publish, load)."""
    home = Home.at(tmp / "home")
    common = {"BUDGET_ETL_HOME": str(home.root), "BUDGET_ETL_INBOX": str(inbox), "BUDGET_ETL_GX": "0",
              "BUDGET_ETL_OBJECT_STORE": f"s3://{services.bucket}/{prefix}",
              "BUDGET_ETL_CELERY_VISIBILITY_TIMEOUT": VISIBILITY}
    procs = {}
    for name, queue, role in (("writer", "writer", "writer"), ("w1", "dagster", "parse"), ("w2", "dagster", "parse")):
        env = {**common, "BUDGET_ETL_WORKER_DIR": str(tmp / f"{name}-scratch")}
        if own_cache:
            env["BUDGET_ETL_PARSE_CACHE"] = str(tmp / f"{name}-cache")
        procs[name] = services.start_worker(name, queue, role=role, env=env)
    return home, procs


def _step_workers(instance, run_id: str) -> dict[str, list[str]]:
    """step key → the Celery workers that executed it (dagster-celery's engine event names them)."""
    out: dict[str, list[str]] = {}
    for e in instance.all_logs(run_id):
        ev = e.dagster_event
        if ev is None or ev.event_type_value != "ENGINE_EVENT" or "in celery worker" not in (ev.message or ""):
            continue
        meta = ev.engine_event_data.metadata if ev.engine_event_data else {}
        host = getattr(meta.get("Celery worker"), "value", None) or getattr(meta.get("Celery worker"), "text", "")
        out.setdefault(e.step_key, []).append(str(host).split("@")[0])
    return out


def _succeeded(instance, run_id: str) -> set[str]:
    return {e.step_key for e in instance.all_logs(run_id)
            if e.dagster_event is not None and e.dagster_event.event_type_value == "STEP_SUCCESS"}


def _parsed_partitions(instance, run_id: str) -> set[str]:
    """The partitions of `documents` whose parse the run reported (materialized or observed)."""
    out = set()
    for e in instance.all_logs(run_id):
        ev = e.dagster_event
        if ev is None or ev.event_type_value not in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION"):
            continue
        data = ev.event_specific_data
        item = data.materialization if ev.event_type_value == "ASSET_MATERIALIZATION" else data.asset_observation
        if item.asset_key.path[-1] == "parsed_document":
            out.add(item.partition)
    return out


def test_distributed_night_equals_the_local_one(services, local_rows, small_demo, tmp_path):
    import boto3
    import dagster as dg

    from assets.scale import run_distributed_night
    from scale_services import warehouse_rows

    home, procs = _workers(services, tmp_path, small_demo, "night-1", own_cache=False)
    try:
        with dg.DagsterInstance.from_config(services.env["DAGSTER_HOME"]) as instance, \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run_distributed_night(instance)
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            by_step = _step_workers(instance, result.run_id)
            got = warehouse_rows(home.db_path)
            # A backfill of two chosen partitions on the same workers, parsed and loaded again.
            chosen = sorted(instance.get_dynamic_partitions("documents"))[:2]
            backfill = run_distributed_night(instance, run_config={
                "ops": {"plan_night": {"config": {"partitions": chosen, "force": True}}}})
            assert backfill.success, [e.message for e in backfill.all_events if e.is_failure]
            redone = _parsed_partitions(instance, backfill.run_id)
        duplicate = [str(w.message) for w in caught if w.category.__name__ == "DuplicateTaskNameWarning"]
        assert duplicate == [], "every step is submitted through the one registered Celery task"
    finally:
        for p in procs.values():
            services.stop_worker(p)
    parse_steps = [k for k in by_step if k.startswith("parse_documents")]
    assert 1 < len(parse_steps) < len(local_rows["documents"]), "documents are parsed in batches"
    parse_hosts = {h for k, hs in by_step.items() if k.startswith("parse_document") for h in hs}
    assert parse_hosts == {"w1", "w2"}, f"parse steps ran on {parse_hosts}: both workers take parse work"
    writer_hosts = {h for k, hs in by_step.items() if not k.startswith("parse_document") for h in hs}
    assert writer_hosts == {"writer"}, "the DuckDB writer's steps run only on the writer queue"
    assert got["documents"] == local_rows["documents"]
    assert len(got["budget_lines"]) == len(local_rows["budget_lines"]) > 0
    assert got["budget_lines"] == local_rows["budget_lines"]
    assert got["check_results"] == local_rows["check_results"]

    assert redone == set(chosen), "the backfill parsed exactly the chosen partitions"
    after = warehouse_rows(home.db_path)
    assert after["documents"] == local_rows["documents"]
    assert after["budget_lines"] == local_rows["budget_lines"], "the chosen documents replaced, not doubled"

    # Step logs (stdout/stderr of the steps, captured on the workers) are in the object store.
    s3 = boto3.client("s3", endpoint_url=services.env["BUDGET_ETL_S3_ENDPOINT"])
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=services.bucket, Prefix="compute-logs/").get("Contents", [])]
    assert any(result.run_id in k and k.endswith(".err") for k in keys), keys[:10]


def test_a_worker_killed_mid_night_loses_nothing(services, local_rows, small_demo, tmp_path):
    import dagster as dg

    from assets.scale import run_distributed_night
    from scale_services import Services, warehouse_rows

    home, procs = _workers(services, tmp_path, small_demo, "night-2")
    killed: dict[str, str] = {}
    stop = threading.Event()

    def kill_w1_mid_step() -> None:
        """Once w1 holds a parse step it has not finished, kill w1's whole process group."""
        with dg.DagsterInstance.from_config(services.env["DAGSTER_HOME"]) as inst:
            while not stop.is_set():
                runs = inst.get_runs(filters=dg.RunsFilter(job_name="night_job_celery",
                                                          statuses=[dg.DagsterRunStatus.STARTED]), limit=1)
                if runs:
                    run_id = runs[0].run_id
                    done = _succeeded(inst, run_id)
                    held = [k for k, hs in _step_workers(inst, run_id).items()
                            if "w1" in hs and k not in done and k.startswith("parse_document")]
                    if held and len(done) >= 2:   # mid-night: some steps done, w1 in the middle of one
                        Services.kill(procs["w1"])
                        killed.update(step=held[0], run_id=run_id)
                        return
                time.sleep(0.2)

    poller = threading.Thread(target=kill_w1_mid_step, daemon=True)
    poller.start()
    try:
        with dg.DagsterInstance.from_config(services.env["DAGSTER_HOME"]) as instance:
            result = run_distributed_night(instance)
            stop.set()
            poller.join(timeout=30)
            assert killed, "w1 was never caught holding a parse step (the night ended first)"
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            assert killed["step"] in _succeeded(instance, result.run_id)
            assert "w2" in _step_workers(instance, result.run_id)[killed["step"]], \
                "the step the killed worker held was completed by the other worker"
    finally:
        stop.set()
        for p in procs.values():
            services.stop_worker(p)
    got = warehouse_rows(home.db_path)
    assert got["documents"] == local_rows["documents"], "a document was lost"
    assert got["budget_lines"] == local_rows["budget_lines"], "rows lost or loaded twice"
    assert got["check_results"] == local_rows["check_results"]
