"""The SELECTs of the finding views (pipeline/checks/sql_identities.py): identities whose rule states a
finding, not two amounts (one code and name per document; valid subject codes, no duplicate documents). A finding view yields one row per finding the rule states, with
left_value = how many it found (printed rows, earlier documents), right_value = 0 and n = 0, so the
tolerance is 0 and every row fails: GX's verdict is "no row", the rule's "no finding" (FINDING_VIEWS).

The district rules read every document the warehouse holds (companions and failed documents too), not
only the checked ones, so their views join ``ALL_DOCUMENTS`` instead of v_check_documents."""

from __future__ import annotations

from pipeline.checks.kinds import UNCODED_KINDS
from pipeline.checks.subjects import GOVERNMENT_FUND_PREFIXES
from pipeline.checks.catalogue import PROSE_BY_METRIC
from pipeline.checks.result import HALF_UNIT
from pipeline.checks.rules.performance import DUTY_TITLE, DUTY_TOTALS
from pipeline.checks.sql_blocks import normalised, structural_problem_sql, without_spaces
from pipeline.clean.codes import ECONOMIC_KINDS


def _in_list(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


#: every document with its department as CheckResult names it (DocFacts.department)
ALL_DOCUMENTS = """(SELECT d.document_id, d.year, d.unit,
       coalesce(nullif(d.department_code, ''), nullif(x.department_key, ''), nullif(d.department_name, ''),
                nullif(x.department_name, '')) AS department
FROM documents d LEFT JOIN disclosures x ON x.document_id = d.document_id)"""


def _duplicate_documents() -> str:
    """A loaded document with the same content (sha256) as one of a smaller id;
    a loaded disclosure (not a companion) of a department, budget kind and year that has another of a
    smaller id, when their contents differ. left_value: how many such earlier documents."""
    return """WITH loaded AS (
    SELECT d.document_id, d.year, d.sha256,
           coalesce(nullif(x.department_key, ''), nullif(d.department_code, '')) AS key,
           coalesce(nullif(x.budget_kind, ''), 'department') AS kind,
           (x.disclosure_id IS NOT NULL AND x.disclosure_id <> d.document_id
            AND x.disclosure_id IN (SELECT document_id FROM documents)) AS companion
    FROM documents d LEFT JOIN disclosures x ON x.document_id = d.document_id
    WHERE d.status = 'loaded'
), same_content AS (
    SELECT document_id, left(sha256, 12) AS subject,
           row_number() OVER (PARTITION BY sha256 ORDER BY document_id) - 1 AS earlier
    FROM loaded WHERE coalesce(sha256, '') <> ''
), years AS (
    SELECT *, count(*) OVER w AS documents,
           count(DISTINCT coalesce(sha256, chr(0))) OVER w AS contents,
           row_number() OVER (w ORDER BY document_id) - 1 AS earlier
    FROM loaded WHERE NOT companion AND key IS NOT NULL AND coalesce(year, 0) <> 0
    WINDOW w AS (PARTITION BY key, kind, year)
)
SELECT document_id, subject, earlier AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       []::INTEGER[] AS left_pages, []::INTEGER[] AS right_pages
FROM same_content WHERE earlier > 0
UNION ALL
SELECT document_id, key || '/' || year, earlier, 0, 0, 0, []::INTEGER[], []::INTEGER[]
FROM years WHERE documents > 1 AND contents > 1 AND earlier > 0"""


def _subject_codes_valid() -> str:
    """district.subject_codes: each distinct (code, classification, label) a document prints in a coded
    table, when the code cannot be a subject code of the table's classification, or the warehouse's
    subject_codes name it otherwise for the document's year. left_value: the printed rows carrying it.
    (The rule downgrades a misprint of a code the document prints elsewhere: policy, in Python.)"""
    key = normalised("b.name")
    return f"""WITH printed AS (
    SELECT b.document_id, coalesce(d.year, 0) AS year, nullif(trim(b.code), '') AS code, {key} AS key,
           b.table_index, b.row_index, b.page,
           CASE WHEN b.table_kind IN ({_in_list(ECONOMIC_KINDS)}) THEN 'economic' ELSE 'functional' END
               AS classification
    FROM budget_lines b JOIN documents d USING (document_id)
    WHERE b.table_kind NOT IN ({_in_list(UNCODED_KINDS)}) AND nullif(trim(b.code), '') IS NOT NULL
), distinct_printed AS (
    SELECT document_id, any_value(year) AS year, code, classification, key,
           count(DISTINCT (table_index, row_index)) AS printed, arg_min(page, (table_index, row_index)) AS page
    FROM printed GROUP BY document_id, code, classification, key
)
SELECT p.document_id, p.code AS subject, p.printed AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       [p.page] AS left_pages, []::INTEGER[] AS right_pages
FROM distinct_printed p
LEFT JOIN subject_codes s ON s.classification = p.classification AND s.year = p.year AND s.code = p.code
WHERE {structural_problem_sql("p.code", "p.classification")}
   OR (coalesce(s.name, '') <> '' AND p.key <> '' AND {normalised("s.name")} <> p.key)"""


def _stripped(expr: str) -> str:
    """Python's str.strip: any whitespace at either end removed."""
    return f"regexp_replace(coalesce({expr}, ''), '^[\\s\\p{{Z}}]+|[\\s\\p{{Z}}]+$', '', 'g')"


def _department_consistent(attr: str) -> str:
    """department.department: each value a table header prints for the department's code or name
    (``attr``) that differs from the document's (a name compared normalised, a code stripped), with
    left_value = how many tables print it; when no header differs, each of the parse's
    department_<code|name>_variant warnings (the document's and its companion's), left_value = 1."""
    key = (lambda e: normalised(e)) if attr == "name" else _stripped
    mine = ("nullif(d.department_code, '')" if attr == "code"
            else "coalesce(nullif(d.department_name, ''), nullif(x.department_name, ''))")
    return f"""WITH docs AS (
    SELECT d.document_id, {mine} AS mine FROM documents d
    LEFT JOIN disclosures x ON x.document_id = d.document_id
    WHERE d.document_id IN (SELECT document_id FROM v_check_documents)
), variants AS (
    SELECT t.document_id, t.department_{attr} AS subject, count(*) AS tables, flatten(list(t.pages)) AS pages
    FROM document_tables t JOIN docs USING (document_id)
    WHERE coalesce(t.department_{attr}, '') <> '' AND docs.mine IS NOT NULL
      AND {key(f"t.department_{attr}")} <> {key("docs.mine")}
    GROUP BY t.document_id, t.department_{attr}
), warned AS (
    SELECT CASE WHEN x.disclosure_id IS NOT NULL AND x.disclosure_id <> w.document_id
                 AND x.disclosure_id IN (SELECT document_id FROM documents) THEN x.disclosure_id
                ELSE w.document_id END AS document_id,
           coalesce(nullif(array_to_string(w."values", '/'), ''), 'department_{attr}') AS subject,
           coalesce(w.pages, []::INTEGER[]) AS pages
    FROM document_warnings w LEFT JOIN disclosures x ON x.document_id = w.document_id
    WHERE w.kind = 'department_{attr}_variant'
)
SELECT document_id, subject, tables AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       pages AS left_pages, []::INTEGER[] AS right_pages
FROM variants
UNION ALL
SELECT document_id, subject, 1, 0, 0, 0, pages, []::INTEGER[] FROM warned
WHERE document_id IN (SELECT document_id FROM docs) AND document_id NOT IN (SELECT document_id FROM variants)"""


def _department_name_across_years() -> str:
    """Each loaded document of a department code whose name differs
    (normalised) from the name of the code's first document (by year, then id); left_value = 1."""
    return f"""WITH named AS (
    SELECT d.document_id, d.department_code AS code, d.year,
           {normalised("coalesce(nullif(d.department_name, ''), nullif(x.department_name, ''))")} AS key
    FROM documents d LEFT JOIN disclosures x ON x.document_id = d.document_id
    WHERE d.status = 'loaded' AND coalesce(d.department_code, '') <> ''
), ranked AS (
    SELECT *, first_value(key) OVER (PARTITION BY code ORDER BY coalesce(year, 0), document_id) AS first_key,
           row_number() OVER (PARTITION BY code ORDER BY coalesce(year, 0), document_id) AS k
    FROM named
)
SELECT document_id, code || ' ' || coalesce(CAST(year AS VARCHAR), 'None') AS subject, 1 AS left_value,
       0 AS right_value, 0 AS n, 0 AS yuan_half, []::INTEGER[] AS left_pages, []::INTEGER[] AS right_pages
FROM ranked WHERE k > 1 AND key <> first_key"""


def _government_fund_subject_without_table() -> str:
    """Where no government-fund expenditure table prints a row,
    each most detailed government-fund code of the first 支出总表 (else the first 一般公共预算支出表) that
    carries a non-zero total; left_value = that total, right_value = 0 (what the fund table states)."""
    prefixes = " OR ".join(f"starts_with(r.code, '{p}')" for p in GOVERNMENT_FUND_PREFIXES)
    return f"""WITH first_table AS (
    SELECT document_id, table_index FROM v_check_rows
    WHERE first_of_kind AND table_kind IN ('expenditure_summary', 'general_budget_expenditure')
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY table_kind <> 'expenditure_summary') = 1
), rows AS (
    SELECT r.document_id, r.table_index, r.row_index, r.table_kind, r.code, r.page
    FROM v_check_rows r JOIN first_table USING (document_id, table_index)
    WHERE r.document_id NOT IN (SELECT document_id FROM v_check_rows WHERE table_kind = 'government_fund_expenditure')
)
SELECT r.document_id, 'code ' || r.code AS subject, c.amount AS left_value, 0 AS right_value, 0 AS n,
       0 AS yuan_half, [r.page] AS left_pages, []::INTEGER[] AS right_pages
FROM rows r JOIN v_check_cells c USING (document_id, table_kind, table_index, row_index)
WHERE c.measure = 'total' AND c.amount IS NOT NULL AND c.amount <> 0 AND ({prefixes})
  AND NOT EXISTS (SELECT 1 FROM rows o WHERE o.document_id = r.document_id AND o.code <> r.code
                  AND starts_with(o.code, r.code))"""


#: district._PATH_YEAR_CODE: <year>/<code>_ in a failed document's path
_FAILED_PATH = "'(?:^|[/\\\\])([0-9]{4})[/\\\\]([0-9]+)_'"


def _roster_disclosed() -> str:
    """district.roster_checks: each year of each roster entry (table ``roster``, a year listed twice
    counted twice) for which no loaded document has the entry's code and that year. The finding is on
    the first (by id) document of that code and year that did not load (its code and year, else both
    read from its path <year>/<code>_…), with that document's department and year; else on no document,
    with the entry's code and the year. left_value = 1."""
    return f"""WITH expected AS (
    SELECT r.department_code AS code, y.year
    FROM roster r, (SELECT UNNEST(r.years) AS year) y
    WHERE EXISTS (SELECT 1 FROM roster_source)
), loaded AS (
    SELECT DISTINCT department_code AS code, year FROM documents WHERE status = 'loaded'
), failed AS (
    SELECT CASE WHEN coalesce(d.department_code, '') <> '' AND coalesce(d.year, 0) <> 0 THEN d.department_code
                ELSE regexp_extract(d.source, {_FAILED_PATH}, 2) END AS code,
           CASE WHEN coalesce(d.department_code, '') <> '' AND coalesce(d.year, 0) <> 0 THEN d.year
                ELSE CAST(regexp_extract(d.source, {_FAILED_PATH}, 1) AS INTEGER) END AS year,
           min(d.document_id) AS document_id
    FROM documents d
    WHERE d.status IS DISTINCT FROM 'loaded'
      AND ((coalesce(d.department_code, '') <> '' AND coalesce(d.year, 0) <> 0)
           OR regexp_matches(coalesce(d.source, ''), {_FAILED_PATH}))
    GROUP BY ALL
)
SELECT f.document_id, e.code || '/' || e.year AS subject,
       CASE WHEN f.document_id IS NULL THEN e.code ELSE a.department END AS department,
       CASE WHEN f.document_id IS NULL THEN e.year ELSE a.year END AS year,
       1 AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       []::INTEGER[] AS left_pages, []::INTEGER[] AS right_pages
FROM expected e
LEFT JOIN failed f ON f.code = e.code AND f.year = e.year
LEFT JOIN {ALL_DOCUMENTS} a ON a.document_id = f.document_id
WHERE NOT EXISTS (SELECT 1 FROM loaded l WHERE l.code = e.code AND l.year = e.year)"""


def _department_in_roster() -> str:
    """district.roster_checks: each loaded document printing a department code that no roster entry
    has, when a roster was given (a row in roster_source); left_value = 1. (The rule downgrades a code
    whose name the roster lists under another code less than one the roster lacks: policy, in Python.)"""
    return """SELECT d.document_id, d.department_code AS subject, 1 AS left_value, 0 AS right_value, 0 AS n,
       0 AS yuan_half, []::INTEGER[] AS left_pages, []::INTEGER[] AS right_pages
FROM documents d
WHERE EXISTS (SELECT 1 FROM roster_source) AND d.status = 'loaded' AND coalesce(d.department_code, '') <> ''
  AND d.department_code NOT IN (SELECT department_code FROM roster)"""


def _assets_as_of_date() -> str:
    """assets.assets: each distinct date (as_of, as printed) an assets table of a checked document of a
    known year is dated, unless it begins with an ISO date (yyyy-mm-dd, ASCII digits) of the year
    before the budget year; left_value = the asset lines dated so, the page that of the first."""
    return """WITH dated AS (
    SELECT a.document_id, a.as_of, any_value(d.year) AS year, count(*) AS lines,
           arg_min(a.page, a.row_index) AS page
    FROM assets a JOIN v_check_documents d USING (document_id)
    WHERE coalesce(a.as_of, '') <> '' AND d.year IS NOT NULL
    GROUP BY a.document_id, a.as_of
)
SELECT document_id, as_of AS subject, lines AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       [page] AS left_pages, []::INTEGER[] AS right_pages
FROM dated
WHERE NOT (regexp_matches(as_of, '^[0-9]{4}-[0-9]{2}-[0-9]{2}') AND CAST(as_of[1:4] AS INTEGER) = year - 1)"""


def _chinese_numbered(row: str) -> str:
    """facts.is_chinese_numbered(facts.numbering_of(name, numbering)) of a v_check_rows row: its numbering
    column, else the numbering its label begins with, begins with a Chinese numeral."""
    numerals = "一二三四五六七八九十百"
    return (f"(CASE WHEN coalesce({row}.numbering, '') <> '' THEN contains('{numerals}', {row}.numbering[1])"
            f" ELSE regexp_matches({without_spaces(f'{row}.name')}, '^[{numerals}]+[、.．]') END)")


def _half_unit(unit: str) -> str:
    """result.half_unit in SQL: half the last printed digit of the unit, in 万元 (万元 when unknown)."""
    cases = " ".join(f"WHEN '{u}' THEN {format(v, 'f')}" for u, v in HALF_UNIT.items())
    return f"(CASE trim(coalesce({unit}, '万元')) {cases} ELSE {format(HALF_UNIT['万元'], 'f')} END)"


def _duty_budget_relates_to_total() -> str:
    """performance.duty_budgets: each duty table's top-level (Chinese-numbered) activities' budgets
    summed, when no total the tables print (the first cell printed of each catalogue entry of the totals
    in DUTY_TOTALS, as the prose views resolve them) is within n × half the printed unit of the sum.
    The activities are the performance_targets rows with a budget (subkind duty or none) when the
    document has any such row, else the rows of its performance_targets tables titled as duty tables
    (or untitled), budget else the row's value; subject: the table's title. left_value = activities."""
    from pipeline.checks.sql_prose import _cell

    cells = "\nUNION ALL\n".join(f"SELECT document_id, value FROM ({_cell(c)})"
                                  for m in DUTY_TOTALS for c in PROSE_BY_METRIC[m].cells)
    return f"""WITH targets AS (
    SELECT p.document_id, p.table_index, p.row_index, p.subkind, p.budget, p.page
    FROM performance_targets p WHERE p.budget IS NOT NULL
      AND p.document_id IN (SELECT document_id FROM v_check_documents)
), titles AS (
    SELECT document_id, table_index, arg_min(table_title, row_index) AS title FROM budget_lines
    WHERE document_id IN (SELECT document_id FROM targets) GROUP BY ALL
), from_targets AS (
    SELECT t.document_id, t.table_index, coalesce(nullif(ti.title, ''), '部门职责-工作活动绩效目标') AS title,
           t.budget AS amount, t.page
    FROM targets t JOIN v_check_rows r USING (document_id, table_index, row_index)
    LEFT JOIN titles ti USING (document_id, table_index)
    WHERE (t.subkind IS NULL OR t.subkind = 'duty') AND {_chinese_numbered("r")}
), from_tables AS (
    SELECT r.document_id, r.table_index, coalesce(nullif(r.table_title, ''), 'duty table') AS title,
           coalesce(b.amount, v.value) AS amount, r.page
    FROM v_check_rows r
    LEFT JOIN v_check_cells b ON b.document_id = r.document_id AND b.table_index = r.table_index
                             AND b.row_index = r.row_index AND b.measure = 'budget'
    LEFT JOIN v_check_row_values v ON v.document_id = r.document_id AND v.table_index = r.table_index
                                  AND v.row_index = r.row_index
    WHERE r.table_kind = 'performance_targets' AND r.document_id NOT IN (SELECT document_id FROM targets)
      AND (coalesce(r.table_title, '') = '' OR regexp_matches(r.table_title, '{DUTY_TITLE.pattern}'))
      AND {_chinese_numbered("r")} AND coalesce(b.amount, v.value) IS NOT NULL
), groups AS (
    SELECT g.document_id, g.table_index, any_value(g.title) AS title, sum(g.amount) AS amount, count(*) AS n,
           list(g.page) AS pages, any_value({_half_unit("d.unit")}) * count(*) AS tolerance
    FROM (SELECT * FROM from_targets UNION ALL SELECT * FROM from_tables) g
    JOIN v_check_documents d USING (document_id)
    GROUP BY g.document_id, g.table_index
), totals AS (
{cells}
)
SELECT g.document_id, g.title AS subject, g.n AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       g.pages AS left_pages, []::INTEGER[] AS right_pages
FROM groups g
WHERE NOT EXISTS (SELECT 1 FROM totals t WHERE t.document_id = g.document_id AND t.value IS NOT NULL
                  AND abs(g.amount - t.value) <= g.tolerance)"""


def _prose_unverifiable() -> str:
    """prose_restated.restatements: a restated metric the prose states with one amount (not 0, not scoped
    to a subject) while the document prints none of the metric's catalogue cells; and every figure whose
    sentence scopes it to a subject (scoped_figures), one row each. left_value = 1."""
    from pipeline.checks.sql_prose import _cell

    metrics = ", ".join(f"'{m}'" for m in PROSE_BY_METRIC)
    cells = "\nUNION ALL\n".join(f"SELECT '{m}' AS metric, document_id FROM ({_cell(c)}) WHERE value IS NOT NULL"
                                  for m, ident in PROSE_BY_METRIC.items() for c in ident.cells)
    return f"""WITH stated AS (
    SELECT document_id, metric, count(DISTINCT amount) AS amounts, any_value(amount) AS amount,
           list(page ORDER BY ord) AS pages
    FROM v_check_claims WHERE NOT scoped AND metric IN ({metrics}) GROUP BY document_id, metric
), printed AS (
{cells}
)
SELECT s.document_id, s.metric AS subject, 1 AS left_value, 0 AS right_value, 0 AS n, 0 AS yuan_half,
       s.pages AS left_pages, []::INTEGER[] AS right_pages
FROM stated s
WHERE s.amounts = 1 AND s.amount <> 0
  AND NOT EXISTS (SELECT 1 FROM printed p WHERE p.document_id = s.document_id AND p.metric = s.metric)
UNION ALL
SELECT document_id, metric, 1, 0, 0, 0, [page], []::INTEGER[] FROM v_check_claims WHERE scoped"""


#: identity → the SELECT of its findings and the documents it reads (what its view joins; None: the
#: SELECT yields each finding's department and year itself)
FINDINGS: dict[str, tuple[str, str | None]] = {
    "government_fund_subject_without_table": (_government_fund_subject_without_table(), "v_check_documents"),
    "department_code_consistent": (_department_consistent("code"), "v_check_documents"),
    "department_name_consistent": (_department_consistent("name"), "v_check_documents"),
    "subject_codes_valid": (_subject_codes_valid(), ALL_DOCUMENTS),
    "department_name_across_years": (_department_name_across_years(), ALL_DOCUMENTS),
    "duplicate_documents": (_duplicate_documents(), ALL_DOCUMENTS),
    "roster_disclosed": (_roster_disclosed(), None),      # on no document when none was even tried
    "department_in_roster": (_department_in_roster(), ALL_DOCUMENTS),
    "assets_as_of_date": (_assets_as_of_date(), "v_check_documents"),
    "duty_budget_relates_to_total": (_duty_budget_relates_to_total(), "v_check_documents"),
    "prose_unverifiable": (_prose_unverifiable(), "v_check_documents"),
}
