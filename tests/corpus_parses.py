"""Each real corpus PDF parsed at most once per test session, whichever test asks first.

The whole-corpus tests (shape of every parse, the cities' truth) read the same files; parsing them
twice would double the suite's longest stage.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.model import DocumentError, ParseResult

_PARSED: dict[Path, ParseResult | DocumentError] = {}


def parse_once(pdf: Path) -> ParseResult | DocumentError:
    """The ParseResult of ``pdf``, or the DocumentError its parse raised (kept, not raised)."""
    from pipeline.parse import parse_document

    pdf = Path(pdf).resolve()
    if pdf not in _PARSED:
        try:
            _PARSED[pdf] = parse_document(pdf)
        except DocumentError as e:
            _PARSED[pdf] = e
    return _PARSED[pdf]
