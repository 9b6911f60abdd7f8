"""Subject codes (政府收支分类科目): which classification a table uses, and the reference dimension.

The reference lists ship in pipeline/reference/{functional,economic}_subjects.csv
(code,name,level,years_seen,source). Codes are validated against them in the warehouse
(view ``v_subject_code_issues``) rather than during cleaning, so a list that grows does not
require re-parsing anything.
"""

from __future__ import annotations

import io
import re
from importlib.resources.abc import Traversable
from pathlib import Path

import polars as pl

from pipeline.model import TABLE_KINDS
from pipeline.packaged import packaged
from pipeline.tables.catalogue import load_catalogue

REFERENCE_DIR = packaged("pipeline.reference")
REFERENCE_FILES = {"functional": "functional_subjects.csv", "economic": "economic_subjects.csv"}
LEVELS = {3: "类", 5: "款", 7: "项"}
_LEVEL_WORDS = {"1": "类", "2": "款", "3": "项", "类": "类", "款": "款", "项": "项",
                "class": "类", "section": "款", "item": "项"}

#: Tables whose codes are economic-classification codes (the catalogue says which); every other coded
#: table is functional.
ECONOMIC_KINDS = frozenset(k for k in TABLE_KINDS if load_catalogue().classification_of(k) == "economic")

SUBJECT_CODES_SCHEMA = {"classification": pl.Utf8, "year": pl.Int32, "code": pl.Utf8,
                        "name": pl.Utf8, "level": pl.Utf8, "source": pl.Utf8}


def classification_for(table_kind: str) -> str:
    """'economic' for the basic-expenditure (and 机关运行经费) tables, else 'functional'."""
    return "economic" if table_kind in ECONOMIC_KINDS else "functional"


def level_of(code: str | None) -> str | None:
    """类 / 款 / 项 from the code's length (3 / 5 / 7 digits), None for anything else."""
    if code is None or not code.isdigit():
        return None
    return LEVELS.get(len(code))


def load_subject_codes(reference_dir: Path | Traversable | None = None) -> pl.DataFrame:
    """The reference lists as one frame, one row per (classification, year, code).

    A code seen in several years gets one row each; the years come from ``years_seen`` (any
    separator). Missing files give an empty frame: the dimension is then empty, not wrong.
    """
    reference_dir = reference_dir or REFERENCE_DIR
    parts = []
    for classification, file_name in REFERENCE_FILES.items():
        path = reference_dir / file_name
        if not path.is_file():
            continue
        raw = pl.read_csv(io.BytesIO(path.read_bytes()), infer_schema=False)  # every column as text: codes keep leading digits
        for rec in raw.iter_rows(named=True):
            code = (rec.get("code") or "").strip()
            if not code:
                continue
            years = [int(y) for y in re.findall(r"\d{4}", rec.get("years_seen") or "")]
            level = _LEVEL_WORDS.get((rec.get("level") or "").strip(), level_of(code) or "")
            for year in years:
                parts.append({"classification": classification, "year": year, "code": code,
                              "name": (rec.get("name") or "").strip(), "level": level,
                              "source": rec.get("source")})
    frame = pl.DataFrame(parts, schema=SUBJECT_CODES_SCHEMA)
    return frame.unique(subset=["classification", "year", "code"], keep="first", maintain_order=True)
