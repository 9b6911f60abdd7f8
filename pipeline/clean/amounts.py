"""Exact amounts: normalise the printed string, then cast strictly to Decimal(20, 6).

polars' ``cast(pl.Decimal, strict=False)`` turns "（12.00）" or "-" into null and rounds a seventh
decimal away without a word; a lost cent breaks the identities the checks enforce. So strings are
normalised first (thousands separators, split digits, full-width characters, accounting negatives,
dashes meaning zero), validated against the exact DECIMAL(20,6) range, and only then cast strictly.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import polars as pl

from pipeline.model import DocumentError

PRECISION, SCALE = 20, 6
DECIMAL = pl.Decimal(PRECISION, SCALE)
#: What a normalised amount must look like to fit DECIMAL(20,6) exactly.
_EXACT = r"^-?\d{1,14}(?:\.\d{1,6})?$"
_EXACT_RE = re.compile(_EXACT)
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－（）", "0123456789.,-()")
_ZERO_DASHES = {"-", "—", "–", "－", "——", "--"}


def normalise_amount(text: str) -> str | None:
    """The canonical decimal string of a printed amount; None for an empty cell.

    "27,664.22" → "27664.22", "2119.2 9" → "2119.29", "（12.00）" → "-12.00", "-" → "0".
    """
    s = text.translate(_FULLWIDTH)
    s = re.sub(r"[\s,\u3000]", "", s)
    if s == "":
        return None
    if s in _ZERO_DASHES:
        return "0"
    if s.startswith("(") and s.endswith(")"):
        s = "-" + s[1:-1]
    if s.startswith("+"):
        s = s[1:]
    if s.startswith("."):
        s = "0" + s
    if s.startswith("-."):
        s = "-0" + s[1:]
    if s.endswith("."):
        s = s[:-1]
    return s


def parse_amount(text: str) -> Decimal | None:
    """A printed amount as an exact Decimal (None for an empty cell); DocumentError if not a number."""
    s = normalise_amount(text)
    if s is None:
        return None
    if not _EXACT_RE.match(s):
        raise DocumentError("unreadable", f"not an exact amount for DECIMAL(20,6): {text!r}")
    return Decimal(s)


def check_decimal(value: Decimal, where: str = "") -> str:
    """The exact string of a Decimal that fits DECIMAL(20,6); DocumentError otherwise (no rounding)."""
    try:
        s = format(value, "f")
    except (TypeError, ValueError, InvalidOperation) as e:  # pragma: no cover - defensive
        raise DocumentError("unreadable", f"not a decimal amount {value!r} {where}") from e
    if "." in s:
        s = s.rstrip("0").rstrip(".") or "0"
    if not _EXACT_RE.match(s):
        raise DocumentError("unreadable", f"amount {value!r} does not fit DECIMAL(20,6) exactly {where}")
    return s


def cast_amounts(strings: pl.Series) -> pl.Series:
    """Cast a column of normalised amount strings to Decimal(20,6) strictly; nulls stay null.

    Raises DocumentError naming the first offending value rather than nulling or rounding it.
    """
    bad = strings.filter(strings.is_not_null() & ~strings.str.contains(_EXACT))
    if len(bad):
        raise DocumentError("unreadable", f"not an exact amount for DECIMAL(20,6): {bad[0]!r}")
    return strings.cast(DECIMAL, strict=True)
