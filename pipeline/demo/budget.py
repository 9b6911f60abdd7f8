"""One department-year's budget in the printed unit: the numbers every table and the prose restate.

Why one model: every accounting identity of DOMAIN.md holds by construction when all tables are
derived from the same lines (functional lines with their funding, economic lines, three-public,
procurement, assets). Faults are then injected into the *printed* figures, never into this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Z = Decimal("0.00")


@dataclass
class FuncLine:
    """A 项 (7-digit functional subject) with its basic and project amounts by source."""

    code: str
    name: str
    personnel: Decimal = Z
    public: Decimal = Z
    project_gb: Decimal = Z      # project funded by this year's general-budget appropriation
    project_gf: Decimal = Z      # project funded by government-fund appropriation
    project_cf: Decimal = Z      # project funded by last year's fiscal carry-over
    project_nf: Decimal = Z      # project funded by 事业收入 (non-fiscal)

    @property
    def basic(self) -> Decimal:
        return self.personnel + self.public

    @property
    def project(self) -> Decimal:
        return self.project_gb + self.project_gf + self.project_cf + self.project_nf

    @property
    def total(self) -> Decimal:
        return self.basic + self.project

    @property
    def general_budget(self) -> Decimal:
        return self.basic + self.project_gb

    @property
    def fiscal(self) -> Decimal:
        return self.basic + self.project_gb + self.project_gf + self.project_cf

    @property
    def revenue_fiscal(self) -> Decimal:
        """This year's fiscal appropriation revenue on this subject (carry-over excluded)."""
        return self.basic + self.project_gb + self.project_gf


@dataclass
class EconLine:
    """A 款 (5-digit economic subject) of basic expenditure."""

    code: str
    name: str
    amount: Decimal

    @property
    def is_personnel(self) -> bool:
        return self.code[:3] in ("301", "303")


@dataclass
class ThreePublic:
    overseas: Decimal = Z
    reception: Decimal = Z
    vehicle_purchase: Decimal = Z
    vehicle_operation: Decimal = Z

    @property
    def vehicle(self) -> Decimal:
        return self.vehicle_purchase + self.vehicle_operation

    @property
    def total(self) -> Decimal:
        return self.overseas + self.reception + self.vehicle


@dataclass
class ProcLine:
    project: str
    item: str
    unit_q: str
    quantity: Decimal
    price: Decimal
    amount: Decimal
    budget: Decimal
    catalogue_no: str = ""


@dataclass
class Assets:
    as_of: str                   # ISO date
    current: Decimal
    intangible: Decimal
    houses: tuple[str, Decimal | None]          # (quantity as printed, value)
    office: tuple[str, Decimal | None]
    vehicles: tuple[str, Decimal | None]
    equipment: tuple[str, Decimal | None]
    other_fixed: Decimal

    @property
    def fixed(self) -> Decimal:
        return sum((v for _, v in (self.houses, self.vehicles, self.equipment) if v is not None),
                   self.other_fixed)

    @property
    def total(self) -> Decimal:
        return self.current + self.fixed + self.intangible


@dataclass
class Indicator:
    level1: str
    level2: str
    indicator: str
    description: str
    value: str
    basis: str


@dataclass
class PerfTable:
    title: str
    project: str
    indicators: list[Indicator]
    #: The 项 the project is funded on (district budgets; the seed's forms name none).
    code: str | None = None
    #: 当年财政拨款, 上年结转资金, 其他资金 when the form prints its 项目资金 block (else indicators only).
    funds: tuple[Decimal, Decimal, Decimal] | None = None


@dataclass
class Budget:
    code: str
    name: str
    short: str
    year: int
    unit: str                                   # 万元 or 元
    lines: list[FuncLine]
    econ: list[EconLine]
    three_public: ThreePublic
    procurement: list[ProcLine]
    assets: Assets
    perf: list[PerfTable]
    training: Decimal = Z                       # 培训费 stated in the prose
    #: Last year's (total, basic, project) for the 较上年 paragraph.
    prior: tuple[Decimal, Decimal, Decimal] = (Z, Z, Z)
    prior_three_public: Decimal = Z
    duties: str = ""
    bracket_header: bool = False
    fund_names: dict[str, str] = field(default_factory=dict)

    # ---- derived totals -------------------------------------------------------------------
    def s(self, attr: str) -> Decimal:
        return sum((getattr(ln, attr) for ln in self.lines), Z)

    @property
    def personnel(self) -> Decimal:
        return sum((e.amount for e in self.econ if e.is_personnel), Z)

    @property
    def public(self) -> Decimal:
        return sum((e.amount for e in self.econ if not e.is_personnel), Z)

    @property
    def carryover(self) -> Decimal:
        return self.s("project_cf")

    @property
    def revenue_total(self) -> Decimal:
        return self.s("revenue_fiscal") + self.s("project_nf")

    @property
    def expenditure_total(self) -> Decimal:
        return self.s("total")

    def econ_amount(self, code: str) -> Decimal:
        return sum((e.amount for e in self.econ if e.code == code), Z)
