"""The SQL building blocks every identity view stands on (pipeline/checks/sql_identities.py).

Each block states once, over the warehouse, a fact the Python rules read through
pipeline/checks/facts.py: which documents are checked, a row's normalised label and its amount when
one is asked for without a measure, a table's 合计 row, a coded row's parent code, a summary table's
current / grand totals and carry-over lines. The identity views are generated from the catalogue's
parameters on top of these, never written one by one.

The blocks are plain views (nothing is materialised): creating them costs nothing at load time, and
a view is computed only when it is read.
"""

from __future__ import annotations

from pipeline.checks.subjects import ECONOMIC_CLASSES, FUNCTIONAL_CLASSES


def _in_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def without_spaces(expr: str) -> str:
    """The text without any whitespace (Python's ``\\s``, the ideographic space included)."""
    return f"regexp_replace(coalesce({expr}, ''), '[\\s\\p{{Z}}\\x{{85}}\\x{{1c}}-\\x{{1f}}]+', '', 'g')"


def normalised(expr: str) -> str:
    """pipeline.checks.facts.normalise_name in SQL: whitespace removed, full-width parentheses and colon
    made half-width, then the printed numbering (一、 （一） 1、) dropped."""
    spaced = without_spaces(expr)
    halves = f"replace(replace(replace({spaced}, '（', '('), '）', ')'), '：', ':')"
    # "1、" is numbering only when no digit follows it (Python's (?!\d), which RE2 lacks): the character
    # after it is captured and put back
    return (f"regexp_replace({halves}, '^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[)）]"
            f"|[0-9]+[、.．]([^0-9]|$))', '\\1')")


def numbering_level(name: str, numbering: str) -> str:
    """pipeline.checks.facts.numbering_level in SQL: the depth the printed numbering gives a row (一、 0,
    （一） 1, 1、 2, （1） 3, 其中 4, else NULL), read from the numbering column put before the label (when
    the label does not already begin with it); Python's \\d as [0-9０-９], as _scope_pattern reads it."""
    text = without_spaces(f"CASE WHEN coalesce({numbering}, '') <> '' AND NOT starts_with(coalesce({name}, ''), "
                          f"{numbering}) THEN {numbering} || coalesce({name}, '') ELSE coalesce({name}, '') END")
    return (f"(CASE WHEN regexp_matches({text}, '^[一二三四五六七八九十百]+[、.．]') THEN 0 "
            f"WHEN regexp_matches({text}, '^[（(][一二三四五六七八九十]+[)）]') THEN 1 "
            f"WHEN regexp_matches({text}, '^[0-9０-９]+[、.．]([^0-9０-９]|$)') THEN 2 "
            f"WHEN regexp_matches({text}, '^[（(][0-9０-９]+[)）]') THEN 3 "
            f"WHEN regexp_matches({text}, '^其中[:：]?') THEN 4 END)")


def half_printed_yuan(a: str) -> str:
    """pipeline.checks.base.half_printed_yuan in SQL: half a 元 for a whole number of 元, else half a fen."""
    return f"(CASE WHEN coalesce({a}, 0) % 0.0001 = 0 THEN 0.00005 ELSE 0.0000005 END)"


#: facts.TableFacts.total_line's labels of a 合计 row.
TOTAL_LABELS = "合计|总计|总合计|支出合计|收入合计|本年收入合计"


def structural_problem_sql(code: str, classification: str) -> str:
    """pipeline.checks.subjects.structural_problem as a boolean: the code cannot be a subject code."""
    return (f"(NOT regexp_full_match({code}, '[0-9]+') OR CASE WHEN {classification} = 'economic' "
            f"THEN length({code}) NOT IN (3, 5) OR left({code}, 3) NOT IN ({_in_list(ECONOMIC_CLASSES)}) "
            f"ELSE length({code}) NOT IN (3, 5, 7) OR left({code}, 3) NOT IN ({_in_list(FUNCTIONAL_CLASSES)}) END)")


def _scope_pattern() -> str:
    """narrative.claims._SUBJECT_SCOPE for RE2: its \\d and \\s as Python's (full-width digits, any space)."""
    from pipeline.narrative.claims import _SUBJECT_SCOPE

    return _SUBJECT_SCOPE.pattern.replace("\\d", "[0-9０-９]").replace("\\s", "[\\s\\p{Z}]").replace("'", "''")


def blocks_sql(coded_kinds: tuple[str, ...], summary_kinds: tuple[str, ...]) -> list[str]:
    """The CREATE VIEW statements of the building blocks, in dependency order."""
    key = normalised("b.name")
    return [
        # the documents checked: loaded (or partial), not a companion joined to its disclosure's file
        """CREATE OR REPLACE VIEW v_check_documents AS
SELECT d.document_id, d.year, d.unit,
       coalesce(nullif(d.department_code, ''), nullif(x.department_key, ''), nullif(d.department_name, ''),
                nullif(x.department_name, '')) AS department
FROM documents d
LEFT JOIN disclosures x ON x.document_id = d.document_id
WHERE d.status IN ('loaded', 'partial')
  AND NOT (x.disclosure_id IS NOT NULL AND x.disclosure_id <> d.document_id
           AND x.disclosure_id IN (SELECT document_id FROM documents))""",
        # every printed amount with its row's normalised label; the column-number row (甲 1 乙 2) dropped
        f"""CREATE OR REPLACE VIEW v_check_lines AS
WITH b AS (
    SELECT b.document_id, b.table_kind, b.table_title, b.table_index, b.row_index, b.side,
           nullif(trim(b.code), '') AS code, coalesce(b.name, '') AS name, b.numbering, b.measure, b.amount,
           b.page, b.bbox[1] AS x0, {key} AS key,
           b.table_index = min(b.table_index) OVER (PARTITION BY b.document_id, b.table_kind) AS first_of_kind
    FROM budget_lines b
    WHERE b.document_id IN (SELECT document_id FROM v_check_documents)
)
SELECT * FROM b WHERE NOT (code IS NULL AND regexp_full_match(key, '栏次|行次|[甲乙丙丁戊己]'))""",
        # the prose's figures of each checked document, a companion file's (its prose printed apart) with
        # its disclosure's, in the order the checks read them; scoped: the sentence pins the figure to a
        # subject (narrative.claims.subject_scoped), so it restates no document-level cell
        f"""CREATE OR REPLACE VIEW v_check_claims AS
WITH mapped AS (
    SELECT c.*, c.document_id AS source_id,
           CASE WHEN x.disclosure_id IS NOT NULL AND x.disclosure_id <> c.document_id
                 AND x.disclosure_id IN (SELECT document_id FROM documents) THEN x.disclosure_id
                ELSE c.document_id END AS primary_id
    FROM narrative_claims c LEFT JOIN disclosures x ON x.document_id = c.document_id
)
SELECT primary_id AS document_id, source_id, claim_index, metric, amount, page, quote,
       row_number() OVER (PARTITION BY primary_id ORDER BY source_id <> primary_id, source_id, claim_index) AS ord,
       metric NOT IN ('item_amount', 'item_prior_actual', 'item_budget', 'item_change_pct')
           AND coalesce(regexp_matches(quote, '{_scope_pattern()}'), false) AS scoped
FROM mapped WHERE primary_id IN (SELECT document_id FROM v_check_documents)""",
        # one row per printed table row
        """CREATE OR REPLACE VIEW v_check_rows AS
SELECT document_id, table_index, row_index, table_kind,
       any_value(table_title) AS table_title, bool_or(first_of_kind) AS first_of_kind, any_value(side) AS side,
       any_value(code) AS code, any_value(name) AS name, any_value(key) AS key,
       any_value(numbering) AS numbering, min(page) AS page, min(x0) AS x0,
       CASE WHEN any_value(code) IS NOT NULL THEN any_value(code) || ' ' || any_value(name)
            ELSE any_value(name) END AS label
FROM v_check_lines GROUP BY document_id, table_index, row_index, table_kind""",
        # each table's 合计 row: an uncoded row labelled as a total, or the lone unlabelled row
        f"""CREATE OR REPLACE VIEW v_check_total_rows AS
SELECT document_id, table_index, table_kind, bool_or(first_of_kind) AS first_of_kind,
       coalesce(min(row_index) FILTER (WHERE code IS NULL AND regexp_full_match(key, '{TOTAL_LABELS}')),
                CASE WHEN count(*) = 1 AND any_value(code) IS NULL AND any_value(key) = ''
                     THEN any_value(row_index) END) AS row_index
FROM v_check_rows GROUP BY document_id, table_index, table_kind""",
        # every cell (row × measure); a 三公 table printed one item per row lends its items' amounts to its
        # 合计 row under the column form's measures (facts._three_public_items), the first row of each wins
        """CREATE OR REPLACE VIEW v_check_cells AS
WITH own AS (
    SELECT document_id, table_kind, table_index, row_index, measure, amount FROM v_check_lines
), tot AS MATERIALIZED (
    SELECT document_id, table_index, row_index FROM v_check_total_rows
    WHERE table_kind = 'three_public' AND row_index IS NOT NULL
), items AS (
    SELECT r.document_id, r.table_index, r.row_index, c.amount, p.measure
    FROM v_check_rows r
    JOIN tot t ON t.document_id = r.document_id AND t.table_index = r.table_index AND t.row_index <> r.row_index
    JOIN own c ON c.document_id = r.document_id AND c.table_index = r.table_index AND c.row_index = r.row_index
              AND c.measure = 'total' AND c.table_kind = 'three_public'
    JOIN three_public_rows p
      ON regexp_matches(CASE WHEN starts_with(r.key, '其中:') THEN r.key[4:] ELSE r.key END, p.pattern)
    WHERE r.table_kind = 'three_public'
    QUALIFY row_number() OVER (PARTITION BY r.document_id, r.table_index, r.row_index ORDER BY p.priority) = 1
), lent AS (
    SELECT i.document_id, 'three_public' AS table_kind, i.table_index, t.row_index, i.measure,
           arg_min(i.amount, i.row_index) AS amount
    FROM items i JOIN tot t USING (document_id, table_index)
    LEFT JOIN own o ON o.document_id = i.document_id AND o.table_index = i.table_index
          AND o.row_index = t.row_index AND o.measure = i.measure AND o.table_kind = 'three_public'
    WHERE o.measure IS NULL
    GROUP BY i.document_id, i.table_index, t.row_index, i.measure
)
SELECT * FROM own UNION ALL SELECT * FROM lent""",
        # a row's amount asked for without a measure (facts.Line.get(None)): its only amount, else its
        # amount / total / budget
        """CREATE OR REPLACE VIEW v_check_row_values AS
SELECT document_id, table_kind, table_index, row_index,
       CASE WHEN count(*) = 1 THEN any_value(amount)
            ELSE coalesce(any_value(amount) FILTER (WHERE measure = 'amount'),
                          any_value(amount) FILTER (WHERE measure = 'total'),
                          any_value(amount) FILTER (WHERE measure = 'budget')) END AS value
FROM v_check_cells GROUP BY document_id, table_kind, table_index, row_index""",
        # the coded rows of the coded tables with their parent: the nearest printed 款 then 类 by prefix;
        # a code misprinted in its 类 digits belongs to the one valid printed 款 ending in its 款 digits
        f"""CREATE OR REPLACE VIEW v_check_code_rows AS
WITH coded AS (
    SELECT r.document_id, r.table_index, r.row_index, r.table_kind, r.code, r.page, r.label,
           coalesce(k.classification, 'none') AS classification
    FROM v_check_rows r LEFT JOIN table_kinds k USING (table_kind)
    WHERE r.code IS NOT NULL AND r.table_kind IN ({_in_list(coded_kinds)})
), codes AS (
    SELECT DISTINCT document_id, table_index, code, classification FROM coded
), misprinted AS (
    SELECT c.document_id, c.table_index, c.code, CASE WHEN count(DISTINCT k.code) = 1 THEN any_value(k.code) END AS parent
    FROM codes c JOIN codes k ON k.document_id = c.document_id AND k.table_index = c.table_index
     AND length(k.code) = 5 AND k.code <> c.code AND k.code[4:5] = c.code[length(c.code) - 3:length(c.code) - 2]
     AND NOT {structural_problem_sql("k.code", "(CASE WHEN k.classification = 'economic' THEN 'economic' END)")}
    WHERE length(c.code) >= 5
      AND {structural_problem_sql("c.code", "(CASE WHEN c.classification = 'economic' THEN 'economic' END)")}
    GROUP BY c.document_id, c.table_index, c.code
)
SELECT c.*, coalesce(p5.code, p3.code, m.parent) AS parent
FROM coded c
LEFT JOIN codes p5 ON p5.document_id = c.document_id AND p5.table_index = c.table_index
      AND length(c.code) > 5 AND p5.code = left(c.code, 5)
LEFT JOIN codes p3 ON p3.document_id = c.document_id AND p3.table_index = c.table_index
      AND length(c.code) > 3 AND p3.code = left(c.code, 3)
LEFT JOIN misprinted m ON m.document_id = c.document_id AND m.table_index = c.table_index AND m.code = c.code""",
        # the two sides of a summary table: each side's 本年…合计 (current), …总计 (grand) and the lines
        # carried between them (上年结转, 年终结转结余 …), as within_table.SummarySide reads them
        f"""CREATE OR REPLACE VIEW v_check_summary_lines AS
WITH lines AS MATERIALIZED (
    SELECT r.document_id, r.table_index, r.table_kind, r.first_of_kind, r.side, r.row_index, r.key, r.name,
           r.page, r.x0, v.value,
           regexp_matches(r.key, CASE r.side WHEN 'revenue' THEN '^(本年)?收入合计$' ELSE '^(本年)?支出合计$' END)
               AS current_label,
           regexp_matches(r.key, CASE r.side WHEN 'revenue' THEN '^收入总计$' ELSE '^支出总计$' END) AS grand_label,
           -- facts.is_chinese_numbered(numbering_of(name, numbering)): 一、 printed, in its column or the label
           CASE WHEN coalesce(r.numbering, '') <> '' THEN left(r.numbering, 1) IN ({_in_list("一二三四五六七八九十百")})
                ELSE regexp_matches({without_spaces("r.name")}, '^[一二三四五六七八九十百]+[、.．]') END AS numbered,
           regexp_matches(r.key, '结转|结余|弥补') AS carry_words
    FROM v_check_rows r JOIN v_check_row_values v USING (document_id, table_kind, table_index, row_index)
    WHERE r.table_kind IN ({_in_list(summary_kinds)}) AND v.table_kind IN ({_in_list(summary_kinds)})
      AND r.side IN ('revenue', 'expenditure')
), firsts AS (
    SELECT document_id, table_index, side,
           min(row_index) FILTER (WHERE current_label) AS current_row,
           min(row_index) FILTER (WHERE grand_label) AS grand_row
    FROM lines GROUP BY document_id, table_index, side
), after_current AS (   -- 本年收入合计 … 上年结转 … 收入合计: the plain 合计 below the carry-over is the grand total
    SELECT f.document_id, f.table_index, f.side, min(l.row_index) AS row_index
    FROM firsts f JOIN lines l USING (document_id, table_index, side)
    WHERE l.row_index > f.current_row AND l.current_label AND NOT starts_with(l.key, '本年')
    GROUP BY ALL
), marked AS (
    SELECT f.document_id, f.table_index, f.side, f.current_row,
           coalesce(f.grand_row, CASE WHEN starts_with(c.key, '本年') THEN a.row_index END) AS grand_row
    FROM firsts f
    LEFT JOIN lines c ON c.document_id = f.document_id AND c.table_index = f.table_index AND c.side = f.side
          AND c.row_index = f.current_row
    LEFT JOIN after_current a ON a.document_id = f.document_id AND a.table_index = f.table_index AND a.side = f.side
)
SELECT l.document_id, l.table_index, l.table_kind, l.first_of_kind, l.side, l.row_index, l.key, l.name, l.page,
       l.x0, l.numbered, l.value, l.row_index = m.current_row AS is_current, l.row_index = m.grand_row AS is_grand,
       (regexp_matches(l.key, '结转|结余|弥补') AND NOT regexp_matches(l.key, '^(其中|财政拨款结转|非财政拨款结转)')
        AND l.row_index IS DISTINCT FROM m.current_row AND l.row_index IS DISTINCT FROM m.grand_row) AS is_carry,
       -- the side's items (SummarySide.items): its 一、-numbered lines when it numbers them, else the lines
       -- above the current total that are no total, carry-over or 其中
       CASE WHEN bool_or(l.numbered AND NOT l.carry_words) OVER (PARTITION BY l.document_id, l.table_index, l.side)
            THEN l.numbered AND NOT l.carry_words
            ELSE l.row_index IS DISTINCT FROM m.current_row AND l.row_index IS DISTINCT FROM m.grand_row
                 AND NOT l.carry_words AND NOT starts_with(l.key, '其中')
                 AND (m.current_row IS NULL OR l.row_index < m.current_row) END AS is_item
FROM lines l JOIN marked m USING (document_id, table_index, side)""",
    ]
