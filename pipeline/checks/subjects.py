"""The subject-code facts the checks need (政府收支分类科目), when the warehouse's subject_codes table is
empty: the functional and economic 类, and the government-fund 款 (政府性基金预算支出科目)."""

from __future__ import annotations

#: Functional classification 类 (支出功能分类) and their names.
FUNCTIONAL_CLASSES = {
    "201": "一般公共服务支出", "202": "外交支出", "203": "国防支出", "204": "公共安全支出", "205": "教育支出",
    "206": "科学技术支出", "207": "文化旅游体育与传媒支出", "208": "社会保障和就业支出",
    "209": "社会保险基金支出", "210": "卫生健康支出", "211": "节能环保支出", "212": "城乡社区支出",
    "213": "农林水支出", "214": "交通运输支出", "215": "资源勘探工业信息等支出", "216": "商业服务业等支出",
    "217": "金融支出", "219": "援助其他地区支出", "220": "自然资源海洋气象等支出", "221": "住房保障支出",
    "222": "粮油物资储备支出", "223": "国有资本经营预算支出", "224": "灾害防治及应急管理支出", "227": "预备费",
    "229": "其他支出", "230": "转移性支出", "231": "债务还本支出", "232": "债务付息支出",
    "233": "债务发行费用支出", "234": "抗疫特别国债安排的支出",
}

#: Economic classification 类 (部门支出经济分类).
ECONOMIC_CLASSES = {
    "301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助", "307": "债务利息及费用支出",
    "309": "资本性支出（基本建设）", "310": "资本性支出", "311": "对企业补助（基本建设）", "312": "对企业补助",
    "313": "对社会保障基金补助", "399": "其他支出",
}

#: 款 (and whole 类) of the government-fund budget (政府性基金预算支出功能分类).
GOVERNMENT_FUND_PREFIXES = (
    "20707", "20709", "20710", "20822", "20823", "20829", "21160", "21161", "21208", "21209", "21210",
    "21211", "21213", "21214", "21215", "21216", "21217", "21218", "21219", "21366", "21367", "21369",
    "21370", "21371", "21372", "21373", "21460", "21462", "21463", "21464", "21468", "21469", "21560",
    "21562", "22904", "22908", "22960", "23204", "23304", "234",
)


def is_government_fund_code(code: str) -> bool:
    return any(code.startswith(p) for p in GOVERNMENT_FUND_PREFIXES)


def structural_problem(code: str, classification: str) -> str | None:
    """Why a printed code cannot be a subject code of its classification, or None when it can."""
    if not code.isdigit():
        return "not all digits"
    if classification == "economic":
        if len(code) not in (3, 5):
            return "an economic code has 3 (类) or 5 (款) digits"
        if code[:3] not in ECONOMIC_CLASSES:
            return f"{code[:3]} is not an economic 类"
        return None
    if len(code) not in (3, 5, 7):
        return "a functional code has 3 (类), 5 (款) or 7 (项) digits"
    if code[:3] not in FUNCTIONAL_CLASSES:
        return f"{code[:3]} is not a functional 类"
    return None
