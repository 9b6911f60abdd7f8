"""The assets table's date against the budget year (registry category ``assets``)."""

from __future__ import annotations

import re

from pipeline.checks.base import RuleContext, finding, passed
from pipeline.checks.facts import DocFacts
from pipeline.checks.result import CheckResult


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})", re.ASCII)   # also v_identity_assets_as_of_date's


def assets(doc: DocFacts, ctx: RuleContext | None = None) -> list[CheckResult]:
    out = []
    seen = set()
    for a in doc.assets:
        if not a.as_of or a.as_of in seen or doc.year is None:
            continue
        seen.add(a.as_of)
        m = _ISO.match(a.as_of)
        if m and int(m.group(1)) == doc.year - 1:
            out.append(passed("assets_as_of_date", doc, a.as_of, f"assets dated {a.as_of}"))
            continue
        out.append(finding("assets_as_of_date", doc, a.as_of,
                           f"the assets table (p. {a.page}) is dated {a.as_of}; a {doc.year} budget reports "
                           f"assets at the end of {doc.year - 1}", left_pages=[a.page]))
    return out
