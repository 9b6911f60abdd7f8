"""`budget-etl`: parse one PDF, make the demo district, run a night, query the warehouse, open the UI."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pipeline.config import DEMO_DEPARTMENTS, DEMO_SEED, PROJECT_ROOT, Home


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UserError as e:
        print(f"budget-etl: {e}", file=sys.stderr)
        return 2


class UserError(Exception):
    """A mistake in how the command was called; printed in plain words, without a traceback."""


def cmd_parse(args: argparse.Namespace) -> int:
    from pipeline.model import DocumentError
    from pipeline.parse import parse_document, source_info

    path = Path(args.file)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    try:
        result = parse_document(path)
    except DocumentError as e:
        print(json.dumps({"source": source_info(path), "error": e.to_dict()}, ensure_ascii=False,
                         indent=args.indent))
        return 3
    print(result.to_json(indent=args.indent))
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from pipeline.demo import generate_district

    manifest = generate_district(Path(args.dir), seed=args.seed, departments=args.departments,
                                 faults=not args.no_faults, broken=not args.no_broken)
    files = getattr(manifest, "files", None)
    print(f"wrote the demo district to {args.dir}" + (f" ({len(files)} files)" if files else ""))
    return 0


def _home(args: argparse.Namespace) -> Home:
    return Home.at(args.home)


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
    from assets.run import failure_message, run_night_in_dagster
    from pipeline.summary import LAST_NIGHT, load_summary, render_summary

    home = _home(args).ensure()
    inbox = Path(args.inbox).resolve() if args.inbox else None
    if inbox is not None and not inbox.is_dir():
        raise UserError(f"the inbox {inbox} is not a folder")
    if inbox is None and not args.portal:
        inbox = ensure_demo_inbox(home)
    (home.reports / LAST_NIGHT).unlink(missing_ok=True)
    result = run_night_in_dagster(home, inbox=inbox, portal=args.portal, workers=args.workers,
                                  force=args.force, gx=not args.no_gx,
                                  roster=Path(args.roster) if args.roster else None)
    summary = load_summary(home)
    if summary is not None:
        print(render_summary(summary))
    print(f"dagster:   run {result.run_id} in {home.data / 'dagster_home'} (budget-etl ui"
          + ("" if home == Home.at(None) else f" --home {home.root}") + ")")
    if not result.success:
        print(f"budget-etl: the night failed: {failure_message(result)}", file=sys.stderr)
        return 1
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from pipeline.load.sql import format_table, run_sql

    home = _home(args)
    if not home.db_path.exists():
        raise UserError(f"no warehouse at {home.db_path}: run `budget-etl run` first")
    try:
        columns, rows = run_sql(home.db_path, args.query)
    except Exception as e:  # duckdb's own message says what is wrong with the SQL
        raise UserError(str(e).splitlines()[0]) from None
    print(format_table(columns, rows, fmt=args.format))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.checks import run_checks
    from pipeline.report import write_report

    home = _home(args)
    if not home.db_path.exists():
        raise UserError(f"no warehouse at {home.db_path}: run `budget-etl run` first")
    if args.recheck:
        run_checks(home.db_path, roster=Path(args.roster) if args.roster else None)
    print(write_report(home.db_path, home.reports))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    if args.identities:
        from pipeline.evaluate_identities import evaluate_identities, format_identity_scores

        home = _home(args)
        if not home.db_path.exists():
            raise UserError(f"no warehouse at {home.db_path}: run `budget-etl run --inbox {args.dir}` first")
        print(format_identity_scores(evaluate_identities(Path(args.dir), home.db_path)))
        return 0
    from pipeline.evaluate import evaluate_dir

    report = evaluate_dir(Path(args.dir))
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
    if not os.environ.get("BUDGET_ETL_INBOX") and not os.environ.get("BUDGET_ETL_PORTAL"):
        ensure_demo_inbox(home)  # so the schedule and sensor have the demo district to discover
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home), BUDGET_ETL_HOME=str(home.root))
    return serve(PROJECT_ROOT / "workspace.yaml", env, host=args.host, port=args.port)


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
    s.set_defaults(func=cmd_demo_data)

    home_help = "folder for the warehouse, staging area and reports (default: the project's warehouse/ and data/)"
    s = sub.add_parser("run", help="discover, parse, load, check and report (the demo district by default)")
    src = s.add_mutually_exclusive_group()
    src.add_argument("--inbox", help="a folder of PDFs (sub-folders included)")
    src.add_argument("--portal", help="the start URL of a district's 预决算公开 column")
    s.add_argument("--home", help=home_help)
    s.add_argument("--workers", type=int, default=2, help="parsing processes (default 2)")
    s.add_argument("--force", action="store_true", help="parse every document again")
    s.add_argument("--roster", help="CSV of the departments expected (department_code,name,years)")
    s.add_argument("--no-gx", action="store_true", help="skip the great-expectations Data Docs")
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
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("eval", help="compare parser output (or, with --identities, the checks) with truth in DIR")
    s.add_argument("dir")
    s.add_argument("--identities", action="store_true",
                   help="score the warehouse's check results against the truth's identities (needs --home)")
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
