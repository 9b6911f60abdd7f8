"""The Dagster code location (workspace.yaml loads this module)."""


import dagster as dg

from assets.checks import all_checks
from assets.discovery import document_discovery, document_job, nightly_ingestion, warehouse_job
from assets.documents import cleaned_frames, parsed_document, raw_pdf
from assets.resources import settings_from_env
from assets.warehouse import discrepancy_report, warehouse

automation = dg.AutomationConditionSensorDefinition(
    "warehouse_automation", target=dg.AssetSelection.assets(warehouse, discrepancy_report),
    default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
    description="Loads the warehouse and writes the report once a night's documents are done.")

defs = dg.Definitions(
    assets=[raw_pdf, parsed_document, cleaned_frames, warehouse, discrepancy_report],
    asset_checks=all_checks(),
    jobs=[document_job, warehouse_job],
    schedules=[nightly_ingestion],
    sensors=[document_discovery, automation],
    resources={"etl": settings_from_env()},
)
