"""The one place a result's severity is lowered below what its identity's rule gave it, with the reason.

Why one function: a broken identity is an error by the registry; the reasons an instance of it is
not (a consequence of other failures, rounding at the precision the prose prints, a table the parse did
not read for certain, a convention of the publisher) are policy, and a reviewer wants them in one list.
Every lowering goes through ``downgrade``, which refuses to raise a severity and records the reason on
the result (``CheckResult.downgraded``; not stored, messages are unchanged).
"""

from __future__ import annotations

from decimal import Decimal

from pipeline.checks.catalogue import ERROR, UNVERIFIABLE, WARNING
from pipeline.checks.result import OK, CheckResult

#: What each severity may be lowered to.
_LOWER: dict[str, frozenset[str]] = {
    ERROR: frozenset({WARNING, UNVERIFIABLE, OK}),
    WARNING: frozenset({UNVERIFIABLE, OK}),
    UNVERIFIABLE: frozenset({OK}),
    OK: frozenset(),
}

#: The reasons an instance of a broken identity is not reported at the registry's severity.
CONSEQUENCE = "a consequence of another failure reported on its own"
ROUNDING_PRINTED = "the table's figure rounded to the decimals the prose prints"
UNREAD = "stands on a table the parse did not read for certain"
OCR_FIGURE = "a prose figure read by OCR from a scanned page, which no arithmetic of its own can confirm"


def downgrade(r: CheckResult, to: str, reason: str, tolerance: Decimal | None = None) -> CheckResult:
    """Lower ``r`` to severity ``to`` for ``reason`` (one of the constants above, or a sentence).

    Lowering to the severity it already has only records the reason; raising is a programming error.
    ``tolerance``: the tolerance the lower severity was judged with (the printed precision), when it
    widens the one computed.
    """
    if to != r.severity and to not in _LOWER[r.severity]:
        raise ValueError(f"{r.check_name}: {r.severity} cannot be downgraded to {to}")
    if not reason:
        raise ValueError("a downgrade says why")
    r.severity = to
    if tolerance is not None:
        if r.rule_tolerance is None:
            r.rule_tolerance = r.tolerance
        r.tolerance = tolerance
    r.downgraded = f"{r.downgraded}; {reason}" if r.downgraded else reason
    return r
