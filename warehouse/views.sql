-- Analyst views over the warehouse. Recreated by the loader after every migration
-- (pipeline/load/schema.py): edit freely, no migration needed. Only documents with status
-- 'loaded' count; amounts are DECIMAL in 万元 (sums are DECIMAL(38,6)); divisions would be DOUBLE.

-- Loaded documents with their department's canonical name, their disclosure (a department-year
-- published as a tables file and a prose file is one disclosure of two documents), the department
-- key that follows a department over the years (its code, else its name) and the budget kind of the
-- disclosure ('department' 部门预算 | 'unit' 单位预算 | NULL when neither file says).
CREATE OR REPLACE VIEW v_documents AS
SELECT d.* REPLACE (coalesce(x.budget_kind, d.budget_kind) AS budget_kind),
       coalesce(dep.canonical_name, x.department_name, d.department_name) AS department,
       coalesce(x.disclosure_id, d.document_id) AS disclosure_id,
       coalesce(x.department_key, d.department_code, d.document_id) AS department_key
FROM documents d
LEFT JOIN disclosures x USING (document_id)
LEFT JOIN departments dep ON dep.department_key = x.department_key
WHERE d.status = 'loaded';

-- One row per disclosure (department × year × budget kind): its files.
CREATE OR REPLACE VIEW v_disclosures AS
SELECT disclosure_id, any_value(department_key) AS department_key,
       any_value(department) AS department, any_value(year) AS year,
       any_value(budget_kind) AS budget_kind,
       max(document_id) FILTER (WHERE content <> 'narrative') AS tables_document_id,
       max(document_id) FILTER (WHERE content LIKE '%narrative') AS narrative_document_id,
       list(file_name ORDER BY file_name) AS files
FROM v_documents
GROUP BY disclosure_id;

-- budget_lines with department, year and the subject code's classification (table_kinds, from the
-- template model: functional | economic | none), level and 类.
CREATE OR REPLACE VIEW v_budget_lines AS
SELECT b.*,
       d.department_code, d.department, d.department_key, d.budget_kind, d.year,
       coalesce(k.classification, 'functional') AS classification,
       CASE length(b.code) WHEN 3 THEN '类' WHEN 5 THEN '款' WHEN 7 THEN '项' END AS code_level,
       CASE WHEN b.code IS NOT NULL AND length(b.code) >= 3 THEN b.code[1:3] END AS class_code
FROM budget_lines b
JOIN v_documents d USING (document_id)
LEFT JOIN table_kinds k ON k.table_kind = b.table_kind;

-- Each department's expenditure per functional 类, year and budget kind (支出总表, 类 rows, measure
-- total). A department is its department_key (code, else name): departments printing no code stay apart.
CREATE OR REPLACE VIEW v_department_class_totals AS
SELECT l.department_key, any_value(l.department_code) AS department_code,
       any_value(l.department) AS department, l.budget_kind, l.year, l.code AS class_code,
       coalesce(any_value(s.name), any_value(l.name)) AS class_name,
       sum(l.amount) AS amount
FROM v_budget_lines l
LEFT JOIN subject_codes s
       ON s.classification = 'functional' AND s.year = l.year AND s.code = l.code
WHERE l.table_kind = 'expenditure_summary' AND l.measure = 'total' AND l.code_level = '类'
GROUP BY l.department_key, l.budget_kind, l.year, l.code;

-- District totals by functional 类 and year, over 部门预算 (a 单位预算 is part of its department's
-- 部门预算: adding both would count the unit twice).
CREATE OR REPLACE VIEW v_district_class_totals AS
SELECT year, class_code, any_value(class_name) AS class_name,
       count(DISTINCT department_key) AS departments, sum(amount) AS amount
FROM v_department_class_totals
WHERE budget_kind IS DISTINCT FROM 'unit'
GROUP BY year, class_code;

-- Each department's basic/project split (支出总表 类 rows) and personnel/public split of basic
-- expenditure (基本支出表 类 rows: measures personnel / public_funds, else 301+303 / 302+310).
CREATE OR REPLACE VIEW v_department_split AS
WITH exp AS (
    SELECT document_id,
           sum(amount) FILTER (WHERE measure = 'total')   AS total,
           sum(amount) FILTER (WHERE measure = 'basic')   AS basic,
           sum(amount) FILTER (WHERE measure = 'project') AS project
    FROM v_budget_lines
    WHERE table_kind = 'expenditure_summary' AND code_level = '类'
    GROUP BY document_id
), eco AS (
    SELECT document_id,
           coalesce(sum(amount) FILTER (WHERE measure = 'personnel'),
                    sum(amount) FILTER (WHERE measure = 'total' AND code IN ('301', '303')))
               AS personnel,
           coalesce(sum(amount) FILTER (WHERE measure = 'public_funds'),
                    sum(amount) FILTER (WHERE measure = 'total' AND code IN ('302', '310')))
               AS public_funds
    FROM v_budget_lines
    WHERE table_kind = 'general_budget_basic_expenditure' AND code_level = '类'
    GROUP BY document_id
)
SELECT d.department_code, d.department, d.department_key, d.budget_kind, d.year, d.document_id,
       exp.total, exp.basic, exp.project, eco.personnel, eco.public_funds
FROM v_documents d
LEFT JOIN exp USING (document_id)
LEFT JOIN eco USING (document_id)
WHERE d.content IS DISTINCT FROM 'narrative';

-- 三公 by department and year. Rows are classified by measure (a one-row table with the 三公
-- columns) or by label (one row per item with measure total: the template model's three_public_rows,
-- the same patterns the checks apply, tried in order on the label without spaces). A table printed
-- empty gives zeros; no 三公 table at all gives NULLs.
CREATE OR REPLACE VIEW v_three_public AS
WITH labelled AS (
    SELECT document_id, amount, measure, name,
           regexp_replace(replace(replace(replace(regexp_replace(coalesce(name, ''), '\s+', '', 'g'),
                                                  '（', '('), '）', ')'), '：', ':'), '^其中:', '') AS item_key
    FROM budget_lines
    WHERE table_kind = 'three_public'
), items AS (
    SELECT document_id, amount,
           CASE
               WHEN measure IN (SELECT measure FROM three_public_rows) THEN measure
               WHEN measure = 'total' THEN coalesce(
                   (SELECT r.measure FROM three_public_rows r WHERE regexp_matches(l.item_key, r.pattern)
                    ORDER BY r.priority LIMIT 1),
                   CASE WHEN name IN ('合计', '总计') OR name LIKE '%三公%' THEN 'total' END)
           END AS item
    FROM labelled l
), per_doc AS (
    SELECT document_id,
           sum(amount) FILTER (WHERE item = 'total')              AS total,
           sum(amount) FILTER (WHERE item = 'overseas_travel')    AS overseas_travel,
           sum(amount) FILTER (WHERE item = 'official_reception') AS official_reception,
           sum(amount) FILTER (WHERE item = 'vehicle_total')      AS vehicle_total,
           sum(amount) FILTER (WHERE item = 'vehicle_purchase')   AS vehicle_purchase,
           sum(amount) FILTER (WHERE item = 'vehicle_operation')  AS vehicle_operation
    FROM items GROUP BY document_id
), disclosed AS (
    SELECT DISTINCT document_id FROM document_tables WHERE table_kind = 'three_public'
)
SELECT d.department_code, d.department, d.department_key, d.budget_kind, d.year, d.document_id,
       (x.document_id IS NOT NULL) AS disclosed,
       CASE WHEN x.document_id IS NOT NULL THEN coalesce(p.total, 0) END              AS total,
       CASE WHEN x.document_id IS NOT NULL THEN coalesce(p.overseas_travel, 0) END    AS overseas_travel,
       CASE WHEN x.document_id IS NOT NULL THEN coalesce(p.official_reception, 0) END AS official_reception,
       CASE WHEN x.document_id IS NOT NULL THEN coalesce(p.vehicle_total, 0) END      AS vehicle_total,
       CASE WHEN x.document_id IS NOT NULL THEN coalesce(p.vehicle_purchase, 0) END   AS vehicle_purchase,
       CASE WHEN x.document_id IS NOT NULL THEN coalesce(p.vehicle_operation, 0) END  AS vehicle_operation
FROM v_documents d
LEFT JOIN disclosed x USING (document_id)
LEFT JOIN per_doc p USING (document_id)
WHERE d.content IS DISTINCT FROM 'narrative';

-- Year-over-year change by department and functional 类, against last year's disclosure as the loader
-- found it (disclosures.previous_disclosure_id: the rule the checks use too). previous_amount is 0 when
-- the department disclosed the previous year without that 类, NULL when it has no previous-year document.
CREATE OR REPLACE VIEW v_yoy_department_class AS
WITH prev AS (
    SELECT DISTINCT c.department_key, c.budget_kind, c.year, pd.budget_kind AS prev_kind, pd.year AS prev_year
    FROM v_documents c
    JOIN disclosures x ON x.document_id = c.document_id
    JOIN v_documents pd ON pd.document_id = x.previous_disclosure_id
    WHERE c.content IS DISTINCT FROM 'narrative'
)
SELECT c.department_code, c.department, c.department_key, c.budget_kind, c.class_code, c.class_name, c.year,
       c.amount,
       CASE WHEN p.amount IS NOT NULL THEN p.amount
            WHEN prev.prev_year IS NOT NULL THEN 0 END AS previous_amount,
       c.amount - CASE WHEN p.amount IS NOT NULL THEN p.amount
                       WHEN prev.prev_year IS NOT NULL THEN 0 END AS change
FROM v_department_class_totals c
LEFT JOIN prev
       ON prev.department_key = c.department_key AND prev.budget_kind IS NOT DISTINCT FROM c.budget_kind
      AND prev.year = c.year
LEFT JOIN v_department_class_totals p
       ON p.department_key = c.department_key AND p.budget_kind IS NOT DISTINCT FROM prev.prev_kind
      AND p.class_code = c.class_code AND p.year = prev.prev_year;

-- The latest full check run (check_runs): what the report, the snapshot's state token, the resume
-- logic and the truth scoring all read as "the checks".
CREATE OR REPLACE VIEW v_latest_check_run AS
SELECT run_id, generation, documents, failures, finished_at
FROM check_runs
ORDER BY finished_at DESC, run_id DESC
LIMIT 1;

-- Subject codes that are malformed, unknown to the reference list of their classification (any
-- year: the lists record the years a code was seen, not the years it was valid), or printed with a
-- name the reference never gives it. Judged only where the classification's list is loaded.
CREATE OR REPLACE VIEW v_subject_code_issues AS
WITH coded AS (
    SELECT DISTINCT document_id, department_code, year, table_kind, classification, code, name, page
    FROM v_budget_lines WHERE code IS NOT NULL AND classification <> 'none'
), ref AS (
    SELECT classification, code, array_agg(DISTINCT name ORDER BY name) AS names
    FROM subject_codes GROUP BY classification, code
), covered AS (
    SELECT DISTINCT classification FROM subject_codes
)
SELECT c.*, r.names AS reference_names,
       CASE WHEN NOT regexp_full_match(c.code, '\d{3}|\d{5}|\d{7}') THEN 'bad_format'
            WHEN r.code IS NULL THEN 'unknown_code'
            ELSE 'name_differs' END AS issue
FROM coded c
LEFT JOIN ref r ON r.classification = c.classification AND r.code = c.code
LEFT JOIN covered k ON k.classification = c.classification
WHERE NOT regexp_full_match(c.code, '\d{3}|\d{5}|\d{7}')
   OR (k.classification IS NOT NULL AND r.code IS NULL)
   OR (r.code IS NOT NULL AND c.name IS NOT NULL AND NOT list_contains(r.names, c.name));
