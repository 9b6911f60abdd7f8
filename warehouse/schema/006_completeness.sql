-- Schema version 6: what each parse read, as data a user can filter on.
--
-- documents.document_class: department_budget | unit_budget | budget (kind not stated) | final_accounts
-- (部门决算) | not_budget (a notice, a form, a flow chart): from the content, not the file name. Only
-- budgets have their tables loaded; the others keep their documents row and say what they are.
-- documents.completeness: complete | partial | not_budget | NULL (a parse from before version 6).
-- 'partial' means the parse could not read everything: a standard table printed with amounts and no row
-- read, a ruled table with amounts of no known kind, a column group left unread, or a table whose own
-- row arithmetic fails throughout. documents.completeness_detail holds the parse's JSON account
-- (per standard kind: found / empty / absent / unread with pages; the unread tables; the reasons).
-- budget_lines.row_role: total | current_total | grand_total | carryover | carryover_next | sub_item |
-- class | section | item (类/款/项 from the code) | NULL, from the catalogue's row_roles.

ALTER TABLE documents ADD COLUMN IF NOT EXISTS document_class VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS completeness VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS completeness_detail VARCHAR;
ALTER TABLE budget_lines ADD COLUMN IF NOT EXISTS row_role VARCHAR;
