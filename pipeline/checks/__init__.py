"""Accounting-identity checks: the identity catalogue (catalogue.py) evaluated over the warehouse.

Public interface: ``REGISTRY``, ``run_checks``, ``run_document_checks``, ``CheckResult``, ``CheckSummary``;
``pipeline.checks.gx.run_suites`` runs the great-expectations suites built from the same registry.
"""

from pipeline.checks.engine import run_checks, run_document_checks
from pipeline.checks.catalogue import REGISTRY, Identity
from pipeline.checks.result import CheckResult, CheckSummary

__all__ = ["REGISTRY", "Identity", "CheckResult", "CheckSummary", "run_checks", "run_document_checks"]
