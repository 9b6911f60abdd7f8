"""Partition keys a person recognises, stable once given, a short hash only where two would clash."""

from __future__ import annotations

from pipeline.config import Home
from pipeline.sources.base import SourceDocument
from pipeline.sources.labels import assign_labels, document_for_label, readable_label


def _doc(locator: str, year: int | None = None, department: str | None = None) -> SourceDocument:
    return SourceDocument(locator=locator, path=None, sha256=None, year=year, department=department)


def test_code_name_and_year_from_the_file_name():
    assert readable_label(_doc("2023/101_人大办.pdf", 2023)) == "101 人大办 · 2023"
    assert readable_label(_doc("榆林/信访局_2026年部门预算.pdf", 2026)) == "信访局 部门预算 · 2026"
    assert readable_label(_doc("http://x/a/b.pdf?id=3", 2024, department="区民政局")) == "区民政局 · 2024"
    assert readable_label(_doc("2023/report.pdf")) == "report"


def test_a_clash_gets_a_short_hash_and_labels_never_change(tmp_path):
    home = Home.at(tmp_path)
    a, b = _doc("榆林/信访局_2026年部门预算.pdf", 2026), _doc("南宁/信访局_2026年部门预算.pdf", 2026)
    first = assign_labels(home, [a])
    both = assign_labels(home, [b, a])
    assert both[a.document_id] == first[a.document_id] == "信访局 部门预算 · 2026"
    assert both[b.document_id].startswith("信访局 部门预算 · 2026 · ") and len(both[b.document_id].split(" · ")[-1]) == 6
    assert document_for_label(home, both[b.document_id]) == b.document_id
    assert assign_labels(Home.at(tmp_path), [a, b]) == both
