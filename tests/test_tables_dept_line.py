"""The department line of a table header (pipeline.tables.context.parse_dept / short_dept), by property.

A code is the number printed next to the department's name: with a label ("部门（单位）：86 X局",
"单位编码：86") any number of digits; unlabelled, three digits or more ("125 X局", "[125]X局"), or one
or two digits as a candidate (``short_dept``) that parse.py keeps only when another header line or
the cover prints the same name. Years, dates, amounts, rates, page numbers and numbered titles are
never codes.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tables.context import parse_dept, short_dept

# department names as printed: ideographs (no date unit first, no 表 last), sometimes with brackets
_IDEO = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
names = st.builds(lambda a, b: a + b,
                  st.text(_IDEO, min_size=3, max_size=18).filter(lambda s: s[0] != "年" and s[-1] != "表"),
                  st.sampled_from(["", "（本级）", "局", "办公室"])).filter(lambda s: s[-1] != "表")
long_codes = st.integers(100, 999_999_999).map(str)
short_codes = st.integers(1, 99).map(str)
any_codes = st.one_of(short_codes, long_codes, st.integers(0, 999).map(lambda n: f"{n:03d}"))
labels = st.sampled_from(["部门：", "单位：", "部门（单位）：", "部门(单位)：", "预算单位：", "单位名称：",
                          "部门名称:"])
gaps = st.sampled_from([" ", "  ", "　", ""])
meta = st.sampled_from(["", "  单位：万元", "  金额单位：元", "  预算年度：2026"])
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


@SETTINGS
@given(labels, any_codes, gaps, names, meta)
def test_a_labelled_line_reads_its_code_and_name(label, code, gap, name, tail) -> None:
    assert parse_dept(f"{label}{code}{gap or ' '}{name}{tail}") == (code, name)


@SETTINGS
@given(names, any_codes, st.sampled_from(["单位编码：", "部门编码：", "单位代码:"]), meta)
def test_a_code_under_its_own_label(name, code, label, tail) -> None:
    assert parse_dept(f"单位名称：{name}  {label}{code}{tail}") == (code, name)
    assert parse_dept(f"{name}  {label}{code}") == (code, name)


@SETTINGS
@given(long_codes, names, st.sampled_from(["{c} {n}", "[{c}]{n}", "【{c}】{n}", "{c}{n}"]), meta)
def test_three_digits_or_more_unlabelled(code, name, form, tail) -> None:
    line = form.format(c=code, n=name) + tail
    assert parse_dept(line) == (code, name)
    assert short_dept(line) is None


@SETTINGS
@given(short_codes, names, st.sampled_from(["{c} {n}", "[{c}]{n}", "（{c}）{n}", "{c}  {n}"]), meta)
def test_one_or_two_digits_unlabelled_are_a_candidate_only(code, name, form, tail) -> None:
    line = form.format(c=code, n=name) + tail
    assert parse_dept(line) is None                 # never read as a code on its own
    assert short_dept(line) == (code, name)


@SETTINGS
@given(st.integers(1990, 2100), names, gaps)
def test_years_are_never_codes(year, name, gap) -> None:
    for line in (f"{year}{gap}年{name}", f"{year % 100}{gap}年度{name}", f"{year}{gap}年度部门预算",
                 f"部门：{year}年{name}"):
        assert parse_dept(line) is None and short_dept(line) is None, line


@SETTINGS
@given(st.integers(1, 12), st.integers(1, 31), names)
def test_dates_are_never_codes(month, day, name) -> None:
    for line in (f"{month} 月份{name}", f"截止时间：2024年{month}月{day}日", f"{month}月{day}日{name}"):
        assert short_dept(line) is None and (parse_dept(line) or (None,))[0] is None, line


@SETTINGS
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["{a} 万元", "{a}万元{n}", "{a} {n}", "{a}% {n}", "{a}％{n}"]), names)
def test_amounts_and_rates_are_never_codes(amount, form, name) -> None:
    line = form.format(a=f"{amount:,.2f}" if amount > 1000 else f"{amount:.2f}", n=name)
    assert parse_dept(line) is None and short_dept(line) is None, line
    line = form.format(a=f"{amount:.1f}", n=name)
    assert parse_dept(line) is None and short_dept(line) is None, line


@SETTINGS
@given(st.integers(1, 400), names)
def test_page_numbers_and_numbered_titles_are_never_codes(n, name) -> None:
    for line in (str(n), f"- {n} -", f"第 {n} 页", f"第{n}页 共{n + 3}页", f"{n:02d} {name}表",
                 f"{n % 100} {name}表"):
        assert short_dept(line) is None, line
        got = parse_dept(line)
        assert got is None or (len(got[0]) >= 3 and not got[1].endswith("页")), line


def test_a_two_digit_code_on_one_table_header_is_reported(tmp_path) -> None:
    """A real PDF (the demo renderer): the procurement header prints "86 <name>" where every other
    table prints "101 <name>" (issue 12's missed fault): read as the code 86, reported as a variant,
    the document's code still 101."""
    from pipeline import config
    from pipeline.demo import build, district_budgets
    from pipeline.demo.render import render_document
    from pipeline.parse import parse_document

    _, _, b, _, _ = next(iter(district_budgets(config.DEMO_SEED, (2023,), 2, faults=False)))
    tweaks = build.Tweaks()
    tweaks.header_code["procurement"] = "86"
    pdf = tmp_path / "d86.pdf"
    render_document(build.document(b, tweaks), pdf)
    r = parse_document(pdf)
    assert r.department["code"] == b.code and len(b.code) == 3
    assert {t.department_code for t in r.tables if t.kind == "procurement"} == {"86"}
    variants = [w for w in r.warnings if w.kind == "department_code_variant"]
    assert [w.values for w in variants] == [[b.code, "86"]]


def test_a_department_line_outranks_a_short_candidate_nearer_the_table() -> None:
    from pipeline.document.reader import TextLine
    from pipeline.tables.catalogue import load_catalogue
    from pipeline.tables.context import read_context

    lines = [TextLine(t, 0, 300, 10 + 20 * i, 22 + 20 * i) for i, t in
             enumerate(["部门收支总表", "125 承德高新区财政局", "3 承德高新区工作要点"])]
    ctx = read_context(lines, load_catalogue())
    assert (ctx.code, ctx.name, ctx.code_short) == ("125", "承德高新区财政局", False)
