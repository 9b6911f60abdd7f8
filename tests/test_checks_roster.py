"""The district roster as reference data in the warehouse (pipeline/load/roster.py, schema 019): a roster
given to the checks is stored whole with its file's name and hash, replaced whole and atomically by the
next one, refused (stored one kept) when unreadable, and read back by the checks when none is given."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from test_checks_support import build_warehouse, mini_document

from pipeline.checks.engine import compute_results, run_checks
from pipeline.load.roster import load_roster, roster_source, stored_roster
from pipeline.load.snapshot import checkpoint_and_publish
from pipeline.load.sql import run_sql
from pipeline.model import DocumentError

FIRST = "department_code,name,years\n201,测试部门201,2022;2023\n202,另一部门,2023\n"
SECOND = "\ufeffdepartment_code,name,years\n999,测试部门201,2023\n"


def _stored(db) -> tuple[list, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        return (con.execute("SELECT position, department_code, name, years FROM roster ORDER BY position").fetchall(),
                con.execute("SELECT source, sha256, entries FROM roster_source").fetchall())


def _failures(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute("SELECT run_id, check_name, severity, document_id, department, year, message "
                                  "FROM check_results WHERE check_name IN ('roster_disclosed', 'department_in_roster')"
                                  ).fetchall(), key=str)


@pytest.fixture
def home(tmp_path):
    return build_warehouse(tmp_path / "home", {"2023/201_mini.pdf": mini_document()})


def test_a_roster_given_to_the_checks_is_stored_whole_with_its_name_and_hash(home, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(FIRST, encoding="utf-8")
    assert _stored(home.db_path) == ([], [])     # the table exists, empty, until a roster is given
    run_checks(home.db_path, run_id="one", roster=path)
    rows, source = _stored(home.db_path)
    assert rows == [(1, "201", "测试部门201", [2022, 2023]), (2, "202", "另一部门", [2023])]
    assert source == [("roster.csv", hashlib.sha256(path.read_bytes()).hexdigest(), 2)]
    found = _failures(home.db_path)
    assert [(c, dep, y) for _, c, _, _, dep, y, _ in found] == [
        ("roster_disclosed", "201", 2022), ("roster_disclosed", "202", 2023)]
    checkpoint_and_publish(home.db_path)   # the readers' snapshot, as a night publishes it after the checks
    cols, users = run_sql(home.db_path, "SELECT r.department_code, y FROM roster r, UNNEST(r.years) AS t(y) "
                                        "ORDER BY 1, 2")   # what a user asks with `budget-etl sql`
    assert users == [("201", 2022), ("201", 2023), ("202", 2023)]

    # the next run without a roster reads the stored one: the same findings (one source)
    run_checks(home.db_path, run_id="two")
    again = _failures(home.db_path)
    assert [r[1:] for r in again if r[0] == "two"] == [r[1:] for r in found]
    with duckdb.connect(str(home.db_path), read_only=True) as con:
        from_file = compute_results(con, roster=path)[0]
        from_table = compute_results(con)[0]
    assert [r.record("x") for r in from_file] == [r.record("x") for r in from_table]


def test_the_next_roster_replaces_it_whole_and_a_bad_one_changes_nothing(home, tmp_path):
    first, second, bad = tmp_path / "first.csv", tmp_path / "second.csv", tmp_path / "bad.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    bad.write_text("department_code,name,years\n201,x,twenty\n", encoding="utf-8")
    run_checks(home.db_path, run_id="one", roster=first)
    run_checks(home.db_path, run_id="one", roster=second)
    rows, source = _stored(home.db_path)
    assert rows == [(1, "999", "测试部门201", [2023])]          # nothing of the first left (BOM read away)
    assert source == [("second.csv", hashlib.sha256(second.read_bytes()).hexdigest(), 1)]
    assert [(c, s) for _, c, s, *_ in _failures(home.db_path)] == [   # 201 is 999 on it; 999 not disclosed
        ("department_in_roster", "error"), ("roster_disclosed", "error")]
    before = _stored(home.db_path), _failures(home.db_path)
    for broken in (bad, tmp_path / "absent.csv"):
        with pytest.raises(DocumentError):
            run_checks(home.db_path, run_id="one", roster=broken)
        assert (_stored(home.db_path), _failures(home.db_path)) == before


class _FailingInsert:
    """A connection whose insert of the roster's source fails: the load must leave nothing half done."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql, *args):
        if sql.startswith("INSERT INTO roster_source"):
            raise duckdb.IOException("disk gone")
        return self.con.execute(sql, *args)

    def executemany(self, sql, *args):
        return self.con.executemany(sql, *args)


def test_a_load_failing_halfway_leaves_the_stored_roster(home, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    with duckdb.connect(str(home.db_path)) as con:
        assert stored_roster(con) is None and roster_source(con) is None   # never given
        load_roster(con, first)
        kept = stored_roster(con), roster_source(con)
        with pytest.raises(duckdb.IOException):
            load_roster(_FailingInsert(con), second)
        assert (stored_roster(con), roster_source(con)) == kept
        assert [e.department_code for e in kept[0]] == ["201", "202"]


def test_a_changed_roster_alone_makes_the_night_check_again(home, tmp_path):
    """No document changed, only the roster file: the night's post-load sequence runs the checks again
    (the stored roster is what the roster identities read), and not when the file is as stored."""
    from pipeline.night import NightSummary, finish_stages
    from pipeline.resume import roster_changed

    path = tmp_path / "roster.csv"
    path.write_text(FIRST, encoding="utf-8")
    first = NightSummary(home)
    finish_stages(home, first, roster=path, gx=False, progress=lambda _: None)
    assert first.checks is not None and not roster_changed(home, path)
    unchanged = NightSummary(home)
    assert finish_stages(home, unchanged, roster=path, gx=False, progress=lambda _: None) is False
    assert unchanged.checks is None                         # same warehouse, same roster: nothing to do

    path.write_text(SECOND, encoding="utf-8")               # 999 instead of 201 and 202
    assert roster_changed(home, path)
    edited = NightSummary(home)
    finish_stages(home, edited, roster=path, gx=False, progress=lambda _: None)
    assert edited.checks is not None
    latest = [r for r in _failures(home.db_path) if r[0] == edited.checks.run_id]
    assert sorted((c, dep) for _, c, _, _, dep, _, _ in latest) == [
        ("department_in_roster", "201"), ("roster_disclosed", "999")]
