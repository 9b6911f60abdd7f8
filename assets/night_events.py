"""The night op's body: call the pipeline's stages, then log each result as an event of its asset.

Kept apart from assets/night.py (the definitions) so the code location loads fast: nothing here is
imported until a run starts.
"""



import dagster as dg

from assets.night import (CLEANED, DOC_KEYS, PARSED, RAW, REPORT, WAREHOUSE, chosen_partitions, path_meta,
                          progress_printer)
from assets.partitions import documents
from assets.resources import EtlSettings
from pipeline.config import PARSER_VERSION
from pipeline.model import ParseResult
from pipeline.monitor import DocumentFacts, facts_of, faults_by_check, faults_markdown, findings_by_document
from pipeline.night import NightSummary, discover_stage, gate_problems, report_exists, run_stages
from pipeline.process import Outcome, read_state
from pipeline.sources.base import SourceDocument


#: How long a night launched from Dagster waits for another night on the same home (seconds).
NIGHT_LOCK_WAIT = 3600.0


class NightEvents:
    """One run of the night op."""

    def __init__(self, context: dg.AssetExecutionContext, etl: EtlSettings) -> None:
        self.context, self.etl = context, etl
        self.home = etl.home
        self.say = progress_printer(context)
        self.summary = NightSummary(home=self.home)
        self.selected = set(context.selected_asset_keys)
        # Checks are logged with what they check: a document's with its document, the district's with
        # the report. These are the district checks a run was asked for by name (UI "execute check").
        self.checks_selected = {k.name for k in context.selected_asset_check_keys if k.asset_key == REPORT}
        self.labels: dict[str, str] = {}
        self.docs: list[SourceDocument] = []
        self.loaded_now: list[str] = []
        self.checked = False

    # -- stages -------------------------------------------------------------------------------------

    def run(self) -> None:
        from pipeline.nightlock import night_lock

        # Re-entrant: `budget-etl run` already holds it around this in-process run; a night launched
        # from the UI or the schedule waits here for a CLI night on the same home instead of racing it.
        with night_lock(self.home, wait=NIGHT_LOCK_WAIT, progress=self.say):
            self._run()
        self.log_district()

    def _run(self) -> None:
        """pipeline.night's one sequence; this class only chooses what the run selected and logs."""
        todo = None
        try:
            if self.selected & DOC_KEYS:
                todo = self.discover()
            run_stages(self.home, self.summary, todo, workers=self.etl.workers, force=self.etl.force,
                       load=WAREHOUSE in self.selected, check=self._should_check(),
                       roster=self.etl.roster_path, gx=self.etl.gx, run_id=self.context.run.run_id,
                       recheck=self._recheck(), progress=self.say)
            self.loaded_now = self.summary.loaded_ids
            self.checked = self.summary.checks is not None
        finally:
            from pipeline.summary import save_summary

            if self.summary.report is None and report_exists(self.home):
                from pipeline.report.render import REPORT_NAME

                self.summary.report = self.home.reports / REPORT_NAME
            save_summary(self.summary)
            self.log_documents(self._outcomes() if todo is not None else [])

    def discover(self) -> list[SourceDocument]:
        """List and fetch, register new documents as partitions; the documents to parse (all of a
        whole night's, by the night's rule, or the chosen partitions')."""
        from pipeline.sources.labels import assign_labels
        from pipeline.sources.registry import save_discovered

        etl = self.etl
        self.docs = discover_stage(self.home, self.summary, inbox=etl.source_inbox, portal=etl.portal,
                                   progress=self.say)
        for d in self.docs:
            save_discovered(self.home, d)
        self.labels = assign_labels(self.home, self.docs)
        instance = self.context.instance
        known = set(instance.get_dynamic_partitions(documents.name))
        new = [self.labels[d.document_id] for d in self.docs if self.labels[d.document_id] not in known]
        if new:
            instance.add_dynamic_partitions(documents.name, new)
            self.say(f"{len(new)} new documents registered as partitions of '{documents.name}'")
        chosen = chosen_partitions(self.context)
        return self.docs if chosen is None else [d for d in self.docs if self.labels[d.document_id] in set(chosen)]

    def _outcomes(self) -> list[Outcome]:
        """The documents this run reports: what changed in a whole night, every chosen partition."""
        chosen = chosen_partitions(self.context)
        outcomes = []
        for o in self.summary.outcomes:
            if o.status == "skipped":
                if chosen is None:
                    continue            # a night reports what changed; the history has the rest
                st = read_state(self.home, o.document_id)
                if not st:
                    continue
                o = Outcome(**{**st, "status": st.get("status", "parsed")})
                o.reparsed = False  # type: ignore[attr-defined]
            outcomes.append(o)
        return outcomes

    def _should_check(self) -> bool:
        """The district's checks are wanted (run_stages runs them once a warehouse exists)."""
        return REPORT in self.selected or bool(self.checks_selected)

    def _recheck(self) -> bool:
        """Check again even when the warehouse did not change: a chosen subset, or --force (a
        document loaded now makes run_stages check again in any case)."""
        whole_night = chosen_partitions(self.context) is None and bool(self.selected & DOC_KEYS)
        return not whole_night or self.etl.force

    # -- events -------------------------------------------------------------------------------------

    def log_documents(self, outcomes: list[Outcome]) -> None:
        run_id = self.context.run.run_id if self.checked else None
        findings = findings_by_document(self.home.db_path, run_id)
        report = self.summary.report
        for o in outcomes:
            key = self.labels.get(o.document_id)
            if key is None:
                continue
            parsed = self._parsed(o)
            facts = facts_of(parsed, o)
            found = findings.get(o.document_id)
            if found is not None:
                facts.errors, facts.warnings, anchor = found
                facts.report_anchor = f"dept-{anchor}"
            self._log_raw(o, key)
            if o.status == "parsed" and parsed is not None:
                self._log_parsed(o, key, facts, report)
                self._log_cleaned(o, key, facts, report)
            else:
                self._log_unreadable(o, key, facts)

    def _parsed(self, o: Outcome) -> ParseResult | None:
        p = self.home.parsed / f"{o.document_id}.json"
        if o.status != "parsed" or not p.exists():
            return None
        return ParseResult.from_json(p.read_text("utf-8"))

    def _log_raw(self, o: Outcome, key: str) -> None:
        from pipeline.sources.rawstore import raw_path

        if RAW not in self.selected or not o.sha256:
            return
        path = raw_path(self.home.raw, o.sha256)
        if not path.exists():
            return
        meta = {"source": o.locator, "sha256": o.sha256, "bytes": path.stat().st_size, "raw_path": path_meta(path)}
        if o.status != "parsed":  # the bytes are kept; say at once why they could not be read
            meta = {"readable": False, "error_kind": o.error_kind or "unreadable",
                    "reason": o.error or "the document could not be read", **meta}
        self.context.log_event(dg.AssetMaterialization(RAW, partition=key, metadata=meta))

    def _doc_meta(self, o: Outcome, facts: DocumentFacts, report) -> dict:
        meta = {
            "department": facts.department, "year": facts.year or 0, "pages": facts.pages or 0,
            "tables_found": len(facts.tables_found), "table_kinds": ", ".join(facts.tables_found) or "none",
            "tables_missing": ", ".join(facts.tables_missing) or "none",
            "completeness": facts.completeness,
            "errors": facts.errors if facts.errors is not None else "not checked",
            "warnings": facts.warnings if facts.warnings is not None else "not checked",
            "parse_warnings": facts.parse_warnings,
            "parse_seconds": round(facts.parse_seconds, 2),
            "reparsed": getattr(o, "reparsed", True), "source": o.locator, "document_id": o.document_id,
        }
        if report is not None and facts.report_anchor:
            meta["report_section"] = path_meta(f"{report}#{facts.report_anchor}")
        return meta

    def _log_parsed(self, o: Outcome, key: str, facts: DocumentFacts, report) -> None:
        if PARSED in self.selected:
            self.context.log_event(dg.AssetMaterialization(PARSED, partition=key, metadata={
                **self._doc_meta(o, facts, report), "parser_version": PARSER_VERSION,
                "parsed_path": path_meta(self.home.parsed / f"{o.document_id}.json")}))
        if PARSED in self.selected:
            self._check(PARSED, "document_readable", key, True, f"read: {facts.pages} pages, "
                        f"{len(facts.tables_found)} tables ({facts.completeness})", {})

    def _log_cleaned(self, o: Outcome, key: str, facts: DocumentFacts, report) -> None:
        from pipeline.load.staging import read_staged

        if CLEANED not in self.selected:
            return
        frames = read_staged(self.home.staging, o.document_id)
        problems = self.summary.refused.get(o.document_id)
        if problems is None:
            problems = gate_problems(self.home, o.document_id)
        self.context.log_event(dg.AssetMaterialization(CLEANED, partition=key, metadata={
            **{f"rows_{name}": frame.height for name, frame in sorted(frames.items())},
            "loadable": not problems,
            "staging_dir": path_meta(self.home.staging / o.document_id)}))
        self._check(CLEANED, "staged_frames_valid", key, not problems, "; ".join(problems) or "loadable",
                    {"problems": len(problems)}, severity=dg.AssetCheckSeverity.ERROR)
        if facts.errors is not None:
            meta = {"errors": facts.errors, "warnings": facts.warnings or 0}
            if report is not None and facts.report_anchor:
                meta["report_section"] = path_meta(f"{report}#{facts.report_anchor}")
            desc = (f"{facts.errors} errors, {facts.warnings} warnings in this night's checks"
                    if facts.errors or facts.warnings else "every identity holds")
            self._check(CLEANED, "document_identities", key, not facts.errors, desc, meta,
                        severity=dg.AssetCheckSeverity.ERROR if facts.errors else dg.AssetCheckSeverity.WARN)

    def _log_unreadable(self, o: Outcome, key: str, facts: DocumentFacts) -> None:
        reason = o.error or "the document could not be read"
        meta = {"status": o.status, "error_kind": o.error_kind or "unreadable", "reason": reason,
                "source": o.locator, "document_id": o.document_id, "department_hint": facts.department,
                "year_hint": facts.year or 0}
        if PARSED in self.selected:
            self.context.log_event(dg.AssetObservation(PARSED, partition=key, metadata=meta,
                                                       description=f"{o.error_kind}: {reason}"))
        if PARSED in self.selected:
            self._check(PARSED, "document_readable", key, False, f"{o.error_kind}: {reason}",
                        {"error_kind": o.error_kind or "unreadable", "reason": reason},
                        severity=dg.AssetCheckSeverity.ERROR)

    def _check(self, asset: dg.AssetKey, name: str, key: str | None, passed: bool, description: str,
               metadata: dict, severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR) -> None:
        self.context.log_event(dg.AssetCheckEvaluation(
            asset_key=asset, check_name=name, passed=passed, partition=key, metadata=metadata,
            severity=severity, description=description[:1000]))

    def log_district(self) -> None:
        if WAREHOUSE in self.selected and (self.loaded_now or self.checked):
            self.context.log_event(dg.AssetMaterialization(WAREHOUSE, metadata=self._warehouse_meta()))
        if not self.checked:
            return
        checks = self.summary.checks
        gx = self._gx_result()
        if REPORT in self.selected:
            meta = {"errors": checks.errors, "warnings": checks.warnings, "documents_checked": checks.documents,
                    "report": path_meta(self.summary.report)}
            if self.summary.data_docs is not None:
                meta["data_docs"] = path_meta(self.summary.data_docs / "index.html")
                meta["gx_errors"], meta["gx_warnings"] = gx.get("errors", 0), gx.get("warnings", 0)
            self.context.log_event(dg.AssetMaterialization(REPORT, metadata=meta))
        self._log_identities(checks)
        if self._district_check_wanted("great_expectations_suites") and gx:
            self._check(REPORT, "great_expectations_suites", None, bool(gx.get("success")),
                        f"{gx.get('failed_suites', 0)} of {gx.get('suites', 0)} suites failed: "
                        f"{gx.get('errors', 0)} errors, {gx.get('warnings', 0)} warnings",
                        {k: v for k, v in gx.items() if isinstance(v, (int, str)) and not isinstance(v, bool)},
                        severity=dg.AssetCheckSeverity.ERROR if gx.get("errors") else dg.AssetCheckSeverity.WARN)
        self.say(f"{checks.errors} errors, {checks.warnings} warnings; report at {self.summary.report}")

    def _district_check_wanted(self, name: str) -> bool:
        return REPORT in self.selected or name in self.checks_selected

    def _gx_result(self) -> dict:
        if self.summary.data_docs is None:
            return {}
        from pipeline.checks.gx import last_result

        return last_result(self.summary.data_docs)

    def _log_identities(self, checks) -> None:
        from pipeline.checks.engine import outcomes_by_identity

        faults = faults_by_check(self.home.db_path, self.context.run.run_id)
        for name, out in outcomes_by_identity(checks.results).items():
            if not self._district_check_wanted(name) or out["evaluated"] == 0:
                continue  # not evaluated: nothing of this kind in the warehouse (not run ≠ failed)
            fs = faults.get(name, [])
            depts = sorted({f.department for f in fs})
            meta = {"evaluated": out["evaluated"], "errors": out["errors"], "warnings": out["warnings"]}
            if fs:
                meta["departments"] = ", ".join(depts)[:2000]
                meta["faults"] = dg.MetadataValue.md(faults_markdown(fs))
            if out["errors"]:
                desc = f"{out['errors']} errors, {out['warnings']} warnings in {len(depts)} departments: " + \
                       "; ".join(f"{f.department} {f.year or ''} {f.pages}".strip() for f in fs[:6])
            elif out["warnings"]:
                desc = f"holds within rounding, not exactly: {out['warnings']} warnings in {len(depts)} departments"
            else:
                desc = f"holds on all {out['evaluated']} instances"
            self._check(REPORT, name, None, passed=not (out["errors"] or out["warnings"]), description=desc,
                        metadata=meta,
                        severity=dg.AssetCheckSeverity.ERROR if out["errors"] else dg.AssetCheckSeverity.WARN)

    def _warehouse_meta(self) -> dict:
        import duckdb

        from pipeline.report.render import unreadable_documents

        home = self.home
        # The main file, not the readers' snapshot: this run is the writer, and the snapshot is only
        # republished after the checks.
        con = duckdb.connect(str(home.db_path), read_only=True)
        try:
            ok, failed, lines, claims, depts = con.execute("""
                SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status <> 'loaded'),
                       (SELECT count(*) FROM budget_lines), (SELECT count(*) FROM narrative_claims),
                       (SELECT count(*) FROM departments) FROM documents""").fetchone()
            bad = unreadable_documents(con)
        finally:
            con.close()
        meta = {"documents_loaded_now": len(self.loaded_now), "documents_loaded": ok, "documents_failed": failed,
                "budget_lines": lines, "narrative_claims": claims, "departments": depts,
                "path": path_meta(home.db_path)}
        if bad:
            meta["unreadable_documents"] = dg.MetadataValue.md(
                "| source | kind | reason | status |\n|---|---|---|---|\n" + "".join(
                    f"| {b['source']} | {b['kind']} | {(b['message'] or '').replace('|', '/')[:200]} | {b['status']} |\n"
                    for b in bad))
        return meta
