"""The loader (pipeline.load): atomic per-document loads, failures beside good versions, dimensions,
migrations, the read snapshot, and sums that equal the parse results."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import SEED_NAME, measure_sums, seed_result, varied  # noqa: E402

from pipeline.clean.codes import load_subject_codes
from pipeline.clean.frames import failure_frames, frames_from_result
from pipeline.config import PARSER_VERSION, Home
from pipeline.load.loader import load_staged, loaded_versions
from pipeline.load.schema import SCHEMA_DIR, current_version, ensure_schema, migrations
from pipeline.load.snapshot import snapshot_path
from pipeline.load.staging import read_staged, stage, staged_ids

CONTENT_TABLES = ("document_tables", "budget_lines", "narrative_claims", "procurement_lines",
                  "performance_targets", "assets", "document_warnings", "departments",
                  "subject_codes")


def small_district() -> dict[str, object]:
    """The seed (125, 2023), its 2022 version and another department, as parse results by id."""
    seed = seed_result()
    return {
        "seed-2023": seed,
        "seed-2022": varied(seed, "125", SEED_NAME, 2022, Decimal("0.9"), "b" * 64),
        "other-2023": varied(seed, "130", "承德高新区财政局", 2023, Decimal("1.5"), "c" * 64),
    }


def stage_all(home: Home, results: dict) -> None:
    for doc_id, r in results.items():
        stage(home.staging, doc_id, frames_from_result(r, doc_id, f"inbox/{doc_id}.pdf"))


def dump(db: Path) -> dict[str, list]:
    """Every content table, sorted, without load timestamps (to compare two loads)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in CONTENT_TABLES}
        out["documents"] = sorted(con.execute(
            "SELECT * EXCLUDE (loaded_at, last_attempt_at) FROM documents").fetchall(), key=repr)
        return out
    finally:
        con.close()


@pytest.fixture()
def home(tmp_path) -> Home:
    return Home.at(tmp_path).ensure()


def test_load_gives_every_row_and_the_parse_result_sums(home):
    results = small_district()
    stage_all(home, results)
    summary = load_staged(home)
    assert sorted(summary.loaded) == sorted(results) and not summary.failed
    con = duckdb.connect(str(home.db_path), read_only=True)
    for doc_id, r in results.items():
        n = con.execute("SELECT count(*) FROM budget_lines WHERE document_id = ?", [doc_id]).fetchall()
        assert n[0][0] == sum(len(row.values) for t in r.tables for row in t.rows)
        got = dict(con.execute("SELECT measure, sum(amount) FROM budget_lines WHERE document_id = ?"
                               " GROUP BY measure", [doc_id]).fetchall())
        assert got == measure_sums(r)
        claims = con.execute("SELECT sum(amount), count(*) FROM narrative_claims WHERE document_id = ?",
                             [doc_id]).fetchall()[0]
        assert claims == (sum(c.amount for c in r.narrative), len(r.narrative))
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns"
                             " WHERE table_name = 'budget_lines'").fetchall())
    assert types["amount"] == "DECIMAL(20,6)"


def test_loading_twice_gives_identical_contents(home):
    stage_all(home, small_district())
    load_staged(home)
    first = dump(home.db_path)
    again = load_staged(home)
    assert sorted(again.skipped) == sorted(small_district()) and not again.loaded
    assert dump(home.db_path) == first
    forced = load_staged(home, force=True)
    assert len(forced.loaded) == 3
    assert dump(home.db_path) == first


def test_reload_replaces_a_document_rows(home):
    results = small_district()
    stage_all(home, results)
    load_staged(home)
    new = varied(results["seed-2023"], "125", SEED_NAME, 2023, Decimal(2), "d" * 64)
    new.tables = new.tables[:3]
    stage(home.staging, "seed-2023", frames_from_result(new, "seed-2023", "inbox/seed-2023.pdf"))
    assert load_staged(home).loaded == ["seed-2023"]
    con = duckdb.connect(str(home.db_path), read_only=True)
    got = dict(con.execute("SELECT measure, sum(amount) FROM budget_lines WHERE document_id ="
                           " 'seed-2023' GROUP BY measure").fetchall())
    assert got == measure_sums(new)
    assert con.execute("SELECT count(*) FROM procurement_lines WHERE document_id = 'seed-2023'"
                       ).fetchall() == [(0,)]
    assert loaded_versions(home)["seed-2023"] == ("d" * 64, "1.0.0")


def test_a_failed_new_version_keeps_the_previous_one_visible(home):
    stage_all(home, small_district())
    load_staged(home)
    before = dump(home.db_path)
    stage(home.staging, "seed-2023",
          failure_frames("seed-2023", "inbox/seed-2023.pdf", "e" * 64, "truncated", "EOF marker missing"))
    summary = load_staged(home)
    assert summary.kept_previous == ["seed-2023"]
    con = duckdb.connect(str(home.db_path), read_only=True)
    row = con.execute("SELECT status, sha256, error, last_attempt_sha256, last_error_kind, last_error"
                      " FROM documents WHERE document_id = 'seed-2023'").fetchall()[0]
    assert row == ("loaded", "a" * 64, None, "e" * 64, "truncated", "EOF marker missing")
    con.close()
    after = dump(home.db_path)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: before[t] for t in CONTENT_TABLES}
    # loaded_versions reports the version tried, so the unchanged broken file is not parsed again.
    assert loaded_versions(home)["seed-2023"] == ("e" * 64, PARSER_VERSION)
    assert load_staged(home).skipped.count("seed-2023") == 1


def test_an_error_inside_the_transaction_rolls_back_to_the_previous_version(home):
    stage_all(home, small_district())
    load_staged(home)
    before = dump(home.db_path)
    frames = frames_from_result(seed_result("f" * 64), "seed-2023", "inbox/seed-2023.pdf")
    # A NULL measure violates budget_lines.measure NOT NULL: the insert fails after the deletes.
    frames["budget_lines"] = frames["budget_lines"].with_columns(
        pl.when(pl.col("row_index") == 3).then(None).otherwise(pl.col("measure")).alias("measure"))
    stage(home.staging, "seed-2023", frames)
    summary = load_staged(home)
    assert summary.kept_previous == ["seed-2023"]
    after = dump(home.db_path)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: before[t] for t in CONTENT_TABLES}
    con = duckdb.connect(str(home.db_path), read_only=True)
    kind, err = con.execute("SELECT last_error_kind, last_error FROM documents"
                            " WHERE document_id = 'seed-2023'").fetchall()[0]
    assert kind == "load_error" and "NOT NULL" in err.upper()


def test_a_document_that_never_loaded_is_recorded_failed(home):
    stage(home.staging, "broken", failure_frames("broken", "inbox/b.pdf", "0" * 64, "not_pdf", "HTML"))
    summary = load_staged(home)
    assert summary.failed == ["broken"]
    con = duckdb.connect(str(home.db_path), read_only=True)
    assert con.execute("SELECT status, error_kind, error FROM documents").fetchall() == [
        ("failed", "not_pdf", "HTML")]


def test_departments_dimension_resolves_names_and_codes_across_tables_and_years(home):
    stage_all(home, small_district())
    load_staged(home)
    con = duckdb.connect(str(home.db_path), read_only=True)
    rows = {r[0]: r[1:] for r in con.execute("SELECT * FROM departments").fetchall()}
    code, canonical, aliases, variants, kinds, y0, y1, n = rows["125"]
    assert code == "125" and canonical == SEED_NAME and (y0, y1, n) == (2022, 2023, 2)
    # The seed's table headers: 承德高技术… (三公), the short name (assets); code 106 (procurement).
    assert set(aliases) == {SEED_NAME, "承德高技术产业开发区社区管理办公室", "承德高新区社区管理办公室"}
    assert variants == ["106"]
    assert rows["130"][:2] == ("130", "承德高新区财政局")


def test_subject_codes_are_loaded_from_the_reference_lists(home):
    stage_all(home, small_district())
    summary = load_staged(home)
    ref = load_subject_codes()
    if ref.height == 0:
        pytest.skip("pipeline/reference/*.csv not shipped yet")
    con = duckdb.connect(str(home.db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM subject_codes").fetchall()[0][0] == ref.height
    assert summary.subject_codes == ref.height
    # Every code of the seed is in the reference lists with the name it prints.
    assert con.execute("SELECT * FROM v_subject_code_issues").fetchall() == []


def test_subject_code_issues_flag_unknown_and_malformed_codes(home):
    r = seed_result()
    r.tables[2].rows[0].code = "999"
    r.tables[2].rows[1].code = "2120"
    stage(home.staging, "d", frames_from_result(r, "d", "d.pdf"))
    load_staged(home)
    if load_subject_codes().height == 0:
        pytest.skip("pipeline/reference/*.csv not shipped yet")
    con = duckdb.connect(str(home.db_path), read_only=True)
    issues = dict(con.execute("SELECT code, issue FROM v_subject_code_issues").fetchall())
    assert issues == {"999": "unknown_code", "2120": "bad_format"}


def test_schema_migrates_forward_from_version_1(tmp_path):
    only_v1 = tmp_path / "schema"
    only_v1.mkdir()
    (only_v1 / "001_init.sql").write_text((SCHEMA_DIR / "001_init.sql").read_text("utf-8"), "utf-8")
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    assert ensure_schema(con, only_v1, views_sql=None) == 1
    con.execute("INSERT INTO documents (document_id, sha256, source, status) VALUES ('x', 's', 'p', 'loaded')")
    newest = migrations()[-1][0]
    assert ensure_schema(con) == newest == current_version(con)
    assert con.execute("SELECT document_id, last_error FROM documents").fetchall() == [("x", None)]
    # every migration applied once (numbers are assigned per branch, so a merge may leave a gap)
    assert [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()] == \
        [v for v, _ in migrations()]
    assert ensure_schema(con) == newest  # idempotent


def test_staging_is_atomic_and_replaces_the_previous_set(home):
    frames = frames_from_result(seed_result(), "s", "s.pdf")
    stage(home.staging, "s", frames)
    stage(home.staging, "s", failure_frames("s", "s.pdf", "1" * 64, "not_pdf", "x"))
    assert staged_ids(home.staging) == ["s"]
    assert not [p for p in home.staging.iterdir() if p.name.startswith(".") and p.name != ".locks"]
    assert read_staged(home.staging, "s")["documents"]["status"].to_list() == ["failed"]


def test_concurrent_writers_of_one_document_never_fail_nor_mix(home):
    """A Dagster partition run and `budget-etl run` may stage the same document at once. Small sets
    (a failure's one row) make the rename window a large part of each write."""
    from concurrent.futures import ThreadPoolExecutor

    versions = [failure_frames("s", "s.pdf", f"{i:064d}", "not_pdf", f"v{i}") for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda f: [stage(home.staging, "s", f) for _ in range(150)], versions))
    staged = read_staged(home.staging, "s")["documents"].to_dicts()
    assert len(staged) == 1 and staged[0]["error"] in {f"v{i}" for i in range(6)}
    assert staged[0]["sha256"] == f"{int(staged[0]['error'][1:]):064d}"   # one version, not a mix
    assert staged_ids(home.staging) == ["s"]
    assert not [p for p in home.staging.iterdir() if p.name.startswith(".") and p.name != ".locks"]


def test_snapshot_is_published_and_readable(home):
    stage_all(home, small_district())
    summary = load_staged(home)
    assert summary.snapshot == snapshot_path(home.db_path) and summary.snapshot.exists()
    con = duckdb.connect(str(summary.snapshot), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchall() == [(3,)]


def test_loaded_versions_of_an_empty_home(home):
    assert loaded_versions(home) == {}


def test_a_staged_set_holding_another_document_rows_is_refused(home):
    stage_all(home, small_district())
    load_staged(home)
    before = dump(home.db_path)
    frames = frames_from_result(seed_result("9" * 64), "seed-2023", "inbox/seed-2023.pdf")
    frames["budget_lines"] = frames["budget_lines"].with_columns(document_id=pl.lit("other-2023"))
    stage(home.staging, "seed-2023", frames)
    assert load_staged(home).kept_previous == ["seed-2023"]
    after = dump(home.db_path)
    assert {t: after[t] for t in CONTENT_TABLES} == {t: before[t] for t in CONTENT_TABLES}


def test_listing_a_document_twice_loads_it_once(home):
    stage_all(home, small_district())
    load_staged(home, ["seed-2023", "seed-2023"])
    load_staged(home, ["seed-2023", "seed-2023"], force=True)
    con = duckdb.connect(str(home.db_path), read_only=True)
    n = con.execute("SELECT count(*) FROM budget_lines").fetchall()[0][0]
    assert n == sum(len(r.values) for t in seed_result().tables for r in t.rows)


def many_departments(n: int) -> dict[str, object]:
    """``n`` department-years beside the small district (for batches of several documents)."""
    seed = seed_result()
    out = dict(small_district())
    for i in range(n):
        out[f"d{i:02d}"] = varied(seed, str(300 + i), f"部门{i}", 2020 + i % 4,
                                  Decimal(i + 2), f"{i:02d}" * 32)
    return out


def generation(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT generation FROM load_generation").fetchall()[0][0]
    finally:
        con.close()


def test_loading_in_batches_gives_what_loading_one_by_one_gives(tmp_path):
    results = many_departments(7)
    dumps = {}
    for size in (1, 3, 1000):
        home = Home.at(tmp_path / str(size)).ensure()
        stage_all(home, results)
        assert sorted(load_staged(home, batch_size=size).loaded) == sorted(results)
        changed = varied(results["d03"], "303", "部门3", 2023, Decimal(7), "e" * 64)
        stage(home.staging, "d03", frames_from_result(changed, "d03", "inbox/d03.pdf"))
        assert load_staged(home, force=True, batch_size=size).loaded == sorted(results)
        dumps[size] = (dump(home.db_path), generation(home.db_path))
    assert dumps[1] == dumps[3] == dumps[1000]
    assert dumps[1][1] == 1 + 2 * len(results), "one generation step a document loaded"


def test_one_bad_document_fails_alone_and_its_batch_loads(home):
    results = many_departments(6)
    stage_all(home, results)
    # d01 breaks NOT NULL (the insert fails), d04 holds a row of another document of the same batch.
    frames = frames_from_result(results["d01"], "d01", "inbox/d01.pdf")
    frames["budget_lines"] = frames["budget_lines"].with_columns(
        pl.when(pl.col("row_index") == 3).then(None).otherwise(pl.col("measure")).alias("measure"))
    stage(home.staging, "d01", frames)
    frames = frames_from_result(results["d04"], "d04", "inbox/d04.pdf")
    frames["assets"] = frames["assets"].with_columns(document_id=pl.lit("d05"))
    assert frames["assets"].height, "the seed must have asset rows for this test"
    stage(home.staging, "d04", frames)
    summary = load_staged(home)
    assert summary.failed == ["d01", "d04"]
    assert summary.loaded == sorted(d for d in results if d not in ("d01", "d04"))
    con = duckdb.connect(str(home.db_path), read_only=True)
    rows = dict(con.execute("SELECT document_id, status FROM documents").fetchall())
    per_doc = dict(con.execute("SELECT document_id, count(*) FROM budget_lines GROUP BY ALL").fetchall())
    kinds = dict(con.execute("SELECT document_id, error_kind FROM documents WHERE status = 'failed'").fetchall())
    con.close()
    assert rows == {d: "failed" if d in ("d01", "d04") else "loaded" for d in results}
    assert kinds == {"d01": "load_error", "d04": "load_error"}
    assert set(per_doc) == set(results) - {"d01", "d04"}
    for d in per_doc:
        assert per_doc[d] == sum(len(r.values) for t in results[d].tables for r in t.rows), d


def test_an_incomplete_or_unreadable_staged_set_fails_alone(home):
    results = many_departments(4)
    stage_all(home, results)
    (home.staging / "d00" / "documents.parquet").write_bytes(b"not parquet")
    (home.staging / "d01" / "documents.parquet").unlink()
    (home.staging / "d02" / "assets.parquet").unlink()
    bad = ["d00", "d01", "d02"]
    summary = load_staged(home)
    assert summary.failed == bad
    assert summary.loaded == sorted(d for d in results if d not in bad)
    con = duckdb.connect(str(home.db_path), read_only=True)
    kinds = dict(con.execute("SELECT document_id, error_kind FROM documents WHERE status = 'failed'").fetchall())
    con.close()
    assert kinds == {d: "staging_error" for d in bad}


def test_sets_staged_with_other_columns_load_as_they_would_one_by_one(tmp_path):
    """A batch mixing sets staged by another release: one lacks nullable and DEFAULT columns, one
    carries a column the warehouse does not have (it fails alone, as it would on its own)."""
    results = many_departments(4)
    dumps = {}
    for size in (1, 1000):
        home = Home.at(tmp_path / str(size)).ensure()
        stage_all(home, results)
        frames = frames_from_result(results["d01"], "d01", "inbox/d01.pdf")
        frames["budget_lines"] = frames["budget_lines"].drop("numbering", "bbox")
        frames["procurement_lines"] = frames["procurement_lines"].drop("is_total")
        assert frames["procurement_lines"].height, "the seed must have procurement rows for this test"
        stage(home.staging, "d01", frames)
        frames = frames_from_result(results["d03"], "d03", "inbox/d03.pdf")
        frames["budget_lines"] = frames["budget_lines"].with_columns(surplus=pl.lit("x"))
        stage(home.staging, "d03", frames)
        summary = load_staged(home, batch_size=size)
        assert summary.failed == ["d03"], summary
        dumps[size] = dump(home.db_path)
    assert dumps[1] == dumps[1000]
    con = duckdb.connect(str(Home.at(tmp_path / "1000").db_path), read_only=True)
    lines = con.execute("SELECT count(*), count(numbering), count(bbox) FROM budget_lines"
                        " WHERE document_id = 'd01'").fetchall()[0]
    procurement = con.execute("SELECT count(*), count(*) FILTER (WHERE NOT is_total) FROM procurement_lines"
                              " WHERE document_id = 'd01'").fetchall()[0]
    con.close()
    assert lines[0] > 0 and lines[1:] == (0, 0)
    assert procurement[0] > 0 and procurement[1] == procurement[0], "is_total takes its DEFAULT"
