"""great-expectations 1.x over the warehouse: one suite per identity (expectations/suites.py) validated
on pandas frames of that identity's evaluated instances, and the Data Docs written as HTML.

GX's SQL datasource over duckdb-engine fails, so the frames are built in Python from the same
evaluation as check_results (pipeline.checks.engine.compute_results) and handed to an ephemeral
context's pandas datasource. great_expectations is imported lazily: it takes seconds to import.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.atomic import write_text_atomic
from pipeline.checks.engine import _connection, compute_results
from pipeline.checks.catalogue import REGISTRY_LIST, Identity
from pipeline.checks.result import CheckResult

#: Frames carry amounts as integers of this unit (0.0000001 万元 = 0.001 元): exact, and GX compares ints.
UNIT = Decimal("0.0000001")


SUMMARY_NAME = "summary.json"


@dataclass
class SuiteOutcome:
    identity: str
    success: bool
    evaluated: int
    failing: int
    failed_expectations: list[str] = field(default_factory=list)
    errors: int = 0      # rows GX found failing whose severity is error (the report's count)
    warnings: int = 0    # … and warning


@dataclass
class GxSummary:
    data_docs_index: Path | None
    suites: list[SuiteOutcome]
    #: the identity views' suites (pipeline/checks/sql_gx.py), when the warehouse was given
    views: list = field(default_factory=list)
    #: instances the views' verdicts and the rules' (before downgrade) do not both find broken
    view_disagreements: list[str] = field(default_factory=list)
    views_error: str | None = None   # why the views were not validated (an old or busy warehouse)

    @property
    def success(self) -> bool:
        return all(s.success for s in self.suites)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.suites)

    @property
    def warnings(self) -> int:
        return sum(s.warnings for s in self.suites)

    def outcome(self, identity: str) -> SuiteOutcome | None:
        return next((s for s in self.suites if s.identity == identity), None)


def _units(v: Decimal) -> int:
    return int((v / UNIT).to_integral_value())


def frame_of(identity: Identity, results: list[CheckResult]) -> Any:
    """The pandas frame one identity's suite validates (columns: expectations.suites.COLUMNS)."""
    import pandas as pd

    from expectations.suites import COLUMNS

    rows = []
    for r in results:
        if r.check_name != identity.name or r.severity == "unverifiable":
            continue   # an unverifiable instance was not evaluated: it neither holds nor fails
        if r.difference is not None and r.tolerance is not None:
            diff = _units(abs(r.difference))
            excess = diff - _units(r.tolerance)
        else:
            diff = excess = 1 if r.failed else 0
        rows.append({"document_id": r.document_id or "", "department": r.department or "",
                     "year": r.year or 0, "subject": r.subject, "severity": r.severity,
                     "left": "" if r.left_value is None else str(r.left_value),
                     "right": "" if r.right_value is None else str(r.right_value), "n": r.n or 0,
                     "excess": excess, "abs_difference": diff, "holds": excess <= 0, "message": r.message})
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return df.astype({"excess": "int64", "abs_difference": "int64", "n": "int64", "year": "int64",
                      "holds": "bool"})


def validate(results: list[CheckResult], data_docs_dir: Path | None,
             identities: list[Identity] | None = None, db_path: Path | None = None) -> GxSummary:
    """Validate every identity's suite on its frame; with ``db_path``, every identity view's suite on the
    view (pipeline/checks/sql_gx.py) in the same context; write Data Docs under ``data_docs_dir``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.suites import build_suite, suite_name

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if data_docs_dir is not None:
        data_docs_dir = Path(data_docs_dir)
        data_docs_dir.mkdir(parents=True, exist_ok=True)
        ctx.add_data_docs_site(site_name="identities", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    source = ctx.data_sources.add_pandas("check_results")
    outcomes = []
    for ident in identities or list(REGISTRY_LIST):
        df = frame_of(ident, results)
        asset = source.add_dataframe_asset(ident.name)
        batch_def = asset.add_batch_definition_whole_dataframe("all_instances")
        suite = ctx.suites.add(build_suite(ident))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite_name(ident), data=batch_def,
                                                                    suite=suite))
        res = vd.run(batch_parameters={"dataframe": df},
                     result_format={"result_format": "COMPLETE", "partial_unexpected_count": 20})
        failed = [e.expectation_config.type + ":" + str(e.expectation_config.kwargs.get("column"))
                  for e in res.results if not e.success]
        errors, warnings = _failing_by_severity(df, res.results)
        outcomes.append(SuiteOutcome(ident.name, bool(res.success), len(df), int((~df["holds"]).sum()), failed,
                                     errors, warnings))
    views, disagree, views_error = _validate_views(ctx, db_path, results) if db_path is not None else ([], [], None)
    index = None
    if data_docs_dir is not None:
        ctx.build_data_docs(site_names=["identities"])
        from pipeline.report.datadocs import make_offline   # readable offline, amounts in 万元 (issue 15)

        shown = outcomes + [SuiteOutcome(f"view.{v.identity}", v.success, v.evaluated, v.failing) for v in views]
        index = make_offline(data_docs_dir, shown, results)
    return GxSummary(index, outcomes, views, disagree, views_error)


def _validate_views(ctx: Any, db_path: Path, results: list[CheckResult]) -> tuple[list, list[str], str | None]:
    """The identity views' suites on the warehouse (read-only), and where they disagree with the rules."""
    import duckdb

    from pipeline.checks.sql_gx import disagreements, validate_views
    from pipeline.checks.sql_identities import SQL_IDENTITIES, view_name

    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as e:   # a writer holds the file: said in summary.json, never a silent pass
        return [], [], f"warehouse not readable: {e}"
    try:
        have = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
        missing = [n for n in SQL_IDENTITIES if view_name(n) not in have]
        if missing:
            return [], [], f"identity views absent (warehouse not migrated): {', '.join(missing)}"
        views = validate_views(con, ctx)
    finally:
        con.close()
    return views, disagreements(views, results), None


def _failing_by_severity(df: Any, results: list) -> tuple[int, int]:
    """(errors, warnings) among the rows GX's expectations found unexpected, by the rows' severity.

    This is GX's own count: it agrees with check_results (and so the report) exactly when every error
    and warning row fails an expectation and no holding row does, which the suites are built to ensure.
    """
    rows: set[int] = set()
    for e in results:
        if e.success:
            continue
        for i in (e.result or {}).get("unexpected_index_list") or []:
            rows.add(int(i["index"]) if isinstance(i, dict) else int(i))
    sev = df["severity"].iloc[sorted(rows)] if rows else df["severity"].iloc[[]]
    return int((sev == "error").sum()), int((sev == "warning").sum())


def run_suites(db_path: Path, data_docs_dir: Path, document_ids: list[str] | None = None,
               roster: Path | None = None, results: list[CheckResult] | None = None) -> GxSummary:
    """Build the suites from the registry and validate them on the warehouse's identities.

    ``results``: the evaluation run_checks just stored (CheckSummary.results), so a night computes
    the identities once; when None they are computed from the warehouse. The outcome is also kept as
    data_docs_dir/summary.json, for the Dagster asset check to read.
    """
    if results is None:
        with _connection(db_path, read_only=True) as con:
            results, _ = compute_results(con, document_ids, roster)
    summary = validate(results, data_docs_dir, db_path=db_path if document_ids is None else None)
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(data_docs_dir / SUMMARY_NAME, json.dumps({
        "success": summary.success, "suites": len(summary.suites),
        "failed_suites": sum(not s.success for s in summary.suites),
        "errors": summary.errors, "warnings": summary.warnings,
        "failed": ", ".join(s.identity for s in summary.suites if not s.success),
        "view_suites": len(summary.views), "failed_view_suites": sum(not v.success for v in summary.views),
        "view_disagreements": summary.view_disagreements, "views_error": summary.views_error,
    }))
    return summary


def last_result(data_docs_dir: Path) -> dict:
    """The outcome of the last run_suites into ``data_docs_dir`` ({} if it never ran)."""
    try:
        return json.loads((Path(data_docs_dir) / SUMMARY_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
