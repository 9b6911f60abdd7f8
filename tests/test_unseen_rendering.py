"""The product on a rendering it has never seen (issue 12): the seed and a few district documents
printed by headless Chromium from HTML + CSS (pipeline/demo/render_html.py) instead of reportlab.

Skia's PDFs differ from reportlab's in everything the parser relies on (embedded subset CJK fonts whose
ToUnicode may name radicals, borders as filled rectangles, the browser's own line breaking, tables split
over pages with the <thead> repeated, landscape pages by @page, right-aligned numbers). The truth is the
DocSpec's own values with the pages found in the PDF's text by pypdfium2 (not by the parser).

Asserted: every document parses to its truth (bboxes aside: the truth's are the glyphs' boxes); the seed
gives exactly DOMAIN.md's 11 errors and nothing else as an error; a clean document has no error; each
planted fault is found by its check (test_checks_demo.matches, this suite's knowledge). Seven documents,
the district's fixed seed; skips when Chromium is absent (.ci/run installs it).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pytest

from test_checks_demo import matches
from test_checks_support import build_warehouse
from test_parse_roundtrip import compare

from pipeline.checks.engine import checked_document
from pipeline.checks.facts import load_facts
from pipeline.model import ParseResult
from pipeline.sources.identity import document_id

#: District documents printed besides the seed: the first clean ones and the first faulty ones of
#: distinct kinds, in the generator's order (fixed seed).
CLEAN, FAULTY = 3, 3


def _pick(planned: list) -> list:
    clean = [p for p in planned if p.kind == "clean"][:CLEAN]
    faulty, kinds = [], set()
    for p in planned:
        if p.kind == "fault" and p.faults[0]["fault"] not in kinds and len(faulty) < FAULTY:
            faulty.append(p)
            kinds.add(p.faults[0]["fault"])
    return clean + faulty


def _parse(path: str) -> dict:
    from pipeline.parse import parse_document

    return parse_document(Path(path)).to_dict()


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    from pipeline.demo import render_html, unseen as U

    try:
        render_html.find_chromium()
    except render_html.ChromiumUnavailable as e:
        pytest.skip(f"{e}: the unseen-rendering test needs headless Chromium (.ci/run installs it)")
    root = tmp_path_factory.mktemp("unseen")
    planned = [U.plan_seed()] + _pick(U.plan_district(12))
    printed = U.print_all(planned, root, workers=2)
    with ProcessPoolExecutor(max_workers=2) as pool:
        parsed = list(pool.map(_parse, [str(p.pdf) for p in printed]))
    home = build_warehouse(root / "home", {p.locator: ParseResult.from_dict(d) for p, d in zip(printed, parsed)})
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        facts = load_facts(con)
        errors = {p.locator: [r for r in checked_document(con, facts[document_id(p.locator)], None)
                              if r.severity == "error"] for p in printed}
    finally:
        con.close()
    return printed, parsed, errors


def test_the_selection_has_clean_and_faulty_documents(unseen):
    printed, _, _ = unseen
    kinds = [p.kind for p in printed]
    assert kinds.count("seed") == 1 and kinds.count("clean") == CLEAN and kinds.count("fault") >= 2
    # the renderer really is another one: Chromium's PDF, landscape pages, tables over pages
    assert all(p.pdf.read_bytes()[:5] == b"%PDF-" and b"Skia" in p.pdf.read_bytes() for p in printed)
    seed = printed[0].truth
    assert any(len(t["pages"]) > 1 for t in seed["tables"])


def test_every_document_parses_to_its_truth(unseen):
    printed, parsed, _ = unseen
    problems = {}
    for p, d in zip(printed, parsed):
        diffs = [x for x in compare(d, p.truth) if ": bbox " not in x]
        if diffs:
            problems[p.locator] = diffs[:8]
    assert problems == {}


def test_the_seed_gives_the_eleven_errors_of_domain_md_and_nothing_else(unseen):
    printed, _, errors = unseen
    seed = printed[0]
    quirks = seed.truth["truth"]["faults"]
    wanted = [q for q in quirks if q.get("severity", "error") == "error"]
    assert len(wanted) == 11
    got = errors[seed.locator]
    missed = [q["description"] for q in wanted if not any(matches(q, r) for r in got)]
    assert missed == []
    extra = [f"{r.check_name}: {r.message}" for r in got if not any(matches(q, r) for q in wanted)]
    assert extra == []


def test_clean_documents_have_no_error_and_each_planted_fault_is_found(unseen):
    printed, _, errors = unseen
    problems = []
    for p in printed[1:]:
        got = errors[p.locator]
        if p.kind == "clean":
            problems += [f"false error on {p.locator}: {r.check_name}: {r.message}" for r in got]
        for f in p.truth["truth"]["faults"]:
            if not any(matches(f, r) for r in got):
                problems.append(f"missed {f['fault']} in {p.locator} ({f['description']}): "
                                f"{[r.check_name for r in got]}")
    assert problems == []

