"""The one resource every asset uses: where the district's home is, where documents come from, how to run.

`budget-etl run` passes its options here (run config), the code location reads the environment: both
run the same job on the same Dagster instance (the home's data/dagster_home).
"""


import os
from pathlib import Path

import dagster as dg

from pipeline.config import Home


class EtlSettings(dg.ConfigurableResource):
    """One night's settings. The code location builds it from pipeline.settings (the environment,
    read once), with each variable that is set passed as ``dg.EnvVar`` so Dagster resolves it when a
    run starts and the UI shows where it came from; `budget-etl run` passes its options instead.

    BUDGET_ETL_HOME: the home folder (default: pipeline.config.Home.at's).
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
    """The code location's resource: pipeline.settings' values, as EnvVars where a variable is set."""
    from pipeline.settings import settings

    st = settings()

    def env(name: str, value):
        return dg.EnvVar(f"BUDGET_ETL_{name}") if os.environ.get(f"BUDGET_ETL_{name}") else value

    return EtlSettings(
        home_dir=env("HOME", None),
        inbox=env("INBOX", None),
        portal=env("PORTAL", None),
        workers=dg.EnvVar.int("BUDGET_ETL_WORKERS") if os.environ.get("BUDGET_ETL_WORKERS") else st.workers,
        gx=st.gx,   # a boolean: dg.EnvVar has no boolean form, so the typed setting's value
    )
