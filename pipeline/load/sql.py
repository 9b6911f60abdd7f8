"""Read-only SQL over the warehouse for people (``budget-etl sql``), with exact decimals.

Queries run on the read snapshot the loader publishes (pipeline/load/snapshot.py), never on the main
file, so a long query never holds the loader up. The connection is a reader in every sense: only
SELECT-like statements pass (judged by DuckDB's own parser, ``duckdb.extract_statements``, not a
regex), and before the query runs external access is switched off and the configuration locked, so
no statement can write or read a file, attach a database or install an extension.
Decimals are printed exactly: trailing zeros beyond two places are dropped (2134.290000 → 2134.29),
nothing is rounded; in JSON they are strings, because JSON numbers are read back as floats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipeline.load.snapshot import connect_snapshot

FORMATS = ("table", "csv", "json")

#: Statement types a reader may run. DESCRIBE, SHOW, SUMMARIZE, WITH, FROM … and VALUES parse as
#: SELECT; EXPLAIN is allowed when the statement it explains is itself allowed.
READER_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+)?", re.I)


class SqlError(ValueError):
    """A query that cannot run: bad SQL, a write on a read-only warehouse, or no warehouse yet."""


def check_reader_query(query: str) -> list[duckdb.Statement]:
    """The statements of ``query``, each a reader's (SELECT-like); SqlError names the first that is not."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as e:
        raise SqlError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    if not statements:
        raise SqlError("the query is empty")
    for st in statements:
        kind = st.type
        if kind == duckdb.StatementType.EXPLAIN:
            inner = _EXPLAIN.sub("", st.query, count=1)
            try:
                kind = duckdb.extract_statements(inner)[0].type if inner.strip() else kind
            except (duckdb.Error, IndexError):
                pass
        if kind not in READER_STATEMENTS or (kind == duckdb.StatementType.EXPLAIN):
            word = st.query.strip().split(None, 1)[0].upper() if st.query.strip() else kind.name
            raise SqlError(f"only queries are allowed here (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN, "
                           f"SUMMARIZE); refused a {kind.name} statement ({word} …)")
    return statements


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """No file access, no extension installs or loads, and no way to change that afterwards."""
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def run_sql(db_path: Path, query: str, read_only: bool = True) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of a reader's query (the last statement's result) on the warehouse's snapshot.

    ``read_only=False`` (for maintenance code, never for people) runs anything on the main file.
    """
    db_path = Path(db_path)
    statements = check_reader_query(query) if read_only else None
    try:
        if read_only:
            con = connect_snapshot(db_path)
            lock_down(con)
        else:
            con = duckdb.connect(str(db_path))
    except FileNotFoundError as e:
        raise SqlError(f"{e}; run `budget-etl run` first") from None
    except duckdb.Error as e:
        raise SqlError(f"cannot open {db_path}: {e}") from None
    try:
        if statements is None:
            cur = con.execute(query)
        else:
            for st in statements[:-1]:
                con.execute(st)
            cur = con.execute(statements[-1])
        if cur.description is None:
            return [], []
        columns = [c[0] for c in cur.description]
        return columns, cur.fetchall()
    except duckdb.Error as e:
        raise SqlError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    finally:
        con.close()


def format_value(v: Any) -> str:
    """One cell as text: exact decimals, ISO dates, '' for NULL, lists as [a, b]."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format_decimal(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    return str(v)


def format_decimal(v: Decimal) -> str:
    """Exact, without exponent; at least two decimals when it has a fraction part or a scale."""
    s = format(v, "f")
    if "." in s:
        whole, frac = s.split(".")
        frac = frac.rstrip("0").ljust(2, "0")
        s = f"{whole}.{frac}"
    return s


def _json_value(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    return format_value(v)


def format_table(columns: list[str], rows: list[tuple], fmt: str = "table") -> str:
    """Rows as an aligned text table, CSV (header line first) or JSON (a list of objects)."""
    if fmt not in FORMATS:
        raise SqlError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps([{c: _json_value(v) for c, v in zip(columns, r)} for r in rows],
                          ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([format_value(v) for v in r])
        return buf.getvalue()
    cells = [[format_value(v) for v in r] for r in rows]
    numeric = [all(isinstance(r[i], (int, float, Decimal)) and not isinstance(r[i], bool)
                   for r in rows if r[i] is not None) and rows for i in range(len(columns))]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(vals: list[str]) -> str:
        return " | ".join(_pad(v, w, right=bool(n)) for v, w, n in zip(vals, widths, numeric))

    out = [line(list(columns)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _width(s: str) -> int:
    """Display width: CJK and full-width characters take two columns in a terminal."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(s))
    return gap + s if right else s + gap
