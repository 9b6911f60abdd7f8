"""The night as one Dagster step: discover → parse (process pool) → clean → load → check → report.

One op materialises the five assets (a multi-asset), so a night is one run and one process, whatever the
number of documents: parsing runs in pipeline.night.process_all's worker processes inside the run.
Per-document results are logged as events of that document's partition (materialisations, check
evaluations, and an observation saying why an unreadable document could not be read), so each partition
carries its own metadata. A run without partitions (the schedule, the sensor, `budget-etl run`) is a
whole night: it registers new documents as partitions itself, so previewing a schedule registers
nothing. A run over chosen partitions (a backfill, "Materialize" in the UI) handles those documents.

The stages are pipeline/ functions (pipeline.night); this module only turns their results into events.
"""


import warnings
from pathlib import Path

import dagster as dg

from assets.partitions import documents
from assets.resources import EtlSettings
from pipeline.config import PARSER_VERSION

# Partitioned asset checks are "preview" in dagster 1.13; we rely on them knowingly (ARCHITECTURE.md).
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")
warnings.filterwarnings("ignore", message=".*partitions_def.*AssetCheckSpec")

RAW, PARSED, CLEANED = dg.AssetKey("raw_pdf"), dg.AssetKey("parsed_document"), dg.AssetKey("cleaned_frames")
WAREHOUSE, REPORT = dg.AssetKey("warehouse"), dg.AssetKey("discrepancy_report")
DOC_KEYS = {RAW, PARSED, CLEANED}

#: The single DuckDB writer: every run of the night op is in this pool, limited to 1 (assets/instance.py).
DUCKDB_POOL = "duckdb_writer"

SPECS = [
    dg.AssetSpec(RAW, partitions_def=documents, group_name="documents", kinds={"pdf"}, skippable=True,
                 description="The document's PDF, copied into the sha256-addressed raw store."),
    dg.AssetSpec(PARSED, deps=[RAW], partitions_def=documents, group_name="documents", kinds={"pdfplumber"},
                 code_version=PARSER_VERSION, skippable=True,
                 description="The CONTRACT.md parse result (data/parsed/<document_id>.json): department, "
                             "year, pages, tables found and missing. An unreadable document is not "
                             "materialised; its observation and the document_readable check say why."),
    dg.AssetSpec(CLEANED, deps=[PARSED], partitions_def=documents, group_name="documents",
                 kinds={"polars", "parquet"}, skippable=True,
                 description="The document's cleaned polars frames, staged as Parquet for the single loader."),
    dg.AssetSpec(WAREHOUSE, deps=[CLEANED], group_name="district", kinds={"duckdb"}, skippable=True,
                 description="The DuckDB warehouse: every staged document loaded, in batches of documents (one transaction a batch)."),
    dg.AssetSpec(REPORT, deps=[WAREHOUSE], group_name="district", kinds={"great_expectations", "html"},
                 skippable=True,
                 description="The identity checks over the warehouse, GX Data Docs and the HTML discrepancy "
                             "report; its errors and warnings are the report's."),
]


def _check_specs() -> list[dg.AssetCheckSpec]:
    from pipeline.checks.catalogue import REGISTRY

    per_doc = [
        dg.AssetCheckSpec("document_readable", asset=PARSED, partitions_def=documents,
                          description="The file could be read as a disclosure. Failed: the kind and the "
                                      "reason in plain words (truncated, not a PDF, scanned, encrypted …)."),
        dg.AssetCheckSpec("staged_frames_valid", asset=CLEANED, partitions_def=documents, blocking=True,
                          description="The staged frames can be loaded: known tables and measures, exact "
                                      "Decimal amounts, pages. Blocking: a document failing it is not loaded. "
                                      "Not evaluated on a document that could not be read."),
        dg.AssetCheckSpec("document_identities", asset=CLEANED, partitions_def=documents,
                          description="The document's accounting identities in this night's checks (errors "
                                      "and warnings, as in the report). Not evaluated on a document that "
                                      "was not loaded."),
    ]
    district = [dg.AssetCheckSpec(c.name, asset=REPORT, description=c.description) for c in REGISTRY.values()]
    gx = dg.AssetCheckSpec("great_expectations_suites", asset=REPORT,
                           description="The great-expectations suites built from the registry, validated on "
                                       "the night's identities; their failing rows counted as in the report.")
    return per_doc + district + [gx]


@dg.multi_asset(name="night", specs=SPECS, check_specs=_check_specs(), can_subset=True, pool=DUCKDB_POOL,
                backfill_policy=dg.BackfillPolicy.single_run(),
                description="A whole night (or the chosen documents) in one step: parsing in worker "
                            "processes, then the single DuckDB writer.")
def night(context: dg.AssetExecutionContext, etl: EtlSettings):
    from assets.night_events import NightEvents

    NightEvents(context, etl).run()
    yield from ()


def is_partitioned_run(context: dg.AssetExecutionContext) -> bool:
    return context.has_partition_key or context.has_partition_key_range


def chosen_partitions(context: dg.AssetExecutionContext) -> list[str] | None:
    """The partition keys a backfill or a UI launch chose; None for a whole night."""
    return list(context.partition_keys) if is_partitioned_run(context) else None


def progress_printer(context: dg.AssetExecutionContext):
    """Progress lines as `budget-etl run` prints them (stdout, captured in the run's logs)."""
    def say(line: str) -> None:
        print(line, flush=True)
    return say


def path_meta(p: Path | str) -> dg.MetadataValue:
    return dg.MetadataValue.path(str(p))
