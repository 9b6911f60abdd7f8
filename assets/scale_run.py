"""`python -m assets.scale_run`: one distributed night now, orchestrated from this process on the
instance of $DAGSTER_HOME (deploy/dagster.yaml); the steps run on the Celery workers. Exit 0 or 1.
The webserver's Launchpad and the schedule `nightly_ingestion_distributed` launch the same job.

    python -m assets.scale_run                                   # a whole night
    python -m assets.scale_run --partition "101 人大办 · 2023" ...  # a backfill of chosen documents
    python -m assets.scale_run --partition "101 人大办 · 2023" --force  # parse and load them again
    python -m assets.scale_run --batch 5                         # documents per parse step
"""

import argparse
import sys
import warnings

warnings.filterwarnings("ignore", message="Found version mismatch between `dagster-shared`")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="One night of night_job_celery on the Celery workers.")
    ap.add_argument("--partition", action="append", default=[], metavar="KEY",
                    help="only this partition of `documents` (repeatable): a backfill of chosen documents")
    ap.add_argument("--force", action="store_true", help="parse and load again even what is unchanged")
    ap.add_argument("--batch", type=int, help="documents per parse step (default: BUDGET_ETL_PARSE_BATCH, else 3)")
    args = ap.parse_args(argv)

    import dagster as dg

    from assets.scale import run_distributed_night

    plan = {k: v for k, v in (("partitions", args.partition), ("batch", args.batch), ("force", args.force)) if v}
    run_config = {"ops": {"plan_night": {"config": plan}}} if plan else {}
    tags = {"launched_by": "python -m assets.scale_run"}
    if args.partition:
        tags["backfill_partitions"] = ", ".join(args.partition)[:1000]
    with dg.DagsterInstance.get() as instance:
        result = run_distributed_night(instance, tags=tags, run_config=run_config)
    print(f"run {result.run_id}: {'success' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
