"""The night through Dagster, in process: `budget-etl run`'s job on a persistent instance, read back.

One night over a small demo district (3 departments, 2 years, the 4 broken files) with the GX suites,
through assets.run (what `budget-etl run` calls); then a second night with nothing changed, a run of
one chosen partition, and the schedule and sensor evaluated against the same instance.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.definitions import build_defs
from assets.discovery import document_discovery, nightly_ingestion
from assets.partitions import documents
from assets.resources import EtlSettings
from assets.run import run_night_in_dagster
from pipeline.config import Home

pytestmark = pytest.mark.slow

PARSED, CLEANED, REPORT = dg.AssetKey("parsed_document"), dg.AssetKey("cleaned_frames"), dg.AssetKey("discrepancy_report")


def _mats(instance, key: dg.AssetKey) -> list:
    return list(instance.fetch_materializations(key, limit=1000).records)


def _checks(instance, asset: dg.AssetKey, name: str) -> list:
    return list(instance.event_log_storage.get_asset_check_execution_history(dg.AssetCheckKey(asset, name),
                                                                           limit=1000))


@pytest.fixture(scope="module")
def night(small_demo, tmp_path_factory):
    home = Home.at(tmp_path_factory.mktemp("dagster-night"))
    first = run_night_in_dagster(home, inbox=small_demo, workers=2)
    second = run_night_in_dagster(home, inbox=small_demo, workers=2)
    instance = dg.DagsterInstance.from_config(str(home.data / "dagster_home"))
    yield {"home": home, "first": first, "second": second, "instance": instance, "inbox": small_demo}
    instance.dispose()


def _pdfs(inbox: Path) -> list[Path]:
    return sorted(inbox.rglob("*.pdf"))


def test_one_run_registers_readable_partitions(night):
    assert night["first"].success and night["second"].success
    keys = night["instance"].get_dynamic_partitions(documents.name)
    assert len(keys) == len(_pdfs(night["inbox"]))
    assert "125 社区管理办公室 · 2023" in keys and "101 人大办 · 2022" in keys
    assert all(re.fullmatch(r"\d+ \S+ · 20\d\d", k) for k in keys), keys
    runs = night["instance"].get_run_records()
    assert len(runs) == 2, "one Dagster run per night, not one per document"


def test_every_readable_document_is_materialised_with_its_facts(night):
    inst = night["instance"]
    truths = [p for p in _pdfs(night["inbox"]) if not p.name.startswith("9")]
    mats = {r.partition_key: r.asset_materialization.metadata for r in _mats(inst, PARSED)}
    assert len(mats) == len(truths), "the second night (nothing changed) materialised nothing again"
    meta = mats["125 社区管理办公室 · 2023"]
    assert meta["year"].value == 2023 and meta["department"].value.startswith("125 ")
    assert meta["pages"].value > 20
    assert meta["completeness"].value == "complete: 9/9 standard tables" and meta["tables_missing"].value == "none"
    assert meta["errors"].value > 0, "the demo's 125 carries injected faults"
    section = meta["report_section"].value
    assert section.endswith("#dept-125")
    html = Path(section.split("#")[0]).read_text("utf-8")
    assert 'id="dept-125"' in html
    assert len({r.partition_key for r in _mats(inst, CLEANED)}) == len(truths)


def test_unreadable_documents_say_why_and_their_later_checks_did_not_run(night):
    inst = night["instance"]
    obs = {r.partition_key: r.asset_observation.metadata for r in
           inst.fetch_observations(PARSED, limit=100).records}
    kinds = {k: m["error_kind"].value for k, m in obs.items()}
    assert {"truncated", "not_pdf", "no_text", "encrypted"} <= set(kinds.values()), kinds
    assert all(m["reason"].value for m in obs.values())
    readable = {e.partition: e.status.value for e in _checks(inst, PARSED, "document_readable")}
    assert all(readable[k] == "FAILED" for k in obs)
    assert sum(v == "SUCCEEDED" for v in readable.values()) == len(readable) - len(obs)
    raw = {r.partition_key: r.asset_materialization.metadata for r in _mats(inst, dg.AssetKey("raw_pdf"))}
    assert all(raw[k]["error_kind"].value == kinds[k] and raw[k]["reason"].value for k in obs if k in raw)
    staged = {e.partition for e in _checks(inst, CLEANED, "staged_frames_valid")}
    assert not staged & set(obs), "a check that could not run is shown as run"
    assert None not in staged


def test_district_checks_name_departments_and_pages(night):
    inst = night["instance"]
    failing = [e for name in ("row_total", "cross_table_total", "prose_matches_table")
               for e in _checks(inst, REPORT, name) if e.status.value == "FAILED"]
    assert failing
    ev = failing[0].event.dagster_event.event_specific_data
    assert ev.metadata["departments"].value
    assert "p. " in ev.metadata["faults"].value and "p. " in ev.description


def test_one_count_of_errors_and_warnings_in_report_dagster_and_data_docs(night):
    from pipeline.checks.gx import last_result
    from pipeline.checks.catalogue import REGISTRY

    home, inst = night["home"], night["instance"]
    (report_mat,) = _mats(inst, REPORT)
    meta = report_mat.asset_materialization.metadata
    html = (home.reports / "discrepancies.html").read_text("utf-8")
    m = re.search(r"(\d+) 错误 errors</span> · <span class=\"warning\">(\d+) 提示 warnings", html)
    report_counts = (int(m.group(1)), int(m.group(2)))
    dagster_counts = (meta["errors"].value, meta["warnings"].value)
    per_check = [(e.event.dagster_event.event_specific_data.metadata) for name in REGISTRY
                 for e in _checks(inst, REPORT, name)[:1] if e.event is not None]
    check_sums = (sum(m["errors"].value for m in per_check), sum(m["warnings"].value for m in per_check))
    gx = last_result(home.reports / "data_docs")
    gx_counts = (gx["errors"], gx["warnings"])
    assert report_counts[0] > 0
    assert report_counts == dagster_counts == check_sums == gx_counts
    failed_checks = {n for n in REGISTRY for e in _checks(inst, REPORT, n)[:1] if e.status.value == "FAILED"}
    assert len(failed_checks) == gx["failed_suites"], "Dagster's failed checks are GX's failed suites"


def test_the_schedule_and_sensor_agree_with_the_cli_and_preview_registers_nothing(night, small_demo, tmp_path):
    etl = EtlSettings(home_dir=str(night["home"].root), inbox=str(small_demo))
    ctx = dg.build_sensor_context(instance=night["instance"], resources={"etl": etl})
    assert isinstance(document_discovery(ctx), dg.SkipReason), "the CLI's night counts for the sensor"
    with dg.instance_for_test() as fresh:
        fresh_etl = EtlSettings(home_dir=str(tmp_path / "fresh"), inbox=str(small_demo))
        sctx = dg.build_schedule_context(instance=fresh, resources={"etl": fresh_etl})
        out = nightly_ingestion(sctx)
        requests = out if isinstance(out, list) else [out]
        assert len(requests) == 1 and isinstance(requests[0], dg.RunRequest)
        assert fresh.get_dynamic_partitions(documents.name) == []


def test_a_chosen_partition_is_materialised_again_without_parsing(night):
    home, inst = night["home"], night["instance"]
    key = "101 人大办 · 2023"
    parsed = next(home.parsed.glob("101-*.json"))
    parsed_files = sorted(home.parsed.glob("*.json"))
    before = [p.stat().st_mtime_ns for p in parsed_files]
    job = build_defs(EtlSettings(home_dir=str(home.root), inbox=str(night["inbox"]))).resolve_job_def("night_job")
    res = job.execute_in_process(instance=inst, partition_key=key, raise_on_error=False,
                                 asset_selection=[dg.AssetKey("raw_pdf"), PARSED, CLEANED])
    assert res.success
    latest = inst.fetch_materializations(PARSED, limit=1).records[0]
    assert latest.partition_key == key and latest.asset_materialization.metadata["reparsed"].value is False
    assert [p.stat().st_mtime_ns for p in parsed_files] == before and parsed.exists()


def test_the_warehouse_matches_the_documents(night):
    con = duckdb.connect(str(night["home"].db_path), read_only=True)
    try:
        status = dict(con.execute("SELECT status, count(*) FROM documents GROUP BY ALL").fetchall())
    finally:
        con.close()
    assert status == {"loaded": 7, "failed": 4}
