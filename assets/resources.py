"""The one resource every asset uses: where the district's home is, where documents come from, how to run.

`budget-etl run` passes its options here (run config), the code location reads the environment: both
run the same job on the same Dagster instance (the home's data/dagster_home).
"""


import os
from pathlib import Path

import dagster as dg

from pipeline.config import Home


class EtlSettings(dg.ConfigurableResource):
    """Configured from the environment so `budget-etl ui`, the schedule, the sensor and tests agree.

    BUDGET_ETL_HOME: the home folder (default: the project's warehouse/ and data/).
    BUDGET_ETL_INBOX: a folder of PDFs (default: the home's inbox, where the demo district is rendered).
    BUDGET_ETL_PORTAL: a portal start URL; when set it is the source instead of the inbox.
    BUDGET_ETL_WORKERS: parsing processes inside the run (default 2).
    BUDGET_ETL_GX: "0" skips the great-expectations Data Docs (as `budget-etl run --no-gx`).
    """

    home_dir: str | None = None
    inbox: str | None = None
    portal: str | None = None
    workers: int = 2
    force: bool = False
    gx: bool = True
    roster: str | None = None

    @property
    def home(self) -> Home:
        return Home.at(self.home_dir).ensure()

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox) if self.inbox else self.home.inbox

    @property
    def source_inbox(self) -> Path | None:
        """The inbox to discover from (None when the source is a portal)."""
        return None if self.portal else self.inbox_path

    @property
    def roster_path(self) -> Path | None:
        if self.roster:
            return Path(self.roster)
        p = self.inbox_path / "roster.csv"
        return p if not self.portal and p.exists() else None


def settings_from_env() -> EtlSettings:
    return EtlSettings(
        home_dir=os.environ.get("BUDGET_ETL_HOME") or None,
        inbox=os.environ.get("BUDGET_ETL_INBOX") or None,
        portal=os.environ.get("BUDGET_ETL_PORTAL") or None,
        workers=int(os.environ.get("BUDGET_ETL_WORKERS") or 2),
        gx=os.environ.get("BUDGET_ETL_GX", "1") != "0",
    )
