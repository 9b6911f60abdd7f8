"""The nightly schedule and the discovery sensor: each launches the night job when something changed.

Both only list the source (pipeline.sources.list_sources: a portal's listing and article pages, no
attachment downloaded; downloads happen in the night's run) and decide with the night's own rule
(pipeline.process.needs_processing over the home's state), the rule `budget-etl run` uses. They
register nothing themselves: the night run registers new documents as partitions, so previewing a
tick (a dry run) has no side effect beyond the inbox's hash cache and the sensor's page cache.
"""


import hashlib
from pathlib import Path

import dagster as dg

from assets.night import SPECS
from assets.resources import EtlSettings
from pipeline.config import NIGHTLY_CRON, TIMEZONE
from pipeline.sources.registry import plan_changes

#: The checks are logged by the night op with what they check (each document, the report), when it
#: checks them. They are not planned by the job: a night with nothing changed checks nothing again and
#: must not leave "planned, never run" records over the last real evaluation.
NIGHT_SELECTION = dg.AssetSelection.assets(*[s.key for s in SPECS]).without_checks()

night_job = dg.define_asset_job(
    "night_job", selection=NIGHT_SELECTION,
    executor_def=dg.in_process_executor,
    description="The night: discover, parse the new or changed documents (a process pool inside the run), "
                "load DuckDB, check, report. Launched without partitions it covers the whole source; "
                "`budget-etl run`, the schedule and the sensor run exactly this job.")

warehouse_job = dg.define_asset_job(
    "warehouse_job", selection=dg.AssetSelection.assets("warehouse", "discrepancy_report").without_checks(),
    executor_def=dg.in_process_executor,
    description="Load what is staged and not yet loaded, check again and rewrite the report.")


def _changes(etl: EtlSettings) -> tuple[list, list]:
    """(documents listed, those new or changed): a listing, never a download."""
    inbox = etl.source_inbox
    if inbox is not None and not Path(inbox).is_dir():
        return [], []
    return plan_changes(etl.home, inbox=inbox, portal=etl.portal, record=False)


def _run_key(changed: list) -> str:
    return hashlib.sha1("\n".join(sorted(f"{d.document_id}:{d.sha256}" for d in changed)).encode()).hexdigest()[:16]


@dg.sensor(job=night_job, minimum_interval_seconds=600, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Launches the night when a document is new or changed (sha256 or parser version), "
                       "by the same rule as `budget-etl run`. Turn on for portals that publish during "
                       "the day; the nightly schedule does the same at 02:00 Asia/Shanghai.")
def document_discovery(context: dg.SensorEvaluationContext, etl: EtlSettings):
    docs, changed = _changes(etl)
    if not changed:
        return dg.SkipReason(f"{len(docs)} documents, none new or changed since the last night")
    return dg.RunRequest(run_key=_run_key(changed), tags={"changed_documents": str(len(changed))})


@dg.schedule(cron_schedule=NIGHTLY_CRON, execution_timezone=TIMEZONE, job=night_job,
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="The nightly ingestion at 02:00 Asia/Shanghai: one run covering every new or "
                         "changed document, then the warehouse, the checks and the report.")
def nightly_ingestion(context: dg.ScheduleEvaluationContext, etl: EtlSettings):
    if etl.portal:  # knowing what changed on a portal means crawling it: the run does that
        return dg.RunRequest()
    docs, changed = _changes(etl)
    if not changed:
        return dg.SkipReason(f"nothing changed: {len(docs)} documents as they were")
    return dg.RunRequest(tags={"changed_documents": str(len(changed))})
