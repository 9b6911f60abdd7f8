"""dagster-celery's executor, submitting every step through one Celery task object per app.

Why: dagster-celery's own submission (`dagster_celery.executor._submit_task`) calls
`create_task(app)` for every step it submits; each call defines a new `_execute_plan` function under
the one task name `execute_plan`, and Celery warns (DuplicateTaskNameWarning: "Task name
'execute_plan' is already registered to a different callable") from the second step of every run
on. The message sent is the same either way; this executor registers the task once per app and
sends every step through it, so the warning no longer hides real ones. Everything else (the
execution loop, config, retries) is dagster-celery's.
"""

from __future__ import annotations

import weakref

import dagster as dg
from dagster._core.execution.retries import RetryMode
from dagster._grpc.types import ExecuteStepArgs
from dagster._serdes import pack_value
from dagster_celery.core_execution_loop import core_celery_execution_loop
from dagster_celery.executor import CELERY_CONFIG, CeleryExecutor
from dagster_celery.tasks import create_task

_TASKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def execute_plan_task(app):
    """The app's `execute_plan` task, created (registered) once per app."""
    task = _TASKS.get(app)
    if task is None:
        task = _TASKS[app] = create_task(app)
    return task


def _submit_step(app, plan_context, step, queue, priority, known_state):
    """dagster-celery's `_submit_task`, with the task created once per app."""
    args = ExecuteStepArgs(
        job_origin=plan_context.reconstructable_job.get_python_origin(),
        run_id=plan_context.dagster_run.run_id,
        step_keys_to_execute=[step.key],
        instance_ref=plan_context.instance.get_ref(),
        retry_mode=plan_context.executor.retries.for_inner_plan(),
        known_state=known_state,
        print_serialized_events=True,
    )
    signature = execute_plan_task(app).si(execute_step_args_packed=pack_value(args),
                                          executable_dict=plan_context.reconstructable_job.to_dict())
    return signature.apply_async(priority=priority, queue=queue, routing_key=f"{queue}.execute_plan")


class OneTaskCeleryExecutor(CeleryExecutor):
    """CeleryExecutor whose steps all go through one registered task (see the module docstring)."""

    def execute(self, plan_context, execution_plan):
        return core_celery_execution_loop(plan_context, execution_plan, step_execution_fn=_submit_step)


@dg.executor(name="celery", config_schema=CELERY_CONFIG, requirements=dg.multiple_process_executor_requirements())
def celery_executor(init_context) -> OneTaskCeleryExecutor:
    """dagster-celery's `celery_executor` (same name and config), built on OneTaskCeleryExecutor."""
    cfg = init_context.executor_config
    return OneTaskCeleryExecutor(broker=cfg.get("broker"), backend=cfg.get("backend"),
                                 config_source=cfg.get("config_source"), include=cfg.get("include"),
                                 retries=RetryMode.from_config(cfg["retries"]))
