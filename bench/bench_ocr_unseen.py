"""The OCR path measured on scans of real budgets it has never seen as scans (issue 18).

    PYTHONPATH=$PWD python bench/bench_ocr_unseen.py [--docs jiangsu/05 putuo/10 cities/47 …]
        [--variants clean degraded] [--work DIR] [--no-checks]

Real text budgets with hand-checked truth (../shared/corpus/{jiangsu,putuo}/truth, tests/truth/cities)
are scanned here: the pages holding truth tables are rendered with pypdfium2 at 200 dpi grey, as an
office scanner does (``clean``), or with a scanner's faults (``degraded``: the sheet turned 0.3–1°,
slightly blurred, grain, JPEG at quality 70), and rebuilt as image-only PDFs in a temporary folder
(nothing derived from the corpus is kept). Each is parsed through the OCR path in a child process under
the worker's address-space limit (peak memory measured), then scored against the truth:

- every truth cell: read exactly or not (pipeline.evaluation.parse_scores, strict);
- every wrong cell: is it inside a table the parser marked ``doubtful``?
- check_results: errors on the scan that the same pages as text do not give (a misread taken for the
  department's error); the text twin (the same pages, text layer kept) is run through the same night.

The degradation is seeded per document, so a run is repeatable.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_ocr import CHILD  # noqa: E402  (the same child parse, keeping its JSON)
from pipeline.config import SHARED_DIR  # noqa: E402
from pipeline.demo.scanned import SCAN_DPI  # noqa: E402  (an office scanner's usual 200 dpi)

DEFAULT_DOCS = ["jiangsu/05", "putuo/10", "cities/47", "cities/62"]


def truth_file(spec: str) -> tuple[Path, dict]:
    """``jiangsu/05`` → (the PDF, its truth); ``cities/47`` → tests/truth/cities/47.json."""
    region, num = spec.split("/")
    if region == "cities":
        t = json.loads((ROOT / "tests" / "truth" / "cities" / f"{num}.json").read_text("utf-8"))
    else:
        t = json.loads((SHARED_DIR / "corpus" / region / "truth" / f"{num}.json").read_text("utf-8"))
    return SHARED_DIR / "corpus" / region / t["file"], t


def table_pages(truth: dict) -> list[int]:
    return sorted({p for t in truth.get("tables", []) if t.get("rows") for p in t["pages"]})


def remap(truth: dict, pages: list[int]) -> dict:
    """The truth with its tables' pages numbered as in the extract (narrative dropped: not scored)."""
    new = {p: i + 1 for i, p in enumerate(pages)}
    t = dict(truth)
    t["tables"] = [dict(tb, pages=[new[p] for p in tb["pages"]]) for tb in truth.get("tables", []) if tb.get("rows")]
    t["narrative"] = []
    return t


def degrade(img, rng: random.Random):
    """A scanner's faults: a turned sheet, softness, grain, JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    angle = rng.uniform(0.3, 1.0) * rng.choice((-1, 1))
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(radius=0.6))
    a = np.asarray(img, dtype=np.float32)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    a = np.clip(a + nrng.normal(0, 8, a.shape), 0, 255).astype(np.uint8)
    img = Image.fromarray(a)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    buf.seek(0)
    return buf, angle


def scan(src: Path, pages: list[int], dst: Path, variant: str, seed: int) -> list[float]:
    """Write ``dst``: the listed pages of ``src`` as images only; the angles the sheets were turned by."""
    import pypdfium2 as pdfium

    from pipeline.demo.scanned import write_image_pdf

    rng = random.Random(seed)
    doc = pdfium.PdfDocument(str(src))
    angles: list[float] = []

    def sheets():
        for p in pages:
            pg = doc[p - 1]
            w, h = pg.get_size()
            img = pg.render(scale=SCAN_DPI / 72, grayscale=True, rotation=pg.get_rotation()).to_pil().convert("L")
            if pg.get_rotation() in (90, 270):
                w, h = h, w
            pg.close()
            if variant == "degraded":
                img, a = degrade(img, rng)
                angles.append(round(a, 2))
            yield w, h, img

    try:
        write_image_pdf(dst, sheets())
    finally:
        doc.close()
    return angles


def text_twin(src: Path, pages: list[int], dst: Path) -> None:
    """The same pages with their text layer (for the errors the text itself gives)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(src))
    new = pdfium.PdfDocument.new()
    new.import_pages(doc, [p - 1 for p in pages])
    new.save(str(dst))
    new.close()
    doc.close()


def score(truth: dict, result) -> dict:
    """Cells exact, and the wrong cells outside a doubtful table."""
    from pipeline.evaluation.parse_scores import score_corpus_document, truth_kind

    total = score_corpus_document(truth, result)
    outside = []
    for tb in truth["tables"]:
        one = score_corpus_document(dict(truth, tables=[tb]), result)
        wrong = one.cells - one.equal
        if not wrong:
            continue
        kind = truth_kind(tb)
        parsed = [t for t in result.tables if t.kind == kind and set(t.pages) & set(tb["pages"])]
        if not parsed or any(t.status != "doubtful" for t in parsed):
            outside += one.misses
    return {"cells": total.cells, "equal": total.equal, "misses": total.misses,
            "wrong_outside_doubtful": outside,
            "doubtful_tables": sum(1 for t in result.tables if t.status == "doubtful"),
            "tables": len(result.tables),
            "confusions": sum(1 for w in result.warnings if w.kind == "ocr_confusion")}


def errors_of(home_root: Path, inbox: Path, parses: dict[str, Path]) -> dict[str, set[tuple[str, str]]]:
    """Run a night over ``inbox`` (parses taken from ``parses`` by content) → document file → errors."""
    import hashlib

    import duckdb

    from pipeline.config import Home
    from pipeline.night import run_night
    from pipeline.process import cached_parse

    home = Home.at(home_root).ensure()
    for f in inbox.glob("*.pdf"):
        if f.name in parses:
            dst = cached_parse(home, hashlib.sha256(f.read_bytes()).hexdigest())
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(parses[f.name].read_text("utf-8"), encoding="utf-8")
    run_night(home, inbox=inbox, workers=1, progress=lambda *_: None, gx=False)
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        rows = con.execute("SELECT d.file_name, c.check_name, c.message FROM check_results c "
                           "JOIN documents d USING (document_id) WHERE c.severity = 'error'").fetchall()
    finally:
        con.close()
    out: dict[str, set] = {}
    for src, name, msg in rows:
        out.setdefault(Path(str(src)).name, set()).add((name, msg[:160]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", nargs="*", default=DEFAULT_DOCS)
    ap.add_argument("--variants", nargs="*", default=["clean", "degraded"])
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--no-checks", action="store_true")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = ap.parse_args()
    from pipeline.model import ParseResult

    work = Path(args.work or tempfile.mkdtemp(prefix="ocr-unseen-"))
    (work / "scans").mkdir(parents=True, exist_ok=True)
    (work / "text").mkdir(parents=True, exist_ok=True)
    env = dict(__import__("os").environ, BUDGET_ETL_OCR="1", PYTHONPATH=str(ROOT))
    rows = []
    parses: dict[str, Path] = {}
    for n, spec in enumerate(args.docs):
        src, truth = truth_file(spec)
        pages = table_pages(truth)
        t2 = remap(truth, pages)
        tag = spec.replace("/", "-")
        text_twin(src, pages, work / "text" / f"{tag}.pdf")
        for variant in args.variants:
            pdf = work / "scans" / f"{tag}-{variant}.pdf"
            angles = scan(src, pages, pdf, variant, seed=1000 + n)
            out_json = work / f"{tag}-{variant}.json"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-c", CHILD, str(pdf), str(out_json)], capture_output=True,
                               text=True, env=env)
            wall = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            try:
                info = json.loads(p.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                info = {"error": "crashed", "message": p.stderr[-400:]}
            row = {"doc": spec, "variant": variant, "pages": len(pages), "angles": angles,
                   "wall_s": round(wall, 1), "peak_rss_mib": round(max(before, peak) / 1024), **info}
            if "error" not in info:
                r = ParseResult.from_dict(json.loads(out_json.read_text("utf-8")))
                row.update(score(t2, r))
                parses[pdf.name] = out_json
                row["s_per_page"] = round(info["ocr_seconds"] / max(1, info["ocr_pages"]), 2)
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "misses"}, ensure_ascii=False), flush=True)
            for m in row.get("misses", [])[:12]:
                print("   miss:", m, flush=True)
    if not args.no_checks:
        scanned_err = errors_of(work / "home-scans", work / "scans", parses)
        text_err = errors_of(work / "home-text", work / "text", {})
        for row in rows:
            tag = row["doc"].replace("/", "-")
            mine = scanned_err.get(f"{tag}-{row['variant']}.pdf", set())
            base = {(n, "") for n, _ in text_err.get(f"{tag}.pdf", set())}
            row["errors"] = len(mine)
            row["errors_not_in_text"] = sorted(f"{n}: {m}" for n, m in mine if (n, "") not in base)
            print(row["doc"], row["variant"], "errors", len(mine), "not given by the text:",
                  row["errors_not_in_text"][:6], flush=True)
    print()
    print(f"{'document':12} {'variant':9} {'pages':>5} {'cells':>6} {'exact':>6} {'%':>6} {'out-doubt':>9} "
          f"{'err+':>4} {'s/page':>6} {'peakMiB':>7}")
    for row in rows:
        c, e = row.get("cells", 0), row.get("equal", 0)
        print(f"{row['doc']:12} {row['variant']:9} {row['pages']:>5} {c:>6} {e:>6} "
              f"{(100 * e / c if c else 0):>6.1f} {len(row.get('wrong_outside_doubtful', [])):>9} "
              f"{len(row.get('errors_not_in_text', [])):>4} {row.get('s_per_page', '-'):>6} {row['peak_rss_mib']:>7}")
    c = sum(r.get("cells", 0) for r in rows)
    e = sum(r.get("equal", 0) for r in rows)
    print(f"all: {e}/{c} = {100 * e / max(1, c):.1f}%  (work dir {work})")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
