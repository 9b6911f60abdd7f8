"""Building CheckResults from the registry, so every message is worded the same way."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipeline.checks.facts import DocFacts
from pipeline.checks.catalogue import REGISTRY
from pipeline.checks.result import CheckResult, classify, tolerance

ZERO = Decimal(0)


@dataclass(frozen=True)
class RuleContext:
    """What a rule may need beyond its document: last year's disclosure (document rules), the roster and
    the subject-code reference (district rules)."""

    last_year: DocFacts | None = None
    roster: list | None = None                                   # RosterEntry list, None: no roster given
    catalogue: dict[tuple[str, int, str], str] | None = None     # (classification, year, code) → name


def fmt(v: Decimal | None) -> str:
    """An amount as printed: no trailing zeros beyond the cents, never an exponent."""
    if v is None:
        return "—"
    q = v.quantize(Decimal("0.01")) if v == v.quantize(Decimal("0.01")) else v.normalize()
    return format(q, "f")


def pages_text(pages: list[int]) -> str:
    ps = sorted(set(pages))
    return ("p. " + ",".join(map(str, ps))) if ps else "page unknown"


def compare(name: str, doc: DocFacts, subject: str, left: Decimal | None, right: Decimal | None, n: int,
            left_pages: list[int], right_pages: list[int], left_label: str, right_label: str,
            unit: str | None = None, note: str = "",
            parts: list[Decimal] | None = None, tables: tuple[int, ...] = ()) -> CheckResult:
    """An amount identity: left = right within n × half a printed unit.

    A broken instance gets the registry's severity (lowering it is pipeline.checks.severity.downgrade's
    job); ``unit`` the printed unit the rounding applies to (default: the document's). In a document
    printed in 元 an amount may be printed without fen: ``parts`` (the printed amounts summed on the right;
    default the right side itself) lets the tolerance allow half a 元 for each such amount.
    """
    ident = REGISTRY[name]
    lv = left if left is not None else ZERO
    rv = right if right is not None else ZERO
    diff = lv - rv
    printed_unit = unit if unit is not None else doc.unit
    tol = tolerance(n, printed_unit)
    if (printed_unit or "").strip() == "元":
        tol = max(tol, sum((half_printed_yuan(a) for a in [lv, *(parts if parts is not None else [rv])]), ZERO))
    sev = classify(diff, tol, ident.severity)
    if sev == "ok":   # most instances hold: keep their message short (190k of them on 1,000 documents)
        msg = f"{left_label} = {right_label}"
    else:
        msg = (f"{left_label} {fmt(left)} ({pages_text(left_pages)}) vs {right_label} {fmt(right)} "
               f"({pages_text(right_pages)}): difference {fmt(diff)}, tolerance {fmt(tol)} (n={n})")
        if note:
            msg += f"; {note}"
    return CheckResult(check_name=name, severity=sev, message=msg, document_id=doc.document_id,
                       department=doc.department, year=doc.year, subject=subject, left_value=left,
                       right_value=right, difference=diff, tolerance=tol, n=n, left_pages=list(left_pages),
                       right_pages=list(right_pages), tables=tuple(tables))


_WHOLE_YUAN = Decimal("0.0001")      # 1 元 in 万元


def half_printed_yuan(amount: Decimal) -> Decimal:
    """Half the last printed digit of an amount of a 元 document, in 万元: half a 元 when it is a whole
    number of 元 (printed without fen, as many 元 tables are), else half a fen."""
    return Decimal("0.00005") if amount % _WHOLE_YUAN == 0 else Decimal("0.0000005")


def finding(name: str, doc: DocFacts | None, subject: str, message: str,
            left: Decimal | None = None, right: Decimal | None = None, left_pages: list[int] | None = None,
            right_pages: list[int] | None = None, department: str | None = None,
            year: int | None = None, tables: tuple[int, ...] = ()) -> CheckResult:
    """A non-amount finding (a code variant, a missing disclosure, a figure that cannot be verified), at
    the registry's severity."""
    ident = REGISTRY[name]
    return CheckResult(check_name=name, severity=ident.severity, message=message,
                       document_id=doc.document_id if doc else None,
                       department=doc.department if doc else department,
                       year=doc.year if doc else year, subject=subject, left_value=left, right_value=right,
                       difference=(left - right) if left is not None and right is not None else None,
                       tolerance=None, n=0, left_pages=list(left_pages or []),
                       right_pages=list(right_pages or []), tables=tuple(tables))


def passed(name: str, doc: DocFacts | None, subject: str, message: str) -> CheckResult:
    """A non-amount identity that holds (kept so GX can show the passing side)."""
    return CheckResult(check_name=name, severity="ok", message=message,
                       document_id=doc.document_id if doc else None,
                       department=doc.department if doc else None, year=doc.year if doc else None,
                       subject=subject, n=0)


def total(values) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)
