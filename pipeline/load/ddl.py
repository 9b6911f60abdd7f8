"""The warehouse's tables and columns as the migrations (warehouse/schema/NNN_*.sql) declare them.

Why: the column lists were written three times (the DDL, the staged frames' schemas, the check_results
writer) and had to be kept in step by hand. The DDL is the statement; the frames (pipeline/clean/frames.py)
take their columns and types from here, the check writer from the open warehouse.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*?)\);", re.S | re.I)
_ALTER = re.compile(r"ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+([^;]+);", re.I)
_COLUMN = re.compile(r"^\s*\"?(\w+)\"?\s+([A-Z]+(?:\s*\(\s*\d+\s*,\s*\d+\s*\))?(?:\[\])?)(.*)$", re.I)
_CONSTRAINT = re.compile(r"^(PRIMARY|UNIQUE|CHECK|FOREIGN|CONSTRAINT)\b", re.I)


class Column(tuple):
    """(name, SQL type, has a DEFAULT)."""

    __slots__ = ()

    def __new__(cls, name: str, sql_type: str, has_default: bool) -> "Column":
        return super().__new__(cls, (name, sql_type, has_default))

    name = property(lambda self: self[0])
    sql_type = property(lambda self: self[1])
    has_default = property(lambda self: self[2])


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _type(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def parse_tables(sql_files: list[Path]) -> dict[str, list[Column]]:
    """table → its columns in declaration order, over the migration files applied in order."""
    tables: dict[str, list[Column]] = {}
    for path in sql_files:
        sql = _strip_comments(path.read_text(encoding="utf-8"))
        events = [(m.start(), "create", m) for m in _CREATE.finditer(sql)]
        events += [(m.start(), "alter", m) for m in _ALTER.finditer(sql)]
        for _, what, m in sorted(events, key=lambda e: e[0]):
            if what == "create":
                cols = []
                for part in _split_columns(m.group(2)):
                    if not part.strip() or _CONSTRAINT.match(part.strip()):
                        continue
                    c = _COLUMN.match(part)
                    if c:
                        cols.append(Column(c.group(1), _type(c.group(2)), "DEFAULT" in c.group(3).upper()))
                if m.group(1) not in tables or "IF NOT EXISTS" not in m.group(0).upper():
                    tables[m.group(1)] = cols
            else:
                table, name, rest = m.group(1), m.group(2), m.group(3)
                c = _COLUMN.match(f"{name} {rest}")
                cols = tables.setdefault(table, [])
                if c and all(x.name != name for x in cols):
                    cols.append(Column(name, _type(c.group(2)), "DEFAULT" in c.group(3).upper()))
    return tables


def _split_columns(body: str) -> list[str]:
    """A CREATE TABLE body split at the commas outside parentheses (DECIMAL(20,6) stays whole)."""
    parts, depth, cur = [], 0, []
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


@lru_cache(maxsize=1)
def warehouse_tables() -> dict[str, list[Column]]:
    """The tables of the newest schema this code knows."""
    from pipeline.load.schema import migrations

    return parse_tables([p for _, p in migrations()])
