"""ParseResult → frames (pipeline.clean.frames) and exact amounts (pipeline.clean.amounts)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from test_warehouse_support import measure_sums, seed_result  # noqa: E402

from pipeline.clean.amounts import DECIMAL, cast_amounts, check_decimal, parse_amount
from pipeline.clean.frames import SCHEMAS, failure_frames, frames_from_result
from pipeline.model import DocumentError

exact = st.decimals(min_value=Decimal("-99999999999999.999999"),
                    max_value=Decimal("99999999999999.999999"), places=6,
                    allow_nan=False, allow_infinity=False)
cents = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2,
                    allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(exact)
def test_decimal_round_trip_through_polars_parquet_and_duckdb(tmp_path_factory, value):
    s = check_decimal(value)
    series = cast_amounts(pl.Series("amount", [s]))
    assert series.dtype == DECIMAL and series[0] == value
    path = tmp_path_factory.mktemp("rt") / "a.parquet"
    pl.DataFrame({"amount": series}).write_parquet(path)
    back = duckdb.sql(f"SELECT amount, typeof(amount) FROM '{path}'").fetchall()
    assert back == [(value, "DECIMAL(20,6)")]


def printed(value: Decimal, draw) -> str:
    """A printed rendition of an amount: thousands separators, split digits, full-width digits."""
    s = format(value, "f")
    whole, _, frac = s.partition(".")
    if draw(st.booleans()):
        whole = f"{int(whole):,}"
    s = whole + ("." + frac if frac else "")
    if draw(st.booleans()) and len(s) > 2:
        i = draw(st.integers(1, len(s) - 1))
        s = s[:i] + " " + s[i:]
    if draw(st.booleans()):
        s = s.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    return s


@settings(deadline=None)
@given(cents, st.data())
def test_printed_amounts_parse_exactly(value, data):
    text = printed(value, data.draw)
    assert parse_amount(text) == value
    assert parse_amount(f"（{text}）") == -value or value == 0


@pytest.mark.parametrize("text", ["1.1234567", "12a", "1.2.3", "100000000000000"])
def test_inexact_or_malformed_amounts_are_errors_not_nulls(text):
    with pytest.raises(DocumentError):
        parse_amount(text)
    with pytest.raises(DocumentError):
        cast_amounts(pl.Series([text]))


def test_dashes_mean_zero_and_empty_means_absent():
    assert parse_amount("-") == 0 and parse_amount("—") == 0
    assert parse_amount("") is None and parse_amount("  ") is None


def test_seed_frames_have_the_warehouse_schema_and_its_sums():
    result = seed_result()
    frames = frames_from_result(result, "seed-doc", "inbox/2023/125.pdf")
    assert set(frames) == set(SCHEMAS)
    for name, df in frames.items():
        assert dict(df.schema) == SCHEMAS[name], name
    lines = frames["budget_lines"]
    assert lines.height == sum(len(r.values) for t in result.tables for r in t.rows)
    got = {m: s for m, s in lines.group_by("measure").agg(pl.col("amount").sum()).iter_rows()}
    assert got == measure_sums(result)
    # Names normalised, numbering in its own column.
    first = lines.filter(pl.col("row_index") == 0, pl.col("table_index") == 0).row(0, named=True)
    assert (first["numbering"], first["name"]) == ("一、", "一般公共预算拨款收入")
    assert "用于社会福利的彩票公益金支出" in lines["name"].to_list()
    # Wide tables.
    proc = frames["procurement_lines"]
    assert proc.filter(pl.col("is_total"))["amount"].to_list() == [Decimal("231.65")]
    furniture = proc.filter(pl.col("item") == "组合家具").row(0, named=True)
    assert (furniture["quantity"], furniture["unit_price"], furniture["amount"]) == (
        Decimal(50), Decimal("0.2"), Decimal(20))
    assert frames["document_tables"].filter(pl.col("empty")).height == 2
    assert frames["documents"]["status"].to_list() == ["loaded"]


def test_amount_that_does_not_fit_is_a_document_error():
    result = seed_result()
    result.tables[0].rows[0].values["amount"] = Decimal("1.0000001")
    with pytest.raises(DocumentError, match="DECIMAL"):
        frames_from_result(result, "x", "x.pdf")


def test_failure_frames_hold_only_a_failed_documents_row():
    frames = failure_frames("d1", "inbox/a.pdf", "ab" * 32, "not_pdf", "not a PDF")
    assert set(frames) == set(SCHEMAS)
    doc = frames["documents"].row(0, named=True)
    assert (doc["status"], doc["error_kind"], doc["error"]) == ("failed", "not_pdf", "not a PDF")
    assert all(df.height == 0 for name, df in frames.items() if name != "documents")


@settings(max_examples=25, deadline=None)
@given(st.lists(cents, min_size=1, max_size=8))
def test_budget_line_sums_equal_the_parse_result(amounts):
    result = seed_result()
    rows = result.tables[2].rows
    for row, a in zip(rows, amounts):
        row.values["total"] = a
    frames = frames_from_result(result, "x", "x.pdf")
    total = frames["budget_lines"].filter(pl.col("measure") == "total")["amount"].sum()
    assert total == measure_sums(result)["total"]
