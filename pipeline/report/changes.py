"""What changed since the previous check run (the last night): documents loaded or changed, documents
that failed, findings that are new and findings that are resolved.

A finding is the same across runs when its document's department and year, its identity, its pages and
its two figures are the same (messages may be reworded between versions; ids change with the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipeline.checks.catalogue import REGISTRY

_KEY = ("department, year, check_name, coalesce(left_pages, ''), coalesce(right_pages, ''), "
        "coalesce(CAST(left_value AS VARCHAR), ''), coalesce(CAST(right_value AS VARCHAR), '')")


@dataclass
class Changes:
    previous_run: str | None
    since: object = None
    loaded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


def _describe(rows: list[tuple], names: dict) -> list[str]:
    out = []
    for dept, year, check, lp, rp, lv, rv, sev in rows:
        ident = REGISTRY.get(check)
        label = (ident.label_zh or ident.description) if ident else check
        figures = f"：{lv} / {rv}" if lv or rv else ""
        out.append(f"{names.get(dept, dept or '全区')} {year or ''} · {sev} · {label}{figures}（第 {lp or rp or '—'} 页）")
    return out


def since_previous_run(con: duckdb.DuckDBPyConnection, run_id: str | None, names: dict) -> Changes:
    """The changes between ``run_id`` and the check run before it (empty on a first night)."""
    try:
        runs = con.execute("SELECT run_id, finished_at FROM check_runs ORDER BY finished_at").fetchall()
    except duckdb.Error:
        return Changes(None)
    ids = [r for r, _ in runs]
    if run_id not in ids or ids.index(run_id) == 0:
        return Changes(None)
    prev, since = runs[ids.index(run_id) - 1]
    ch = Changes(prev, since)
    ch.loaded = [s for (s,) in con.execute(
        "SELECT source FROM documents WHERE status = 'loaded' AND loaded_at > ? ORDER BY source", [since]).fetchall()]
    ch.failed = [f"{s}: {k}" for s, k in con.execute(
        "SELECT source, coalesce(last_error_kind, error_kind) FROM documents WHERE coalesce(last_attempt_at, loaded_at) > ? "
        "AND (status <> 'loaded' OR last_error_kind IS NOT NULL) ORDER BY source", [since]).fetchall()]
    q = (f"SELECT DISTINCT {_KEY}, severity FROM check_results WHERE run_id = ? "
         f"EXCEPT SELECT DISTINCT {_KEY}, severity FROM check_results WHERE run_id = ? ORDER BY 1, 2, 3")
    ch.new = _describe(con.execute(q, [run_id, prev]).fetchall(), names)
    ch.resolved = _describe(con.execute(q, [prev, run_id]).fetchall(), names)
    return ch
