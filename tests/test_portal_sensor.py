"""The discovery sensor and the schedule list a portal; they never download an attachment.

A real HTTP portal on 127.0.0.1 (tests/portal_site, the TRS column with its faults) logs every request.
A sensor tick on a fresh home asks for a night and requests no attachment; the night then downloads
them (so the count does see downloads); a second tick, with nothing new, skips, again without one.
"""

from __future__ import annotations

import dagster as dg
import pytest

from assets.discovery import document_discovery, nightly_ingestion
from assets.resources import EtlSettings
from pipeline.config import Home
from pipeline.settings import reload_settings
from portal_site.district import placeholder_district
from portal_site.server import PortalServer
from portal_site.site import TRS_START, build_portal


@pytest.fixture
def fast_portal(monkeypatch):
    """No politeness delay, short timeouts and backoff, through the settings (read again, then restored)."""
    for name, value in (("RATE", "0"), ("TIMEOUT", "3"), ("BACKOFF", "0.05")):
        monkeypatch.setenv(f"BUDGET_ETL_PORTAL_{name}", value)
    reload_settings()
    yield
    monkeypatch.undo()
    reload_settings()


@pytest.fixture
def portal():
    p = build_portal(placeholder_district())
    server = PortalServer(p.site)
    yield p, server
    server.close()


def _attachment_requests(server: PortalServer, attachments: set[str]) -> list[str]:
    return [e.path for e in server.log if e.path.split("?")[0] in attachments]


def test_a_sensor_tick_lists_the_portal_without_downloading(portal, fast_portal, tmp_path):
    from pipeline.night import run_night

    p, server = portal
    attachments = {e.path for e in p.expected if e.site == "trs" and not e.path.startswith("http")}
    onsite_pdfs = [e for e in p.expected if e.site == "trs" and e.format == "pdf" and not e.path.startswith("http")]
    assert len(attachments) >= 20
    home = Home.at(tmp_path / "home")
    etl = EtlSettings(home_dir=str(home.root), portal=server.url(TRS_START))

    with dg.instance_for_test() as instance:
        first = document_discovery(dg.build_sensor_context(instance=instance, resources={"etl": etl}))
        assert isinstance(first, dg.RunRequest), "a fresh home: every listed document is new"
        assert int(first.tags["changed_documents"]) >= len(onsite_pdfs)
        assert any(e.path.endswith(".html") for e in server.log), "the tick did read the listing"
        assert _attachment_requests(server, attachments) == [], "the sensor tick downloaded"

        server.clear_log()
        out = nightly_ingestion(dg.build_schedule_context(instance=instance, resources={"etl": etl}))
        assert isinstance(out, dg.RunRequest) and server.log == [], "the schedule asks the run to crawl"

        run_night(home, portal=server.url(TRS_START), gx=False, progress=lambda _: None)
        fetched = set(_attachment_requests(server, attachments))
        assert len(fetched) >= len(onsite_pdfs) - 1, "the night is where attachments are downloaded"

        server.clear_log()
        second = document_discovery(dg.build_sensor_context(instance=instance, resources={"etl": etl}))
        assert isinstance(second, dg.SkipReason), second
        assert _attachment_requests(server, attachments) == [], "the second tick downloaded"
