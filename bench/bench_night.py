"""Benchmark (not a test): parallel parsing, a night with nothing changed, peak memory per worker.

    python bench/bench_night.py [--docs 1000] [--repeat 3]

1. Parsing the demo district with 1 worker and with 2 (forced, no parse cache): the speed-up.
2. A district of N documents (the demo's PDFs copied under N names, so each is its own document and
   partition; parse results are reused by content): the first night, then nights with nothing changed,
   whose median must stay ≤ 10 s for 1,000 documents.
3. Peak RSS of the parsing worker processes (ru_maxrss of the children).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Pipeline modules are imported inside the functions: parsing workers are spawned processes that
# re-import this file, and what it imports at the top would count in their memory.


def machine() -> str:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()}"


def quiet(_: str) -> None:
    pass


class WorkerPeak:
    """Peak RSS (VmHWM) of this process's children, sampled from /proc while they run.

    ru_maxrss of the children would count the parent's pages mapped between fork and exec.
    """

    def __init__(self) -> None:
        import threading

        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(0.2):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                if fields.get("PPid", "").strip() == me and "VmHWM" in fields:
                    self.peak_kib = max(self.peak_kib, int(fields["VmHWM"].split()[0]))

    def __enter__(self) -> "WorkerPeak":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def bench_workers(demo: Path, work: Path, repeat: int) -> None:
    from pipeline.config import Home
    from pipeline.night import process_all
    from pipeline.sources.inbox import scan_inbox

    docs = [d for d in scan_inbox(demo) if "/90" not in d.locator]
    pages = 0
    times: dict[int, list[float]] = {1: [], 2: []}
    peaks = []
    for r in range(repeat):
        for workers in (1, 2):
            peak = WorkerPeak()
            peaks.append(peak)
            home = Home.at(work / f"w{workers}-{r}").ensure()
            t = time.perf_counter()
            with peak:
                outs = process_all(home, docs, workers=workers, force=True, progress=quiet)
            times[workers].append(time.perf_counter() - t)
            pages = sum(o.pages or 0 for o in outs)
    m1, m2 = statistics.median(times[1]), statistics.median(times[2])
    print(f"parse {len(docs)} documents ({pages} pages): 1 worker {m1:.1f} s "
          f"({1000 * m1 / pages:.1f} ms/page), 2 workers {m2:.1f} s → speed-up {m1 / m2:.2f}× "
          f"(median of {repeat}; runs: 1w {[round(x, 1) for x in times[1]]}, 2w {[round(x, 1) for x in times[2]]})")
    rss = max(p.peak_kib for p in peaks) / 1024
    print(f"peak RSS of a parsing worker process (VmHWM, sampled): {rss:.0f} MiB; "
          f"this process, which also cleans and stages: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def bench_unchanged(demo: Path, work: Path, n_docs: int, repeat: int) -> None:
    from pipeline.config import Home
    from pipeline.night import run_night
    from pipeline.sources.hashcache import HashCache
    from pipeline.sources.inbox import scan_inbox

    inbox = work / "inbox"
    pdfs = sorted(p for p in demo.rglob("*.pdf") if "/90" not in p.as_posix())
    for i in range(n_docs):
        src = pdfs[i % len(pdfs)]
        dst = inbox / f"{2000 + i // 100}" / f"d{i:04d}_{src.name}"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    home = Home.at(work / "home-n")
    t = time.perf_counter()
    run_night(home, inbox=inbox, progress=quiet, gx=False)
    first = time.perf_counter() - t
    print(f"first night, {n_docs} documents ({len(pdfs)} distinct PDFs parsed, the rest reused by "
          f"content): {first:.1f} s")
    nights = []
    for _ in range(repeat):
        t = time.perf_counter()
        s = run_night(home, inbox=inbox, progress=quiet, gx=False)
        nights.append(time.perf_counter() - t)
        assert s.counts.get("skipped") == n_docs, s.counts
    print(f"night with nothing changed, {n_docs} documents: median {statistics.median(nights):.2f} s "
          f"(runs {[round(x, 2) for x in nights]}; target ≤ 10 s for 1,000)")
    t = time.perf_counter()
    list(scan_inbox(inbox, HashCache(home.hash_cache)))
    print(f"  of which discovery (stat + cached sha256): {time.perf_counter() - t:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-workers", action="store_true")
    args = ap.parse_args()
    from pipeline.demo import generate_district

    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = work / "demo"
        generate_district(demo)
        if not args.skip_workers:
            bench_workers(demo, work, args.repeat)
        if args.docs:
            bench_unchanged(demo, work, args.docs, args.repeat)


if __name__ == "__main__":
    main()
