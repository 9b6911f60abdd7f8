"""The night on many machines: `night_job_celery`, its steps executed by Celery workers (dagster-celery).

    plan_night (queue `writer`) ──► parse_documents × N batches (queue `dagster`: any worker, any host)
                                         │ collect
                                         ▼
                                 load_night (queue `writer`: the single DuckDB writer)

The writer steps run on the one host that owns the home (warehouse, state, reports) and are in the
`duckdb_writer` pool (limit 1); parse steps run wherever a worker listens, fetching raw PDFs from and
publishing staged Parquet to the object store (pipeline/distributed.py, pipeline/objectstore.py).
A parse step takes a batch of documents (BUDGET_ETL_PARSE_BATCH, or plan_night's `batch` config):
the fixed cost of a step (the Celery round trip, the step's events in Postgres, loading its input
from S3) is paid once per batch; a batch run again skips the documents it already published.
Step outputs travel through S3 (dagster-aws's pickle IO manager) when the object store is S3, so no
worker needs a shared disk. The local default (`night_job`, one process) is unchanged; this module is
only loaded by the deployment profile (deploy/, docs/SCALE.md) and needs the `scale` extra.
"""


import functools
import os
import re
import time
import warnings

warnings.filterwarnings("ignore", message="Found version mismatch between `dagster-shared`")

import dagster as dg  # noqa: E402

from assets.celery_executor import celery_executor  # noqa: E402

from assets.celery_config import PARSE_QUEUE, QUEUE_TAG, WRITER_QUEUE, executor_config  # noqa: E402
from assets.night import CLEANED, DUCKDB_POOL, PARSED, RAW, REPORT, WAREHOUSE  # noqa: E402
from assets.partitions import documents  # noqa: E402
from assets.resources import EtlSettings, settings_from_env  # noqa: E402

#: A night launched from Dagster waits this long (s) for another night on the same home.
NIGHT_LOCK_WAIT = 3600.0
#: The mapped step when nothing changed: a collect over zero steps would skip the load step, and a
#: night with nothing new must still finish what an interrupted one left (pipeline/resume.py).
NOTHING = "nothing_to_parse"


def _store():
    from pipeline.objectstore import store_from_env

    store = store_from_env()
    if store is None:
        raise dg.Failure("BUDGET_ETL_OBJECT_STORE is not set: the distributed night needs an object store "
                         "(s3://bucket/prefix, or a folder every worker shares)")
    return store


def chosen_documents(docs: list, labels: dict[str, str], chosen: list[str]) -> list:
    """The discovered documents of the chosen partitions; a key the source does not offer is an error
    (a backfill that silently did less than asked would look complete)."""
    unknown = sorted(set(chosen) - {labels[d.document_id] for d in docs})
    if unknown:
        raise dg.Failure(f"no discovered document is partition {', '.join(map(repr, unknown))} "
                         "(partition keys as the UI lists them under `documents`)")
    return [d for d in docs if labels[d.document_id] in set(chosen)]


def _mapping_key(document_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", document_id)


@dg.op(tags={QUEUE_TAG: WRITER_QUEUE}, pool=DUCKDB_POOL,
       config_schema={"batch": dg.Field(int, is_required=False,
                                        description="Documents per parse step (default: BUDGET_ETL_PARSE_BATCH, "
                                                    "else 3)."),
                      "force": dg.Field(bool, is_required=False, default_value=False,
                                        description="Parse and load again even what is unchanged (with "
                                                    "`partitions`: a re-run of those documents)."),
                      "partitions": dg.Field([str], is_required=False,
                                             description="A backfill: only these partitions of `documents` "
                                                         "(keys as the UI shows them); default: the whole night.")},
       out={"night": dg.Out(dict), "documents": dg.DynamicOut(list, is_required=False)},
       description="Discover, register new documents as partitions, publish the changed PDFs to the "
                   "object store; one parse step per batch of changed documents.")
def plan_night(context: dg.OpExecutionContext, etl: EtlSettings):
    from pipeline.distributed import batch_size_from_env, batches, doc_to_dict, plan_documents
    from pipeline.night import NightSummary, discover_stage
    from pipeline.nightlock import night_lock
    from pipeline.sources.labels import assign_labels
    from pipeline.sources.registry import save_discovered

    home = etl.home
    say = context.log.info
    with night_lock(home, wait=NIGHT_LOCK_WAIT, progress=say):
        summary = NightSummary(home=home)
        docs = discover_stage(home, summary, inbox=etl.source_inbox, portal=etl.portal, progress=say)
        for d in docs:
            save_discovered(home, d)
        labels = assign_labels(home, docs)
        known = set(context.instance.get_dynamic_partitions(documents.name))
        new = sorted({labels[d.document_id] for d in docs} - known)
        if new:
            context.instance.add_dynamic_partitions(documents.name, new)
        discovered = len(docs)
        chosen = context.op_config.get("partitions")
        if chosen:
            docs = chosen_documents(docs, labels, chosen)
        force = etl.force or context.op_config["force"]
        todo, unchanged = plan_documents(home, _store(), docs, force=force)
    size = context.op_config.get("batch") or batch_size_from_env()
    groups = batches(todo, size)
    context.log.info(f"{discovered} documents ({len(docs)} chosen): {len(todo)} to parse in {len(groups)} "
                     f"steps of up to {size}, {len(unchanged)} unchanged")
    yield dg.Output({"discovered": discovered, "to_parse": len(todo), "unchanged": len(unchanged),
                     "batch": size, "chosen": sorted(chosen or []), "force": force}, "night")
    for group in groups:
        tasks = [{"doc": doc_to_dict(d), "label": labels[d.document_id], "force": force} for d in group]
        yield dg.DynamicOutput(tasks, mapping_key=_mapping_key(group[0].document_id), output_name="documents")
    if not todo:
        yield dg.DynamicOutput([], mapping_key=NOTHING, output_name="documents")


@dg.op(tags={QUEUE_TAG: PARSE_QUEUE},
       retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
       description="A batch of documents: fetch each PDF from the object store, parse it under the "
                   "document limits, clean it, publish its staged set. Runs on any worker; run again, "
                   "it skips the documents it already published.")
def parse_documents(context: dg.OpExecutionContext, tasks) -> list:
    from pipeline.distributed import doc_from_dict, parse_published

    replies = []
    for task in tasks or []:
        reply = parse_published(_store(), doc_from_dict(task["doc"]), force=task["force"])
        _report(context, task["label"], reply)
        replies.append(reply)
    return replies


def _report(context: dg.OpExecutionContext, key: str, reply: dict) -> None:
    """The document's partition events: materialized (raw, parsed, cleaned) or an observation why not."""
    out = reply["outcome"]
    meta = {"document_id": out["document_id"], "source": out["locator"], "status": out["status"],
            "department": out.get("department") or "", "year": out.get("year") or 0,
            "pages": out.get("pages") or 0, "tables_found": out.get("tables") or 0,
            "rows": out.get("rows") or 0, "parse_warnings": out.get("warnings") or 0,
            "parse_seconds": round(out.get("seconds") or 0.0, 2), "staged_prefix": reply["prefix"],
            "worker_pid": os.getpid(), "resumed": bool(reply.get("resumed"))}
    if out["status"] == "parsed":
        context.log_event(dg.AssetMaterialization(RAW, partition=key, metadata={"sha256": out["sha256"]}))
        context.log_event(dg.AssetMaterialization(PARSED, partition=key, metadata=meta))
        context.log_event(dg.AssetMaterialization(CLEANED, partition=key, metadata=meta))
    else:
        context.log_event(dg.AssetObservation(PARSED, partition=key, metadata={
            **meta, "error_kind": out.get("error_kind") or "unreadable", "reason": out.get("error") or ""},
            description=f"{out.get('error_kind')}: {out.get('error')}"))


@dg.op(tags={QUEUE_TAG: WRITER_QUEUE}, pool=DUCKDB_POOL,
       description="The single DuckDB writer: collect the published sets into the home's staging area, "
                   "load every pending document (in batches, one transaction a batch), check, write the report.")
def load_night(context: dg.OpExecutionContext, etl: EtlSettings, night: dict, parsed: list) -> dict:
    from pipeline.distributed import collect_published
    from pipeline.night import NightSummary, finish_stages, load_stage
    from pipeline.nightlock import night_lock
    from pipeline.summary import save_summary

    home = etl.home
    say = context.log.info
    summary = NightSummary(home=home, discovered=night["discovered"])
    with night_lock(home, wait=NIGHT_LOCK_WAIT, progress=say):
        t = time.perf_counter()
        replies = [r for batch in parsed if batch for r in batch]
        summary.outcomes = collect_published(home, _store(), replies)
        summary.seconds["collect"] = time.perf_counter() - t
        loaded = load_stage(home, summary, progress=say)   # gates every pending document first
        invalid = summary.refused
        finish_stages(home, summary, roster=etl.roster_path, gx=etl.gx, run_id=context.run.run_id,
                      progress=say, recheck=bool(loaded) or etl.force or bool(night.get("force"))
                      or bool(night.get("chosen")))
        save_summary(summary)
    if loaded or summary.checks is not None:
        context.log_event(dg.AssetMaterialization(WAREHOUSE, metadata={
            "documents_loaded_now": len(loaded), "not_loaded_invalid": len(invalid),
            "path": dg.MetadataValue.path(str(home.db_path))}))
    if summary.checks is not None:
        context.log_event(dg.AssetMaterialization(REPORT, metadata={
            "errors": summary.checks.errors, "warnings": summary.checks.warnings,
            "report": dg.MetadataValue.path(str(summary.report))}))
    return {"loaded": len(loaded), "collected": len(summary.outcomes),
            "seconds": {k: round(v, 2) for k, v in summary.seconds.items()}}


_S3_CLIENTS: dict = {}


@functools.cache
def _process_s3_resource():
    """dagster-aws's S3Resource with one client per process and configuration.

    Why: resources are built again for every step, and S3Resource.get_client builds a new boto3
    session and client each time, which reads botocore's service models from disk: measured with
    py-spy on a parse worker, that was about half of a step's CPU outside parsing (docs/SCALE.md).
    """
    from dagster_aws.s3 import S3Resource

    class ProcessS3Resource(S3Resource):
        def get_client(self):
            key = self.model_dump_json()
            client = _S3_CLIENTS.get(key)
            if client is None:
                client = _S3_CLIENTS[key] = super().get_client()
            return client

    return ProcessS3Resource


def io_manager_from_env() -> dg.IOManagerDefinition | dg.ConfigurableIOManager:
    """Step outputs in S3 when the object store is S3 (no shared disk), else in a shared folder."""
    url = os.environ.get("BUDGET_ETL_OBJECT_STORE") or ""
    if url.startswith("s3://"):
        from dagster_aws.s3 import S3PickleIOManager

        bucket, _, prefix = url[len("s3://"):].partition("/")
        s3 = _process_s3_resource()(endpoint_url=os.environ.get("BUDGET_ETL_S3_ENDPOINT"))
        return S3PickleIOManager(s3_resource=s3,
                                 s3_bucket=bucket, s3_prefix=(prefix.strip("/") + "/dagster-io").lstrip("/"))
    base = os.environ.get("BUDGET_ETL_IO_DIR") or (url.removeprefix("file://") + "/dagster-io" if url else None)
    return dg.fs_io_manager.configured({"base_dir": base}) if base else dg.fs_io_manager


@dg.job(executor_def=celery_executor.configured(executor_config()),
        resource_defs={"etl": settings_from_env(), "io_manager": io_manager_from_env()},
        tags={"night": "distributed"},
        description="The night on Celery workers: parse steps on any worker, the DuckDB writer's steps "
                    "on the `writer` queue (docs/SCALE.md).")
def night_job_celery():
    night, docs = plan_night()
    load_night(night, docs.map(parse_documents).collect())


def run_distributed_night(instance: dg.DagsterInstance, tags: dict | None = None, run_config: dict | None = None):
    """Launch night_job_celery on ``instance`` from this process (the run's orchestrator); the steps
    run on the Celery workers. Returns when the run ends."""
    return dg.execute_job(dg.reconstructable(night_job_celery), instance=instance, tags=tags or {},
                          run_config=run_config or {}, raise_on_error=False)


def scale_defs() -> dg.Definitions:
    """The deployment profile's code location: the local assets and jobs plus night_job_celery, whose
    schedule replaces the local one (one night at 02:00, on the workers)."""
    from assets.discovery import document_discovery, night_job, warehouse_job
    from assets.night import night
    from pipeline.config import NIGHTLY_CRON, TIMEZONE

    schedule = dg.ScheduleDefinition(name="nightly_ingestion_distributed", cron_schedule=NIGHTLY_CRON,
                                     execution_timezone=TIMEZONE, job=night_job_celery,
                                     default_status=dg.DefaultScheduleStatus.RUNNING,
                                     description="The nightly ingestion at 02:00 Asia/Shanghai on the "
                                                 "Celery workers (the run itself skips what is unchanged).")
    return dg.Definitions(assets=[night], jobs=[night_job, warehouse_job, night_job_celery],
                          schedules=[schedule], sensors=[document_discovery],
                          resources={"etl": settings_from_env()})

