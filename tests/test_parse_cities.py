"""The cities corpus (../shared/corpus/cities, 87 files of 23 cities) against its hand-made truth.

Truth lives in the project (tests/truth/cities/NN.json, the corpus truth format plus
``document_class``): for every file its class and standard tables (kind, pages), for some files every
cell of some tables. Each PDF is parsed once per session. What is asserted:
- every file's class (部门预算 / 单位预算 / not a budget) is read from its content;
- every standard table the truth lists is recognised with its kind on its pages, or the parse marks
  the document partial naming that table (never a silent loss);
- every hand-checked cell is read with its value (strict matching, pipeline.evaluation.parse_scores);
- the department and year are found wherever the truth records the file printing them.
Figures per city are printed (pytest -s).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.config import PROJECT_ROOT, SHARED_DIR
from pipeline.evaluation.parse_scores import norm_label, score_corpus_document, truth_kind
from pipeline.model import DocumentError, ParseResult
from pipeline.tables.catalogue import load_catalogue

TRUTH = Path(os.environ.get("BUDGET_ETL_CITIES_TRUTH", PROJECT_ROOT / "tests" / "truth" / "cities"))
CORPUS = SHARED_DIR / "corpus" / "cities"
CLASSES = {"部门预算": "department_budget", "单位预算": "unit_budget", "部门决算": "final_accounts",
           "not_budget": "not_budget"}


def _truths() -> list[dict]:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is missing (../shared absent): cities tests skipped")
    files = sorted(TRUTH.glob("*.json")) if TRUTH.is_dir() else []
    if not files:
        pytest.skip(f"no cities truth in {TRUTH} (tests/truth/cities is made by hand, issue 11)")
    return [json.loads(p.read_text("utf-8")) for p in files]


@pytest.fixture(scope="session")
def cities() -> list[tuple[dict, ParseResult | DocumentError]]:
    """Every truth file's PDF, parsed once per session (shared with test_parse_corpus)."""
    from corpus_parses import parse_all, parse_once

    truths = _truths()
    parse_all(CORPUS / t["file"] for t in truths)
    out = [(t, parse_once(CORPUS / t["file"])) for t in truths]
    return out


def _city(t: dict) -> str:
    return t["file"].split("/", 1)[0]


def test_document_class(cities) -> None:
    wrong = []
    for t, r in cities:
        want = CLASSES.get(t.get("document_class", ""), t.get("document_class"))
        if isinstance(r, DocumentError):
            if not (t.get("scanned") or want == "not_budget"):
                wrong.append(f"{t['file']}: {r.kind} {r.message}")
            continue
        if r.document_class != want:
            wrong.append(f"{t['file']}: class {r.document_class}, truth {want}")
    assert not wrong, "\n".join(wrong)


def test_standard_tables_recognised_or_partial(cities) -> None:
    """Each standard table of the truth: parsed with its kind on its pages, or named as unread."""
    cat = load_catalogue()
    per_city: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    lost = []
    for t, r in cities:
        if isinstance(r, DocumentError):
            continue
        done = r.completeness or {}
        unread = {x["kind"] for x in done.get("tables", []) if x["status"] == "unread"}
        for table in t.get("tables", []):
            kind = truth_kind(table)
            if kind not in cat.standard_kinds:
                continue
            per_city[_city(t)][0] += 1
            pages = set(table["pages"])
            unread_pages = {x["page"] for x in done.get("unread_tables", [])}
            # the same pages, or the same first page with the rest printing no ruled table with
            # amounts (a column header run over onto a page of its own)
            got = [x for x in r.tables if x.kind == kind and (
                set(x.pages) == pages or (min(x.pages) == min(pages) and set(x.pages) < pages
                                          and not (pages - set(x.pages)) & unread_pages))]
            if got:
                per_city[_city(t)][1] += 1
            elif kind in unread and done.get("status") == "partial":
                per_city[_city(t)][2] += 1
            else:
                have = [(x.kind, x.pages) for x in r.tables if set(x.pages) & pages]
                lost.append(f"{t['file']}: {kind} {table['title']} p{sorted(pages)} — parsed {have}")
    print("\nstandard tables per city: truth / recognised / marked unread")
    for city, (n, ok, partial) in sorted(per_city.items()):
        print(f"  {city}: {n} / {ok} / {partial}")
    assert not lost, "\n".join(lost)


def test_hand_checked_cells(cities) -> None:
    per_city: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for t, r in cities:
        if not any(row.get("values") for tb in t.get("tables", []) for row in tb.get("rows", [])):
            continue
        if isinstance(r, DocumentError):
            misses.append(f"{t['file']}: {r.kind}")
            continue
        truth = {**t, "tables": [tb for tb in t["tables"] if tb.get("rows")]}
        s = score_corpus_document(truth, r)
        per_city[_city(t)][0] += s.cells
        per_city[_city(t)][1] += s.equal
        misses += [f"{t['file']}: {m}" for m in s.misses]
    print("\nhand-checked cells per city: exact / truth")
    for city, (cells, equal) in sorted(per_city.items()):
        print(f"  {city}: {equal} / {cells}")
    assert sum(c for c, _ in per_city.values()) > 0, "no hand-checked cells in the truth"
    assert not misses, f"{len(misses)} cells missed:\n" + "\n".join(misses[:60])


def test_department_and_year_found(cities) -> None:
    wrong = []
    for t, r in cities:
        if isinstance(r, DocumentError) or CLASSES.get(t.get("document_class")) == "not_budget":
            continue
        if t.get("year") and r.year != t["year"]:
            wrong.append(f"{t['file']}: year {r.year} ({r.identity_sources.get('year')}), truth {t['year']}")
        name = r.department.get("name")
        if t.get("department") and norm_label(name) != norm_label(t["department"]):
            wrong.append(f"{t['file']}: department {name!r} ({r.identity_sources.get('department')}), "
                         f"truth {t['department']!r}")
    assert not wrong, "\n".join(wrong)
