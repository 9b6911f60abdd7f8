"""Build the subject-code reference CSVs from real printed codes only.

Why: the demo generator must draw only real 政府收支分类科目 codes and names. The only sources we trust
are the seed disclosure's text and the hand-checked corpus truth files, so the lists are extracted from
those and nothing is typed in by hand. A (code, name) pair is kept when its code has a valid length
(3/5/7 digits functional, 3/5 economic) and it was printed in the seed or seen in at least two distinct
(region, year) documents (this drops one-off column misalignments in the truth files, e.g. a 2024
table whose names slipped one row against their codes). Run: ``python -m pipeline.reference.build_reference``.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

from pipeline.config import SHARED_DIR

HERE = Path(__file__).resolve().parent
SEED_YEAR = 2023
LEVELS = {3: "类", 5: "款", 7: "项"}

#: seed lines look like "3\t2120102\t一般行政 管理事务\t…" or "15\t30201\t办公费\t…"
_SEED_ROW = re.compile(r"^\d+\t(\d{3}|\d{5}|\d{7})\t([^\t]+)\t")


def _norm(name: str) -> str:
    """Remove line-wrap spaces and unify ASCII/full-width parentheses."""
    return re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")


def collect(shared: Path = SHARED_DIR) -> dict[tuple[str, str], set[tuple[str, int]]]:
    """(code, name) → set of (source, year) sightings."""
    seen: dict[tuple[str, str], set[tuple[str, int]]] = defaultdict(set)
    for txt in sorted((shared / "seed").glob("*.txt")):
        for line in txt.read_text(encoding="utf-8").splitlines():
            m = _SEED_ROW.match(line)
            if m:
                seen[(m.group(1), _norm(m.group(2)))].add(("seed", SEED_YEAR))
    for f in sorted((shared / "corpus").glob("*/truth/*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        region = f.parent.parent.name
        for t in d.get("tables", []):
            for r in t.get("rows", []):
                code, label = r.get("code"), r.get("label") or ""
                if code and label:
                    seen[(str(code), _norm(label))].add((f"corpus/{region}", int(d.get("year") or 0)))
    return seen


def select(seen: dict[tuple[str, str], set[tuple[str, int]]]) -> tuple[list[dict], list[dict]]:
    """Split into functional (2xx) and economic (3xx) rows, keeping only pairs we are sure of."""
    functional, economic = [], []
    for (code, name), sightings in sorted(seen.items()):
        is_fun = code[0] == "2" and len(code) in (3, 5, 7)
        is_eco = code[0] == "3" and len(code) in (3, 5)
        if not (is_fun or is_eco):
            continue
        if len(sightings) < 2 and ("seed", SEED_YEAR) not in sightings:
            continue
        row = {"code": code, "name": name, "level": LEVELS[len(code)],
               "years_seen": ";".join(str(y) for y in sorted({y for _, y in sightings})),
               "source": ";".join(sorted({s for s, _ in sightings}))}
        (functional if is_fun else economic).append(row)
    return functional, economic


def write(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["code", "name", "level", "years_seen", "source"])
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    functional, economic = select(collect())
    write(functional, HERE / "functional_subjects.csv")
    write(economic, HERE / "economic_subjects.csv")
    print(f"functional: {len(functional)} economic: {len(economic)}")


if __name__ == "__main__":
    main()
