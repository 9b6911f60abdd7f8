"""The disclosures the test portal publishes: the demo district's PDFs, or placeholders until it exists.

The demo generator (pipeline.demo.generate_district) writes ``<year>/<code>_<short>.pdf`` and
``roster.csv``; ``load_district(dir)`` reads that layout. ``placeholder_district()`` stands in with 40
departments over two years and small files starting with %PDF-, so the crawler tests never depend on
the renderer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DISTRICT = "示范区"

PLACEHOLDER_NAMES = [
    "区委办公室", "区人大常委会办公室", "区政府办公室", "区政协办公室", "区纪委监委机关", "区委组织部",
    "区委宣传部", "区委统战部", "区委政法委员会", "区发展和改革局", "区教育体育局", "区科学技术局",
    "区工业和信息化局", "区公安分局", "区民政局", "区司法局", "区财政局", "区人力资源和社会保障局",
    "区自然资源和规划分局", "区生态环境分局", "区住房和城乡建设局", "区交通运输局", "区水务局",
    "区农业农村局", "区商务局", "区文化和旅游局", "区卫生健康局", "区退役军人事务局", "区应急管理局",
    "区审计局", "区市场监督管理局", "区统计局", "区医疗保障局", "区城市管理综合执法局", "区信访局",
    "区机关事务服务中心", "区总工会", "共青团区委员会", "区妇女联合会", "区社区管理办公室",
]


@dataclass(frozen=True)
class Disclosure:
    code: str
    name: str
    year: int
    pdf: bytes


def placeholder_pdf(code: str, year: int, size: int = 3000) -> bytes:
    head = f"%PDF-1.4\n% placeholder disclosure {code} {year}\n".encode()
    return head + b"%" + b"x" * max(0, size - len(head) - 8) + b"\n%%EOF\n"


def placeholder_district(years: tuple[int, ...] = (2022, 2023)) -> list[Disclosure]:
    return [Disclosure(str(101 + i), name, y, placeholder_pdf(str(101 + i), y))
            for y in years for i, name in enumerate(PLACEHOLDER_NAMES)]


def load_district(demo_dir: Path) -> list[Disclosure]:
    """The demo district's disclosures (those whose PDF exists), sorted by year and code."""
    names: dict[str, str] = {}
    with open(demo_dir / "roster.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["department_code"]] = row["name"]
    out = []
    for pdf in sorted(demo_dir.glob("20[0-9][0-9]/*.pdf")):
        code = pdf.stem.split("_", 1)[0]
        if code in names:
            out.append(Disclosure(code, names[code], int(pdf.parent.name), pdf.read_bytes()))
    return sorted(out, key=lambda d: (d.year, d.code))
