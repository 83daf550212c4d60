"""Cell value parsers: examples from real 台账, and properties that hold for any input."""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import ValueParseError
from pipeline.money import format_money, parse_money, round_half_up
from pipeline.periods import parse_period
from pipeline.values import (
    _CONTROLS,
    _DATE_PATTERNS,
    _SPACES,
    _make_date,
    clean_text,
    key_text,
    parse_bool,
    parse_date,
    parse_end_date,
    parse_int,
    parse_month,
    parse_percent,
    squeeze,
)
from pipeline.workbook import _blanks_as_none


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3万元", "30000"),
        ("1.2万", "12000"),
        ("0.5萬", "5000"),
        ("241。65", "241.65"),
        ("1,234.50", "1234.50"),
        ("1，234", "1234"),
        ("¥1,200.00", "1200.00"),
        ("￥88", "88"),
        ("１２３", "123"),
        ("500元", "500"),
        (241.65, "241.65"),
        (0.1, "0.1"),
        (1200, "1200"),
        (" 36.5 ", "36.5"),
        ("(100)", "-100"),
    ],
)
def test_money_forms(raw, expected):
    assert parse_money(clean_text(raw) if isinstance(raw, str) else raw) == Decimal(expected)


def test_money_header_multiplier():
    assert parse_money(3, Decimal(10000)) == Decimal(30000)
    assert parse_money("2万元", Decimal(10000)) == Decimal(20000)  # the cell's own unit wins


@pytest.mark.parametrize("raw", ["待定", "#DIV/0!", "12,5O", "", "万元", True])
def test_money_rejects(raw):
    with pytest.raises(ValueParseError):
        parse_money(raw)


def test_round_half_up_not_bankers():
    # What floats and banker's rounding would have shown: 2.675 is stored as 2.67499…, and
    # round() on a Decimal rounds half to even. 四舍五入 on exact decimals gives 2.68 and 0.13.
    assert round(2.675, 2) == 2.67
    assert round(Decimal("0.125"), 2) == Decimal("0.12")
    assert 0.1 + 0.2 != 0.3
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")
    assert round_half_up(Decimal("0.005")) == Decimal("0.01")
    assert round_half_up(Decimal("2.665")) == Decimal("2.67")  # banker's rounding would give 2.66
    assert format_money(Decimal("0.1") + Decimal("0.2")) == "0.30"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("20240305", date(2024, 3, 5)),
        ("3月5日", date(2024, 3, 5)),
        (datetime(2024, 3, 5, 0, 0), date(2024, 3, 5)),
        (45356, date(2024, 3, 5)),
        (20240305, date(2024, 3, 5)),
        ("２０２４年３月５日", date(2024, 3, 5)),
        ("2024-03-05 00:00:00", date(2024, 3, 5)),
        ("2024。3。5", date(2024, 3, 5)),
    ],
)
def test_date_forms(raw, expected):
    assert parse_date(raw, year=2024) == expected


def test_date_1904_system():
    # The same serial means a date 1,462 days later in the 1904 system (old Mac Excel).
    assert parse_date(43894, date1904=True) == date(2024, 3, 5)
    assert parse_date(43894) == date(2020, 3, 4)


@pytest.mark.parametrize("raw", ["2024-02-30", "3月5日x", "明天", "13/45"])
def test_date_rejects(raw):
    with pytest.raises(ValueParseError):
        parse_date(raw, year=2024)


def test_date_without_year_needs_the_period():
    with pytest.raises(ValueParseError, match="缺少年份"):
        parse_date("3月5日")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("√", True),
        ("×", False),
        ("✓", True),
        ("✗", False),
        ("有", True),
        ("无", False),
        (1, True),
        (0, False),
        ("TRUE", True),
        ("false", False),
        (True, True),
        ("是 ", True),
    ],
)
def test_bool_forms(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("95%", "0.95"),
        ("95.0 %", "0.95"),
        ("0.95", "0.95"),
        ("９５％", "0.95"),
        (0.95, "0.95"),
        ("95", "0.95"),
    ],
)
def test_percent_forms(raw, expected):
    assert parse_percent(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (3, (2024, 3)),
        ("3月", (2024, 3)),
        ("十二月", (2024, 12)),
        ("一月", (2024, 1)),
        ("2023年3月", (2023, 3)),
        (date(2024, 5, 1), (2024, 5)),
        ("十月份", (2024, 10)),
    ],
)
def test_month_forms(raw, expected):
    assert parse_month(raw, 2024) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("2024", "2024"),
        ("2024年", "2024"),
        ("2024年度", "2024"),
        ("2024年上半年", "2024-01..2024-06"),
        ("2024H1", "2024-01..2024-06"),
        ("2024年第二季度", "2024-04..2024-06"),
        ("2024Q2", "2024-04..2024-06"),
        ("2024年6月", "2024-06..2024-06"),
        ("2024年1-6月", "2024-01..2024-06"),
        ("2024年1月至9月", "2024-01..2024-09"),
        ("2024年下半年", "2024-07..2024-12"),
        (2024, "2024"),
    ],
)
def test_period_forms(raw, key):
    assert parse_period(raw).key() == key


def test_int_forms():
    assert parse_int("1,200人") == 1200 and parse_int("１２０") == 120 and parse_int(30.0) == 30
    for bad in ("約80人", "3.5", "-2", "三十"):
        with pytest.raises(ValueParseError):
            parse_int(bad)


def test_key_text_normalises_headers_and_sheet_names():
    assert key_text("經費收支") == "经费收支"
    assert key_text("參與\n人數*") == "参与人数"
    assert key_text("會員總數") == "会员总数"
    assert clean_text("张\u3000三") == "张 三"


# --- properties: no input makes a parser raise anything but the project's own error ----------

ANY_CELL = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.dates().map(lambda d: d),
    st.decimals(allow_nan=False, allow_infinity=False),
)


@pytest.mark.parametrize(
    "parser",
    [
        parse_money,
        parse_int,
        parse_percent,
        parse_bool,
        lambda v: parse_date(v, 2024),
        lambda v: parse_month(v, 2024),
        lambda v: parse_end_date(v, 2024),
        parse_period,
    ],
)
@given(value=ANY_CELL)
def test_parsers_raise_only_their_own_error(parser, value):
    with contextlib.suppress(ValueParseError):
        parser(value)


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2))
def test_money_format_then_parse_round_trips(amount):
    assert parse_money(format_money(amount)) == amount


@given(st.decimals(min_value=0, max_value=Decimal("1e8"), places=2))
def test_money_in_wan_round_trips(amount):
    assert parse_money(f"{amount / 10000}万元") == amount


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_date_text_forms_round_trip(day):
    for text in (
        f"{day:%Y-%m-%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
    ):
        assert parse_date(text) == day


@given(st.integers(min_value=0, max_value=10**9))
def test_int_with_separators_round_trips(number):
    assert parse_int(f"{number:,}") == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022.1.1-2024.12.31", date(2024, 12, 31)),
        ("2022年1月1日至2024年12月31日", date(2024, 12, 31)),
        ("2022/1/1~2024/12/31", date(2024, 12, 31)),
        ("2023.1-2025.12", date(2025, 12, 31)),
        ("2023年1月至2025年6月", date(2025, 6, 30)),
        ("2025-06-30", date(2025, 6, 30)),
        (datetime(2025, 6, 30), date(2025, 6, 30)),
    ],
)
def test_contract_terms_give_their_last_day(raw, expected):
    assert parse_end_date(raw, 2024) == expected


_CELL = st.one_of(st.just(""), st.none(), st.text(max_size=3), st.floats(allow_nan=False), st.integers(), st.booleans())


@given(st.lists(st.lists(_CELL, max_size=8), max_size=6))
def test_calamine_empty_cells_become_none_and_nothing_else_changes(rows):
    expected = [[None if v.__class__ is str and v == "" else v for v in row] for row in rows]
    assert _blanks_as_none([list(row) for row in rows]) == expected


@given(st.text(max_size=12))
def test_the_quick_paths_of_clean_text_and_squeeze_give_what_the_regexes_give(text):
    normal = unicodedata.normalize("NFKC", text)
    assert clean_text(text) == _SPACES.sub(" ", _CONTROLS.sub("", normal)).strip()
    assert squeeze(text) == _SPACES.sub("", _CONTROLS.sub("", normal))


_ISO_ISH = st.builds(
    lambda y, m, d: f"{y}-{m}-{d}",
    st.text("0123456789+- ", min_size=4, max_size=4),
    st.text("0123456789+ ", min_size=2, max_size=2),
    st.text("0123456789+ ", min_size=2, max_size=2),
)


def _date_by_patterns(text: str) -> date | None:
    """What parse_date gave before its quick path: the first of its patterns that reads the text."""
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(squeeze(text))
        if match:
            try:
                return _make_date(match.groupdict(), None, text)
            except ValueParseError:
                return None
    return None


@given(_ISO_ISH)
def test_the_iso_date_quick_path_reads_what_the_patterns_read(text):
    """`date.fromisoformat` takes a 2024-03-05 only when the date patterns would read it the same way."""
    try:
        got = parse_date(text)
    except ValueParseError:
        got = None
    assert got == _date_by_patterns(text)
