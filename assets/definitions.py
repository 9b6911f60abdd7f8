"""The Dagster code location (workspace.yaml loads this module); `budget-etl run` builds the same."""


import dagster as dg

from assets.instance import relax_sqlite_sync
from assets.discovery import document_discovery, night_job, nightly_ingestion, warehouse_job
from assets.night import night
from assets.resources import EtlSettings, settings_from_env


def build_defs(etl: EtlSettings) -> dg.Definitions:
    """The definitions bound to one district's settings."""
    return dg.Definitions(assets=[night], jobs=[night_job, warehouse_job], schedules=[nightly_ingestion],
                          sensors=[document_discovery], resources={"etl": etl})


relax_sqlite_sync()
defs = build_defs(settings_from_env())
