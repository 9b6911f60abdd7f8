"""Time one document's checks (engine.run_document_checks, what a Dagster per-partition asset check runs)
and a whole compute_results on a warehouse, with whichever ``pipeline`` PYTHONPATH finds.

    PYTHONPATH=/tmp/base9d python bench/bench_document_checks.py WAREHOUSE.duckdb [--docs 12] [--repeat 3]
    PYTHONPATH=$PWD        python bench/bench_document_checks.py WAREHOUSE.duckdb [--docs 12] [--repeat 3]

The warehouse is copied first and its identity views made by the tree under test; the original is never
written. Prints the median and the spread of the per-document time over the first ``--docs`` loaded
documents (each timed ``--repeat`` times, the best kept), then the whole run's time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("warehouse", type=Path)
    p.add_argument("--docs", type=int, default=12)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()

    import duckdb

    from pipeline.checks.engine import compute_results, run_document_checks
    from pipeline.checks.sql_identities import create_identity_views

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / args.warehouse.name
        shutil.copy(args.warehouse, db)
        con = duckdb.connect(str(db))
        create_identity_views(con)
        ids = [d for (d,) in con.execute("SELECT document_id FROM documents WHERE status = 'loaded' "
                                         "ORDER BY document_id LIMIT ?", [args.docs]).fetchall()]
        con.close()
        times = []
        for d in ids:
            best = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                run_document_checks(db, d)
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
            times.append(best)
        print(f"run_document_checks: {len(times)} documents, median {statistics.median(times):.3f} s, "
              f"min {min(times):.3f} s, max {max(times):.3f} s")
        con = duckdb.connect(str(db), read_only=True)
        t0 = time.perf_counter()
        results, n = compute_results(con)
        print(f"compute_results: {n} documents, {len(results)} results, {time.perf_counter() - t0:.2f} s")
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
