"""The SELECTs of the finding views (pipeline/checks/sql_identities.py): identities whose rule states a
finding, not two amounts (one code and name per document; valid subject codes, no duplicate documents). A finding view yields one row per finding the rule states, with
left_value = how many it found (printed rows, earlier documents), right_value = 0 and n = 0, so the
tolerance is 0 and every row fails: GX's verdict is "no row", the rule's "no finding" (FINDING_VIEWS).

The district rules read every document the warehouse holds (companions and failed documents too), not
only the checked ones, so their views join ``ALL_DOCUMENTS`` instead of v_check_documents."""

from __future__ import annotations

from pipeline.checks.kinds import UNCODED_KINDS
from pipeline.checks.subjects import GOVERNMENT_FUND_PREFIXES
from pipeline.checks.sql_blocks import normalised, structural_problem_sql
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


#: identity → the SELECT of its findings and the documents it reads (what its view joins)
FINDINGS: dict[str, tuple[str, str]] = {
    "government_fund_subject_without_table": (_government_fund_subject_without_table(), "v_check_documents"),
    "department_code_consistent": (_department_consistent("code"), "v_check_documents"),
    "department_name_consistent": (_department_consistent("name"), "v_check_documents"),
    "subject_codes_valid": (_subject_codes_valid(), ALL_DOCUMENTS),
    "department_name_across_years": (_department_name_across_years(), ALL_DOCUMENTS),
    "duplicate_documents": (_duplicate_documents(), ALL_DOCUMENTS),
}
