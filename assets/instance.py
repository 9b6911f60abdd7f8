"""The Dagster instance settings this project needs: one DuckDB writer, few parallel runs."""


from pathlib import Path

INSTANCE_YAML = """\
# Written by budget-etl; see README (Dagster UI). SQLite storage locks under many parallel runs:
# keep run concurrency low locally and use Postgres storage in production.
concurrency:
  runs:
    max_concurrent_runs: 2
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def write_instance_yaml(dagster_home: Path) -> Path:
    p = Path(dagster_home) / "dagster.yaml"
    if not p.exists():
        p.write_text(INSTANCE_YAML)
    return p
