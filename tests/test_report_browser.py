"""The report as a reviewer opens it: a small demo district's night, its report loaded in headless
Chromium (Debian's chromium with a CJK font; .ci/run installs it) through the DevTools protocol.

Set REPORT_SHOTS=/some/dir to keep screenshots of the district page and the seed department's section.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest

import cdp_browser

pytestmark = pytest.mark.skipif(cdp_browser.available() is not None,
                                reason=f"headless Chromium unavailable: {cdp_browser.available()}")

FACTS_JS = r"""
(() => {
  const rows = Array.from(document.querySelectorAll("tr.finding"));
  return {
    findings: rows.map(r => ({year: r.querySelector("td.year").textContent.trim(), sev: r.dataset.sev,
                              dept: r.dataset.dept, check: r.dataset.check,
                              text: r.querySelector(".msg") ? r.querySelector(".msg").textContent : ""})),
    images: Array.from(document.images).map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0})),
    links: Array.from(document.querySelectorAll("a.page-link")).map(a => a.href),
    resources: Array.from(document.querySelectorAll("[src],[href]")).map(e => e.getAttribute("src") || e.getAttribute("href")),
    svgs: document.querySelectorAll("svg.chart").length,
    bars: document.querySelectorAll("svg.chart rect.bar").length,
    clean: parseInt(document.getElementById("clean").textContent),
    withErrors: parseInt(document.getElementById("with-errors").textContent),
    noise: document.querySelector(".noise") ? document.querySelector(".noise").textContent : "",
    seed: !!document.getElementById("dept-125"),
    files: Array.from(document.querySelectorAll("section.dept p.meta")).map(p => p.textContent)
                .filter(t => t.startsWith("文件 Files:")),
  };
})()
"""

FILTER_JS = r"""
(() => {
  const s = document.getElementById("f-sev"); s.value = "error"; s.dispatchEvent(new Event("change"));
  const shown = Array.from(document.querySelectorAll("tr.finding")).filter(r => r.style.display !== "none");
  const out = shown.map(r => r.dataset.sev);
  s.value = ""; s.dispatchEvent(new Event("change"));
  return out;
})()
"""


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """Three demo departments over two years plus the seed rendition, one night without GX."""
    from pipeline.config import Home
    from pipeline.demo import generate_district
    from pipeline.night import run_night

    inbox = tmp_path_factory.mktemp("district")
    generate_district(inbox, departments=3, broken=False)
    home = Home.at(tmp_path_factory.mktemp("home")).ensure()
    run_night(home, inbox=inbox, workers=1, gx=False, progress=lambda _: None)
    return home


@pytest.fixture(scope="module")
def page(night):
    report = night.reports / "discrepancies.html"
    shots = os.environ.get("REPORT_SHOTS")

    async def look(p):
        facts = await p.evaluate(FACTS_JS)
        facts["filtered"] = await p.evaluate(FILTER_JS)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            await p.screenshot(Path(shots) / "district.png")
            await p.screenshot(Path(shots) / "seed_section.png", "#dept-125")
        await p.drain(0.2)
        facts["requests"], facts["console_errors"] = list(p.requests), list(p.console_errors)
        return facts

    try:
        return report, cdp_browser.open_page(report.as_uri(), look)
    except cdp_browser.BrowserUnavailable as e:
        pytest.skip(f"headless Chromium cannot start here: {e}")


def test_nothing_leaves_the_machine_and_no_console_error(page):
    _, facts = page
    assert facts["requests"], "the browser recorded no request at all"
    assert all(urlparse(u).scheme in ("file", "data") for u in facts["requests"]), facts["requests"]
    assert not [r for r in facts["resources"] if re.match(r"(https?:)?//", r or "")]
    assert facts["console_errors"] == []


def test_every_finding_says_its_year_in_plain_words(page):
    _, facts = page
    assert facts["findings"]
    assert all(re.fullmatch(r"20\d\d", f["year"]) for f in facts["findings"]), facts["findings"]
    for f in facts["findings"]:   # no internal cell names, no bare "tolerance … (n=…)"
        assert not re.search(r"\b[a-z_]+\[[^\]]+\]", f["text"]), f["text"]
        assert "(n=" not in f["text"], f["text"]


def test_images_load_and_page_links_open_stored_pdfs(page, night):
    _, facts = page
    assert facts["images"], "no evidence image"
    assert all(i["ok"] for i in facts["images"]), [i for i in facts["images"] if not i["ok"]]
    assert facts["links"]
    import pypdfium2 as pdfium

    for href in set(facts["links"]):
        url = urlparse(href)
        pdf = Path(unquote(url.path))
        assert url.scheme == "file" and pdf.exists() and pdf.is_relative_to(night.raw), href
        n = int(re.fullmatch(r"page=(\d+)", url.fragment).group(1))
        doc = pdfium.PdfDocument(str(pdf))
        assert 1 <= n <= len(doc), href
        doc.close()


def test_evidence_images_outline_the_cell(page):
    report, facts = page
    from PIL import Image

    src = urlparse(facts["images"][0]["src"])
    img = Image.open(unquote(src.path)).convert("RGB")
    assert img.width > 50 and img.height > 10
    assert any(r > 200 and g < 40 and b < 80 for r, g, b in img.get_flattened_data()), "no outline drawn"


def test_charts_are_drawn(page):
    _, facts = page
    assert facts["svgs"] >= 5 and facts["bars"] > 10, facts


def test_headline_counts_documents_as_the_warehouse_does(page, night):
    _, facts = page
    from pipeline.checks.engine import latest_run_id

    con = duckdb.connect(str(night.db_path), read_only=True)
    try:
        run = latest_run_id(con)
        loaded, with_errors, clean = con.execute("""
            WITH bad AS (SELECT DISTINCT document_id FROM check_results WHERE run_id = ? AND severity = 'error')
            SELECT count(*),
                   count(*) FILTER (WHERE document_id IN (SELECT document_id FROM bad)),
                   count(*) FILTER (WHERE document_id NOT IN (SELECT document_id FROM bad WHERE document_id IS NOT NULL)
                                    AND coalesce(completeness, 'complete') NOT IN ('partial', 'not_budget'))
            FROM documents WHERE status = 'loaded'""", [run]).fetchone()
        # a department with an error in one year and a clean other year exists, so per-department counting differs
        mixed = con.execute("""
            SELECT count(*) FROM (SELECT department_code FROM documents d WHERE status = 'loaded' GROUP BY 1
              HAVING count(*) FILTER (WHERE document_id IN (SELECT document_id FROM check_results
                                       WHERE run_id = ? AND severity = 'error')) BETWEEN 1 AND count(*) - 1)""",
                            [run]).fetchone()[0]
    finally:
        con.close()
    assert (facts["clean"], facts["withErrors"]) == (clean, with_errors)
    assert clean + with_errors <= loaded
    assert mixed >= 1, "the demo should hold a department with one clean and one broken year"


def test_first_loaded_year_is_one_summary_line_not_warnings(page):
    _, facts = page
    assert "首个入库年度" in facts["noise"]
    assert "2022" in facts["noise"]
    assert not [f for f in facts["findings"] if "no 2021 document" in f["text"]]


def test_filter_by_severity_shows_only_that_severity(page):
    _, facts = page
    errors = [f for f in facts["findings"] if f["sev"] == "error"]
    assert errors and facts["filtered"] == ["error"] * len(errors)


def test_csv_and_excel_exports_hold_every_finding_with_its_year(page):
    report, facts = page
    import csv

    from openpyxl import load_workbook

    with open(report.parent / "findings.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(facts["findings"])
    assert all(re.fullmatch(r"20\d\d", r["年度 year"]) for r in rows)
    ws = load_workbook(report.parent / "findings.xlsx").active
    assert ws.max_row - 1 == len(facts["findings"])


def test_each_section_lists_its_files_once_with_their_years(page):
    _, facts = page
    assert facts["files"]
    for text in facts["files"]:
        entries = [e.strip() for e in text.split("Files:", 1)[1].split(" · ")[0].split(";")]
        assert len(entries) == len(set(entries)), text
        assert all(re.match(r"20\d\d: ", e) for e in entries), text


def test_the_seed_department_has_its_section(page):
    _, facts = page
    assert facts["seed"]
