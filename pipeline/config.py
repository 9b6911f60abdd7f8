"""All configuration in one place, with defaults that run the demo district.

A *home* is the folder holding one district's state: the DuckDB file, the raw store, the staging area,
the reports and (for the demo) the inbox. Two homes never share state, so tests and districts can run
side by side. The default home is the project itself: ``warehouse/`` for the database and ``data/``
beside it for everything else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("BUDGET_ETL_SHARED", PROJECT_ROOT.parent / "shared"))

#: Bumped whenever parsing or staging output can change: a document parsed by another version is
#: parsed again. 1.6.0: staged documents rows carry the source's listing (title, article page).
PARSER_VERSION = "1.9.0"

DEMO_SEED = 20231
DEMO_YEARS = (2022, 2023)
DEMO_DEPARTMENTS = 40

#: Seconds between two requests to a portal (politeness); BUDGET_ETL_PORTAL_RATE overrides it.
PORTAL_RATE_LIMIT_S = float(os.environ.get("BUDGET_ETL_PORTAL_RATE", "0.2"))
#: Per request to a portal: seconds to connect, seconds between two reads of the socket, and a cap on
#: the whole request (redirects and retries included; enforced even on a server trickling bytes).
PORTAL_TIMEOUT_S = float(os.environ.get("BUDGET_ETL_PORTAL_TIMEOUT", "20"))
PORTAL_CONNECT_TIMEOUT_S = float(os.environ.get("BUDGET_ETL_PORTAL_CONNECT_TIMEOUT", "10"))
PORTAL_TOTAL_TIMEOUT_S = float(os.environ.get("BUDGET_ETL_PORTAL_TOTAL_TIMEOUT", "60"))

TIMEZONE = "Asia/Shanghai"
NIGHTLY_CRON = "0 2 * * *"


@dataclass(frozen=True)
class Home:
    """Where one district's warehouse, staging area, raw store and reports live."""

    root: Path
    db_path: Path
    data: Path = field(default=Path())

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> "Home":
        """The home under ``root``; ``None`` means $BUDGET_ETL_HOME or, failing that, the project's own."""
        root = root or os.environ.get("BUDGET_ETL_HOME")
        if root is None:
            return cls(root=PROJECT_ROOT, db_path=PROJECT_ROOT / "warehouse" / "district.duckdb",
                       data=PROJECT_ROOT / "data")
        r = Path(root).resolve()
        return cls(root=r, db_path=r / "warehouse" / "district.duckdb", data=r / "data")

    @property
    def inbox(self) -> Path:
        return self.data / "inbox"

    @property
    def raw(self) -> Path:
        """Content-addressed PDFs: raw/ab/abcdef….pdf."""
        return self.data / "raw"

    @property
    def staging(self) -> Path:
        """One Parquet set per document: staging/<document_id>/<table>.parquet."""
        return self.data / "staging"

    @property
    def parsed(self) -> Path:
        """The CONTRACT.md JSON of each parsed document: parsed/<document_id>.json."""
        return self.data / "parsed"

    @property
    def state(self) -> Path:
        """What became of each document: state/<document_id>.json (sha256, parser version, status)."""
        return self.data / "state"

    @property
    def portal_cache(self) -> Path:
        """The portal crawler's HTTP cache and downloads."""
        return self.data / "portal"

    @property
    def reports(self) -> Path:
        return self.data / "reports"

    @property
    def hash_cache(self) -> Path:
        """sha256 of source files by (size, mtime): a night with nothing changed hashes nothing."""
        return self.data / "hash_cache.json"

    @property
    def lock_path(self) -> Path:
        """Held by the single DuckDB writer."""
        return self.db_path.with_suffix(".lock")

    def ensure(self) -> "Home":
        for p in (self.db_path.parent, self.raw, self.staging, self.parsed, self.state, self.reports):
            p.mkdir(parents=True, exist_ok=True)
        return self
