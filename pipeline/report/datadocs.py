"""Great Expectations Data Docs a reviewer can open offline, with amounts in 万元.

GX builds its index page with scripts fetched from CDNs (jQuery, bootstrap-table…): on a government
intranet it is blank. After GX writes the site, every external <script>, stylesheet and image is
removed from its pages (their tables are static HTML and stay readable), and index.html is replaced by
a static page: each identity's suite, its outcome and a link to its validation page, then the failing
instances with department, year, pages and amounts in 万元 (the suites' frames count 10⁻⁷ 万元 units).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from pipeline.checks.base import fmt
from pipeline.checks.catalogue import REGISTRY

_EXTERNAL = [
    re.compile(r"<script[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I),
    re.compile(r"<link[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.I),
    re.compile(r"<img[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>", re.I),
    re.compile(r"<link[^>]*favicon[^>]*>", re.I),   # GX points it one folder too shallow
]
#: GX's inline scripts call the jQuery/vega it fetched from CDNs: offline they only throw.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>.*?</script>", re.I | re.S)
_EXTERNAL_LINK = re.compile(r"<a([^>]*)\bhref=[\"'](?:https?:)?//[^\"']*[\"']", re.I)


def strip_external(html: str) -> str:
    """The page without anything fetched from another machine (outbound links become plain text)."""
    for pattern in _EXTERNAL:
        html = pattern.sub("", html)
    html = _INLINE_SCRIPT.sub("", html)
    return _EXTERNAL_LINK.sub(r"<a\1", html)


def make_offline(site: Path, outcomes: list, results: list, report: str = "../discrepancies.html") -> Path:
    """Strip the site's pages of external resources and write its static index; returns the index."""
    site = Path(site)
    pages: dict[str, str] = {}
    for page in site.rglob("*.html"):
        if page.name == "index.html" and page.parent == site:
            continue
        html = strip_external(page.read_text(encoding="utf-8"))
        up = "../" * (len(page.relative_to(site).parts) - 1)
        from pipeline.checks.gx import UNIT

        one = int(1 / UNIT)
        banner = (f'<div style="font-family:sans-serif;background:#fff8e1;padding:.5em 1em;border-bottom:1px solid #e0c060">'
                  f'<a href="{up}index.html">← 规则一览 all suites</a> · <a href="{up}{escape(report)}">核对报告 report</a> · '
                  f"本页数值以 {UNIT} 万元为单位（{one} = 1.00 万元）；按部门、年度、页码列出的金额见规则一览。"
                  f"Figures on this page count {UNIT} 万元 ({one} = 1.00 万元); the index lists them in 万元.</div>")
        if "UNIT_BANNER" not in html:
            html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "<!-- UNIT_BANNER -->" + banner, html, count=1)
        page.write_text(html, encoding="utf-8")
        if page.parts[-5:-4] == ("identity",) or "validations" in page.parts:
            pages[page.stem.split("-", 1)[-1]] = page.relative_to(site).as_posix()
    rows = []
    for o in sorted(outcomes, key=lambda o: (o.success, o.identity)):
        # a view suite (pipeline/checks/sql_gx.py) is listed as view.<identity>; its page is named by its view
        base = o.identity.removeprefix("view.")
        ident = REGISTRY.get(base)
        link = pages.get(o.identity) if base == o.identity else pages.get(f"v_identity_{base}")
        name = f'<a href="{escape(link)}">{escape(o.identity)}</a>' if link else escape(o.identity)
        rows.append(f"<tr class=\"{'ok' if o.success else 'bad'}\"><td>{name}</td>"
                    f"<td>{escape((ident.label_zh or ident.description) if ident else '')}</td>"
                    f"<td>{'通过 pass' if o.success else '未通过 fail'}</td><td class=num>{o.evaluated}</td>"
                    f"<td class=num>{o.failing}</td></tr>")
    failing = []
    for r in results:
        if r.severity in ("ok",) or r.hidden:
            continue
        failing.append(
            f"<tr><td>{escape(r.department or '—')}</td><td>{r.year or '—'}</td><td>{escape(r.check_name)}</td>"
            f"<td>{escape(r.severity)}</td><td class=num>{fmt(r.left_value) if r.left_value is not None else '—'}</td>"
            f"<td class=num>{fmt(r.right_value) if r.right_value is not None else '—'}</td>"
            f"<td class=num>{fmt(r.difference) if r.difference is not None else '—'}</td>"
            f"<td>{escape(','.join(map(str, sorted(set(r.left_pages)))) or '—')} / "
            f"{escape(','.join(map(str, sorted(set(r.right_pages)))) or '—')}</td></tr>")
    html = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>核对规则 Data Docs (great-expectations)</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:72em;margin:2em auto;color:#222}}
table{{border-collapse:collapse;width:100%;font-size:.9em}}th,td{{border:1px solid #ddd;padding:.25em .5em}}
th{{background:#f3f3f3;text-align:left}}td.num{{text-align:right}}tr.bad td:nth-child(3){{color:#b00020;font-weight:bold}}</style>
</head><body>
<h1>核对规则 Data Docs <small>(great-expectations, 离线可读 readable offline)</small></h1>
<p><a href="{escape(report)}">← 核对报告 Discrepancy report</a> · 金额单位 amounts in 万元 ·
 {sum(not o.success for o in outcomes)} / {len(outcomes)} 套规则未通过 suites failing</p>
<h2>规则 Suites</h2>
<table><tr><th>规则 Identity</th><th>说明 Meaning</th><th>结果 Outcome</th><th>实例 Instances</th><th>不成立 Failing</th></tr>
{''.join(rows)}</table>
<h2>不成立的实例 Failing instances（万元）</h2>
<table><tr><th>部门 Department</th><th>年度 Year</th><th>规则 Identity</th><th>级别 Severity</th><th>左 Left</th><th>右 Right</th><th>差额 Difference</th><th>页码 Pages</th></tr>
{''.join(failing) or '<tr><td colspan=8>无 none</td></tr>'}</table>
</body></html>
"""
    index = site / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
