"""The Celery app the night's workers run: `celery -A assets.celery_app worker -Q <queue> -c 1`.

dagster-celery's own task (execute one Dagster step) on an app configured from the environment
(assets/celery_config.py), so every worker host agrees with the executor. BUDGET_ETL_CELERY_ROLE=writer
for the one writer worker (queue `writer`, concurrency 1). docs/SCALE.md has the commands.
"""

import os
import warnings

warnings.filterwarnings("ignore", message="Found version mismatch between `dagster-shared`")

from dagster_celery.config import DEFAULT_CONFIG, dict_wrapper  # noqa: E402
from dagster_celery.make_app import make_app  # noqa: E402
from dagster_celery.tasks import create_task  # noqa: E402

from assets.celery_config import backend_url, broker_url, config_source  # noqa: E402

ROLE = os.environ.get("BUDGET_ETL_CELERY_ROLE") or "parse"

app = make_app({"broker": broker_url(), "backend": backend_url(), "include": [],
                "config_source": dict_wrapper(dict(DEFAULT_CONFIG, **config_source(ROLE)))})

execute_plan = create_task(app)
