"""Compare two warehouse files table by table: row counts and EXCEPT ALL both ways (a loader change must
leave every table's rows identical; issue s7's proof of the batched loader).

    python bench/compare_warehouses.py A.duckdb B.duckdb

Every base table and view name of either file; TIMESTAMP columns (loaded_at, last_attempt_at,
changed_at, applied_at, checked_at, finished_at) are left out, every other column is compared exactly.
Exit status 0 when identical, 1 otherwise. To compare two loaders, load the same staging area with
each tree (e.g. main's: ``git archive <commit> | tar -x -C /tmp/main`` and PYTHONPATH=/tmp/main).
"""

from __future__ import annotations

import sys

import duckdb


def _names(con: duckdb.DuckDBPyConnection, db: str, kind: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                                      " WHERE table_catalog = ? AND table_type = ?", [db, kind]).fetchall()}


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ?"
                       " AND table_name = ? ORDER BY ordinal_position", [db, table]).fetchall()


def compare(a: str, b: str) -> bool:
    """Print one line a table and return whether the two files hold the same rows."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS a (READ_ONLY)", [a])
    con.execute("ATTACH ? AS b (READ_ONLY)", [b])
    ok = True
    for kind in ("BASE TABLE", "VIEW"):
        diff = _names(con, "a", kind) ^ _names(con, "b", kind)
        if diff:
            ok = False
            print(f"{kind.lower()}s in one file only: {sorted(diff)}")
    for t in sorted(_names(con, "a", "BASE TABLE") & _names(con, "b", "BASE TABLE")):
        cols = _columns(con, "a", t)
        if cols != _columns(con, "b", t):
            ok = False
            print(f"{t}: columns differ")
            continue
        keep = ", ".join(f'"{c}"' for c, ty in cols if not ty.startswith("TIMESTAMP"))
        left_out = [c for c, ty in cols if ty.startswith("TIMESTAMP")]
        na, nb = (con.execute(f'SELECT count(*) FROM {db}."{t}"').fetchone()[0] for db in ("a", "b"))
        only_a, only_b = (con.execute(f'SELECT count(*) FROM (SELECT {keep} FROM {x}."{t}" EXCEPT ALL'
                                      f' SELECT {keep} FROM {y}."{t}")').fetchone()[0]
                          for x, y in (("a", "b"), ("b", "a")))
        same = na == nb and only_a == only_b == 0
        ok &= same
        print(f"{t:22s} rows {na:8d} {nb:8d}   only in A {only_a:4d}   only in B {only_b:4d}   "
              f"{'same' if same else 'DIFFERENT'}" + (f"   (left out: {', '.join(left_out)})" if left_out else ""))
    print("IDENTICAL" if ok else "NOT IDENTICAL")
    return ok


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(0 if compare(sys.argv[1], sys.argv[2]) else 1)
