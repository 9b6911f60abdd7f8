"""The column lists stated once (issue 14, item 2): the staged frames and the check writer take their
columns from the DDL, and the DDL as parsed is what DuckDB creates."""

from __future__ import annotations

import duckdb

from pipeline.clean.frames import FRAME_TABLES, LOADER_COLUMNS, SCHEMAS
from pipeline.load.ddl import warehouse_tables
from pipeline.load.schema import ensure_schema


def test_the_parsed_ddl_is_what_duckdb_creates(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        ensure_schema(con)
        for table, cols in warehouse_tables().items():
            real = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                               "ORDER BY ordinal_position", [table]).fetchall()
            if not real:   # a table a later migration drops
                continue
            assert [(c.name, c.sql_type) for c in cols] == [(n, t.replace(" ", "")) for n, t in real], table
    finally:
        con.close()


def test_frames_carry_every_ddl_column_the_parse_fills():
    tables = warehouse_tables()
    for t in FRAME_TABLES:
        assert list(SCHEMAS[t]) == [c.name for c in tables[t] if c.name not in LOADER_COLUMNS], t
    assert LOADER_COLUMNS <= {c.name for c in tables["documents"]}
