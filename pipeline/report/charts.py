"""District charts as inline SVG (no script, no CDN: a government intranet has no internet), drawn from
the warehouse's own views (warehouse/views.sql). Amounts stay Decimal; only pixel widths are floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

import duckdb

from pipeline.checks.base import fmt

COLORS = ("#3f6fb5", "#e08a2c", "#5b9b5b", "#b04a6a", "#7a6cc0")


@dataclass
class Chart:
    title: str
    svg: str


def bars(title: str, rows: list[tuple[str, list[Decimal | None]]], series: list[str], unit: str = "万元") -> Chart:
    """Grouped horizontal bars: one group per row label, one bar per series; the amount printed beside it."""
    label_w, bar_w, bar_h, gap = 210, 380, 14, 8
    rows = _short_labels(rows)
    legend_h = 22 if len(series) > 1 else 0
    peak = max((abs(v) for _, vs in rows for v in vs if v is not None), default=Decimal(0)) or Decimal(1)
    group_h = bar_h * len(series) + gap
    height = legend_h + group_h * len(rows) + 10
    width = label_w + bar_w + 110
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>']
    for i, name in enumerate(series if len(series) > 1 else []):
        parts.append(f'<rect x="{label_w + i * 130}" y="4" width="12" height="12" fill="{COLORS[i % 5]}"/>'
                     f'<text x="{label_w + i * 130 + 16}" y="15" font-size="12">{escape(name)}</text>')
    for r, (label, values) in enumerate(rows):
        y0 = legend_h + r * group_h
        parts.append(f'<text x="{label_w - 6}" y="{y0 + group_h / 2 + 2:.0f}" font-size="12" text-anchor="end">'
                     f'{escape(label[:18])}</text>')
        for i, v in enumerate(values):
            y = y0 + i * bar_h
            w = 0 if v is None else max(1.0, float(abs(v) / peak) * bar_w)
            text = "—" if v is None else (str(v) if unit == "个" else fmt(v))
            parts.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLORS[i % 5] if v is None or v >= 0 else "#b00020"}"><title>{escape(label)} · '
                         f'{escape(series[i])}: {text} {unit}</title></rect>'
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" font-size="11">{text}</text>')
    parts.append("</svg>")
    return Chart(title, "".join(parts))


def _latest_year(con: duckdb.DuckDBPyConnection) -> int | None:
    return con.execute("SELECT max(year) FROM v_documents WHERE content IS DISTINCT FROM 'narrative'").fetchone()[0]


def district_charts(con: duckdb.DuckDBPyConnection, errors_by_check: dict[str, int]) -> list[Chart]:
    """The district page's charts; a view that is missing or empty gives no chart rather than a failure."""
    out: list[Chart] = []
    try:
        year = _latest_year(con)
        years = [y for (y,) in con.execute("SELECT DISTINCT year FROM v_documents WHERE year IS NOT NULL "
                                          "ORDER BY year").fetchall()]
        cls = con.execute("SELECT class_code || ' ' || coalesce(class_name, ''), year, amount FROM v_district_class_totals "
                          "ORDER BY class_code, year").fetchall()
        if cls:
            out.append(bars("按功能分类（类）的支出 Spend by functional class", _pivot(cls, years), [str(y) for y in years]))
        dept = con.execute("SELECT coalesce(department, department_key), year, sum(total) FROM v_department_split "
                           "WHERE budget_kind IS DISTINCT FROM 'unit' GROUP BY ALL ORDER BY 1, 2").fetchall()
        if dept:
            out.append(bars("各部门支出合计 Spend by department", _pivot(dept, years), [str(y) for y in years]))
        split = con.execute("SELECT coalesce(department, department_key), sum(basic), sum(project), sum(personnel), "
                            "sum(public_funds) FROM v_department_split WHERE year = ? GROUP BY ALL ORDER BY 1",
                            [year]).fetchall()
        if split:
            out.append(bars(f"{year} 基本支出与项目支出 Basic vs project", [(r[0], [r[1], r[2]]) for r in split],
                            ["基本支出 basic", "项目支出 project"]))
            out.append(bars(f"{year} 人员经费与公用经费 Personnel vs public funds",
                            [(r[0], [r[3], r[4]]) for r in split], ["人员经费 personnel", "公用经费 public"]))
        tp = con.execute("SELECT coalesce(department, department_key), year, sum(total) FROM v_three_public "
                         "WHERE disclosed GROUP BY ALL ORDER BY 1, 2").fetchall()
        if tp:
            out.append(bars("“三公”经费 by department and year", _pivot(tp, years), [str(y) for y in years]))
        yoy = con.execute("SELECT coalesce(department, department_key), sum(change) FROM v_yoy_department_class "
                          "WHERE year = ? AND previous_amount IS NOT NULL GROUP BY ALL ORDER BY 1", [year]).fetchall()
        if yoy:
            out.append(bars(f"{year} 比上年增减 Year-over-year change by department", [(r[0], [r[1]]) for r in yoy],
                            ["增减 change"]))
    except duckdb.Error:
        pass   # a warehouse from before the views: the findings still render
    if errors_by_check:
        out.append(bars("各项检查的错误数 Errors by check",
                        [(k, [Decimal(v)]) for k, v in sorted(errors_by_check.items(), key=lambda kv: -kv[1])],
                        ["errors"], unit="个"))
    return out


def _pivot(rows: list[tuple], years: list[int]) -> list[tuple[str, list[Decimal | None]]]:
    """(label, year, amount) rows → one row per label with an amount per year (None: not disclosed)."""
    by: dict[str, dict[int, Decimal]] = {}
    for label, year, amount in rows:
        by.setdefault(label, {})[year] = amount
    return [(label, [vals.get(y) for y in years]) for label, vals in by.items()]


def _short_labels(rows: list[tuple[str, list]]) -> list[tuple[str, list]]:
    """Drop the prefix every label shares (the district's name before each department's)."""
    labels = [r[0] or "" for r in rows]
    if len(labels) < 2:
        return rows
    import os

    prefix = os.path.commonprefix(labels)
    if len(prefix) < 2 or any(len(lab) <= len(prefix) + 1 for lab in labels):
        return rows
    return [(lab[len(prefix):], vs) for lab, (_, vs) in zip(labels, rows)]
