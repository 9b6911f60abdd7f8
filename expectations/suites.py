"""The great-expectations suites, one per identity of the registry, built from it (never written out
by hand).

Each suite validates a frame of that identity's evaluated instances (pipeline.checks.gx.frame_of):
one row per instance with ``excess`` = |left − right| − tolerance and ``abs_difference`` = |left − right|,
both as integers in units of 0.0000001 万元 (exact: money never becomes a float), and ``holds`` for
identities that are not amount comparisons. Expectations:

- ``excess`` ≤ 0 (the identity holds within rounding; meta.severity = the identity's severity);
- ``abs_difference`` ≤ 0 for amount identities (exact; meta.severity = warning: within rounding but
  not exact).

great_expectations is imported inside the functions: it takes seconds to import.
"""

from __future__ import annotations

from typing import Any

from pipeline.checks.catalogue import WARNING, Identity

#: Columns of an identity's frame.
COLUMNS = ("document_id", "department", "year", "subject", "severity", "left", "right", "n", "excess",
           "abs_difference", "holds", "message")


def is_amount_identity(identity: Identity) -> bool:
    """Identities whose instances compare two amounts (the others are findings: variants, dates …)."""
    return identity.category not in ("department", "district", "assets") and identity.name not in (
        "prose_unverifiable", "government_fund_subject_without_table", "duty_budget_relates_to_total")


def suite_name(identity: Identity) -> str:
    return f"identity.{identity.name}"


def build_suite(identity: Identity) -> Any:
    """The ExpectationSuite of one identity."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    meta = {"identity": identity.name, "description": identity.description, "left": identity.left,
            "right": identity.right, "n": identity.n_rule, "scope": identity.scope}
    suite = gx.ExpectationSuite(name=suite_name(identity), meta={"notes": identity.description, **meta})
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
        column="excess", max_value=0, meta={**meta, "severity": identity.severity,
                                            "meaning": "holds within n × 0.005 of the printed unit"}))
    if is_amount_identity(identity):
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
            column="abs_difference", max_value=0, meta={**meta, "severity": WARNING, "meaning": "exact"}))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(
        column="holds", value_set=[True], meta={**meta, "severity": identity.severity}))
    return suite
