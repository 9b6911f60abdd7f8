"""Each real corpus PDF parsed at most once per test session, whichever test asks first.

The whole-corpus tests (shape of every parse, the cities' truth) read the same files; parsing them
twice would double the suite's longest stage. Files are parsed two at a time (the CI machine's two
cores) when a test names them all up front (``parse_all``).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.model import DocumentError, ParseResult

_PARSED: dict[Path, ParseResult | DocumentError] = {}
WORKERS = 2


def _parse(pdf: Path) -> ParseResult | DocumentError:
    from pipeline.parse import parse_document

    try:
        return parse_document(pdf)
    except DocumentError as e:
        return e


def _parse_in_child(pdf: str) -> ParseResult | tuple[str, str]:
    res = _parse(Path(pdf))
    # a DocumentError does not pickle back (its __init__ takes two arguments): send its fields
    return (res.kind, res.message) if isinstance(res, DocumentError) else res


def parse_in_pool(pdfs: Iterable[Path], workers: int = WORKERS) -> Iterator[tuple[Path, ParseResult | DocumentError]]:
    """Each of ``pdfs`` parsed in ``workers`` fresh processes, yielded in the order given."""
    pdfs = [Path(p) for p in pdfs]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for pdf, res in zip(pdfs, pool.map(_parse_in_child, [str(p) for p in pdfs])):
            yield pdf, (DocumentError(*res) if isinstance(res, tuple) else res)


def parse_all(pdfs: Iterable[Path]) -> None:
    """Parse, in parallel, every one of ``pdfs`` this session has not parsed yet."""
    todo = sorted({Path(p).resolve() for p in pdfs} - set(_PARSED))
    if todo:
        _PARSED.update(parse_in_pool(todo))


def parse_once(pdf: Path) -> ParseResult | DocumentError:
    """The ParseResult of ``pdf``, or the DocumentError its parse raised (kept, not raised)."""
    pdf = Path(pdf).resolve()
    if pdf not in _PARSED:
        _PARSED[pdf] = _parse(pdf)
    return _PARSED[pdf]
