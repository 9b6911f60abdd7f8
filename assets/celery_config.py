"""The Celery settings shared by the night's orchestrator (dagster-celery's executor) and its workers.

Everything comes from the environment, so the executor (in the run) and every worker host agree:

BUDGET_ETL_CELERY_BROKER     the Redis broker (default redis://127.0.0.1:6379/0)
BUDGET_ETL_CELERY_BACKEND    the result backend (default: the broker)
BUDGET_ETL_CELERY_VISIBILITY_TIMEOUT  seconds after which a step taken by a worker that died is given
                             to another worker (default: longer than a parse step ever runs, i.e. the
                             documents per step, BUDGET_ETL_PARSE_BATCH, times the parse deadline,
                             BUDGET_ETL_PARSE_TIMEOUT, plus 300 s, and at least 900; the writer is not
                             affected, see below)
BUDGET_ETL_CELERY_ROLE       `parse` (default) or `writer`, for a worker process

Why these settings: a parse step is acknowledged only once done (`task_acks_late`) and one step at a
time is reserved per process (prefetch 1), so a worker killed mid-step loses nothing: Redis hands its
unacknowledged step to another worker after the visibility timeout, and running a parse step twice
publishes the same content-addressed objects. The writer worker acknowledges on receipt instead: its
step (load, checks, report) may run longer than any timeout and must never run twice at once; if the
writer host dies, the run fails and the next night resumes from the staging area (pipeline/resume.py).
"""

from __future__ import annotations

import os

#: The Celery queue tag dagster-celery reads on each step.
QUEUE_TAG = "dagster-celery/queue"
#: Parse steps: any number of workers on any hosts (dagster-celery's default queue name).
PARSE_QUEUE = "dagster"
#: The single DuckDB writer's steps (plan, load/check/report): one worker process, concurrency 1.
WRITER_QUEUE = "writer"


def broker_url() -> str:
    return os.environ.get("BUDGET_ETL_CELERY_BROKER") or "redis://127.0.0.1:6379/0"


def backend_url() -> str:
    return os.environ.get("BUDGET_ETL_CELERY_BACKEND") or broker_url()


def default_visibility() -> int:
    """Longer than a parse step can run: every document of a batch at its parse deadline, plus margin."""
    from pipeline.distributed import batch_size_from_env
    from pipeline.document.limits import ParseLimits

    return max(900, int(batch_size_from_env() * ParseLimits.from_env().timeout_s) + 300)


def config_source(role: str = "parse") -> dict:
    """Celery's lowercase settings for a worker of ``role`` (and for the executor: role `parse`)."""
    visibility = int(os.environ.get("BUDGET_ETL_CELERY_VISIBILITY_TIMEOUT") or default_visibility())
    restore = max(1, min(10, visibility // 5))
    return {
        "worker_prefetch_multiplier": 1,
        "task_acks_late": role != "writer",
        "task_reject_on_worker_lost": role != "writer",
        "task_default_queue": PARSE_QUEUE,
        "task_default_priority": 5,
        "result_expires": 7 * 24 * 3600,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "broker_transport_options": {
            "visibility_timeout": visibility,
            "unacked_restore_interval": restore,
            "unacked_restore_throttle": 1,
            "max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
        },
        "result_backend_transport_options": {"visibility_timeout": visibility},
    }


def executor_config() -> dict:
    """dagster-celery's executor config for the night's job (the run's orchestrator side)."""
    return {"broker": broker_url(), "backend": backend_url(), "config_source": config_source("parse")}
