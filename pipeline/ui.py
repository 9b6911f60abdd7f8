"""`budget-etl ui`: the Dagster webserver and daemon, started from this interpreter's own environment.

The executables are looked up beside sys.executable (the venv's bin), never on PATH, so
`.venv/bin/budget-etl ui` works without an activated venv; when a script is missing, its module runs
under this interpreter. The two processes are what `dagster dev` starts, without its supersession
warning (dagster 1.13 points `dagster dev` to `dg dev`, from a package this project does not use).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path


def command(script: str, module: str, *args: str) -> list[str]:
    """The venv's ``script`` if it exists beside sys.executable, else ``python -m module``."""
    exe = Path(sys.executable).parent / script
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", module, *args]


def ui_commands(workspace: Path, host: str, port: int) -> list[list[str]]:
    ws = str(workspace)
    return [command("dagster-webserver", "dagster_webserver", "-w", ws, "-h", host, "-p", str(port)),
            command("dagster-daemon", "dagster._daemon", "run", "-w", ws)]


def serve(workspace: Path, env: dict[str, str], host: str = "127.0.0.1", port: int = 3000) -> int:
    """Run the webserver and the daemon until either stops or Ctrl-C; returns the exit status."""
    cmds = ui_commands(workspace, host, port)
    print(f"DAGSTER_HOME={env.get('DAGSTER_HOME')}")
    for c in cmds:
        print(" ".join(c))
    print(f"open http://{host}:{port}", flush=True)
    procs = [subprocess.Popen(c, env=env, cwd=str(workspace.parent)) for c in cmds]

    def stop(*_: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            try:
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    return next((p.returncode for p in procs if p.returncode not in (0, None, -signal.SIGTERM)), 0)
