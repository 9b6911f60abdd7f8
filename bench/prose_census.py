"""Share of the prose's figures resolved to a table cell (issue 12, item 3), from a built warehouse.

    PYTHONPATH=$PWD python bench/prose_census.py /tmp/h12/warehouse/district.duckdb

Every amount the prose prints (prose_figures) counts; a figure is resolved when a headline claim covers it
(its own identity compares it) or its label names a table cell (pipeline/checks/rules/prose_figures.py).
"""

from __future__ import annotations

import sys
from collections import Counter

import duckdb

from pipeline.checks.rules.prose_figures import resolve
from pipeline.checks.facts import load_facts


def main(db: str) -> None:
    con = duckdb.connect(db, read_only=True)
    docs = load_facts(con)
    total = resolved = 0
    reasons: Counter = Counter()
    examples: dict[str, list[str]] = {}
    per_doc = []
    for d in docs.values():
        if d.part_of is not None or not d.figures:
            continue
        n = ok = 0
        for f in d.figures:
            r = resolve(d, f)
            n += 1
            if r.how == "unresolved":
                why = r.why.split(":")[0]
                reasons[why] += 1
                examples.setdefault(why, []).append(f"{f.label} {f.amount}{f.unit}")
            else:
                ok += 1
        total, resolved = total + n, resolved + ok
        per_doc.append((d.source or d.document_id, n, ok))
    print(f"documents with prose figures: {len(per_doc)}")
    print(f"prose figures: {total}, resolved: {resolved} ({100 * resolved / max(total, 1):.1f}%)")
    for why, n in reasons.most_common():
        print(f"  unresolved {n:5d}  {why}   e.g. {' | '.join(examples[why][:3])}")


if __name__ == "__main__":
    main(sys.argv[1])
