"""The findings as CSV and Excel for reviewers who work in spreadsheets (same columns, same order as
the page). Amounts are written as exact decimal text in CSV and as numbers in 万元 in Excel."""

from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = ("部门编码 code", "部门 department", "年度 year", "文件 file", "级别 severity", "检查 check",
           "说明 description", "左 left (万元)", "右 right (万元)", "差额 difference (万元)", "容差 tolerance",
           "页码 pages", "详情 message")


def rows(findings: list) -> list[list]:
    return [[f.department_code or "", f.department, f.year or "", f.file, f.severity, f.label_zh, f.description,
             f.left, f.right, f.difference, f.tolerance_words, f.pages, f.message] for f in findings]


def write_csv(findings: list, path: Path) -> Path:
    """UTF-8 with a BOM so Excel opens the Chinese text correctly."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows(findings))
    tmp.replace(path)   # a reader never sees half a file
    return path


def write_xlsx(findings: list, path: Path) -> Path:
    from decimal import Decimal, InvalidOperation

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "findings"
    ws.append(COLUMNS)
    for r in rows(findings):
        for i in (7, 8, 9):   # amounts as numbers (Decimal → the cell keeps the printed digits)
            try:
                r[i] = Decimal(str(r[i]).replace(",", "")) if r[i] else None
            except InvalidOperation:
                pass
        ws.append(r)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
