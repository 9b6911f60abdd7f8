"""The OCR engine: Tesseract (Debian's ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``), run as a process.

Why Tesseract: on a scanned rendition of the demo disclosures (truth known) it read the table cells
as well as RapidOCR did while taking ~1.5 s and ~100 MB per 300 dpi A4 page against RapidOCR's 4–19 s
and ~830 MB, which does not fit the parsing worker's 1024 MiB address space (RLIMIT_AS); it is a
packaged offline engine with its Chinese data, and a process of its own keeps its memory out of the
worker's Python heap. Word boxes and confidences come from its TSV output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

#: The languages read: simplified Chinese (its model reads digits and Latin too).
LANG = "chi_sim"
#: Seconds one page may take before the engine is given up on (the document's deadline still rules).
PAGE_TIMEOUT = 120


@dataclass
class Word:
    """A word the engine read, in image pixels; ``conf`` 0–1; ``line`` identifies its text line."""

    text: str
    conf: float
    x0: int
    top: int
    x1: int
    bottom: int
    line: tuple[int, int, int]


class OcrUnavailable(RuntimeError):
    """No OCR engine here (the message says what to install)."""


@lru_cache(maxsize=1)
def engine() -> str | None:
    """``tesseract <version> (chi_sim)`` when the engine and its Chinese data are installed, else None."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
        ver = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if LANG not in langs.stdout.split():
        return None
    first = (ver.stdout or ver.stderr).splitlines()
    return f"{first[0].strip() if first else 'tesseract'} ({LANG})"


def switched_off() -> bool:
    """BUDGET_ETL_OCR=0 (or off/no/false): pages without a text layer are not read by OCR (the
    test suite's whole-corpus parses keep to the text layer; OCR has tests of its own)."""
    return os.environ.get("BUDGET_ETL_OCR", "1").strip().lower() in ("0", "off", "no", "false")


def missing_message() -> str:
    if switched_off():
        return "OCR is switched off (BUDGET_ETL_OCR=0)"
    return ("no OCR engine: install Debian's tesseract-ocr and tesseract-ocr-chi-sim "
            "(apt-get install -y tesseract-ocr tesseract-ocr-chi-sim)")


def read_many(pngs: list[bytes], psm: int = 6, digits: bool = False) -> list[list[Word]]:
    """The words of each of several small images (table cells), read by one engine process (its
    model is loaded once): each image is a page of its own, so no cell runs into another.
    ``digits``: the Latin model limited to the characters of an amount (a figure's digits are read
    more surely so than by the Chinese model)."""
    import tempfile

    exe = shutil.which("tesseract")
    if exe is None or engine() is None:
        raise OcrUnavailable(missing_message())
    if not pngs:
        return []
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="budget-ocr-") as tmp:
        names = []
        for i, data in enumerate(pngs):
            name = os.path.join(tmp, f"{i:05d}.png")
            with open(name, "wb") as fh:
                fh.write(data)
            names.append(name)
        listing = os.path.join(tmp, "cells.txt")
        with open(listing, "w") as fh:
            fh.write("\n".join(names) + "\n")
        args = [exe, listing, "stdout", "-l", "eng" if digits else LANG, "--psm", str(psm)]
        if digits:
            args += ["-c", "tessedit_char_whitelist=0123456789.,-()"]
        try:
            proc = subprocess.run(args + ["tsv"], capture_output=True, timeout=PAGE_TIMEOUT, env=env)
        except subprocess.TimeoutExpired as e:
            raise RuntimeError(f"the OCR engine took more than {PAGE_TIMEOUT} s on one page's cells") from e
    if proc.returncode != 0:
        raise RuntimeError(f"the OCR engine failed (exit {proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
    out: list[list[Word]] = [[] for _ in pngs]
    for page, w in parse_tsv(proc.stdout.decode("utf-8", "replace"), with_page=True):
        if 1 <= page <= len(out):
            out[page - 1].append(w)
    return out


def read_words(png: bytes, psm: int = 6) -> list[Word]:
    """The words of one page image (PNG bytes): text, confidence and box. ``psm`` 6 reads the page
    as one block of lines, so words at one height form one line, as a text layer's do."""
    exe = shutil.which("tesseract")
    if exe is None or engine() is None:
        raise OcrUnavailable(missing_message())
    env = dict(os.environ, OMP_THREAD_LIMIT="1")   # one core per worker: the pool is the parallelism
    try:
        proc = subprocess.run([exe, "stdin", "stdout", "-l", LANG, "--psm", str(psm),
                               "-c", "preserve_interword_spaces=1", "tsv"],
                              input=png, capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"the OCR engine took more than {PAGE_TIMEOUT} s on one page") from e
    if proc.returncode != 0:
        raise RuntimeError(f"the OCR engine failed (exit {proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str, with_page: bool = False) -> list:
    """Tesseract's TSV (level 5 rows are words) → words (``with_page``: (page, word) pairs); empty
    words and conf -1 rows dropped."""
    out: list = []
    for ln in tsv.splitlines()[1:]:
        f = ln.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[1].isdigit():
            continue
        text = f[11].strip()
        try:
            conf = float(f[10])
        except ValueError:
            continue
        if not text or conf < 0:
            continue
        x, y, w, h = (int(v) for v in f[6:10])
        word = Word(text, conf / 100.0, x, y, x + w, y + h, (int(f[2]), int(f[3]), int(f[4])))
        out.append((int(f[1]), word) if with_page else word)
    return out
