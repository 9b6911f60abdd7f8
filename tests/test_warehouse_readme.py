"""The example queries of warehouse/README.md run and return the seed document's figures.

They run against the demo district when its generator is there (its seed rendition is 125/2023),
else against a warehouse of the hand-built seed result. The expected figures come from the seed
text (/work/shared/seed), not from the code under test.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import (  # noqa: E402,F401
    demo_or_none, seed_result, stage_truth_dir, truth_results)

from pipeline.clean.frames import frames_from_result
from pipeline.config import PROJECT_ROOT, Home
from pipeline.load.loader import load_staged
from pipeline.load.sql import SqlError, format_table, run_sql
from pipeline.load.staging import stage

README = PROJECT_ROOT / "warehouse" / "README.md"


def example_queries() -> dict[str, str]:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    out = {}
    for b in blocks:
        m = re.match(r"--\s*(\w+):", b)
        assert m, f"README sql block without a '-- name:' first line: {b[:60]!r}"
        out[m.group(1)] = b
    return out


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, demo_or_none) -> tuple[Home, Path | None]:
    home = Home.at(tmp_path_factory.mktemp("readme")).ensure()
    demo = demo_or_none
    if demo is not None:
        stage_truth_dir(home, demo)
    else:
        stage(home.staging, "seed", frames_from_result(seed_result(), "seed", "2023/125.pdf"))
    load_staged(home)
    return home, demo


def q(home: Home, name: str) -> list[dict]:
    cols, rows = run_sql(home.db_path, example_queries()[name])
    return [dict(zip(cols, r)) for r in rows]


def test_every_example_query_runs_and_prints(warehouse):
    home, _ = warehouse
    queries = example_queries()
    assert len(queries) >= 8
    for name, sql in queries.items():
        cols, rows = run_sql(home.db_path, sql)
        assert cols, name
        assert format_table(cols, rows).endswith("row)\n" if len(rows) == 1 else "rows)\n")


def test_seed_summary_totals(warehouse):
    rows = {(r["side"], r["name"]): r["amount"] for r in q(warehouse[0], "seed_summary")}
    assert rows[("expenditure", "本年支出合计")] == Decimal("2134.29")
    assert rows[("revenue", "本年收入合计")] == Decimal("2119.29")
    assert rows[("revenue", "收入总计")] == rows[("expenditure", "支出总计")] == Decimal("2134.29")


def test_seed_split(warehouse):
    (row,) = q(warehouse[0], "seed_split")
    assert (row["total"], row["basic"], row["project"]) == (
        Decimal("2134.29"), Decimal("1081.26"), Decimal("1053.03"))
    assert (row["personnel"], row["public_funds"]) == (Decimal("1065.53"), Decimal("15.73"))


def test_seed_prose_against_table(warehouse):
    (row,) = q(warehouse[0], "seed_prose_vs_table")
    assert (row["prose"], row["tables"], row["difference"]) == (
        Decimal("1081.29"), Decimal("1081.26"), Decimal("0.03"))


def test_seed_procurement_mismatches(warehouse):
    rows = q(warehouse[0], "seed_procurement_mismatch")
    assert [(r["item"], r["computed"], r["amount"]) for r in rows] == [
        ("多工功能一体机", Decimal("1"), Decimal("2")), ("组合家具", Decimal("10"), Decimal("20"))]


def test_seed_department_identity(warehouse):
    (row,) = q(warehouse[0], "departments")
    assert row["canonical_name"] == "承德高新技术产业开发区社区管理办公室"
    assert "106" in row["code_variants"]
    assert "承德高技术产业开发区社区管理办公室" in row["aliases"]


def test_district_totals_equal_the_truth(warehouse):
    home, demo = warehouse
    got = {(r["year"], r["class_code"]): r["amount"] for r in q(home, "district_by_class")}
    if demo is None:
        assert got == {(2023, "212"): Decimal("2119.29"), (2023, "229"): Decimal("15.00")}
        return
    want: dict = {}
    for _, data in truth_results(demo):
        if "error" in data:
            continue
        for t in data["tables"]:
            if t["kind"] == "expenditure_summary":
                for r in t["rows"]:
                    if r["code"] and len(r["code"]) == 3 and "total" in r["values"]:
                        key = (data["year"], r["code"])
                        want[key] = want.get(key, Decimal(0)) + Decimal(r["values"]["total"])
    assert got == want


def test_sql_is_read_only_and_errors_are_typed(warehouse):
    home, _ = warehouse
    with pytest.raises(SqlError):
        run_sql(home.db_path, "DELETE FROM budget_lines")
    with pytest.raises(SqlError):
        run_sql(home.db_path, "SELEC 1")
    with pytest.raises(SqlError, match="no warehouse"):
        run_sql(home.root / "nowhere.duckdb", "SELECT 1")
    cols, rows = run_sql(home.db_path, "SELECT count(*) AS n FROM budget_lines")
    assert rows[0][0] > 0


def test_formats_print_decimals_exactly():
    cols, rows = ["name", "amount"], [("合计", Decimal("2134.290000")), ("x", Decimal("0.000001"))]
    assert format_table(cols, rows, "csv") == "name,amount\n合计,2134.29\nx,0.000001\n"
    assert '"amount": "2134.29"' in format_table(cols, rows, "json")
    table = format_table(cols, rows)
    assert "2134.29" in table and "0.000001" in table and "(2 rows)" in table
    with pytest.raises(SqlError):
        format_table(cols, rows, "xml")
