"""The parse result of one disclosure document: the shape of ../shared/CONTRACT.md, in Python.

Amounts are ``Decimal`` in memory and exact decimal strings in JSON; never floats. ``to_json`` /
``from_json`` are the only (de)serialisers, so the parser, the demo generator's truth files, the
staging area and the warehouse all agree on one shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: The canonical table kinds (DOMAIN.md / CONTRACT.md).
TABLE_KINDS = (
    "revenue_expenditure_summary",
    "revenue_summary",
    "expenditure_summary",
    "fiscal_summary",
    "general_budget_expenditure",
    "general_budget_basic_expenditure",
    "government_fund_expenditure",
    "soe_capital_expenditure",
    "three_public",
    "procurement",
    "performance_targets",
    "assets",
    # Jiangsu's extra tables (real corpus): all fiscal funds by function / by economic class, and the
    # 机关运行经费 table by economic class.
    "fiscal_appropriation_expenditure",
    "fiscal_appropriation_basic_expenditure",
    "operating_expenses_of_organ",
    # 一般公共预算支出经济分类(情况)表: basic and project expenditure by economic class (2026 templates)
    "general_budget_economic_expenditure",
)

#: Measures a row's ``values`` may carry (CONTRACT.md); document new ones in warehouse/README.md.
MEASURES = (
    "total", "basic", "project", "personnel", "public_funds", "amount", "fiscal_appropriation",
    "general_budget", "government_fund", "soe_capital", "fiscal_special_account", "upper_subsidy",
    "business_income", "operating_income", "affiliated_remittance", "other_income", "carryover",
    "operating_expenditure", "remit_upper", "subsidy_affiliated", "budget", "quantity", "unit_price",
    "overseas_travel", "official_reception", "vehicle_total", "vehicle_purchase", "vehicle_operation",
    "other_channel",  # procurement 其他渠道资金 (demo generator)
    # real corpora: 单位预留机动经费, 结转下年资金, 三公 subtotal beside 会议费/培训费, 机关运行经费
    "reserve", "carryover_next", "three_public_total", "meeting", "training",
    "operating_expenses_of_organ",
    # grouped headers kept apart (catalogue group_measures): a 本年收入 group's 小计, and each fund
    # source's 上年结转 beside its current-year amount
    "current_total", "carryover_general_budget", "carryover_government_fund", "carryover_soe_capital",
    "carryover_fiscal_special_account", "carryover_fiscal_appropriation", "carryover_other",
)

#: Narrative metrics (CONTRACT.md, "add more as found").
METRICS = (
    "total_revenue", "total_expenditure", "basic_expenditure", "personnel_expenditure",
    "public_funds_expenditure", "project_expenditure", "increase_total", "increase_basic",
    "increase_project", "operating_expenses_of_organ", "three_public_total", "overseas_travel",
    "official_reception", "vehicle_purchase", "vehicle_operation", "meeting_expenses",
    "training_expenses", "procurement_total", "assets_total", "fixed_assets", "current_assets",
    "intangible_assets", "fiscal_appropriation_revenue",
    "vehicle_total",  # 公务用车购置及运行维护费 in the 三公 paragraph (demo generator)
    # changes stated after the figure (Putuo: "比2023年预算减少876.75万元")
    "increase_fiscal_appropriation", "increase_three_public", "increase_vehicle_total",
    "increase_vehicle_purchase",
    # a subject item of the prose ("“A（类）B（款）C（项）”X万元", the quote naming it) and the figures
    # stated with it: last year's 执行数, this year's 预算安排 and the % change between them
    "item_amount", "item_prior_actual", "item_budget", "item_change_pct",
    # a fund's 拨款支出预算 and its stated change over last year's budget
    "government_fund_expenditure", "increase_government_fund",
    "soe_capital_expenditure", "increase_soe_capital",
    # the performance-target projects: "编报绩效目标的项目5个，涉及项目预算资金3328.13万元"
    "project_targets_count", "project_targets_budget",
    "operating_expenses_stated_as_302",     # 机关运行经费 stated to equal the basic table's 302 (its figure)
)

#: Error kinds of an unreadable document (CONTRACT.md).
ERROR_KINDS = ("not_pdf", "truncated", "encrypted", "no_text", "no_tables", "unreadable",
               "unsupported_format", "fetch_failed", "parser_error",
               # past a parsing limit (size, pages, characters, memory), past the parse deadline, or a
               # structure no reader can follow (a reference cycle, a page the PDF library cannot load)
               "too_large", "timeout", "malformed")


class DocumentError(Exception):
    """A file that cannot be read as a disclosure. ``kind`` is one of ERROR_KINDS."""

    def __init__(self, kind: str, message: str):
        assert kind in ERROR_KINDS, kind
        super().__init__(message)
        self.kind = kind
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@dataclass
class Row:
    """One printed table row. ``values`` holds only the cells the document filled, in 万元."""

    side: str | None
    code: str | None
    name: str
    values: dict[str, Decimal]
    page: int
    bbox: list[float]
    #: Text cells that are not amounts (procurement: project, unit; targets: indicator levels …).
    attrs: dict[str, str] = field(default_factory=dict)
    #: What the row is (the catalogue's row_roles): total, current_total, grand_total, carryover,
    #: carryover_next, sub_item, or the code's level class/section/item; None for a plain row.
    role: str | None = None
    #: "ocr" when the row was read from a page image (no text layer); None: from the text layer.
    origin: str | None = None
    #: OCR rows: per measure, the engine's confidence (0–1) in the cell's least certain word.
    confidence: dict[str, float] = field(default_factory=dict)


@dataclass
class Table:
    kind: str
    title: str
    pages: list[int]
    empty: bool
    rows: list[Row] = field(default_factory=list)
    #: The 注 printed under an empty table, or None.
    note: str | None = None
    #: Department code and name as printed in this table's header (may differ between tables).
    department_code: str | None = None
    department_name: str | None = None
    #: The parse's completeness of this table (pipeline.tables.completeness.table_status): found, empty,
    #: unread, partial or doubtful; None for parses made before it was stated.
    status: str | None = None
    #: "ocr" when any of its rows was read from a page image; None: all from the text layer.
    origin: str | None = None


@dataclass
class Claim:
    """A figure stated in the prose: what it restates, the amount in 万元, where it is."""

    metric: str
    amount: Decimal
    page: int
    quote: str


@dataclass
class Figure:
    """Any amount the prose prints (label … amount 万元/元/亿元, or a percentage), whatever its phrasing:
    the checks resolve it to the table cell it restates or list it as unresolved (pipeline/narrative/figures.py)."""

    label: str        # the words before the amount in its clause
    amount: Decimal   # in 万元; for a percentage, the percentage
    unit: str         # 万元 (converted from 元 / 亿元) or %
    page: int
    sentence: str     # the sentence that prints it


@dataclass
class ParseWarning:
    """A document disagreeing with itself on words, or something the parser could not be sure of."""

    kind: str
    message: str
    pages: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


@dataclass
class ParseResult:
    source: dict[str, Any]
    department: dict[str, str | None]
    year: int | None
    unit: str
    tables: list[Table]
    narrative: list[Claim]
    warnings: list[ParseWarning] = field(default_factory=list)
    parser_version: str = ""
    budget_kind: str | None = None   # 'department' (部门预算) | 'unit' (单位预算) | None: not stated
    figures: list[Figure] = field(default_factory=list)   # every amount of the prose (besides its claims)
    #: department_budget | unit_budget | budget | final_accounts | not_budget (from the content)
    document_class: str = "budget"
    #: Where the department and the year were read: tables | cover | text | title | file_name | none.
    identity_sources: dict[str, str] = field(default_factory=dict)
    #: pipeline.tables.completeness.Completeness.to_dict(): what was and was not read.
    completeness: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "department": self.department,
            "year": self.year,
            "budget_kind": self.budget_kind,
            "document_class": self.document_class,
            "identity_sources": self.identity_sources,
            "completeness": self.completeness,
            "unit": self.unit,
            "parser_version": self.parser_version,
            "tables": [
                {
                    "kind": t.kind, "title": t.title, "pages": t.pages, "empty": t.empty,
                    "note": t.note, "department_code": t.department_code,
                    "department_name": t.department_name,
                    **({"status": t.status} if t.status else {}),
                    **({"origin": t.origin} if t.origin else {}),
                    "rows": [
                        {"side": r.side, "code": r.code, "name": r.name,
                         "values": {k: _dec_str(v) for k, v in r.values.items()},
                         "page": r.page, "bbox": [round(float(b), 2) for b in r.bbox],
                         **({"attrs": r.attrs} if r.attrs else {}),
                         **({"role": r.role} if r.role else {}),
                         **({"origin": r.origin} if r.origin else {}),
                         **({"confidence": r.confidence} if r.confidence else {})}
                        for r in t.rows
                    ],
                }
                for t in self.tables
            ],
            "narrative": [
                {"metric": c.metric, "amount": _dec_str(c.amount), "page": c.page, "quote": c.quote}
                for c in self.narrative
            ],
            "warnings": [
                {"kind": w.kind, "message": w.message, "pages": w.pages, "values": w.values}
                for w in self.warnings
            ],
            **({"figures": [{"label": f.label, "amount": _dec_str(f.amount), "unit": f.unit, "page": f.page,
                             "sentence": f.sentence} for f in self.figures]} if self.figures else {}),
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ParseResult":
        return cls(
            source=d["source"],
            department=d["department"],
            year=d.get("year"),
            budget_kind=d.get("budget_kind"),
            document_class=d.get("document_class", "budget"),
            identity_sources=dict(d.get("identity_sources") or {}),
            completeness=d.get("completeness"),
            unit=d.get("unit", "万元"),
            parser_version=d.get("parser_version", ""),
            tables=[
                Table(
                    kind=t["kind"], title=t["title"], pages=list(t["pages"]), empty=t["empty"],
                    note=t.get("note"), department_code=t.get("department_code"),
                    department_name=t.get("department_name"), status=t.get("status"),
                    origin=t.get("origin"),
                    rows=[
                        Row(side=r.get("side"), code=r.get("code"), name=r["name"],
                            values={k: Decimal(v) for k, v in r["values"].items()},
                            page=r["page"], bbox=list(r.get("bbox") or [0, 0, 0, 0]),
                            attrs=dict(r.get("attrs") or {}), role=r.get("role"),
                            origin=r.get("origin"), confidence=dict(r.get("confidence") or {}))
                        for r in t["rows"]
                    ],
                )
                for t in d["tables"]
            ],
            narrative=[
                Claim(metric=c["metric"], amount=Decimal(c["amount"]), page=c["page"], quote=c["quote"])
                for c in d.get("narrative", [])
            ],
            warnings=[
                ParseWarning(kind=w["kind"], message=w["message"], pages=list(w.get("pages", [])),
                        values=list(w.get("values", [])))
                for w in d.get("warnings", [])
            ],
            figures=[Figure(label=f["label"], amount=Decimal(f["amount"]), unit=f["unit"], page=f["page"],
                            sentence=f["sentence"]) for f in d.get("figures", [])],
        )

    @classmethod
    def from_json(cls, text: str) -> "ParseResult":
        return cls.from_dict(json.loads(text))


def _dec_str(v: Decimal) -> str:
    """An exact decimal string without exponent (Decimal('1E+1') → '10')."""
    s = format(v, "f")
    return s
