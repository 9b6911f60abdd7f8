"""The files the code reads that are not code: SQL, templates, YAML catalogues, reference CSVs.

They ship as package data and are found through importlib.resources, never through the source tree,
so a plain (non-editable) ``pip install .`` runs the same as a checkout. The warehouse's SQL stays in
the project's ``warehouse/`` folder, which is a package (``warehouse``) for that reason alone.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def packaged(package: str, *parts: str) -> Traversable:
    """The packaged file or folder ``parts`` of ``package`` (e.g. ``packaged("warehouse", "views.sql")``)."""
    node = files(package)
    for part in parts:
        node = node / part
    return node


def packaged_text(package: str, *parts: str) -> str:
    """The UTF-8 text of a packaged file."""
    return packaged(package, *parts).read_text(encoding="utf-8")
