"""Parser accuracy against hand-checked truth: `budget-etl eval DIR`.

Two kinds of truth are understood:
- the demo district's ``*.truth.json`` (the CONTRACT.md shape: rows with measures), compared exactly;
- the real corpora's ``truth/NN.json`` (../shared/corpus/README.md: rows keyed by the printed column
  header path, amounts as printed in the document's unit), compared by row (subject code, else label)
  and amount: a truth cell is *found* when its row is found, *equal* when that row carries the amount.

Every miss is listed, so a parser change can be judged cell by cell.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipeline.model import DocumentError, ParseResult, Row

KIND_ALIASES = {"fiscal_revenue_expenditure_summary": "fiscal_summary"}


@dataclass
class DocScore:
    name: str
    cells: int = 0
    found: int = 0
    equal: int = 0
    misses: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def accuracy(self) -> float:
        return self.equal / self.cells if self.cells else 1.0


def norm_label(s: str | None) -> str:
    """A label compared without spaces, punctuation width or numbering differences."""
    s = unicodedata.normalize("NFKC", s or "")
    s = re.sub(r"\s+", "", s)
    return s.replace("（", "(").replace("）", ")").replace("：", ":")


def strip_numbering(s: str) -> str:
    return re.sub(r"^([一二三四五六七八九十]+、|\(?[一二三四五六七八九十\d]+\)|\d+[.、．])", "", s)


def _amount(text: str, unit: str) -> Decimal | None:
    try:
        v = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        return None
    return v / Decimal(10000) if unit == "元" else v


def _rows_by_kind(result: ParseResult) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for t in result.tables:
        out.setdefault(t.kind, []).extend(t.rows)
    return out


def _find_rows(rows: Iterable[Row], code: str | None, label: str) -> list[Row]:
    rows = list(rows)
    if code:
        hits = [r for r in rows if r.code == code]
        if hits:
            return hits
    lab = strip_numbering(norm_label(label))
    return [r for r in rows if strip_numbering(norm_label(r.name)) == lab]


def score_corpus_document(truth: dict, result: ParseResult) -> DocScore:
    """Score one real document against its corpus truth file."""
    score = DocScore(name=truth.get("file", "?"))
    unit = truth.get("unit", "万元")
    by_kind = _rows_by_kind(result)
    every_row = [r for rows in by_kind.values() for r in rows]
    for table in truth.get("tables", []):
        kind = KIND_ALIASES.get(table["kind"], table["kind"])
        pool = by_kind.get(kind, []) if kind != "other" else every_row
        for row in table.get("rows", []):
            label, code = row.get("label", ""), row.get("code")
            candidates = _find_rows(pool, code, label) or _find_rows(every_row, code, label)
            for header, printed in row.get("values", {}).items():
                want = _amount(printed, unit)
                if want is None:
                    continue
                score.cells += 1
                if not candidates:
                    score.misses.append(f"{table['title']} p{table['pages']}: row {code or label!r} "
                                        f"not found ({header} = {printed})")
                    continue
                score.found += 1
                if any(want in r.values.values() for r in candidates):
                    score.equal += 1
                else:
                    got = sorted({str(v) for r in candidates for v in r.values.values()})[:6]
                    score.misses.append(f"{table['title']}: {code or label} {header} = {printed}, "
                                        f"parsed {got}")
    return score


def score_contract_document(truth: dict, result: ParseResult) -> DocScore:
    """Score one demo document against its CONTRACT.md-shaped truth: every table, row and value."""
    score = DocScore(name=truth["source"].get("path", "?"))
    want = ParseResult.from_dict(truth)
    got_tables = {(t.kind, tuple(t.pages)): t for t in result.tables}
    for t in want.tables:
        g = got_tables.get((t.kind, tuple(t.pages)))
        for i, r in enumerate(t.rows):
            for m, v in r.values.items():
                score.cells += 1
                if g is None or i >= len(g.rows):
                    score.misses.append(f"{t.kind} p{t.pages} row {i} {r.name}: missing")
                    continue
                score.found += 1
                gr = g.rows[i]
                if (gr.side, gr.code, gr.name, gr.values.get(m)) == (r.side, r.code, r.name, v):
                    score.equal += 1
                else:
                    score.misses.append(f"{t.kind} row {i}: want {r.side} {r.code} {r.name} {m}={v}, "
                                        f"got {gr.side} {gr.code} {gr.name} {m}={gr.values.get(m)}")
    return score


def evaluate_dir(folder: Path) -> str:
    """Parse every document with a truth file under ``folder`` and report per document and in total."""
    from pipeline.parse import parse_document

    folder = Path(folder)
    scores: list[DocScore] = []
    corpus_truths = sorted(folder.glob("truth/*.json"))
    pairs: list[tuple[Path, dict, bool]] = []
    for tp in corpus_truths:
        t = json.loads(tp.read_text("utf-8"))
        pairs.append((folder / t["file"], t, True))
    for tp in sorted(folder.rglob("*.truth.json")):
        t = json.loads(tp.read_text("utf-8"))
        if "error" not in t:
            pairs.append((tp.with_name(tp.name.replace(".truth.json", ".pdf")), t, False))
    for pdf, truth, is_corpus in pairs:
        try:
            result = parse_document(pdf)
        except DocumentError as e:
            s = DocScore(name=str(pdf.relative_to(folder)), error=f"{e.kind}: {e.message}")
            s.cells = sum(len(r.get("values", {})) for t in truth.get("tables", []) for r in t.get("rows", []))
            scores.append(s)
            continue
        s = score_corpus_document(truth, result) if is_corpus else score_contract_document(truth, result)
        s.name = str(pdf.relative_to(folder))
        scores.append(s)
    return format_scores(scores)


def format_scores(scores: list[DocScore]) -> str:
    lines = [f"{'document':60} {'cells':>6} {'found':>6} {'equal':>6} {'accuracy':>8}"]
    for s in scores:
        lines.append(f"{s.name[:60]:60} {s.cells:6} {s.found:6} {s.equal:6} {s.accuracy:8.2%}"
                     + (f"  ERROR {s.error}" if s.error else ""))
    cells = sum(s.cells for s in scores)
    equal = sum(s.equal for s in scores)
    found = sum(s.found for s in scores)
    lines.append(f"{'TOTAL':60} {cells:6} {found:6} {equal:6} {equal / cells if cells else 1:8.2%}")
    for s in scores:
        for m in s.misses[:40]:
            lines.append(f"  miss {s.name}: {m}")
        if len(s.misses) > 40:
            lines.append(f"  … {len(s.misses) - 40} more misses in {s.name}")
    return "\n".join(lines)
