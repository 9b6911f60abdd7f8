"""District-wide identities: the roster disclosed, one code and one name per department, valid subject
codes, no duplicate documents (registry scope ``district``)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.checks.base import RuleContext, finding
from pipeline.checks.facts import DocFacts, normalise_name
from pipeline.checks.catalogue import WARNING
from pipeline.checks.kinds import UNCODED_KINDS
from pipeline.checks.result import CheckResult
from pipeline.checks.severity import downgrade
from pipeline.checks.subjects import structural_problem
from pipeline.clean.codes import classification_for
from pipeline.model import DocumentError


@dataclass(frozen=True)
class RosterEntry:
    department_code: str
    name: str
    years: tuple[int, ...]


def read_roster(path: Path) -> list[RosterEntry]:
    """roster.csv: department_code,name,years (years like "2022;2023")."""
    return parse_roster(read_roster_bytes(path), path)


def read_roster_bytes(path: Path) -> bytes:
    """The roster file's bytes (what pipeline/load/roster.py hashes and parses, read once)."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise DocumentError("unreadable", f"roster {path}: {e}") from e


def parse_roster(data: bytes, path: Path | str) -> list[RosterEntry]:
    """The entries of a roster file's bytes (UTF-8, a BOM allowed), in the file's order."""
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as e:
        raise DocumentError("unreadable", f"roster {path}: {e}") from e
    out = []
    for i, r in enumerate(rows, start=2):
        try:
            years = tuple(int(y) for y in re.split(r"[;,\s]+", (r.get("years") or "").strip()) if y)
            out.append(RosterEntry(r["department_code"].strip(), (r.get("name") or "").strip(), years))
        except (KeyError, ValueError, AttributeError) as e:
            raise DocumentError("unreadable", f"roster {path} line {i}: {e}") from e
    return out


_PATH_YEAR_CODE = re.compile(r"(?:^|[/\\])(\d{4})[/\\](\d+)_", re.ASCII)   # also v_identity_roster_disclosed's


def _failed_key(d: DocFacts) -> tuple[str, int] | None:
    """(code, year) of a document that failed to parse, from its path (<year>/<code>_name.pdf)."""
    if d.department_code and d.year:
        return d.department_code, d.year
    m = _PATH_YEAR_CODE.search(d.source or "")
    return (m.group(2), int(m.group(1))) if m else None


def roster_checks(docs: dict[str, DocFacts], ctx: RuleContext) -> list[CheckResult]:
    """Every roster department disclosed for its years, and every document's code on the roster (only
    when a roster is given)."""
    roster = ctx.roster
    if roster is None:
        return []
    out = []
    loaded = {(d.department_code, d.year) for d in docs.values() if d.status == "loaded"}
    failed = {}
    for d in docs.values():
        if d.status != "loaded" and (k := _failed_key(d)) is not None:
            failed.setdefault(k, d)
    for e in roster:
        for y in e.years:
            if (e.department_code, y) in loaded:
                continue
            if (e.department_code, y) in failed:
                d = failed[(e.department_code, y)]
                out.append(downgrade(finding(
                    "roster_disclosed", d, f"{e.department_code}/{y}",
                    f"{e.name} ({e.department_code}) {y}: the disclosure {d.source} could not be "
                    f"read ({d.error_kind or 'failed'}); its figures cannot be checked",
                    department=e.department_code, year=y), WARNING, "disclosed, but its file could not be read"))
                continue
            out.append(finding("roster_disclosed", None, f"{e.department_code}/{y}",
                               f"{e.name} ({e.department_code}) has no {y} disclosure in the warehouse",
                               department=e.department_code, year=y))
    codes = {e.department_code: e for e in roster}
    by_name = {normalise_name(e.name): e for e in roster}
    for d in docs.values():
        if d.status != "loaded" or not d.department_code or d.department_code in codes:
            continue
        other = by_name.get(normalise_name(d.department_name))
        if other is not None:
            out.append(finding("department_in_roster", d, d.department_code,
                               f"{d.department_name} is {other.department_code} on the roster but "
                               f"{d.department_code} in its {d.year} disclosure"))
        else:
            out.append(downgrade(finding("department_in_roster", d, d.department_code,
                                         f"department {d.department_code} {d.department_name} is not on the roster"),
                                 WARNING, "a department the roster lacks (the roster may be behind), not a misprinted code"))
    return out


def as_found(docs: dict[str, DocFacts], results: list[CheckResult]) -> list[CheckResult]:
    """department_name_across_years / duplicate_documents (their views': a document naming its department
    otherwise than the code's first document; a document with the content, or the department-year, of an
    earlier one): the view's left_value counts, it is no amount, so the result carries none; the message
    says what the document is."""
    for r in results:
        d = docs.get(r.document_id)
        where = (d.source or d.document_id) if d else r.document_id
        if r.check_name == "department_name_across_years":
            r.message = (f"{where}: department {r.subject.split(' ')[0]} is named “{d.department_name if d else '?'}”"
                         f" in {r.subject.split(' ')[-1]}, otherwise than in its first year")
        elif "/" in r.subject:
            r.message = f"{where}: {r.left_value} earlier document(s) of department-year {r.subject}, another content"
        else:
            r.message = f"{where} has the same content (sha256 {r.subject}…) as {r.left_value} earlier document(s)"
        r.left_value = None
    return results


def printed_variant(d: DocFacts, t, ln, classification: str):
    """(why, the row printing the valid code) when an invalid code is the document's own misprint of a
    valid one: a 0 dropped from its 款 or 项 ("3012" for 30102), or the same label under a valid code in
    another table of the document, the code shorter there ("71102 事业单位医疗" where the revenue table
    prints 2101102: 类 digits lost). A full-length code with a wrong 类 stays an error."""
    code = ln.code
    for cut in (3, 5):
        fixed = code[:cut] + "0" + code[cut:]
        if len(code) > cut and not structural_problem(fixed, classification):
            return f"printed without the 0 of its {'款' if cut == 3 else '项'} digits (read as {fixed})", None
    for other in d.tables:
        for o in other.lines:
            if (o.code and len(o.code) > len(code) and o.key == ln.key and o.code.endswith(code[-4:])
                    and not structural_problem(o.code, classification)):
                return (f"{other.title or other.kind} p. {o.page} prints the same row as “{o.label()}”: "
                        "a code printed differently"), o
    return None


def subject_codes(docs: dict[str, DocFacts], ctx: RuleContext) -> list[CheckResult]:
    """Codes that cannot be subject codes are errors; a code the catalogue names otherwise a warning.

    The warehouse's subject_codes table is built from the documents seen so far (it is not the full
    national catalogue), so a code missing from it is not a finding.
    """
    catalogue = ctx.catalogue or {}
    out = []
    for d in docs.values():
        seen = set()
        for t in d.tables:
            classification = classification_for(t.kind)
            if t.kind in UNCODED_KINDS:
                continue
            for ln in t.lines:
                if not ln.code or (ln.code, classification, ln.key) in seen:
                    continue
                seen.add((ln.code, classification, ln.key))
                problem = structural_problem(ln.code, classification)
                if problem:
                    variant = printed_variant(d, t, ln, classification)
                    if variant is not None:
                        why, other = variant
                        out.append(downgrade(finding(
                            "subject_codes_valid", d, ln.code,
                            f"{t.title or t.kind} p. {ln.page}: “{ln.label()}” is not a valid {classification} "
                            f"code ({problem}); {why}", left=ln.get("total"),
                            right=other.get("total") if other is not None else None, left_pages=[ln.page],
                            right_pages=[other.page] if other is not None else []),
                            WARNING, "the document's own misprint of a valid code it prints elsewhere"))
                        continue
                    out.append(finding("subject_codes_valid", d, ln.code,
                                       f"{t.title or t.kind} p. {ln.page}: “{ln.label()}” is not a valid "
                                       f"{classification} code ({problem})", left_pages=[ln.page]))
                    continue
                name = catalogue.get((classification, d.year or 0, ln.code))
                if name and ln.key and normalise_name(name) != ln.key:
                    out.append(downgrade(finding(
                        "subject_codes_valid", d, ln.code,
                        f"{t.title or t.kind} p. {ln.page}: {ln.code} is printed “{ln.name}”; the "
                        f"{d.year} catalogue names it “{name}”", left_pages=[ln.page]),
                        WARNING, "a valid code printed under another name than the reference list's"))
    return out
