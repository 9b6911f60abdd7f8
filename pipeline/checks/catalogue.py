"""The identity catalogue: every accounting identity the checks enforce, defined once.

A reader scans this file to know what is checked. Each entry names the identity, says in one line what
it means, which cells stand on each side, how ``n`` (the count of printed amounts whose rounding the
tolerance allows for) is counted, the severity when it is broken beyond rounding, and its scope
(``document``: within one disclosure; ``district``: across documents), and the rule evaluating it as
data: ``rule`` names its function in pipeline/checks/rules/ (``module.function``) and ``params`` the
figures the rule uses. The engine runs exactly the rules named here; the GX suites
(expectations/suites.py), the Dagster asset checks and the report's wording are derived from these
entries; none restates them.

Prose restatements (category ``prose``) carry their cell as data: ``metric`` is the narrative metric and
``cells`` the ordered list of table cells it may restate (the first one the document has is used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

#: Severity of a broken identity. Within tolerance but not exact is always a warning.
ERROR = "error"
WARNING = "warning"
#: A broken identity whose side stands on a table the parse did not read for certain (marked unread,
#: partial or doubtful, or failing on most of its rows), or on a prose figure whose scope cannot be
#: pinned: stored with its reason and counted, never an error. A reviewer filters on it.
UNVERIFIABLE = "unverifiable"

DOCUMENT = "document"
DISTRICT = "district"


@dataclass(frozen=True)
class Cell:
    """One table cell a prose figure may restate: a table kind, a row selector and a measure.

    ``row`` is ``"total"`` (the table's 合计 row), ``"code:30215"`` (the row of that subject code),
    ``"name:本年支出合计"`` (a row found by its normalised label), ``"fixed_assets"`` (the assets
    table's fixed-asset rows summed) or ``"total_row"`` (procurement 合计).
    """

    table_kind: str
    row: str
    measure: str | None = None   # None: the row's only amount (summary tables, assets)

    def describe(self) -> str:
        m = f".{self.measure}" if self.measure else ""
        return f"{self.table_kind}[{self.row}]{m}"


@dataclass(frozen=True)
class Identity:
    name: str
    description: str            # one line, plain words (the report's heading)
    category: str               # within_table | cross_table | prose | performance | procurement | assets |
                                # department | district
    left: str                   # what stands on the left side
    right: str                  # what stands on the right side
    n_rule: str                 # how n is counted
    severity: str = ERROR       # severity when broken beyond tolerance
    scope: str = DOCUMENT
    metric: str | None = None   # prose restatements: the narrative metric
    cells: tuple[Cell, ...] = field(default_factory=tuple)
    label_zh: str = ""          # short Chinese label for the report
    rule: str = ""              # the rule evaluating it: "module.function" of pipeline/checks/rules; of an
                                # identity its SQL view owns (pipeline/checks/viewed.VIEW_OWNED), the policy
                                # over the view's results (``rule(doc, results)``)
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)   # the rule's data
    review: bool = False        # a rule over the other rules' results (``rule(doc, results)``)


def _prose(metric: str, label_zh: str, cells: tuple[Cell, ...], what: str) -> Identity:
    return Identity(
        name=f"prose_{metric}",
        description=f"The prose's {what} equals the table cell it restates",
        category="prose",
        left=f"narrative claim '{metric}' (each distinct amount stated)",
        right=" or else ".join(c.describe() for c in cells),
        n_rule="n = 1: the prose prints the figure once more, rounded to 0.01 万元",
        metric=metric,
        cells=cells,
        label_zh=f"说明中的{label_zh}与表格一致",
        rule="prose_restated.at_precision",
    )


_GB = "general_budget_expenditure"
_BASIC = "general_budget_basic_expenditure"
_SUM = "revenue_expenditure_summary"

REGISTRY_LIST: tuple[Identity, ...] = (
    # --- within one table -------------------------------------------------------------------
    Identity("row_total", "A row's total equals the sum of its columns (合计 = 基本 + 项目 …)",
             "within_table", "the row's total column (total / basic on general-budget tables)",
             "the sum of the row's component columns", "n = number of component cells summed",
             label_zh="行合计等于各列之和",
             rule="viewed.as_viewed",
             params={"expenditure_parts": ("basic", "project", "operating_expenditure", "remit_upper",
                                           "subsidy_affiliated", "reserve"),
                     "revenue_parts": ("fiscal_special_account", "upper_subsidy", "business_income",
                                       "operating_income", "affiliated_remittance", "other_income"),
                     "fiscal_parts": ("general_budget", "government_fund", "soe_capital")}),
    Identity("column_total", "The 合计 row equals the sum of the top-level subject rows, column by column",
             "within_table", "the 合计 row's amount in one column",
             "sum of the rows whose code has no parent in the table", "n = number of rows summed",
             label_zh="合计行等于各科目之和",
             rule="within_table.leaf_rounding"),
    Identity("code_hierarchy", "A 类 equals the sum of its 款, a 款 the sum of its 项 (301 = Σ 301xx)",
             "within_table", "the parent code's amount in one column",
             "the sum of its child codes' amounts", "n = number of child rows",
             label_zh="类=Σ款，款=Σ项",
             rule="viewed.as_viewed"),
    Identity("summary_current_totals",
             "本年收入合计 / 本年支出合计 equal the sum of the revenue / expenditure items above them",
             "within_table", "本年收入合计 (or 本年支出合计)", "sum of the numbered items on that side",
             "n = number of items with an amount", label_zh="本年合计等于各项之和",
             rule="viewed.as_viewed"),
    Identity("summary_carryover",
             "收入总计 = 本年收入合计 + 上年结转; 支出总计 = 本年支出合计 + 年终结转结余",
             "within_table", "收入总计 (or 支出总计)", "本年收入合计 + 上年结转结余 (or 本年支出合计 + 年终结转结余)",
             "n = 2 (the current total and the carry-over line)", label_zh="总计等于本年合计加结转",
             rule="viewed.as_viewed"),
    Identity("summary_balance", "收入总计 = 支出总计 on a summary table",
             "within_table", "收入总计", "支出总计", "n = 1 (two printings of one balance)",
             label_zh="收入总计等于支出总计",
             rule="viewed.as_viewed"),
    Identity("table_unreliable",
             "A table the checks cannot rely on: marked unread/partial/doubtful by the parse, its rows running on "
             "past an unread page, or its identities failing on most rows (a misread, reported once)",
             "within_table", "the table's own identities (row, column, code hierarchy)",
             "the parse's status of the table, the pages read", "n = 0 (not an amount identity)",
             severity=UNVERIFIABLE, label_zh="表格未能可靠读取，相关核对无法进行",
             rule="doubt.apply", review=True),
    # --- across tables of one document -------------------------------------------------------
    Identity("summary_revenue_vs_revenue_table", "The summary's 本年收入合计 equals the revenue table's 合计",
             "cross_table", f"{_SUM}[name:本年收入合计]", "revenue_summary[total].total",
             "n = 1", label_zh="收支总表收入合计等于收入总表合计",
             rule="viewed.as_viewed"),
    Identity("summary_expenditure_vs_expenditure_table",
             "The summary's 本年支出合计 equals the expenditure table's 合计",
             "cross_table", f"{_SUM}[name:本年支出合计]", "expenditure_summary[total].total",
             "n = 1", label_zh="收支总表支出合计等于支出总表合计",
             rule="viewed.as_viewed"),
    Identity("summary_class_vs_expenditure_table",
             "Each functional 类 on the summary equals that 类 on the expenditure table",
             "cross_table", f"{_SUM} expenditure item named like the 类", "expenditure_summary[code:类].total",
             "n = 1", label_zh="收支总表各类支出等于支出总表",
             rule="viewed.as_viewed"),
    Identity("fiscal_summary_vs_summary",
             "The fiscal summary's appropriation revenue lines equal the summary's",
             "cross_table", "fiscal_summary 一般公共预算/政府性基金/国有资本经营 拨款收入",
             f"{_SUM} same lines", "n = 1", label_zh="财政拨款收支总表与收支总表一致",
             rule="viewed.as_viewed"),
    Identity("general_budget_vs_basic_table",
             "General-budget basic expenditure (合计/人员经费/公用经费) equals the basic-expenditure table's 合计",
             "cross_table", f"{_GB}[total].basic / .personnel / .public_funds",
             f"{_BASIC}[total].total / .personnel / .public_funds", "n = 1",
             label_zh="一般公共预算支出表基本支出等于基本支出表",
             rule="viewed.as_viewed",
             params={"measures": (("basic", "total"), ("personnel", "personnel"),
                                                  ("public_funds", "public_funds"))}),
    Identity("personnel_is_301_303", "人员经费 = 301 工资福利支出 + 303 对个人和家庭的补助",
             "cross_table", f"{_BASIC}[total].personnel", f"{_BASIC}[code:301].total + [code:303].total",
             "n = number of 类 rows summed", label_zh="人员经费=301+303",
             rule="cross_table.class_split",
             params={"measure": "personnel", "classes": ("301", "303")}),
    Identity("public_funds_is_302_310", "公用经费 = 302 商品和服务支出 + 310 资本性支出",
             "cross_table", f"{_BASIC}[total].public_funds", f"{_BASIC}[code:302].total + [code:310].total",
             "n = number of 类 rows summed", label_zh="公用经费=302+310",
             rule="cross_table.class_split",
             params={"measure": "public_funds", "classes": ("302", "310")}),
    Identity("operating_expenses_vs_summary_public_funds",
             "The 三公 table's 机关运行经费 equals the summary's 公用经费 (支出总计), when all the money is fiscal",
             "cross_table", "three_public[total].operating_expenses_of_organ",
             f"{_SUM}[name:支出总计].public_funds", "n = 1 (the 万元 figure is the summary's rounded)",
             label_zh="机关运行经费等于收支总表公用经费",
             rule="cross_table.organ_rounding"),
    Identity("government_fund_subject_without_table",
             "An amount on a government-fund subject while the government-fund table is printed empty",
             "cross_table", "amount on a government-fund functional code (e.g. 22960 彩票公益金)",
             "government_fund_expenditure (printed empty)", "n = 0 (not an amount identity)",
             severity=WARNING, label_zh="政府性基金科目有数但基金表为空表",
             rule="cross_table.fund_table_state"),
    # --- prose against tables ----------------------------------------------------------------
    # "收入总计" (with 上年结转) restates the summary's 收入总计, "本年收入合计" its current total: either is
    # accepted; a figure equal to neither is compared with the one of the scope its sentence states.
    _prose("total_revenue", "收入合计", (Cell(_SUM, "name:本年收入合计"), Cell("revenue_summary", "total", "total"),
                                      Cell(_SUM, "grand:revenue")), "本年收入合计 or 收入总计"),
    _prose("total_expenditure", "支出合计",
           (Cell(_SUM, "name:本年支出合计"), Cell("expenditure_summary", "total", "total"),
            Cell(_SUM, "grand:expenditure")), "本年支出合计 or 支出总计"),
    _prose("fiscal_appropriation_revenue", "财政拨款收入",
           (Cell("revenue_summary", "total", "fiscal_appropriation"), Cell(_SUM, "name:一般公共预算拨款收入"),
            Cell(_SUM, "name:财政拨款收入"), Cell(_SUM, "name:财政拨款")),
           "财政拨款收入"),
    _prose("basic_expenditure", "基本支出",
           (Cell(_GB, "total", "basic"), Cell("expenditure_summary", "total", "basic"),
            Cell(_BASIC, "total", "total")), "基本支出"),
    _prose("personnel_expenditure", "人员经费",
           (Cell(_GB, "total", "personnel"), Cell(_BASIC, "total", "personnel")), "人员经费"),
    _prose("public_funds_expenditure", "公用经费",
           (Cell(_GB, "total", "public_funds"), Cell(_BASIC, "total", "public_funds")), "公用经费"),
    _prose("project_expenditure", "项目支出",
           (Cell(_GB, "total", "project"), Cell("expenditure_summary", "total", "project")), "项目支出"),
    # the table that prints 机关运行经费 itself (the 三公 table's column, or a table of its own) first
    _prose("operating_expenses_of_organ", "机关运行经费",
           (Cell("three_public", "total", "operating_expenses_of_organ"),
            Cell("operating_expenses_of_organ", "total", "operating_expenses_of_organ"),
            Cell(_BASIC, "total", "public_funds"), Cell(_GB, "total", "public_funds")), "机关运行经费"),
    # A 三公 table that also prints 会议费/培训费 (Jiangsu) has the 三公 sum in its own column.
    _prose("three_public_total", "三公经费合计",
           (Cell("three_public", "total", "three_public_total"), Cell("three_public", "total", "total")), "三公 total"),
    _prose("overseas_travel", "因公出国(境)费", (Cell("three_public", "total", "overseas_travel"),),
           "因公出国(境)费"),
    _prose("official_reception", "公务接待费", (Cell("three_public", "total", "official_reception"),), "公务接待费"),
    _prose("vehicle_total", "公务用车购置及运行费", (Cell("three_public", "total", "vehicle_total"),),
           "公务用车购置及运行费"),
    _prose("vehicle_purchase", "公务用车购置费", (Cell("three_public", "total", "vehicle_purchase"),), "公务用车购置费"),
    _prose("vehicle_operation", "公务用车运行维护费", (Cell("three_public", "total", "vehicle_operation"),),
           "公务用车运行维护费"),
    # 会议费/培训费 of all funds (the 三公 table's columns, where printed) before the basic table's 302xx line
    _prose("meeting_expenses", "会议费", (Cell("three_public", "total", "meeting"), Cell(_BASIC, "code:30215", "total")),
           "会议费"),
    _prose("training_expenses", "培训费",
           (Cell("three_public", "total", "training"), Cell(_BASIC, "code:30216", "total")), "培训费"),
    _prose("procurement_total", "政府采购合计", (Cell("procurement", "total_row", "amount"),), "政府采购 total"),
    _prose("assets_total", "资产总额", (Cell("assets", "name:资产总额"),), "资产总额"),
    _prose("fixed_assets", "固定资产", (Cell("assets", "fixed_assets"),), "固定资产"),
    Identity("prose_unverifiable", "A figure in the prose whose table cell the document does not print",
             "prose", "narrative claim (nonzero)", "the cell it restates (absent)", "n = 0",
             severity=WARNING, label_zh="说明中的数字无法在表中核对",
             rule="prose_restated.restatements"),
    Identity("prose_figure_vs_table",
             "Any other figure the prose prints, resolved by name to a table cell, equals it (unresolved: listed)",
             "prose", "a prose figure (label … amount 万元), whatever its phrasing",
             "the cell its label names: 三公 items, 机关运行经费, procurement classes, asset lines, table rows",
             "n = 1, at the decimals the prose prints", severity=WARNING,
             label_zh="说明中其他数字与其名称对应的表格单元一致",
             rule="prose_figures.figures"),
    Identity("prose_self_consistent", "The prose states the same figure with the same amount everywhere",
             "prose", "the metric's first stated amount", "another amount stated for the same metric",
             "n = 0 (two printings of one figure)", label_zh="说明中同一数字前后一致",
             rule="viewed.as_viewed"),
    Identity("prose_parts_add_up",
             "Parts stated in the prose add up to their stated whole (基本 + 项目 = 支出合计; 人员 + 公用 = 基本 …)",
             "prose", "the stated whole", "the sum of its stated parts", "n = number of parts",
             label_zh="说明中各部分之和等于合计",
             rule="prose_parts.parts",
             params={"wholes": (
                 ("total_expenditure", ("basic_expenditure", "project_expenditure"), 2),
                 ("basic_expenditure", ("personnel_expenditure", "public_funds_expenditure"), 2),
                 ("assets_total", ("current_assets", "fixed_assets", "intangible_assets"), 2),
                 ("three_public_total", ("overseas_travel", "official_reception", "vehicle_purchase",
                                         "vehicle_operation"), 2))}),
    Identity("prose_increase_parts", "The stated increase equals the sum of its stated parts (基本 + 项目)",
             "prose", "increase_total", "increase_basic + increase_project", "n = number of parts",
             label_zh="说明中增减额各部分之和一致",
             rule="prose_parts.parts"),
    Identity("prose_increase_vs_last_year",
             "The stated increase equals this year's figure minus last year's disclosure",
             "prose", "increase_* claim", "this year's figure − last year's (from last year's document)",
             "n = 2 (this year's and last year's printed figure)", label_zh="增减额与上年公开数一致",
             severity=ERROR,
             rule="prose_changes.increases_vs_last_year",
             params={"bases": {
                 "increase_total": "total_expenditure", "increase_basic": "basic_expenditure",
                 "increase_project": "project_expenditure",
                 "increase_fiscal_appropriation": "fiscal_appropriation_revenue",
                 "increase_three_public": "three_public_total", "increase_vehicle_total": "vehicle_total",
                 "increase_vehicle_purchase": "vehicle_purchase"}}),
    Identity("prose_item_vs_table",
             "A subject item the prose states (“A（类）B（款）C（项）”X万元) equals that row of the tables",
             "prose", "narrative item_amount (its path in the quote)",
             "general_budget_expenditure[the 项 row].total or else expenditure_summary",
             "n = 1, at the decimals the prose prints", label_zh="说明中的科目金额与表格一致",
             rule="prose_items.items"),
    Identity("prose_item_budget_restated",
             "The 预算安排 stated in an item's comparison equals the item's own amount",
             "prose", "item_budget", "the item's item_amount", "n = 0 (two printings of one figure)",
             label_zh="说明中科目预算安排前后一致",
             rule="prose_items.items"),
    Identity("prose_item_change_pct",
             "An item's stated % change equals (预算安排 − 执行数) / 执行数",
             "prose", "item_change_pct", "(item_budget − item_prior_actual) / item_prior_actual × 100",
             "the range the printed amounts allow (each ± half its last digit), and ± 0.005 for the %",
             label_zh="说明中科目增减比例正确",
             rule="prose_items.items"),
    Identity("prose_change_vs_level",
             "A fund's stated change over last year fits its stated level (last year's budget = level − change ≥ 0)",
             "prose", "increase_government_fund / increase_soe_capital",
             "the implied last-year budget (level − change)", "n = 0",
             label_zh="说明中基金增减额与预算数相符",
             rule="prose_changes.changes_vs_levels",
             params={"pairs": (("government_fund_expenditure", "increase_government_fund"),
                                          ("soe_capital_expenditure", "increase_soe_capital"))}),
    Identity("prose_operating_expenses_is_302",
             "Where the prose says the 机关运行经费 equals the basic table's 302 商品和服务支出, it does",
             "prose", "narrative operating_expenses_stated_as_302 (the 机关运行经费 figure)",
             f"{_BASIC}[code:302].total", "n = 1", label_zh="说明所称机关运行经费等于商品和服务支出",
             rule="prose_parts.quoting_302"),
    Identity("duty_budget_relates_to_total",
             "The duty-activity budgets (部门职责-工作活动) add up to a total the tables print",
             "prose", "sum of the top-level duty activities' 年度预算数",
             "本年支出合计, 基本支出 or 项目支出 of the tables", "n = number of activities",
             severity=WARNING, label_zh="职责活动预算数与表中合计无对应",
             rule="performance.duty_budgets"),
    # --- performance-target project forms ----------------------------------------------------
    Identity("project_form_funds_add_up",
             "A project form's 年度资金申请总额 equals 当年财政拨款 + 上年结转资金 + 其他资金",
             "performance", "the form's 年度资金申请总额", "当年财政拨款 + 上年结转资金 + 其他资金 of the form",
             "n = number of parts", label_zh="项目资金申请总额等于各来源之和",
             rule="viewed.as_viewed"),
    Identity("prose_project_budget_vs_forms",
             "The prose's 涉及项目预算资金 equals the 年度资金申请总额 of the project forms printed",
             "prose", "narrative project_targets_budget", "sum of the forms' 年度资金申请总额",
             "n = number of forms, at the decimals the prose prints", label_zh="说明中项目预算资金等于绩效目标表之和",
             rule="performance.projects_named"),
    # --- procurement -------------------------------------------------------------------------
    Identity("procurement_line_product", "A procurement line's quantity × unit price equals its amount",
             "procurement", "quantity × unit_price", "amount (with 预算资金 shown)",
             "n = ⌈quantity⌉ + 1 (the unit price's rounding per unit, and the amount's)",
             label_zh="采购数量×单价=金额",
             rule="procurement.procurement"),
    Identity("procurement_lines_sum", "The procurement lines' amounts add up to the 合计 row",
             "procurement", "the 合计 row's amount", "sum of the lines' amounts", "n = number of lines",
             label_zh="采购明细之和等于合计",
             rule="procurement.procurement"),
    Identity("procurement_budget_column",
             "The 预算资金 column adds up to the 合计 (a warning when broken lines explain the gap)",
             "procurement", "the 合计 row's amount", "sum of the lines' 预算资金", "n = number of lines",
             label_zh="采购预算资金列之和等于合计",
             rule="procurement.procurement"),
    # --- assets ------------------------------------------------------------------------------
    Identity("assets_as_of_date", "The assets table is dated at the end of the year before the budget year",
             "assets", "the table's 截止时间", "31 December of year − 1", "n = 0",
             severity=WARNING, label_zh="资产表截止日期与预算年度不符",
             rule="assets.assets"),
    # --- department identity -----------------------------------------------------------------
    Identity("department_code_consistent", "One department code in every table of a document",
             "department", "the document's department code", "a code printed in a table header", "n = 0",
             label_zh="各表部门编码一致",
             rule="department.as_printed"),
    Identity("department_name_consistent", "One department name in every table of a document",
             "department", "the document's department name", "a name variant printed in a table header",
             "n = 0", severity=WARNING, label_zh="各表部门名称一致",
             rule="department.as_printed"),
    # --- district ----------------------------------------------------------------------------
    Identity("roster_disclosed", "Every department of the roster has a disclosure for each of its years",
             "district", "roster entry (code, year)", "a loaded document of that department and year",
             "n = 0", scope=DISTRICT, label_zh="名册部门均已公开",
             rule="district.roster_checks"),
    Identity("department_in_roster", "A document's department code is a roster department's code",
             "district", "the document's (code, name)", "the roster's (code, name)", "n = 0",
             scope=DISTRICT, label_zh="部门编码与名册一致",
             rule="district.roster_checks"),
    Identity("department_name_across_years", "A department code carries one name across years",
             "district", "the name in one year", "the name in another year", "n = 0",
             severity=WARNING, scope=DISTRICT, label_zh="部门名称跨年一致",
             rule="district.as_found"),
    Identity("subject_codes_valid", "Subject codes are valid 类/款/项 codes of their classification",
             "district", "a printed subject code", "the classification (3/5/7 digits, known 类)", "n = 0",
             scope=DISTRICT, label_zh="科目编码有效",
             rule="district.subject_codes"),
    Identity("duplicate_documents", "No department-year is disclosed twice (or the same file loaded twice)",
             "district", "a document", "another document of the same department and year or content",
             "n = 0", severity=WARNING, scope=DISTRICT, label_zh="无重复公开文件",
             rule="district.as_found"),
)

#: The registry, by name.
REGISTRY: dict[str, Identity] = {i.name: i for i in REGISTRY_LIST}
assert len(REGISTRY) == len(REGISTRY_LIST), "duplicate identity names"

PROSE_BY_METRIC: dict[str, Identity] = {i.metric: i for i in REGISTRY_LIST if i.metric}


def identities(scope: str | None = None) -> list[Identity]:
    """The identities of one scope (or all), in catalogue order."""
    return [i for i in REGISTRY_LIST if scope is None or i.scope == scope]


def catalogue_markdown() -> str:
    """The registry as a Markdown table (``python -m pipeline.checks``), for people and docs."""
    lines = ["| identity | scope | severity | description | left | right | n |", "|---|---|---|---|---|---|---|"]
    for i in REGISTRY_LIST:
        lines.append(f"| `{i.name}` | {i.scope} | {i.severity} | {i.description} ({i.label_zh}) | {i.left} | "
                     f"{i.right} | {i.n_rule} |")
    return "\n".join(lines)
