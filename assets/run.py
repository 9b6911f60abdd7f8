"""`budget-etl run` as a Dagster run: the code location's night_job, executed in this process against
the home's persistent instance (data/dagster_home, the one `budget-etl ui` opens), so the CLI's nights
are in the same history as the schedule's and the sensor's.
"""


from pathlib import Path

import dagster as dg

from assets.instance import write_instance_yaml
from assets.resources import EtlSettings
from pipeline.config import Home

#: Dagster's own console log stays quiet: the night prints its progress lines itself.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def dagster_home(home: Home) -> Path:
    """The home's Dagster instance folder, its dagster.yaml written and its storage created.

    Creating the SQLite storage here, in one process, matters: the webserver, the daemon and the code
    server started together on a fresh folder race to create it and can leave two alembic heads, after
    which no process can open the instance.
    """
    p = home.dagster_home
    p.mkdir(parents=True, exist_ok=True)
    write_instance_yaml(p)
    with dg.DagsterInstance.from_config(str(p)):
        pass
    return p


#: The tag every night `budget-etl run` executes carries (in process: its run dies with the CLI).
LAUNCHED_BY_CLI = {"launched_by": "budget-etl run"}


def release_dead_nights(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the CLI nights left running by a killed process, and free their pool slots.

    Called under the home's night lock, so no other CLI night on this home is alive: a run of ours
    still STARTED died with its process (SIGKILL, power loss) and would otherwise hold the DuckDB
    writer pool's one slot for ever, leaving every later night waiting for it.
    """
    stale = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING],
        tags=LAUNCHED_BY_CLI))
    for run in stale:
        instance.report_run_failed(run, "the process running this night died (killed or crashed); "
                                        "the next night completed its work")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    return [r.run_id for r in stale]


def run_night_in_dagster(home: Home, inbox: Path | None = None, portal: str | None = None, workers: int = 2,
                         force: bool = False, gx: bool = True, roster: Path | None = None,
                         ) -> dg.ExecuteInProcessResult:
    """Execute night_job once (a whole night) and return Dagster's result."""
    from assets.definitions import build_defs

    etl = EtlSettings(home_dir=str(home.root), inbox=str(inbox) if inbox else None, portal=portal,
                      workers=workers, force=force, gx=gx, roster=str(roster) if roster else None)
    job = build_defs(etl).resolve_job_def("night_job")
    with dg.DagsterInstance.from_config(str(dagster_home(home))) as instance:
        release_dead_nights(instance)
        return job.execute_in_process(instance=instance, run_config=QUIET, raise_on_error=False,
                                      tags=LAUNCHED_BY_CLI)


def _step_error(result: dg.ExecuteInProcessResult):
    for ev in result.all_events:
        if ev.is_step_failure and ev.step_failure_data and ev.step_failure_data.error:
            err = ev.step_failure_data.error
            while err.cause is not None and err.cls_name in ("DagsterExecutionStepExecutionError",):
                err = err.cause
            return err
    return None


def night_error_of(result: dg.ExecuteInProcessResult) -> Exception | None:
    """The night's own typed failure (full disk, busy warehouse, source down) as raised inside the run,
    so the CLI exits with its code and plain message rather than a generic failure."""
    from pipeline import night_errors

    err = _step_error(result)
    if err is not None and err.cls_name == "PortalError":   # the source cannot be read at all
        return night_errors.SourceUnavailable(err.message.strip().removeprefix("PortalError: ").strip())
    cls = getattr(night_errors, err.cls_name, None) if err is not None else None
    if isinstance(cls, type) and issubclass(cls, night_errors.NightError):
        return cls(err.message.strip().removeprefix(f"{err.cls_name}: ").strip())
    return None


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """Why the run failed, in a line or two (the night's own errors are typed DocumentErrors)."""
    err = _step_error(result)
    if err is not None:
        return f"{err.cls_name}: {err.message.strip()}"
    return "the Dagster run failed (see its logs in `budget-etl ui`)"
