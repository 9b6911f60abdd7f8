"""What a check produces: one CheckResult per evaluated identity instance, and the run's summary.

Passing results (severity ``ok``) are kept in memory so the GX suites can prove that holding identities
pass; only ``error`` and ``warning`` rows are written to ``check_results``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.checks.catalogue import ERROR, REGISTRY, UNVERIFIABLE, WARNING

OK = "ok"

#: Half a printed unit, in 万元 (amounts are stored in 万元).
HALF_UNIT: dict[str, Decimal] = {"万元": Decimal("0.005"), "元": Decimal("0.0000005")}


def half_unit(unit: str | None) -> Decimal:
    """Half of the last printed digit, in 万元: the most one printed amount can be off by rounding."""
    return HALF_UNIT.get((unit or "万元").strip(), HALF_UNIT["万元"])


def tolerance(n: int, unit: str | None) -> Decimal:
    """n × 0.005 in the printed unit (DOMAIN.md), expressed in 万元."""
    return n * half_unit(unit)


def classify(difference: Decimal, tol: Decimal, broken: str = ERROR) -> str:
    """ok when exact, warning when within rounding, ``broken`` (the identity's severity) beyond it."""
    d = abs(difference)
    if d == 0:
        return OK
    if d <= tol:
        return WARNING
    return broken


@dataclass
class CheckResult:
    """One evaluated identity instance. ``subject`` says which instance (a code, a metric, a line)."""

    check_name: str
    severity: str                      # ok | warning | error | unverifiable
    message: str
    document_id: str | None = None
    department: str | None = None
    year: int | None = None
    subject: str = ""
    left_value: Decimal | None = None
    right_value: Decimal | None = None
    difference: Decimal | None = None
    tolerance: Decimal | None = None
    n: int | None = None
    left_pages: list[int] = field(default_factory=list)
    right_pages: list[int] = field(default_factory=list)
    tables: tuple[int, ...] = ()       # table_index of each table a side stands on (pipeline/checks/rules/doubt.py)
    hidden: bool = False               # counted, but reported once through its table's table_unreliable finding
    downgraded: str = ""               # why the severity is below the rule's (pipeline/checks/severity.py)
    rule_tolerance: Decimal | None = None   # the rule's own tolerance, when a downgrade judged with a wider one

    @property
    def broken_by_rule(self) -> bool:
        """Broken beyond the tolerance the rule computed, before any downgrade (what an identity view says)."""
        tol = self.rule_tolerance if self.rule_tolerance is not None else self.tolerance
        return self.difference is not None and tol is not None and abs(self.difference) > tol

    def __post_init__(self) -> None:
        assert self.check_name in REGISTRY, f"unknown identity {self.check_name}"
        assert self.severity in (OK, WARNING, ERROR, UNVERIFIABLE), self.severity

    @property
    def failed(self) -> bool:
        return self.severity != OK

    def record(self, run_id: str) -> dict[str, object]:
        """The check_results row by column name (the engine writes the columns the warehouse's DDL has)."""
        return {"run_id": run_id, "document_id": self.document_id, "department": self.department,
                "year": self.year, "check_name": self.check_name, "severity": self.severity,
                "left_value": self.left_value, "right_value": self.right_value, "difference": self.difference,
                "tolerance": self.tolerance, "n": self.n, "left_pages": pages_str(self.left_pages),
                "right_pages": pages_str(self.right_pages), "message": self.message}


def pages_str(pages: list[int]) -> str | None:
    return ",".join(str(p) for p in sorted(set(pages))) if pages else None


@dataclass
class CheckSummary:
    run_id: str
    documents: int
    by_severity: dict[str, int]
    by_check: dict[str, dict[str, int]]
    results: list[CheckResult] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, run_id: str, documents: int, results: list[CheckResult]) -> "CheckSummary":
        sev = Counter(r.severity for r in results)
        by_check: dict[str, Counter] = {}
        for r in results:
            by_check.setdefault(r.check_name, Counter())[r.severity] += 1
        return cls(run_id=run_id, documents=documents,
                   by_severity={k: sev.get(k, 0) for k in (ERROR, WARNING, UNVERIFIABLE, OK)},
                   by_check={k: dict(v) for k, v in sorted(by_check.items())}, results=results)

    @property
    def errors(self) -> int:
        return self.by_severity.get(ERROR, 0)

    @property
    def warnings(self) -> int:
        return self.by_severity.get(WARNING, 0)

    @property
    def unverifiable(self) -> int:
        return self.by_severity.get(UNVERIFIABLE, 0)
