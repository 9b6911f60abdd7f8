"""The whole pipeline against the test portal gives the warehouse the inbox demo gives."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.config import Home
from pipeline.night import run_night
from pipeline.settings import reload_settings
from portal_site.district import load_district
from portal_site.server import PortalServer
from portal_site.site import TRS_START, build_portal

pytestmark = pytest.mark.slow

CONTENT = """
SELECT d.sha256, d.department_code, d.department_name, d.year, d.pages, b.table_kind, b.side, b.code,
       b.name, b.measure, b.amount, b.page, b.bbox
FROM budget_lines b JOIN documents d USING (document_id)
WHERE d.status = 'loaded' ORDER BY ALL
"""


def _content(home: Home, shas: set | None = None) -> tuple[set, list]:
    """(sha256 of the loaded documents, every budget line of those in ``shas``), keyed by content."""
    con = duckdb.connect(str(home.db_path), read_only=True)
    try:
        docs = {s for (s,) in con.execute("SELECT sha256 FROM documents WHERE status = 'loaded'").fetchall()}
        rows = [r for r in con.execute(CONTENT).fetchall() if shas is None or r[0] in shas]
    finally:
        con.close()
    return docs, rows


@pytest.fixture
def fast_portal(monkeypatch):
    """No politeness delay and short timeouts, through the settings (read again, then restored)."""
    monkeypatch.setenv("BUDGET_ETL_PORTAL_RATE", "0")
    monkeypatch.setenv("BUDGET_ETL_PORTAL_TIMEOUT", "3")
    reload_settings()
    yield
    monkeypatch.undo()
    reload_settings()


def test_portal_and_inbox_give_the_same_warehouse(demo_district, demo_parsed, tmp_path, fast_portal):
    portal = build_portal(load_district(demo_district))
    server = PortalServer(portal.site)
    try:
        via_portal = Home.at(tmp_path / "portal")
        run_night(via_portal, portal=server.url(TRS_START), progress=lambda _: None, gx=False)
    finally:
        server.close()
    via_inbox = Home.at(tmp_path / "inbox")
    run_night(via_inbox, inbox=demo_district, progress=lambda _: None, gx=False)

    portal_docs, _ = _content(via_portal)
    inbox_docs, _ = _content(via_inbox)
    served_ok = {e.sha256 for e in portal.expected if e.site == "trs" and e.status == "ok"}
    assert len(served_ok) >= 75
    assert portal_docs == served_ok, "every PDF the portal serves is loaded, nothing else"
    assert portal_docs <= inbox_docs
    _, rows_portal = _content(via_portal, portal_docs)
    _, rows_inbox = _content(via_inbox, portal_docs)
    assert rows_portal == rows_inbox and len(rows_portal) > 10_000

    # What the portal states (article, link text, department, year) is kept beside what the PDF prints.
    want = {server.url(e.path): (server.url(e.article), e.department, e.year) for e in portal.expected
            if e.site == "trs" and e.status == "ok"}
    con = duckdb.connect(str(via_portal.db_path), read_only=True)
    try:
        got = {s: (p, d, y) for s, p, d, y, t in con.execute(
            "SELECT source, source_page, source_department, source_year, source_title FROM documents "
            "WHERE status = 'loaded' AND source_title IS NOT NULL").fetchall()}
    finally:
        con.close()
    assert got == want
