"""Every evaluated result (passing ones included) of compute_results on warehouses, dumped by one source
tree, and two dumps compared: issue 14 item 4's proof that check_results built from the identity views
equal the Python rules' (everything but the message wording).

    PYTHONPATH=/tmp/base9d python bench/compare_viewed.py dump base.json WAREHOUSE.duckdb …
    PYTHONPATH=$PWD        python bench/compare_viewed.py dump new.json WAREHOUSE.duckdb …
    python bench/compare_viewed.py compare base.json new.json

The tree under test is whichever ``pipeline`` PYTHONPATH finds. Each warehouse is copied first and its
migrations and identity views made by that tree (a warehouse built by another tree may hold older views); the copy is
checked, the original is never written. Decimals are compared by value (as normalised text).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

FIELDS = ("check_name", "document_id", "subject", "severity", "left_value", "right_value", "difference",
          "tolerance", "n", "pages", "hidden", "downgraded")


def _text(v) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v != 0 else "0"
    return str(v)


def _key(r) -> list[str]:
    pages = (tuple(sorted(set(r.left_pages))), tuple(sorted(set(r.right_pages))))
    return [_text(v) for v in (r.check_name, r.document_id, r.subject, r.severity, r.left_value, r.right_value,
                                r.difference, r.tolerance, r.n, pages, r.hidden, r.downgraded)]


def dump(out: Path, warehouses: list[Path]) -> None:
    import duckdb

    from pipeline.checks.engine import compute_results
    from pipeline.load.schema import ensure_schema

    data = {}
    for db in warehouses:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / db.name
            shutil.copy(db, copy)
            wal = db.with_name(db.name + ".wal")
            if wal.exists():
                shutil.copy(wal, copy.with_name(copy.name + ".wal"))
            con = duckdb.connect(str(copy))
            try:
                ensure_schema(con)   # the tree's migrations, then its views (the identity views among them)
                results, n = compute_results(con)
            finally:
                con.close()
        data[str(db)] = {"documents": n, "results": sorted(_key(r) for r in results)}
        print(f"{db}: {n} documents, {len(results)} results", file=sys.stderr)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def compare(a: Path, b: Path) -> int:
    left, right = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    differences = 0
    for db in sorted(set(left) | set(right)):
        la = Counter(map(tuple, left.get(db, {}).get("results", [])))
        rb = Counter(map(tuple, right.get(db, {}).get("results", [])))
        only_a, only_b = la - rb, rb - la
        by_check = Counter(k[0] for k in la.elements())
        print(f"{db}: {sum(la.values())} vs {sum(rb.values())} results; {len(only_a)} only in the first, "
              f"{len(only_b)} only in the second; per identity: {dict(sorted(by_check.items()))}")
        for k in list(only_a)[:10]:
            print("  - ", dict(zip(FIELDS, k)))
        for k in list(only_b)[:10]:
            print("  + ", dict(zip(FIELDS, k)))
        differences += sum(only_a.values()) + sum(only_b.values())
    print(f"differences: {differences}")
    return 1 if differences else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("warehouses", type=Path, nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.warehouses)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
