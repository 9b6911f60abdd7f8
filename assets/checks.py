"""Asset checks: a blocking structural check per document, the identities as findings.

The identity checks are built from pipeline.checks.registry, so their names and descriptions are
the registry's: nothing is written twice.
"""


import warnings

import dagster as dg

from assets.documents import cleaned_frames
from assets.partitions import documents
from assets.resources import EtlSettings
from assets.warehouse import discrepancy_report

# Partitioned asset checks are "preview" in dagster 1.13; we rely on them knowingly (ARCHITECTURE.md).
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")


@dg.asset_check(asset=cleaned_frames, partitions_def=documents, blocking=True,
                description="The staged frames can be loaded: known tables and measures, exact Decimal "
                            "amounts, pages. Blocking: a document failing it does not reach the warehouse.")
def staged_frames_valid(context: dg.AssetCheckExecutionContext, etl: EtlSettings) -> dg.AssetCheckResult:
    from pipeline.load.staging import read_staged
    from pipeline.validate import validate_frames

    frames = read_staged(etl.home.staging, context.partition_key)
    problems = validate_frames(frames)
    return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                               description="; ".join(problems) or "loadable",
                               metadata={"problems": len(problems)})


@dg.asset_check(asset=cleaned_frames, partitions_def=documents, blocking=False,
                description="The document's own accounting identities (pipeline/checks registry, "
                            "document scope): a finding about the document, never blocking.")
def document_identities(context: dg.AssetCheckExecutionContext, etl: EtlSettings) -> dg.AssetCheckResult:
    from pipeline.checks.staged import check_staged_document

    results = check_staged_document(etl.home, context.partition_key)
    errors = [r for r in results if r.severity == "error"]
    warnings = [r for r in results if r.severity == "warning"]
    return dg.AssetCheckResult(
        passed=not errors, severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(r.message for r in errors[:5]) or "every identity holds",
        metadata={"errors": len(errors), "warnings": len(warnings),
                  "failed_checks": ", ".join(sorted({r.check_name for r in errors}))})


def district_checks() -> list[dg.AssetChecksDefinition]:
    """One asset check per registry identity, on the report, reading that run's check_results."""
    from pipeline.checks.registry import REGISTRY

    specs = [dg.AssetCheckSpec(name=c.name, asset=discrepancy_report, description=c.description)
             for c in REGISTRY.values()]

    @dg.multi_asset_check(specs=specs + [dg.AssetCheckSpec(
        name="great_expectations_suites", asset=discrepancy_report,
        description="The great-expectations suites built from the registry pass on the warehouse.")],
        can_subset=True, name="identity_checks")
    def identity_checks(context: dg.AssetCheckExecutionContext, etl: EtlSettings):
        from pipeline.load.sql import run_sql

        home = etl.home
        _, rows = run_sql(home.db_path, "SELECT check_name, severity, count(*) FROM check_results WHERE "
                          "run_id = (SELECT max_by(run_id, checked_at) FROM check_results) GROUP BY ALL")
        by = {(n, s): k for n, s, k in rows}
        for key in context.selected_asset_check_keys:
            if key.name == "great_expectations_suites":
                continue
            errors, warnings = by.get((key.name, "error"), 0), by.get((key.name, "warning"), 0)
            yield dg.AssetCheckResult(check_name=key.name, asset_key=key.asset_key, passed=errors == 0,
                                      severity=dg.AssetCheckSeverity.WARN,
                                      metadata={"errors": errors, "warnings": warnings})
        gx_key = dg.AssetCheckKey(discrepancy_report.key, "great_expectations_suites")
        if gx_key in context.selected_asset_check_keys:
            from pipeline.checks.gx import last_result

            res = last_result(home.reports / "data_docs")
            yield dg.AssetCheckResult(check_name="great_expectations_suites", asset_key=discrepancy_report.key,
                                      passed=bool(res.get("success")), severity=dg.AssetCheckSeverity.WARN,
                                      metadata={k: v for k, v in res.items() if isinstance(v, (int, str))})

    return [identity_checks]


def all_checks() -> list:
    return [staged_frames_valid, document_identities, *district_checks()]
