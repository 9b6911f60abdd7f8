"""Parser accuracy against hand-checked truth: `budget-etl eval DIR`.

Two kinds of truth are understood:
- the demo district's ``*.truth.json`` (the CONTRACT.md shape: rows with measures), compared exactly;
- the real corpora's ``truth/NN.json`` (../shared/corpus/README.md: rows keyed by the printed column
  header path, amounts as printed in the table's unit).

Corpus matching is strict: a truth cell is *found* when the parsed table of the same kind on the same
pages has the row that corresponds to the truth row (same code, else the same label; same side; the
k-th row with that key for the k-th truth row with it), and *equal* when that row carries the amount
under the measure the truth's printed header maps to through the catalogue (the parser's own header →
measure rules, so a header the catalogue cannot map is a miss, not a guess). Narrative figures are
scored apart (metric, amount and page). Every miss is listed, so a parser change can be judged cell
by cell.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipeline.model import DocumentError, ParseResult, Row, Table

#: Truth kinds (and `other` subkinds) → the parser's canonical kinds.
KIND_ALIASES = {
    "fiscal_revenue_expenditure_summary": "fiscal_summary",
    "government_procurement": "procurement",
    "general_budget_expenditure_economic": "general_budget_economic_expenditure",
}

#: Truth narrative metrics → the parser's metrics (pipeline.model.METRICS); unlisted ones are not scored.
METRIC_ALIASES = {
    "total_revenue": "total_revenue", "total_expenditure": "total_expenditure",
    "basic_expenditure": "basic_expenditure", "project_expenditure": "project_expenditure",
    "personnel_expenses": "personnel_expenditure", "public_expenses": "public_funds_expenditure",
    "operating_expenses_of_organ": "operating_expenses_of_organ",
    "three_public_total": "three_public_total", "overseas_travel": "overseas_travel",
    "official_reception": "official_reception", "vehicle_purchase_and_operation": "vehicle_total",
    "vehicle_purchase": "vehicle_purchase", "vehicle_operation": "vehicle_operation",
    "meeting_expenses": "meeting_expenses", "training_expenses": "training_expenses",
    "procurement_total": "procurement_total",
}


@dataclass
class DocScore:
    name: str
    cells: int = 0
    found: int = 0
    equal: int = 0
    misses: list[str] = field(default_factory=list)
    error: str | None = None
    claims: int = 0
    claims_found: int = 0
    claim_misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.equal / self.cells if self.cells else 1.0


def norm_label(s: str | None) -> str:
    """A label compared without spaces or punctuation-width differences (numbering kept)."""
    s = unicodedata.normalize("NFKC", s or "")
    s = re.sub(r"\s+", "", s)
    return s.replace("（", "(").replace("）", ")").replace("：", ":").replace("、", ".")


def _amount(text: str, unit: str) -> Decimal | None:
    try:
        v = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        return None
    return v.scaleb(-4) if unit == "元" else v


def truth_kind(table: dict) -> str:
    """The parser kind a truth table corresponds to."""
    kind = table["kind"]
    if kind == "other":
        kind = table.get("subkind") or "other"
    return KIND_ALIASES.get(kind, kind)


def _row_key(code: str | None, label: str) -> tuple[str, str]:
    return ("code", code) if code else ("label", norm_label(label))


def _parsed_key(r: Row) -> tuple[str, str]:
    return _row_key(r.code, r.name)


def _tables_for(result: ParseResult, kind: str, pages: list[int]) -> list[Table]:
    return [t for t in result.tables if t.kind == kind and set(t.pages) & set(pages)]


def score_corpus_document(truth: dict, result: ParseResult) -> DocScore:
    """Score one real document against its corpus truth file (strict: kind, page, row, side, measure)."""
    from pipeline.tables.catalogue import load_catalogue

    cat = load_catalogue()
    score = DocScore(name=truth.get("file", "?"))
    doc_unit = truth.get("unit", "万元")
    for table in truth.get("tables", []):
        kind = truth_kind(table)
        unit = table.get("unit", doc_unit)
        pages = list(table.get("pages", []))
        where = f"{table['title']} p{pages}"
        tables = _tables_for(result, kind, pages)
        rows = [r for t in tables for r in t.rows if r.page in pages]
        used: dict[tuple, int] = {}
        for row in table.get("rows", []):
            label, code = row.get("label", ""), row.get("code")
            for header, printed in row.get("values", {}).items():
                want = _amount(printed, unit)
                if want is None:
                    continue
                score.cells += 1
                col = cat.column(kind, header.split("/")) if kind in cat.kinds else None
                if col is None or col.role not in _measures():
                    score.misses.append(f"{where}: header {header!r} maps to no measure of {kind}")
                    continue
                key = (_row_key(code, label), col.side)
                matches = [r for r in rows if _parsed_key(r) == key[0] and r.side == col.side]
                k = used.get((key, header), 0)
                used[(key, header)] = k + 1
                if not tables:
                    score.misses.append(f"{where}: no {kind} table parsed on these pages "
                                        f"({code or label!r} {header} = {printed})")
                    continue
                if k >= len(matches):
                    score.misses.append(f"{where}: row {code or label!r} side {col.side} not found "
                                        f"({header} = {printed})")
                    continue
                score.found += 1
                got = matches[k].values.get(col.role)
                if got is not None and got == want:
                    score.equal += 1
                else:
                    score.misses.append(f"{where}: {code or label!r} {header} [{col.role}] = {printed}, "
                                        f"parsed {got} (row values {_short(matches[k].values)})")
    _score_claims(truth, result, score)
    return score


def _score_claims(truth: dict, result: ParseResult, score: DocScore) -> None:
    """Narrative figures the parser has a metric for: found when metric, amount and page agree."""
    have = {(c.metric, c.amount, c.page) for c in result.narrative}
    for n in truth.get("narrative", []):
        metric = METRIC_ALIASES.get(n.get("metric", ""))
        want = _amount(n.get("amount", ""), n.get("unit", "万元"))
        if metric is None or want is None:
            continue
        score.claims += 1
        if (metric, want, n["page"]) in have:
            score.claims_found += 1
        else:
            score.claim_misses.append(f"p{n['page']} {metric} {n['amount']}{n.get('unit', '')}: "
                                      f"{n.get('quote', '')[:40]}")


def _short(values: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in list(values.items())[:6]) + "}"


def _measures() -> frozenset[str]:
    from pipeline.model import MEASURES

    return frozenset(MEASURES)


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


def truth_pairs(folder: Path, truth_dir: Path | None = None) -> list[tuple[Path, dict, bool]]:
    """(pdf, truth, is_corpus) for every document with a truth file under ``folder``.

    ``truth_dir`` holds corpus-format truth kept outside the PDF folder (tests/truth/cities, whose
    `file` is relative to ``folder``); only its files with hand-checked cells are scored.
    """
    folder = Path(folder)
    if truth_dir is not None:
        return [(folder / t["file"], t, True) for t in load_truth_dir(Path(truth_dir))
                if any(tb.get("rows") for tb in t.get("tables", []))]
    pairs: list[tuple[Path, dict, bool]] = []
    for tp in sorted(folder.glob("truth/*.json")):
        t = json.loads(tp.read_text("utf-8"))
        pairs.append((folder / t["file"], t, True))
    for tp in sorted(folder.rglob("*.truth.json")):
        t = json.loads(tp.read_text("utf-8"))
        if "error" not in t:
            pairs.append((tp.with_name(tp.name.replace(".truth.json", ".pdf")), t, False))
    return pairs


def load_truth_dir(truth_dir: Path) -> list[dict]:
    """Every corpus-format truth file (``*.json``) in ``truth_dir``, in name order."""
    return [json.loads(p.read_text("utf-8")) for p in sorted(Path(truth_dir).glob("*.json"))]


def score_dir(folder: Path, parse: Callable[[Path], ParseResult] | None = None,
              truth_dir: Path | None = None) -> list[DocScore]:
    """Parse (with ``parse``, default parse_document) every document with a truth file and score it."""
    if parse is None:
        from pipeline.parse import parse_document as parse
    folder = Path(folder)
    scores: list[DocScore] = []
    for pdf, truth, is_corpus in truth_pairs(folder, truth_dir):
        name = str(pdf.relative_to(folder))
        try:
            result = parse(pdf)
        except DocumentError as e:
            s = DocScore(name=name, error=f"{e.kind}: {e.message}")
            s.cells = sum(len(r.get("values", {})) for t in truth.get("tables", []) for r in t.get("rows", []))
            scores.append(s)
            continue
        s = score_corpus_document(truth, result) if is_corpus else score_contract_document(truth, result)
        s.name = name
        scores.append(s)
    return scores


def evaluate_dir(folder: Path, truth_dir: Path | None = None) -> str:
    """Parse every document with a truth file under ``folder`` (or in ``truth_dir``) and report."""
    return format_scores(score_dir(folder, truth_dir=truth_dir))


def total_accuracy(scores: list[DocScore]) -> tuple[int, int]:
    """(cells equal, cells in truth) over ``scores``."""
    return sum(s.equal for s in scores), sum(s.cells for s in scores)


def format_scores(scores: list[DocScore], max_misses: int = 40) -> str:
    lines = [f"{'document':60} {'cells':>6} {'found':>6} {'equal':>6} {'accuracy':>8} {'claims':>11}"]
    for s in scores:
        lines.append(f"{s.name[:60]:60} {s.cells:6} {s.found:6} {s.equal:6} {s.accuracy:8.2%} "
                     f"{s.claims_found:5}/{s.claims:<5}" + (f"  ERROR {s.error}" if s.error else ""))
    cells = sum(s.cells for s in scores)
    equal = sum(s.equal for s in scores)
    found = sum(s.found for s in scores)
    claims = sum(s.claims for s in scores)
    cfound = sum(s.claims_found for s in scores)
    lines.append(f"{'TOTAL':60} {cells:6} {found:6} {equal:6} {equal / cells if cells else 1:8.2%} "
                 f"{cfound:5}/{claims:<5}")
    for s in scores:
        for m in s.misses[:max_misses]:
            lines.append(f"  miss {s.name}: {m}")
        if len(s.misses) > max_misses:
            lines.append(f"  … {len(s.misses) - max_misses} more misses in {s.name}")
    for s in scores:
        for m in s.claim_misses[:max_misses]:
            lines.append(f"  claim miss {s.name}: {m}")
        if len(s.claim_misses) > max_misses:
            lines.append(f"  … {len(s.claim_misses) - max_misses} more claim misses in {s.name}")
    return "\n".join(lines)
