"""The one resource every asset uses: where the district's home is and where documents come from."""


import os
from pathlib import Path

import dagster as dg

from pipeline.config import Home


class EtlSettings(dg.ConfigurableResource):
    """Configured from the environment so `dagster dev`, the schedule and tests agree.

    BUDGET_ETL_HOME: the home folder (default: the project's warehouse/ and data/).
    BUDGET_ETL_INBOX: a folder of PDFs (default: the home's inbox, where the demo district is rendered).
    BUDGET_ETL_PORTAL: a portal start URL; when set it is the source instead of the inbox.
    """

    home_dir: str | None = None
    inbox: str | None = None
    portal: str | None = None

    @property
    def home(self) -> Home:
        return Home.at(self.home_dir).ensure()

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox) if self.inbox else self.home.inbox


def settings_from_env() -> EtlSettings:
    return EtlSettings(
        home_dir=os.environ.get("BUDGET_ETL_HOME") or None,
        inbox=os.environ.get("BUDGET_ETL_INBOX") or None,
        portal=os.environ.get("BUDGET_ETL_PORTAL") or None,
    )
