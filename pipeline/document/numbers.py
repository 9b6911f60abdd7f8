"""Repair of printed numbers and labels.

Why: pdfplumber returns what the page draws, and disclosures draw amounts in narrow cells that wrap
("2119.2\\n9"), with thousands separators, full-width digits, bracketed negatives and dashes for zero.
Money must stay exact, so every amount goes through :func:`parse_amount` into a ``Decimal`` and never
through float.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

#: Printed forms that mean zero (DOMAIN.md: "0", "0.00", "-" may appear and mean zero).
DASHES = frozenset({"-", "—", "–", "－", "——", "--", "―", "‐"})

_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:,\d{3})*|\d+)(?:\.\d+)?$")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_WS = re.compile(r"\s+")
_MIXED_SPACE = re.compile(r"[\u4e00-\u9fff] [0-9A-Za-z]|[0-9A-Za-z] [\u4e00-\u9fff]")
_MIXED_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])\n(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])\n(?=[\u4e00-\u9fff])")


def to_halfwidth(s: str) -> str:
    """Full-width digits and punctuation (１２３．４５，（）) to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", s)


class AmountError(ValueError):
    """A cell that should hold an amount but does not read as one."""


def parse_amount(text: str | None) -> Decimal | None:
    """A printed amount as an exact Decimal in its printed unit; None for an empty cell.

    "2119.2 9" / "2119.2\\n9" → 2119.29; "27,664.22" → 27664.22; "（12.00）" → -12.00;
    "-", "—" → 0; "" / None → None. Raises AmountError for text that is not a number.
    """
    if text is None:
        return None
    s = to_halfwidth(text).strip()
    if not s:
        return None
    s = _WS.sub("", s)
    if s in DASHES:
        return Decimal("0")
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1]
    if s.startswith("-") and len(s) > 1:
        neg, s = (not neg), s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not _NUM_RE.match(s):
        raise AmountError(f"not an amount: {text!r}")
    try:
        d = Decimal(s.replace(",", ""))
    except InvalidOperation as e:  # pragma: no cover - guarded by the regex
        raise AmountError(f"not an amount: {text!r}") from e
    return -d if neg else d


def is_amount(text: str | None) -> bool:
    """True when ``text`` reads as an amount (empty cells are not amounts)."""
    try:
        return parse_amount(text) is not None
    except AmountError:
        return False


def to_wan(value: Decimal, unit: str) -> Decimal:
    """An amount printed in ``unit`` (万元 / 元 / 亿元) in 万元, exactly (元: Decimal / 10000)."""
    if unit == "元":
        return value.scaleb(-4)
    if unit == "亿元":
        return value.scaleb(4)
    return value


def format_amount(value: Decimal, thousands: bool = False) -> str:
    """The printed form of an amount (for tests and round trips): 2 decimals, optional separators."""
    return f"{value:,.2f}" if thousands else f"{value:.2f}"


def clean_label(text: str | None, keep_spaces: bool = False) -> str:
    """A label with line breaks removed and its numbering kept ("一、一般公共预算\\n拨款收入").

    Labels of financial tables lose every space (a space there is a rendering artefact, as in
    "资 金 性 质"); free-text cells (procurement items, performance indicators) keep single spaces
    between words ("LED 显示屏"). Characters are kept as printed (full-width brackets stay).
    """
    if not text:
        return ""
    s = text.replace("\r", "")
    if keep_spaces:
        # A wrap may have eaten the space of a text that spaces its numbers ("含 2000 人"): put it back
        # where the text's own style has one (between a Chinese character and a digit or letter).
        if "\n" in s and _MIXED_SPACE.search(s):
            s = _MIXED_BREAK.sub(" ", s)
        s = s.replace("\n", "")
        return _WS.sub(" ", s).strip()
    s = s.replace("\n", "")
    return _WS.sub("", s)


def label_key(text: str | None) -> str:
    """A comparison key for header and title text: half-width, no whitespace, unified quotes."""
    s = to_halfwidth(text or "")
    s = _WS.sub("", s)
    return s.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")


def digits_only(text: str | None) -> str | None:
    """A subject code as printed (digits only), or None when the cell holds no digits-only code."""
    s = _WS.sub("", to_halfwidth(text or ""))
    return s if s.isdigit() else None
