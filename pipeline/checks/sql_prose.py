"""The SELECTs of the prose and performance-form identities' views: the prose restating one table cell
(generated from the catalogue's ``cells``), the prose against itself, and the project forms; over the
building blocks (pipeline/checks/sql_blocks.py, ``v_check_claims`` for the prose). Same columns as
pipeline/checks/sql_tables.py; the prose prints 万元, so their tolerance is in 万元."""

from __future__ import annotations

from pipeline.checks.catalogue import PROSE_BY_METRIC, REGISTRY, REGISTRY_LIST, Cell
from pipeline.checks.rules.performance import _FORM_PARTS, _FORM_TOTAL
from pipeline.checks.rules.prose_restated import PER_ITEM
from pipeline.checks.sql_blocks import half_printed_yuan as _hy, normalised, numbering_level

_BASIC = "general_budget_basic_expenditure"

# --- prose restating one table cell (the catalogue's Cell entries) ------------------------------------


def _fixed_assets() -> str:
    """SELECT document_id, value, page, table_index of 固定资产 in the assets table (prose_restated.resolve_asset): the line
    printed for it (固定资产, 固定资产合计/总计/总额), the first; else, on a table of fixed assets only (no
    流动资产 / 无形资产 / 对外投资 line), the sum of the lines (totals left out) of the top numbering level below
    其中, or of the lines not beginning with 其中 when none is numbered so; the page of the first summed."""
    return f"""WITH asset_rows AS (
    SELECT document_id, row_index, amount, page, {normalised("item")} AS key, {numbering_level("item", "numbering")} AS lv,
           {_printed("assets")} AS table_index
    FROM assets p WHERE amount IS NOT NULL
), named AS (
    SELECT document_id, amount AS value, page, table_index FROM asset_rows
    WHERE regexp_full_match(key, '固定资产(合计|总计|总额)?')
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY row_index) = 1
), asset_lines AS (
    SELECT * FROM asset_rows WHERE NOT (contains(key, '资产总额') OR key IN ('合计', '总计'))
      AND document_id NOT IN (SELECT document_id FROM named)
), tops AS (
    SELECT document_id, min(lv) FILTER (WHERE lv < 4) AS top FROM asset_lines GROUP BY document_id
    HAVING NOT bool_or(regexp_matches(key, '流动资产|无形资产|对外投资'))
)
SELECT document_id, value, page, table_index FROM named
UNION ALL
SELECT l.document_id, sum(l.amount) AS value, arg_min(l.page, l.row_index) AS page, min(l.table_index) AS table_index
FROM asset_lines l JOIN tops t USING (document_id)
WHERE CASE WHEN t.top IS NOT NULL THEN l.lv IS NOT DISTINCT FROM t.top ELSE NOT starts_with(l.key, '其中') END
GROUP BY l.document_id"""


def _cell(cell: Cell) -> str:
    """SELECT document_id, value, page of one catalogue Cell: the first table of its kind printing it
    (prose_restated.resolve_cell)."""
    if cell.table_kind == "assets" and cell.row == "fixed_assets":   # only the assets table's own rows
        return _fixed_assets()
    if cell.table_kind == "procurement":
        return f"""SELECT document_id, amount AS value, page, {_printed("procurement")} AS table_index
    FROM procurement_lines p
    WHERE is_total QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY table_index, row_index) = 1"""
    if cell.row.startswith("grand:"):   # the grand total, when the side prints a carry-over
        side = cell.row[6:]
        rows = f"""SELECT document_id, table_index, row_index FROM v_check_summary_lines g
    WHERE table_kind = '{cell.table_kind}' AND side = '{side}' AND is_grand
      AND EXISTS (SELECT 1 FROM v_check_summary_lines c WHERE c.document_id = g.document_id
                  AND c.table_index = g.table_index AND c.side = g.side AND c.is_carry AND c.value <> 0)"""
    elif cell.row == "total":           # the 合计 row, or the only row of a one-row table
        rows = f"""SELECT t.document_id, t.table_index, coalesce(t.row_index,
           CASE WHEN count(r.row_index) = 1 THEN any_value(r.row_index) END) AS row_index
    FROM v_check_total_rows t JOIN v_check_rows r USING (document_id, table_kind, table_index)
    WHERE t.table_kind = '{cell.table_kind}' GROUP BY t.document_id, t.table_index, t.row_index"""
    else:
        how, _, what = cell.row.partition(":")
        column = {"code": "code", "name": "key"}[how]
        rows = f"""SELECT document_id, table_index, min(row_index) AS row_index FROM v_check_rows
    WHERE table_kind = '{cell.table_kind}' AND {column} = '{what}' GROUP BY document_id, table_index"""
    if cell.measure is None:
        value = "JOIN v_check_row_values v USING (document_id, table_index, row_index)"
    else:
        value = (f"JOIN v_check_cells v ON v.document_id = x.document_id AND v.table_index = x.table_index "
                 f"AND v.row_index = x.row_index AND v.measure = '{cell.measure}'")
    found = f"""SELECT x.document_id, x.table_index, {'v.value' if cell.measure is None else 'v.amount'} AS value, r.page
    FROM ({rows}) x {value}
    JOIN v_check_rows r ON r.document_id = x.document_id AND r.table_index = x.table_index AND r.row_index = x.row_index"""
    tables = f"""SELECT document_id, value, page, table_index FROM ({found}) f WHERE value IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY table_index) = 1"""
    if cell.table_kind == "assets":     # the assets table's own rows first: the first whose label holds the name
        what = cell.row.partition(":")[2]
        return f"""SELECT document_id, amount AS value, page, {_printed("assets")} AS table_index FROM assets p
    WHERE amount IS NOT NULL AND contains({normalised("item")}, '{what}')
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY row_index) = 1
UNION ALL
SELECT * FROM ({tables}) WHERE document_id NOT IN (SELECT document_id FROM assets)"""
    return tables


def _printed(kind: str) -> str:
    """The index of the document's first printed table of a kind (the table a procurement or assets figure
    stands on: its rows are not budget_lines), for rules/doubt.py."""
    return (f"(SELECT min(x.table_index) FROM document_tables x WHERE x.document_id = p.document_id "
            f"AND x.table_kind = '{kind}')")


def _prose(name: str) -> str:
    """Each distinct amount the prose states for the metric (not scoped to a subject) against the first
    cell of the catalogue entry the document prints that equals it; else the grand total when the quote
    says 总计, else the first current-year cell printed."""
    ident = REGISTRY[name]
    cells = "\nUNION ALL\n".join(
        f"SELECT document_id, {i} AS pos, {str(c.row.startswith('grand:')).upper()} AS grand, value, page, table_index "
        f"FROM ({_cell(c)})" for i, c in enumerate(ident.cells))
    return f"""WITH amounts AS (
    SELECT document_id, amount, arg_min(quote, ord) AS quote, list(page ORDER BY ord) AS pages
    FROM v_check_claims WHERE metric = '{ident.metric}' AND NOT scoped GROUP BY document_id, amount
), cells AS (
{cells}
), picked AS (
    SELECT a.document_id, a.amount, a.pages, coalesce(
        min(c.pos) FILTER (WHERE c.value = a.amount),
        CASE WHEN contains(coalesce(a.quote, ''), '总计') THEN min(c.pos) FILTER (WHERE c.grand) END,
        min(c.pos) FILTER (WHERE NOT c.grand), min(c.pos)) AS pos
    FROM amounts a JOIN cells c USING (document_id) GROUP BY a.document_id, a.amount, a.pages, a.quote
)
SELECT p.document_id, '{ident.metric}' AS subject, p.amount AS left_value, c.value AS right_value, 1 AS n,
       0 AS yuan_half, p.pages AS left_pages, [c.page] AS right_pages,
       CASE WHEN c.table_index IS NULL THEN []::INTEGER[] ELSE [c.table_index] END AS table_indexes
FROM picked p JOIN cells c ON c.document_id = p.document_id AND c.pos = p.pos"""


def _first_claims(metrics: tuple[str, ...]) -> str:
    """CTE ``first_claims``: each document's first statement of each metric (not scoped to a subject)."""
    listed = ", ".join(f"'{m}'" for m in metrics)
    return f"""first_claims AS (
    SELECT document_id, metric, amount, page, quote FROM v_check_claims WHERE metric IN ({listed}) AND NOT scoped
    QUALIFY row_number() OVER (PARTITION BY document_id, metric ORDER BY ord) = 1
)"""


def _prose_increase_parts() -> str:
    """The stated increase against its stated 基本 + 项目 parts, when all three are stated."""
    return f"""WITH {_first_claims(("increase_total", "increase_basic", "increase_project"))}
SELECT t.document_id, 'increase_total' AS subject, t.amount AS left_value, b.amount + p.amount AS right_value,
       2 AS n, 0 AS yuan_half, [t.page] AS left_pages, [b.page, p.page] AS right_pages
FROM first_claims t
JOIN first_claims b ON b.document_id = t.document_id AND b.metric = 'increase_basic'
JOIN first_claims p ON p.document_id = t.document_id AND p.metric = 'increase_project'
WHERE t.metric = 'increase_total'"""


def _prose_self_consistent() -> str:
    """Each metric's first stated amount against every other amount stated for it (n = 0: one figure)."""
    per_item = ", ".join(f"'{m}'" for m in sorted(PER_ITEM))
    return f"""WITH amounts AS (
    SELECT document_id, metric, amount, min(ord) AS first, list(page ORDER BY ord) AS pages
    FROM v_check_claims WHERE NOT scoped AND metric NOT IN ({per_item}) GROUP BY ALL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY document_id, metric ORDER BY first) AS k FROM amounts
)
SELECT o.document_id, o.metric AS subject, f.amount AS left_value, o.amount AS right_value, 0 AS n,
       0 AS yuan_half, f.pages AS left_pages, o.pages AS right_pages
FROM ranked o JOIN ranked f ON f.document_id = o.document_id AND f.metric = o.metric AND f.k = 1
WHERE o.k > 1"""


def _prose_operating_expenses_is_302() -> str:
    """Each statement that the 机关运行经费 equals the basic table's 302 line, against that line's total."""
    return f"""WITH first302 AS (   -- the first 302 row (basic.by_code), when it prints a total
    SELECT document_id, table_index, min(row_index) AS row_index FROM v_check_rows
    WHERE table_kind = '{_BASIC}' AND first_of_kind AND code = '302' GROUP BY document_id, table_index
), row302 AS (
    SELECT f.document_id, r.page, c.amount FROM first302 f
    JOIN v_check_rows r USING (document_id, table_index, row_index)
    JOIN v_check_cells c USING (document_id, table_kind, table_index, row_index)
    WHERE c.measure = 'total'
)
SELECT c.document_id, '机关运行经费 = 302' AS subject, c.amount AS left_value, r.amount AS right_value, 1 AS n,
       0 AS yuan_half, [c.page] AS left_pages, [r.page] AS right_pages
FROM v_check_claims c JOIN row302 r USING (document_id)
WHERE c.metric = 'operating_expenses_stated_as_302' AND NOT c.scoped"""


def _fmt(expr: str) -> str:
    """pipeline.checks.base.fmt in SQL: cents when the amount has no finer digits, else its digits
    without trailing zeros."""
    return (f"(CASE WHEN {expr} = round({expr}, 2) THEN CAST(CAST(round({expr}, 2) AS DECIMAL(38, 2)) AS VARCHAR) "
            f"ELSE rtrim(CAST({expr} AS VARCHAR), '0') END)")


def _prose_increase_vs_last_year() -> str:
    """Each distinct amount stated for an increase against this year's figure less last year's
    disclosure's (``disclosures.previous_disclosure_id``): the figure read from each source in turn (the
    base metric's catalogue cells, then its first prose statement), the first source both documents print
    whose change is within the tolerance, else the first both print (prose_changes.increases_vs_last_year).
    Where last year's disclosure or the figure in one of the years is missing the rule states a finding,
    not two sides: those stay in Python (sql_identities.FINDINGS_IN_PYTHON)."""
    bases = dict(REGISTRY["prose_increase_vs_last_year"].params["bases"])
    metrics = ", ".join(f"'{m}'" for m in bases)
    pairs = ", ".join(f"('{m}', '{b}')" for m, b in bases.items())
    sources = []
    for base in dict.fromkeys(bases.values()):
        cells = PROSE_BY_METRIC[base].cells if base in PROSE_BY_METRIC else ()
        sources += [f"SELECT '{base}' AS base, {i} AS pos, document_id, value, page FROM ({_cell(c)})"
                    for i, c in enumerate(cells)]
        sources.append(f"""SELECT '{base}' AS base, {len(cells)} AS pos, document_id, amount AS value, page
    FROM v_check_claims WHERE metric = '{base}' AND NOT scoped
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY ord) = 1""")
    union = "\nUNION ALL\n".join(sources)
    return f"""WITH stated AS (
    SELECT document_id, metric, amount, ord, page,
           count(*) OVER (PARTITION BY document_id, metric) AS times
    FROM v_check_claims WHERE metric IN ({metrics}) AND NOT scoped
), claims AS (
    SELECT document_id, metric, amount, arg_min(page, ord) AS page, any_value(times) AS times
    FROM stated GROUP BY document_id, metric, amount
), bases(metric, base) AS (VALUES {pairs}
), sources AS (
{union}
), pairs AS (
    SELECT c.document_id, c.metric, c.amount, c.page AS claim_page, c.times, s.value - p.value AS change,
           s.page AS this_page
    FROM claims c JOIN bases b USING (metric)
    JOIN disclosures x ON x.document_id = c.document_id AND x.previous_disclosure_id IS NOT NULL
    JOIN sources s ON s.base = b.base AND s.document_id = c.document_id AND s.value IS NOT NULL
    JOIN sources p ON p.base = b.base AND p.pos = s.pos AND p.document_id = x.previous_disclosure_id
                  AND p.value IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY c.document_id, c.metric, c.amount
                               ORDER BY abs(c.amount - (s.value - p.value)) > 0.01, s.pos) = 1
)
SELECT document_id, CASE WHEN times > 1 THEN metric || ' ' || {_fmt("amount")} ELSE metric END AS subject,
       amount AS left_value, change AS right_value, 2 AS n, 0 AS yuan_half, [claim_page] AS left_pages,
       [this_page] AS right_pages
FROM pairs"""


def _prose_change_vs_level() -> str:
    """A fund's stated change over last year against the level stated before it on the same page (the
    nearest, in the claims' order): the implied last-year budget (level − change) bounded below by 0
    (prose_changes.changes_vs_levels; a bound view, sql_identities.BOUND_VIEWS)."""
    pairs = REGISTRY["prose_change_vs_level"].params["pairs"]
    values = ", ".join(f"('{level}', '{change}')" for level, change in pairs)
    return f"""WITH pairs(level_metric, change_metric) AS (VALUES {values}
), ordered AS (   -- every claim, scoped or not, in claim order (a companion's after its disclosure's)
    SELECT document_id, metric, amount, page, row_number() OVER (PARTITION BY document_id ORDER BY claim_index, ord) AS pos
    FROM v_check_claims
)
SELECT c.document_id, c.metric AS subject, l.amount - c.amount AS left_value, 0 AS right_value, 0 AS n,
       0 AS yuan_half, [c.page, l.page] AS left_pages, []::INTEGER[] AS right_pages
FROM ordered c JOIN pairs p ON p.change_metric = c.metric
JOIN ordered l ON l.document_id = c.document_id AND l.metric = p.level_metric AND l.page = c.page AND l.pos < c.pos
QUALIFY row_number() OVER (PARTITION BY c.document_id, c.pos, p.level_metric ORDER BY l.pos DESC) = 1"""


# --- performance-target project forms ------------------------------------------------------------------


def _project_forms() -> str:
    """CTEs ``form_totals`` (each project form's 年度资金申请总额) and ``form_parts`` (its 当年财政拨款 / 上年结转资金 /
    其他资金 rows, the first of each name)."""
    parts = ", ".join(f"'{p}'" for p in _FORM_PARTS)
    return f"""form_rows AS (
    SELECT r.document_id, r.table_index, r.row_index, r.page, v.value,
           CASE WHEN starts_with(r.key, '其中:') THEN r.key[4:] ELSE r.key END AS part_key, r.key
    FROM v_check_rows r JOIN v_check_row_values v USING (document_id, table_kind, table_index, row_index)
    WHERE r.table_kind = 'performance_targets' AND v.table_kind = 'performance_targets' AND v.value IS NOT NULL
), form_totals AS (
    SELECT document_id, table_index, value, page FROM form_rows WHERE key = '{_FORM_TOTAL}'
    QUALIFY row_number() OVER (PARTITION BY document_id, table_index ORDER BY row_index) = 1
), form_parts AS (
    SELECT p.document_id, p.table_index, p.value, p.page FROM form_rows p
    JOIN form_totals USING (document_id, table_index)
    WHERE p.part_key IN ({parts})
    QUALIFY row_number() OVER (PARTITION BY p.document_id, p.table_index, p.part_key ORDER BY p.row_index) = 1
)"""


def _project_form_funds_add_up() -> str:
    return f"""WITH {_project_forms()}, sums AS (
    SELECT document_id, table_index, sum(value) AS amount, count(*) AS n, sum({_hy("value")}) AS hy,
           list(page) AS pages
    FROM form_parts GROUP BY ALL
)
SELECT t.document_id, 'form table ' || t.table_index AS subject, t.value AS left_value, s.amount AS right_value, s.n,
       {_hy("t.value")} + s.hy AS yuan_half, [t.page] AS left_pages, s.pages AS right_pages
FROM form_totals t JOIN sums s USING (document_id, table_index)"""


def _prose_project_budget_vs_forms() -> str:
    """The prose's first 涉及项目预算资金 (not scoped to a subject) against the forms' 年度资金申请总额 summed."""
    return f"""WITH {_project_forms()}, claim AS (
    SELECT document_id, amount, page FROM v_check_claims WHERE metric = 'project_targets_budget' AND NOT scoped
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY ord) = 1
), forms AS (
    SELECT document_id, sum(value) AS amount, count(*) AS n, list(page) AS pages FROM form_totals GROUP BY ALL
)
SELECT c.document_id, 'project_targets_budget' AS subject, c.amount AS left_value, f.amount AS right_value, f.n,
       0 AS yuan_half, [c.page] AS left_pages, f.pages AS right_pages
FROM claim c JOIN forms f USING (document_id)"""


#: identity → the SELECT of its instances.
INSTANCES: dict[str, str] = {
    **{i.name: _prose(i.name) for i in REGISTRY_LIST if i.cells},
    "prose_self_consistent": _prose_self_consistent(),
    "prose_increase_parts": _prose_increase_parts(),
    "prose_increase_vs_last_year": _prose_increase_vs_last_year(),
    "prose_change_vs_level": _prose_change_vs_level(),
    "prose_operating_expenses_is_302": _prose_operating_expenses_is_302(),
    "project_form_funds_add_up": _project_form_funds_add_up(),
    "prose_project_budget_vs_forms": _prose_project_budget_vs_forms(),
}
#: range tests (sql_identities.BOUND_VIEWS), not two sides equal
BOUNDS = {"prose_change_vs_level"}
#: all compared in 万元, the unit the prose prints
UNITS: dict[str, str] = {name: "'万元'" for name in INSTANCES if name != "project_form_funds_add_up"}
