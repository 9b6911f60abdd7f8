"""Where things are: the Home (every path of one district's state) and the project's constants.

A *home* is the folder holding one district's state: the DuckDB file, the raw store, the staging area,
the reports and (for the demo) the inbox. Two homes never share state, so tests and districts can run
side by side. The default home is the project itself in a source checkout (``warehouse/`` for the
database and ``data/`` beside it for everything else) and the current directory for an installed
package. Settings read from the environment live in pipeline/settings.py; files shipped with the
code (SQL, templates, catalogues) are found through pipeline/packaged.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import settings

#: The source checkout this module runs from, if it does (an installed package has no project root:
#: its SQL, templates and reference data are package data, found with importlib.resources).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = settings().shared or PROJECT_ROOT.parent / "shared"

#: Bumped whenever parsing or staging output can change: a document parsed by another version is
#: parsed again. 1.6.0: staged documents rows carry the source's listing (title, article page).
PARSER_VERSION = "1.10.2"

DEMO_SEED = 20231
DEMO_YEARS = (2022, 2023)
DEMO_DEPARTMENTS = 40

TIMEZONE = "Asia/Shanghai"
NIGHTLY_CRON = "0 2 * * *"


def is_source_checkout() -> bool:
    """True when running from the project's own folder (editable install or PYTHONPATH), not a wheel."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "pipeline").is_dir()


@dataclass(frozen=True)
class Home:
    """Where one district's warehouse, staging area, raw store and reports live."""

    root: Path
    db_path: Path
    data: Path = field(default=Path())

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> "Home":
        """The home under ``root``; ``None`` means $BUDGET_ETL_HOME or, failing that, the project's own
        folder in a source checkout and the current directory for an installed package."""
        root = root or settings().home
        if root is None:
            root = PROJECT_ROOT if is_source_checkout() else Path.cwd()
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
    def portal_listing(self) -> Path:
        """The discovery sensor's own HTTP cache: listing and article pages only, never attachments.

        Apart from portal_cache so that a page the sensor saw does not answer the night's crawl with
        304 and hide the documents it adds."""
        return self.data / "portal_listing"

    @property
    def discovered(self) -> Path:
        """What discovery found, one JSON per document, and the partition labels (labels.json)."""
        return self.data / "discovered"

    @property
    def parse_cache(self) -> Path:
        """Parse results by content (sha256 and parser version). $BUDGET_ETL_PARSE_CACHE points several
        homes at one cache (tests); it is read on each call, being a test's switch, not a setting."""
        return Path(os.environ.get("BUDGET_ETL_PARSE_CACHE") or self.data / "parse_cache")

    @property
    def reports(self) -> Path:
        return self.data / "reports"

    @property
    def data_docs(self) -> Path:
        """The great-expectations Data Docs site of the latest checks."""
        return self.reports / "data_docs"

    @property
    def dagster_home(self) -> Path:
        """The home's Dagster instance (DAGSTER_HOME): the CLI's nights and the UI's share it."""
        return self.data / "dagster_home"

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
