"""`python -m assets.scale_run`: one distributed night now, orchestrated from this process on the
instance of $DAGSTER_HOME (deploy/dagster.yaml); the steps run on the Celery workers. Exit 0 or 1.
The webserver's Launchpad and the schedule `nightly_ingestion_distributed` launch the same job."""

import sys
import warnings

warnings.filterwarnings("ignore", message="Found version mismatch between `dagster-shared`")


def main() -> int:
    import dagster as dg

    from assets.scale import run_distributed_night

    with dg.DagsterInstance.get() as instance:
        result = run_distributed_night(instance, tags={"launched_by": "python -m assets.scale_run"})
    print(f"run {result.run_id}: {'success' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
