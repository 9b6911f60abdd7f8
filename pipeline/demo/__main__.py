"""``python -m pipeline.demo OUT_DIR [--seed N] [--departments N]``: write the demo district."""

from __future__ import annotations

import argparse
import time
from collections import Counter

from pipeline import config
from pipeline.demo import generate_district


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.demo")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=config.DEMO_SEED)
    ap.add_argument("--departments", type=int, default=config.DEMO_DEPARTMENTS)
    ap.add_argument("--no-faults", action="store_true")
    ap.add_argument("--no-broken", action="store_true")
    ap.add_argument("--scanned", action="store_true", help="add the scanned disclosure (needs OCR to parse)")
    a = ap.parse_args(argv)
    t0 = time.time()
    man = generate_district(a.out_dir, seed=a.seed, departments=a.departments,
                            faults=not a.no_faults, broken=not a.no_broken, scanned=a.scanned)
    kinds = Counter(f.kind for f in man.files)
    print(f"wrote {len(man.files)} files to {a.out_dir} ({dict(kinds)}) in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
