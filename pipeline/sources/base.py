"""What every source (inbox folder, portal) yields: one discovered document."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.sources.identity import document_id

#: Formats a disclosure may come in; only 'pdf' is parsed, the others are recorded as unsupported.
SUPPORTED_FORMATS = ("pdf",)


@dataclass(frozen=True)
class SourceDocument:
    """A document a source found: where it came from and where its bytes are now."""

    locator: str                 # URL, or path relative to the inbox with '/'
    path: Path | None            # local copy of the bytes; None when not fetched
    sha256: str | None
    format: str = "pdf"          # pdf | doc | docx | xls | xlsx | zip | rar | html | unknown
    status: str = "ok"           # ok | listed (located, not fetched) | unsupported | failed | offsite
    title: str | None = None     # as the source states it (link text, article title)
    department: str | None = None
    year: int | None = None
    error: str | None = None
    page: str | None = None      # the portal page that links it (its article); None for the inbox
    error_kind: str | None = None  # with status 'failed': the ERROR_KINDS kind (default fetch_failed)

    def listing(self) -> dict:
        """What the source states about the document, as the documents table keeps it."""
        return {"source_title": self.title, "source_department": self.department,
                "source_year": self.year, "source_page": self.page}

    @property
    def document_id(self) -> str:
        return document_id(self.locator)
