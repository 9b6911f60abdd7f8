"""Parsing processes a hostile document cannot take down with it, nor outlive the night.

Why: one PDF can loop forever or eat all memory inside pdfminer or pdfium, where no Python check
runs. So documents are parsed in long-lived worker processes (one interpreter each, reused document
after document, so a night pays no start-up per file) that cap their own address space (RLIMIT_AS) at
start; this process keeps each document's wall-time deadline and, when a worker overruns or dies,
kills its whole process group, records the document as ``timeout`` / ``too_large`` / ``malformed``
with the limit in plain words, and starts a fresh worker for the next one. Workers ask the kernel to
kill them when this process dies (PR_SET_PDEATHSIG), so SIGKILL of a night leaves nothing behind;
there is no multiprocessing resource tracker, since tasks and replies are JSON lines on pipes.

Run as ``python -m pipeline.workers``, this module is a worker.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipeline.config import PROJECT_ROOT, is_source_checkout
from pipeline.document.limits import ParseLimits

_PARENT_ENV = "BUDGET_ETL_WORKER_PARENT"


class _Worker:
    """One worker process and the task it is running."""

    def __init__(self, limits: ParseLimits):
        env = dict(os.environ, **limits.to_env(), **{_PARENT_ENV: str(os.getpid())})
        path = env.get("PYTHONPATH", "")
        if is_source_checkout() and str(PROJECT_ROOT) not in path.split(os.pathsep):
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), path) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.workers"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, process_group=0,
                                     close_fds=True)
        self.fd = self.proc.stdout.fileno()
        self.task: tuple[Any, dict] | None = None
        self.started = 0.0
        self._buf = bytearray()

    def receive(self) -> tuple[list[dict], bool]:
        """The complete reply lines that have arrived (unbuffered reads), and whether the pipe is open."""
        data = os.read(self.fd, 1 << 20)
        self._buf += data
        lines = []
        while (i := self._buf.find(b"\n")) >= 0:
            lines.append(json.loads(self._buf[:i]))
            del self._buf[:i + 1]
        return lines, bool(data)

    def send(self, key: Any, task: dict) -> bool:
        self.task, self.started = (key, task), time.monotonic()
        try:
            self.proc.stdin.write((json.dumps(task) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
            return True
        except OSError:
            return False

    def kill(self) -> int | None:
        """Kill the worker with everything it started (its own process group); its exit status."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        return self.proc.wait()


class ParsePool:
    """``workers`` parsing processes under ``limits``; :meth:`run` yields each task's reply.

    A reply is a dict: the task's own answer, or ``{"error": {"kind", "message"}}`` when the worker
    was stopped at the deadline or died.
    """

    def __init__(self, workers: int = 2, limits: ParseLimits | None = None):
        self.size = max(1, workers)
        self.limits = limits or ParseLimits.from_env()
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End every worker (idle ones are told to stop; a busy one at an early exit is killed)."""
        for w in self._all:
            if w.task is None:
                try:
                    w.proc.stdin.close()
                    w.proc.wait(timeout=5)
                    continue
                except (OSError, subprocess.TimeoutExpired):
                    pass
            w.kill()
        self._all.clear()
        self._idle.clear()

    def _spawn(self) -> _Worker:
        w = _Worker(self.limits)
        self._all.append(w)
        return w

    def _retire(self, w: _Worker) -> int | None:
        rc = w.kill()
        self._all.remove(w)
        return rc

    def run(self, tasks: Iterable[tuple[Any, dict]]) -> Iterator[tuple[Any, dict]]:
        """Run ``(key, task)`` pairs on the workers; yield ``(key, reply)`` as each one ends."""
        pending = deque(tasks)
        busy: dict[int, _Worker] = {}
        sel = selectors.DefaultSelector()

        def free(w: _Worker) -> None:
            sel.unregister(w.fd)
            del busy[w.fd]

        done: list[tuple[Any, dict]] = []   # replies collected, yielded once the freed workers
        try:                                  # have their next document (no worker idles meanwhile)
            while pending or busy or done:
                while pending and len(busy) < self.size:
                    w = self._idle.pop() if self._idle else self._spawn()
                    if w.proc.poll() is not None:   # died while idle: not this document's doing
                        self._retire(w)
                        w = self._spawn()
                    key, task = pending.popleft()
                    if not w.send(key, task):
                        done.append((key, self._died(w)))
                        continue
                    busy[w.fd] = w
                    sel.register(w.fd, selectors.EVENT_READ, w)
                if done:
                    yield from done
                    done.clear()
                    continue
                now = time.monotonic()
                wait = min(w.started + self.limits.timeout_s - now for w in busy.values())
                for sk, _ in sel.select(max(0.0, wait)):
                    w = sk.data
                    replies, alive = w.receive()
                    for reply in replies:
                        if reply.get("ready"):   # imports done: the deadline counts from here
                            w.started = time.monotonic()
                            continue
                        free(w)
                        key, w.task = w.task[0], None
                        if reply.pop("retire", False):
                            self._retire(w)
                        else:
                            self._idle.append(w)
                        done.append((key, reply))
                        break
                    else:
                        if not alive:
                            free(w)
                            done.append((w.task[0], self._died(w)))
                now = time.monotonic()
                for w in list(busy.values()):
                    if now - w.started >= self.limits.timeout_s:
                        free(w)
                        key = w.task[0]
                        self._retire(w)
                        done.append((key, {"error": {"kind": "timeout", "message": (
                            f"parsing took longer than the limit of {self.limits.timeout_s:g} s; "
                            "the parsing process was stopped")}}))
        finally:
            sel.close()

    def _died(self, w: _Worker) -> dict:
        rc = self._retire(w)
        return {"error": died_error(rc, self.limits)}


def died_error(rc: int | None, limits: ParseLimits) -> dict:
    """What a worker's exit status says about the document it was parsing, in plain words."""
    if rc is not None and rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        if -rc in (signal.SIGABRT, signal.SIGKILL):   # pdfium aborts when an allocation fails
            return {"kind": "too_large", "message": (
                f"the parsing process was stopped ({name}), most likely at its memory limit of "
                f"{limits.memory_mib} MiB")}
        return {"kind": "malformed", "message": f"the PDF library crashed on this file ({name})"}
    return {"kind": "parser_error", "message": f"the parsing process exited with status {rc}; please report it"}


# --- the worker side -------------------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when the parent dies; exit now if it already has."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)            # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _handle(task: dict) -> dict:
    op = task["op"]
    if op == "parse_only":
        from pipeline.config import Home
        from pipeline.process import parse_only
        from pipeline.sources.base import SourceDocument

        home = Home(**{k: Path(v) for k, v in task["home"].items()})
        d = dict(task["doc"])
        d["path"] = Path(d["path"]) if d.get("path") else None
        out, _ = parse_only(home, SourceDocument(**d), force=task.get("force", False))
        return {"outcome": asdict(out), "retire": out.error_kind == "too_large"}
    if op == "parse_file":
        from pipeline.model import DocumentError
        from pipeline.parse import parse_document, source_info

        path = Path(task["path"])
        try:
            return {"result": parse_document(path).to_dict()}
        except DocumentError as e:
            return {"error": e.to_dict(), "source": source_info(path), "retire": e.kind == "too_large"}
    raise ValueError(f"unknown task {op!r}")


def worker_main() -> None:
    """Read tasks (JSON lines) on stdin, answer each on the original stdout, until stdin closes."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)                 # anything a library prints goes to stderr, not into the replies
    _die_with_parent(int(os.environ.get(_PARENT_ENV, os.getppid())))
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when a worker stops
    from pipeline.document.limits import install_guards, set_memory_limit

    limits = ParseLimits.from_env()
    set_memory_limit(limits.memory_mib)
    install_guards(limits)
    import pipeline.parse  # noqa: F401  (imported once, before the first document)
    import pipeline.process  # noqa: F401

    proto.write('{"ready": true}\n')
    proto.flush()
    for line in sys.stdin:
        task = json.loads(line)
        try:
            reply = _handle(task)
        except MemoryError:
            reply = {"error": {"kind": "too_large", "message": (
                f"the document needs more memory than the parsing limit of {limits.memory_mib} MiB")},
                "retire": True}
        except Exception as e:  # a bug of ours: this document fails, the worker goes on
            reply = {"error": {"kind": "parser_error", "message": f"{type(e).__name__}: {e}"}}
        proto.write(json.dumps(reply, ensure_ascii=True) + "\n")
        proto.flush()
        if reply.get("retire"):
            break


if __name__ == "__main__":
    worker_main()
