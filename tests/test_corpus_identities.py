"""Acceptance of the identity checks on real documents: on each corpus region the nightly pipeline
(run_night, no GX) builds a warehouse, and its check results are scored against the truth files'
``identities`` (pipeline.evaluation.identity_scores, matched by values). Every failure the truth records must
be reported (a material one as an error, a rounding one as a warning) and no error may stand where the
truth records none. Asserted on the single-file documents; the companion pairs (tables PDF + narrative
PDF) are printed, and join the assertion once a pair is checked as one disclosure.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.config import SHARED_DIR, Home
from pipeline.evaluation.identity_scores import (DocIdentityScore, Result, evaluate_identities, format_identity_scores,
                                          matches, side_value, truth_failures)

CORPUS = SHARED_DIR / "corpus"
REGIONS = ("jiangsu", "putuo")


def _region(name: str) -> Path:
    folder = CORPUS / name
    if not (folder / "truth").is_dir():
        pytest.skip(f"no corpus truth at {folder} (../shared absent; set BUDGET_ETL_SHARED)")
    return folder


@pytest.fixture(scope="module", params=REGIONS)
def region_scores(request, tmp_path_factory) -> tuple[str, list[DocIdentityScore]]:
    from pipeline.night import run_night

    folder = _region(request.param)
    home = Home.at(tmp_path_factory.mktemp(f"identities-{request.param}"))
    run_night(home, inbox=folder, gx=False, progress=lambda *_: None)
    return request.param, evaluate_identities(folder, home.db_path)


def test_no_false_errors_and_no_missed_failures(region_scores):
    region, scores = region_scores
    report = format_identity_scores(scores)
    print(f"\n{region}\n{report}")
    single = [s for s in scores if s.single_file]
    assert single and sum(s.holds for s in single) > 300, f"{region}: truth identities not read"
    assert not [s.name for s in scores if s.error], report
    assert sum(s.failures for s in single) >= 4, f"{region}: the truth's failures were not read"
    false = [(s.name, r.describe()) for s in single for r in s.false_errors]
    missed = [(s.name, f.name, why) for s in single for f, why in s.missed]
    assert false == [], report[:6000]
    assert missed == [], report[:6000]


def test_the_matching_can_fail():
    """A result carrying other figures, or a rounding failure reported as an error, does not count."""
    truth = {"unit": "元", "identities": [
        {"name": "material", "lhs": "t[a][b] = 79189400.34", "rhs": "x (1) + y (2) = 14348853.34", "holds": False,
         "note": "difference 64840547.00"},
        {"name": "rounding", "lhs": "t[c] = 22118861", "rhs": "u = 22118861.34", "holds": False,
         "note": "rounding-level: difference -0.34"},
        {"name": "holds", "lhs": "a = 1", "rhs": "b = 1", "holds": True}]}
    holds, failures = truth_failures(truth)
    assert holds == 1 and [f.cls for f in failures] == ["material", "rounding"]
    material, rounding = failures
    assert material.lhs.value == side_value("= 79189400.34", "元").value == Decimal("7918.940034")
    ok = Result("d", "row_total", "error", Decimal("1434.885334"), Decimal("7918.940034"), None, "")
    assert matches(material, ok)
    assert not matches(material, Result("d", "row_total", "error", Decimal("1434.885334"),
                                        Decimal("7918.94"), None, ""))
    assert matches(rounding, Result("d", "column_total", "warning", Decimal("2211.886134"),
                                    Decimal("2211.8861"), Decimal("0.000034"), ""))
    assert side_value('narrative "x" = +314.82%', "元").percent
