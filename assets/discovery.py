"""Discovery: the sensor and the nightly schedule that register documents and run the changed ones."""


from pathlib import Path

import dagster as dg

from assets.documents import cleaned_frames, parsed_document, raw_pdf
from assets.partitions import documents
from assets.resources import EtlSettings
from assets.warehouse import discrepancy_report, warehouse
from pipeline.config import NIGHTLY_CRON, TIMEZONE
from pipeline.sources.registry import plan_changes

document_job = dg.define_asset_job(
    "document_job", selection=dg.AssetSelection.assets(raw_pdf, parsed_document, cleaned_frames),
    description="Fetch, parse and clean one document (one partition).")

warehouse_job = dg.define_asset_job(
    "warehouse_job", selection=dg.AssetSelection.assets(warehouse, discrepancy_report),
    description="Load every staged document into DuckDB, run the checks, write the report.")


def _plan(etl: EtlSettings) -> tuple[list, list]:
    home = etl.home
    inbox = None if etl.portal else etl.inbox_path
    if inbox is not None and not Path(inbox).is_dir():
        return [], []
    return plan_changes(home, inbox=inbox, portal=etl.portal)


def _requests(changed: list) -> list[dg.RunRequest]:
    return [dg.RunRequest(partition_key=d.document_id, run_key=f"{d.document_id}:{d.sha256}",
                          tags={"document": d.locator[:200]})
            for d in changed]


@dg.sensor(job=document_job, minimum_interval_seconds=600, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Registers each new or changed document (sha256 or parser version) as a partition "
                       "and runs it. Turn on for portals that publish during the day; the nightly "
                       "schedule does the same at 02:00 Asia/Shanghai.")
def document_discovery(context: dg.SensorEvaluationContext, etl: EtlSettings) -> dg.SensorResult | dg.SkipReason:
    docs, changed = _plan(etl)
    if not changed:
        return dg.SkipReason(f"{len(docs)} documents, none new or changed")
    new_keys = [d.document_id for d in docs
                if not context.instance.has_dynamic_partition(documents.name, d.document_id)]
    return dg.SensorResult(run_requests=_requests(changed),
                           dynamic_partitions_requests=[documents.build_add_request(new_keys)])


@dg.schedule(cron_schedule=NIGHTLY_CRON, execution_timezone=TIMEZONE, job=document_job,
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Nightly ingestion: discover, then fetch/parse/clean each new or changed "
                         "document; the warehouse and report follow by automation once they finish.")
def nightly_ingestion(context: dg.ScheduleEvaluationContext, etl: EtlSettings):
    docs, changed = _plan(etl)
    keys = [d.document_id for d in docs]
    existing = set(context.instance.get_dynamic_partitions(documents.name))
    new_keys = [k for k in keys if k not in existing]
    if new_keys:
        context.instance.add_dynamic_partitions(documents.name, new_keys)
    if not changed:
        return dg.SkipReason(f"nothing changed: {len(docs)} documents as they were")
    return _requests(changed)
