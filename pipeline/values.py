"""Cell value parsers: text, integers, percentages, dates, months, booleans.

Each parser takes what a cell holds (str, int, float, datetime, None already
handled by the caller) and returns a typed value, or raises
`ValueParseError` with a reason a union officer understands. Money lives in
`money.py`.
"""

from __future__ import annotations

import calendar
import contextlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import opencc

from pipeline.errors import ValueParseError
from pipeline.money import to_decimal

# Spaces that NFKC keeps or that Excel users paste in from web pages.
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# Control characters (a pasted \x07, an _x0000_ escape) are never part of a name or a value.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def clean_text(value: object) -> str:
    """NFKC-normalise, turn every kind of space into one, and strip.

    >>> clean_text("  张\u3000三 ")
    '张 三'
    """
    text = unicodedata.normalize("NFKC", str(value))
    # printable: no control character and no space but the ASCII one, so only runs and ends need the regexes
    if text.isalnum() or (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "):
        return text
    return _SPACES.sub(" ", _CONTROLS.sub("", text)).strip()


def squeeze(value: object) -> str:
    """Text with all spaces removed: for names (`张 三` → `张三`) and keys."""
    text = value if value.__class__ is str else str(value)
    if text.isascii() and text.isprintable() and " " not in text:  # dates, amounts, codes: nothing to do
        return text
    text = unicodedata.normalize("NFKC", text)
    if text.isalnum() or (text.isprintable() and " " not in text):  # no space or control character in it
        return text
    return _SPACES.sub("", _CONTROLS.sub("", text))


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional → simplified characters (經費收支 → 经费收支)."""
    return _t2s().convert(text)


def key_text(value: object) -> str:
    """The form used to compare headers, sheet names and enumerations.

    NFKC, no spaces, simplified characters, required-marks removed before or after (`*姓名`, `金额*`).

    >>> key_text("經費 收支*"), key_text("*姓名")
    ('经费收支', '姓名')
    """
    return _key_text(value if value.__class__ is str else str(value))


def key_texts(texts: Iterable[str]) -> dict[str, str]:
    """`key_text` of many texts at once, for a whole sheet's cells.

    One OpenCC call for all of them: a call costs about six times the conversion itself,
    and a roster holds a thousand names that appear once each. The squeezed texts hold no
    newline, so one joins them and its conversion splits back into the same texts.
    """
    distinct = [t for t in dict.fromkeys(texts)]
    squeezed = [squeeze(t) for t in distinct]
    simplified = _t2s().convert("\n".join(squeezed)).split("\n") if distinct else []
    if len(simplified) != len(distinct):  # never seen; kept so a surprise costs time, not truth
        return {t: key_text(t) for t in distinct}
    return {t: s.strip("*＊※") for t, s in zip(distinct, simplified, strict=True)}


# Ledgers repeat the same few texts (是/否, categories, headers, 合计) across rows and files:
# each distinct text is normalised once. A miss costs a tenth of the work it saves.
@lru_cache(maxsize=1 << 16)
def _key_text(text: str) -> str:
    return to_simplified(squeeze(text)).strip("*＊※")


def cn_number(text: str) -> int:
    """Small Chinese numerals used for months and quarters: 三 → 3, 十二 → 12."""
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    raise ValueParseError(f"「{text}」不是数字")


_COUNT_UNITS = re.compile(r"(人次|人|名|次|场|家|个|户|件|项|期|天)$")


def parse_int(value: object) -> int:
    """A whole number ≥ 0 written as a number or as text (`30人`, `１２３`, `1,200`).

    >>> parse_int("1,200人")
    1200
    """
    number = value if isinstance(value, (int, float, Decimal)) else _strip_count_unit(value)
    try:
        amount = to_decimal(number)
    except ValueParseError as exc:
        raise ValueParseError(f"「{value}」不是整数") from exc
    if amount != amount.to_integral_value():
        raise ValueParseError(f"「{value}」应为整数")
    if amount < 0:
        raise ValueParseError(f"「{value}」不能为负数")
    return int(amount)


def _strip_count_unit(value: object) -> str:
    return _COUNT_UNITS.sub("", squeeze(value))


def parse_percent(value: object) -> Decimal:
    """A rate as a fraction: `95%`, `95.0 %`, `0.95`, `９５％` → 0.95.

    A bare number above 1 is read as a percentage (people write `95` for 95%).

    >>> parse_percent("９５％")
    Decimal('0.95')
    """
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = to_decimal(value)
        return number / 100 if number > 1 else number
    text = squeeze(value)
    if text.endswith("%"):
        return to_decimal(text[:-1]) / 100
    if text.startswith("百分之"):
        return to_decimal(text[3:]) / 100
    return parse_percent(to_decimal(text))


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "☑", "有", "对", "已", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "☒", "无", "没有", "未", "f", "不是"}


def parse_bool(value: object) -> bool:
    """是/否, Y/N, √/×, ✓/✗, 有/无, 1/0, TRUE/FALSE (also real booleans).

    >>> parse_bool("√"), parse_bool("否")
    (True, False)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = key_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueParseError(f"「{value}」不是“是/否”")


EXCEL_EPOCH_1900 = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)

_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?"),
    re.compile(r"(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"),
]


def serial_to_date(serial: float, date1904: bool = False) -> date:
    """An Excel serial day number in the workbook's date system."""
    if not 0 < serial < 2958466:
        raise ValueParseError(f"「{serial}」不是有效的日期序号")
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    return epoch + timedelta(days=int(serial))


def parse_date(value: object, year: int | None = None, date1904: bool = False) -> date:
    """Dates as Excel dates, serials or text; `3月5日` takes `year` (the period's).

    >>> parse_date("2024年3月5日"), parse_date("3月5日", year=2024)
    (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return parse_date(str(int(value)))
        return serial_to_date(float(value), date1904)
    text = squeeze(value).replace("。", ".")
    if len(text) == 10 and text[4] == text[7] == "-":  # 2024-03-05, what most exports write: C parses it
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _make_date(match.groupdict(), year, value)
    raise ValueParseError(f"「{value}」不是可识别的日期")


def _make_date(parts: dict[str, str], year: int | None, raw: object) -> date:
    found_year = int(parts["y"]) if parts.get("y") else year
    if found_year is None:
        raise ValueParseError(f"「{raw}」缺少年份")
    try:
        return date(found_year, int(parts["m"]), int(parts["d"]))
    except ValueError as exc:
        raise ValueParseError(f"「{raw}」不是有效日期") from exc


_MONTH_TEXT = re.compile(r"(?:(?P<y>\d{4})[年.\-/])?(?P<m>[0-9]{1,2}|[一二三四五六七八九十]{1,3})月?(?:份)?")


def parse_month(value: object, year: int | None = None) -> tuple[int, int]:
    """A planned month: 1–12, 一月…十二月, `3月`, `2024年3月`, or a date.

    Returns (year, month); the year comes from the period when not written.

    >>> parse_month("十二月", 2024), parse_month("2023年3月")
    ((2024, 12), (2023, 3))
    """
    if isinstance(value, (date, datetime)):
        return value.year, value.month
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 12:
            return _with_year(year, int(value), value)
        raise ValueParseError(f"「{value}」不是月份")
    text = squeeze(value)
    match = _MONTH_TEXT.fullmatch(text)
    if not match:
        try:
            found = parse_date(text, year)
        except ValueParseError as exc:
            raise ValueParseError(f"「{value}」不是月份") from exc
        return found.year, found.month
    month = cn_number(match["m"])
    if not 1 <= month <= 12:
        raise ValueParseError(f"「{value}」不是月份")
    return _with_year(int(match["y"]) if match["y"] else year, month, value)


def _with_year(year: int | None, month: int, raw: object) -> tuple[int, int]:
    if year is None:
        raise ValueParseError(f"「{raw}」缺少年份")
    return year, month


_RANGE = re.compile(r"^(.+?)\s*(?:至|到|~|～|—|–|-)\s*(\d{4}\D.*|\d{8})$")


def parse_end_date(value: object, year: int | None = None, date1904: bool = False) -> date:
    """A date, or the last day of a term written as a range (`2022.1.1-2024.12.31`, `2022年1月至2024年12月`).

    >>> parse_end_date("2022.1.1-2024.12.31"), parse_end_date("2025-06-30")
    (datetime.date(2024, 12, 31), datetime.date(2025, 6, 30))
    """
    try:
        return parse_date(value, year, date1904)
    except ValueParseError:
        match = _RANGE.match(squeeze(value)) if isinstance(value, str) else None
        if match is None:
            raise
        end = match.group(2)
        try:
            return parse_date(end, year, date1904)
        except ValueParseError:
            found_year, month = parse_month(end, year)  # a month alone: its last day
            return date(found_year, month, calendar.monthrange(found_year, month)[1])
