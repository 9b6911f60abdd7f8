"""`budget-etl`: parse one PDF, make the demo district, run a night, query the warehouse, open the UI."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pipeline.config import DEMO_DEPARTMENTS, DEMO_SEED, Home


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from pipeline.night_errors import NightError

    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UserError as e:
        print(f"budget-etl: {e}", file=sys.stderr)
        return 2
    except NightError as e:
        print(f"budget-etl: {e}", file=sys.stderr)
        return e.exit_code
    except Exception as e:
        plain = _plain_failure(e)
        if plain is None:
            raise
        print(f"budget-etl: {plain[1]}", file=sys.stderr)
        return plain[0]


def _plain_failure(e: Exception) -> tuple[int, str] | None:
    """(exit code, message) for failures of the machine rather than of this code: a last resort
    for a full disk or a held DuckDB file surfacing where no stage translated it."""
    from pipeline.load.snapshot import holder_of, is_lock_error
    from pipeline.night_errors import DiskFull, WarehouseBusy, is_disk_full
    from pipeline.sources.portal import PortalError

    if isinstance(e, PortalError):
        from pipeline.night_errors import SourceUnavailable

        return SourceUnavailable.exit_code, str(e)
    if is_disk_full(e):
        return DiskFull.exit_code, (f"the disk is full ({str(e).splitlines()[0][:200]}); free some space "
                                    f"and run again: the next run completes the work")
    if is_lock_error(e):
        return WarehouseBusy.exit_code, f"the warehouse is open in another process ({holder_of(e)}); try again later"
    return None


class UserError(Exception):
    """A mistake in how the command was called; printed in plain words, without a traceback."""


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse one file in a parsing process under the document limits: exit 0 (JSON) or 3 (typed error).

    Whatever the file is (a FIFO, a folder, a link to /dev/zero, a decompression bomb, a reference
    cycle), the answer comes within the deadline and is never a traceback.
    """
    from pipeline.document.limits import ParseLimits
    from pipeline.document.reader import check_file, source_info
    from pipeline.model import DocumentError
    from pipeline.workers import ParsePool

    path = Path(args.file)
    if not os.path.lexists(path):
        raise UserError(f"no such file: {path}")
    limits = ParseLimits.from_env()
    try:
        check_file(path, limits)    # stat only: nothing is opened before the worker does it
    except DocumentError as e:
        reply = {"error": e.to_dict()}
    else:
        with ParsePool(1, limits) as pool:
            [(_, reply)] = list(pool.run([(0, {"op": "parse_file", "path": str(path.absolute())})]))
    if "result" in reply:
        print(json.dumps(reply["result"], ensure_ascii=False, indent=args.indent))
        return 0
    source = reply.get("source") or source_info(path, count_pages=False)
    print(json.dumps({"source": source, "error": reply["error"]}, ensure_ascii=False, indent=args.indent))
    return 3


def cmd_demo_data(args: argparse.Namespace) -> int:
    from pipeline.demo import generate_district

    manifest = generate_district(Path(args.dir), seed=args.seed, departments=args.departments,
                                 faults=not args.no_faults, broken=not args.no_broken,
                                 scanned=args.scanned)
    files = getattr(manifest, "files", None)
    print(f"wrote the demo district to {args.dir}" + (f" ({len(files)} files)" if files else ""))
    return 0


def _home(args: argparse.Namespace, must_exist: bool = False) -> Home:
    """The home of ``--home`` (else $BUDGET_ETL_HOME, else the project); HomeMissing if it must exist."""
    from pipeline.night_errors import HomeMissing

    home = Home.at(args.home)
    if must_exist and not home.root.is_dir():
        raise HomeMissing(f"no home at {home.root} (no such folder): check --home or $BUDGET_ETL_HOME")
    if must_exist and not home.db_path.exists():
        raise HomeMissing(f"no warehouse at {home.db_path}: run `budget-etl run` first")
    return home


def ensure_demo_inbox(home: Home, progress=print) -> Path:
    """Render the demo district into the home's inbox unless it is already there (deterministic)."""
    marker = home.inbox / "manifest.json"
    if not marker.exists():
        from pipeline.demo import generate_district

        progress(f"rendering the demo district into {home.inbox} …")
        generate_district(home.inbox)
    return home.inbox


def cmd_run(args: argparse.Namespace) -> int:
    """The night as a Dagster run on the home's instance: the UI shows it like a scheduled night."""
    from assets.run import failure_message, night_error_of, run_night_in_dagster
    from pipeline.night_errors import HomeMissing, disk_full_after, raise_if_disk_full
    from pipeline.nightlock import night_lock
    from pipeline.settings import settings
    from pipeline.summary import LAST_NIGHT, load_summary, render_summary

    home = _home(args)
    inbox = Path(args.inbox).resolve() if args.inbox else None
    if inbox is not None and not inbox.is_dir():
        raise UserError(f"the inbox {inbox} is not a folder")
    try:
        home.ensure()
    except OSError as e:
        raise_if_disk_full(e, f"creating the home {home.root}")
        raise HomeMissing(f"cannot create the home {home.root}: {e.strerror or e}") from None
    with night_lock(home, wait=args.wait):
        if inbox is None and not args.portal:
            inbox = ensure_demo_inbox(home)
        (home.reports / LAST_NIGHT).unlink(missing_ok=True)
        try:
            st = settings()
            result = run_night_in_dagster(home, inbox=inbox, portal=args.portal,
                                          workers=args.workers or st.workers, force=args.force,
                                          gx=st.gx and not args.no_gx,
                                          roster=Path(args.roster) if args.roster else None)
        except Exception as e:  # e.g. the Dagster instance's SQLite failing on a full disk
            full = disk_full_after(f"{type(e).__name__}: {e}", home.root)
            if full is not None:
                raise full from None
            raise
    summary = load_summary(home)
    if summary is not None:
        print(render_summary(summary))
    print(f"dagster:   run {result.run_id} in {home.dagster_home} (budget-etl ui"
          + ("" if home == Home.at(None) else f" --home {home.root}") + ")")
    if not result.success:
        typed = night_error_of(result) or disk_full_after(failure_message(result), home.root)
        if typed is not None:
            raise typed
        print(f"budget-etl: the night failed: {failure_message(result)}", file=sys.stderr)
        return 1
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from pipeline.load.sql import format_table, run_sql

    home = _home(args, must_exist=True)
    from pipeline.night_errors import NightError

    try:
        columns, rows = run_sql(home.db_path, args.query)
    except NightError:
        raise
    except Exception as e:  # duckdb's own message says what is wrong with the SQL
        raise UserError(str(e).splitlines()[0]) from None
    print(format_table(columns, rows, fmt=args.format))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The night's post-load sequence (pipeline.night.finish_stages), the report always rewritten:
    with --recheck, or when the warehouse changed since the last checks, the checks, the readers'
    snapshot and the GX suites run first, exactly as in a night."""
    from pipeline.night import NightSummary, finish_stages
    from pipeline.nightlock import night_lock
    from pipeline.settings import settings

    home = _home(args, must_exist=True)
    with night_lock(home, wait=args.wait):
        summary = NightSummary(home=home)
        finish_stages(home, summary, roster=Path(args.roster) if args.roster else None,
                      gx=settings().gx and not args.no_gx, recheck=args.recheck, rewrite_report=True,
                      progress=lambda _line: None)
        print(summary.report)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    if args.identities:
        from pipeline.evaluation.identity_scores import evaluate_identities, format_identity_scores

        home = _home(args)
        if not home.db_path.exists():
            raise UserError(f"no warehouse at {home.db_path}: run `budget-etl run --inbox {args.dir}` first")
        print(format_identity_scores(evaluate_identities(Path(args.dir), home.db_path)))
        return 0
    from pipeline.evaluation.parse_scores import evaluate_dir

    report = evaluate_dir(Path(args.dir), Path(args.truth) if args.truth else None)
    print(report)
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """The Dagster webserver and daemon on this project's code location and the home's instance.

    Both are this venv's own executables (found beside sys.executable, so no PATH is needed), started
    the way `dagster dev` starts them, without its supersession warning; Ctrl-C stops both.
    """
    from assets.run import dagster_home as make_dagster_home
    from pipeline.ui import serve

    home = _home(args).ensure()
    dagster_home = make_dagster_home(home)
    from pipeline.settings import settings

    if not settings().inbox and not settings().portal:
        ensure_demo_inbox(home)  # so the schedule and sensor have the demo district to discover
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home), BUDGET_ETL_HOME=str(home.root))
    return serve(workspace_yaml(home), env, host=args.host, port=args.port)


def workspace_yaml(home: Home) -> Path:
    """The code location's workspace file: the checkout's own, or one written into the home's Dagster
    folder for an installed package (which has no project folder to hold it)."""
    from pipeline.config import PROJECT_ROOT, is_source_checkout

    if is_source_checkout() and (PROJECT_ROOT / "workspace.yaml").is_file():
        return PROJECT_ROOT / "workspace.yaml"
    p = home.dagster_home / "workspace.yaml"
    p.write_text("load_from:\n  - python_module:\n      module_name: assets.definitions\n"
                 "      location_name: district_budget_etl\n", encoding="utf-8")
    return p


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="budget-etl", description=__doc__)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    s = sub.add_parser("parse", help="print the CONTRACT.md JSON of one disclosure PDF")
    s.add_argument("file")
    s.add_argument("--indent", type=int, default=1)
    s.set_defaults(func=cmd_parse)

    s = sub.add_parser("demo-data", help="render the demo district (PDFs + truth JSON) into DIR")
    s.add_argument("dir")
    s.add_argument("--seed", type=int, default=DEMO_SEED)
    s.add_argument("--departments", type=int, default=DEMO_DEPARTMENTS)
    s.add_argument("--no-faults", action="store_true", help="no injected accounting faults")
    s.add_argument("--no-broken", action="store_true", help="no broken files")
    s.add_argument("--scanned", action="store_true",
                   help="add a scanned disclosure (image-only pages; parsed by OCR, ~1 min)")
    s.set_defaults(func=cmd_demo_data)

    home_help = "folder for the warehouse, staging area and reports (default: the project's warehouse/ and data/)"
    s = sub.add_parser("run", help="discover, parse, load, check and report (the demo district by default)")
    src = s.add_mutually_exclusive_group()
    src.add_argument("--inbox", help="a folder of PDFs (sub-folders included)")
    src.add_argument("--portal", help="the start URL of a district's 预决算公开 column")
    s.add_argument("--home", help=home_help)
    s.add_argument("--workers", type=int, default=None,
                   help="parsing processes (default $BUDGET_ETL_WORKERS or 2)")
    s.add_argument("--force", action="store_true", help="parse every document again")
    s.add_argument("--roster", help="CSV of the departments expected (department_code,name,years)")
    s.add_argument("--no-gx", action="store_true", help="skip the great-expectations Data Docs")
    s.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another night on the same home (default: exit 75 at once)")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("sql", help="run read-only SQL on the warehouse")
    s.add_argument("query")
    s.add_argument("--home", help=home_help)
    s.add_argument("--format", choices=("table", "csv", "json"), default="table")
    s.set_defaults(func=cmd_sql)

    s = sub.add_parser("report", help="write the discrepancy report (HTML) and print its path")
    s.add_argument("--home", help=home_help)
    s.add_argument("--recheck", action="store_true", help="run the identity checks again first")
    s.add_argument("--roster")
    s.add_argument("--no-gx", action="store_true", help="skip the great-expectations Data Docs")
    s.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for a night running on the same home (default: exit 75 at once)")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("eval", help="compare parser output (or, with --identities, the checks) with truth in DIR")
    s.add_argument("dir")
    s.add_argument("--identities", action="store_true",
                   help="score the warehouse's check results against the truth's identities (needs --home)")
    s.add_argument("--truth", help="a folder of corpus-format truth files whose `file` is relative to DIR "
                                   "(e.g. tests/truth/cities); default: DIR/truth")
    s.add_argument("--home", help=home_help)
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("ui", help="open the Dagster UI (webserver + daemon) on this project's home")
    s.add_argument("--home", help=home_help)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=3000)
    s.set_defaults(func=cmd_ui)
    return p


if __name__ == "__main__":
    sys.exit(main())
