"""Hostile inputs (built here, never stored): `parse` answers within its deadline, a night survives them.

Issue 17: a self-referencing object hung the night forever, zip bombs took gigabytes, a FIFO blocked,
a GBK file name crashed discovery, trailing bytes after %%EOF were called truncated, and killing a
night left its workers alive. Small limits (set by environment) keep these tests fast; the limits'
own defaults are for real documents.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

import hostile

PY = sys.executable
DEADLINE_S = 20
LIMITS = {
    "BUDGET_ETL_PARSE_TIMEOUT": str(DEADLINE_S),
    "BUDGET_ETL_PARSE_MEMORY_MIB": "600",
    "BUDGET_ETL_PARSE_MAX_STREAM_MIB": "16",
    "BUDGET_ETL_PARSE_MAX_PAGES": "200",
    "BUDGET_ETL_PARSE_MAX_CHARS": "20000",
    "BUDGET_ETL_PARSE_MAX_OBJECTS": "40000",
}
#: Start-up of the CLI and of its parsing process, on a loaded 2-core machine.
STARTUP_S = 30


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, **LIMITS, **extra}


def _without_dac_override() -> None:
    """Run as root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, so that mode 000 is unreadable.

    The tests run as root, which reads any file whatever its mode; dropping the two capabilities
    from the bounding set before exec makes a chmod 000 file really unreadable to the child.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):   # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, cap, 0, 0, 0)   # PR_CAPBSET_DROP


@pytest.fixture(scope="session")
def good_pdfs(tmp_path_factory) -> list[Path]:
    """Three documents rendered by the project's own generator (fixed seed), no faults."""
    from pipeline.demo import generate_district

    out = tmp_path_factory.mktemp("hostile-good")
    generate_district(out, departments=3, years=(2023,), faults=False, broken=False, include_seed=False)
    pdfs = sorted(out.glob("2023/*.pdf"))
    assert len(pdfs) == 3
    return pdfs


@pytest.fixture(scope="session")
def hostile_files(good_pdfs, tmp_path_factory) -> dict[str, tuple[Path, set[str]]]:
    """name → (file, the error kinds it may get; {'ok'} for a file that must parse)."""
    d = tmp_path_factory.mktemp("hostile")
    good = good_pdfs[0].read_bytes()
    made: dict[str, tuple[bytes, set[str]]] = {
        "self_reference": (hostile.self_reference(), {"malformed"}),
        "reference_cycle": (hostile.reference_cycle(), {"malformed"}),
        "page_tree_cycle": (hostile.page_tree_cycle(), {"ok", "malformed", "unreadable", "no_text"}),
        "zip_bomb": (hostile.zip_bomb(1.0), {"too_large"}),
        "double_zip_bomb": (hostile.double_zip_bomb(1.0), {"too_large"}),
        "char_bomb": (hostile.char_bomb(600_000), {"too_large"}),
        "drawing_bomb": (hostile.drawing_bomb(300_000), {"too_large"}),
        "many_pages": (hostile.many_pages(2000), {"too_large"}),
        "deep_nesting": (hostile.deep_nesting(100_000), {"ok", "malformed", "unreadable"}),
        "trailing_bytes": (hostile.trailing_bytes(good, 10_000), {"ok"}),
        "truncated_10": (hostile.truncated(good, 0.1), {"truncated"}),
        "truncated_60": (hostile.truncated(good, 0.6), {"truncated"}),
    }
    any_kind = {"ok", "truncated", "malformed", "unreadable", "too_large", "no_text", "not_pdf",
                "parser_error", "encrypted"}
    for seed in (1, 2, 3):
        made[f"byte_flips_{seed}"] = (hostile.byte_flips(good, seed), any_kind - {"parser_error"})
    files = {}
    for name, (data, kinds) in made.items():
        p = d / f"{name}.pdf"
        p.write_bytes(data)
        files[name] = (p, kinds)
    fifo = d / "fifo.pdf"
    os.mkfifo(fifo)
    files["fifo"] = (fifo, {"unreadable"})
    (d / "folder.pdf").mkdir()
    files["folder"] = (d / "folder.pdf", {"unreadable"})
    (d / "zero.pdf").symlink_to("/dev/zero")
    files["dev_zero_link"] = (d / "zero.pdf", {"unreadable"})
    locked = d / "locked.pdf"
    locked.write_bytes(good)
    locked.chmod(0)
    files["unreadable"] = (locked, {"unreadable"})
    return files


def _parse(path: Path, **env: str) -> tuple[int, dict, str, float]:
    t = time.monotonic()
    p = subprocess.run([PY, "-m", "pipeline.cli", "parse", "--indent", "0", str(path)], capture_output=True,
                       text=True, env=_env(**env), timeout=DEADLINE_S + STARTUP_S + 30,
                       preexec_fn=_without_dac_override)
    elapsed = time.monotonic() - t
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else {}), p.stderr, elapsed


CASES = ["self_reference", "reference_cycle", "page_tree_cycle", "zip_bomb", "double_zip_bomb",
         "char_bomb", "drawing_bomb", "many_pages", "deep_nesting", "trailing_bytes", "truncated_10",
         "truncated_60", "byte_flips_1", "byte_flips_2", "byte_flips_3", "fifo", "folder",
         "dev_zero_link", "unreadable"]


@pytest.mark.parametrize("case", CASES)
def test_parse_answers_a_hostile_file_with_json_or_a_typed_error_in_time(hostile_files, case):
    path, kinds = hostile_files[case]
    rc, out, err, elapsed = _parse(path)
    assert rc in (0, 3), f"exit {rc}: {err[-2000:]}"
    assert "Traceback" not in err
    assert elapsed < DEADLINE_S + STARTUP_S, f"{case} took {elapsed:.0f} s"
    kind = "ok" if rc == 0 else out["error"]["kind"]
    assert kind in kinds, (case, out.get("error"))
    if rc == 3:
        assert out["error"]["message"].strip()
        if kind == "too_large":   # the limit that tripped is named with its value
            assert any(v in out["error"]["message"] for v in ("16 MiB", "200", "20000", "40000")), out


def test_trailing_bytes_after_eof_change_nothing(hostile_files, good_pdfs):
    """Junk after %%EOF (more than the 4 KB tail window) is not a truncation: same tables, same rows."""
    rc_a, a, _, _ = _parse(good_pdfs[0])
    rc_b, b, _, _ = _parse(hostile_files["trailing_bytes"][0])
    assert rc_a == rc_b == 0
    assert len(a["tables"]) > 5
    assert [(t["kind"], len(t["rows"])) for t in a["tables"]] == [(t["kind"], len(t["rows"])) for t in b["tables"]]


def test_the_memory_limit_and_the_deadline_stop_what_the_caps_let_through(hostile_files):
    """With the counting caps lifted, the worker's memory limit and the parent's deadline still hold."""
    no_caps = {"BUDGET_ETL_PARSE_MAX_STREAM_MIB": "100000", "BUDGET_ETL_PARSE_MAX_CHARS": "100000000",
               "BUDGET_ETL_PARSE_MAX_OBJECTS": "100000000"}
    rc, out, err, _ = _parse(hostile_files["zip_bomb"][0], **no_caps, BUDGET_ETL_PARSE_MEMORY_MIB="400")
    assert rc == 3 and out["error"]["kind"] == "too_large", err[-2000:]
    assert "400 MiB" in out["error"]["message"]
    rc, out, err, elapsed = _parse(hostile_files["drawing_bomb"][0], **no_caps, BUDGET_ETL_PARSE_TIMEOUT="3")
    assert rc == 3 and out["error"]["kind"] == "timeout", err[-2000:]
    assert "3 s" in out["error"]["message"]
    assert elapsed < 3 + STARTUP_S


class _TreePeak:
    """Peak of the summed RSS of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int):
        self.pid, self.peak_kib, self.seen = pid, 0, set()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            tree = _descendants(self.pid) | {self.pid}
            self.seen |= tree - {self.pid}
            total = 0
            for pid in tree:
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                except OSError:
                    pass
            self.peak_kib = max(self.peak_kib, total)

    def __enter__(self) -> "_TreePeak":
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_night_over_hostile_inputs_loads_every_good_file_and_records_every_bad_one(
        hostile_files, good_pdfs, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, (path, kinds) in hostile_files.items():
        if path.is_symlink():
            (inbox / path.name).symlink_to(os.readlink(path))
        elif path.is_fifo():
            os.mkfifo(inbox / path.name)
        elif path.is_dir():
            (inbox / path.name).mkdir()
        elif name != "unreadable":
            (inbox / path.name).write_bytes(path.read_bytes())
    (inbox / "locked.pdf").write_bytes(good_pdfs[1].read_bytes())
    (inbox / "locked.pdf").chmod(0)   # unreadable: the night runs without CAP_DAC_OVERRIDE
    good_dir = inbox / "2023"
    good_dir.mkdir()
    for p in good_pdfs:
        (good_dir / p.name).write_bytes(p.read_bytes())
    gbk = os.fsencode(good_dir) + b"/" + "部门预算公开".encode("gbk") + b".pdf"
    with open(gbk, "wb") as f:
        f.write(good_pdfs[2].read_bytes())
    (inbox / "link_inside.pdf").symlink_to(Path("2023") / good_pdfs[0].name)
    (inbox / "link_outside.pdf").symlink_to(good_pdfs[0])
    (inbox / "broken_link.pdf").symlink_to("nowhere.pdf")
    (inbox / ".hidden.pdf").write_bytes(good_pdfs[0].read_bytes())
    (inbox / "download.pdf.part").write_bytes(good_pdfs[0].read_bytes()[:1000])

    home = tmp_path / "home"
    proc = subprocess.Popen([PY, "-m", "pipeline.cli", "run", "--inbox", str(inbox), "--no-gx", "--home",
                             str(home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(), preexec_fn=_without_dac_override)
    with _TreePeak(proc.pid) as peak:
        out, err = proc.communicate(timeout=600)
    print(f"\npeak RSS of the whole night (process tree): {peak.peak_kib / 1024:.0f} MiB")
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    assert peak.peak_kib < 1024 * 1024, f"the night peaked at {peak.peak_kib / 1024:.0f} MiB"
    assert "hidden" in out and ".hidden.pdf" in out and "download.pdf.part" in out, "skip rules are said"

    con = duckdb.connect(str(home / "warehouse" / "district.duckdb"), read_only=True)
    try:
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT source, status, coalesce(last_error_kind, error_kind), coalesce(last_error, error) "
            "FROM documents").fetchall()}
    finally:
        con.close()
    good = {f"2023/{p.name}" for p in good_pdfs} | {"2023/部门预算公开.pdf", "link_inside.pdf",
                                                    "trailing_bytes.pdf"}
    for src in good:
        assert rows.get(src, ("missing",))[0] == "loaded", (src, rows.get(src))
    expected_bad = {f"{p.name}" for n, (p, k) in hostile_files.items() if "ok" not in k}
    expected_bad |= {"locked.pdf", "link_outside.pdf", "broken_link.pdf"}
    for src in expected_bad:
        assert src in rows, f"{src} vanished without a record"
        status, kind, message = rows[src]
        assert status == "failed" and kind and message, (src, rows[src])
    for name in ("self_reference", "zip_bomb", "char_bomb", "many_pages", "fifo", "dev_zero_link"):
        src = hostile_files[name][0].name
        assert rows[src][1] in hostile_files[name][1], (src, rows[src])
    assert rows["locked.pdf"][1] == "unreadable" and "ermission" in rows["locked.pdf"][2]
    assert ".hidden.pdf" not in rows and "download.pdf.part" not in rows


def _night_with_busy_workers(tmp_path: Path, hostile_files) -> tuple[subprocess.Popen, set[int]]:
    """A night whose two workers are busy on slow documents; returns it and its descendants."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(2):
        (inbox / f"slow{i}.pdf").write_bytes(hostile_files["drawing_bomb"][0].read_bytes())
    slow = _env(BUDGET_ETL_PARSE_MAX_OBJECTS="100000000", BUDGET_ETL_PARSE_TIMEOUT="600")
    proc = subprocess.Popen([PY, "-m", "pipeline.cli", "run", "--inbox", str(inbox), "--no-gx", "--home",
                             str(tmp_path / "home")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=slow, start_new_session=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen |= _descendants(proc.pid)
        if len(seen) >= 2:
            break
        time.sleep(0.1)
    time.sleep(1.0)
    seen |= _descendants(proc.pid)
    return proc, seen


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_a_night_leaves_no_worker_behind(hostile_files, tmp_path, sig):
    proc, workers = _night_with_busy_workers(tmp_path, hostile_files)
    assert len(workers) >= 2, "the night started its parsing processes"
    assert proc.poll() is None, "still parsing when it is killed"
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for p in left:   # do not leave them running for the rest of the suite
        os.kill(p, signal.SIGKILL)
    assert not left, f"processes left behind after {sig.name}: {left}"
    # the next night on the same home (normal limits) runs to the end and records both documents
    p = subprocess.run([PY, "-m", "pipeline.cli", "run", "--inbox", str(tmp_path / "inbox"), "--no-gx",
                        "--home", str(tmp_path / "home")], capture_output=True, text=True, env=_env(),
                       timeout=300)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    con = duckdb.connect(str(tmp_path / "home" / "warehouse" / "district.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT source, status, error_kind FROM documents ORDER BY source").fetchall()
    finally:
        con.close()
    assert rows == [("slow0.pdf", "failed", "too_large"), ("slow1.pdf", "failed", "too_large")]


def test_discovery_accounts_for_every_entry(tmp_path):
    """Each entry is a document (maybe failed, with its reason) or a named skip rule; GBK names keep
    their bytes (read back) and get a readable locator and an id of their own."""
    from pipeline.sources.inbox import scan_inbox

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    body = hostile.text_page()
    (inbox / "a.pdf").write_bytes(body)
    gbk = os.fsencode(inbox) + b"/" + "预算".encode("gbk") + b".pdf"
    with open(gbk, "wb") as f:
        f.write(body + b"%gbk")
    (inbox / "预算.pdf").write_bytes(body + b"%utf8")
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "x.pdf").mkdir()
    (inbox / "x.pdf" / "inner.pdf").write_bytes(body)
    (inbox / "notes.txt").write_text("n")
    (inbox / ".h.pdf").write_bytes(body)
    (inbox / "d.pdf.part").write_bytes(body[:10])
    (inbox / "loop.pdf").symlink_to("loop.pdf")
    (inbox / "folder_link").symlink_to(".")
    skipped: list[tuple[str, str]] = []
    docs = {d.locator: d for d in scan_inbox(inbox, on_skip=lambda r, loc: skipped.append((r, loc)))}
    gbk_locator = "\\xd4\\xa4\\xcb\\xe3.pdf"   # reads as 预算.pdf, which a UTF-8 name already is
    assert set(docs) == {"a.pdf", "预算.pdf", gbk_locator, "pipe.pdf", "x.pdf", "x.pdf/inner.pdf", "loop.pdf"}
    gbk_docs = [d for d in docs.values() if d.path is not None and os.fsencode(d.path) == gbk]
    assert len(gbk_docs) == 1 and gbk_docs[0].status == "ok"
    assert Path(gbk_docs[0].path).read_bytes().endswith(b"%gbk"), "the GBK file is read by its own bytes"
    assert gbk_docs[0].locator == gbk_locator
    assert docs["预算.pdf"].path.read_bytes().endswith(b"%utf8")
    ids = [d.document_id for d in docs.values()]
    assert len(ids) == len(set(ids)), "every entry keeps an id of its own"
    for loc in ("pipe.pdf", "x.pdf", "loop.pdf"):
        assert docs[loc].status == "failed" and docs[loc].error_kind == "unreadable" and docs[loc].error
    assert dict((loc, r) for r, loc in skipped) == {
        ".h.pdf": "hidden", "d.pdf.part": "partial", "notes.txt": "not_document",
        "folder_link": "linked_folder"}
