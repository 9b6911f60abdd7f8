"""OCR cost and outcome on scanned PDFs: seconds per page, peak memory, document class / error.

Usage: ``python bench/bench_ocr.py FILE.pdf …`` (e.g. the corpus's scans). Each file is parsed in a
fresh child process under the worker's address-space limit (RLIMIT_AS, ParseLimits.memory_mib), so
the peak resident memory reported is that of one parse, OCR engine processes included.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

#: One parse in a child under the worker's memory cap: argv[1] the PDF, argv[2] (optional) the JSON out.
CHILD = r'''
import json, resource, sys, time
from pathlib import Path
from pipeline.document.limits import ParseLimits
lim = ParseLimits.from_env().memory_mib << 20
resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
from pipeline.parse import parse_document
from pipeline.model import DocumentError
t = time.perf_counter()
try:
    r = parse_document(Path(sys.argv[1]))
    if len(sys.argv) > 2:       # where to keep the parse JSON (bench_ocr_unseen scores it)
        Path(sys.argv[2]).write_text(r.to_json(), encoding="utf-8")
    ocr = (r.completeness or {}).get("ocr") or {}
    out = {"class": r.document_class, "pages": r.source.get("pages"), "ocr_pages": len(ocr.get("pages", [])),
           "ocr_seconds": sum(p["seconds"] for p in ocr.get("pages", [])),
           "tables": [[t.kind, t.status] for t in r.tables]}
except DocumentError as e:
    out = {"error": e.kind, "message": e.message}
out["seconds"] = time.perf_counter() - t
print(json.dumps(out, ensure_ascii=False))
'''


def main(files: list[str]) -> None:
    total_pages = total_s = 0.0
    for f in files:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        p = subprocess.run([sys.executable, "-c", CHILD, f], capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        try:
            out = json.loads(p.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            out = {"error": "crashed", "stderr": p.stderr[-300:]}
        out["peak_rss_mib_so_far"] = round(max(before, peak) / 1024)
        if out.get("ocr_pages"):
            total_pages += out["ocr_pages"]
            total_s += out["ocr_seconds"]
            out["s_per_ocr_page"] = round(out["ocr_seconds"] / out["ocr_pages"], 2)
        print(f, json.dumps(out, ensure_ascii=False), flush=True)
    if total_pages:
        print(f"OCR pages {int(total_pages)}, {total_s:.1f} s, {total_s / total_pages:.2f} s/page")


if __name__ == "__main__":
    main(sys.argv[1:])
