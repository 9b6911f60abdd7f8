"""Real services on 127.0.0.1 for the distributed night: Postgres, redis-server, an S3 endpoint (moto's
server mode) and Celery worker processes. Used by tests/test_scale_integration.py and
bench/bench_scale.py; each start raises ServiceUnavailable with the reason when it cannot.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = Path(os.environ["BUDGET_ETL_PG_BIN"]) if os.environ.get("BUDGET_ETL_PG_BIN") else _pg_bin()
PROJECT = Path(__file__).resolve().parent.parent
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class ServiceUnavailable(RuntimeError):
    """A service the distributed night needs cannot start here (the reason is the message)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen | None, what: str, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise ServiceUnavailable(f"{what} exited at start (code {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServiceUnavailable(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


class Services:
    """Starts what the distributed night needs; `stop()` ends every process it started."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.procs: list[subprocess.Popen] = []
        self.pg_dir: Path | None = None
        self.moto = None
        self.env: dict[str, str] = {}

    # -- Postgres ---------------------------------------------------------------------------------

    def start_postgres(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise ServiceUnavailable(f"no PostgreSQL binaries in {PG_BIN} (apt-get install postgresql)")
        # Postgres refuses to run as root: a throwaway cluster owned by the `postgres` system user, in a
        # folder that user can reach (pytest's own tmp is private to root).
        as_user: list[str] = []
        self.pg_dir = Path(tempfile.mkdtemp(prefix="budget-etl-pg-"))
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise ServiceUnavailable("running as root and no `postgres` system user to run Postgres as") from None
            os.chown(self.pg_dir, pw.pw_uid, pw.pw_gid)
            as_user = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        data = self.pg_dir / "data"
        r = subprocess.run(as_user + [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                      "-E", "UTF8", "--no-sync"], capture_output=True, text=True)
        if r.returncode != 0:
            raise ServiceUnavailable(f"initdb failed: {r.stderr.strip()[-500:]}")
        r = subprocess.run(as_user + [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.pg_dir / "log"), "-w",
                                      "-t", "60", "-o", f"-h 127.0.0.1 -p {port} -k {self.pg_dir} -F", "start"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            log = (self.pg_dir / "log").read_text(errors="replace")[-500:] if (self.pg_dir / "log").exists() else ""
            raise ServiceUnavailable(f"Postgres did not start: {r.stderr.strip()[-300:]} {log}")
        self._pg_as = as_user
        self.env.update({"DAGSTER_PG_USERNAME": "postgres", "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_HOST": "127.0.0.1",
                         "DAGSTER_PG_DB": "postgres", "DAGSTER_PG_PORT": str(port)})

    # -- Redis --------------------------------------------------------------------------------------

    def start_redis(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise ServiceUnavailable("no redis-server (apt-get install redis-server)")
        port = free_port()
        d = self.root / "redis"
        d.mkdir(parents=True, exist_ok=True)
        p = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--dir", str(d)], stdout=open(d / "log", "wb"), stderr=subprocess.STDOUT)
        self.procs.append(p)
        _wait_port(port, p, "redis-server")
        self.env["BUDGET_ETL_CELERY_BROKER"] = f"redis://127.0.0.1:{port}/0"
        self.env["BUDGET_ETL_CELERY_BACKEND"] = f"redis://127.0.0.1:{port}/1"

    # -- S3 -----------------------------------------------------------------------------------------

    def start_s3(self, bucket: str = "district") -> None:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as e:
            raise ServiceUnavailable(f"moto's server mode is not installed ({e}): pip install -e '.[scale]'") from e
        port = free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.moto.start()
        _wait_port(port, None, "moto S3 server")
        endpoint = f"http://127.0.0.1:{port}"
        os.environ.update(S3_KEYS)
        import boto3

        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        self.env.update(S3_KEYS)
        self.env["BUDGET_ETL_S3_ENDPOINT"] = endpoint
        self.bucket = bucket

    # -- instance and workers -------------------------------------------------------------------------

    def write_dagster_home(self) -> Path:
        """A DAGSTER_HOME with the deployment profile's dagster.yaml (Postgres storage, step logs on S3)."""
        home = self.root / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        self.env["DAGSTER_HOME"] = str(home)
        self.env["DAGSTER_COMPUTE_LOG_BUCKET"] = self.bucket   # step logs beside the data (start_s3 first)
        return home

    def start_worker(self, name: str, queues: str, env: dict[str, str], role: str = "parse") -> subprocess.Popen:
        """One Celery worker process (concurrency 1) in its own process group, its log in root/<name>.log."""
        full = {**os.environ, **self.env, **env, "BUDGET_ETL_CELERY_ROLE": role,
                "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")])}
        log = self.root / f"{name}.log"
        p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "assets.celery_app", "worker", "-Q", queues,
                              "-c", "1", "-n", f"{name}@%h", "--loglevel", "INFO", "--without-gossip",
                              "--without-mingle", "--without-heartbeat"],
                             cwd=str(PROJECT), env=full, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append(p)
        end = time.monotonic() + 90
        while time.monotonic() < end:
            if p.poll() is not None:
                raise ServiceUnavailable(f"Celery worker {name} exited at start: {log.read_text(errors='replace')[-800:]}")
            if b" ready." in log.read_bytes():
                return p
            time.sleep(0.2)
        raise ServiceUnavailable(f"Celery worker {name} not ready within 90 s: {log.read_text(errors='replace')[-800:]}")

    @staticmethod
    def kill(p: subprocess.Popen) -> None:
        """Kill a worker the way a host dies: SIGKILL to its whole process group, no goodbye."""
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=30)

    def stop_worker(self, p: subprocess.Popen) -> None:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(p)
        if p in self.procs:
            self.procs.remove(p)

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL) if os.getpgid(p.pid) == p.pid else p.kill()
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        self.procs.clear()
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        if self.pg_dir is not None:
            subprocess.run(getattr(self, "_pg_as", []) + [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir / "data"),
                                                           "-m", "immediate", "stop"], capture_output=True)
            shutil.rmtree(self.pg_dir, ignore_errors=True)
            self.pg_dir = None


def warehouse_rows(db_path: Path) -> dict[str, list[tuple]]:
    """budget_lines and check_results as sorted lists of rows, without what differs by run (run ids,
    timestamps): two warehouses of the same documents must be equal here, row for row."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        out = {}
        for table, skip in (("budget_lines", set()), ("check_results", {"run_id", "checked_at"}),
                            ("documents", None)):
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            if skip is None:   # documents: what was loaded and how it ended, not when
                cols = [c for c in ("document_id", "sha", "status", "error_kind", "parser_version", "year", "pages") if c in cols]
            else:
                cols = [c for c in cols if c not in skip]
            sel = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in cols)
            out[table] = sorted(con.execute(f"SELECT {sel} FROM {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()
