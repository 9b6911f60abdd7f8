"""Number and label repair: property tests (hypothesis) and the printed forms DOMAIN.md lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from pipeline.document.numbers import (AmountError, clean_label, digits_only, format_amount, parse_amount,
                                       to_wan)

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)
FULL = str.maketrans("0123456789.,-()", "０１２３４５６７８９．，－（）")


@given(amounts, st.booleans())
def test_parse_of_format_is_identity(x: Decimal, thousands: bool) -> None:
    assert parse_amount(format_amount(x, thousands)) == x


@given(amounts, st.data())
def test_split_digits_anywhere(x: Decimal, data) -> None:
    s = format_amount(abs(x))
    cut = data.draw(st.integers(min_value=1, max_value=len(s) - 1)) if len(s) > 1 else 0
    sep = data.draw(st.sampled_from([" ", "\n", " \n "]))
    assert parse_amount(s[:cut] + sep + s[cut:]) == abs(x)


@given(amounts, st.booleans())
def test_full_width_forms(x: Decimal, thousands: bool) -> None:
    assert parse_amount(format_amount(x, thousands).translate(FULL)) == x


@given(amounts.filter(lambda d: d > 0))
def test_bracketed_negative(x: Decimal) -> None:
    assert parse_amount(f"({format_amount(x)})") == -x
    assert parse_amount(f"（{format_amount(x)}）") == -x


@given(amounts)
def test_yuan_to_wan_is_exact(x: Decimal) -> None:
    w = to_wan(x, "元")
    assert w * 10000 == x                    # exact, no rounding
    assert to_wan(x, "万元") == x


@pytest.mark.parametrize("printed, value", [
    ("2119.2 9", Decimal("2119.29")), ("2119.2\n9", Decimal("2119.29")), ("27,664.22", Decimal("27664.22")),
    ("１２３．４５", Decimal("123.45")), ("1，234.50", Decimal("1234.50")), ("（12.00）", Decimal("-12.00")),
    ("(12.00)", Decimal("-12.00")), ("-", Decimal("0")), ("—", Decimal("0")), ("0", Decimal("0")),
    ("0.00", Decimal("0")), ("-3.5", Decimal("-3.5")),
])
def test_printed_forms(printed: str, value: Decimal) -> None:
    assert parse_amount(printed) == value


@pytest.mark.parametrize("empty", [None, "", "  ", "\n"])
def test_empty_is_absent(empty) -> None:
    assert parse_amount(empty) is None


@pytest.mark.parametrize("text", ["合计", "12a", "1.2.3", "万元"])
def test_not_an_amount(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


def test_yuan_printed_amount() -> None:
    assert to_wan(parse_amount("27,664.22"), "元") == Decimal("2.766422")


@pytest.mark.parametrize("raw, label", [
    ("一、一般公共预算\n拨款收入", "一、一般公共预算拨款收入"),
    ("一、一般公共预算 拨款收入", "一、一般公共预算拨款收入"),
    ("项 目", "项目"), ("1、房屋（平方米）", "1、房屋（平方米）"), ("  二十五、其他支\n出 ", "二十五、其他支出"),
])
def test_labels(raw: str, label: str) -> None:
    assert clean_label(raw) == label


def test_free_text_keeps_word_spaces() -> None:
    assert clean_label("LED 显示屏", keep_spaces=True) == "LED 显示屏"
    assert clean_label("大于 2000 人（含\n2000 人）", keep_spaces=True) == "大于 2000 人（含 2000 人）"
    assert clean_label("思想政治建设、组织\n建设", keep_spaces=True) == "思想政治建设、组织建设"


@given(st.text(alphabet="一二三、收入支出合计", min_size=1, max_size=12), st.data())
def test_label_breaks_anywhere(label: str, data) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(label)))
    assert clean_label(label[:cut] + "\n" + label[cut:]) == label


def test_codes() -> None:
    assert digits_only("2120102") == "2120102" and digits_only(" 212 ") == "212"
    assert digits_only("合计") is None and digits_only("") is None
