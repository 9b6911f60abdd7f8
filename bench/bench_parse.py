"""Parse time per page and per document, next to pdfplumber's bare extract_text / extract_tables.

Usage: python bench/bench_parse.py [--district DIR] [--corpus DIR] [--runs N] [--limit N]
(BUDGET_ETL_PDF_BACKEND=pdfminer measures the pdfminer page backend instead of the default pdfium.)
A script, not a test: it prints the machine (nproc, CPU model) and the median of N runs per document.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pdfplumber  # noqa: E402

from pipeline.config import SHARED_DIR  # noqa: E402
from pipeline.model import DocumentError  # noqa: E402
from pipeline.parse import parse_document  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def bare(path: Path, what: str) -> tuple[float, int]:
    t = time.perf_counter()
    with pdfplumber.open(str(path)) as pdf:
        n = len(pdf.pages)
        for page in pdf.pages:
            page.extract_text() if what == "text" else page.extract_tables()
            page.close()
    return time.perf_counter() - t, n


def ours(path: Path) -> float:
    t = time.perf_counter()
    try:
        parse_document(path)
    except DocumentError:
        pass
    return time.perf_counter() - t


def median_of(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def bench(name: str, files: list[Path], runs: int) -> None:
    rows = []
    for f in files:
        try:
            _, pages = bare(f, "text")
        except Exception:
            continue
        t_text = median_of(lambda: bare(f, "text")[0], runs)
        t_tab = median_of(lambda: bare(f, "tables")[0], runs)
        t_ours = median_of(lambda: ours(f), runs)
        rows.append((pages, t_text, t_tab, t_ours))
    if not rows:
        print(f"{name}: no files")
        return
    pages = sum(r[0] for r in rows)
    tot = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print(f"\n{name}: {len(rows)} documents, {pages} pages, median of {runs} runs")
    print(f"{'':24}{'ms/page':>10}{'ms/doc':>10}")
    for label, t in zip(("pdfplumber extract_text", "pdfplumber extract_tables", "parse_document"), tot):
        print(f"{label:24}{1000 * t / pages:10.1f}{1000 * t / len(rows):10.1f}")
    print(f"parse / extract_tables = {tot[2] / tot[1]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--district", type=Path, default=Path("/tmp/demo-district"))
    ap.add_argument("--corpus", type=Path, default=SHARED_DIR / "corpus" / "jiangsu")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int, default=10, help="documents per set (0: all)")
    a = ap.parse_args()
    print(f"machine: nproc={os.cpu_count()} cpu={cpu_model()} python={platform.python_version()} "
          f"pdfplumber={pdfplumber.__version__}")
    lim = a.limit or None
    district = sorted(p for p in a.district.glob("*/*.pdf") if not p.name.startswith("9"))[:lim]
    bench(f"demo district ({a.district})", district, a.runs)
    bench(f"corpus ({a.corpus})", sorted(a.corpus.rglob("*.pdf"))[:lim], a.runs)


if __name__ == "__main__":
    main()
