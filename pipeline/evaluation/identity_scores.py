"""The identity checks against hand-checked truth: `budget-etl eval DIR --identities --home H`.

The real corpora's truth files (../shared/corpus/README.md) list the accounting identities of each
document, each with ``holds`` and, for a failure, a note saying its class (material, rounding-level,
truncation, a code printed differently). The checks must report every failure the truth records and
nothing else. This module scores the ``check_results`` of a warehouse holding the corpus documents:

- a truth failure is *reported* when a check result of the document (or of its companion file: a
  department-year printed as a tables PDF plus a narrative PDF) carries both of its values — the number
  after the last ``=`` of ``lhs`` and of ``rhs``, in 万元 — in either order, or one of them and the
  same difference. A material failure must be reported as an error; a rounding, truncation or code
  failure as a warning (an error on it is a false error: rounding is never an error).
- an error that matches no truth failure is a *false error*; a warning that matches none is listed.

Matching is by values only, never by check name, so a check that reports the wrong figures misses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

MATERIAL, ROUNDING, TRUNCATION, CODE = "material", "rounding", "truncation", "code"
_NUMBER = re.compile(r"([+\-−]?\d[\d,]*(?:\.\d+)?)\s*(%|万元|元)?")


@dataclass(frozen=True)
class Side:
    """One side's value as the checks store it: 万元 (or a percentage), with the half unit it was printed to."""

    value: Decimal
    half: Decimal
    percent: bool = False


@dataclass
class TruthFailure:
    name: str
    lhs: Side | None
    rhs: Side | None
    cls: str
    note: str
    cross: bool = False   # from cross_document_checks (narrative against its companion's tables)

    @property
    def difference(self) -> Decimal | None:
        return None if self.lhs is None or self.rhs is None else self.lhs.value - self.rhs.value


@dataclass
class Result:
    document_id: str
    check_name: str
    severity: str
    left: Decimal | None
    right: Decimal | None
    difference: Decimal | None
    message: str

    def describe(self) -> str:
        return f"[{self.document_id}] {self.check_name} {self.severity}: {self.message}"


@dataclass
class DocIdentityScore:
    """One truth file scored: truth failures reported / missed, our false errors and stray warnings."""

    name: str
    document_ids: list[str]
    single_file: bool
    holds: int = 0
    failures: int = 0
    reported: list[tuple[TruthFailure, Result]] = field(default_factory=list)
    missed: list[tuple[TruthFailure, str]] = field(default_factory=list)
    false_errors: list[Result] = field(default_factory=list)
    stray_warnings: list[Result] = field(default_factory=list)
    error: str | None = None


def failure_class(identity: dict) -> str:
    """The class of a truth failure from its fields or note (README: material / rounding / truncation / code)."""
    explicit = identity.get("class")
    if explicit in (MATERIAL, ROUNDING, TRUNCATION, CODE):
        return explicit
    note = (identity.get("note") or "").lower()
    if "rounding-level" in note or "rounding level" in note:
        return ROUNDING
    if "truncated" in note:
        return TRUNCATION
    if "code printed differently" in note:
        return CODE
    return MATERIAL


def side_value(text: str | None, unit: str) -> Side | None:
    """The amount after the last ``=`` of a truth side, in 万元 (a table figure is in the document's unit)."""
    if not text or "=" not in text:
        return None
    tail = text.rsplit("=", 1)[1]
    m = _NUMBER.search(tail)
    if m is None:
        return None
    digits = m.group(1).replace(",", "").replace("−", "-")
    try:
        v = Decimal(digits)
    except InvalidOperation:
        return None
    printed_unit = m.group(2) or unit
    exp = v.as_tuple().exponent
    half = Decimal(5).scaleb(exp - 1) if isinstance(exp, int) and exp < 0 else Decimal("0.5")
    if printed_unit == "%":
        return Side(v, half, percent=True)
    if printed_unit == "元":
        return Side(v.scaleb(-4), half.scaleb(-4))
    return Side(v, half)


def truth_failures(truth: dict) -> tuple[int, list[TruthFailure]]:
    """(identities that hold, failures) of one truth file, cross-document checks included."""
    unit = (truth.get("unit") or "万元").strip()
    unit = "元" if unit.startswith("元") else "万元"
    holds, out = 0, []
    for key in ("identities", "cross_document_checks"):
        for ident in truth.get(key) or []:
            if ident.get("holds", True):
                holds += 1
                continue
            out.append(TruthFailure(ident.get("name", ""), side_value(ident.get("lhs"), unit),
                                    side_value(ident.get("rhs"), unit), failure_class(ident),
                                    ident.get("note") or "", cross=key == "cross_document_checks"))
    return holds, out


def _near(ours: Decimal | None, side: Side | None) -> bool:
    """Our stored value equals the truth's: exactly for an amount (to 0.000001 万元), within half the
    printed unit for a percentage the truth computed."""
    if ours is None or side is None:
        return False
    slack = side.half if side.percent else Decimal("0.000001")
    return abs(ours - side.value) <= slack


def matches(f: TruthFailure, r: Result) -> bool:
    """Both values in either order, or one value and the same difference (either sign)."""
    if _near(r.left, f.lhs) and _near(r.right, f.rhs) or _near(r.left, f.rhs) and _near(r.right, f.lhs):
        return True
    d = f.difference
    if d is None or r.difference is None or d == 0:
        return False
    one_side = any(_near(v, s) for v in (r.left, r.right) for s in (f.lhs, f.rhs))
    return one_side and abs(abs(r.difference) - abs(d)) <= Decimal("0.000001")


def _wanted(f: TruthFailure) -> tuple[str, ...]:
    return ("error",) if f.cls == MATERIAL else ("warning",)


def score_document(name: str, truth: dict, ids: list[str], results: list[Result],
                   single_file: bool) -> DocIdentityScore:
    """Score one truth file against the results of its document ids (itself and its companion)."""
    s = DocIdentityScore(name=name, document_ids=ids, single_file=single_file)
    s.holds, failures = truth_failures(truth)
    s.failures = len(failures)
    for f in failures:
        if f.lhs is None or f.rhs is None:
            s.missed.append((f, "truth sides carry no value to match"))
            continue
        hits = [r for r in results if matches(f, r)]
        good = [r for r in hits if r.severity in _wanted(f)]
        if good:
            s.reported.append((f, good[0]))
        elif hits:
            s.missed.append((f, f"reported as {hits[0].severity}, want {_wanted(f)[0]}: {hits[0].describe()}"))
        else:
            s.missed.append((f, "no check result carries these values"))
    return s


def _own(s: DocIdentityScore, results: list[Result], failures_of_pair: list[TruthFailure]) -> None:
    """Our results filed under this document that match no failure of it or its companion."""
    for r in results:
        hit = [f for f in failures_of_pair if matches(f, r)]
        if r.severity == "error":
            if not hit or all(f.cls != MATERIAL for f in hit):
                s.false_errors.append(r)
        elif r.severity == "warning" and not hit:
            s.stray_warnings.append(r)


def read_results(con: duckdb.DuckDBPyConnection) -> dict[str, list[Result]]:
    """The latest check run's results by document."""
    from pipeline.checks.engine import latest_run_id

    run_id = latest_run_id(con)
    out: dict[str, list[Result]] = {}
    if run_id is None:
        return out
    for doc, name, sev, lv, rv, diff, msg in con.execute(
            "SELECT document_id, check_name, severity, left_value, right_value, difference, message "
            "FROM check_results WHERE run_id = ? ORDER BY document_id, check_name, message", [run_id]).fetchall():
        out.setdefault(doc or "", []).append(Result(doc or "", name, sev, lv, rv, diff, msg))
    return out


def evaluate_identities(folder: Path, db_path: Path) -> list[DocIdentityScore]:
    """Score every truth file under ``folder`` against the warehouse's latest check run."""
    folder = Path(folder)
    truths = {}
    for tp in sorted(folder.glob("truth/*.json")):
        t = json.loads(tp.read_text("utf-8"))
        truths[t["file"]] = (tp.stem, t)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        by_source = {src: doc for doc, src in con.execute(
            "SELECT document_id, source FROM documents WHERE status = 'loaded'").fetchall()}
        results = read_results(con)
    finally:
        con.close()
    scores = []
    for file, (stem, t) in truths.items():
        companion = t.get("companion_file")
        ids = [d for d in (by_source.get(file), by_source.get(companion) if companion else None) if d]
        name = f"{stem} {file}"
        if file not in by_source:
            s = DocIdentityScore(name=name, document_ids=ids, single_file=not companion,
                                 error="document not loaded in the warehouse")
            s.holds, fs = truth_failures(t)
            s.failures = len(fs)
            s.missed = [(f, "document not loaded") for f in fs]
            scores.append(s)
            continue
        pair = [r for d in ids for r in results.get(d, [])]
        s = score_document(name, t, ids, pair, single_file=not companion)
        pair_failures = truth_failures(t)[1]
        if companion and companion in truths:
            pair_failures += truth_failures(truths[companion][1])[1]
        _own(s, results.get(by_source[file], []), pair_failures)
        scores.append(s)
    return scores


def _f(f: TruthFailure) -> str:
    lv = "—" if f.lhs is None else f"{f.lhs.value}{'%' if f.lhs.percent else ''}"
    rv = "—" if f.rhs is None else f"{f.rhs.value}{'%' if f.rhs.percent else ''}"
    return f"[{f.cls}{', cross-document' if f.cross else ''}] {f.name} ({lv} vs {rv})"


def totals(scores: list[DocIdentityScore], single_only: bool = False) -> dict[str, int]:
    ss = [s for s in scores if s.single_file or not single_only]
    return {"failures": sum(s.failures for s in ss), "reported": sum(len(s.reported) for s in ss),
            "missed": sum(len(s.missed) for s in ss), "false_errors": sum(len(s.false_errors) for s in ss),
            "stray_warnings": sum(len(s.stray_warnings) for s in ss)}


def format_identity_scores(scores: list[DocIdentityScore]) -> str:
    lines = [f"{'document':64} {'holds':>5} {'fail':>5} {'rep':>4} {'miss':>4} {'falseE':>6} {'strayW':>6}"]
    for s in scores:
        lines.append(f"{s.name[:64]:64} {s.holds:5} {s.failures:5} {len(s.reported):4} {len(s.missed):4} "
                     f"{len(s.false_errors):6} {len(s.stray_warnings):6}" + ("" if s.single_file else "  (pair)")
                     + (f"  {s.error}" if s.error else ""))
    for label, only in (("TOTAL", False), ("TOTAL single-file", True)):
        t = totals(scores, only)
        lines.append(f"{label:64} {'':5} {t['failures']:5} {t['reported']:4} {t['missed']:4} "
                     f"{t['false_errors']:6} {t['stray_warnings']:6}")
    for s in scores:
        if not (s.reported or s.missed or s.false_errors or s.stray_warnings):
            continue
        lines.append(f"\n== {s.name} {s.document_ids}")
        for f, r in s.reported:
            lines.append(f"  REPORTED {_f(f)}\n      by {r.describe()}")
        for f, why in s.missed:
            lines.append(f"  MISSED   {_f(f)}\n      {why}")
        for r in s.false_errors:
            lines.append(f"  FALSE ERROR {r.describe()}")
        for r in s.stray_warnings:
            lines.append(f"  warning  {r.describe()}")
    return "\n".join(lines)


__all__ = ["evaluate_identities", "format_identity_scores", "totals", "side_value", "matches",
           "truth_failures", "DocIdentityScore", "Result", "TruthFailure"]
