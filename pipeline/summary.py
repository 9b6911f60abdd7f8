"""The one-screen summary `budget-etl run` prints at the end: what happened and where to look."""

from __future__ import annotations

from pipeline.config import Home
from pipeline.night import NightSummary


def render_summary(s: NightSummary) -> str:
    c = s.counts
    lines = [
        "",
        "=" * 72,
        f"documents: {s.discovered} found, {c.get('parsed', 0)} parsed, {c.get('skipped', 0)} unchanged, "
        f"{c.get('failed', 0)} failed, {c.get('unsupported', 0)} unsupported",
    ]
    failed = [o for o in s.outcomes if o.status in ("failed", "unsupported")]
    for o in failed[:10]:
        lines.append(f"  ✗ {o.locator}: {o.error_kind} — {o.error}")
    if len(failed) > 10:
        lines.append(f"  … and {len(failed) - 10} more (see the documents table)")
    lines += _warehouse_lines(s)
    t = ", ".join(f"{k} {v:.1f} s" for k, v in s.seconds.items())
    lines += [
        f"time: {t}",
        f"warehouse: {s.home.db_path}",
        f"report:    {s.report}",
    ]
    if s.data_docs:
        lines.append(f"data docs: {s.data_docs / 'index.html'}")
    lines += [
        "query it:  budget-etl sql \"SELECT * FROM v_district_class_totals\""
        + ("" if s.home == Home.at(None) else f" --home {s.home.root}"),
        "=" * 72,
    ]
    return "\n".join(lines)


def _warehouse_lines(s: NightSummary) -> list[str]:
    if not s.home.db_path.exists():
        return []
    from pipeline.load.sql import run_sql

    out: list[str] = []
    try:
        _, rows = run_sql(s.home.db_path, "SELECT count(*) FILTER (WHERE status = 'loaded'), "
                          "count(*) FILTER (WHERE status <> 'loaded'), "
                          "(SELECT count(*) FROM budget_lines) FROM documents")
        ok, bad, lines_n = rows[0]
        out.append(f"warehouse: {ok} documents loaded, {bad} failed, {lines_n} budget lines")
        out += _completeness_lines(s)
        _, rows = run_sql(s.home.db_path, "SELECT severity, count(*) FROM check_results "
                          "WHERE run_id = (SELECT max(run_id) FROM check_results) GROUP BY ALL ORDER BY 1")
        counts = dict(rows)
        out.append(f"checks:    {counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
                   f"{counts.get('unverifiable', 0)} unverifiable (tables not read for certain, figures of unpinned scope)")
        _, rows = run_sql(s.home.db_path, "SELECT coalesce(department, '(district)'), year, count(*) AS errors "
                          "FROM check_results WHERE severity = 'error' AND run_id = "
                          "(SELECT max(run_id) FROM check_results) GROUP BY ALL ORDER BY errors DESC, 1 LIMIT 8")
        if rows:
            out.append("most errors:")
            out += [f"  {e:>3}  {d} {y or ''}" for d, y, e in rows]
    except Exception as e:  # the summary must never hide the run's result
        out.append(f"(could not read the warehouse summary: {e})")
    return out


def _completeness_lines(s: NightSummary) -> list[str]:
    """How completely the loaded documents were read: a partial document is named, never counted as
    complete (documents.completeness, schema 006)."""
    from pipeline.load.sql import run_sql

    _, rows = run_sql(s.home.db_path, "SELECT coalesce(completeness, 'unknown'), count(*) FROM documents "
                      "WHERE status = 'loaded' GROUP BY ALL ORDER BY 1")
    counts = dict(rows)
    out = [f"read:      {counts.get('complete', 0)} complete, {counts.get('partial', 0)} partial, "
           f"{counts.get('not_budget', 0)} not budgets"
           + (f", {counts['unknown']} not assessed" if counts.get("unknown") else "")]
    _, rows = run_sql(s.home.db_path, "SELECT file_name, completeness_detail FROM documents "
                      "WHERE status = 'loaded' AND completeness IN ('partial', 'not_budget') "
                      "ORDER BY completeness DESC, file_name LIMIT 10")
    for name, detail in rows:
        import json

        d = json.loads(detail) if detail else {}
        why = (d.get("reasons") or ["?"])
        more = f" (+{len(why) - 1} more)" if len(why) > 1 else ""
        out.append(f"  ◐ {name}: {d.get('status', '?')}: {why[0][:90]}{more}")
    return out
