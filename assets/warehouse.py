"""District-wide assets: the DuckDB warehouse (the single writer) and the discrepancy report."""


import dagster as dg

from assets.documents import cleaned_frames
from assets.resources import EtlSettings
from pipeline.night import pending_loads

#: Every asset that writes DuckDB runs in this pool; the instance limits it to 1 (assets/instance.py).
DUCKDB_POOL = "duckdb_writer"

#: Load once the documents of a night are done: any document updated, none still running.
AFTER_DOCUMENTS = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
)


@dg.asset(group_name="district", deps=[cleaned_frames], pool=DUCKDB_POOL, kinds={"duckdb"},
          automation_condition=AFTER_DOCUMENTS,
          description="The DuckDB warehouse: every staged document loaded, one transaction each.")
def warehouse(context: dg.AssetExecutionContext, etl: EtlSettings) -> dg.MaterializeResult:
    from pipeline.load.sql import run_sql
    from pipeline.night import load_step

    home = etl.home
    pending = pending_loads(home)
    load_step(home, progress=context.log.info)   # or finish what an interrupted load left
    _, rows = run_sql(home.db_path, """
        SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status <> 'loaded'),
               (SELECT count(*) FROM budget_lines), (SELECT count(*) FROM narrative_claims),
               (SELECT count(*) FROM departments) FROM documents""")
    ok, failed, lines, claims, depts = rows[0]
    return dg.MaterializeResult(metadata={
        "documents_loaded_now": len(pending), "documents_loaded": ok, "documents_failed": failed,
        "budget_lines": lines, "narrative_claims": claims, "departments": depts,
        "path": dg.MetadataValue.path(str(home.db_path)),
    })


@dg.asset(group_name="district", deps=[warehouse], pool=DUCKDB_POOL, kinds={"great_expectations", "html"},
          automation_condition=dg.AutomationCondition.eager(),
          description="The identity checks over the warehouse, GX Data Docs and the HTML discrepancy report.")
def discrepancy_report(context: dg.AssetExecutionContext, etl: EtlSettings) -> dg.MaterializeResult:
    from pipeline.checks.gx import run_suites
    from pipeline.night import _find_roster, check_step, report_step

    home = etl.home
    checks = check_step(home, roster=_find_roster(etl.inbox_path), run_id=context.run.run_id)
    run_suites(home.db_path, home.reports / "data_docs", results=checks.results)
    report = report_step(home)
    context.log.info(f"{checks.errors} errors, {checks.warnings} warnings; report at {report}")
    return dg.MaterializeResult(metadata={
        "errors": checks.errors, "warnings": checks.warnings,
        "report": dg.MetadataValue.path(str(report)),
        "data_docs": dg.MetadataValue.path(str(home.reports / "data_docs" / "index.html")),
    })
