"""Every setting the environment can give, in one typed object read once per process.

Why one object: the portal's timeout had a default of 20 s in one file and 10 s in three, so which
one applied depended on the caller. Each setting is declared here once, with its default and its
variable (``BUDGET_ETL_`` + the field name in capitals); the CLI's options and the Dagster resource
(assets/resources.py, through ``dg.EnvVar``) override it for one night without changing it.

Not here: the parse limits (pipeline/document/limits.py, passed to each parsing process in its
environment) and the fault-injection hooks of the tests (pipeline/testhooks.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The district's settings; an empty variable counts as unset."""

    model_config = SettingsConfigDict(env_prefix="BUDGET_ETL_", env_ignore_empty=True, extra="ignore",
                                      frozen=True)

    #: The home folder (warehouse, staging, raw store, reports); see config.Home.at for the default.
    home: Path | None = None
    #: The shared folder beside the project (corpus, seed); default ../shared of a source checkout.
    shared: Path | None = None
    #: A folder of PDFs to discover from (default: the home's inbox, where the demo is rendered).
    inbox: Path | None = None
    #: A portal's start URL; when set it is the source instead of the inbox.
    portal: str | None = None
    #: Parsing processes inside a night.
    workers: int = Field(default=2, ge=1)
    #: False ("0") skips the great-expectations suites and Data Docs, as `budget-etl run --no-gx`.
    gx: bool = True
    #: Seconds between two requests to a portal (politeness).
    portal_rate: float = Field(default=0.2, ge=0)
    #: Per request to a portal: seconds between two reads of the socket …
    portal_timeout: float = Field(default=20.0, gt=0)
    #: … seconds to connect …
    portal_connect_timeout: float = Field(default=10.0, gt=0)
    #: … and a cap on the whole request (redirects and retries included).
    portal_total_timeout: float = Field(default=60.0, gt=0)
    #: Attempts after the first for a request that failed for a transient reason (5xx, timeout,
    #: connection, a body cut short), each after ``portal_backoff`` × 2^(attempt-1) seconds.
    portal_retries: int = Field(default=3, ge=0)
    portal_backoff: float = Field(default=0.5, ge=0)
    #: Seconds the DuckDB writer waits for a process holding the main file open.
    writer_wait: float = Field(default=60.0, ge=0)
    #: "full" keeps SQLite's fsync per commit in the Dagster instance (assets/instance.py); "off" skips it.
    sqlite_sync: str = "off"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()


def reload_settings() -> Settings:
    """Read the environment again (a test that changed it; a long-lived process told to reload)."""
    settings.cache_clear()
    return settings()
