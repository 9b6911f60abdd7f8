"""Label normalisation and the numbering split (pipeline.clean.names), example- and property-based."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pipeline.clean.names import normalise_text, split_numbering

CN_DIGITS = "一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 as printed in numbering (十, 十二, 二十一 …)."""
    tens, ones = divmod(n, 10)
    s = ("" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens - 1] + "十"))
    return s + ("" if ones == 0 else CN_DIGITS[ones - 1])


numberings = st.one_of(
    st.integers(1, 99).map(lambda n: cn_number(n) + "、"),
    st.integers(1, 20).map(lambda n: f"（{cn_number(n)}）"),
    st.integers(1, 20).map(lambda n: f"({cn_number(n)})"),
    st.integers(1, 99).map(lambda n: f"{n}、"),
    st.integers(1, 99).map(lambda n: f"{n}．"),
)
# Label characters: CJK (including numerals, which may start a label: 一般公共预算) and CJK brackets.
cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
labels = st.text(alphabet=st.one_of(cjk, st.sampled_from("（）：")), min_size=1, max_size=20).filter(
    lambda s: not s[0] in "（）：")
spaces = st.sampled_from([" ", "\n", "\u3000", "\t", "  ", "\r\n"])


@st.composite
def broken(draw, label_strategy=labels):
    """A label as text extraction breaks it: whitespace inserted anywhere, padded at both ends."""
    label = draw(label_strategy)
    chars = []
    for ch in label:
        chars.append(ch)
        if draw(st.booleans()) and draw(st.booleans()):
            chars.append(draw(spaces))
    return label, draw(st.sampled_from(["", " ", "\u3000"])) + "".join(chars) + draw(spaces)


@given(numberings, broken())
def test_numbering_split_from_broken_label(numbering, pair):
    label, printed = pair
    assert split_numbering(numbering + printed) == (numbering, label)


@given(broken())
def test_label_without_numbering_is_only_normalised(pair):
    label, printed = pair
    num, name = split_numbering(printed)
    if num is None:
        assert name == label
    else:  # the random label itself began like a numbering (e.g. "一、…" cannot occur: no 、)
        assert num + name == label


@given(st.text(max_size=40))
def test_normalise_is_idempotent_and_strips_line_breaks(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\n" not in once and "\u3000" not in once and once == once.strip()


def test_examples_from_the_seed():
    assert split_numbering("一、一般公共预算 拨款收入") == ("一、", "一般公共预算拨款收入")
    assert split_numbering("二十一、粮油物资储备支出") == ("二十一、", "粮油物资储备支出")
    assert split_numbering("用于社会 福利的彩 票公益金 支出") == (None, "用于社会福利的彩票公益金支出")
    assert split_numbering("1、房屋（平方米）") == ("1、", "房屋（平方米）")
    assert split_numbering("13 、 物业奖补") == ("13、", "物业奖补")
    # Not numbering: a decimal, a label that is only a numbering, 其中.
    assert split_numbering("3.5吨") == (None, "3.5吨")
    assert split_numbering("二十一、") == (None, "二十一、")
    assert split_numbering("其中：财政拨款结转结余") == (None, "其中：财政拨款结转结余")
    # Latin words keep one space; a space beside CJK goes.
    assert normalise_text("LED  显示屏") == "LED显示屏"
    assert normalise_text("Windows  10 系统") == "Windows 10系统"
    assert split_numbering(None) == (None, None)
