"""The rule functions of the identity registry, one module per category (pipeline/checks/catalogue.py
names, for each identity, the rule here that evaluates it; the engine runs the rules the registry names).

A document rule is ``rule(doc, ctx) -> list[CheckResult]``; a district rule ``rule(docs, ctx)``; the
review rule (``doubt.apply``) ``rule(doc, results)``. ``ctx`` is a ``pipeline.checks.base.RuleContext``.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Callable


@lru_cache(maxsize=None)
def resolve(rule: str) -> Callable:
    """The function a registry rule name ("module.function", relative to this package) stands for."""
    module, _, function = rule.rpartition(".")
    if not module or not function:
        raise ValueError(f"a rule is named module.function, not {rule!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)
