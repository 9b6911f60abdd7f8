"""The demo district through Dagster: schedule → per-document runs → warehouse → checks."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.checks import all_checks
from assets.discovery import document_job, nightly_ingestion
from assets.documents import cleaned_frames, parsed_document, raw_pdf
from assets.partitions import documents
from assets.resources import EtlSettings
from assets.warehouse import discrepancy_report, warehouse

pytestmark = pytest.mark.slow

DOC_ASSETS = [raw_pdf, parsed_document, cleaned_frames]


def _document_checks():
    return [c for c in all_checks() if any(k.name in ("staged_frames_valid", "document_identities")
                                           for k in c.check_keys)]


def _district_checks():
    return [c for c in all_checks() if c not in _document_checks()]


def _run_schedule(instance, etl):
    ctx = dg.build_schedule_context(instance=instance, resources={"etl": etl})
    out = nightly_ingestion(ctx)
    return [] if isinstance(out, dg.SkipReason) else list(out)


def _document_job(etl):
    """The code location's document_job (with its checks), bound to this test's home."""
    defs = dg.Definitions(assets=DOC_ASSETS, asset_checks=_document_checks(), resources={"etl": etl},
                          jobs=[document_job])
    return defs.resolve_job_def("document_job")


def _materialize_partition(job, instance, key):
    return job.execute_in_process(partition_key=key, instance=instance, raise_on_error=False)


@pytest.fixture(scope="module")
def night(demo_district, demo_parsed, tmp_path_factory):
    """One night over the whole demo district, then a second night with nothing changed."""
    home = tmp_path_factory.mktemp("dagster-home")
    etl = EtlSettings(home_dir=str(home), inbox=str(demo_district))
    with dg.instance_for_test() as instance:
        requests = _run_schedule(instance, etl)
        job = _document_job(etl)
        results = {r.partition_key: _materialize_partition(job, instance, r.partition_key) for r in requests}
        district = dg.materialize([warehouse, discrepancy_report, *_district_checks()], instance=instance,
                                  resources={"etl": etl}, raise_on_error=False)
        second = _run_schedule(instance, etl)
        key = requests[0].partition_key
        parsed = Path(home) / "data" / "parsed" / f"{key}.json"
        staged = sorted((Path(home) / "data" / "staging" / key).glob("*.parquet"))
        before = [p.stat().st_mtime_ns for p in [parsed, *staged]]
        again = _materialize_partition(job, instance, key)
        after = [p.stat().st_mtime_ns for p in [parsed, *staged]]
        yield {"home": home, "etl": etl, "requests": requests, "results": results, "district": district,
               "second": second, "again": again, "rewritten": before != after, "instance_partitions":
               instance.get_dynamic_partitions(documents.name)}


def _manifest(demo_district: Path) -> dict:
    return json.loads((demo_district / "manifest.json").read_text("utf-8"))


def test_schedule_registers_every_document_as_a_partition(night, demo_district):
    pdfs = sorted(p for p in demo_district.rglob("*.pdf"))
    assert len(night["requests"]) == len(pdfs) >= 80
    assert sorted(night["instance_partitions"]) == sorted(r.partition_key for r in night["requests"])


def test_broken_documents_fail_their_own_partition_only(night):
    failed = [k for k, r in night["results"].items() if not r.success]
    ok = [k for k, r in night["results"].items() if r.success]
    assert 3 <= len(failed) <= 5, failed
    assert len(ok) >= 80
    assert night["district"].success


def test_warehouse_holds_every_document_and_its_failures(night):
    db = Path(night["home"]) / "warehouse" / "district.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        status = dict(con.execute("SELECT status, count(*) FROM documents GROUP BY ALL").fetchall())
        assert status.get("loaded", 0) == len([r for r in night["results"].values() if r.success])
        assert status.get("failed", 0) == len([r for r in night["results"].values() if not r.success])
        kinds = {k for (k,) in con.execute("SELECT DISTINCT error_kind FROM documents WHERE status='failed'").fetchall()}
        assert {"truncated", "not_pdf", "no_text"} <= kinds
        seed = con.execute("SELECT amount FROM budget_lines b JOIN documents d USING (document_id) "
                           "WHERE d.department_code='125' AND d.year=2023 AND b.table_kind="
                           "'revenue_expenditure_summary' AND b.name='本年支出合计'").fetchall()
        assert [str(a) for (a,) in seed] == ["2134.290000"]
        errors = con.execute("SELECT count(*) FROM check_results WHERE severity='error'").fetchone()[0]
        assert errors > 0
    finally:
        con.close()


def test_asset_checks_ran_and_report_metadata(night):
    district = night["district"]
    evals = district.get_asset_check_evaluations()
    names = {e.check_name for e in evals}
    assert "great_expectations_suites" in names and "row_total" in names
    mats = district.asset_materializations_for_node("discrepancy_report")
    meta = mats[0].metadata
    assert meta["errors"].value > 0
    assert Path(meta["report"].value).exists()
    ok_key = next(k for k, r in night["results"].items() if r.success)
    doc_evals = night["results"][ok_key].get_asset_check_evaluations()
    assert {e.check_name for e in doc_evals} == {"staged_frames_valid", "document_identities"}
    assert all(e.passed for e in doc_evals if e.check_name == "staged_frames_valid")


def test_second_night_with_nothing_changed_reparses_nothing(night):
    assert night["second"] == []
    again = night["again"]
    mats = again.asset_materializations_for_node("parsed_document")
    assert mats and mats[0].metadata["reparsed"].value is False
    assert not night["rewritten"], "the parse result or staged frames were written again"
